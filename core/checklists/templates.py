"""Checklist templates: the one shipped with the app, versions sent by the province,
and the commune's own copies.

A template is named by a reference string:
  "builtin:hnth"      the default shipped in resources/reference/hnth_checklist.csv
  "province:<id>"     a version the province sent (province-owned rows, read-only here)
  "local:<id>"        the commune's copy or a file received from the province
Runs copy the items they use, so editing or replacing a template never alters a run.
A template file is read and checked completely before anything is written: a bad
file changes nothing and the template in use stays in use.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

from core.checklists.equipment import KINDS as EQUIPMENT_KINDS, guess_kind
from core.checklists.model import COMPARISONS, KINDS, Item, parse_number
from core.errors import NotFoundError, UserInputError
from core.resources import resource
from core.textfold import fold, vi_sort_key
from db.settings import get_setting, set_setting
from db.store import Store

log = logging.getLogger(__name__)
_TEMPLATE_NAMESPACE = uuid.UUID("6f1d2c3a-5b7e-4c1a-9d2e-8a4b3c2d1e0f")

BUILTIN_REF = "builtin:hnth"
BUILTIN_NAME = "Phiếu kiểm tra sẵn sàng điểm cầu (mẫu kèm phần mềm)"
BUILTIN_VERSION = 1
ACTIVE_SETTING = "checklist_template_ref"

REQUIRED_COLUMNS = ("category", "item", "kind", "threshold", "unit", "critical", "guidance")
OPTIONAL_COLUMNS = ("source", "comparison", "equipment")
MAX_FILE_BYTES = 1_000_000
_YES = {"yes", "y", "co", "x", "1", "true", "bat buoc"}
_NO = {"no", "n", "khong", "0", "false", ""}


class TemplateFileError(UserInputError):
    """A template file from the province that cannot be used as it is."""


@dataclass(frozen=True)
class Template:
    ref: str
    name: str
    version: int
    items: tuple[Item, ...]
    origin: str  # builtin / province / local
    source_note: str | None = None
    based_on: str | None = None  # a local copy: the template it was copied from

    @property
    def editable(self) -> bool:
        return self.origin == "local"

    @property
    def categories(self) -> list[str]:
        seen: list[str] = []
        for item in self.items:
            if item.category not in seen:
                seen.append(item.category)
        return seen

    @property
    def origin_label(self) -> str:
        if self.origin == "local" and self.based_on is None:
            return "Tệp của tỉnh"
        return {"builtin": "Kèm phần mềm", "province": "Tỉnh ban hành", "local": "Bản của xã"}[self.origin]


# -- reading template files --------------------------------------------------------------

def _flag(value: str, line: int) -> bool:
    folded = fold(value).strip()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise TemplateFileError(f"Dòng {line}: cột “critical” chỉ nhận yes/no (có/không), không nhận “{value}”.")


def parse_template_csv(data: bytes | str, *, source: str = "tệp") -> list[Item]:
    """Items from a template CSV with the columns of hnth_checklist.csv.

    Raises TemplateFileError naming the line and the column at fault.
    """
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise TemplateFileError("Tệp mẫu phiếu quá lớn (tối đa 1 MB).", details=f"{source}: {len(data)} bytes")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TemplateFileError("Tệp mẫu phiếu không phải văn bản UTF-8. Hãy lưu lại dạng CSV UTF-8.",
                                    details=f"{source}: {exc}") from exc
    else:
        text = data.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    if not header:
        raise TemplateFileError("Tệp mẫu phiếu trống.", details=source)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise TemplateFileError(
            f"Tệp mẫu phiếu thiếu cột: {', '.join(missing)}. Cần đủ các cột: {', '.join(REQUIRED_COLUMNS)}.",
            details=f"{source}: header={header}")
    reader.fieldnames = header
    items: list[Item] = []
    for row in reader:
        line = reader.line_num
        if None in row:
            raise TemplateFileError(f"Dòng {line}: nhiều ô hơn số cột (kiểm tra dấu phẩy trong nội dung).")
        cells = {k: (v or "").strip() for k, v in row.items()}
        if not any(cells.values()):
            continue
        kind = cells["kind"].lower()
        if kind not in KINDS:
            raise TemplateFileError(
                f"Dòng {line}: kiểu mục “{cells['kind']}” không hợp lệ (chỉ nhận check, number, text).")
        if not cells["item"]:
            raise TemplateFileError(f"Dòng {line}: thiếu nội dung mục kiểm tra (cột “item”).")
        if not cells["category"]:
            raise TemplateFileError(f"Dòng {line}: thiếu nhóm (cột “category”).")
        threshold = None
        if cells["threshold"]:
            if kind != "number":
                raise TemplateFileError(f"Dòng {line}: chỉ mục kiểu number mới có ngưỡng (cột “threshold”).")
            try:
                threshold = parse_number(cells["threshold"])
            except UserInputError as exc:
                raise TemplateFileError(
                    f"Dòng {line}: ngưỡng “{cells['threshold']}” không phải là số.") from exc
        comparison = cells.get("comparison") or ">="
        if comparison not in COMPARISONS:
            raise TemplateFileError(f"Dòng {line}: phép so sánh “{comparison}” không hợp lệ "
                                    f"(chỉ nhận {', '.join(COMPARISONS)}).")
        equipment = cells.get("equipment", "").lower() or guess_kind(cells["item"])
        if equipment and equipment not in EQUIPMENT_KINDS:
            raise TemplateFileError(f"Dòng {line}: loại thiết bị “{equipment}” không hợp lệ.")
        items.append(Item(category=cells["category"], text=cells["item"], kind=kind, threshold=threshold,
                          unit=cells["unit"] or None, comparison=comparison,
                          critical=_flag(cells["critical"], line), guidance=cells["guidance"] or None,
                          equipment_kind=equipment or None))
    if not items:
        raise TemplateFileError("Tệp mẫu phiếu không có mục kiểm tra nào.", details=source)
    return items


def validate_items(items: list[Item]) -> list[Item]:
    """The same rules as a file, for items edited on screen."""
    if not items:
        raise UserInputError("Mẫu phiếu phải có ít nhất một mục kiểm tra.")
    cleaned = []
    for number, item in enumerate(items, start=1):
        text = " ".join((item.text or "").split())
        category = " ".join((item.category or "").split())
        if not text:
            raise UserInputError(f"Mục {number}: nội dung không được để trống.")
        if not category:
            raise UserInputError(f"Mục {number} (“{text}”): chưa có nhóm.")
        if item.kind not in KINDS:
            raise UserInputError(f"Mục {number} (“{text}”): kiểu mục không hợp lệ.")
        if item.kind != "number" and item.threshold is not None:
            raise UserInputError(f"Mục {number} (“{text}”): chỉ mục số đo mới có ngưỡng.")
        if item.comparison not in COMPARISONS:
            raise UserInputError(f"Mục {number} (“{text}”): phép so sánh không hợp lệ.")
        cleaned.append(Item(category=category, text=text, kind=item.kind, threshold=item.threshold,
                            unit=(item.unit or "").strip() or None, comparison=item.comparison,
                            critical=bool(item.critical), guidance=(item.guidance or "").strip() or None,
                            equipment_kind=item.equipment_kind or guess_kind(text)))
    return cleaned


def _dump(items: list[Item] | tuple[Item, ...]) -> str:
    return json.dumps([i.to_json() for i in items], ensure_ascii=False)


def _load(items_json: str) -> tuple[Item, ...]:
    return tuple(Item.from_json(d) for d in json.loads(items_json))


# -- where templates live ------------------------------------------------------------------

_builtin_cache: Template | None = None


def builtin_template() -> Template:
    global _builtin_cache
    if _builtin_cache is None:
        path = resource("reference", "hnth_checklist.csv")
        items = parse_template_csv(path.read_bytes(), source=str(path))
        _builtin_cache = Template(BUILTIN_REF, BUILTIN_NAME, BUILTIN_VERSION, tuple(items), "builtin",
                                  "Danh mục kiểm tra mặc định")
    return _builtin_cache


def list_templates(store: Store) -> list[Template]:
    """Every usable template: shipped, province versions (newest first), the commune's own."""
    result = [builtin_template()]
    for row in store.query("SELECT id, name, version, items_json, source_note FROM checklist_templates "
                           "WHERE deleted_at IS NULL ORDER BY family, version DESC"):
        try:
            items = _load(row["items_json"])
        except (ValueError, KeyError, TypeError):
            # A damaged version from a bundle must not hide the others (or the shipped one).
            log.warning("checklist template %s has unreadable items; skipped", row["id"])
            continue
        result.append(Template(f"province:{row['id']}", row["name"], row["version"], items, "province",
                               row["source_note"]))
    local = store.query("SELECT id, name, version, items_json, source_note, based_on FROM "
                        "checklist_local_templates WHERE deleted_at IS NULL")
    for row in sorted(local, key=lambda r: vi_sort_key(r["name"])):
        result.append(Template(f"local:{row['id']}", row["name"], row["version"], _load(row["items_json"]),
                               "local", row["source_note"], row["based_on"]))
    return result


