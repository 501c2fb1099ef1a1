"""Widgets of the Số hóa hồ sơ page (ui/pages/dossiers_page.py puts them in tabs)."""
