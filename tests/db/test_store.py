import pytest

from core.errors import NotFoundError
from core.textfold import fts_query


def _log(store):
    return [(r["table_name"], r["op"]) for r in store.query("SELECT table_name, op FROM change_log ORDER BY seq")]


def test_change_log_records_insert_update_delete(commune_store):
    store = commune_store
    before = len(_log(store))
    staff_id = store.insert("staff", {"full_name": "Hà Văn Tú", "active": 1})
    store.update("staff", staff_id, {"position": "Công chức Văn phòng - Thống kê"})
    store.delete("staff", staff_id)
    assert _log(store)[before:] == [("staff", "insert"), ("staff", "update"), ("staff", "delete")]
    row = store.get("staff", staff_id, include_deleted=True)
    assert row["deleted_at"] and row["origin"] == "21484"
    assert row["created_by"] == store.actor and row["updated_by"] == store.actor
    with pytest.raises(NotFoundError):
        store.get("staff", staff_id)
    seqs = [r["seq"] for r in store.query("SELECT seq FROM change_log ORDER BY seq")]
    assert seqs == sorted(set(seqs))


def test_transaction_rolls_back_every_step(commune_store):
    store = commune_store
    count = store.scalar("SELECT count(*) FROM staff")
    log_count = store.scalar("SELECT count(*) FROM change_log")
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.insert("staff", {"full_name": "A", "active": 1})
            store.insert("staff", {"full_name": "B", "active": 1})
            raise RuntimeError("power cut in the middle")
    assert store.scalar("SELECT count(*) FROM staff") == count
    assert store.scalar("SELECT count(*) FROM change_log") == log_count


def test_timestamps_are_utc_iso(commune_store):
    staff_id = commune_store.insert("staff", {"full_name": "Võ Thị Mai", "active": 1})
    row = commune_store.get("staff", staff_id)
    assert row["created_at"].endswith("Z") and "T" in row["created_at"]


@pytest.mark.parametrize("query, expected", [
    ("do", {"Đỗ Văn Hùng"}),
    ("ĐỖ", {"Đỗ Văn Hùng"}),
    ("ho so so hoa", {"Hồ sơ số hóa"}),
    ("nguyen thi", {"Nguyễn Thị Hồng Nhung"}),
    ("hung", {"Đỗ Văn Hùng"}),
])
def test_diacritic_insensitive_search(commune_store, query, expected):
    store = commune_store
    store.insert("staff", {"full_name": "Đỗ Văn Hùng", "active": 1})
    store.insert("staff", {"full_name": "Hồ sơ số hóa", "position": "thử", "active": 1})
    found = {r["full_name"] for r in store.query(
        "SELECT s.full_name FROM staff s JOIN staff_fts f ON f.rowid = s.rowid WHERE staff_fts MATCH ?",
        (fts_query(query),))}
    assert found == expected


def test_search_follows_updates(commune_store):
    store = commune_store
    staff_id = store.insert("staff", {"full_name": "Lê Văn Cường", "active": 1})
    store.update("staff", staff_id, {"full_name": "Lê Văn Dũng"})
    match = lambda q: store.scalar("SELECT count(*) FROM staff_fts WHERE staff_fts MATCH ?", (fts_query(q),))
    assert match("cuong") == 0 and match("dung") == 1


def test_vietnamese_collation_in_sql(commune_store):
    store = commune_store
    for name in ("Đạt", "Dũng", "Anh", "Ánh", "Bảo"):
        store.insert("staff", {"full_name": name, "active": 1})
    names = [r["full_name"] for r in store.query(
        "SELECT full_name FROM staff WHERE length(full_name) < 6 ORDER BY full_name COLLATE VI")]
    assert names == ["Anh", "Ánh", "Bảo", "Dũng", "Đạt"]


def test_ids_are_time_ordered_uuids():
    import uuid

    from db.store import new_id

    ids = [new_id() for _ in range(50)]
    assert len(set(ids)) == 50
    assert all(uuid.UUID(i).version == 7 and uuid.UUID(i).variant == uuid.RFC_4122 for i in ids)
    assert all(str(uuid.UUID(i)) == i for i in ids)  # the canonical lower-case 8-4-4-4-12 text
    assert [i[:13] for i in ids] == sorted(i[:13] for i in ids)  # millisecond prefix never goes back