def get_template(store: Store, ref: str) -> Template:
    if ref == BUILTIN_REF:
        return builtin_template()
    origin, _, row_id = ref.partition(":")
    table = {"province": "checklist_templates", "local": "checklist_local_templates"}.get(origin)
    if table is None or not row_id:
        raise NotFoundError(f"Không tìm thấy mẫu phiếu “{ref}”.")
    row = store.get(table, row_id)
    try:
        items = _load(row["items_json"])
    except (ValueError, KeyError, TypeError) as exc:
        raise TemplateFileError(f"Mẫu phiếu “{row['name']}” phiên bản {row['version']} bị hỏng, không dùng được.",
                                details=repr(exc)) from exc
    return Template(ref, row["name"], row["version"], items, origin, row["source_note"], row.get("based_on"))


def active_template(store: Store) -> Template:
    """The template new runs use: the chosen one (a province template: its newest version),
    else the newest from the province, else the shipped one."""
    ref = get_setting(store, ACTIVE_SETTING)
    if ref:
        if ref.startswith("province:"):
            # A newer version of the chosen province template supersedes it once it arrives.
            newer = store.scalar(
                "SELECT n.id FROM checklist_templates n JOIN checklist_templates o ON o.family = n.family "
                "WHERE o.id = ? AND n.deleted_at IS NULL ORDER BY n.version DESC LIMIT 1", (ref.partition(":")[2],))
            ref = f"province:{newer}" if newer else ref
        try:
            return get_template(store, ref)
        except (NotFoundError, TemplateFileError):
            log.warning("chosen checklist template %s is not usable; falling back", ref)
    for row in store.query("SELECT id FROM checklist_templates WHERE deleted_at IS NULL "
                           "ORDER BY created_at DESC, version DESC"):
        try:
            return get_template(store, f"province:{row['id']}")
        except TemplateFileError:
            continue
    return builtin_template()


