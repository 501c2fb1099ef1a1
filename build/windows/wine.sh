#!/usr/bin/env bash
# Run a Windows program in the pipeline's Wine prefix, its output piped (stdout to stdout,
# stderr to stderr), its exit status returned:
#     bash build/windows/wine.sh dist/windows/MotCuaXa/MotCuaXa-cli.exe parse-directive FILE --json
#     bash build/windows/wine.sh python -m pytest …      ("python": the prefix's Windows CPython)
# Arguments that are existing absolute Unix paths are given as Windows paths (Z:\…); relative
# ones work as they are (Wine maps the current folder). Without DISPLAY, Qt runs offscreen.
# The prefix comes from build/windows/build.sh (or prefix.sh).
set -euo pipefail
source "$(dirname "$0")/common.sh"
[ $# -ge 1 ] || { sed -n '2,9p' "$0"; exit 2; }
[ -f "$WINEPREFIX/motcua-prefix.key" ] || die "no Wine prefix at $WINEPREFIX: run bash build/windows/build.sh (or prefix.sh) first"

program=$1; shift
if [ "$program" = python ]; then
    program=$WIN_PY
elif [ -e "$program" ]; then
    program=$(winpath "$(cd "$(dirname "$program")" && pwd)/$(basename "$program")")
fi
args=()
for arg in "$@"; do
    if [[ $arg == /* ]] && [ -e "$arg" ]; then
        args+=("$(winpath "$arg")")
    else
        args+=("$arg")
    fi
done
if [ -z "${DISPLAY:-}" ]; then
    export WINEQT_QPA_PLATFORM=${WINEQT_QPA_PLATFORM:-offscreen}
fi
wine_run "$program" "${args[@]}"
