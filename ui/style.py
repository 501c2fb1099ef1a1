"""Colours and the one stylesheet: calm, high-contrast, readable at 1366x768."""

from PySide6.QtGui import QColor

OVERDUE = QColor("#f8d7da")  # red: overdue / not ready
DUE_SOON = QColor("#fff3cd")  # amber: due within 7 days
GOOD = QColor("#d1e7dd")  # green: done / ready
RAG = {"red": OVERDUE, "amber": DUE_SOON, "green": GOOD}

STYLESHEET = """
QListWidget#sidebar { background: #1f3b57; color: #ffffff; border: none; outline: 0; padding-top: 6px; }
QListWidget#sidebar::item { padding: 10px 14px; border-left: 4px solid transparent; }
QListWidget#sidebar::item:selected { background: #2d5a85; border-left: 4px solid #f0b429; color: #ffffff; }
QListWidget#sidebar::item:hover:!selected { background: #284b6e; }
QLabel#pageHeading { font-size: 15pt; font-weight: 600; color: #1f3b57; padding: 4px 0 8px 0; }
QLabel#sectionHeading { font-size: 11pt; font-weight: 600; color: #1f3b57; padding-top: 6px; }
QLabel#bigNumber { font-size: 20pt; font-weight: 600; }
QFrame#card { background: #ffffff; border: 1px solid #d0d7de; border-radius: 6px; }
QStatusBar QLabel { padding: 0 8px; }
"""
