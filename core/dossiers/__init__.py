"""Dossier digitisation counters: the register, daily tallies, targets, month locks,
the indicators of QĐ 766/QĐ-TTg and Excel in and out. No Qt here."""
