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
    assert directive("DefaultDirName") == "{code:DefaultInstallDir}"
    code = text().split("[Code]")[1]
    # {autopf}\MotCuaXa (%LOCALAPPDATA%\Programs when per user); the same folder where {autopf}
    # cannot be expanded (Wine), so the released setup is the one the Wine install test runs.
    assert "ExpandConstant('{autopf}\\MotCuaXa')" in code
    assert "ExpandConstant('{localappdata}\\Programs\\MotCuaXa')" in code
    assert "PrivilegesRequiredOverridesAllowed" not in text()


def test_vietnamese_is_the_installer_language():
    assert re.search(r'^Name: "vi"; MessagesFile: "\{#VietnameseIsl\}"', text(), re.MULTILINE)
    assert re.search(r'^  #define VietnameseIsl "windows\\Vietnamese.isl"$', text(), re.MULTILINE)
    assert (SCRIPT.parent / "windows" / "Vietnamese.isl").is_file()  # committed: nothing to download
    assert "vi.DataKept=" in text() and "Dữ liệu của đơn vị vẫn được giữ nguyên" in text()


ISL = ROOT / "build" / "windows" / "Vietnamese.isl"
# Messages whose English would show on the pages every silent or interactive install passes.
SEEN_BY_EVERYONE = {"ButtonNext": "&Tiếp >", "ButtonCancel": "Hủy", "ButtonInstall": "&Cài đặt",
                    "ButtonFinish": "&Hoàn tất", "WizardReady": "Sẵn sàng cài đặt",
                    "ConfirmUninstall": "Bạn có chắc muốn gỡ bỏ hoàn toàn %1 và mọi thành phần của chương trình không?"}


def isl_messages() -> dict[str, str]:
    raw = ISL.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads a messages file as UTF-8 only with a BOM"
    section, messages = None, {}
    for line in raw[3:].decode("utf-8").splitlines():
        if line.startswith("["):
            section = line.strip()
        elif line and not line.startswith(";") and "=" in line and section in ("[Messages]", "[CustomMessages]"):
            key, value = line.split("=", 1)
            assert key not in messages, f"{key} twice"
            messages[key] = value
    return messages


def test_vietnamese_messages_are_the_projects_own_and_complete():
    head = ISL.read_text(encoding="utf-8-sig")
    assert "the Một Cửa Xã project's OWN translation" in head and "Inno Setup License" in head
    assert re.search(r"^LanguageID=\$042A$", head, re.MULTILINE)
    assert re.search(r"^LanguageName=Tiếng Việt$", head, re.MULTILINE)
    messages = isl_messages()
    assert len(messages) >= 278  # Inno Setup 6.4's Default.isl: 266 messages and 12 custom messages
    for key, value in SEEN_BY_EVERYONE.items():
        assert messages[key] == value
    for key, value in messages.items():
        assert value.count("&") <= 1 or "&&" in value, key  # one accelerator key per label
        assert not re.search(r"\b(the|Setup|Please|Click|Select|installation)\b", value), f"English left in {key}"


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
