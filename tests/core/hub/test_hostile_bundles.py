"""Hostile bundles fed to the hub: each refused with its reason, the hub's data unchanged."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import pytest

from core.hub import ingest
from core.hub.database import json_path
from core.sync import bundle as bundlemod
from core.sync import keys, outbox
from tests.core.sync.harness import add_rows, make_commune, make_hub, province_target_row


pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)


@pytest.fixture
def world(tmp_path, hub_database):
    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", "21484", hub)
    b = make_commune(tmp_path / "b", "21478", hub)
    add_rows(a, 3)
    first = outbox.cut_bundle(a.store, a.paths)
    with hub.store() as s:
        assert ingest.ingest_bytes(hub.paths, s, first.path.read_bytes(), via="usb").status == "applied"
    add_rows(a, 2)
    second = outbox.cut_bundle(a.store, a.paths)
    yield hub, a, b, second.path
    a.close()
    b.close()


def _ingest(hub, data: bytes):
    with hub.store() as s:
        return ingest.ingest_bytes(hub.paths, s, data, via="usb")


def _refused(hub, data: bytes, reason: str, *words: str):
    before = hub.snapshot()
    result = _ingest(hub, data)
    assert result.status == "rejected", result
    assert result.reason == reason, result
    for word in words:
        assert word in result.message, result.message
    assert hub.snapshot() == before
    with hub.store() as s:
        logged = s.query("SELECT reason, message FROM rejections ORDER BY id DESC LIMIT 1")[0]
    assert logged["reason"] == reason
    return result


def _rezip(valid: Path, extra: list[tuple[zipfile.ZipInfo | str, bytes]] = (), drop: set[str] = frozenset()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(valid) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename not in drop:
                dst.writestr(info.filename, src.read(info))
        for info, data in extra:
            dst.writestr(info, data)
    return out.getvalue()


def test_valid_second_bundle_is_applied(world):
    hub, a, b, path = world
    assert _ingest(hub, path.read_bytes()).status == "applied"


def test_flipped_byte_is_refused(world):
    hub, a, b, path = world
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(bundlemod.RECORDS)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0x01
    _refused(hub, bytes(data), "damaged", "hỏng")


def test_flipped_byte_in_manifest_breaks_the_signature(world):
    hub, a, b, path = world
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        manifest = zf.read(bundlemod.MANIFEST)
    # Re-store the manifest with one character changed: zip checksums fine, signature not.
    changed = manifest.replace(b'"records.jsonl"', b'"records.jsonl" ', 1)
    data = _rezip(path, drop={bundlemod.MANIFEST}, extra=[(bundlemod.MANIFEST, changed)])
    _refused(hub, data, "bad_signature", "Chữ ký")


def test_truncated_file_is_refused(world):
    hub, a, b, path = world
    data = path.read_bytes()
    _refused(hub, data[: len(data) // 2], "damaged", "cắt cụt")


@pytest.mark.parametrize("name", ["../x", "/etc/x", "attachments/../../x", "C:/x", "a\\..\\x"])
def test_paths_leaving_the_bundle_are_refused(world, name):
    hub, a, b, path = world
    _refused(hub, _rezip(path, extra=[(name, b"x")]), "unsafe_member", "không an toàn")


def test_link_member_is_refused(world):
    hub, a, b, path = world
    link = zipfile.ZipInfo("attachments/link")
    link.external_attr = (0o120777 << 16)
    _refused(hub, _rezip(path, extra=[(link, b"/etc/passwd")]), "unsafe_member", "liên kết")


def test_zip_bomb_by_ratio_is_refused(world):
    hub, a, b, path = world
    bomb = zipfile.ZipInfo("attachments/bomb.bin")
    bomb.compress_type = zipfile.ZIP_DEFLATED
    _refused(hub, _rezip(path, extra=[(bomb, b"\0" * (20 * 1024 * 1024))]), "too_large", "bom zip")


def test_zip_bomb_by_declared_size_is_refused(world):
    hub, a, b, path = world
    data = bytearray(path.read_bytes())
    # Patch the central directory's uncompressed size of records.jsonl to 3 GB.
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(bundlemod.RECORDS)
    offset, patched = data.find(b"PK\x01\x02"), False
    while offset != -1:
        name_len = struct.unpack_from("<H", data, offset + 28)[0]
        if data[offset + 46: offset + 46 + name_len] == info.filename.encode():
            struct.pack_into("<I", data, offset + 24, 3_000_000_000)
            patched = True
            break
        offset = data.find(b"PK\x01\x02", offset + 4)
    assert patched
    _refused(hub, bytes(data), "too_large", "quá lớn")


def test_too_many_members_is_refused(world):
    hub, a, b, path = world
    extra = [(f"attachments/f{i}", b"") for i in range(1001)]
    _refused(hub, _rezip(path, extra=extra), "too_large", "quá nhiều")


def test_unlisted_member_is_refused(world):
    hub, a, b, path = world
    _refused(hub, _rezip(path, extra=[("attachments/extra.txt", b"hello")]), "damaged", "thừa")


def test_missing_signature_is_refused(world):
    hub, a, b, path = world
    _refused(hub, _rezip(path, drop={bundlemod.SIGNATURE}), "bad_signature", "không có chữ ký")


def test_wrong_signature_is_refused(world, tmp_path):
    hub, a, b, path = world
    stranger = keys.load_or_create(tmp_path / "stranger")
    with zipfile.ZipFile(path) as zf:
        manifest = zf.read(bundlemod.MANIFEST)
    import base64

    forged = base64.b64encode(stranger.sign(manifest))
    _refused(hub, _rezip(path, drop={bundlemod.SIGNATURE}, extra=[(bundlemod.SIGNATURE, forged)]),
             "bad_signature", "Chữ ký")


def test_bundle_signed_with_another_units_key_is_refused(world, tmp_path):
    hub, a, b, path = world
    # Commune B signs a bundle that claims to come from A, carrying rows stamped A.
    records = [("staff", "x-1", "insert", 1, {"id": "x-1", "created_at": "2026-01-01T00:00:00.000Z",
                                              "updated_at": "2026-01-01T00:00:00.000Z", "origin": a.code,
                                              "full_name": "Giả mạo"})]
    forged, _ = bundlemod.write_bundle(tmp_path / "forged", kind="changes", source=a.code, destination="province",
                                       signer=keys.load_or_create(b.paths.keys_dir), records=records,
                                       seq_from=100, seq_to=100)
    # Sync v2: keys are looked up by (unit, fingerprint), so B's key is simply not one of A's …
    _refused(hub, forged.read_bytes(), "unknown_sender")
    # … and naming A's fingerprint makes the hub check A's key, which did not sign it.
    from core.sync import identity

    forged, _ = bundlemod.write_bundle(tmp_path / "forged2", kind="changes", source=a.code, destination="province",
                                       signer=keys.load_or_create(b.paths.keys_dir), records=records,
                                       seq_from=100, seq_to=100,
                                       extra={"signer_fingerprint": identity.describe(a.store, a.paths)["fingerprint"]})
    _refused(hub, forged.read_bytes(), "bad_signature")


def test_rows_of_another_unit_are_refused(world, tmp_path):
    hub, a, b, path = world
    # B signs honestly as B but carries a row stamped as A's.
    row = a.store.query("SELECT * FROM staff LIMIT 1")[0]
    bad, _ = bundlemod.write_bundle(tmp_path / "bad", kind="changes", source=b.code, destination="province",
                                    signer=keys.load_or_create(b.paths.keys_dir),
                                    records=[("staff", row["id"], "update", 1, row)], seq_from=1, seq_to=1)
    _refused(hub, bad.read_bytes(), "ownership", a.code)


def test_row_id_owned_by_another_unit_is_refused(world, tmp_path):
    hub, a, b, path = world
    # B re-stamps one of A's row ids with its own origin: still A's row at the hub.
    row = dict(a.store.query("SELECT * FROM staff LIMIT 1")[0], origin=b.code, full_name="Ghi đè")
    bad, _ = bundlemod.write_bundle(tmp_path / "bad", kind="changes", source=b.code, destination="province",
                                    signer=keys.load_or_create(b.paths.keys_dir),
                                    records=[("staff", row["id"], "update", 1, row)], seq_from=1, seq_to=1)
    _refused(hub, bad.read_bytes(), "ownership", "vốn thuộc")


def test_unregistered_unit_is_refused(world, tmp_path):
    hub, a, b, path = world
    c = make_commune(tmp_path / "c", "21490")
    add_rows(c, 1)
    cut = outbox.cut_bundle(c.store, c.paths)
    _refused(hub, cut.path.read_bytes(), "unknown_sender", "chưa được đăng ký")
    c.close()


def test_replay_is_a_no_op(world):
    hub, a, b, path = world
    assert _ingest(hub, path.read_bytes()).status == "applied"
    before = hub.snapshot()
    again = _ingest(hub, path.read_bytes())
    assert again.status == "duplicate"
    assert hub.snapshot() == before


def test_bundle_editing_province_rows_is_refused(world, tmp_path):
    hub, a, b, path = world
    row = dict(province_target_row(), origin=a.code)
    bad, _ = bundlemod.write_bundle(tmp_path / "bad", kind="changes", source=a.code, destination="province",
                                    signer=keys.load_or_create(a.paths.keys_dir),
                                    records=[("dossier_targets", row["id"], "insert", 50, row)],
                                    seq_from=50, seq_to=50)
    _refused(hub, bad.read_bytes(), "ownership", "dossier_targets", "của tỉnh")


def test_unknown_table_is_refused(world, tmp_path):
    hub, a, b, path = world
    row = {"id": "r1", "updated_at": "2026-01-01T00:00:00.000Z", "origin": a.code}
    bad, _ = bundlemod.write_bundle(tmp_path / "bad", kind="changes", source=a.code, destination="province",
                                    signer=keys.load_or_create(a.paths.keys_dir),
                                    records=[("settings", "r1", "insert", 50, row)], seq_from=50, seq_to=50)
    _refused(hub, bad.read_bytes(), "unsupported_format", "settings", "cập nhật")


def test_unknown_format_version_is_refused_naming_the_version(world, tmp_path):
    hub, a, b, path = world
    newer, _ = bundlemod.write_bundle(tmp_path / "newer", kind="changes", source=a.code, destination="province",
                                      signer=keys.load_or_create(a.paths.keys_dir), seq_from=50, seq_to=50,
                                      extra={"format_version": 7})
    result = _refused(hub, newer.read_bytes(), "unsupported_format", "phiên bản 7", "phiên bản 1")
    assert "cập nhật" in result.message


def test_same_id_different_content_is_refused(world, tmp_path):
    hub, a, b, path = world
    first = _ingest(hub, path.read_bytes())
    other, _ = bundlemod.write_bundle(tmp_path / "other", kind="changes", source=a.code, destination="province",
                                      signer=keys.load_or_create(a.paths.keys_dir), seq_from=90, seq_to=90,
                                      bundle_id=first.bundle_id)
    _refused(hub, other.read_bytes(), "damaged", "Mã gói")


def test_not_a_zip_is_refused(world):
    hub, a, b, path = world
    _refused(hub, b"<html>captive portal</html>", "damaged")


def test_records_not_matching_manifest_counts_are_refused(world, tmp_path):
    hub, a, b, path = world
    pair = keys.load_or_create(a.paths.keys_dir)
    good, manifest = bundlemod.write_bundle(tmp_path / "g", kind="changes", source=a.code, destination="province",
                                            signer=pair, seq_from=60, seq_to=60)
    manifest["counts"] = {"staff": 5}
    manifest["record_count"] = 5
    raw = json.dumps(manifest).encode()
    import base64

    data = _rezip(good, drop={bundlemod.MANIFEST, bundlemod.SIGNATURE},
                  extra=[(bundlemod.MANIFEST, raw), (bundlemod.SIGNATURE, base64.b64encode(pair.sign(raw)))])
    _refused(hub, data, "damaged", "Số bản ghi")


def _signed_lines(tmp_path, pair, source: str, raw: bytes, counts: dict) -> bytes:
    """A correctly signed bundle whose records.jsonl is exactly `raw` (a commune with a valid key gone rogue)."""
    import base64
    import hashlib

    empty, manifest = bundlemod.write_bundle(tmp_path / "rogue", kind="changes", source=source,
                                             destination="province", signer=pair, seq_from=70, seq_to=70)
    manifest["members"] = {"records.jsonl": {"sha256": hashlib.sha256(raw).hexdigest(), "size": len(raw)}}
    manifest["counts"] = counts
    manifest["record_count"] = sum(counts.values())
    manifest_bytes = json.dumps(manifest).encode()
    return _rezip(empty, drop={bundlemod.RECORDS, bundlemod.MANIFEST, bundlemod.SIGNATURE},
                  extra=[(bundlemod.RECORDS, raw), (bundlemod.MANIFEST, manifest_bytes),
                         (bundlemod.SIGNATURE, base64.b64encode(pair.sign(manifest_bytes)))])


ROW_OK = '{"id":"q1","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z","origin":"21484","full_name":"A"}'


@pytest.mark.parametrize("line, words", [
    ('{"t":"staff","id":"q1","op":"insert","seq":NaN,"row":' + ROW_OK + '}', "JSON"),
    ('{"t":"staff","id":"q1","op":"insert","seq":1,"row":' + ROW_OK, "JSON"),
    ('["staff","q1"]', "tên bảng"),
    ('{"t":1,"id":"q1","op":"insert","seq":1,"row":' + ROW_OK + '}', "tên bảng"),
    ('{"t":"staff","id":"","op":"insert","seq":1,"row":' + ROW_OK + '}', "mã bản ghi"),
    ('{"t":"staff","id":"q1","op":"drop","seq":1,"row":' + ROW_OK + '}', "thao tác"),
    ('{"t":"staff","id":"q1","op":"insert","seq":1.5,"row":' + ROW_OK + '}', "số thứ tự"),
    ('{"t":"staff","id":"q1","op":"insert","seq":-2,"row":' + ROW_OK + '}', "số thứ tự"),
    ('{"t":"staff","id":"q1","op":"purge","seq":1,"row":' + ROW_OK + '}', "xóa hẳn"),
    ('{"t":"staff","id":"q2","op":"insert","seq":1,"row":' + ROW_OK + '}', "nội dung"),
    ('{"t":"staff","id":"q1","op":"insert","seq":1,"row":"x"}', "nội dung"),
])
def test_signed_but_malformed_records_are_refused(world, tmp_path, line, words):
    hub, a, b, path = world
    data = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code, line.encode() + b"\n", {"staff": 1})
    _refused(hub, data, "damaged", words)


def test_signed_records_with_wrong_counts_are_refused(world, tmp_path):
    hub, a, b, path = world
    line = '{"t":"staff","id":"q1","op":"insert","seq":1,"row":' + ROW_OK + '}\n'
    data = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code, line.encode() * 2, {"staff": 1})
    _refused(hub, data, "damaged", "không khớp")


def test_signed_well_formed_lines_are_applied(world, tmp_path):
    hub, a, b, path = world
    line = '{"t":"staff","id":"q1","op":"insert","seq":1,"row":' + ROW_OK + '}\n'
    data = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code, line.encode(), {"staff": 1})
    assert _ingest(hub, data).status == "applied"
    with hub.store() as s:
        state = s.scalar(f"SELECT {json_path(s, 'state', 'row.full_name')} FROM rows WHERE row_id = 'q1'")
    assert state == "A"


def _staff_line(row_id: str, name: str = "A") -> str:
    row = json.loads(ROW_OK) | {"id": row_id, "full_name": name}
    return json.dumps({"t": "staff", "id": row_id, "op": "insert", "seq": 1, "row": row},
                      ensure_ascii=False, separators=(",", ":"))


def test_signed_lines_not_utf8_are_refused(world, tmp_path):
    hub, a, b, path = world
    raw = (_staff_line("q1") + "\n").encode() + _staff_line("q2", "\u00c9").encode("latin-1") + b"\n"
    data = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code, raw, {"staff": 2})
    _refused(hub, data, "damaged", "UTF-8")


def test_signed_line_with_nul_byte_is_refused_naming_the_line(world, tmp_path):
    # SQLite's JSON parser stops at a NUL: what follows it would be stored unchecked.
    hub, a, b, path = world
    raw = (_staff_line("q1") + "\n" + _staff_line("q2") + "\x00garbage\n").encode()
    data = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code, raw, {"staff": 2})
    _refused(hub, data, "damaged", "số 2", "NUL")


def test_malformed_json_is_refused_naming_its_line(world, tmp_path):
    hub, a, b, path = world
    raw = (_staff_line("q1") + "\n" + _staff_line("q2") + "\n" + _staff_line("q3")[:-1] + "\n").encode()
    data = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code, raw, {"staff": 3})
    _refused(hub, data, "damaged", "số 3", "JSON")


def test_vietnamese_lines_across_utf8_check_chunks_are_stored_as_signed(world, tmp_path):
    """Multi-byte letters straddling the 64 KiB pieces the UTF-8 check reads are accepted, and
    each row's state is the signed line itself, as text."""
    hub, a, b, path = world
    lines = [_staff_line(f"v{i}", "Nguyễn Thị Hồng Nhung Đỗ Ưng " * (i % 7 + 1)) for i in range(400)]
    raw = "".join(line + "\n" for line in lines).encode()
    assert len(raw) > 2 * 65536
    data = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code, raw, {"staff": 400})
    assert _ingest(hub, data).status == "applied"
    with hub.store() as s:
        stored = s.query("SELECT row_id, state FROM rows WHERE row_id LIKE 'v%'")
        if s.dialect == "sqlite":  # stored as TEXT, not as a BLOB (PostgreSQL's column is text)
            assert s.scalar("SELECT DISTINCT typeof(state) FROM rows WHERE row_id LIKE 'v%'") == "text"
    assert all(isinstance(r["state"], str) for r in stored)
    assert {r["row_id"]: r["state"] for r in stored} == {f"v{i}": line for i, line in enumerate(lines)}


