"""Test helpers for sync: communes in temp folders, a hub folder, a real uvicorn hub on 127.0.0.1."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from core.clock import utc_iso
from core.hub import store as hubstore
from core.hub.app import create_app
from core.paths import AppPaths
from core.sync import identity
from core.workspace import add_staff, initialise, open_workspace
from db.store import Store


@dataclass
class Commune:
    code: str
    paths: AppPaths
    store: Store

    @property
    def public_key(self) -> str:
        return identity.describe(self.store, self.paths)["public_key"]

    def close(self) -> None:
        self.store.close()


@dataclass
class Hub:
    paths: hubstore.HubPaths
    province_key: str

    def store(self) -> Store:
        return hubstore.open_hub(self.paths)

    def register(self, commune: Commune) -> None:
        with self.store() as s:
            hubstore.register_unit(s, commune.code, commune.public_key)

    def snapshot(self) -> tuple:
        """Everything that counts as the hub's data (rejections are a log, not data)."""
        with self.store() as s:
            rows = s.query("SELECT table_name, row_id, unit, seq, state FROM rows ORDER BY table_name, row_id")
            bundles = s.query("SELECT bundle_id, unit, seq_from, seq_to FROM bundles ORDER BY bundle_id")
        files = sorted(str(p.relative_to(self.paths.root)) for p in self.paths.bundles_dir.rglob("*") if p.is_file())
        return rows, bundles, files


def make_hub(root: Path, database: str | None = None) -> Hub:
    """A hub in `root`: on the store `database` names ("" SQLite, a postgresql:// URL), by default the
    test's (tests/conftest.py's hub_database sets MOTCUA_HUB_DATABASE)."""
    paths = hubstore.HubPaths(root)
    pair = hubstore.init_hub(paths, database)
    return Hub(paths, pair.public_text)


def make_commune(root: Path, code: str, hub: Hub | None = None, *, hub_url: str | None = None,
                 staff: int = 2) -> Commune:
    paths = AppPaths(root).ensure()
    store = open_workspace(paths)
    initialise(store, code, [f"Cán bộ {code} số {i}" for i in range(staff)])
    identity.configure(store, paths, hub=hub_url, province_key_text=hub.province_key if hub else None)
    commune = Commune(code, paths, store)
    if hub is not None:
        hub.register(commune)
    return commune


def add_rows(commune: Commune, n: int, prefix: str = "Người") -> list[str]:
    return [add_staff(commune.store, f"{prefix} {uuid.uuid4().hex[:8]} {i}") for i in range(n)]


def province_target_row(indicator: str = "digitised_components", target: float = 0.9) -> dict:
    now = utc_iso()
    return {"id": str(uuid.uuid4()), "created_at": now, "updated_at": now, "deleted_at": None,
            "origin": "province", "created_by": None, "updated_by": None, "indicator": indicator,
            "effective_from": "2026-01-01", "target": target, "amber_margin": 0.1, "source": "Công văn 12/SKHCN"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_hub(hub: Hub, **app_kwargs):
    """A real uvicorn server in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(hub.paths, **app_kwargs), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("hub did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
