#!/usr/bin/env bash
# Install test of the Windows setup program under Wine, as staff would meet it:
#   silent per-user install with the province's provision.json beside the setup .exe
#   → MotCuaXa-cli.exe init (Vietnamese name, console output piped in the PC's code page)
#   → check → parse-directive --json → MotCuaXa.exe --smoke on a real X display (Xvfb)
#   → silent uninstall: the program is gone, the commune's data is kept.
# Usage: bash build/windows/install-test.sh dist/windows/MotCuaXa-Setup-<version>.exe
set -euo pipefail
source "$(dirname "$0")/common.sh"
SETUP=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -f "$SETUP" ] || die "no setup program $1"

WUSER=$(wine_run cmd /c 'echo %USERNAME%' | tr -d '\r')
LOCAL=$WINEPREFIX/drive_c/users/$WUSER/AppData/Local
LOCAL_W='C:\users\'"$WUSER"'\AppData\Local'
APP=$LOCAL/Programs/MotCuaXa
APP_W=$LOCAL_W'\Programs\MotCuaXa'
DATA=$LOCAL/motcua-xa
WORK=$(mktemp -d)
fail() { echo "install test FAILED: $*" >&2; exit 1; }
wait_gone() { local i; for i in $(seq "$2"); do [ -e "$1" ] || return 0; sleep 1; done; return 1; }
cleanup() {
    [ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# A real X server for the installer and the windowed app: build.sh's, or our own when run alone.
if [ -z "${DISPLAY:-}" ] || ! [ -e "/tmp/.X11-unix/X${DISPLAY#:}" ]; then
    start_xvfb
fi

# The prefix is cached: start from a PC that never had the app (a failed earlier run may have
# left a half install or data behind).
if [ -f "$APP/unins000.exe" ]; then
    wine_run "$APP_W\\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART || true
    wait_gone "$APP/unins000.exe" 120 || true
fi
rm -rf "$APP" "$DATA"

unset WINEQT_QPA_PLATFORM  # Qt's real 'windows' platform this time

# The province's setup file travels beside the setup program.
cp "$SETUP" "$WORK/"
printf '{"hub_url": "https://dongbo.quangngai.example"}' > "$WORK/provision.json"
echo "installing $(basename "$SETUP") silently for the current user"
# The released setup program, no options but silence: its default folder is {autopf}\MotCuaXa,
# which Wine 8 cannot expand (no FOLDERID_UserProgramFiles); the script then falls back to the
# folder {autopf} names on Windows, %LOCALAPPDATA%\Programs\MotCuaXa (installer.iss, [Code]).
wine_run "$(winpath "$WORK/$(basename "$SETUP")")" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART \
    "/LOG=$(winpath "$WORK/setup.log")" || { cat "$WORK/setup.log" 2>/dev/null; fail "setup exited with an error"; }
grep -a "Dest filename: .*MotCuaXa.exe" "$WORK/setup.log" || true
[ -f "$APP/MotCuaXa.exe" ] && [ -f "$APP/MotCuaXa-cli.exe" ] || { cat "$WORK/setup.log"; fail "not installed in $APP"; }
[ -f "$APP/provision.json" ] || fail "provision.json was not copied beside the executable"
[ -f "$APP/unins000.exe" ] || fail "no uninstaller"

echo "MotCuaXa-cli.exe init (output piped: the PC's code page, not UTF-8)"
# No PYTHONUTF8/PYTHONIOENCODING help: the frozen app must manage on its own.
OUT=$(env -u PYTHONUTF8 -u PYTHONIOENCODING bash -c 'source "$1"; wine_run "$2" init --unit 21484 --staff "Trần Văn Đức" "Nguyễn Thị Hồng Nhung"' _ \
      "$(dirname "$0")/common.sh" "$APP_W\\MotCuaXa-cli.exe") || { echo "$OUT"; fail "init failed"; }
echo "$OUT"
grep -q "Xã Ba Tơ (mã 21484)" <<<"$OUT" || fail "init did not print the unit in Vietnamese"
grep -q "đã điền địa chỉ máy chủ tỉnh" <<<"$OUT" || fail "init did not apply provision.json"

echo "MotCuaXa-cli.exe check"
OUT=$(wine_run "$APP_W\\MotCuaXa-cli.exe" check) || { echo "$OUT"; fail "check failed"; }
echo "$OUT"
grep -q "Cơ sở dữ liệu tốt" <<<"$OUT" || fail "check did not report a good database"

echo "MotCuaXa-cli.exe parse-directive --json (a directive with CRLF line ends, as Word's text export)"
printf '%s\r\n' "ỦY BAN NHÂN DÂN" "TỈNH QUẢNG NGÃI" "Số: 12/UBND-KGVX" "Quảng Ngãi, ngày 05 tháng 3 năm 2025" \
    "V/v triển khai số hóa hồ sơ thủ tục hành chính" \
    "1. UBND các xã, phường số hóa hồ sơ tiếp nhận trước ngày 30/6/2025." \
    "2. Báo cáo kết quả về Sở Nội vụ trước ngày 15/7/2025." > "$WORK/chỉ đạo.txt"
OUT=$(bash "$(dirname "$0")/wine.sh" "$APP/MotCuaXa-cli.exe" parse-directive "$WORK/chỉ đạo.txt" --json) \
    || { echo "$OUT"; fail "parse-directive failed"; }
python3 - "$OUT" <<'PY' || fail "parse-directive --json did not give the directive and its tasks"
import json, sys
result = json.loads(sys.argv[1])
assert result["document"]["number"].startswith("12"), result["document"]
assert len(result["tasks"]) >= 2, result["tasks"]
assert not any("\r" in json.dumps(t, ensure_ascii=False) for t in result["tasks"]), "CR left in a task"
print("parse-directive:", result["document"]["number"], "·", len(result["tasks"]), "tasks")
PY

echo "MotCuaXa.exe --smoke on Xvfb (the 'windows' Qt platform)"
wine_run "$APP_W\\MotCuaXa.exe" --smoke || fail "MotCuaXa.exe --smoke failed"
[ -f "$DATA/motcua.sqlite3" ] || fail "no database in $DATA"
if grep -q -E "ERROR|Traceback" "$DATA/logs/motcua.log"; then
    tail -30 "$DATA/logs/motcua.log"; fail "errors in the app's log"
fi

echo "uninstalling silently"
wine_run "$APP_W\\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART || fail "uninstaller exited with an error"
# unins000.exe hands over to a copy of itself in the temporary folder and returns at once: wait
# for the copy's work (not with wineserver -w, which would also wait for the unit suite).
wait_gone "$APP/unins000.exe" 180 || fail "the uninstaller did not finish"
[ ! -e "$APP/MotCuaXa.exe" ] || fail "uninstall left the program"
[ -f "$DATA/motcua.sqlite3" ] || fail "uninstall removed the commune's data"
echo "install → init → check → parse-directive → smoke → uninstall (data kept): OK"
