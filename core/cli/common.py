"""Helpers shared by sub-commands: opening the workspace, printing JSON."""

from __future__ import annotations

import json
import sys
from typing import Any

from core.logging_setup import setup_logging
from core.paths import AppPaths, resolve_paths
from core.workspace import open_workspace
from db.store import Store


def paths_for(args) -> AppPaths:
    return resolve_paths(getattr(args, "data_dir", None), demo=bool(getattr(args, "demo", False)))


def open_store(args) -> tuple[AppPaths, Store]:
    paths = paths_for(args).ensure()
    setup_logging(paths.logs_dir)
    return paths, open_workspace(paths)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()
