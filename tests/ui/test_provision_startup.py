"""First run with the province's provision.json: settings filled, unit suggested, a bad file shown."""

import json

import pytest

from core import provision as provision_module
from core.workspace import open_workspace
from db.settings import HUB_URL, get_setting
from ui.app import Startup, make_application


@pytest.fixture(autouse=True)
def program_dir(monkeypatch, tmp_path):
    beside = tmp_path / "program"
    beside.mkdir()
    monkeypatch.setattr(provision_module, "executable_dir", lambda: beside)
    return beside


def start(qtbot, paths):
    startup = Startup(make_application(), paths, demo_mode=False, smoke=False)
    qtbot.addWidget(startup.window)
    startup.start()
    qtbot.waitUntil(lambda: startup.wizard is not None and startup.wizard.isVisible(), timeout=10_000)
    return startup


def test_first_run_applies_the_file_and_suggests_the_unit(qtbot, paths, program_dir):
    (program_dir / "provision.json").write_text(
        json.dumps({"hub_url": "https://dongbo.example", "unit_code": "21484"}), encoding="utf-8")
    startup = start(qtbot, paths)
    try:
        assert startup.wizard.unit_page.selected_code() == "21484"
        assert startup.provision_error is None
    finally:
        startup.bg.close()
    store = open_workspace(paths)
    assert get_setting(store, HUB_URL) == "https://dongbo.example"
    store.close()


def test_bad_file_is_shown_and_the_wizard_still_opens(qtbot, paths, program_dir):
    (program_dir / "provision.json").write_text('{"hub_url": "dongbo"', encoding="utf-8")
    startup = start(qtbot, paths)
    try:
        dialogs = [w for w in startup.window.findChildren(object) if w.objectName() == "errorDialog"]
        assert dialogs and "sai định dạng JSON" in dialogs[0].text()
        assert dialogs[0].windowTitle() == "Tệp thiết lập của tỉnh"
    finally:
        startup.bg.close()
    store = open_workspace(paths)
    assert get_setting(store, HUB_URL) is None
    store.close()
