"""The hub checks every commune row against the app's table catalogue (core.hub.validate).

Each hostile row is signed with the sending commune's real key (a commune gone rogue, or a
modified copy of the app): the signature is fine, the row is not. Every test runs twice: with
the protection, the bundle is refused with a typed reason and a Vietnamese message, nothing
changes and the refusal is logged; with the protection switched off in the test's setup
(`protected=False`), the same bundle is stored — which shows the test depends on that check.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import threading
import zipfile

import pytest

from core.clock import utc_iso
from core.hub import ingest, typed_lines, validate, validate_pg
from core.sync import bundle as bundlemod
from core.sync import keys, outbox
from db.migrations import latest_version
from tests.core.sync.harness import add_rows, make_commune, make_hub

pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)


NOW = utc_iso()


@pytest.fixture
def world(tmp_path, hub_database):
    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", "21484", hub)
    b = make_commune(tmp_path / "b", "21478", hub)
    add_rows(a, 3)
    first = outbox.cut_bundle(a.store, a.paths)
    assert _ingest(hub, first.path.read_bytes()).status == "applied"
    add_rows(a, 2)  # rows A has made but not yet sent
    second = outbox.cut_bundle(a.store, a.paths)
    yield hub, a, b, second
    a.close()
    b.close()


def _ingest(hub, data: bytes):
    with hub.store() as s:
        return ingest.ingest_bytes(hub.paths, s, data, via="usb")


def _expect(hub, data: bytes, protected: bool, reason: str, *words: str):
    """Refused (protected) and nothing changed, or — with the check switched off — stored."""
    before = hub.snapshot()
    try:
        result = _ingest(hub, data)
    except Exception as exc:
        # Unchecked, a year-9999 stamp of a first-format bundle makes a version beyond 64 bits:
        # SQLite stores it as a float, PostgreSQL's BIGINT column refuses it — either way the
        # stamp check is the only thing that refuses the bundle properly.
        if protected or "bigint out of range" not in str(exc):
            raise
        return None
    assert not [t for t in threading.enumerate() if t.name == "bundle-row-checks"]
    if not protected:
        assert result.status == "applied", result
        assert hub.snapshot() != before
        return result
    assert result.status == "rejected", result
    assert result.reason == reason, result
    for word in words:
        assert word in result.message, result.message
    assert hub.snapshot() == before
    with hub.store() as s:
        logged = s.query("SELECT reason, message FROM rejections ORDER BY id DESC LIMIT 1")[0]
    assert logged == {"reason": reason, "message": result.message}
    return result


def _bundle(tmp_path, commune, records, *, schema_version: int | None = None, seq: int = 500) -> bytes:
    path, _ = bundlemod.write_bundle(tmp_path / f"b{seq}", kind="changes", source=commune.code,
                                     destination=bundlemod.PROVINCE, signer=keys.load_or_create(commune.paths.keys_dir),
                                     records=records, seq_from=seq, seq_to=seq, schema_version=schema_version)
    return path.read_bytes()


def _staff(commune, row_id: str = "v1", **changes) -> tuple:
    row = {"id": row_id, "created_at": NOW, "updated_at": NOW, "deleted_at": None, "origin": commune.code,
           "created_by": None, "updated_by": None, "full_name": "Nguyễn Văn A", "position": None, "active": 1}
    row.update(changes)
    return ("staff", row_id, "insert", 500, row)


def _dossier(commune, row_id: str = "d1", **changes) -> dict:
    row = {"id": row_id, "created_at": NOW, "updated_at": NOW, "deleted_at": None, "origin": commune.code,
           "created_by": None, "updated_by": None, "code": "000.00.53.H48-260101-0001", "field": "Hộ tịch",
           "procedure_name": None, "procedure_code": None, "received_on": "2026-01-02", "promised_on": None,
           "finished_on": None, "channel": 1, "components_digitised": 0, "result_digitised": "no",
           "data_reused": 0, "vneid_identified": 0, "fee": "no_fee", "supplement_requests": 0, "supplement_days": 0}
    row.update(changes)
    return row


def _off(monkeypatch, protected: bool, name: str, replacement) -> None:
    """Switch a check off, on both stores' paths (core.hub.validate_pg has its PostgreSQL twin, and
    PostgreSQL's typed staging checks the stamps of the app's own lines as it stages them)."""
    if not protected:
        monkeypatch.setattr(validate, name, replacement)
        if hasattr(validate_pg, name):
            monkeypatch.setattr(validate_pg, name, replacement)
        if name == "_stamps_sql":
            monkeypatch.setattr(typed_lines.TypedStaging, "_stamp_bad", lambda self, token: False)


# -- positive controls ------------------------------------------------------------------------

def test_every_table_of_a_real_commune_passes(world):
    hub, a, b, second = world
    assert _ingest(hub, second.path.read_bytes()).status == "applied"


def test_a_row_of_an_older_schema_version_with_fewer_columns_is_accepted(world, tmp_path):
    hub, a, b, second = world
    row = _dossier(a)
    del row["supplement_requests"], row["supplement_days"]  # added by migration 7
    assert _ingest(hub, _bundle(tmp_path, a, [("dossiers", "d1", "insert", 500, row)], schema_version=6)).status \
        == "applied"


# -- columns and types ------------------------------------------------------------------------

@pytest.mark.parametrize("protected", [True, False])
@pytest.mark.parametrize("column, value", [("citizen_name", "Trần Thị B"), ("cccd", "051234567890")])
def test_undeclared_personal_columns_are_refused(world, tmp_path, monkeypatch, protected, column, value):
    hub, a, b, second = world
    _off(monkeypatch, protected, "line_check_sql", lambda catalogue: "NULL")
    row = _dossier(a, **{column: value})
    _expect(hub, _bundle(tmp_path, a, [_staff(a), ("dossiers", "d1", "insert", 500, row)]), protected,
            "invalid_row", "số 2", "dossiers", column, "không có trong cấu trúc")


@pytest.mark.parametrize("protected", [True, False])
def test_a_column_of_a_later_schema_version_is_refused(world, tmp_path, monkeypatch, protected):
    hub, a, b, second = world
    _off(monkeypatch, protected, "line_check_sql", lambda catalogue: "NULL")
    row = _dossier(a)  # supplement_requests exists only from schema version 7
    _expect(hub, _bundle(tmp_path, a, [("dossiers", "d1", "insert", 500, row)], schema_version=6), protected,
            "invalid_row", "supplement_")


@pytest.mark.parametrize("protected", [True, False])
@pytest.mark.parametrize("changes, words", [
    ({"full_name": 12}, ("full_name", "chuỗi ký tự", "số nguyên")),
    ({"active": "yes"}, ("active", "số nguyên", "chuỗi ký tự")),
    ({"active": 1.5}, ("active", "số thập phân")),
    ({"full_name": None}, ("full_name", "để trống")),
    ({"position": {"x": 1}}, ("position", "đối tượng JSON")),
    ({"position": ["a"]}, ("position", "mảng JSON")),
    ({"active": True}, ("active", "đúng/sai")),
])
def test_values_of_the_wrong_type_are_refused(world, tmp_path, monkeypatch, protected, changes, words):
    hub, a, b, second = world
    _off(monkeypatch, protected, "line_check_sql", lambda catalogue: "NULL")
    _expect(hub, _bundle(tmp_path, a, [_staff(a, **changes)]), protected, "invalid_row", *words)


def test_a_real_number_column_takes_integers_and_reals(world, tmp_path):
    hub, a, b, second = world
    row = {"id": "i1", "created_at": NOW, "updated_at": NOW, "origin": a.code, "run_id": "r", "position": 1,
           "category": "c", "text": "t", "kind": "number", "threshold": 10, "critical": 0}
    records = [("checklist_run_items", "i1", "insert", 500, row),
               ("checklist_run_items", "i2", "insert", 500, dict(row, id="i2", threshold=2.5))]
    assert _ingest(hub, _bundle(tmp_path, a, records)).status == "applied"


@pytest.mark.parametrize("protected", [True, False])
def test_a_column_given_twice_is_refused(world, tmp_path, monkeypatch, protected):
    """SQLite reads the first of two equal keys and Python's json the last: a repeated column
    could show one value to the checks and another to a reader."""
    hub, a, b, second = world
    _off(monkeypatch, protected, "line_check_sql", lambda catalogue: "NULL")
    line = json.dumps({"t": "staff", "id": "v1", "op": "insert", "seq": 500, "row": _staff(a)[4]},
                      ensure_ascii=False, separators=(",", ":"))
    line = line.replace('"full_name":"Nguyễn Văn A"', '"full_name":"Nguyễn Văn A","full_name":"Khác"')
    _expect(hub, _raw_bundle(tmp_path, a, (line + "\n").encode(), {"staff": 1}), protected, "invalid_row",
            "full_name", "hai lần")


def _raw_bundle(tmp_path, commune, raw: bytes, counts: dict) -> bytes:
    """A correctly signed bundle whose records.jsonl is exactly `raw`."""
    pair = keys.load_or_create(commune.paths.keys_dir)
    empty, manifest = bundlemod.write_bundle(tmp_path / "raw", kind="changes", source=commune.code,
                                             destination="province", signer=pair, seq_from=500, seq_to=500)
    manifest.update(members={"records.jsonl": {"sha256": hashlib.sha256(raw).hexdigest(), "size": len(raw)}},
                    counts=counts, record_count=sum(counts.values()))
    manifest_bytes = json.dumps(manifest).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(bundlemod.RECORDS, raw)
        zf.writestr(bundlemod.MANIFEST, manifest_bytes)
        zf.writestr(bundlemod.SIGNATURE, base64.b64encode(pair.sign(manifest_bytes)))
    return out.getvalue()


# -- stamps ------------------------------------------------------------------------------------

@pytest.mark.parametrize("protected", [True, False])
@pytest.mark.parametrize("column, value, words", [
    ("updated_at", "9999-12-31T23:59:59.999Z", ("9999", "muộn hơn giờ của máy chủ tỉnh")),
    ("created_at", "9999-12-31T23:59:59.999Z", ("created_at", "muộn hơn")),
    ("deleted_at", "9999-12-31T23:59:59.999Z", ("deleted_at", "muộn hơn")),
    ("updated_at", "1970-01-01T00:00:00.000Z", ("sớm hơn năm 2000",)),
    ("updated_at", "2026-13-01T00:00:00.000Z", ("không đúng dạng",)),
    ("updated_at", "2026-01-01 00:00:00", ("không đúng dạng",)),
    ("updated_at", "2026-01-01T24:00:00.000Z", ("không đúng dạng",)),
    ("updated_at", 20260101, ("updated_at", "chuỗi ký tự")),
    ("updated_at", None, ("updated_at",)),
])
def test_bad_or_unbounded_stamps_are_refused(world, tmp_path, monkeypatch, protected, column, value, words):
    hub, a, b, second = world
    _off(monkeypatch, protected, "_stamps_sql", lambda upper: "NULL")
    _off(monkeypatch, protected, "line_check_sql", lambda catalogue: "NULL")  # types would catch a few too
    _expect(hub, _bundle(tmp_path, a, [_staff(a, **{column: value})]), protected, "invalid_row", *words)


def test_a_clock_a_few_hours_fast_is_accepted(world, tmp_path):
    hub, a, b, second = world
    ahead = utc_iso(dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=7))  # local time taken for UTC
    assert _ingest(hub, _bundle(tmp_path, a, [_staff(a, updated_at=ahead)])).status == "applied"


def test_a_bundle_refused_for_a_fast_clock_is_accepted_once_the_hub_catches_up(world, tmp_path, monkeypatch):
    hub, a, b, second = world
    ahead = utc_iso(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3))
    data = _bundle(tmp_path, a, [_staff(a, updated_at=ahead)])
    assert _ingest(hub, data).status == "rejected"
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3)
    monkeypatch.setattr(validate, "now_utc", lambda: later)
    monkeypatch.setattr(ingest, "now_utc", lambda: later)
    assert _ingest(hub, data).status == "applied"


# -- schema version ----------------------------------------------------------------------------

@pytest.mark.parametrize("protected", [True, False])
@pytest.mark.parametrize("version, words", [(99, ("99", "cập nhật phần mềm ở tỉnh")), (0, ("không hợp lệ",)),
                                            (-3, ("không hợp lệ",))])
def test_an_unknown_schema_version_is_refused(world, tmp_path, monkeypatch, protected, version, words):
    hub, a, b, second = world
    _off(monkeypatch, protected, "check_manifest", lambda manifest: validate.catalogues()[latest_version()])
    data = _bundle(tmp_path, a, [_staff(a)], schema_version=version)
    _expect(hub, data, protected, "unknown_schema", *words)


@pytest.mark.parametrize("protected", [True, False])
def test_a_manifest_stamped_in_year_9999_is_refused(world, tmp_path, monkeypatch, protected):
    hub, a, b, second = world
    _off(monkeypatch, protected, "check_manifest", lambda manifest: validate.catalogues()[latest_version()])
    pair = keys.load_or_create(a.paths.keys_dir)
    path, manifest = bundlemod.write_bundle(tmp_path / "m", kind="changes", source=a.code, destination="province",
                                            signer=pair, records=[_staff(a)], seq_from=500, seq_to=500)
    manifest["created_at"] = "9999-01-01T00:00:00.000Z"
    manifest_bytes = json.dumps(manifest).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        dst.writestr(bundlemod.RECORDS, src.read(bundlemod.RECORDS))
        dst.writestr(bundlemod.MANIFEST, manifest_bytes)
        dst.writestr(bundlemod.SIGNATURE, base64.b64encode(pair.sign(manifest_bytes)))
    _expect(hub, out.getvalue(), protected, "invalid_row", "Thời điểm tạo gói", "9999")


# -- purges ------------------------------------------------------------------------------------

@pytest.mark.parametrize("protected", [True, False])
def test_a_purge_cannot_claim_another_units_unsent_ids_and_the_owner_is_still_accepted(
        world, tmp_path, monkeypatch, protected):
    """B learns ids A has made but not sent yet and sends purges for them (no row, so no origin).
    Refused; A's own bundle with those rows is then applied. Without the check, B would own the
    ids at the hub and A's bundle would be refused forever."""
    hub, a, b, second = world
    _off(monkeypatch, protected, "check_purges", lambda conn, unit: None)
    unsent = [r["id"] for r in a.store.query("SELECT id FROM staff ORDER BY created_at DESC LIMIT 2")]
    purges = [("staff", row_id, "purge", 500 + i, None) for i, row_id in enumerate(unsent)]
    _expect(hub, _bundle(tmp_path, b, purges), protected, "ownership", unsent[0], "chưa từng gửi", b.code)
    owner = _ingest(hub, second.path.read_bytes())
    if protected:
        assert owner.status == "applied", owner
        with hub.store() as s:
            held = {r["row_id"]: r["unit"] for r in s.query("SELECT row_id, unit FROM rows WHERE table_name = 'staff'")}
        assert all(held[row_id] == a.code for row_id in unsent)
    else:
        assert owner.status == "rejected" and owner.reason == "ownership"


