"""Widgets of the "Hội nghị truyền hình" page (ui/pages/conference_page.py): the run walk,
its log of incidents and corrections, the meeting dialogs, equipment and templates."""
