"""Run the unit suite under Windows Python as an office PC would see it (build/windows/build.sh).

Wine sets the user-profile variables itself (C:\\users\\<unix user>), so they are changed here,
in the process, before pytest starts: the profile, its AppData and its temporary folder get a
name with Vietnamese letters and spaces, as on PCs set up with the staff member's full name —
every test's temporary files, data folders and child processes then live under it.
Usage (Windows Python): python build/windows/run_suite.py [pytest arguments…]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROFILE_NAME = "Cán bộ Một Cửa"


def use_vietnamese_profile() -> Path:
    users = Path(os.environ.get("USERPROFILE", r"C:\users\default")).parent
    profile = users / PROFILE_NAME
    local, roaming = profile / "AppData" / "Local", profile / "AppData" / "Roaming"
    temp = local / "Temp"
    for folder in (temp, roaming):
        folder.mkdir(parents=True, exist_ok=True)
    os.environ.update(USERPROFILE=str(profile), HOMEPATH=str(profile)[2:], LOCALAPPDATA=str(local),
                      APPDATA=str(roaming), TEMP=str(temp), TMP=str(temp))
    return profile


def main() -> int:
    # The report itself (test names, Vietnamese assertion messages) goes to a pipe read as UTF-8;
    # the tests' own streams are pytest's captures, and child processes keep the code page.
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    profile = use_vietnamese_profile()
    import tempfile

    tempfile.tempdir = None  # computed again from TEMP
    print(f"user profile: {profile} · temporary files: {tempfile.gettempdir()}", flush=True)
    import pytest

    return pytest.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
