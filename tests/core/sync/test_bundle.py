"""The bundle file itself: manifest, signature, hashes, limits, record shapes; the commune's inbox rules."""

from __future__ import annotations

import json
import zipfile

import pytest

from core.sync import bundle as bundlemod
from core.sync import inbox, keys
from core.sync.errors import (BundleDamaged, BundleTooLarge, OwnershipViolation, SignatureInvalid,
                              UnsupportedFormat)
from tests.core.sync.harness import make_commune, make_hub

ROW = {"id": "r1", "created_at": "2026-01-01T00:00:00.000Z", "updated_at": "2026-01-01T00:00:00.000Z",
       "origin": "21484", "full_name": "Nguyễn Văn A"}


@pytest.fixture
def pair(tmp_path):
    return keys.load_or_create(tmp_path / "k")


def _write(tmp_path, pair, records=(("staff", "r1", "insert", 1, ROW),), **kw):
    kw = {"kind": "changes", "source": "21484", "destination": "province", "seq_from": 1, "seq_to": 1, **kw}
    return bundlemod.write_bundle(tmp_path / "out", signer=pair, records=records, **kw)


def test_manifest_lists_everything_and_reads_back(tmp_path, pair):
    path, manifest = _write(tmp_path, pair, attachments={"cong_van.pdf": b"%PDF-1.4 test"})
    assert {"format_version", "bundle_id", "kind", "source", "destination", "seq_from", "seq_to", "created_at",
            "app_version", "schema_version", "counts", "members"} <= set(manifest)
    assert set(manifest["members"]) == {"records.jsonl", "attachments/cong_van.pdf"}
    opened = bundlemod.open_bundle(path, lambda m: pair.public)
    assert opened.records()[0]["row"] == ROW
    assert opened.attachments() == {"cong_van.pdf": b"%PDF-1.4 test"}
    with zipfile.ZipFile(path) as zf:
        assert json.loads(zf.read("manifest.json")) == manifest
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_signature_checked_against_the_expected_key(tmp_path, pair):
    path, _ = _write(tmp_path, pair)
    other = keys.load_or_create(tmp_path / "other")
    with pytest.raises(SignatureInvalid) as err:
        bundlemod.open_bundle(path, lambda m: other.public)
    assert "Chữ ký" in err.value.message


def test_limits_apply_before_unpacking(tmp_path, pair):
    path, _ = _write(tmp_path, pair, records=[("staff", f"r{i}", "insert", i, dict(ROW, id=f"r{i}"))
                                              for i in range(1, 2000)])
    with pytest.raises(BundleTooLarge):
        bundlemod.open_bundle(path, lambda m: pair.public, limits=bundlemod.Limits(max_file_bytes=1000))
    with pytest.raises(BundleTooLarge):
        bundlemod.open_bundle(path, lambda m: pair.public, limits=bundlemod.Limits(max_member_bytes=10_000))
    with pytest.raises(BundleTooLarge):
        bundlemod.open_bundle(path, lambda m: pair.public, limits=bundlemod.Limits(max_members=2))


@pytest.mark.parametrize("record, words", [
    (("staff; DROP TABLE x", "r1", "insert", 1, ROW), "tên bảng"),
    (("staff", "r1", "explode", 1, ROW), "thao tác"),
    (("staff", "r1", "insert", -4, ROW), "số thứ tự"),
    (("staff", "r2", "insert", 1, ROW), "nội dung"),
    (("staff", "r1", "purge", 1, ROW), "xóa hẳn"),
    (("staff", "r1", "insert", 1, dict(ROW, **{"x]; DROP": 1})), "tên cột"),
])
def test_bad_record_shapes_are_refused_even_when_signed(tmp_path, pair, record, words):
    path, _ = _write(tmp_path, pair, records=[record])
    opened = bundlemod.open_bundle(path, lambda m: pair.public)
    with pytest.raises(BundleDamaged) as err:
        opened.records()
    assert words in err.value.message


def test_unknown_format_version(tmp_path, pair):
    # Sync v2 (issue 13): versions 1 and 2 are read; 3 is not.
    path, _ = _write(tmp_path, pair, extra={"format_version": 3})
    with pytest.raises(UnsupportedFormat) as err:
        bundlemod.open_bundle(path, lambda m: pair.public)
    assert "phiên bản 3" in err.value.message and "phiên bản 2" in err.value.message


