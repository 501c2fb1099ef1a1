"""The province sends targets and a new checklist template; the commune receives them by USB."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core.checklists import templates as tpl
from core.cli import run
from core.dossiers.targets import target_for
from core.paths import AppPaths
from core.workspace import open_workspace

pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)


TEMPLATE_CSV = ("category,item,kind,threshold,unit,critical,guidance,source\n"
                "Đường truyền,Băng thông đo được (mỗi chiều),number,4,Mbps,yes,,Sở KH&CN\n"
                "Hình ảnh,Camera rõ nét,check,,,yes,,Sở KH&CN\n"
                "Quy trình,Ghi nhật ký sự cố,text,,,no,,Sở KH&CN\n")


def _setup(tmp_path, capsys):
    hub, commune = tmp_path / "hub", tmp_path / "xa"
    assert run(["hub", "init", "--data-dir", str(hub)]) == 0
    province_key = [line.split(": ")[-1] for line in capsys.readouterr().out.splitlines()
                    if "Khóa công khai" in line][0]
    assert run(["init", "--unit", "21484", "--staff", "Nguyễn Văn A", "--province-key", province_key,
                "--data-dir", str(commune)]) == 0
    capsys.readouterr()
    assert run(["keys", "show", "--json", "--data-dir", str(commune)]) == 0
    public_key = json.loads(capsys.readouterr().out)["public_key"]
    assert run(["hub", "register", "--unit", "21484", "--public-key", public_key, "--data-dir", str(hub)]) == 0
    capsys.readouterr()
    return hub, commune


def _send_and_receive(capsys, hub, commune, *command):
    assert run(["hub", *command, "--json", "--data-dir", str(hub)]) == 0
    made = json.loads(capsys.readouterr().out)["bundles"]
    assert [m["unit"] for m in made] == ["21484"]
    assert run(["import-bundle", made[0]["file"], "--data-dir", str(commune)]) == 0
    capsys.readouterr()


def test_province_targets_replace_the_local_ones(tmp_path, capsys):
    hub, commune = _setup(tmp_path, capsys)
    targets = tmp_path / "chi_tieu.csv"
    targets.write_text("indicator,effective_from,target,amber_margin,source\n"
                       "online_rate,01/01/2026,85%,0.05,Kế hoạch 12/KH-UBND năm 2026\n"
                       "vneid_rate,2026-01-01,1,0.1,\n", encoding="utf-8")
    _send_and_receive(capsys, hub, commune, "targets", str(targets))
    store = open_workspace(AppPaths(commune))
    try:
        online = target_for(store, "online_rate", dt.date(2026, 6, 1))
        assert (online.target, online.amber_margin, online.from_province) == (0.85, 0.05, True)
        assert target_for(store, "online_rate", dt.date(2025, 6, 1)).from_province is False
    finally:
        store.close()
    # A corrected file replaces the target rather than adding a second one.
    targets.write_text("indicator,effective_from,target\nonline_rate,2026-01-01,0.9\n", encoding="utf-8")
    _send_and_receive(capsys, hub, commune, "targets", str(targets))
    store = open_workspace(AppPaths(commune))
    try:
        assert target_for(store, "online_rate", dt.date(2026, 6, 1)).target == 0.9
        assert store.scalar("SELECT count(*) FROM dossier_targets WHERE indicator = 'online_rate'") == 1
    finally:
        store.close()


def test_bad_targets_files_are_refused_and_nothing_is_sent(tmp_path, capsys):
    hub, _ = _setup(tmp_path, capsys)
    cases = {
        "indicator,target\nonline_rate,0.8\n": "thiếu cột: effective_from",
        "indicator,effective_from,target\nkhong_co,2026-01-01,0.8\n": "không có trong danh sách",
        "indicator,effective_from,target\nonline_rate,31/02/2026,0.8\n": "không hợp lệ",
        "indicator,effective_from,target\nonline_rate,2026-01-01,150%\n": "từ 0% đến 100%",
        "indicator,effective_from,target\nonline_rate,2026-01-01,cao\n": "không phải một tỷ lệ",
        "indicator,effective_from,target\n": "không có dòng nào",
    }
    for number, (content, message) in enumerate(cases.items()):
        bad = tmp_path / f"bad{number}.csv"
        bad.write_text(content, encoding="utf-8")
        assert run(["hub", "targets", str(bad), "--data-dir", str(hub)]) == 2
        assert message in capsys.readouterr().err
    assert [p for p in hub.rglob("*") if p.is_file() and p.suffix == ".zip"] == []  # nothing was sent


def test_province_template_version_reaches_the_commune(tmp_path, capsys):
    hub, commune = _setup(tmp_path, capsys)
    template = tmp_path / "mau_phieu.csv"
    template.write_text(TEMPLATE_CSV, encoding="utf-8")
    _send_and_receive(capsys, hub, commune, "template", str(template), "--name", "Phiếu kiểm tra HNTH 2026",
                      "--version", "2")
    store = open_workspace(AppPaths(commune))
    try:
        received = [t for t in tpl.list_templates(store) if t.version == 2 and t.name == "Phiếu kiểm tra HNTH 2026"]
        assert received, [(t.name, t.version) for t in tpl.list_templates(store)]
    finally:
        store.close()
    bad = tmp_path / "mau_hong.csv"
    bad.write_text("category,item,kind\nA,B,video\n", encoding="utf-8")
    assert run(["hub", "template", str(bad), "--name", "X", "--version", "3", "--data-dir", str(hub)]) != 0
    assert "Traceback" not in capsys.readouterr().err
