"""Open the workspace on a plain thread while the window starts.

Opening checks and migrates the database; starting Qt loads large libraries. Done one
after the other they add up at every start; done side by side, the window is painted by
the time the database is ready. The thread only opens; the GUI's database thread takes
the opened Store over (`take()`), and uses it from then on, alone.
"""

from __future__ import annotations

import threading

from core.paths import AppPaths


class WorkspaceOpener:
    def __init__(self, paths: AppPaths):
        self.paths = paths
        self._store = None
        self._error: BaseException | None = None
        self._taken = False
        self._thread = threading.Thread(target=self._run, name="workspace-opener", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            # The quick check first, before importing the rest of the database code: SQLite
            # releases the GIL while it reads every page, so it runs beside the UI thread
            # loading Qt instead of after both (see db/integrity.py).
            if self.paths.db_file.exists() and self.paths.db_file.stat().st_size > 0:
                from db.integrity import check_or_raise

                check_or_raise(self.paths.db_file, quick=True)
            from core.workspace import open_workspace

            self._store = open_workspace(self.paths, check_integrity=False)
        except BaseException as exc:  # handed to whoever takes the result
            self._error = exc

    def take(self):
        """The opened Store (waits for it); raises what opening raised. Only once."""
        if self._taken:
            raise RuntimeError("the workspace was already taken")
        self._taken = True
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._store
