"""Writer process for the kill test: inserts rows forever, printing each committed id.

A line is printed only after COMMIT returned, so every printed id is a write the
app reported as saved.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.paths import AppPaths  # noqa: E402
from core.workspace import open_workspace  # noqa: E402

store = open_workspace(AppPaths(Path(sys.argv[1])))
counter = 0
while True:
    counter += 1
    with store.transaction():
        row_id = store.insert("staff", {"full_name": f"Ghi {sys.argv[2]}-{counter}", "position": "x" * 300,
                                        "active": 1})
        store.update("staff", row_id, {"active": 0})
    sys.stdout.write(row_id + "\n")
    sys.stdout.flush()