def set_active_template(store: Store, ref: str) -> Template:
    template = get_template(store, ref)
    set_setting(store, ACTIVE_SETTING, ref)
    return template


def _next_local_version(store: Store, name: str) -> int:
    return int(store.scalar("SELECT coalesce(max(version), 0) FROM checklist_local_templates WHERE name = ?",
                            (name,))) + 1


def import_template_file(store: Store, path: Path | str, *, name: str | None = None,
                         make_active: bool = True) -> Template:
    """Read a template file received from the province into a new local template version.

    Checked in full before writing; on any error nothing changes.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TemplateFileError(f"Không đọc được tệp mẫu phiếu “{path.name}”.", details=repr(exc)) from exc
    items = parse_template_csv(data, source=str(path))
    name = " ".join((name or "").split()) or f"Mẫu của tỉnh ({path.stem})"
    with store.transaction():
        version = _next_local_version(store, name)
        row_id = store.insert("checklist_local_templates", {
            "name": name, "version": version, "items_json": _dump(items), "based_on": None,
            "source_note": f"Nhập từ tệp {path.name}"})
        if make_active:
            set_setting(store, ACTIVE_SETTING, f"local:{row_id}")
    return get_template(store, f"local:{row_id}")


def province_template_id(family: str, version: int) -> str:
    """The id of a province template version: the same on every machine, so sending the same
    version twice updates one row instead of clashing with it."""
    return str(uuid.uuid5(_TEMPLATE_NAMESPACE, f"checklist-template:{family}:{version}"))


def publish_province_template(store: Store, items: list[Item], *, name: str, version: int,
                              family: str = "hnth", source_note: str | None = None) -> str:
    """Province side: a new template version to send to the communes in a bundle."""
    items = validate_items(items)
    if version < 1:
        raise UserInputError("Số phiên bản mẫu phiếu phải từ 1 trở lên.")
    if store.scalar("SELECT 1 FROM checklist_templates WHERE family = ? AND version = ?", (family, version)):
        raise UserInputError(f"Phiên bản {version} của mẫu phiếu này đã có.")
    return store.insert("checklist_templates", {"family": family, "name": name, "version": version,
                                                "items_json": _dump(items), "source_note": source_note},
                        row_id=province_template_id(family, version))


def province_template_rows(path: Path | str, *, name: str, version: int,
                           family: str = "hnth") -> list[tuple[str, dict]]:
    """[(table, row)] for the hub to send: a template file from the province as a version row.

    Made in a scratch in-memory database of the app's own schema, so the row has exactly the
    columns and stamps a commune expects. A bad file raises TemplateFileError.
    """
    from db.migrations import migrate

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TemplateFileError(f"Không đọc được tệp mẫu phiếu “{path.name}”.", details=repr(exc)) from exc
    items = parse_template_csv(data, source=str(path))
    scratch = Store(":memory:")
    try:
        migrate(scratch.conn)
        scratch._origin = "province"  # rows the province writes carry its name as origin
        row_id = publish_province_template(scratch, items, name=name, version=version, family=family,
                                           source_note=f"Tỉnh ban hành từ tệp {path.name}")
        return [("checklist_templates", scratch.get("checklist_templates", row_id))]
    finally:
        scratch.conn.close()


def make_local_copy(store: Store, ref: str, name: str | None = None) -> Template:
    source = get_template(store, ref)
    name = " ".join((name or "").split()) or f"{source.name} (bản của xã)"
    with store.transaction():
        row_id = store.insert("checklist_local_templates", {
            "name": name, "version": _next_local_version(store, name), "items_json": _dump(source.items),
            "based_on": ref, "source_note": f"Sao từ “{source.name}” phiên bản {source.version}"})
    return get_template(store, f"local:{row_id}")


def save_local_template(store: Store, ref: str, items: list[Item], *, name: str | None = None) -> Template:
    """Save edits to the commune's own template as its next version (runs keep their copy)."""
    template = get_template(store, ref)
    if not template.editable:
        raise UserInputError("Chỉ sửa được mẫu phiếu của xã. Hãy tạo bản sao để chỉnh sửa.")
    items = validate_items(items)
    name = " ".join((name or "").split()) or template.name
    store.update("checklist_local_templates", ref.partition(":")[2], {
        "name": name, "version": template.version + 1, "items_json": _dump(items)})
    return get_template(store, ref)


def delete_local_template(store: Store, ref: str) -> None:
    template = get_template(store, ref)
    if not template.editable:
        raise UserInputError("Chỉ xóa được mẫu phiếu của xã.")
    with store.transaction():
        store.delete("checklist_local_templates", ref.partition(":")[2])
        if get_setting(store, ACTIVE_SETTING) == ref:
            set_setting(store, ACTIVE_SETTING, None)