def test_a_purge_of_a_row_another_unit_already_sent_is_refused(world, tmp_path):
    hub, a, b, second = world
    sent = a.store.query("SELECT id FROM staff ORDER BY created_at LIMIT 1")[0]["id"]
    result = _ingest(hub, _bundle(tmp_path, b, [("staff", sent, "purge", 500, None)]))
    assert result.status == "rejected" and result.reason == "ownership"


def test_a_unit_may_purge_its_own_sent_row(world, tmp_path):
    hub, a, b, second = world
    sent = a.store.query("SELECT id FROM staff ORDER BY created_at LIMIT 1")[0]["id"]
    assert _ingest(hub, _bundle(tmp_path, a, [("staff", sent, "purge", 500, None)])).status == "applied"
    with hub.store() as s:
        assert s.scalar("SELECT deleted FROM rows WHERE row_id = ?", (sent,)) == 1


def test_a_tombstone_of_a_row_never_sent_is_the_senders_own_row(world, tmp_path):
    """Made and deleted between two syncs: it travels as a tombstone with the sender's origin."""
    hub, a, b, second = world
    row = _staff(a, "t1", deleted_at=NOW)[4]
    assert _ingest(hub, _bundle(tmp_path, a, [("staff", "t1", "delete", 500, row)])).status == "applied"


def test_the_catalogue_follows_the_apps_migrations():
    known = validate.catalogues()
    assert sorted(known) == list(range(1, latest_version() + 1))
    newest = known[latest_version()]
    assert newest.columns["dossiers"]["supplement_days"] == ("integer",)
    assert newest.columns["staff"]["position"] == ("text", "null")
    assert newest.columns["dossier_targets"]["target"] == ("integer", "real")
    assert "supplement_days" not in known[6].columns["dossiers"]
    assert "dossiers" in newest.commune_tables() and "directives" not in newest.commune_tables()
