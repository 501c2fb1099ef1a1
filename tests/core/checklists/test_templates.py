from pathlib import Path

import pytest

from core.checklists import templates as tpl
from core.checklists.model import Item
from core.errors import UserInputError

HEADER = "category,item,kind,threshold,unit,critical,guidance,source\n"
GOOD = HEADER + ("Đường truyền,Băng thông đo được,number,3,Mbps,yes,,tỉnh\n"
                 "Hình ảnh,Camera rõ nét,check,,,yes,,tỉnh\n"
                 "Quy trình,Ghi nhật ký,text,,,no,Ghi rõ giờ,tỉnh\n")


def _write(tmp_path: Path, text: str, name="mau_tinh.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _state(store):
    return (store.scalar("SELECT count(*) FROM checklist_local_templates"),
            store.scalar("SELECT count(*) FROM change_log WHERE table_name LIKE 'checklist%'"),
            tpl.active_template(store).ref)


def test_builtin_template_has_the_23_shipped_items():
    template = tpl.builtin_template()
    assert len(template.items) == 23
    assert template.categories[:3] == ["Nhân sự", "Đường truyền", "Hình ảnh"]
    bandwidth = next(i for i in template.items if i.kind == "number" and i.unit == "Mbps")
    assert bandwidth.threshold == 2 and bandwidth.critical and bandwidth.comparison == ">="
    camera = next(i for i in template.items if i.text.startswith("Camera"))
    assert camera.equipment_kind == "camera"


def test_builtin_is_active_on_a_new_workspace(commune_store):
    assert tpl.active_template(commune_store).ref == tpl.BUILTIN_REF


def test_import_good_file_becomes_the_active_template(commune_store, tmp_path):
    template = tpl.import_template_file(commune_store, _write(tmp_path, GOOD), name="Mẫu tỉnh 2026")
    assert template.origin == "local" and template.version == 1 and len(template.items) == 3
    assert template.origin_label == "Tệp của tỉnh"
    assert tpl.make_local_copy(commune_store, template.ref).origin_label == "Bản của xã"
    assert tpl.active_template(commune_store).ref == template.ref
    again = tpl.import_template_file(commune_store, _write(tmp_path, GOOD), name="Mẫu tỉnh 2026")
    assert again.version == 2


@pytest.mark.parametrize("text, message", [
    (GOOD.replace(",threshold", ""), "thiếu cột: threshold"),
    (GOOD.replace("category,", "nhom,"), "thiếu cột: category"),
    (GOOD.replace(",check,", ",checkbox,"), "Dòng 3: kiểu mục “checkbox” không hợp lệ"),
    (GOOD.replace(",number,3,", ",number,ba,"), "Dòng 2: ngưỡng “ba” không phải là số"),
    (GOOD.replace("Camera rõ nét,check,,", "Camera rõ nét,check,5,"), "Dòng 3: chỉ mục kiểu number mới có ngưỡng"),
    (GOOD.replace(",yes,,tỉnh\nHình", ",maybe,,tỉnh\nHình"), "Dòng 2: cột “critical”"),
    (HEADER, "không có mục kiểm tra nào"),
    ("", "Tệp mẫu phiếu trống"),
])
def test_bad_file_changes_nothing_and_old_template_stays_usable(commune_store, tmp_path, text, message):
    from core.checklists.runs import create_run, load_run

    before = _state(commune_store)
    with pytest.raises(tpl.TemplateFileError) as err:
        tpl.import_template_file(commune_store, _write(tmp_path, text))
    assert message in err.value.message
    assert isinstance(err.value, UserInputError)
    assert _state(commune_store) == before
    run_id = create_run(commune_store, title="Họp trực tuyến", host="province", meeting_date="05/01/2026",
                        start_time="08:00")
    assert len(load_run(commune_store, run_id).items) == 23


def test_non_utf8_file_is_refused_clearly(commune_store, tmp_path):
    path = _write(tmp_path, GOOD, encoding="utf-16")
    with pytest.raises(tpl.TemplateFileError, match="UTF-8"):
        tpl.import_template_file(commune_store, path)


def test_missing_file_is_a_typed_error(commune_store, tmp_path):
    with pytest.raises(tpl.TemplateFileError, match="Không đọc được"):
        tpl.import_template_file(commune_store, tmp_path / "khong_co.csv")


def test_shipped_reference_file_imports(commune_store, shared_dir):
    template = tpl.import_template_file(commune_store, shared_dir / "reference" / "hnth_checklist.csv")
    assert len(template.items) == 23


def test_local_copy_edit_bumps_version_and_runs_keep_their_items(commune_store):
    from core.checklists.runs import create_run, load_run

    copy = tpl.make_local_copy(commune_store, tpl.BUILTIN_REF, "Phiếu của xã")
    tpl.set_active_template(commune_store, copy.ref)
    old_run = create_run(commune_store, title="Họp lần 1", host="government", meeting_date="05/01/2026",
                         start_time="8:00")
    items = list(copy.items[:2]) + [Item("Âm thanh", "Loa kéo dự phòng", "check", critical=True)]
    edited = tpl.save_local_template(commune_store, copy.ref, items)
    assert edited.version == copy.version + 1 and len(edited.items) == 3
    new_run = create_run(commune_store, title="Họp lần 2", host="province", meeting_date="06/01/2026",
                         start_time="14:00")
    old, new = load_run(commune_store, old_run), load_run(commune_store, new_run)
    assert len(old.items) == 23 and old.template_version == 1
    assert len(new.items) == 3 and new.template_version == 2


def test_edit_rules(commune_store):
    with pytest.raises(UserInputError, match="Chỉ sửa được mẫu phiếu của xã"):
        tpl.save_local_template(commune_store, tpl.BUILTIN_REF, list(tpl.builtin_template().items))
    copy = tpl.make_local_copy(commune_store, tpl.BUILTIN_REF)
    with pytest.raises(UserInputError, match="chỉ mục số đo mới có ngưỡng"):
        tpl.save_local_template(commune_store, copy.ref, [Item("A", "Camera", "check", threshold=3)])
    with pytest.raises(UserInputError, match="ít nhất một mục"):
        tpl.save_local_template(commune_store, copy.ref, [])
    assert tpl.get_template(commune_store, copy.ref).version == copy.version


def test_province_versions_are_listed_and_newest_is_default(commune_store):
    items = list(tpl.builtin_template().items[:5])
    tpl.publish_province_template(commune_store, items, name="Phiếu tỉnh", version=1)
    second = tpl.publish_province_template(commune_store, items[:4], name="Phiếu tỉnh", version=2)
    assert tpl.active_template(commune_store).ref == f"province:{second}"
    origins = [t.origin for t in tpl.list_templates(commune_store)]
    assert origins == ["builtin", "province", "province"]
    with pytest.raises(UserInputError):
        tpl.publish_province_template(commune_store, items, name="Phiếu tỉnh", version=2)


def test_deleting_the_active_local_template_falls_back(commune_store):
    copy = tpl.make_local_copy(commune_store, tpl.BUILTIN_REF)
    tpl.set_active_template(commune_store, copy.ref)
    tpl.delete_local_template(commune_store, copy.ref)
    assert tpl.active_template(commune_store).ref == tpl.BUILTIN_REF


def test_chosen_province_template_follows_its_newer_versions(commune_store):
    items = list(tpl.builtin_template().items[:5])
    first = tpl.publish_province_template(commune_store, items, name="Phiếu tỉnh", version=1)
    tpl.set_active_template(commune_store, f"province:{first}")
    second = tpl.publish_province_template(commune_store, items[:3], name="Phiếu tỉnh", version=2)
    assert tpl.active_template(commune_store).ref == f"province:{second}"
    tpl.set_active_template(commune_store, tpl.BUILTIN_REF)  # an explicit choice of another template stays
    tpl.publish_province_template(commune_store, items[:2], name="Phiếu tỉnh", version=3)
    assert tpl.active_template(commune_store).ref == tpl.BUILTIN_REF


def test_damaged_province_version_is_skipped_and_the_shipped_one_used(commune_store):
    row_id = commune_store.insert("checklist_templates", {"family": "hnth", "name": "Phiếu tỉnh", "version": 9,
                                                          "items_json": "[{\"text\": \"thiếu nhóm\"}]"})
    assert [t.origin for t in tpl.list_templates(commune_store)] == ["builtin"]
    assert tpl.active_template(commune_store).ref == tpl.BUILTIN_REF
    with pytest.raises(tpl.TemplateFileError, match="bị hỏng"):
        tpl.get_template(commune_store, f"province:{row_id}")


def test_province_rows_from_a_file_apply_on_a_commune_and_become_the_default(commune_store, tmp_path):
    from core.sync.changes import apply_records

    rows = tpl.province_template_rows(_write(tmp_path, GOOD), name="Phiếu tỉnh 2026", version=2)
    assert [t for t, _ in rows] == ["checklist_templates"] and rows[0][1]["origin"] == "province"
    again = tpl.province_template_rows(_write(tmp_path, GOOD), name="Phiếu tỉnh 2026", version=2)
    assert again[0][1]["id"] == rows[0][1]["id"]  # the same version keeps its id: re-sending updates it
    with commune_store.transaction() as conn:
        apply_records(conn, [{"t": t, "id": r["id"], "row": r} for t, r in rows + again], allowed_owner="province")
    active = tpl.active_template(commune_store)
    assert active.origin == "province" and active.version == 2 and len(active.items) == 3
    with pytest.raises(tpl.TemplateFileError, match="thiếu cột"):
        tpl.province_template_rows(_write(tmp_path, GOOD.replace(",kind", "")), name="X", version=3)
