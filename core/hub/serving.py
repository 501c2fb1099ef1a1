"""Running the hub: one process, or several uvicorn worker processes on PostgreSQL; and the
"this hub is being served" lock that `hub migrate-store` checks.

**The serve lock.** `hub serve` holds a *shared* lock on `<data-dir>/serve.lock` for as long as
it runs (flock: the kernel drops it when the process dies, even by SIGKILL, so no stale lock is
ever left behind). Several `hub serve` on one folder still work as before (shared locks do not
exclude each other). `hub migrate-store` takes the lock *exclusively* and without waiting: while a
server holds it the migration is refused, and a server started during a migration is refused.
On Windows (no flock; the hub is deployed on Linux, docs/DEPLOY_HUB.md) the lock is an exclusive
byte-range lock for both, so there one `hub serve` per folder.

**Workers.** On PostgreSQL, `hub serve --workers N` runs N uvicorn worker processes on one
listening socket (uvicorn's supervisor: a worker that dies is restarted). Each worker builds the
app itself from `core.hub.worker_app` (an import string and a factory: uvicorn spawns the
workers, so the app cannot be handed over as an object), with the data folder in an environment
variable. Every guard of core.hub.server applies in every worker, on that worker's own sockets:
header and body timeouts and the 16 KiB header cap are identical; the total connection cap is
divided among the workers so that the machine-wide total stays MAX_CONNECTIONS; the per-address
connection cap and the per-address request rate are counted per worker (one address whose
connections land on several workers can reach up to N times them — behind the reverse proxy,
nginx's `limit_conn`/`limit_req` hold the exact global per-address limits, docs/DEPLOY_HUB.md).
On SQLite, N > 1 is refused: the file has one writer at a time, and more processes would only
queue behind its lock.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

from core.errors import UserInputError

LOCK_FILE = "serve.lock"
MAX_WORKERS = 64

# How the supervisor hands the settings to the workers it spawns (core.hub.worker_app).
ENV_DATA_DIR = "MOTCUA_HUB_WORKER_DATA_DIR"
ENV_WORKERS = "MOTCUA_HUB_WORKERS"
ENV_BEHIND_PROXY = "MOTCUA_HUB_WORKER_BEHIND_PROXY"


class HubBusy(UserInputError):
    """The hub's folder is in use: served while a migration wants it, or migrating while a server wants it."""


def _lock_path(root: Path) -> Path:
    return Path(root) / LOCK_FILE


@contextlib.contextmanager
def _locked(root: Path, exclusive: bool, busy_message: str) -> Iterator[None]:
    path = _lock_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            import fcntl
        except ImportError:  # Windows
            import msvcrt

            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            except OSError as exc:
                raise HubBusy(busy_message) from exc
            try:
                yield
            finally:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            return
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise HubBusy(busy_message) from exc
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def serving_lock(root: Path):
    """Held by `hub serve` for its whole life (shared: several servers may share a folder)."""
    return _locked(root, False, "Thư mục dữ liệu này đang được chuyển sang cơ sở dữ liệu khác "
                                "(hub migrate-store): chờ lệnh đó xong rồi chạy lại máy chủ.")


def exclusive_lock(root: Path):
    """Held by `hub migrate-store`: refused while any `hub serve` runs on the folder."""
    return _locked(root, True, "Máy chủ tỉnh đang chạy trên thư mục dữ liệu này (hub serve). Dừng dịch vụ "
                               "(systemctl stop motcua-hub) rồi chạy lại lệnh chuyển dữ liệu.")


def is_served(root: Path) -> bool:
    try:
        with exclusive_lock(root):
            return False
    except HubBusy:
        return True


def check_workers(workers: int, dialect: str) -> int:
    if workers < 1 or workers > MAX_WORKERS:
        raise UserInputError(f"Số tiến trình (--workers) phải từ 1 đến {MAX_WORKERS}.")
    if workers > 1 and dialect != "postgresql":
        raise UserInputError(
            "Chỉ chạy nhiều tiến trình (--workers lớn hơn 1) khi máy chủ tỉnh dùng PostgreSQL. Cơ sở dữ liệu "
            "SQLite là một tệp chỉ cho một tiến trình ghi tại một thời điểm: chạy với --workers 1, hoặc chuyển "
            "sang PostgreSQL bằng “hub migrate-store --to postgresql://…”.")
    return workers


def serve(paths, host: str, port: int, *, workers: int = 1, dialect: str = "sqlite",
          ssl_certfile: str | None = None, ssl_keyfile: str | None = None, behind_proxy: bool = False,
          log_level: str = "info") -> None:
    """Serve the hub: in this process (workers=1, as before) or with N uvicorn workers (PostgreSQL).
    The caller holds `serving_lock`."""
    import uvicorn

    from core.hub import dashboard
    from core.hub.app import create_app
    from core.hub.server import requests_per_second, uvicorn_config

    check_workers(workers, dialect)
    rate = requests_per_second()  # a wrong MOTCUA_HUB_REQUESTS_PER_SECOND refused here, before any worker starts
    if workers == 1:
        app = create_app(paths, requests_per_second=rate, figures_max_age=dashboard.SERVED_MAX_AGE)
        dashboard.refresh_in_background(paths)  # a hub upgraded in place: every unit's figures, off the page path
        uvicorn.Server(uvicorn_config(app, host, port, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile,
                                      behind_proxy=behind_proxy, log_level=log_level)).run()
        return
    os.environ[ENV_DATA_DIR] = str(paths.root)
    os.environ[ENV_WORKERS] = str(workers)
    os.environ[ENV_BEHIND_PROXY] = "1" if behind_proxy else "0"
    # Once, in the supervisor (not in each worker): every unit's figures, off the page path.
    dashboard.refresh_in_background(paths)
    config = uvicorn_config("core.hub.worker_app:create", host, port, ssl_certfile=ssl_certfile,
                            ssl_keyfile=ssl_keyfile, behind_proxy=behind_proxy, log_level=log_level,
                            http="core.hub.worker_app:GuardedProtocol", factory=True, workers=workers)
    sock = config.bind_socket()
    from uvicorn.supervisors import Multiprocess

    Multiprocess(config, sockets=[sock]).run()
