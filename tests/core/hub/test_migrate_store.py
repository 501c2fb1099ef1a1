"""hub migrate-store: an SQLite province hub, fed with real bundles, moved to PostgreSQL — verified,
resumable after an injected failure and after SIGKILL, refused when it must be, and a tampered
target row caught by the verification (with the negative checks that show each protection works)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.errors import UserInputError
from core.hub import accounts, ingest, migrate_store, province, serving
from core.hub import store as hubstore
from core.hub.config import DATABASE_ENV
from core.hub.database import PostgresHubDatabase
from core.sync import outbox
from tests import pg_cluster
from tests.cli_env import scrubbed_env
from tests.core.sync import harness

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def pg_url(monkeypatch):
    monkeypatch.delenv(DATABASE_ENV, raising=False)  # the hub under test is an SQLite hub
    if pg_cluster.server_url() is None:
        pytest.skip(pg_cluster.skip_reason())
    url = pg_cluster.fresh_database()
    yield url
    pg_cluster.drop_database(url)


@pytest.fixture(scope="module")
def fed_hub(tmp_path_factory):
    """An SQLite hub that lived: two communes' years of demo data applied from their real signed
    bundles, a later edit, a directive sent down, a refused bundle, a staff account. Copied per test."""
    from core import demo

    old = os.environ.pop(DATABASE_ENV, None)
    try:
        root = tmp_path_factory.mktemp("fed")
        hub = harness.make_hub(root / "hub")
        communes = [harness.make_commune(root / code, code, hub) for code in ("21484", "21025")]
        for seed, commune in enumerate(communes):
            demo.fill(commune.store, seed=seed + 1)
        with hub.store() as s:
            for commune in communes:
                cut = outbox.cut_bundle(commune.store, commune.paths)
                assert ingest.ingest_bytes(hub.paths, s, cut.path.read_bytes(), via="usb").status == "applied"
            harness.add_rows(communes[0], 3, prefix="Sau")
            cut = outbox.cut_bundle(communes[0].store, communes[0].paths)
            assert ingest.ingest_bytes(hub.paths, s, cut.path.read_bytes(), via="network").status == "applied"
            assert ingest.ingest_bytes(hub.paths, s, b"PK\x03\x04 not a bundle", via="usb").status == "rejected"
            province.publish(hub.paths, s, [("dossier_targets", harness.province_target_row())], ["21484", "21025"])
            with s.transaction() as conn:
                accounts.add_user(conn, "canbo.so", "viewer", "mat-khau-du-dai-1")
        for commune in communes:
            commune.close()
        hubstore.open_hub(hub.paths).close()  # the last connection folds the WAL into the file
        yield hub.paths.root
    finally:
        if old is not None:
            os.environ[DATABASE_ENV] = old


@pytest.fixture
def hub_dir(fed_hub, tmp_path):
    import shutil

    target = tmp_path / "hub"
    shutil.copytree(fed_hub, target)
    return target


def sqlite_snapshot(db_file: Path) -> dict[str, list]:
    """Every table's rows, sorted, as SQLite holds them."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%'")]
        out = {}
        for name in names:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
            out[name] = (columns, sorted(json.dumps(list(r), ensure_ascii=False) for r in
                                         conn.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in columns)} '
                                                      f'FROM "{name}"')))
        return out
    finally:
        conn.close()


def pg_rows(url: str, table: str, columns: list[str]) -> list[str]:
    with PostgresHubDatabase(url) as db:
        names = ", ".join(f'"{c}"' for c in columns)
        return sorted(json.dumps(list(r), ensure_ascii=False)
                      for r in db.conn.execute(f'SELECT {names} FROM "{table}"').fetchall())


