"""Why a directive could not be read: each a short Vietnamese message for the person importing."""

from __future__ import annotations

from core.errors import DuplicateError, UserInputError


class DirectiveReadError(UserInputError):
    """The file cannot be read as a directive at all (exit 2 on the command line)."""


class EmptyDirectiveError(DirectiveReadError):
    pass


class BinaryFileError(DirectiveReadError):
    pass


class FileTooLargeError(DirectiveReadError):
    pass


class BadDocxError(DirectiveReadError):
    pass


class BadPdfError(DirectiveReadError):
    pass


class ScannedPdfError(DirectiveReadError):
    pass


class NoTasksFoundError(UserInputError):
    """The text was read, but it has no numbered or lettered items to turn into tasks."""


class DuplicateDirectiveError(DuplicateError):
    pass


class PasswordPdfError(DirectiveReadError):
    """The PDF is locked with a password (not damaged): it opens only with the password."""


class UnsupportedFormatError(DirectiveReadError):
    """A document format the importer does not read (old Word .doc): the message says what to do."""
