"""Cài đặt: the unit, the staff who use this PC, backups and the data folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QMessageBox, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from core import backups as backup_actions
from core.clock import format_date
from core.workspace import add_staff, list_staff, set_current_staff
from db import backup as db_backup
from db.store import Store
from ui.errors import show_info
from ui.pages.base import Page
from core.listing import sort_rows
from core.textfold import vi_name_sort_key, vi_sort_key
from ui.widgets.list_table import ListTable, copy_text
from ui.widgets.rows_model import Column, RowsModel

KIND_NAMES = {"daily": "hằng ngày", "weekly": "hằng tuần", "manual": "sao lưu ngay",
              "before-restore": "trước khi khôi phục", "before-upgrade": "trước khi nâng cấp",
              "damaged": "tệp hỏng được giữ lại"}


STAFF_SORTS = {"full_name": lambda r: vi_name_sort_key(r["full_name"]),
               "position": lambda r: (r["position"] is None, vi_sort_key(r["position"] or ""))}
BACKUP_SORTS = {"taken": lambda b: b.taken_at, "kind": lambda b: (b.kind, b.taken_at),
                "size": lambda b: b.size, "path": lambda b: str(b.path)}

class SettingsPage(Page):
    title = "Cài đặt"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        outer = QVBoxLayout(self)
        outer.addWidget(self.heading("Cài đặt"))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        unit_box = QGroupBox("Đơn vị")
        form = QFormLayout(unit_box)
        self.unit_label = QLabel()
        self.folder_label = QLabel()
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setWordWrap(True)
        open_folder = QPushButton("Mở thư mục dữ liệu")
        open_folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(ctx.paths.data_dir))))
        form.addRow("Đơn vị:", self.unit_label)
        form.addRow("Thư mục dữ liệu:", self.folder_label)
        folder_row = QHBoxLayout()
        folder_row.addWidget(open_folder)
        folder_row.addStretch(1)
        form.addRow("", folder_row)
        layout.addWidget(unit_box)

        staff_box = QGroupBox("Cán bộ, công chức dùng máy này")
        staff_layout = QVBoxLayout(staff_box)
        self.staff_model = RowsModel([Column("full_name", "Họ và tên"), Column("position", "Chức vụ"),
                                      Column("current", "Đang làm việc")])
        self.staff_view = ListTable(ctx, "staffTable", self.staff_model, sortable=STAFF_SORTS,
                                    default_sort=("full_name", False))
        self.staff_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.staff_view.sort_changed.connect(self.reload)
        self.staff_view.menu_builder = lambda row: [("Chọn làm người đang làm việc", self._make_current),
                                                    ("Ngừng sử dụng", self._deactivate)]
        self.staff_view.setMinimumHeight(150)
        staff_layout.addWidget(self.staff_view)
        row = QHBoxLayout()
        self.new_staff = QLineEdit()
        self.new_staff.setObjectName("newStaffName")
        self.new_staff.setPlaceholderText("Họ và tên cán bộ mới")
        self.new_position = QLineEdit()
        self.new_position.setPlaceholderText("Chức vụ (không bắt buộc)")
        add = QPushButton("Thêm cán bộ")
        add.setObjectName("addStaffButton")
        make_current = QPushButton("Chọn làm người đang làm việc")
        make_current.setObjectName("makeCurrentButton")
        deactivate = QPushButton("Ngừng sử dụng")
        row.addWidget(self.new_staff, 2)
        row.addWidget(self.new_position, 1)
        row.addWidget(add)
        staff_layout.addLayout(row)
        row2 = QHBoxLayout()
        row2.addWidget(make_current)
        row2.addWidget(deactivate)
        row2.addStretch(1)
        staff_layout.addLayout(row2)
        add.clicked.connect(self._add_staff)
        self.new_staff.returnPressed.connect(self._add_staff)
        make_current.clicked.connect(self._make_current)
        deactivate.clicked.connect(self._deactivate)
        layout.addWidget(staff_box)

        backup_box = QGroupBox("Sao lưu và khôi phục")
        backup_layout = QVBoxLayout(backup_box)
        note = QLabel("Phần mềm tự sao lưu mỗi ngày khi mở (giữ 7 bản hằng ngày và 4 bản hằng tuần). "
                      "Nên chép thêm bản sao lưu ra USB định kỳ.")
        note.setWordWrap(True)
        backup_layout.addWidget(note)
        self.backup_model = RowsModel([Column("taken", "Thời điểm"), Column("kind", "Loại"),
                                       Column("size", "Dung lượng"), Column("path", "Tệp")])
        self.backup_view = ListTable(ctx, "backupTable", self.backup_model, sortable=BACKUP_SORTS,
                                     default_sort=("taken", True))
        self.backup_view.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.backup_view.sort_changed.connect(self.reload)
        self.backup_view.empty_state = lambda: ("Chưa có bản sao lưu nào.", [("Sao lưu ngay", self.backup_now)])
        self.backup_view.menu_builder = lambda row: [("Khôi phục bản này…", self._restore_selected),
                                                     ("Sao chép đường dẫn tệp", lambda: copy_text(row["path"]))]
        self.backup_view.setMinimumHeight(180)
        backup_layout.addWidget(self.backup_view)
        buttons = QHBoxLayout()
        backup_now = QPushButton("Sao lưu ngay")
        backup_now.setObjectName("backupNowButton")
        backup_to = QPushButton("Sao lưu ra thư mục khác…")
        restore = QPushButton("Khôi phục bản đã chọn…")
        restore.setObjectName("restoreButton")
        restore_file = QPushButton("Khôi phục từ tệp…")
        for button in (backup_now, backup_to, restore, restore_file):
            buttons.addWidget(button)
        buttons.addStretch(1)
        backup_layout.addLayout(buttons)
        backup_now.clicked.connect(lambda: self.backup_now())
        backup_to.clicked.connect(self._backup_to_folder)
        restore.clicked.connect(self._restore_selected)
        restore_file.clicked.connect(self._restore_from_file)
        layout.addWidget(backup_box)
        layout.addStretch(1)

    # -- loading ---------------------------------------------------------------------
    def reload(self) -> None:
        paths = self.ctx.paths

        staff_sort, backup_sort = self.staff_view.sort, self.backup_view.sort

        def load(store: Store):
            # Not queries: names go by the given name, backups are files. Sorted here, off the UI thread.
            staff = sort_rows(list_staff(store), staff_sort, STAFF_SORTS, "full_name")
            backups = sort_rows(db_backup.list_backups(paths.backups_dir), backup_sort, BACKUP_SORTS, "taken")
            return staff, backups, store.actor

        self.ctx.bg.read(load, self._show)

    def _show(self, result) -> None:
        staff, backups, actor = result
        who = self.ctx.identity
        self.unit_label.setText(f"{who.unit.name} (mã {who.unit.code})" if who.unit else "Chưa thiết lập")
        self.folder_label.setText(str(self.ctx.paths.data_dir))
        for row in staff:
            row["current"] = "✔" if row["id"] == actor else ""
        self.staff_model.set_rows(staff)
        self.backup_model.set_rows([
            {"taken": f"{b.taken_at:%H:%M} {format_date(b.taken_at.date())}",
             "kind": KIND_NAMES.get(b.kind, b.kind), "size": f"{b.size / 1024:.0f} KB",
             "path": str(b.path), "file": b.path} for b in backups])
        self.backup_view.fit_columns_once()

    # -- staff -----------------------------------------------------------------------
    def _selected_staff(self) -> dict | None:
        rows = self.staff_view.selectionModel().selectedRows()
        return self.staff_model.row(rows[0].row()) if rows else None

    def _add_staff(self) -> None:
        name, position = self.new_staff.text(), self.new_position.text().strip() or None

        def done(_):
            self.new_staff.clear()
            self.new_position.clear()
            self.ctx.signals.data_changed.emit("staff")

        self.ctx.bg.db(lambda store: add_staff(store, name, position), done)

    def _make_current(self) -> None:
        row = self._selected_staff()
        if row is None:
            return
        self.ctx.bg.db(lambda store: set_current_staff(store, row["id"]),
                       lambda _: self.ctx.signals.identity_changed.emit())

    def _deactivate(self) -> None:
        row = self._selected_staff()
        if row is None:
            return
        self.ctx.bg.db(lambda store: store.update("staff", row["id"], {"active": 0}),
                       lambda _: self.ctx.signals.data_changed.emit("staff"))

    # -- backups ---------------------------------------------------------------------
    def backup_now(self, dest: Path | None = None, passphrase: str | None = None) -> None:
        paths = self.ctx.paths

        def done(made):
            self.reload()
            show_info(self, f"Đã sao lưu vào:\n{made}")

        if passphrase:
            self.ctx.bg.db(lambda store: backup_actions.backup_encrypted(store, paths, dest, passphrase), done)
            return
        self.ctx.bg.db(lambda store: backup_actions.backup_now(store, paths, dest), done)

    def _backup_to_folder(self) -> None:
        from ui.passphrase_prompt import ask_passphrase

        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục (ví dụ USB) để lưu bản sao")
        if not folder:
            return
        # Outside the data folder (a USB stick can be lost): offer to encrypt it.
        answer = QMessageBox.question(self, "Mã hóa bản sao lưu",
                                      "Mã hóa bản sao lưu bằng cụm mật khẩu? (Nên chọn khi lưu ra USB.)")
        passphrase = None
        if answer == QMessageBox.StandardButton.Yes:
            passphrase = ask_passphrase(self, "Mã hóa bản sao lưu", "Cụm mật khẩu (ít nhất 8 ký tự):", choose=True)
            if not passphrase:
                return
        self.backup_now(Path(folder), passphrase)

    def _restore_selected(self) -> None:
        rows = self.backup_view.selectionModel().selectedRows()
        if rows:
            self.restore(self.backup_model.row(rows[0].row())["file"])

    def _restore_from_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Chọn tệp sao lưu", str(self.ctx.paths.backups_dir),
                                              "Bản sao lưu (*.sqlite3 *.enc);;Mọi tệp (*)")
        if name:
            self.restore(Path(name))

    def restore(self, backup_file: Path, *, confirm: bool = True) -> None:
        if confirm:
            answer = QMessageBox.question(
                self, "Khôi phục dữ liệu",
                f"Thay dữ liệu hiện tại bằng bản sao lưu:\n{backup_file}\n\n"
                "Dữ liệu hiện tại sẽ được giữ lại thành một bản sao riêng trước khi khôi phục.")
            if answer != QMessageBox.StandardButton.Yes:
                return
        paths = self.ctx.paths
        passphrase = None
        if backup_actions.is_encrypted(Path(backup_file)):
            from ui.passphrase_prompt import ask_passphrase

            passphrase = ask_passphrase(self, "Bản sao lưu mã hóa", "Cụm mật khẩu đã đặt khi sao lưu:")
            if not passphrase:
                return

        def done(aside):
            self.ctx.signals.workspace_replaced.emit()
            show_info(self, f"Đã khôi phục. Dữ liệu trước khi khôi phục được giữ tại:\n{aside}")

        self.ctx.bg.db_exclusive(lambda: backup_actions.restore_from(paths, backup_file, passphrase), done)
