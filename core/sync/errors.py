"""Typed sync errors. Each carries a short Vietnamese message and a machine `reason`.

`reason` is a stable code (tests, the hub's JSON answers, the outbox's error column);
`message` is what a commune staff member reads.
"""

from __future__ import annotations

from core.errors import AppError, UserInputError


class SyncError(AppError):
    """Base of every sync failure."""

    reason = "sync_error"

    def __init__(self, message: str, *, details: str | None = None, reason: str | None = None):
        super().__init__(message, details=details)
        if reason:
            self.reason = reason


class BundleRejected(SyncError, UserInputError):
    """A bundle that must not be applied: damaged, forged, hostile or against the ownership rules."""

    exit_code = 5
    reason = "rejected"


class BundleTooLarge(BundleRejected):
    reason = "too_large"


class BundleDamaged(BundleRejected):
    reason = "damaged"


class UnsafeMember(BundleRejected):
    reason = "unsafe_member"


class UnsupportedFormat(BundleRejected):
    reason = "unsupported_format"


class SignatureInvalid(BundleRejected):
    reason = "bad_signature"


class UnknownSender(BundleRejected):
    reason = "unknown_sender"


class RevokedKeyUsed(BundleRejected):
    """A bundle whose signature verifies with a device key the province revoked before the bundle
    was cut: the unit's own PC, still sending (core.hub.revoked_keys). Not SignatureInvalid: the
    sender is known, so the refusal is the unit's, not an anonymous one."""

    reason = "revoked_key"


class OwnershipViolation(BundleRejected):
    reason = "ownership"


class WrongDestination(BundleRejected):
    reason = "wrong_destination"


class SyncKeyError(SyncError):
    """A key file or a typed key that cannot be used."""

    exit_code = 2
    reason = "bad_key"


class HubUnreachable(SyncError):
    """No hub answered (offline, proxy, captive portal). Retried later."""

    exit_code = 6
    reason = "unreachable"


class HubRefused(SyncError):
    """The hub answered and refused (4xx). Not retried at once."""

    exit_code = 6
    reason = "refused"