# -- records.jsonl is verified on a second thread while its lines are staged (core.hub.receive) --

def _no_reader_left():
    import threading

    return not [t for t in threading.enumerate() if t.name == "bundle-records"]


@pytest.fixture
def tiny_pieces(monkeypatch):
    """Hand records.jsonl over 7 bytes at a time: lines, letters and NULs straddle the pieces."""
    from core.hub import receive

    monkeypatch.setattr(receive, "PIECE", 7)
    monkeypatch.setattr(receive, "_UTF8_SLICE", 3)


def test_lines_straddling_the_pieces_are_stored_as_signed(world, tmp_path, tiny_pieces):
    hub, a, b, path = world
    lines = [_staff_line(f"p{i}", "Nguyễn Thị Hồng Đỗ Ưng " * (i % 3 + 1)) for i in range(30)]
    raw = "\n".join(lines).encode()  # the last line without its newline is a line too
    data = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code, raw, {"staff": 30})
    assert _ingest(hub, data).status == "applied"
    with hub.store() as s:
        stored = s.query("SELECT row_id, state FROM rows WHERE row_id LIKE 'p%'")
    assert {r["row_id"]: r["state"] for r in stored} == {f"p{i}": line for i, line in enumerate(lines)}
    assert _no_reader_left()


def test_nul_and_bad_json_are_named_by_line_across_pieces(world, tmp_path, tiny_pieces):
    hub, a, b, path = world
    pair = keys.load_or_create(a.paths.keys_dir)
    good = "".join(_staff_line(f"q{i}") + "\n" for i in range(3))
    raw = (good + _staff_line("q3") + "\x00x\n").encode()
    _refused(hub, _signed_lines(tmp_path, pair, a.code, raw, {"staff": 4}), "damaged", "số 4", "NUL")
    raw = (good + _staff_line("q3")[:-1] + "\n" + _staff_line("q4") + "\n").encode()
    _refused(hub, _signed_lines(tmp_path / "j", pair, a.code, raw, {"staff": 5}), "damaged", "số 4", "JSON")
    assert _no_reader_left()


