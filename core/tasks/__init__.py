"""Tasks from directives: storing imported directives, progress, lists, reminders and reports."""
