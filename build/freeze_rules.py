"""What the frozen build leaves out, in one place (used by build/motcua.spec and its tests).

The app is a Qt Widgets program: no QML, no web engine, no multimedia. PyInstaller's PySide6
hooks bring every plugin of each Qt module they see; the office PCs need only the Windows
platform plugin (Linux: xcb/wayland, plus offscreen for tests), a few image formats, TLS and
network information. Qt's own translations are dropped: Qt ships none for Vietnamese, and every
label the app shows is its own.
"""

from __future__ import annotations

import re
import sys

EXCLUDED_MODULES = [
    # GUI toolkits and science stacks that optional imports would drag in.
    "tkinter", "_tkinter", "turtle", "idlelib",
    "numpy",        # sqlite-utils imports it only to convert numpy values; the app never has any
    "pandas", "matplotlib", "scipy", "IPython", "jupyter_client",
    "readline",     # interactive prompt only
    "lxml.objectify", "lxml.html", "lxml.isoschematron",  # python-docx and openpyxl use lxml.etree
    "pygments", "rich", "markdown_it",  # colourised CLI output of httpx/uvicorn extras
    "trio",         # anyio's alternative back end; the hub runs on asyncio
    "yaml",         # uvicorn reads YAML logging configs only when given one
    # reportlab 4 imports Pillow at start-up, but the app never decodes AVIF/WebP/JPEG 2000,
    # colour profiles or Pillow-drawn text: leave out those codecs and their libraries.
    "PIL._avif", "PIL.AvifImagePlugin", "PIL._webp", "PIL.WebPImagePlugin", "PIL.Jpeg2KImagePlugin",
    "PIL._imagingcms", "PIL.ImageCms", "PIL._imagingft", "PIL.ImageFont", "PIL._imagingtk", "PIL.ImageTk",
    "PIL.ImageQt", "PIL.ImageShow", "PIL.ImageGrab",
    # East Asian codecs (~1 MB): directives come as UTF-8, UTF-16 or CP1258 (core/directives/readers.py).
    "_codecs_jp", "_codecs_hk", "_codecs_cn", "_codecs_kr", "_codecs_tw", "_codecs_iso2022",
    # Test and developer tools.
    "pytest", "_pytest", "hypothesis", "pytestqt", "pdfplumber", "pdfminer", "PyInstaller",
    "setuptools", "pkg_resources", "pip", "distutils", "lib2to3", "pydoc_data", "unittest",
    # Qt modules the app does not use (each pulls big libraries and plugins).
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel", "PySide6.QtWebSockets", "PySide6.QtWebView",
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuickControls2",
    "PySide6.QtQuick3D", "PySide6.Qt3DCore", "PySide6.Qt3DRender", "PySide6.Qt3DExtras",
    "PySide6.Qt3DInput", "PySide6.Qt3DLogic", "PySide6.Qt3DAnimation",
    "PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets", "PySide6.QtSpatialAudio",
    "PySide6.QtBluetooth", "PySide6.QtNfc", "PySide6.QtPositioning", "PySide6.QtLocation",
    "PySide6.QtSensors", "PySide6.QtSerialPort", "PySide6.QtSerialBus", "PySide6.QtTextToSpeech",
    "PySide6.QtDataVisualization", "PySide6.QtGraphs", "PySide6.QtGraphsWidgets",
    "PySide6.QtRemoteObjects", "PySide6.QtScxml", "PySide6.QtStateMachine", "PySide6.QtSql",
    "PySide6.QtTest", "PySide6.QtDesigner", "PySide6.QtUiTools", "PySide6.QtHelp",
    "PySide6.QtHttpServer", "PySide6.QtCanvasPainter", "PySide6.QtDBus", "PySide6.QtAxContainer",
    # The Python bindings of QtOpenGL (8.5 MB) are not needed for QtCharts: its C++ library links
    # libQt6OpenGL/OpenGLWidgets directly, and those stay (reached through the link graph).
    "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets",
]