def test_invalid_utf8_is_named_before_an_earlier_nul(world, tmp_path, tiny_pieces):
    # The same precedence as checking the whole text first: not UTF-8, then NUL, then JSON.
    hub, a, b, path = world
    raw = (_staff_line("q1") + "\x00\n").encode() + _staff_line("q2", "\u00c9").encode("latin-1") + b"\n"
    data = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code, raw, {"staff": 2})
    _refused(hub, data, "damaged", "UTF-8")


@pytest.mark.parametrize("pieces", ["tiny", "default"])
def test_well_formed_records_not_matching_the_signed_hash_change_nothing(world, tmp_path, monkeypatch, pieces):
    """Every line is valid and gets staged while the hash is still being computed: the upload
    must still be refused, with nothing committed."""
    if pieces == "tiny":
        from core.hub import receive

        monkeypatch.setattr(receive, "PIECE", 7)
    hub, a, b, path = world
    signed = "".join(_staff_line(f"h{i}") + "\n" for i in range(50)).encode()
    sent = signed.replace(b'"full_name":"A"', b'"full_name":"B"', 1)  # same size, other content
    data = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code, signed, {"staff": 50})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, sent if name == bundlemod.RECORDS else content)
    _refused(hub, out.getvalue(), "damaged", "mã băm")
    assert _no_reader_left()


