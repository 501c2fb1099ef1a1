"""Đồng bộ: the outbox with each bundle's state, what is waiting, errors with what to do,
"Gửi ngay", "Xuất gói ra USB", "Nhập gói", and the connection to the province.

All network and file work runs through ctx.bg.io with progress; the page only shows
what core.sync.view prepared. The app-wide SyncScheduler (ui/sync_scheduler.py) retries
due bundles on a timer and as soon as the operating system says the network is back.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QVBoxLayout, QWidget)

from core.sync import list_orders, service
from core.sync.errors import BundleRejected
from ui.errors import show_info
from ui.pages.base import Page
from ui.sync_scheduler import SyncScheduler
from ui.widgets.list_table import ListTable
from ui.widgets.rows_model import Column, RowsModel

BUSY_TEXT = "Đang đồng bộ với tỉnh…"
STATE_COLOURS = {"error": QColor("#fde2e1"), "acked": QColor("#e6f4ea"), "sending": QColor("#fff4ce")}


class SyncPage(Page):
    title = "Đồng bộ"

    def __init__(self, ctx, parent=None, *, scheduler: SyncScheduler | None = None):
        super().__init__(ctx, parent)
        self.scheduler = scheduler or ctx.sync_scheduler or SyncScheduler(ctx, self)
        self.scheduler.sync_finished.connect(self._sync_finished)
        self.scheduler.sync_failed.connect(self._sync_failed)
        self.scheduler.running_changed.connect(self._set_busy)
        self.view = None

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading("Đồng bộ với tỉnh"))
        self.summary = QLabel()
        self.summary.setObjectName("syncSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.warnings = QLabel()
        self.warnings.setObjectName("syncWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #9a3412;")
        layout.addWidget(self.warnings)

        buttons = QHBoxLayout()
        self.send_button = QPushButton("Gửi ngay")
        self.send_button.setObjectName("sendNowButton")
        self.send_button.clicked.connect(self.send_now)
        self.export_button = QPushButton("Xuất gói ra USB…")
        self.export_button.setObjectName("exportUsbButton")
        self.export_button.clicked.connect(self._choose_export_folder)
        self.import_button = QPushButton("Nhập gói…")
        self.import_button.setObjectName("importButton")
        self.import_button.clicked.connect(self._choose_import_folder)
        self.sheet_button = QPushButton("In phiếu đăng ký khóa…")
        self.sheet_button.setObjectName("sheetButton")
        self.sheet_button.clicked.connect(self._choose_sheet_file)
        for button in (self.send_button, self.export_button, self.import_button, self.sheet_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.progress = QProgressBar()
        self.progress.setObjectName("syncProgress")
        self.progress.setVisible(False)
        self.progress_text = QLabel()
        self.progress_text.setObjectName("syncProgressText")
        self.progress_text.setWordWrap(True)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_text)

        layout.addWidget(QLabel("Các gói dữ liệu của xã:"))
        self.bundles_model = RowsModel([
            Column("created_local", "Tạo lúc"),
            Column("range", "Thay đổi số"),
            Column("records", "Số bản ghi", align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            Column("state_label", "Trạng thái"),
            Column("via_label", "Gửi qua"),
            Column("problem", "Lỗi và cách xử lý"),
        ], row_colour=lambda row: STATE_COLOURS.get(row["state"]))
        self.bundles_view = self._table(self.bundles_model, "bundlesTable", stretch=5,
                                        sorts=list_orders.OUTBOX_SORTS, default_sort=list_orders.OUTBOX_DEFAULT)
        layout.addWidget(self.bundles_view, 3)

        layout.addWidget(QLabel("Gói đã nhận từ tỉnh:"))
        self.received_model = RowsModel([
            Column("received_local", "Nhận lúc"), Column("kind_label", "Loại"),
            Column("records", "Số bản ghi", align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            Column("via_label", "Qua"), Column("tables", "Dữ liệu"),
        ])
        self.received_view = self._table(self.received_model, "receivedTable", stretch=4,
                                         sorts=list_orders.RECEIVED_SORTS, default_sort=list_orders.RECEIVED_DEFAULT)
        layout.addWidget(self.received_view, 2)

        # Sync v2 (issue 13): dossiers merged across counters and edits that lost, shown to staff.
        self.notices_label = QLabel("Hồ sơ trùng mã đã gộp và xung đột đồng bộ:")
        layout.addWidget(self.notices_label)
        self.notices_model = RowsModel([Column("when", "Lúc"), Column("kind", "Loại"), Column("text", "Nội dung")])
        self.notices_view = self._table(self.notices_model, "syncNoticesTable", stretch=2)
        layout.addWidget(self.notices_view, 1)

        layout.addWidget(self._connection_box())

    def _table(self, model: RowsModel, name: str, *, stretch: int, sorts=(), default_sort=None) -> ListTable:
        # ListTable: a header click asks the database again in that order (sorts of
        # core.sync.list_orders); widths dragged by hand are remembered.
        view = ListTable(self.ctx, name, model, sortable=sorts, default_sort=default_sort)
        view.setWordWrap(True)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        view.sort_changed.connect(self.reload)
        return view

    def _connection_box(self) -> QWidget:
        box = QGroupBox("Kết nối với tỉnh")
        form = QFormLayout(box)
        self.hub_edit = QLineEdit()
        self.hub_edit.setObjectName("hubUrlEdit")
        self.hub_edit.setPlaceholderText("https://dongbo.quangngai.gov.vn")
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("provinceKeyEdit")
        self.key_edit.setPlaceholderText("Khóa công khai của tỉnh (44 ký tự, in trên văn bản của tỉnh)")
        self.own_key = QLabel()
        self.own_key.setObjectName("ownKeyLabel")
        self.own_key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        save = QPushButton("Lưu kết nối")
        save.setObjectName("saveConnectionButton")
        save.clicked.connect(self.save_connection)
        form.addRow("Địa chỉ máy chủ tỉnh:", self.hub_edit)
        form.addRow("Khóa của tỉnh:", self.key_edit)
        form.addRow("Khóa của xã:", self.own_key)
        row = QHBoxLayout()
        row.addWidget(save)
        row.addStretch(1)
        form.addRow("", row)
        return box

    # -- loading ---------------------------------------------------------------------
    def watches(self, table: str) -> bool:
        return True  # any write may add changes waiting to be packed

    def reload(self) -> None:
        paths = self.ctx.paths
        outbox_sort, received_sort = self.bundles_view.sort, self.received_view.sort

        def load(store):
            from core.sync import identity
            from core.sync.view import load_view

            from core.errors import NotInitialisedError
            from db.settings import PROVINCE_KEY, get_setting

            from core.sync.pull import notices

            view = load_view(store, outbox_sort=outbox_sort, received_sort=received_sort)
            try:
                own = identity.describe(store, paths)
            except NotInitialisedError:
                own = None
            view.notices = notices(store)
            return view, own, identity.hub_url(store) or "", get_setting(store, PROVINCE_KEY) or ""

        self.ctx.bg.read(load, self._show)

    def _show(self, result) -> None:
        view, own, hub, province_key = result
        self.view = view
        self.summary.setText("\n".join(view.summary_lines))
        self.warnings.setText("\n".join(view.warnings))
        self.warnings.setVisible(bool(view.warnings))
        self.bundles_model.set_rows(view.bundles)
        self.received_model.set_rows(view.received)
        notices = getattr(view, "notices", [])
        self.notices_model.set_rows(notices)
        self.notices_label.setVisible(bool(notices))
        self.notices_view.setVisible(bool(notices))
        for table in (self.bundles_view, self.received_view, self.notices_view):
            table.fit_columns_once()
        self.bundles_view.resizeRowsToContents()
        if not self.hub_edit.hasFocus():
            self.hub_edit.setText(hub)
        if not self.key_edit.hasFocus():
            self.key_edit.setText(province_key)
        if own:
            self.own_key.setText(f"{own['public_key']}  (dấu vân tay {own['fingerprint']}; máy {own['device'][:8]})")
        self.send_button.setEnabled(view.hub_configured and not self.scheduler.running)

    # -- actions ---------------------------------------------------------------------
    def send_now(self) -> None:
        if not self.scheduler.start(force=True, on_progress=self._progress):
            self.progress_text.setText("Đang đồng bộ, xin chờ…")

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0)
        self.send_button.setEnabled(not busy and bool(self.view and self.view.hub_configured))
        if busy:
            self.progress_text.setText(BUSY_TEXT)
        elif self.progress_text.text() == BUSY_TEXT:
            # Nothing replaced the busy line (an automatic try with nothing to do reports no
            # summary): it must not stay on the page as if the sync were still running.
            self.progress_text.clear()

    def _progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress_text.setText(text)

    def _sync_finished(self, summary) -> None:
        self.progress_text.setText("\n".join(summary.lines()))
        self.reload()

    def _sync_failed(self, exc, retry=None) -> None:
        from core.errors import AppError
        from core.sync.key_protection import PassphraseRequired
        from core.sync.view import advice_for

        if isinstance(exc, PassphraseRequired) and not getattr(self, "_passphrase_asked", False):
            # Portable mode: the signing key is sealed; ask once, then do what was asked again.
            from ui.passphrase_prompt import ask_key_passphrase

            self._passphrase_asked = True
            if ask_key_passphrase(self, choose=exc.choose):
                self._passphrase_asked = False
                (retry or self.send_now)()
                return

        if isinstance(exc, AppError):
            self.progress_text.setText(f"Chưa đồng bộ được: {exc.message} "
                                       f"{advice_for(getattr(exc, 'reason', None))}")
        else:
            self.progress_text.setText("Chưa đồng bộ được do lỗi không lường trước; xem nhật ký phần mềm.")
        self.reload()

    def _choose_export_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục trên USB để chép gói dữ liệu")
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> None:
        paths = self.ctx.paths
        self._set_busy(True)
        self.ctx.bg.io(lambda report: service.run_export(paths, folder, report),
                       on_success=lambda result: self._exported(folder, result),
                       on_failure=lambda exc: self._file_failed(exc, lambda: self.export_to(folder)),
                       on_progress=self._progress)

    def _exported(self, folder: Path, result) -> None:
        cut, written = result
        self._set_busy(False)
        if written:
            self.progress_text.setText(f"Đã chép {len(written)} gói ra {folder}. Mang USB lên tỉnh; khi tỉnh "
                                       "trả gói xác nhận, bấm “Nhập gói…” để ghi nhận.")
        else:
            self.progress_text.setText("Không có gói nào chờ gửi.")
        self.ctx.signals.data_changed.emit("sync_outbox")

    def _choose_import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục chứa gói của tỉnh (văn bản, xác nhận)")
        if folder:
            self.import_from(Path(folder))

    def import_from(self, folder: Path) -> None:
        paths = self.ctx.paths
        self._set_busy(True)
        self.ctx.bg.io(lambda report: service.run_import(paths, folder, report),
                       on_success=self._imported, on_failure=self._file_failed, on_progress=self._progress)

    def _imported(self, results) -> None:
        self._set_busy(False)
        lines, tables = [], set()
        for path, result in results:
            if isinstance(result, BundleRejected):
                lines.append(f"{path.name}: bị từ chối — {result.message}")
            else:
                lines.append(f"{path.name}: {result.message}")
                tables.update(result.counts)
        self.progress_text.setText("\n".join(lines) if lines else "Không có gói nào của tỉnh trong thư mục này.")
        for table in ("sync_outbox", *sorted(tables)):
            self.ctx.signals.data_changed.emit(table)

    def _file_failed(self, exc, retry=None) -> None:
        self._set_busy(False)
        self._sync_failed(exc, retry)

    def _choose_sheet_file(self) -> None:
        target, _ = QFileDialog.getSaveFileName(self, "Lưu phiếu đăng ký khóa", "phieu_dang_ky_khoa.pdf",
                                                "Tệp PDF (*.pdf)")
        if target:
            self.print_sheet(Path(target))

    def print_sheet(self, target: Path) -> None:
        paths = self.ctx.paths

        def build(report):
            from core.sync.registration import registration_sheet
            from core.workspace import open_workspace

            store = open_workspace(paths, check_integrity=False)
            try:
                return registration_sheet(store, paths, target)
            finally:
                store.close()

        def opened(built) -> None:
            from ui.pdf_output import open_pdf

            self.progress_text.setText(f"Đã lưu phiếu đăng ký khóa: {built.path}")
            open_pdf(built.path)

        self.ctx.bg.io(build, on_success=opened)

    def save_connection(self) -> None:
        """Save the hub address and the province key; replacing a pinned key needs a confirmation
        showing the old and the new fingerprints (a wrong key would let another machine pose as the hub)."""
        hub, key = self.hub_edit.text().strip(), self.key_edit.text().strip()

        def check(store):
            from core.sync.hub_trust import key_change
            from db.settings import PROVINCE_KEY, get_setting

            return key_change(get_setting(store, PROVINCE_KEY), key) if key else None

        def checked(change):
            if change is None:
                self._save_connection(hub, key)
            else:
                self._confirm_key_change(change, hub, key)

        self.ctx.bg.db(check, on_success=checked)

    def _confirm_key_change(self, change: tuple[str, str], hub: str, key: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        old, new = change
        box = QMessageBox(QMessageBox.Icon.Warning, "Thay khóa của tỉnh",
                          "Máy này đang lưu một khóa khác của tỉnh. Chỉ thay khi tỉnh đã thông báo đổi khóa "
                          "bằng văn bản.\n\n"
                          f"Dấu vân tay khóa đang lưu: {old}\nDấu vân tay khóa mới: {new}\n\n"
                          "Thay khóa của tỉnh?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("provinceKeyChangeBox")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText("Thay khóa")
        box.button(QMessageBox.StandardButton.Cancel).setText("Giữ khóa cũ")

        def done(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes:
                self._save_connection(hub, key)
            else:
                self.progress_text.setText(f"Đã giữ khóa cũ của tỉnh (dấu vân tay {old}).")

        box.finished.connect(done)
        self._key_box = box
        box.open()

    def _save_connection(self, hub: str, key: str) -> None:
        paths = self.ctx.paths

        def save(store):
            from core.sync import identity

            identity.configure(store, paths, hub=hub or None, province_key_text=key or None)

        def saved(_):
            show_info(self, "Đã lưu địa chỉ máy chủ và khóa của tỉnh.")
            self.ctx.signals.data_changed.emit("settings")

        self.ctx.bg.db(save, on_success=saved)
