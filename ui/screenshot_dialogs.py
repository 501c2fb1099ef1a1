"""The screens `python -m ui.screenshots` takes besides the sidebar pages: every tab of the pages
that have tabs, and every dialog the app opens, filled the way staff would see them.

Each entry is (name, prepare, make): `prepare(window)` runs first (open a tab, load rows) and
`make(window)` builds and shows the widget to grab once things have settled; `make` may return
None for a page state (the window itself is grabbed). Dialogs are shown modelessly here so the
tool never blocks; they are the same classes the app uses.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

Step = Callable[[object], object]


def _nothing(_window) -> None:
    return None


def _tab(page: str, tab) -> Step:
    def open_tab(window) -> None:
        window.open_page(page)
        target = window.page(page)
        if hasattr(target, "open_tab"):
            target.open_tab(tab)
        elif hasattr(target, "tabs"):
            target.tabs.setCurrentIndex(tab)
    return open_tab


def _open(page: str) -> Step:
    return lambda window: window.open_page(page)


# -- dialogs ---------------------------------------------------------------------------------
def _setup_wizard(window, typed: str = "ba to", staff: bool = False):
    from ui.setup_wizard import SetupWizard

    wizard = SetupWizard(window)
    wizard.show()
    wizard.unit_page.filter.setText(typed)
    if staff:
        wizard.next()
        for name in ("Nguyễn Thị Hồng Nhung", "Trần Văn Đức"):
            wizard.staff_page.list.addItem(name)
        wizard.staff_page.name.setText("Đinh Văn Sơn")
    return wizard


def _directive_import(window):
    from core.resources import resource
    from ui.dialogs.directive_import_dialog import DirectiveImportDialog

    dialog = DirectiveImportDialog(window.ctx, window)
    dialog.show()
    dialog.load_file(Path(resource("samples", "directives", "4685_UBND-KGVX_2022-09-19.txt")))
    return dialog


def _task_detail(window):
    from ui.dialogs.task_detail_dialog import TaskDetailDialog

    page = window.page("tasks")
    rows = page.model.rows
    if not rows:
        return None
    task = next((r for r in rows if r["overdue"]), rows[0])
    dialog = TaskDetailDialog(window.ctx, task["id"], window)
    dialog.show()
    return dialog


def _task_report(window):
    from ui.dialogs.task_report_dialog import TaskReportDialog

    dialog = TaskReportDialog(window.ctx, window)
    dialog.show()
    return dialog


def _dossier_dialog(edit: bool) -> Step:
    def make(window):
        from ui.pages.dossiers.register_view import DossierDialog

        register = window.page("dossiers").view("register")
        row = register.model.rows[0] if edit and register.model.rows else None
        dialog = DossierDialog(window.ctx, register.fields, row, window)
        dialog.show()
        return dialog
    return make


def _dossier_import(window):
    from openpyxl import Workbook

    from ui.pages.dossiers.import_dialog import ImportDialog

    # A list as the national one-stop system exports it (headers the dialog must map).
    path = Path(tempfile.mkdtemp(prefix="motcua-shot-")) / "danh-sach-ho-so.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["STT", "Mã hồ sơ", "Tên thủ tục", "Lĩnh vực", "Ngày tiếp nhận", "Ngày hẹn trả", "Kênh nộp"])
    sheet.append([1, "000.00.53.H48-250602-0001", "Đăng ký khai sinh", "Hộ tịch", "02/06/2025", "03/06/2025",
                  "Trực tuyến"])
    sheet.append([2, "000.00.53.H48-250602-0002", "Chứng thực bản sao từ bản chính", "Chứng thực", "02/06/2025",
                  "02/06/2025", "Trực tiếp"])
    book.save(path)
    dialog = ImportDialog(window.ctx, str(path), window)
    dialog.show()
    return dialog


def _meeting(window):
    from ui.pages.conference.dialogs import MeetingDialog

    dialog = MeetingDialog(window, templates=[("default", "Phiếu kiểm tra sẵn sàng điểm cầu — phiên bản 1 (mẫu kèm "
                                                          "phần mềm)")], active_ref="default")
    dialog.show()
    return dialog


def _close_run(window):
    from ui.pages.conference.dialogs import CloseRunDialog

    panel = window.page("conference").panel
    if panel.run is None:
        return None
    dialog = CloseRunDialog(panel.run.verdict, panel.run.attendance, window)
    dialog.show()
    return dialog


def _correction(window):
    from ui.pages.conference.dialogs import CorrectionDialog

    panel = window.page("conference").panel
    item = panel.current_item()
    if item is None:
        return None
    dialog = CorrectionDialog(item, window)
    dialog.show()
    return dialog


def _template_editor(window):
    from core.checklists.templates import builtin_template
    from ui.pages.conference.template_editor import TemplateEditorDialog

    dialog = TemplateEditorDialog(builtin_template(), window)
    dialog.show()
    return dialog


def _shortcuts(window):
    from ui.shortcuts_help import ShortcutsDialog

    dialog = ShortcutsDialog(window)
    dialog.show()
    return dialog


def _error(window):
    from core.errors import AppError
    from ui.errors import show_error

    return show_error(window, AppError("Không đọc được tệp danh sách hồ sơ: tệp đã bị hỏng hoặc không phải Excel.",
                                       details="zipfile.BadZipFile: File is not a zip file\n"
                                               "tệp: D:\\\\Mot cua\\\\danh-sach-thang-6.xlsx"))


def _reason(window):
    from PySide6.QtWidgets import QInputDialog

    # The question ask_reason() puts when a locked month is changed (shown modeless here).
    dialog = QInputDialog(window)
    dialog.setWindowTitle("Tháng đã khóa")
    dialog.setLabelText("Tháng 06/2025 đã khóa sau khi báo cáo. Sửa số liệu của tháng này cần ghi lý do."
                        "\n\nLý do sửa:")
    dialog.setTextValue("Nhập bù hồ sơ ngày 30/6 bị sót")
    dialog.show()
    return dialog


def _save_month_report(window):
    """The month report's save dialog with Word chosen (the type chosen decides the file)."""
    from ui.pages.dossiers.report_action import ask_month_report

    counters = window.page("dossiers").view("counters")
    ask_month_report(counters, window.ctx, counters.picker.period())
    dialog = counters.save_dialog
    dialog.selectNameFilter(dialog.nameFilters()[1])
    dialog._filter_chosen(dialog.nameFilters()[1])
    return dialog