def cli(*args, data_dir):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "hub", *args, "--data-dir", str(data_dir)],
                          capture_output=True, encoding="utf-8", cwd=ROOT, timeout=300,
                          env=scrubbed_env(PYTHONPATH=str(ROOT)))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_same_as_sqlite(before: dict, url: str) -> None:
    for table, (columns, rows) in before.items():
        found = pg_rows(url, table, columns)
        if table == "hub_meta":  # the one row the switch adds: the id tying hub.json to the database
            found = [r for r in found if not r.startswith('["hub_id"')]
        assert found == rows, table


def test_cli_moves_every_row_verifies_and_switches(hub_dir, pg_url):
    paths = hubstore.HubPaths(hub_dir)
    before = sqlite_snapshot(paths.db_file)
    assert len(before["rows"][1]) > 7000 and before["outgoing"][1] and before["rejections"][1]
    file_hash = sha256(paths.db_file)

    done = cli("migrate-store", "--to", pg_url, "--json", data_dir=hub_dir)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["switched"] and not result["resumed"]
    checks = {t["table"]: t["check"] for t in result["tables"]}
    assert all(c["ok"] for c in checks.values())
    assert checks["rows"]["source_rows"] == checks["rows"]["target_rows"] == len(before["rows"][1])

    # Every table, every row, every value: the same on PostgreSQL.
    assert_same_as_sqlite(before, pg_url)
    # The hub now opens on PostgreSQL; the SQLite file is kept, byte for byte, under another name.
    config = json.loads((hub_dir / "hub.json").read_text(encoding="utf-8"))
    assert config["store"] == "postgresql" and config["database"] == pg_url
    assert not paths.db_file.exists()
    kept = hub_dir / ("hub.sqlite3" + migrate_store.SQLITE_KEPT_SUFFIX)
    assert sha256(kept) == file_hash
    with hubstore.open_hub(paths) as db:
        assert db.dialect == "postgresql"
        assert db.scalar("SELECT count(*) FROM rows") == len(before["rows"][1])
        # Copied ids: the identity sequences continue after them (the next id does not collide).
        top = db.scalar("SELECT max(id) FROM rejections")
        with db.transaction() as conn:
            conn.execute("INSERT INTO rejections(received_at, reason, message, via) VALUES ('x', 'r', 'm', 'usb')")
        assert db.scalar("SELECT max(id) FROM rejections") == top + 1
    # Once switched, there is nothing more to move.
    again = cli("migrate-store", "--to", pg_url, data_dir=hub_dir)
    assert again.returncode == 2 and "đã dùng PostgreSQL" in again.stderr


def test_injected_failure_half_way_then_resume_copies_each_row_once(hub_dir, pg_url):
    paths = hubstore.HubPaths(hub_dir)
    before = sqlite_snapshot(paths.db_file)
    total = len(before["rows"][1])

    def fail_half_way(table, copied):
        if table == "rows" and copied >= total // 2:
            raise ConnectionError("injected: the network dropped half-way")

    with pytest.raises(ConnectionError):
        migrate_store.migrate_store(paths, pg_url, batch_rows=500, after_batch=fail_half_way)
    # Interrupted: still an SQLite hub; half of `rows` committed with its progress.
    assert paths.config().store == "sqlite" and paths.db_file.exists()
    with PostgresHubDatabase(pg_url) as db:
        partial = db.scalar("SELECT count(*) FROM rows")
        progress = db.scalar(f"SELECT rows_copied FROM {migrate_store.PROGRESS_TABLE} WHERE item = 'table:rows'")
    assert partial == progress and total // 2 <= partial < total

    report = migrate_store.migrate_store(paths, pg_url, batch_rows=500)
    rows = next(t for t in report.tables if t.table == "rows")
    assert report.resumed and report.switched
    assert rows.resumed_from == partial and rows.copied_now == total - partial  # continued, not restarted
    assert not rows.recopied and rows.final_check.ok
    assert_same_as_sqlite(before, pg_url)