def test_damaged_records_are_reported_as_damaged_not_by_their_first_bad_line(world, tmp_path):
    hub, a, b, path = world
    signed = "".join(_staff_line(f"d{i}") + "\n" for i in range(50)).encode()
    sent = b"{not json" + signed[9:]  # same size: the hash is what tells them apart
    data = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code, signed, {"staff": 50})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, sent if name == bundlemod.RECORDS else content)
    result = _refused(hub, out.getvalue(), "damaged", "mã băm")
    assert "JSON" not in result.message


def test_one_connection_takes_a_refused_then_a_valid_upload(world, tmp_path):
    """A hub worker keeps its connection: a refusal must leave no staging tables or transaction behind."""
    hub, a, b, path = world
    bad = (_staff_line("q1") + "\n" + _staff_line("q2")[:-1] + "\n").encode()
    with hub.store() as s:
        refused = ingest.ingest_bytes(hub.paths, s, _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir),
                                                                   a.code, bad, {"staff": 2}), via="usb")
        assert refused.status == "rejected"
        assert not _staging_left(s)
        assert not s.conn.in_transaction
        if s.dialect == "sqlite":
            s.conn.execute("ATTACH DATABASE ':memory:' AS staging")  # as if an upload had died half-way
        assert ingest.ingest_bytes(hub.paths, s, path.read_bytes(), via="usb").status == "applied"
        assert not _staging_left(s)