# PyInstaller runtime hooks that would run at every start for nothing.
UNNEEDED_RUNTIME_HOOKS = {
    # Lets multiprocessing's helper processes start from a frozen executable; it imports
    # multiprocessing (and subprocess, socket…: ~7 ms) before the app's first line. The app
    # starts no process with multiprocessing: the hub serves from one uvicorn process
    # (core/hub/app.py), and tests/build/test_freeze_rules.py checks that none of our modules
    # imports it. multiprocessing itself stays importable (uvicorn imports it).
    "pyi_rth_multiprocessing",
}


def drop_runtime_hooks(scripts):
    """Analysis.scripts without the runtime hooks in UNNEEDED_RUNTIME_HOOKS."""
    return [entry for entry in scripts if entry[0] not in UNNEEDED_RUNTIME_HOOKS]


# Plugins kept, by plugin folder; folders not listed are dropped entirely.
KEPT_PLUGINS = {
    # Linux builds run under X11 (or XWayland); Wayland's own plugins and libraries are left out.
    "platforms": {"qwindows", "qxcb", "qoffscreen", "qminimal"},
    "platformthemes": {"qxdgdesktopportal"},  # qgtk3 would bundle the whole GTK stack
    "platforminputcontexts": {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"},
    "imageformats": {"qico", "qjpeg", "qsvg", "qgif"},
    "iconengines": {"qsvgicon"},
    "styles": {"qmodernwindowsstyle", "qwindowsvistastyle"},
    "tls": None,                  # None: every plugin of the folder (OpenSSL / Schannel back ends)
    "networkinformation": None,
    # CUPS printing on Linux pulls GnuTLS, Avahi and Kerberos (~7 MB); Linux builds are test
    # vehicles, so they print through the PDF printer only. Windows keeps its print plugin.
    "printsupport": {"windowsprintersupport"},
    "xcbglintegrations": None,
}

# Linux only: libraries every desktop that can show a window already has, after the AppImage
# project's exclude list (github.com/AppImage/pkg2appimage, "excludelist"). Bundling a second
# copy of the graphics, font and C++ runtime stack buys nothing and can clash with the host's.
LINUX_HOST_LIBRARIES = {
    "libstdc++.so.6", "libgcc_s.so.1", "libz.so.1", "libexpat.so.1", "libuuid.so.1", "libcom_err.so.2",
    "libfontconfig.so.1", "libfreetype.so.6", "libharfbuzz.so.0", "libfribidi.so.0",
    "libglib-2.0.so.0", "libgobject-2.0.so.0", "libgio-2.0.so.0", "libgmodule-2.0.so.0",
    "libgthread-2.0.so.0", "libgpg-error.so.0", "libp11-kit.so.0", "libgmp.so.10",
    "libX11.so.6", "libxcb.so.1", "libdrm.so.2", "libEGL.so.1", "libGL.so.1", "libGLX.so.0",
    "libGLdispatch.so.0", "libOpenGL.so.0",
}

_PLUGIN = re.compile(r"(?:^|/)plugins/([^/]+)/(?:lib)?([^/.]+)[^/]*$")
_QT_TRANSLATION = re.compile(r"(?:^|/)PySide6/(?:Qt/)?translations/")
_RESOURCE_JUNK = re.compile(r"^resources/(?:.*/)?(?:__pycache__/|[^/]*\.pyc$|\.DS_Store$)")


def keep(dest_name: str, platform: str = sys.platform) -> bool:
    """False for a bundled file the app does not need (a Qt plugin or translation, a host library)."""
    path = dest_name.replace("\\", "/")
    if platform.startswith("linux") and path in LINUX_HOST_LIBRARIES:  # top-level only: not pillow.libs
        return False
    if _QT_TRANSLATION.search(path):
        return False
    if "PySide6/" in path or path.startswith("PySide6"):
        match = _PLUGIN.search(path)
        if match:
            folder, plugin = match.groups()
            if folder not in KEPT_PLUGINS:
                return False
            wanted = KEPT_PLUGINS[folder]
            return wanted is None or plugin in wanted
    return True


def keep_entries(toc):
    return [entry for entry in toc if keep(entry[0])]


_EXTENSION = re.compile(r"(\.pyd|\.abi3\.so|\.cpython-[^/]*\.so)$", re.IGNORECASE)
_SHARED_LIBRARY = re.compile(r"(\.dll|\.so(\.[0-9.]+)?|\.dylib)$", re.IGNORECASE)
_PYTHON_LIBRARY = re.compile(r"^(lib)?python3", re.IGNORECASE)


def _is_prunable_library(dest_name: str) -> bool:
    """A shared library collected only because something else links to it (not a root)."""
    path = dest_name.replace("\\", "/")
    name = path.rsplit("/", 1)[-1]
    return (bool(_SHARED_LIBRARY.search(name)) and not _EXTENSION.search(name) and "/plugins/" not in path
            and not _PYTHON_LIBRARY.match(name) and not path.startswith(CTYPES_LIBRARY_FOLDERS))


# Libraries loaded with ctypes rather than linked: nothing points at them in the link graph.
CTYPES_LIBRARY_FOLDERS = ("pypdfium2_raw/",)


def prune_unreachable_libraries(binaries, get_imports):
    """Drop shared libraries that no kept extension module, plugin or executable links to.

    PyInstaller resolves library dependencies before the spec can drop plugins, so the libraries
    of dropped plugins (GTK for the gtk3 theme, QtQuick/Qml for the virtual keyboard, EGL for
    eglfs) are still in the list. Walk the link graph (`get_imports(path) -> [(name, path)]`,
    PyInstaller's bindepend) from every root and keep only what is reached.
    """
    by_name = {}
    for dest, src, typecode in binaries:
        if typecode != "SYMLINK":
            by_name.setdefault(dest.replace("\\", "/").rsplit("/", 1)[-1].lower(), (dest, src))
    roots = [(dest, src) for dest, src, typecode in binaries
             if typecode != "SYMLINK" and not _is_prunable_library(dest)]
    reached = {dest for dest, _ in roots}
    todo = list(roots)
    while todo:
        _, src = todo.pop()
        try:
            imports = get_imports(src)
        except Exception:  # an unreadable file: keep what it might need rather than guess
            return binaries
        for name, _path in imports:
            hit = by_name.get(name.replace("\\", "/").rsplit("/", 1)[-1].lower())
            if hit and hit[0] not in reached:
                reached.add(hit[0])
                todo.append(hit)
    kept = []
    for dest, src, typecode in binaries:
        if typecode == "SYMLINK":
            target = str(src).replace("\\", "/").rsplit("/", 1)[-1].lower()
            if target in by_name and by_name[target][0] not in reached:
                continue
            kept.append((dest, src, typecode))
        elif dest in reached:
            kept.append((dest, src, typecode))
    return kept


def elf_needed(path) -> list[tuple[str, None]]:
    """The libraries an ELF file links to directly (its DT_NEEDED entries), read with readelf.

    For the Linux walk above: PyInstaller's own get_imports asks ldd, which lists what the host
    libraries left out (glib, freetype, libxcb…) need in turn (pcre2, libmount, libpng…), so
    their dependencies would be bundled without them. Direct links only keep exactly what
    the bundled files load; a host library brings its own dependencies from the host.
    """
    import subprocess

    done = subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True, check=True)
    return [(name, None) for name in _NEEDED.findall(done.stdout)]


_NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]")


def drop_dangling_symlinks(toc, present_dests):
    """SYMLINK entries (in binaries or datas) whose target was dropped would break COLLECT."""
    present = {d.replace("\\", "/") for d in present_dests}
    return [entry for entry in toc
            if entry[2] != "SYMLINK" or str(entry[1]).replace("\\", "/") in present]


def is_resource_junk(dest_name: str) -> bool:
    return bool(_RESOURCE_JUNK.search(dest_name.replace("\\", "/")))


def qtpdf_available() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("PySide6.QtPdf") is not None
    except ImportError:
        return False
