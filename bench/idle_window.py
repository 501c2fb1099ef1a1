"""Child process for the memory budget: the real app on the demo workspace, every page visited, then idle."""

import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402

from core.paths import resolve_paths  # noqa: E402
from ui.app import Startup, make_application  # noqa: E402

paths = resolve_paths(sys.argv[1]).ensure()
app = make_application()
startup = Startup(app, paths, demo_mode=True, smoke=False)
startup.window.resize(1366, 768)
startup.start()
keys = list(startup.window.pages)


def visit(i=0):
    if not startup.ready:
        QTimer.singleShot(200, lambda: visit(i))
        return
    if i < len(keys):
        startup.window.open_page(keys[i])
        QTimer.singleShot(700, lambda: visit(i + 1))
    else:
        startup.window.open_page("overview")
        QTimer.singleShot(2000, app.quit)  # idle a while


QTimer.singleShot(0, visit)
app.exec()
startup.bg.close()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
