"""Files the app ships: fonts, the unit list, the default checklist, reference data.

A package only so that a normal (non-editable) install carries them along.
"""
