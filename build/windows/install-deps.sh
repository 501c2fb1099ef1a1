#!/usr/bin/env bash
# The Debian packages the Windows pipeline needs, installed on a clean Debian 12 machine (root).
# Wine 8.0 64 + 32 bit (after adding the i386 architecture), Xvfb, mingw-w64, osslsigncode, npm.
# Does nothing when everything is already there.
set -euo pipefail
source "$(dirname "$0")/common.sh"

# A package counts as present when dpkg has it or, for the tools, when the command is there
# (npm, for one, often comes with a nodejs package from elsewhere and would conflict).
declare -A COMMAND_OF=([wine]=wine [wine64]=wine64 [xvfb]=Xvfb [xauth]=xauth [npm]=npm [unzip]=unzip
                       [gcc-mingw-w64-x86-64-win32]=x86_64-w64-mingw32-gcc [osslsigncode]=osslsigncode)
missing=""
for pkg in $APT_PACKAGES $APT_I386; do
    command=${COMMAND_OF[$pkg]:-}
    if [ -n "$command" ] && command -v "$command" >/dev/null 2>&1; then
        continue
    fi
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -z "$missing" ]; then
    exit 0
fi
echo "Installing Debian packages:$missing"
[ "$(id -u)" = 0 ] || die "installing$missing needs root (apt-get)"
if ! dpkg --print-foreign-architectures | grep -qx i386; then
    dpkg --add-architecture i386
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# wine32:i386 in the same transaction as wine64: the prefix must be created only once it is
# there, so one prefix runs both the 64-bit app and the 32-bit Inno Setup compiler.
apt-get install -y -qq --no-install-recommends $missing >/dev/null
wine --version
