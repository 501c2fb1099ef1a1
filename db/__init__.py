"""Local storage: one SQLite file per workspace, through sqlite-utils. No Qt here."""