def screens() -> list[tuple[str, Step, Step]]:
    """(file name without .png, prepare, make) in the order they are taken."""
    return [
        ("dossiers-register", _tab("dossiers", "register"), _nothing),
        ("dossiers-counters", _tab("dossiers", "counters"), _nothing),
        ("dossiers-trend", _tab("dossiers", "trend"), _nothing),
        ("dossiers-tallies", _tab("dossiers", "tallies"), _nothing),
        ("dossiers-settings", _tab("dossiers", "settings"), _nothing),
        ("conference-equipment", _tab("conference", 1), _nothing),
        ("conference-templates", _tab("conference", 2), _nothing),
        ("dialog-setup-unit", _nothing, _setup_wizard),
        ("dialog-setup-staff", _nothing, lambda w: _setup_wizard(w, staff=True)),
        ("dialog-directive-import", _open("tasks"), _directive_import),
        ("dialog-task-detail", _open("tasks"), _task_detail),
        ("dialog-task-report", _open("tasks"), _task_report),
        ("dialog-dossier-add", _tab("dossiers", "register"), _dossier_dialog(edit=False)),
        ("dialog-dossier-edit", _tab("dossiers", "register"), _dossier_dialog(edit=True)),
        ("dialog-dossier-import", _tab("dossiers", "register"), _dossier_import),
        ("dialog-meeting-new", _tab("conference", 0), _meeting),
        ("dialog-run-close", _tab("conference", 0), _close_run),
        ("dialog-correction", _tab("conference", 0), _correction),
        ("dialog-template-editor", _tab("conference", 2), _template_editor),
        ("dialog-save-month-report", _tab("dossiers", "counters"), _save_month_report),
        ("dialog-shortcuts", _nothing, _shortcuts),
        ("dialog-error", _nothing, _error),
        ("dialog-locked-month-reason", _nothing, _reason),
    ]
