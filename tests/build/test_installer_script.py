"""The Inno Setup script says what the issue asks (ISCC itself runs only in the Windows workflow)."""

import re

from tests.build.helpers import ROOT

SCRIPT = ROOT / "build" / "installer.iss"


def text() -> str:
    raw = SCRIPT.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads a script as UTF-8 only with a BOM"
    return raw[3:].decode("utf-8")


def directive(name: str) -> str:
    match = re.search(rf"^{name}=(.*)$", text(), re.MULTILINE)
    assert match, name
    return match.group(1).strip()


def test_per_user_without_administrator():
    assert directive("PrivilegesRequired") == "lowest"
    assert directive("DefaultDirName") == r"{autopf}\MotCuaXa"  # %LOCALAPPDATA%\Programs when per user
    assert "PrivilegesRequiredOverridesAllowed" not in text()


def test_vietnamese_is_the_installer_language():
    assert re.search(r'^Name: "vi"; MessagesFile: "\{#VietnameseIsl\}"', text(), re.MULTILINE)
    assert "Files/Languages/Unofficial/Vietnamese.isl" in text()  # where it comes from
    assert "vi.DataKept=" in text() and "Dữ liệu của đơn vị vẫn được giữ nguyên" in text()


def test_start_menu_and_desktop_shortcuts():
    icons = text().split("[Icons]")[1].split("[Run]")[0]
    assert r'Name: "{autoprograms}\{#AppName}"' in icons
    assert r'Name: "{autodesktop}\{#AppName}"' in icons


def test_uninstall_keeps_the_data_folder():
    assert "[UninstallDelete]" not in text().replace("under [UninstallDelete]", "")
    assert "{localappdata}\\motcua-xa" in text()  # only looked at, to tell the user it is still there


def test_copies_the_provision_file_beside_the_executable():
    assert re.search(r'^Source: "\{src\}\\provision\.json"; DestDir: "\{app\}"; Flags: external skipifsourcedoesntexist',
                     text(), re.MULTILINE)


def test_installs_the_built_folder_with_the_app_icon():
    assert 'Source: "{#AppFolder}\\*"' in text()
    assert directive("SetupIconFile") == r"..\resources\icons\app.ico"
    assert (ROOT / "resources" / "icons" / "app.ico").is_file()
