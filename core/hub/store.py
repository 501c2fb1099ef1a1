"""The province hub's own folder and database.

The tables live in `<dir>/hub.sqlite3` (the default) or on a PostgreSQL server named in
`<dir>/hub.json` (core.hub.config; schema in core.hub.pg_schema); `open_hub` returns a
`core.hub.database.HubDatabase` of the right kind. The database holds the registered units and their keys, every applied
bundle, the rows as each commune last sent them (schema-agnostic: one JSON state
per (table, row id)), the bundles waiting for each unit and the rejections.
`<dir>/bundles/<unit>/` keeps every accepted raw bundle, never modified;
`<dir>/outgoing/<unit>/` the province bundles made for a unit; `<dir>/keys/` the
province key pair.

Which tables exist and who owns them is taken from the app's own migrations
(run once into an in-memory database), so the hub follows new syncable tables
without a change here.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.hub.database import Connection
from core.clock import utc_iso
from core.errors import DatabaseError, NotInitialisedError, UserInputError
from core.hub import config as hubconfig
from core.hub import pg_schema, sequence
from core.hub.database import HubDatabase, PostgresHubDatabase, check_postgres_url, open_sqlite, redact
from core.sync import keys
from core.units import find_unit
from db.store import connect

HUB_DB = "hub.sqlite3"
HUB_SCHEMA_VERSION = 1
HUB_PAGE_SIZE = 16384
# How much of the WAL a commit may leave for later before it copies it into the main file itself.
HUB_CHECKPOINT_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class HubPaths:
    root: Path

    @property
    def db_file(self) -> Path:
        return self.root / HUB_DB

    @property
    def config_file(self) -> Path:
        return self.root / hubconfig.CONFIG_FILE

    def config(self) -> hubconfig.HubConfig:
        return hubconfig.read_config(self.root)

    @property
    def bundles_dir(self) -> Path:
        return self.root / "bundles"

    @property
    def outgoing_dir(self) -> Path:
        return self.root / "outgoing"

    @property
    def keys_dir(self) -> Path:
        return self.root / "keys"

    @property
    def tmp_dir(self) -> Path:
        return self.root / "tmp"

    def is_initialised(self) -> bool:
        has_store = self.config_file.exists() or self.db_file.exists()  # PostgreSQL or SQLite
        return has_store and (self.keys_dir / keys.PROVINCE_KEY_FILE).exists()

    def require(self) -> "HubPaths":
        if not self.is_initialised():
            raise NotInitialisedError(
                f"Thư mục “{self.root}” chưa phải dữ liệu của máy chủ tỉnh. "
                f"Chạy “python main.py hub init --data-dir {self.root}” trước.")
        return self


def hub_paths(data_dir: str | Path | None) -> HubPaths:
    if not data_dir:
        raise UserInputError("Cần chỉ rõ thư mục dữ liệu của máy chủ tỉnh: --data-dir THƯ_MỤC.")
    return HubPaths(Path(data_dir).expanduser().resolve())


_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS hub_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS units (
        code TEXT PRIMARY KEY NOT NULL,
        public_key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        registered_at TEXT NOT NULL)""",
    # Every accepted bundle from a commune; bundle_id makes a second arrival a no-op.
    """CREATE TABLE IF NOT EXISTS bundles (
        bundle_id TEXT PRIMARY KEY NOT NULL,
        unit TEXT NOT NULL,
        kind TEXT NOT NULL,
        seq_from INTEGER,
        seq_to INTEGER,
        records INTEGER NOT NULL,
        file_sha256 TEXT NOT NULL,
        file_name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        via TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS idx_bundles_unit ON bundles(unit, seq_from)",
    # The latest state of every row. `seq` is the sender's change-log number of that
    # state: an older state never replaces a newer one, whatever order bundles arrive in.
    # `state` is the record's JSON line as signed ({"t", "id", "op", "seq", "row"}).
    # A rowid table (not WITHOUT ROWID): states are large, and inserts are 2x faster so.
    """CREATE TABLE IF NOT EXISTS rows (
        table_name TEXT NOT NULL,
        row_id TEXT NOT NULL,
        unit TEXT NOT NULL,
        seq INTEGER NOT NULL,
        op TEXT NOT NULL,
        updated_at TEXT,
        deleted INTEGER NOT NULL DEFAULT 0,
        state TEXT,
        received_at TEXT NOT NULL,
        UNIQUE (table_name, row_id))""",
    "CREATE INDEX IF NOT EXISTS idx_rows_unit ON rows(unit, table_name)",
    # Province bundles waiting for a unit (fetched by id > cursor).
    """CREATE TABLE IF NOT EXISTS outgoing (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        bundle_id TEXT UNIQUE NOT NULL,
        unit TEXT NOT NULL,
        kind TEXT NOT NULL,
        file_name TEXT NOT NULL,
        records INTEGER NOT NULL,
        size INTEGER NOT NULL,
        created_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS idx_outgoing_unit ON outgoing(unit, id)",
    # Which province rows were sent to which unit (overdue tasks are counted per unit).
    """CREATE TABLE IF NOT EXISTS deliveries (
        unit TEXT NOT NULL,
        table_name TEXT NOT NULL,
        row_id TEXT NOT NULL,
        PRIMARY KEY (unit, table_name, row_id)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS rejections (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        received_at TEXT NOT NULL,
        unit TEXT,
        bundle_id TEXT,
        reason TEXT NOT NULL,
        message TEXT NOT NULL,
        via TEXT NOT NULL)""",
    # Sync v2 (issue 13): many devices per unit, each key with its history. A key registered
    # by the province (`hub register`) learns its device id from the first bundle it signs.
    """CREATE TABLE IF NOT EXISTS device_keys (
        fingerprint TEXT PRIMARY KEY NOT NULL,
        unit TEXT NOT NULL,
        public_key TEXT NOT NULL,
        device_id TEXT,
        registered_at TEXT NOT NULL,
        registered_by TEXT,
        revoked_at TEXT,
        revoked_by TEXT)""",
    "CREATE INDEX IF NOT EXISTS idx_device_keys_unit ON device_keys(unit, registered_at)",
    # Versions that lost: an incoming edit older than the hub's version of the row, kept whole.
    """CREATE TABLE IF NOT EXISTS conflicts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        unit TEXT NOT NULL,
        table_name TEXT NOT NULL,
        row_id TEXT NOT NULL,
        bundle_id TEXT NOT NULL,
        kept_hlc INTEGER,
        kept_device TEXT,
        lost_hlc INTEGER,
        lost_device TEXT,
        lost_state TEXT,
        recorded_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS idx_conflicts_unit ON conflicts(unit, id)",
]

# Columns added to tables of the first hub version (ALTER TABLE has no IF NOT EXISTS).
_ADDED_COLUMNS = {
    "bundles": ["device TEXT", "device_seq INTEGER", "format_version INTEGER NOT NULL DEFAULT 1"],
    # The row's version (hybrid logical clock, device id) and `rev`, the hub's own order of
    # writes, from which a unit's devices read what they have not seen yet (`/api/v1/rows`).
    "rows": ["hlc INTEGER", "device TEXT", "rev INTEGER"],
    # The device a refused bundle names (a commune has several PCs).
    "rejections": ["device TEXT"],
}
_AFTER_COLUMNS = [
    "CREATE INDEX IF NOT EXISTS idx_bundles_device ON bundles(unit, device, device_seq)",
    "CREATE INDEX IF NOT EXISTS idx_rows_rev ON rows(unit, rev)",
    # A unit's last applied bundle in O(log n): read for each unit of the province on every dashboard page.
    "CREATE INDEX IF NOT EXISTS idx_bundles_unit_id ON bundles(unit, id)",
    # An existing hub's unit key becomes that unit's first device (its id learned from its next bundle).
    """INSERT INTO device_keys (fingerprint, unit, public_key, registered_at, registered_by)
       SELECT fingerprint, code, public_key, registered_at, 'nâng cấp' FROM units
       WHERE true ON CONFLICT (fingerprint) DO NOTHING""",
    # Bundles received before the upgrade were signed by the unit's one key: that key is their device
    # (renamed to the real device id when the key signs its first v2 bundle, core.hub.ingest).
    """UPDATE bundles SET device = 'key:' || (SELECT fingerprint FROM units WHERE code = bundles.unit)
       WHERE device IS NULL AND kind = 'changes'""",
]
_SCHEMA += sequence.SCHEMA  # the province sequence of each unit's province bundles (core/hub/sequence.py)


# Tables whose insertion order the hub reads (a version marker, a listing's order). SQLite gave it
# as the implicit rowid; the order is now an explicit `id` column, as on PostgreSQL (an identity
# column there). ALTER TABLE cannot add an INTEGER PRIMARY KEY to an existing SQLite table, so the
# column is filled from the rowid: once for the rows already there, then by a trigger on insert.
_ROW_ORDER = ("bundles", "device_keys", "hub_refused_counts")


def init_hub(paths: HubPaths, database: str | None = None) -> keys.KeyPair:
    """Create the folders, the database and the province key pair (idempotent).

    `database`: a postgresql:// URL (no password in it) to keep the tables on a PostgreSQL
    server, recorded in hub.json; None = MOTCUA_HUB_DATABASE when set and the data dir holds no
    hub yet, else SQLite (hub.sqlite3). Nothing is created when the URL is refused or the server
    cannot be reached."""
    if database is None and not _holds_a_hub(paths):
        database = hubconfig.database_from_environment()
    if database:
        _init_postgres(paths, check_postgres_url(database))
    else:
        if paths.config().is_postgres:  # a PostgreSQL hub: `hub init` again is a no-op on its tables
            return _init_postgres(paths, paths.config().database)
        _make_folders(paths)
        if not paths.db_file.exists():
            _create_db_file(paths.db_file)
        with open_sqlite(paths.db_file) as store:
            _ensure_schema(store)
            with store.transaction() as conn:
                conn.execute("INSERT INTO hub_meta(key, value) VALUES ('created_at', ?) ON CONFLICT (key) DO NOTHING",
                             (utc_iso(),))
    return province_keypair(paths)


def _holds_a_hub(paths: HubPaths) -> bool:
    return paths.config_file.exists() or paths.db_file.exists()


def _make_folders(paths: HubPaths) -> None:
    for folder in (paths.root, paths.bundles_dir, paths.outgoing_dir, paths.keys_dir, paths.tmp_dir):
        folder.mkdir(parents=True, exist_ok=True)


def _init_postgres(paths: HubPaths, url: str) -> keys.KeyPair:
    existing = paths.config()
    if paths.db_file.exists() and not existing.is_postgres:
        raise UserInputError(
            f"Thư mục “{paths.root}” đã là máy chủ tỉnh dùng tệp SQLite. Để chuyển dữ liệu sang PostgreSQL, "
            f"dùng “python main.py hub migrate-store --to {redact(url)} --data-dir {paths.root}”.")
    if existing.is_postgres and existing.database != url:
        raise UserInputError(
            f"Thư mục “{paths.root}” đã dùng cơ sở dữ liệu {redact(existing.database)}, không phải {redact(url)}.")
    with PostgresHubDatabase(url) as db:  # connects before anything is created
        pg_schema.migrate(db)
        with db.transaction() as conn:
            row = conn.execute("SELECT value FROM hub_meta WHERE key = 'hub_id'").fetchone()
            found = row[0] if row else None
            mine = existing.hub_id if existing.is_postgres else None
            if existing.is_postgres and mine is None:
                mine = found  # a hub.json without an id (written by hand, or by an older tool): the database's
            if found and found != mine and not (mine is None and _is_empty(conn)):
                raise UserInputError(
                    f"Cơ sở dữ liệu {redact(url)} đã thuộc một máy chủ tỉnh khác (thư mục dữ liệu khác). Mỗi máy "
                    "chủ tỉnh dùng một cơ sở dữ liệu riêng: tạo cơ sở dữ liệu mới (createdb) rồi chạy lại.")
            # An empty database left by another (interrupted) init is taken over under a new id: the
            # data dir that made it no longer opens it (its province key is not this one).
            hub_id = mine or str(uuid.uuid4())
            conn.execute("INSERT INTO hub_meta(key, value) VALUES ('hub_id', ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (hub_id,))
    _make_folders(paths)
    pair = province_keypair(paths)
    if not existing.is_postgres or existing.hub_id != hub_id:
        hubconfig.write_config(paths.root, hubconfig.HubConfig(hubconfig.POSTGRESQL, url, hub_id))
    return pair


def _is_empty(conn) -> bool:
    """Nothing a province did yet: no unit, bundle, province bundle or staff account."""
    return not conn.execute("SELECT (SELECT count(*) FROM units) + (SELECT count(*) FROM bundles) "
                            "+ (SELECT count(*) FROM outgoing) + (SELECT count(*) FROM hub_users)").fetchone()[0]


def _create_db_file(db_file: Path) -> None:
    """A new hub database with 16 KiB pages (SQLite's default is 4 KiB).

    Each `rows` entry holds a whole record line (~750 bytes for a dossier): with 16 KiB
    pages a 100,000-row bundle splits far fewer pages and writes fewer WAL frames, and
    applying it took ~1.1 s instead of ~1.35 s (docs/PERFORMANCE.md). The page size can
    only be chosen before the first write, and not at all once in WAL mode, so an
    existing hub keeps the size it was made with.
    """
    conn = sqlite3.connect(str(db_file), isolation_level=None)
    try:
        conn.execute(f"PRAGMA page_size = {HUB_PAGE_SIZE}")
        conn.execute("PRAGMA journal_mode = WAL")  # writes the header, fixing the page size
    finally:
        conn.close()


def _ensure_schema(store: HubDatabase) -> None:
    """SQLite: every statement is CREATE … IF NOT EXISTS: a hub made by an older version gains new
    tables and columns in place. (PostgreSQL has numbered migrations: core.hub.pg_schema.)"""
    from core.hub import accounts, dashboard, limits  # their own tables (staff, dashboard, upload limits)

    with store.transaction() as conn:
        for statement in _SCHEMA:
            conn.execute(statement)
        for module in (accounts, dashboard, limits):
            module.ensure_schema(conn)
        for table, columns in _ADDED_COLUMNS.items():
            have = {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}
            for column in columns:
                if column.split()[0] not in have:
                    conn.execute(f"ALTER TABLE [{table}] ADD COLUMN {column}")
        for table in _ROW_ORDER:
            _ensure_row_order(conn, table)
        for statement in _AFTER_COLUMNS:
            conn.execute(statement)
        conn.execute("INSERT INTO hub_meta(key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING",
                     (str(HUB_SCHEMA_VERSION),))


def _ensure_row_order(conn: sqlite3.Connection, table: str) -> None:
    """SQLite: the explicit `id` (insertion order) of a table that had only its rowid (_ROW_ORDER)."""
    if "id" not in {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}:
        conn.execute(f"ALTER TABLE [{table}] ADD COLUMN id INTEGER")
        conn.execute(f"UPDATE [{table}] SET id = rowid")
    conn.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS idx_{table}_id ON [{table}](id)")
    conn.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_id AFTER INSERT ON [{table}] WHEN NEW.id IS NULL "
                 f"BEGIN UPDATE [{table}] SET id = NEW.rowid WHERE rowid = NEW.rowid; END")


def open_hub(paths: HubPaths) -> HubDatabase:
    """The hub's database, brought up to the current schema: SQLite (hub.sqlite3) or PostgreSQL (hub.json)."""
    paths.require()
    config = paths.config()
    if config.is_postgres:
        store = PostgresHubDatabase(config.database)
        try:
            pg_schema.migrate(store)
            _check_hub_id(store, config)
            sequence.ensure_sequenced(store, paths.outgoing_dir, province_keypair(paths))
        except BaseException:
            store.close()
            raise
        return store
    store = open_sqlite(paths.db_file)
    _ensure_schema(store)
    # Sorting and other temporary work for an upload stays in memory (its lines are staged in an
    # attached in-memory database, core.hub.apply.staging).
    store.conn.execute("PRAGMA temp_store = MEMORY")
    _defer_checkpoints(store.conn)
    sequence.ensure_sequenced(store, paths.outgoing_dir, province_keypair(paths))  # a hub from before them
    return store


def _check_hub_id(db: HubDatabase, config: hubconfig.HubConfig) -> None:
    found = db.scalar("SELECT value FROM hub_meta WHERE key = 'hub_id'")
    if config.hub_id and found != config.hub_id:
        raise DatabaseError(
            f"Cơ sở dữ liệu {redact(config.database)} không phải của máy chủ tỉnh này (mã máy chủ khác với "
            "hub.json). Kiểm tra địa chỉ cơ sở dữ liệu trong hub.json.",
            details=f"hub.json hub_id={config.hub_id}, database hub_id={found}")


def _defer_checkpoints(conn: sqlite3.Connection) -> None:
    """Let a commit leave up to HUB_CHECKPOINT_BYTES of WAL for a later checkpoint.

    SQLite's default (1,000 pages: 16 MB here) makes nearly every upload's COMMIT also copy
    the whole WAL into the main file and fsync it — half of that COMMIT's time (0.075 of
    0.145 s for 100,000 rows). Durability does not depend on it: with synchronous=FULL the
    COMMIT has already fsynced the WAL, which every reader and a restart after a crash use as
    they use the main file. The copy is made once the WAL passes this size (by the commit that
    crosses it, for everything before it at once), and when the last connection closes
    (`hub ingest` from the command line, the server stopping). The size is bounded, so is a
    restart's WAL recovery.
    """
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.execute(f"PRAGMA wal_autocheckpoint = {max(1000, HUB_CHECKPOINT_BYTES // page_size)}")


def province_keypair(paths: HubPaths) -> keys.KeyPair:
    return keys.load_or_create(paths.keys_dir, keys.PROVINCE_KEY_FILE)


def register_unit(store: HubDatabase, code: str, public_key_text: str, *, by: str | None = None) -> dict:
    """Add a device key to a unit (a second PC no longer replaces the first: both stay valid).

    Registering a key again is a no-op, or un-revokes nothing: a revoked key stays revoked."""
    unit = find_unit(code)
    if public_key_text.strip().startswith("MOTCUA-KEY|"):  # scanned from the sheet's QR code
        _, scanned_unit, public_key_text = (public_key_text.strip().split("|") + ["", ""])[:3]
        if scanned_unit != unit.code:
            raise UserInputError(f"Mã QR là của đơn vị {scanned_unit[:20]}, không phải {unit.code}.")
    key = keys.parse_public_key(public_key_text)
    text, fp = keys.public_key_text(key), keys.fingerprint(key)
    now = utc_iso()
    with store.transaction() as conn:
        other = conn.execute("SELECT unit FROM device_keys WHERE fingerprint = ?", (fp,)).fetchone()
        if other and other[0] != unit.code:
            raise UserInputError(f"Khóa này đã được đăng ký cho đơn vị {other[0]}; mỗi khóa chỉ thuộc một đơn vị.")
        conn.execute("INSERT INTO device_keys (fingerprint, unit, public_key, registered_at, registered_by) "
                     "VALUES (?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO NOTHING",
                     (fp, unit.code, text, now, by or _operator()))
        # `units` keeps one row per unit (the overview lists units from it) with its newest key.
        conn.execute("INSERT INTO units(code, public_key, fingerprint, registered_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT(code) DO UPDATE SET public_key = excluded.public_key, "
                     "fingerprint = excluded.fingerprint, registered_at = excluded.registered_at",
                     (unit.code, text, fp, now))
    return {"unit": unit.code, "name": unit.name, "public_key": text, "fingerprint": fp}


def _operator() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on this system: say so rather than fail
        return "không rõ"


def revoke_key(store: HubDatabase, code: str, fingerprint_text: str, *, by: str | None = None) -> dict:
    """End a device key: bundles it signed before now stay acceptable, later ones are refused."""
    unit = find_unit(code)
    fp = fingerprint_text.strip().upper()
    with store.transaction() as conn:
        row = conn.execute("SELECT revoked_at FROM device_keys WHERE unit = ? AND fingerprint = ?",
                           (unit.code, fp)).fetchone()
        if row is None:
            raise UserInputError(f"Đơn vị {unit.code} không có khóa nào có dấu vân tay {fp[:30]}.")
        if row[0] is None:
            conn.execute("UPDATE device_keys SET revoked_at = ?, revoked_by = ? WHERE fingerprint = ?",
                         (utc_iso(), by or _operator(), fp))
    return device_list(store, unit.code)


def device_list(store: HubDatabase, code: str) -> list[dict]:
    """A unit's keys, oldest first, with their device, history and coverage of bundle numbers."""
    unit = find_unit(code).code
    out = []
    for row in store.query("SELECT fingerprint, public_key, device_id, registered_at, registered_by, revoked_at, "
                           "revoked_by FROM device_keys WHERE unit = ? ORDER BY registered_at, id", (unit,)):
        through, missing = device_coverage(store.conn, unit, row["device_id"]) if row["device_id"] else (0, [])
        out.append({"unit": unit, "device": row["device_id"], "fingerprint": row["fingerprint"],
                    "public_key": row["public_key"], "registered_at": row["registered_at"],
                    "registered_by": row["registered_by"], "revoked_at": row["revoked_at"],
                    "revoked_by": row["revoked_by"], "status": "revoked" if row["revoked_at"] else "active",
                    "bundles_through": through, "missing": missing,
                    "last_bundle_at": store.scalar("SELECT max(received_at) FROM bundles WHERE unit = ? AND device = ?",
                                                   (unit, row["device_id"])) if row["device_id"] else None})
    return out


def unit_key(store: HubDatabase, code: str):
    """The unit's keys that may sign a request now (not revoked); None when it has none."""
    found = [keys.parse_public_key(r["public_key"]) for r in store.query(
        "SELECT public_key FROM device_keys WHERE unit = ? AND revoked_at IS NULL ORDER BY registered_at", (code,))]
    return found or None


def bundle_key(store: HubDatabase, manifest: dict):
    """The key that must have signed this bundle: the unit's key with the manifest's fingerprint,
    registered, and either not revoked or revoked after the bundle was cut. None if there is none.
    A key revoked before the bundle was cut comes back as a `core.hub.revoked_keys.RevokedKey`:
    it still verifies the signature, then refuses the bundle as the unit's (reason `revoked_key`)."""
    fp = manifest.get("signer_fingerprint")
    row = store.query("SELECT public_key, revoked_at, device_id FROM device_keys WHERE unit = ? AND fingerprint = ?",
                      (manifest["source"], fp if isinstance(fp, str) else ""))
    if not row:
        return None
    key = keys.parse_public_key(row[0]["public_key"])
    revoked = row[0]["revoked_at"]
    if revoked is not None and not (isinstance(manifest.get("created_at"), str) and manifest["created_at"] < revoked):
        from core.hub.revoked_keys import RevokedKey

        # The device the key is bound to, else the one the manifest names (read only once the
        # signature has verified, so it is the signer's word).
        device = row[0]["device_id"] or (manifest.get("device") if isinstance(manifest.get("device"), str) else None)
        return RevokedKey(key, fp, revoked, device)
    return key


def device_coverage(conn: Connection, unit: str, device: str) -> tuple[int, list[list[int]]]:
    """(bundles_through, missing) of one device's bundle numbers: the end of the unbroken run
    from 1, and every hole before the highest number received."""
    numbers = [r[0] for r in conn.execute("SELECT DISTINCT device_seq FROM bundles WHERE unit = ? AND device = ? "
                                          "AND device_seq IS NOT NULL ORDER BY device_seq", (unit, device))]
    covered, through, missing = 0, None, []
    for n in numbers:
        if n > covered + 1:
            missing.append([covered + 1, n - 1])
            if through is None:
                through = covered
        covered = max(covered, n)
    return (covered if through is None else through), missing


@lru_cache(maxsize=1)
def table_catalog() -> dict[str, str]:
    """{table: owner} for every syncable table the app version of this hub knows."""
    from db.migrations import migrate

    conn = connect(":memory:")
    try:
        migrate(conn)
        return dict(conn.execute("SELECT table_name, owner FROM syncable_tables"))
    finally:
        conn.close()


def seq_coverage(conn: Connection, unit: str) -> tuple[int, list[list[int]]]:
    """(applied_through, missing ranges) from the seq ranges of a unit's applied bundles.

    `applied_through` is the end of the unbroken run from seq 1; every hole before
    the highest seq received is a missing range [first, last].
    """
    ranges = conn.execute("SELECT seq_from, seq_to FROM bundles WHERE unit = ? AND kind = 'changes' "
                          "AND seq_from IS NOT NULL ORDER BY seq_from, seq_to", (unit,)).fetchall()
    covered_to = 0
    through = None
    missing: list[list[int]] = []
    for start, end in ranges:
        if start > covered_to + 1:
            missing.append([covered_to + 1, start - 1])
            if through is None:
                through = covered_to
        covered_to = max(covered_to, end)
    return (covered_to if through is None else through), missing
