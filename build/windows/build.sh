#!/usr/bin/env bash
# The Windows release of Một Cửa Xã, built, tested, installed and started on this Linux machine
# under Wine 8 — with the official python.org Windows CPython, the project's win_amd64 wheels,
# PyInstaller and Inno Setup's compiler. From a checkout (as root on a clean Debian 12 machine):
#
#     bash build/windows/build.sh              everything: exits 0 only if every stage passes
#     bash build/windows/build.sh --no-suite   skip the unit suite under Windows Python
#
# Leaves dist/windows/MotCuaXa/ (MotCuaXa.exe, MotCuaXa-cli.exe), its zips and
# dist/windows/MotCuaXa-Setup-<version>.exe. Stages and their times are printed as they go and
# summed up at the end. Caches (downloads by hash, the Wine prefix with Windows Python and its
# wheels) live in $MOTCUA_WINE_CACHE (default /var/cache/motcua-wine, else ~/.cache/motcua-wine).
# Environment: MOTCUA_WIN_PYTEST_ARGS adds arguments to the unit-suite run (e.g. "-x");
# MOTCUA_TEST_POSTGRES names the PostgreSQL server for the hub's [postgresql] tests (.ci/run sets
# it), else a throwaway cluster is started here for the run.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
RUN_SUITE=1
for arg in "$@"; do
    case $arg in
        --no-suite) RUN_SUITE=0 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "unknown option: $arg" >&2; exit 2 ;;
    esac
done

bash "$HERE/install-deps.sh"
source "$HERE/common.sh"
cd "$REPO"