def test_without_the_progress_record_a_resume_starts_the_table_over(hub_dir, pg_url):
    """Negative check of resumability: the progress row is what lets a rerun continue."""
    paths = hubstore.HubPaths(hub_dir)
    total = len(sqlite_snapshot(paths.db_file)["rows"][1])

    def fail(table, copied):
        if table == "rows" and copied >= total // 2:
            raise ConnectionError("injected")

    with pytest.raises(ConnectionError):
        migrate_store.migrate_store(paths, pg_url, batch_rows=500, after_batch=fail)
    with PostgresHubDatabase(pg_url) as db:
        db.conn.execute(f"DELETE FROM {migrate_store.PROGRESS_TABLE} WHERE item = 'table:rows'")
    report = migrate_store.migrate_store(paths, pg_url, batch_rows=500)
    rows = next(t for t in report.tables if t.table == "rows")
    assert rows.resumed_from == 0 and rows.copied_now == total


def test_sigkill_during_the_copy_then_rerun(hub_dir, pg_url):
    paths = hubstore.HubPaths(hub_dir)
    before = sqlite_snapshot(paths.db_file)
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "hub", "migrate-store", "--to", pg_url,
                             "--batch-rows", "20", "--data-dir", str(hub_dir)], cwd=ROOT,
                            env=scrubbed_env(PYTHONPATH=str(ROOT)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    killed_at = None
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with PostgresHubDatabase(pg_url) as db:
                    copied = db.scalar(f"SELECT rows_copied FROM {migrate_store.PROGRESS_TABLE} "
                                       "WHERE item = 'table:rows'")
            except Exception:  # noqa: BLE001 - the tables are not there yet
                copied = None
            if copied and copied >= 200:
                proc.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no clean-up of any kind
                killed_at = copied
                break
            time.sleep(0.01)
    finally:
        proc.wait(timeout=30)
    assert killed_at is not None, "the copy ended before it could be interrupted"
    assert paths.config().store == "sqlite" and paths.db_file.exists()

    done = cli("migrate-store", "--to", pg_url, "--json", data_dir=hub_dir)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    rows = next(t for t in result["tables"] if t["table"] == "rows")
    assert result["resumed"] and rows["resumed_from"] >= killed_at and rows["check"]["ok"]
    assert_same_as_sqlite(before, pg_url)


def _copy_without_verifying(paths, url, monkeypatch):
    """Every table copied, nothing verified yet (a failure injected between the two)."""
    def stop(_target):
        raise ConnectionError("injected: stopped before verification")

    monkeypatch.setattr(migrate_store, "_advance_sequences", stop)
    with pytest.raises(ConnectionError):
        migrate_store.migrate_store(paths, url, batch_rows=1000)
    monkeypatch.undo()


def _tamper(url: str) -> tuple[str, str]:
    with PostgresHubDatabase(url) as db:
        table_name, row_id = db.conn.execute(
            "SELECT table_name, row_id FROM rows WHERE table_name = 'dossiers' ORDER BY row_id LIMIT 1").fetchone()
        db.conn.execute("UPDATE rows SET state = replace(state, '\"fee\"', '\"fee \"') "
                        "WHERE table_name = ? AND row_id = ?", (table_name, row_id))
    return table_name, row_id


def test_a_tampered_target_row_is_found_reported_and_copied_again(hub_dir, pg_url, monkeypatch):
    paths = hubstore.HubPaths(hub_dir)
    before = sqlite_snapshot(paths.db_file)
    _copy_without_verifying(paths, pg_url, monkeypatch)
    table_name, row_id = _tamper(pg_url)

    lines = []
    report = migrate_store.migrate_store(paths, pg_url, progress=lines.append)
    rows = next(t for t in report.tables if t.table == "rows")
    assert not rows.first_check.ok and rows.first_check.source_rows == rows.first_check.target_rows
    assert rows.first_check.differing_keys == [[table_name, row_id]]
    assert any("rows: KHÁC" in line for line in lines)
    assert rows.recopied and rows.final_check.ok and report.switched
    others = [t for t in report.tables if t.table != "rows"]
    assert not any(t.recopied for t in others)
    assert_same_as_sqlite(before, pg_url)


def test_negative_without_verification_the_tampered_row_would_be_switched_to(hub_dir, pg_url, monkeypatch):
    """The same run with the verification made to pass blindly: the hub switches onto the altered row."""
    paths = hubstore.HubPaths(hub_dir)
    before = sqlite_snapshot(paths.db_file)
    _copy_without_verifying(paths, pg_url, monkeypatch)
    _tamper(pg_url)

    def blind(source, target, plan):
        return migrate_store.TableCheck(plan.name, 0, 0, "0", "0")

    monkeypatch.setattr(migrate_store, "verify_table", blind)
    assert migrate_store.migrate_store(paths, pg_url).switched
    columns, rows = before["rows"]
    assert pg_rows(pg_url, "rows", columns) != rows


def test_verification_names_missing_extra_and_changed_rows(hub_dir, pg_url, monkeypatch):
    import sqlite3

    paths = hubstore.HubPaths(hub_dir)
    _copy_without_verifying(paths, pg_url, monkeypatch)
    with PostgresHubDatabase(pg_url) as db:
        db.conn.execute("DELETE FROM units WHERE code = '21025'")
        db.conn.execute("INSERT INTO hub_meta(key, value) VALUES ('la', 'thêm')")
        db.conn.execute("UPDATE hub_users SET role = 'admin'")
        source = sqlite3.connect(str(paths.db_file))
        plans = {p.name: p for p in migrate_store.plan_tables(source, db)}
        units = migrate_store.verify_table(source, db, plans["units"])
        meta = migrate_store.verify_table(source, db, plans["hub_meta"])
        users = migrate_store.verify_table(source, db, plans["hub_users"])
        rows = migrate_store.verify_table(source, db, plans["rows"])
        source.close()
    assert (units.source_rows, units.target_rows, units.differing_keys) == (2, 1, [["21025"]])
    assert meta.target_rows == meta.source_rows + 1 and meta.differing_keys == [["la"]]
    assert users.source_rows == users.target_rows and not users.ok and users.differing_keys == [["canbo.so"]]
    assert rows.ok


def test_refusals(hub_dir, pg_url, tmp_path):
    paths = hubstore.HubPaths(hub_dir)
    # A password in the URL: refused before anything is touched.
    with_password = pg_url.replace("postgres@", "postgres:secret@")
    done = cli("migrate-store", "--to", with_password, data_dir=hub_dir)
    assert done.returncode == 2 and "mật khẩu" in done.stderr and "secret" not in done.stderr
    # A served hub (the lock `hub serve` holds): refused.
    with serving.serving_lock(hub_dir):
        with pytest.raises(serving.HubBusy, match="đang chạy"):
            migrate_store.migrate_store(paths, pg_url)
        assert serving.is_served(hub_dir)
    assert not serving.is_served(hub_dir)
    # A database that holds another hub (made by `hub init --database` for another data dir).
    hubstore.init_hub(hubstore.HubPaths(tmp_path / "other"), database=pg_url)
    with pytest.raises(migrate_store.MigrationRefused, match="máy chủ tỉnh khác"):
        migrate_store.migrate_store(paths, pg_url)
    assert paths.config().store == "sqlite" and paths.db_file.exists()


def test_a_target_migrated_from_another_hub_is_refused(hub_dir, pg_url, fed_hub, tmp_path, monkeypatch):
    import shutil

    paths = hubstore.HubPaths(hub_dir)
    _copy_without_verifying(paths, pg_url, monkeypatch)  # this hub's copy, half-way
    other = tmp_path / "other"
    shutil.copytree(fed_hub, other)
    shutil.rmtree(other / "keys")  # another province: another key
    hubstore.province_keypair(hubstore.HubPaths(other))
    with pytest.raises(migrate_store.MigrationRefused, match="máy chủ tỉnh khác"):
        migrate_store.migrate_store(hubstore.HubPaths(other), pg_url)


def test_serve_refuses_to_start_during_a_migration(hub_dir):
    with serving.exclusive_lock(hub_dir):
        done = cli("serve", "--port", "1", data_dir=hub_dir)
    assert done.returncode == 2 and "hub migrate-store" in done.stderr


def test_serve_workers_refused_on_sqlite(hub_dir):
    done = cli("serve", "--workers", "2", "--port", "1", data_dir=hub_dir)
    assert done.returncode == 2 and "PostgreSQL" in done.stderr and "--workers 1" in done.stderr
    with pytest.raises(UserInputError):
        serving.check_workers(0, "postgresql")


def test_a_hub_file_of_the_previous_version_moves_too(hub_dir, pg_url):
    """A hub.sqlite3 made before the explicit `id` columns (rowid order only): copied in rowid order,
    PostgreSQL numbers the ids in that same order."""
    import sqlite3

    paths = hubstore.HubPaths(hub_dir)
    conn = sqlite3.connect(str(paths.db_file), isolation_level=None)
    for table in hubstore._ROW_ORDER:
        conn.execute(f"DROP TRIGGER IF EXISTS {table}_id")
        conn.execute(f"DROP INDEX IF EXISTS idx_{table}_id")
        conn.execute(f"DROP INDEX IF EXISTS idx_{table}_unit_id")  # bundles(unit, id), added with the ids
        conn.execute(f"ALTER TABLE [{table}] DROP COLUMN id")
    order = [r[0] for r in conn.execute("SELECT bundle_id FROM bundles ORDER BY rowid")]
    conn.execute("INSERT INTO hub_meta(key, value) VALUES ('a_number', 5)")  # SQLite's dynamic typing
    conn.close()
    before = sqlite_snapshot(paths.db_file)
    assert "id" not in before["bundles"][0]
    before["hub_meta"] = (before["hub_meta"][0], sorted(r.replace(", 5]", ', "5"]') for r in before["hub_meta"][1]))

    report = migrate_store.migrate_store(paths, pg_url)
    assert report.switched and all(t.final_check.ok for t in report.tables)
    assert_same_as_sqlite(before, pg_url)
    with PostgresHubDatabase(pg_url) as db:
        assert [r[0] for r in db.conn.execute("SELECT bundle_id FROM bundles ORDER BY id").fetchall()] == order
        assert db.scalar("SELECT value FROM hub_meta WHERE key = 'a_number'") == "5"


def test_lines_stored_before_todays_checks_are_named_after_the_move(hub_dir, pg_url):
    """Copied as they are (the move changes no row), and said, since PostgreSQL's readers cast each line
    to jsonb: the unit is asked to send those records again (core/hub/row_audit.py)."""
    import sqlite3
    from contextlib import closing

    # closing(): sqlite3's own `with` only commits, and Windows will not rename an open file.
    with closing(sqlite3.connect(hub_dir / "hub.sqlite3")) as conn, conn:
        conn.execute("INSERT INTO rows (table_name, row_id, unit, seq, op, deleted, state, received_at) "
                     "VALUES ('staff', 'old-nul', '21484', 1, 'insert', 0, ?, '2026-01-01T00:00:00Z')",
                     ('{"t":"staff","id":"old-nul","op":"insert","seq":1,"row":{"id":"old-nul","name":"a\\u0000"}}',))
    done = cli("migrate-store", "--to", pg_url, "--json", data_dir=hub_dir)
    assert done.returncode == 0, done.stderr
    audit = json.loads(done.stdout)["row_audit"]
    assert audit["problem_count"] == 1 and audit["problems"][0]["row_id"] == "old-nul"
    assert "U+0000" in audit["problems"][0]["problem"]
    again = cli("check-rows", data_dir=hub_dir)  # now on PostgreSQL: the same line, the same answer
    assert again.returncode == 1 and "old-nul" in again.stdout
