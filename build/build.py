"""Build the frozen app: `python build/build.py` → dist/MotCuaXa/ and two zips.

- dist/MotCuaXa/                                   one-folder build (PyInstaller, build/motcua.spec)
- dist/MotCuaXa-<version>-<platform>.zip            the folder, for the installer or a manual copy
- dist/MotCuaXa-<version>-<platform>-portable.zip   the same with `portable.txt` beside the
                                                   executable: data then lives in `data/` beside it

Options: --dist DIR, --work DIR (default build/work), --no-zip, --entry/--name to freeze another
script with the same rules (the start-up benchmark freezes bench/bare_window.py this way).
Prints the folder and zip sizes against the budget (150 MB folder, 70 MB zip on Linux).
"""

from __future__ import annotations

import argparse
import os
import platform
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build" / "motcua.spec"
APP_NAME = "MotCuaXa"
FOLDER_BUDGET_MB = 150
ZIP_BUDGET_MB = 70
PORTABLE_MARKER = "portable.txt"  # core.paths.PORTABLE_MARKER (not imported: the build needs no app imports)
PORTABLE_TEXT = (
    "Bản chạy trực tiếp (portable) của Một Cửa Xã.\r\n"
    "Tệp này báo cho phần mềm lưu dữ liệu trong thư mục \"data\" ngay bên cạnh, "
    "không phải trong thư mục của người dùng Windows.\r\n"
    "Xóa tệp này thì phần mềm dùng thư mục dữ liệu của người dùng như bản cài đặt.\r\n"
)


class BuildError(RuntimeError):
    pass


def app_version() -> str:
    text = (ROOT / "core" / "__init__.py").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise BuildError("core/__init__.py has no __version__")


def platform_tag() -> str:
    if sys.platform == "win32":
        return "win64" if platform.architecture()[0] == "64bit" else "win32"
    return f"{sys.platform.rstrip('0123456789')}-{platform.machine().lower()}"


def executable_name(name: str = APP_NAME) -> str:
    return f"{name}.exe" if sys.platform == "win32" else name


def cli_executable_name(name: str = APP_NAME) -> str:
    """The executable to run commands with: on Windows the console twin, elsewhere the app itself."""
    return f"{name}-cli.exe" if sys.platform == "win32" else name


def run_pyinstaller(dist: Path, work: Path, *, entry: str | None = None, name: str | None = None,
                    console: bool = False) -> Path:
    env = dict(os.environ)
    if entry:
        env["MOTCUA_SPEC_ENTRY"] = entry
    if name:
        env["MOTCUA_SPEC_NAME"] = name
    if console:
        env["MOTCUA_SPEC_CONSOLE"] = "1"
    env.pop("QT_QPA_PLATFORM", None)  # the hooks import Qt; they must not inherit a test's platform
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
               "--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    result = subprocess.run(command, cwd=ROOT, env=env)
    if result.returncode != 0:
        raise BuildError(f"PyInstaller failed with exit code {result.returncode}")
    folder = dist / (name or APP_NAME)
    if not (folder / executable_name(name or APP_NAME)).exists():
        raise BuildError(f"no executable in {folder}")
    return folder


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def write_zip(folder: Path, target: Path, *, portable: bool = False) -> Path:
    """Zip `folder` as `<folder name>/...`, keeping Unix modes (the executable bit) and symlinks as files."""
    target.unlink(missing_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(folder.rglob("*")):
            arcname = f"{folder.name}/{path.relative_to(folder).as_posix()}"
            if path.is_symlink():
                # Linux builds link top-level library names into PySide6/Qt/lib: store the link,
                # not a second copy (unzip restores it; Windows builds have no links).
                info = zipfile.ZipInfo(arcname, date_time=time.localtime(path.lstat().st_mtime)[:6])
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                info.create_system = 3  # Unix, so the mode bits are honoured
                zf.writestr(info, os.readlink(path))
            elif path.is_file():
                zf.write(path, arcname)
        if portable:
            info = zipfile.ZipInfo(f"{folder.name}/{PORTABLE_MARKER}", date_time=time.localtime()[:6])
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, PORTABLE_TEXT.encode("utf-8"))
    return target


def check_bundle(folder: Path) -> None:
    """Fail the build early when something the app opens at run time did not make it in."""
    internal = folder / "_internal"
    required = [internal / "resources" / "fonts" / "LiberationSans-Regular.ttf",
                internal / "resources" / "icons" / "app.png",
                internal / "resources" / "reference" / "units_quang_ngai_2025.csv"]
    required.append(folder / cli_executable_name())
    missing = [str(p) for p in required if not p.exists()]
    if missing:
        raise BuildError("missing from the bundle: " + ", ".join(missing))


def mb(size: int) -> float:
    return size / (1024 * 1024)


def build(dist: Path, work: Path, *, make_zips: bool = True, entry: str | None = None,
          name: str | None = None, console: bool = False) -> dict:
    started = time.perf_counter()
    folder = run_pyinstaller(dist, work, entry=entry, name=name, console=console)
    result = {"folder": folder, "folder_mb": mb(folder_size(folder)), "seconds": 0.0}
    if entry is None:
        check_bundle(folder)
    if make_zips:
        stem = f"{folder.name}-{app_version()}-{platform_tag()}"
        result["zip"] = write_zip(folder, dist / f"{stem}.zip")
        result["portable_zip"] = write_zip(folder, dist / f"{stem}-portable.zip", portable=True)
        result["zip_mb"] = mb(result["zip"].stat().st_size)
    result["seconds"] = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "work")
    parser.add_argument("--no-zip", action="store_true")
    parser.add_argument("--entry", help="freeze this script instead of main.py (same excludes)")
    parser.add_argument("--name", help="output folder and executable name")
    parser.add_argument("--console", action="store_true", help="console executable (default: windowed)")
    args = parser.parse_args(argv)
    try:
        result = build(args.dist.resolve(), args.work.resolve(), make_zips=not args.no_zip,
                       entry=args.entry, name=args.name, console=args.console)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    print(f"folder: {result['folder']} — {result['folder_mb']:.1f} MB (budget {FOLDER_BUDGET_MB} MB)")
    if "zip" in result:
        print(f"zip: {result['zip']} — {result['zip_mb']:.1f} MB (budget {ZIP_BUDGET_MB} MB)")
        print(f"portable zip: {result['portable_zip']}")
    print(f"built in {result['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
