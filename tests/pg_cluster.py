"""A throwaway PostgreSQL cluster for the hub's tests on its PostgreSQL store.

Where the tests find a server:
1. `MOTCUA_TEST_POSTGRES` (a postgresql:// URL of a superuser on a scratch server): `.ci/run` starts
   one (initdb in a temporary folder, its own port and socket) and exports it;
2. otherwise, when Debian's PostgreSQL binaries are on this machine, a cluster started here for the
   test session (initdb into a temporary folder, run as the `postgres` user when the tests run as
   root — PostgreSQL refuses to run as root), stopped and removed at the end;
3. otherwise the PostgreSQL half of the hub's tests is skipped, with the reason.

Each test gets its own database (`fresh_database()`), made from an empty template in a few
milliseconds and dropped afterwards, so tests never see each other's rows.

    python tests/pg_cluster.py start DIR PORT   # prints the URL; used by .ci/run
    python tests/pg_cluster.py stop DIR
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ENV = "MOTCUA_TEST_POSTGRES"


def binaries() -> Path | None:
    """Debian's server binaries. Not under Windows, where /usr/lib/… would name the Linux files of
    Wine's Z: drive, which a Windows process cannot start (set MOTCUA_TEST_POSTGRES there)."""
    if os.name != "posix":
        return None
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists() and Path(candidate, "pg_ctl").exists():
            return Path(candidate)
    return None


def _as_postgres_user(argv: list[str]) -> list[str]:
    if os.name == "posix" and os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + argv
    return argv


def start(folder: Path, port: int) -> str:
    """initdb + pg_ctl start in `folder` (socket there too, listening on 127.0.0.1:port); the URL."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)")
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    if os.name == "posix" and os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    if not (data / "PG_VERSION").exists():
        subprocess.run(_as_postgres_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                                          "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
                       check=True, stdout=subprocess.DEVNULL)
    # Throwaway: no fsync (tests prove the hub's transactions, not this disk's), small memory.
    options = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} "
               "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB "
               "-c max_connections=200")
    subprocess.run(_as_postgres_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"),
                                      "-o", options, "-w", "-t", "60", "start"]),
                   check=True, stdout=subprocess.DEVNULL)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def stop(folder: Path) -> None:
    bin_dir = binaries()
    if bin_dir is not None and (folder / "data" / "postmaster.pid").exists():
        subprocess.run(_as_postgres_user([str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast",
                                          "-w", "stop"]), stdout=subprocess.DEVNULL, check=False)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_server_url: str | None = None
_skip_reason: str | None = None


def server_url() -> str | None:
    """The scratch server's superuser URL, starting a session cluster if needed; None (with
    `skip_reason()`) when there is no PostgreSQL here."""
    global _server_url, _skip_reason
    if _server_url or _skip_reason:
        return _server_url
    if os.environ.get(ENV):
        _server_url = os.environ[ENV]
        return _server_url
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _skip_reason = "psycopg is not installed (pip install -e '.[test]')"
        return None
    if binaries() is None:
        _skip_reason = f"no PostgreSQL server: set {ENV} or install Debian's postgresql"
        return None
    folder = Path(tempfile.mkdtemp(prefix="motcua-pg-"))
    try:
        _server_url = start(folder, _free_port())
    except (subprocess.CalledProcessError, OSError) as exc:
        _skip_reason = f"could not start a throwaway PostgreSQL cluster: {exc}"
        return None
    atexit.register(lambda: (stop(folder), shutil.rmtree(folder, ignore_errors=True)))
    os.environ[ENV] = _server_url  # subprocesses (the CLI, a hub server) reach the same cluster
    return _server_url


def skip_reason() -> str | None:
    return _skip_reason


def _with_database(url: str, name: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts._replace(path=f"/{name}").geturl()


def fresh_database() -> str:
    """A new empty database on the scratch server; its URL. Dropped by `drop_database`."""
    import psycopg

    url = server_url()
    assert url, skip_reason()
    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
    return _with_database(url, name)


def drop_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = server_url()
    for _ in range(50):
        try:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.errors.ObjectInUse:
            time.sleep(0.1)


if __name__ == "__main__":
    command, folder = sys.argv[1], Path(sys.argv[2])
    if command == "start":
        print(start(folder, int(sys.argv[3])))
    elif command == "stop":
        stop(folder)
    else:
        sys.exit(f"unknown command {command}")
