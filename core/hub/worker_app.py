"""What each worker process of `hub serve --workers N` imports (core.hub.serving).

uvicorn spawns the workers and rebuilds the app in each from an import string, so the settings
come from the environment the supervisor set: the data folder, the number of workers (for the
connection guard's share, core.hub.server.worker_guard) and whether the hub is behind a proxy.
"""

from __future__ import annotations

import os

from core.hub import serving
from core.hub.server import guarded_protocol, worker_guard

# This worker's own connection guard (its counts are this process's sockets).
GuardedProtocol = guarded_protocol(worker_guard(int(os.environ.get(serving.ENV_WORKERS, "1")),
                                                behind_proxy=os.environ.get(serving.ENV_BEHIND_PROXY) == "1"))


def create():
    """The app of one worker: the same as a single-process hub's, with the per-address request rate."""
    from core.hub import dashboard
    from core.hub.app import create_app
    from core.hub.server import requests_per_second
    from core.hub.store import hub_paths

    return create_app(hub_paths(os.environ[serving.ENV_DATA_DIR]), requests_per_second=requests_per_second(),
                      figures_max_age=dashboard.SERVED_MAX_AGE)
