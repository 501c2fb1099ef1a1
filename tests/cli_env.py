"""The environment the command-line tests give the program: scrubbed, as on a bare PC.

Windows cannot start a process usefully without some variables (SYSTEMROOT for sockets and
the random source, TEMP, the user's folders): those are kept there. The program's piped output
is UTF-8 on every platform (core/console.py, and UTF-8 mode here), so read it as UTF-8.
"""

from __future__ import annotations

import os
import sys

# The hub's store chosen by the test run (tests/conftest.py's hub_database, tests/pg_cluster.py) and
# PostgreSQL's own password variables: a CLI started by a test must reach the same database.
HUB_STORE_VARIABLES = ("MOTCUA_HUB_DATABASE", "MOTCUA_TEST_POSTGRES", "PGPASSWORD", "PGPASSFILE")
WINDOWS_ESSENTIALS = ("SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "TEMP", "TMP", "COMSPEC", "PATHEXT",
                      "USERPROFILE", "LOCALAPPDATA", "APPDATA", "PATH")


def scrubbed_env(**extra: str) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONUTF8": "1", "QT_QPA_PLATFORM": "offscreen"}
    if sys.platform == "win32":
        env.update({name: os.environ[name] for name in WINDOWS_ESSENTIALS if name in os.environ})
    env.update({name: os.environ[name] for name in HUB_STORE_VARIABLES if name in os.environ})
    env.update(extra)
    return env
