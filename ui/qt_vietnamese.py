"""Vietnamese for the words Qt's own widgets show (standard buttons, "Show Details...",
the text fields' right-click menu).

Qt ships no Vietnamese translation, so without this an error dialog says "OK" and
"Show Details..." and a text field's menu says "Copy" / "Paste". Every label the app writes
itself is already Vietnamese; this covers the rest, in the words the app uses ("Hủy", as the
app's own buttons say). Installed once, before any widget exists (ui.app.make_application):
installing a translator later sends LanguageChange, which resets the app's own labels of
standard buttons.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator

# Source text -> Vietnamese, whatever the Qt class asking (the same English word means the
# same thing in all of them). Keys are Qt's source strings exactly, accelerators (&) included.
QT_VIETNAMESE = {
    # Standard buttons (QPlatformTheme: QMessageBox, QDialogButtonBox)
    "OK": "Đồng ý",
    "Save": "Lưu",
    "Save All": "Lưu tất cả",
    "Open": "Mở",
    "&Yes": "&Có",
    "Yes to &All": "Có cho &tất cả",
    "&No": "&Không",
    "N&o to All": "K&hông cho tất cả",
    "Abort": "Dừng",
    "Retry": "Thử lại",
    "Ignore": "Bỏ qua",
    "Close": "Đóng",
    "Cancel": "Hủy",
    "Discard": "Bỏ thay đổi",
    "Help": "Trợ giúp",
    "Apply": "Áp dụng",
    "Reset": "Đặt lại",
    "Restore Defaults": "Khôi phục mặc định",
    # QMessageBox details
    "Show Details...": "Xem chi tiết…",
    "Hide Details...": "Ẩn chi tiết",
    # Right-click menus of text fields, selectable labels and details boxes
    "&Undo": "&Hoàn tác",
    "&Redo": "&Làm lại",
    "Cu&t": "&Cắt",
    "&Copy": "&Sao chép",
    "Copy &Link Location": "Sao chép địa chỉ &liên kết",
    "&Paste": "&Dán",
    "Delete": "Xóa",
    "Select All": "Chọn tất cả",
    "&Select All": "&Chọn tất cả",
    # Spin boxes and date fields
    "&Step up": "&Tăng",
    "Step &down": "&Giảm",
    # Scroll bars' right-click menu
    "Scroll here": "Cuộn đến đây",
    "Left edge": "Mép trái",
    "Top": "Trên cùng",
    "Right edge": "Mép phải",
    "Bottom": "Dưới cùng",
    "Page left": "Sang trái một trang",
    "Page up": "Lên một trang",
    "Page right": "Sang phải một trang",
    "Page down": "Xuống một trang",
    "Scroll left": "Cuộn sang trái",
    "Scroll up": "Cuộn lên",
    "Scroll right": "Cuộn sang phải",
    "Scroll down": "Cuộn xuống",
}


class VietnameseQtTranslator(QTranslator):
    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: D401 (Qt API)
        # None (a null QString) lets Qt keep its own text; "" would replace it with nothing.
        return QT_VIETNAMESE.get(source_text)

    def isEmpty(self) -> bool:  # noqa: N802 (Qt API)
        return False


def install(app: QCoreApplication) -> QTranslator:
    """Install the translator on `app`, once (a second call returns the first translator)."""
    # Kept on the wrapper: app.findChild(VietnameseQtTranslator) costs ~4 ms in PySide6.
    translator = getattr(app, "_vietnamese_qt_translator", None)
    if translator is None:
        translator = VietnameseQtTranslator(app)  # parented: lives as long as the application
        app.installTranslator(translator)
        app._vietnamese_qt_translator = translator
    return translator
