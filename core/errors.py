"""Typed exceptions shared by core/ and db/.

Every error a person can cause or meet carries a short Vietnamese message (what
the UI and the CLI show) and optional technical details (copyable, logged).
`exit_code` is what the command line returns for it.
"""

from __future__ import annotations


class AppError(Exception):
    """An expected failure with a message fit for a commune staff member."""

    exit_code = 1

    def __init__(self, message: str, *, details: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class UserInputError(AppError):
    """Something typed or chosen by the user cannot be accepted."""

    exit_code = 2


class UnknownUnitError(UserInputError):
    pass


class NotFoundError(AppError):
    exit_code = 2


class DuplicateError(UserInputError):
    pass


class NotInitialisedError(AppError):
    exit_code = 3


class DatabaseError(AppError):
    """The local database cannot be used as it is."""


class DatabaseDamagedError(DatabaseError):
    exit_code = 4


class MigrationError(DatabaseError):
    exit_code = 4


class DiskFullError(DatabaseError):
    """The disk (or the folder's quota) is full: the write was rolled back, nothing else changed."""


class BackupError(AppError):
    pass


class ReadOnlyError(UserInputError):
    """A closed or locked record was asked to change in place."""
