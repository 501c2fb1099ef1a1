"""The hub on PostgreSQL: `hub init --database`, hub.json, the schema's numbered migrations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import DatabaseError, UserInputError
from core.hub import config as hubconfig
from core.hub import pg_schema
from core.hub import store as hubstore
from core.hub.database import HubDatabaseUnavailable, PostgresHubDatabase
from tests import pg_cluster
from tests.cli_env import scrubbed_env

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def pg_url():
    if pg_cluster.server_url() is None:
        pytest.skip(pg_cluster.skip_reason())
    url = pg_cluster.fresh_database()
    yield url
    pg_cluster.drop_database(url)


def cli(*args, data_dir, **env):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args, "--data-dir", str(data_dir)],
                          capture_output=True, encoding="utf-8", cwd=ROOT, timeout=120,
                          env=scrubbed_env(PYTHONPATH=str(ROOT), **env))


def _columns(db) -> dict[str, set[str]]:
    if db.dialect == "sqlite":
        tables = [r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table' "
                                              "AND name NOT LIKE 'sqlite_%'")]
        return {t: {r["name"] for r in db.query(f"PRAGMA table_info([{t}])")} for t in tables}
    out: dict[str, set[str]] = {}
    for r in db.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"):
        out.setdefault(r["table_name"], set()).add(r["column_name"])
    out.pop("hub_schema_migrations", None)
    return out


def test_init_on_postgres_creates_every_table_of_the_sqlite_hub(tmp_path, pg_url):
    sqlite_paths, pg_paths = hubstore.HubPaths(tmp_path / "a"), hubstore.HubPaths(tmp_path / "b")
    hubstore.init_hub(sqlite_paths, database="")
    hubstore.init_hub(pg_paths, database=pg_url)
    assert not pg_paths.db_file.exists() and pg_paths.is_initialised()
    assert json.loads(pg_paths.config_file.read_text())["database"] == pg_url
    with hubstore.open_hub(sqlite_paths) as lite, hubstore.open_hub(pg_paths) as pg:
        assert (lite.dialect, pg.dialect) == ("sqlite", "postgresql")
        assert _columns(pg) == _columns(lite)  # the same tables, column for column
        assert pg.scalar("SELECT count(*) FROM hub_meta WHERE key IN ('created_at', 'schema_version', 'hub_id')") == 3
        # An identity keeps the insertion order where SQLite had only its rowid.
        for fp in ("B", "A"):
            pg.conn.execute("INSERT INTO device_keys (fingerprint, unit, public_key, registered_at) "
                            "VALUES (?, '21484', 'k', 'same')", (fp,))
            lite.conn.execute("INSERT INTO device_keys (fingerprint, unit, public_key, registered_at) "
                              "VALUES (?, '21484', 'k', 'same')", (fp,))
        order = "SELECT fingerprint FROM device_keys ORDER BY registered_at, id"
        assert [r["fingerprint"] for r in pg.query(order)] == [r["fingerprint"] for r in lite.query(order)] == ["B", "A"]
    hubstore.init_hub(pg_paths)  # again: idempotent
    with hubstore.open_hub(pg_paths) as pg:
        assert pg.scalar("SELECT count(*) FROM hub_meta WHERE key = 'created_at'") == 1
        assert pg.scalar("SELECT max(version) FROM hub_schema_migrations") == pg_schema.latest_version()


def test_hub_init_cli_with_database_and_from_the_environment(tmp_path, pg_url):
    result = cli("hub", "init", "--database", pg_url, data_dir=tmp_path / "hub")
    assert result.returncode == 0, result.stderr
    assert "PostgreSQL" in result.stdout and "Khóa công khai của tỉnh" in result.stdout
    assert not (tmp_path / "hub" / hubstore.HUB_DB).exists()
    status = cli("hub", "status", "--json", data_dir=tmp_path / "hub")
    assert status.returncode == 0 and json.loads(status.stdout) == {"units": []}, status.stderr
    # MOTCUA_HUB_DATABASE when --database is absent; a second data dir cannot take a database in use.
    other = pg_cluster.fresh_database()
    try:
        env_init = cli("hub", "init", data_dir=tmp_path / "env", MOTCUA_HUB_DATABASE=other)
        assert env_init.returncode == 0, env_init.stderr
        assert hubstore.HubPaths(tmp_path / "env").config().database == other
    finally:
        pg_cluster.drop_database(other)


def test_hub_init_refuses_a_password_in_the_url_and_creates_nothing(tmp_path):
    url = "postgresql://motcua:bi-mat@127.0.0.1:5432/hub"
    result = cli("hub", "init", "--database", url, data_dir=tmp_path / "hub")
    assert result.returncode == 2
    assert "Không ghi mật khẩu" in result.stderr and "Traceback" not in result.stderr
    assert "bi-mat" not in result.stderr + result.stdout
    assert not (tmp_path / "hub").exists()
    with pytest.raises(UserInputError):
        hubstore.init_hub(hubstore.HubPaths(tmp_path / "hub"), database=url)
    assert not (tmp_path / "hub").exists()


def test_hub_init_with_an_unreachable_server_says_so_and_creates_nothing(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = cli("hub", "init", "--database", f"postgresql://motcua@127.0.0.1:{port}/hub", data_dir=tmp_path / "hub")
    assert result.returncode == DatabaseError.exit_code, result.stderr
    assert "Không kết nối được cơ sở dữ liệu PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "hub").exists()
    with pytest.raises(HubDatabaseUnavailable):
        hubstore.init_hub(hubstore.HubPaths(tmp_path / "hub"), database=f"postgresql://motcua@127.0.0.1:{port}/hub")
    assert not (tmp_path / "hub").exists()


def test_a_database_serves_one_hub(tmp_path, pg_url):
    first, second = hubstore.HubPaths(tmp_path / "a"), hubstore.HubPaths(tmp_path / "b")
    hubstore.init_hub(first, database=pg_url)
    with hubstore.open_hub(first) as db:
        db.conn.execute("INSERT INTO units(code, public_key, fingerprint, registered_at) VALUES ('21484', 'k', 'f', 'x')")
    with pytest.raises(UserInputError, match="máy chủ tỉnh khác"):
        hubstore.init_hub(second, database=pg_url)
    assert not second.config_file.exists()
    # hub.json pointed at another hub's database: refused when it opens, not mixed.
    other, other_url = hubstore.HubPaths(tmp_path / "c"), pg_cluster.fresh_database()
    hubstore.init_hub(other, database=other_url)
    try:
        hubconfig.write_config(other.root, hubconfig.HubConfig("postgresql", pg_url, other.config().hub_id))
        with pytest.raises(DatabaseError, match="không phải của máy chủ tỉnh này"):
            hubstore.open_hub(other)
    finally:
        pg_cluster.drop_database(other_url)


def test_an_existing_sqlite_hub_is_not_switched_by_init(tmp_path, pg_url):
    paths = hubstore.HubPaths(tmp_path / "hub")
    hubstore.init_hub(paths, database="")
    with pytest.raises(UserInputError, match="migrate-store"):
        hubstore.init_hub(paths, database=pg_url)
    assert not paths.config_file.exists()


def test_a_hub_made_at_the_previous_migration_gains_the_newest(tmp_path, pg_url, monkeypatch):
    """In-place upgrade: a database at migration N-1 opened by a version that knows N."""
    newest = [["ALTER TABLE units ADD COLUMN note TEXT"],
              ["CREATE TABLE hub_probe (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v TEXT)"]]
    older = list(pg_schema.MIGRATIONS) + newest[:1]
    monkeypatch.setattr(pg_schema, "MIGRATIONS", older)
    paths = hubstore.HubPaths(tmp_path / "hub")
    hubstore.init_hub(paths, database=pg_url)
    with hubstore.open_hub(paths) as db:
        db.conn.execute("INSERT INTO units(code, public_key, fingerprint, registered_at, note) "
                        "VALUES ('21484', 'k', 'f', 'x', 'kept')")
        assert pg_schema.current_version(db) == len(older)
    monkeypatch.setattr(pg_schema, "MIGRATIONS", older + newest[1:])
    with hubstore.open_hub(paths) as db:
        assert pg_schema.current_version(db) == len(older) + 1
        assert db.scalar("SELECT note FROM units WHERE code = '21484'") == "kept"
        db.conn.execute("INSERT INTO hub_probe(v) VALUES ('x')")
        assert db.scalar("SELECT count(*) FROM hub_schema_migrations") == len(older) + 1
    # A database migrated further than this version knows is refused, not written to.
    monkeypatch.setattr(pg_schema, "MIGRATIONS", older[:-1])
    with pytest.raises(DatabaseError, match="phiên bản mới hơn"):
        hubstore.open_hub(paths)


def test_a_failing_migration_leaves_the_database_as_it_was(pg_url):
    broken = list(pg_schema.MIGRATIONS) + [["CREATE TABLE half_done (x TEXT)", "THIS IS NOT SQL"]]
    with PostgresHubDatabase(pg_url) as db:
        pg_schema.migrate(db)
        with pytest.raises(Exception):
            pg_schema.migrate(db, broken)
        assert pg_schema.current_version(db) == pg_schema.latest_version()
        assert db.scalar("SELECT to_regclass('half_done') IS NULL")


def test_concurrent_first_opens_migrate_once(pg_url):
    """Several workers starting at once on an empty database: the advisory lock lets one migrate."""
    import threading

    errors: list[BaseException] = []

    def worker():
        try:
            with PostgresHubDatabase(pg_url) as db:
                pg_schema.migrate(db)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with PostgresHubDatabase(pg_url) as db:
        assert db.scalar("SELECT count(*) FROM hub_schema_migrations") == pg_schema.latest_version()
