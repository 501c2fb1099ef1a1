"""The hub's own bookkeeping on both stores: device keys, staff accounts and lockout, the audit log,
refusal counts, quotas, retention, the province sequence, and the admin commands that drive them.

Every test runs on SQLite and on PostgreSQL (`hub_database`), with the same SQL."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.clock import now_utc, utc_iso
from core.errors import UserInputError
from core.hub import accounts, limits, sequence
from core.hub import store as hubstore
from core.sync import keys
from tests.cli_env import scrubbed_env

pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def hub(tmp_path, hub_database):
    paths = hubstore.HubPaths(tmp_path / "hub")
    hubstore.init_hub(paths)
    db = hubstore.open_hub(paths)
    assert db.dialect == ("postgresql" if hub_database else "sqlite")
    yield paths, db
    db.close()


def _key(tmp_path, name: str) -> str:
    return keys.load_or_create(tmp_path / name, "k.pem").public_text


def _bundle(db, bundle_id, unit, *, device=None, device_seq=None, seq=(None, None), received_at=None):
    db.conn.execute("INSERT INTO bundles (bundle_id, unit, kind, seq_from, seq_to, records, file_sha256, file_name, "
                    "created_at, received_at, via, device, device_seq) VALUES (?, ?, 'changes', ?, ?, 1, 'x', ?, ?, ?, "
                    "'usb', ?, ?)", (bundle_id, unit, seq[0], seq[1], f"{unit}/{bundle_id}.zip", utc_iso(),
                                     received_at or utc_iso(), device, device_seq))


def test_device_keys_register_list_revoke_in_order(hub, tmp_path):
    paths, db = hub
    first, second = _key(tmp_path, "a"), _key(tmp_path, "b")
    one = hubstore.register_unit(db, "21484", first, by="tester")
    hubstore.register_unit(db, "21484", first, by="again")  # the same key again: a no-op
    two = hubstore.register_unit(db, "21484", second, by="tester")
    with pytest.raises(UserInputError, match="đã được đăng ký cho đơn vị 21484"):
        hubstore.register_unit(db, "21478", first)
    # Two keys registered in the same millisecond keep the order they were registered in.
    db.conn.execute("UPDATE device_keys SET registered_at = 'same'")
    listed = hubstore.device_list(db, "21484")
    assert [d["fingerprint"] for d in listed] == [one["fingerprint"], two["fingerprint"]]
    assert [d["registered_by"] for d in listed] == ["tester", "tester"]
    assert db.scalar("SELECT fingerprint FROM units WHERE code = '21484'") == two["fingerprint"]
    assert len(hubstore.unit_key(db, "21484")) == 2

    db.conn.execute("UPDATE device_keys SET device_id = 'pc-1' WHERE fingerprint = ?", (one["fingerprint"],))
    for n in (1, 2, 4, 7):
        _bundle(db, f"b{n}", "21484", device="pc-1", device_seq=n)
    listed = hubstore.revoke_key(db, "21484", one["fingerprint"].lower(), by="admin")
    assert listed[0]["status"] == "revoked" and listed[0]["revoked_by"] == "admin"
    assert (listed[0]["bundles_through"], listed[0]["missing"]) == (2, [[3, 3], [5, 6]])
    assert listed[0]["last_bundle_at"] is not None
    assert len(hubstore.unit_key(db, "21484")) == 1
    revoked_at = listed[0]["revoked_at"]
    manifest = {"source": "21484", "signer_fingerprint": one["fingerprint"]}
    from core.hub.revoked_keys import RevokedKey

    before = hubstore.bundle_key(db, dict(manifest, created_at="2000-01-01T00:00:00.000Z"))
    assert before is not None and not isinstance(before, RevokedKey)
    after = hubstore.bundle_key(db, dict(manifest, created_at=revoked_at))
    assert isinstance(after, RevokedKey) and after.revoked_at == revoked_at and after.device == "pc-1"
    assert hubstore.bundle_key(db, dict(manifest, signer_fingerprint="NOPE")) is None


def test_seq_coverage_names_the_holes(hub):
    _paths, db = hub
    for i, (a, b) in enumerate([(1, 5), (6, 9), (15, 20), (12, 13)]):
        _bundle(db, f"s{i}", "21484", seq=(a, b))
    assert hubstore.seq_coverage(db.conn, "21484") == (9, [[10, 11], [14, 14]])


def test_accounts_login_lockout_sessions_and_audit(hub):
    _paths, db = hub
    with db.transaction() as conn:
        accounts.add_user(conn, "admin.tinh", "admin", "mat-khau-dai-du")
        accounts.add_user(conn, "xem", "viewer", "mat-khau-dai-du")
        with pytest.raises(UserInputError, match="đã có"):
            accounts.add_user(conn, "xem", "viewer", "mat-khau-dai-du")
    assert [u["name"] for u in accounts.list_users(db.conn)] == ["admin.tinh", "xem"]
    with db.transaction() as conn:
        token, session = accounts.login(conn, "admin.tinh", "mat-khau-dai-du", "10.0.0.1")
    assert session.user.is_admin and accounts.session_for(db.conn, token).csrf == session.csrf
    for _ in range(accounts.MAX_USER_FAILURES):
        with db.transaction() as conn:  # the failed attempt commits (it counts towards the lockout)
            with pytest.raises(accounts.LoginRefused, match="Sai tên"):
                accounts.login(conn, "xem", "sai-mat-khau-roi", "10.0.0.2")
    # Counted, committed: now even the right password is refused for that name.
    with pytest.raises(accounts.LoginRefused, match="quá nhiều lần"):
        accounts.login(db.conn, "xem", "mat-khau-dai-du", "10.0.0.3")
    assert accounts.locked_out(db.conn, "xem", "10.0.0.9")
    later = now_utc() + accounts.LOCK_WINDOW + dt.timedelta(minutes=1)
    assert not accounts.locked_out(db.conn, "xem", "10.0.0.9", later)
    with db.transaction() as conn:
        accounts.set_password(conn, "admin.tinh", "mat-khau-moi-dai")  # ends every session of that name
    assert accounts.session_for(db.conn, token) is None
    with db.transaction() as conn:
        accounts.audit(conn, actor="a", via="cli", action="user_add", target="xem", detail={"role": "viewer"})
        accounts.audit(conn, actor="b", via="web", action="revoke_device", target="21484", address="10.0.0.1")
    log = accounts.audit_log(db.conn)
    assert [r["actor"] for r in log] == ["b", "a"]  # newest first, by the explicit id
    assert json.loads(log[1]["detail"]) == {"role": "viewer"}


def test_refusals_counted_per_hour_and_quota_per_day(hub):
    _paths, db = hub
    with db.transaction() as conn:
        for _ in range(3):
            limits.count_refused(conn, "10.0.0.1", "signature", "21484")
        limits.count_refused(conn, "10.0.0.1", "damaged", None)
    rows = db.query("SELECT reason, claimed_unit, count, id FROM hub_refused_counts ORDER BY id")
    assert [(r["reason"], r["claimed_unit"], r["count"]) for r in rows] == [("signature", "21484", 3),
                                                                          ("damaged", "", 1)]
    assert rows[0]["id"] < rows[1]["id"]  # the explicit insertion order (no rowid)
    with db.transaction() as conn:
        limits.check_quota(conn, "21484", 10, bundles_per_day=2)
        limits.record_usage(conn, "21484", 10)
        limits.record_usage(conn, "21484", 10)
        with pytest.raises(limits.UploadRefused) as refused:
            limits.check_quota(conn, "21484", 10, bundles_per_day=2)
    assert refused.value.status == 429
    assert db.query("SELECT bundles, bytes FROM hub_upload_usage") == [{"bundles": 2, "bytes": 20}]


def test_retention_deletes_old_raw_files_once(hub):
    paths, db = hub
    _bundle(db, "old", "21484", received_at=utc_iso(now_utc() - dt.timedelta(days=500)))
    _bundle(db, "new", "21484")
    for name in ("old", "new"):
        (paths.bundles_dir / "21484").mkdir(exist_ok=True)
        (paths.bundles_dir / "21484" / f"{name}.zip").write_bytes(b"PK")
    with db.transaction() as conn:
        assert limits.apply_retention(paths.bundles_dir, conn, 400) == 1
    with db.transaction() as conn:
        assert limits.apply_retention(paths.bundles_dir, conn, 400) == 0
    assert not (paths.bundles_dir / "21484" / "old.zip").exists() and (paths.bundles_dir / "21484" / "new.zip").exists()
    assert db.scalar("SELECT count(*) FROM bundles") == 2  # its record stays: a second arrival is a duplicate


def test_province_sequence_numbers_and_signed_listing(hub):
    paths, db = hub
    with db.transaction() as conn:
        for i in range(3):
            bundle_id = f"p{i}"
            conn.execute("INSERT INTO outgoing(bundle_id, unit, kind, file_name, records, size, created_at) "
                         "VALUES (?, '21484', 'province', ?, 1, 10, ?)", (bundle_id, f"x/{bundle_id}.zip", utc_iso()))
            sequence.record(conn, "21484", sequence.next_seq(conn, "21484"), bundle_id)
    assert sequence.head(db.conn, "21484") == 3 and sequence.head(db.conn, "21478") == 0
    listing = sequence.signed_listing(db, paths.outgoing_dir, hubstore.province_keypair(paths), "21484", 1,
                                      "n" * 16, limit=10)
    assert [b["seq"] for b in listing["bundles"]] == [2, 3]
    assert json.loads(listing["listing"])["head_seq"] == 3
    with pytest.raises(Exception):  # a number is never given twice
        with db.transaction() as conn:
            sequence.record(conn, "21484", 3, "p-other")


def _cli(*args, data_dir, stdin=None):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args, "--data-dir", str(data_dir)],
                          input=stdin, capture_output=True, encoding="utf-8", cwd=ROOT, timeout=120,
                          env=scrubbed_env(PYTHONPATH=str(ROOT)))


def test_admin_commands_on_either_store(tmp_path, hub_database):
    hub_dir = tmp_path / "hub"
    init = _cli("hub", "init", data_dir=hub_dir)
    assert init.returncode == 0, init.stderr
    assert hubstore.HubPaths(hub_dir).config().is_postgres == bool(hub_database)
    key = _key(tmp_path, "pc")
    assert _cli("hub", "register", "--unit", "21484", "--public-key", key, data_dir=hub_dir).returncode == 0
    devices = _cli("hub", "devices", "--unit", "21484", "--json", data_dir=hub_dir)
    fingerprint = json.loads(devices.stdout)[0]["fingerprint"]
    revoked = _cli("hub", "revoke", "--unit", "21484", "--fingerprint", fingerprint, "--json", data_dir=hub_dir)
    assert revoked.returncode == 0 and json.loads(revoked.stdout)[0]["status"] == "revoked", revoked.stderr
    added = _cli("hub", "user", "add", "chi.tinh", "--role", "admin", "--password-stdin", data_dir=hub_dir,
                 stdin="mat-khau-dai-du\n")
    assert added.returncode == 0, added.stderr
    assert _cli("hub", "user", "passwd", "chi.tinh", "--password-stdin", data_dir=hub_dir,
                stdin="mat-khau-moi-dai\n").returncode == 0
    assert _cli("hub", "user", "disable", "chi.tinh", data_dir=hub_dir).returncode == 0
    users = json.loads(_cli("hub", "user", "list", "--json", data_dir=hub_dir).stdout)["users"]
    assert [(u["name"], u["disabled"]) for u in users] == [("chi.tinh", 1)]
    assert _cli("hub", "retention", "--keep-days", "30", data_dir=hub_dir).returncode == 0
    audit = json.loads(_cli("hub", "audit", "--json", data_dir=hub_dir).stdout)["audit"]
    assert [r["action"] for r in audit] == ["retention", "user_disable", "user_password", "user_add",
                                            "revoke_device", "register_unit"]