TIMES=()
STARTED=$(date +%s)
stage_start() { STAGE=$1; STAGE_T0=$(date +%s); step "$STAGE"; }
stage_end() { local s=$(( $(date +%s) - STAGE_T0 )); TIMES+=("$(printf '%5d s  %s' "$s" "$STAGE")"); }
summary() {
    local status=$?
    printf '\n=== Windows pipeline: %s in %d s\n' "$([ $status = 0 ] && echo OK || echo "FAILED at: ${STAGE:-?}")" \
        "$(( $(date +%s) - STARTED ))"
    printf '%s\n' "${TIMES[@]}"
    [ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null
    if [ -n "${PG_DIR:-}" ]; then
        python3 tests/pg_cluster.py stop "$PG_DIR" >/dev/null 2>&1 || true
        rm -rf "$PG_DIR"
    fi
    wineserver -k 2>/dev/null || true
    exit $status
}
trap summary EXIT

stage_start "Wine prefix: Windows Python (hash + signature), Inno Setup, stand-in DLLs"
bash "$HERE/prefix.sh"
stage_end

start_xvfb  # before any other Wine process of this run (common.sh says why)

stage_start "The project's dependencies in Windows Python (win_amd64 wheels, from pyproject.toml)"
# pip inside Windows Python resolves with Windows markers (colorama for pytest, pywin32-ctypes
# for PyInstaller…), which `pip download --platform` from Linux would get wrong. Redone only
# when pyproject.toml or the checkout's place changes.
DEPS_KEY=$( { sha256sum pyproject.toml | cut -c1-64; echo "$REPO"; cat "$WINEPREFIX/motcua-prefix.key"; } | sha256sum | cut -c1-16)
if [ "$(cat "$WINEPREFIX/motcua-deps.key" 2>/dev/null)" != "$DEPS_KEY" ]; then
    PIP_CERT_W=$(winpath /etc/ssl/certs/ca-certificates.crt)
    PYTHONUTF8=1 wpy -m pip install -q --no-warn-script-location --cert "$PIP_CERT_W" -e ".[test,build]"
    echo "$DEPS_KEY" > "$WINEPREFIX/motcua-deps.key"
else
    echo "up to date (key $DEPS_KEY)"
fi
wpy -c "import PySide6.QtCore as c, PyInstaller, sqlite3; print('PySide6', c.qVersion(), '- PyInstaller', PyInstaller.__version__, '- SQLite', sqlite3.sqlite_version)"
stage_end

# Wine drops every QT_* variable on its way to the Windows process: WINEQT_… arrives as QT_….
export WINEQT_QPA_PLATFORM=offscreen

# A second drive letter for the tests that put the data folder on another drive (D: on many
# office PCs): M: is mapped to a fresh folder for each run.
SECOND_DRIVE=$(mktemp -d /tmp/motcua-drive-m.XXXXXX)
ln -sfn "$SECOND_DRIVE" "$WINEPREFIX/dosdevices/m:"
export MOTCUA_TEST_SECOND_DRIVE='M:\'

SUITE_LOG=$DIST-unit-suite.log
if [ "$RUN_SUITE" = 1 ]; then
    # The hub's [postgresql] tests need a server: Windows Python reaches one on this machine over
    # 127.0.0.1 (Wine cannot run the server's own Windows build; what is tested is the hub's code
    # under Windows Python — psycopg's Windows libpq, paths, files — against a real server).
    if [ -z "${MOTCUA_TEST_POSTGRES:-}" ]; then
        PG_DIR=$(mktemp -d -t motcua-win-pg-XXXXXX)
        PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        MOTCUA_TEST_POSTGRES=$(python3 tests/pg_cluster.py start "$PG_DIR" "$PG_PORT")
        export MOTCUA_TEST_POSTGRES
    fi
    echo "PostgreSQL for the hub's tests under Windows Python: $MOTCUA_TEST_POSTGRES"
    # The unit suite runs alongside the build, in two worker processes (pytest-xdist, a test module
    # at a time to whichever worker is free: the hub's modules run twice as long as the rest, so no
    # fixed split stays even); its verdict is awaited before the end. Not in UTF-8 mode: the PC's
    # own code page (cp1252 under Wine), as an office PC's Python would; under a user profile named
    # with Vietnamese letters and spaces (build/windows/run_suite.py), which the workers inherit.
    step "Unit suite under Windows Python (-m 'not slow', 2 workers), in the background → $SUITE_LOG"
    mkdir -p "$(dirname "$SUITE_LOG")"
    # shellcheck disable=SC2086
    ( set +e; t0=$(date +%s)
      env -u PYTHONUTF8 -u PYTHONIOENCODING bash -c 'source "$1"; shift; wpy "$@"' _ "$HERE/common.sh" \
          build/windows/run_suite.py -q -p no:cacheprovider -m "not slow" -n 2 --dist loadfile \
          -o faulthandler_timeout=900 -rfEs --tb=short ${MOTCUA_WIN_PYTEST_ARGS:-}
      status=$?
      echo "suite-seconds $(( $(date +%s) - t0 ))"
      exit $status ) > "$SUITE_LOG" 2>&1 &
    SUITE_PID=$!
fi

stage_start "PyInstaller build (build/build.py) → dist/windows/MotCuaXa"
rm -rf "$DIST"
mkdir -p "$DIST"
wpy build/build.py --dist "$(winpath "$DIST")" --work "$(winpath "$MOTCUA_WINE_CACHE/pyinstaller-work")"
test -f "$DIST/MotCuaXa/MotCuaXa.exe" && test -f "$DIST/MotCuaXa/MotCuaXa-cli.exe"
stage_end

stage_start "Frozen-app checks (tests/build/test_frozen_app.py) on the .exe's"
MOTCUA_FROZEN_DIR=$(winpath "$DIST/MotCuaXa") wpy -m pytest -q -p no:cacheprovider -m slow -rs tests/build/test_frozen_app.py
stage_end

VERSION=$(wpy -c "import core; print(core.__version__)" | tr -d '\r')
SETUP="$DIST/MotCuaXa-Setup-$VERSION.exe"
stage_start "Inno Setup installer with the project's Vietnamese messages → $(basename "$SETUP")"
ISCC_LOG=$(mktemp)
wine_run "$WIN_ISCC" "/DAppVersion=$VERSION" "/DVietnameseIsl=$(winpath "$REPO/build/windows/Vietnamese.isl")" \
    "/DAppFolder=$(winpath "$DIST/MotCuaXa")" "/O$(winpath "$DIST")" "$(winpath "$REPO/build/installer.iss")" \
    2>&1 | tee "$ISCC_LOG" | grep -v -E '^(   |Compressing|Updating|Reading file|Preprocessing|Parsing|Creating|Deleting)' || true
[ -f "$SETUP" ] || die "ISCC did not produce $SETUP"
# A message missing from Vietnamese.isl would be shown in English: refuse it.
if grep -i -E "missing|not translated|Warning" "$ISCC_LOG" | grep -i -E "message|\.isl"; then
    die "Vietnamese.isl lacks messages this Inno Setup defines (see above)"
fi
rm -f "$ISCC_LOG"
ls -la "$SETUP"
stage_end

stage_start "Silent install → provision.json → init / check / parse-directive → --smoke on Xvfb → uninstall"
bash "$HERE/install-test.sh" "$SETUP"
stage_end

if [ "$RUN_SUITE" = 1 ]; then
    stage_start "Unit suite under Windows Python: its verdict"
    if wait "$SUITE_PID"; then suite_ok=1; else suite_ok=0; fi
    grep -a -v -E '^[.sFExX]+ +\[ *[0-9]+%\]$' "$SUITE_LOG" | grep -a -v '^wine: ' | tail -n 80
    TIMES+=("$(printf '%5s s  %s' "$(awk '/^suite-seconds/ {print $2}' "$SUITE_LOG")" "  (unit suite, 2 workers, alongside the stages above)")")
    [ "$suite_ok" = 1 ] || die "the unit suite failed under Windows Python (full log: $SUITE_LOG)"
    stage_end
fi