@pytest.mark.usefixtures("hub_database")
def test_commune_refuses_province_bundle_touching_commune_tables(tmp_path):
    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484", hub)
    province_pair = keys.load_or_create(hub.paths.keys_dir, keys.PROVINCE_KEY_FILE)
    staff_id = c.store.scalar("SELECT id FROM staff LIMIT 1")
    row = dict(c.store.get("staff", staff_id), full_name="Tỉnh sửa", updated_at="2099-01-01T00:00:00.000Z")
    before = c.store.query("SELECT * FROM staff ORDER BY id")
    path, _ = bundlemod.write_bundle(tmp_path / "p", kind="province", source="province", destination="21484",
                                     signer=province_pair, records=[("staff", staff_id, "update", 1, row)])
    with pytest.raises(OwnershipViolation):
        inbox.import_bundle_file(c.store, c.paths, path)
    unknown, _ = bundlemod.write_bundle(tmp_path / "p", kind="province", source="province", destination="21484",
                                        signer=province_pair,
                                        records=[("future_table", "x", "insert", 1, {"id": "x", "updated_at": "t"})])
    with pytest.raises(UnsupportedFormat) as err:
        inbox.import_bundle_file(c.store, c.paths, unknown)
    assert "cập nhật phần mềm" in err.value.message
    assert c.store.query("SELECT * FROM staff ORDER BY id") == before
    assert c.store.scalar("SELECT count(*) FROM sync_inbox") == 0
    c.close()


@pytest.mark.usefixtures("hub_database")
def test_commune_refuses_its_own_or_anothers_changes_bundle(tmp_path):
    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484", hub)
    path, _ = bundlemod.write_bundle(tmp_path / "x", kind="changes", source="21484", destination="province",
                                     signer=keys.load_or_create(c.paths.keys_dir), seq_from=1, seq_to=1)
    from core.sync.errors import UnknownSender

    with pytest.raises(UnknownSender) as err:
        inbox.import_bundle_file(c.store, c.paths, path)
    assert "không phải do tỉnh gửi" in err.value.message
    c.close()


def test_every_single_byte_flip_is_refused_or_harmless(tmp_path, pair):
    """Flip each byte of a real bundle in turn: the reader refuses it with a typed error, or (for zip
    bookkeeping the signature does not cover, e.g. timestamps) reads exactly the original records."""
    from core.sync.errors import BundleRejected

    records = [("staff", f"r{i}", "insert", i, dict(ROW, id=f"r{i}", full_name=f"Cán bộ {i}")) for i in range(1, 40)]
    path, _ = _write(tmp_path, pair, records=records, attachments={"a.txt": b"noi dung"})
    data = path.read_bytes()
    original = bundlemod.open_bundle_bytes(data, lambda m: pair.public).records()
    refused = 0
    for position in range(len(data)):
        flipped = bytearray(data)
        flipped[position] ^= 0x41
        try:
            got = bundlemod.open_bundle_bytes(bytes(flipped), lambda m: pair.public).records()
        except BundleRejected:
            refused += 1
            continue
        assert got == original, position
    assert refused > len(data) * 0.8
    for cut in range(0, len(data) - 1, 13):
        with pytest.raises(BundleRejected):
            bundlemod.open_bundle_bytes(data[:cut], lambda m: pair.public)


@pytest.mark.parametrize("line", [b'[1, 2]', b'{"t": ["staff"], "id": "r1", "op": "insert", "seq": 1, "row": {}}',
                                  b'{"t": {"a": 1}, "id": "r1", "op": "insert", "seq": 1, "row": {}}',
                                  b'{"t": "staff", "id": "r1", "op": ["insert"], "seq": 1, "row": {"id": "r1"}}',
                                  b'{"t": "staff", "id": "r1", "op": "insert", "seq": NaN, "row": {"id": "r1"}}',
                                  b'{"t": "staff", "id": "r1", "op": "insert", "seq": true, "row": {"id": "r1"}}',
                                  b'\xff\xfe'])
def test_any_malformed_line_is_a_typed_refusal(line):
    manifest = {"counts": {"staff": 1}, "record_count": 1}
    with pytest.raises(BundleDamaged):
        bundlemod.parse_records(line + b"\n", manifest)


@pytest.mark.usefixtures("hub_database")
def test_province_bundle_clashing_with_a_local_constraint_is_a_typed_refusal(tmp_path):
    from core.hub import province
    from core.sync.errors import BundleRejected

    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484", hub)

    def template(row_id):
        return {"id": row_id, "created_at": "2026-01-01T00:00:00.000Z", "updated_at": "2026-01-01T00:00:00.000Z",
                "deleted_at": None, "origin": "province", "created_by": None, "updated_by": None,
                "family": "hnth", "name": "Phiếu kiểm tra", "version": 1, "items_json": "[]", "source_note": None}

    with hub.store() as s:
        [first] = province.publish(hub.paths, s, [("checklist_templates", template("t-1"))], ["21484"])
        [second] = province.publish(hub.paths, s, [("checklist_templates", template("t-2"))], ["21484"])
    from pathlib import Path

    inbox.import_bundle_file(c.store, c.paths, Path(first["file"]))
    with pytest.raises(BundleRejected) as err:
        inbox.import_bundle_file(c.store, c.paths, Path(second["file"]))
    assert err.value.reason == "conflict" and "mâu thuẫn" in err.value.message
    assert c.store.scalar("SELECT count(*) FROM checklist_templates") == 1
    assert c.store.scalar("SELECT count(*) FROM sync_inbox") == 1
    c.close()
