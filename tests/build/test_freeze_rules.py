"""What the frozen build leaves out (fast: no PyInstaller run)."""

import sys
import zipfile

import pytest

from tests.build.helpers import load_build_module

rules = load_build_module("freeze_rules")
build = load_build_module("build")
version_file = load_build_module("version_file")


@pytest.mark.parametrize("dest, kept", [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
    ("PySide6\\plugins\\platforms\\qwindows.dll", True),
    ("PySide6\\plugins\\platforms\\qdirect2d.dll", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/imageformats/libqico.so", True),
    ("PySide6/Qt/plugins/imageformats/libqwebp.so", False),
    ("PySide6\\plugins\\imageformats\\qtiff.dll", False),
    ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
    ("PySide6\\plugins\\printsupport\\windowsprintersupport.dll", True),
    ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", False),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6\\translations\\qt_fr.qm", False),
    ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
    ("resources/fonts/LiberationSans-Regular.ttf", True),
])
def test_plugin_and_translation_rules(dest, kept):
    assert rules.keep(dest, platform="linux") is kept


def test_host_libraries_are_left_out_on_linux_only():
    assert not rules.keep("libstdc++.so.6", platform="linux")
    assert rules.keep("libstdc++.so.6", platform="win32")
    assert rules.keep("pillow.libs/libxcb-9065bb12.so.1.1.0", platform="linux")  # Pillow's private copy


def test_prune_keeps_what_roots_link_to_and_drops_the_rest():
    links = {
        "/src/QtWidgets.abi3.so": [("libQt6Widgets.so.6", "/src/libQt6Widgets.so.6")],
        "/src/libQt6Widgets.so.6": [("libQt6Core.so.6", "/src/libQt6Core.so.6")],
        "/src/libQt6Core.so.6": [],
        "/src/libQt6Quick.so.6": [("libQt6Core.so.6", "/src/libQt6Core.so.6")],
        "/src/libpdfium.so": [],
    }
    toc = [
        ("PySide6/QtWidgets.abi3.so", "/src/QtWidgets.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", "/src/libQt6Widgets.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/src/libQt6Core.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Quick.so.6", "/src/libQt6Quick.so.6", "BINARY"),  # only a dropped plugin used it
        ("libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "SYMLINK"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("pypdfium2_raw/libpdfium.so", "/src/libpdfium.so", "BINARY"),  # loaded with ctypes
    ]
    kept = {dest for dest, _, _ in rules.prune_unreachable_libraries(toc, lambda src: links[src])}
    assert kept == {"PySide6/QtWidgets.abi3.so", "PySide6/Qt/lib/libQt6Widgets.so.6", "PySide6/Qt/lib/libQt6Core.so.6",
                    "libQt6Core.so.6", "pypdfium2_raw/libpdfium.so"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF and readelf: the Linux walk only")
def test_linux_walk_follows_direct_links_not_what_ldd_lists():
    from pathlib import Path

    from PyInstaller.depend import bindepend

    PySide6 = pytest.importorskip("PySide6")
    core = Path(PySide6.__file__).parent / "Qt" / "lib" / "libQt6Core.so.6"
    if not core.exists():
        pytest.skip("PySide6 without its own Qt libraries")
    direct = {name for name, _ in rules.elf_needed(core)}
    assert "libglib-2.0.so.0" in direct and any(name.startswith("libicuuc.so.") for name in direct)
    # ldd also lists what glib (a host library, left out) needs: bundling it would be dead weight
    through_ldd = {name for name, _ in bindepend.get_imports(str(core))}
    assert any(name.startswith("libpcre") for name in through_ldd - direct)


def test_dangling_symlinks_are_dropped():
    toc = [("libA.so", "PySide6/Qt/lib/libA.so", "SYMLINK"), ("libB.so", "PySide6/Qt/lib/libB.so", "SYMLINK")]
    assert rules.drop_dangling_symlinks(toc, ["PySide6/Qt/lib/libA.so"]) == toc[:1]


def test_resource_junk():
    assert rules.is_resource_junk("resources/__pycache__/__init__.cpython-311.pyc")
    assert not rules.is_resource_junk("resources/reference/hnth_checklist.csv")


def test_version_info_matches_the_app_version():
    from core import __version__

    assert version_file.version_tuple("0.1.0") == (0, 1, 0, 0)
    assert version_file.version_tuple("1.2.3.4+local") == (1, 2, 3, 4)
    text = version_file.version_text()
    assert f"StringStruct('ProductVersion', '{__version__}')" in text
    assert "StringStruct('ProductName', 'Một Cửa Xã')" in text
    assert build.app_version() == __version__


@pytest.mark.skipif(sys.platform == "win32", reason="Windows builds have no library links (and need rights to make one)")
def test_portable_zip_has_the_marker_beside_the_executable(tmp_path):
    folder = tmp_path / "MotCuaXa"
    (folder / "_internal").mkdir(parents=True)
    (folder / "MotCuaXa").write_bytes(b"\x7fELF")
    (folder / "MotCuaXa").chmod(0o755)
    (folder / "_internal" / "libQt6Core.so.6.real").write_bytes(b"x")
    (folder / "_internal" / "libQt6Core.so.6").symlink_to("libQt6Core.so.6.real")
    plain = build.write_zip(folder, tmp_path / "plain.zip")
    portable = build.write_zip(folder, tmp_path / "portable.zip", portable=True)
    with zipfile.ZipFile(plain) as zf:
        assert "MotCuaXa/portable.txt" not in zf.namelist()
        assert (zf.getinfo("MotCuaXa/MotCuaXa").external_attr >> 16) & 0o111  # still executable
        link = zf.getinfo("MotCuaXa/_internal/libQt6Core.so.6")
        assert (link.external_attr >> 16) & 0o170000 == 0o120000  # stored as a link, not a copy
        assert zf.read(link) == b"libQt6Core.so.6.real"
    with zipfile.ZipFile(portable) as zf:
        assert "dữ liệu" in zf.read("MotCuaXa/portable.txt").decode("utf-8")


def test_the_multiprocessing_runtime_hook_is_dropped_and_nothing_of_ours_needs_it():
    scripts = [("pyi_rth_inspect", "a.py", "PYSOURCE"), ("pyi_rth_multiprocessing", "b.py", "PYSOURCE"),
               ("pyi_rth_pyside6", "c.py", "PYSOURCE"), ("main", "main.py", "PYSOURCE")]
    assert [s[0] for s in rules.drop_runtime_hooks(scripts)] == ["pyi_rth_inspect", "pyi_rth_pyside6", "main"]
    # Without the hook a frozen process could not start multiprocessing helpers: none of our
    # code may use multiprocessing, and the hub must serve from one uvicorn process.
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    users = [str(path.relative_to(root)) for folder in ("core", "db", "ui") for path in (root / folder).rglob("*.py")
             if any(word in path.read_text(encoding="utf-8")
                    for word in ("multiprocessing", "ProcessPoolExecutor", "workers="))]
    assert users == [] and "multiprocessing" not in (root / "main.py").read_text(encoding="utf-8")