def _staging_left(store) -> list[str]:
    if store.dialect == "sqlite":
        return [row[1] for row in store.conn.execute("PRAGMA database_list") if row[1] == "staging"]
    return [row[0] for row in store.conn.execute(
        "SELECT relname FROM pg_class WHERE relpersistence = 't' AND relkind = 'r'")]


def test_random_damage_is_refused_or_harmless_and_leaves_no_reader(world, tmp_path, tiny_pieces):
    """Bytes flipped anywhere in a bundle (seeded): the hub answers, never raises, changes nothing
    when it refuses, stores only the signed lines when it accepts (a flip in a part of the zip no
    check covers, e.g. a timestamp), and no reader thread outlives an upload."""
    import random

    hub, a, b, path = world
    signed = [_staff_line(f"r{i}", "Hồ sơ số hóa") for i in range(40)]
    valid = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code,
                          "".join(line + "\n" for line in signed).encode(), {"staff": 40})
    rng = random.Random(7)
    answers = set()
    for _ in range(60):
        data = bytearray(valid)
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        before = hub.snapshot()
        result = _ingest(hub, bytes(data))
        answers.add(result.status)
        assert _no_reader_left()
        if result.status == "rejected":
            assert result.reason and result.message
            assert hub.snapshot() == before
        else:
            assert result.status in ("applied", "duplicate"), result
            with hub.store() as s:
                stored = {r["row_id"]: r["state"] for r in s.query("SELECT row_id, state FROM rows WHERE row_id LIKE 'r%'")}
            assert stored == {f"r{i}": line for i, line in enumerate(signed)}
    assert "rejected" in answers
