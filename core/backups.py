"""Backup actions as the app offers them: back up now (optionally encrypted for a USB stick),
list, restore (keeping the current file)."""

from __future__ import annotations

import shutil
from pathlib import Path

from core import durable
from core.errors import BackupError, UserInputError
from core.paths import AppPaths
from core.workspace import open_workspace
from db import backup as backups
from db.store import Store

ENCRYPTED_SUFFIX = ".enc"


class BackupPassphraseRequired(UserInputError):
    """An encrypted backup was chosen and no passphrase given."""

    def __init__(self):
        super().__init__("Bản sao lưu này được mã hóa: hãy nhập cụm mật khẩu đã đặt khi sao lưu.")


def backup_now(store: Store, paths: AppPaths, dest_dir: Path | None = None) -> Path:
    """A backup of the database and every attachment, in one verified file."""
    return backups.backup_database(store.conn, dest_dir or paths.backups_dir / "manual", "manual",
                                   paths.attachments_dir)


def backup_encrypted(store: Store, paths: AppPaths, dest_dir: Path, passphrase: str) -> Path:
    """A backup for outside the data folder (a USB stick), encrypted with `passphrase`.

    The verified backup is made in the data folder first (it stays there as this PC's manual
    backup; the folder is the user's alone); its encrypted copy is written atomically into
    `dest_dir`, then read back and decrypted to check it gives the same bytes. Nothing
    unencrypted is written to `dest_dir`.
    """
    from core.passphrase_crypto import check_new_passphrase, decrypt_stream, encrypt_stream

    check_new_passphrase(passphrase)
    plain = backup_now(store, paths)
    final = Path(dest_dir) / (plain.name + ENCRYPTED_SUFFIX)
    digests = []

    def write(out) -> None:
        with open(plain, "rb") as src:
            digests.append(encrypt_stream(src, out, passphrase))
    try:
        durable.write_atomic(final, write)
        with open(final, "rb") as f:
            if decrypt_stream(f, None, passphrase) != digests[0]:
                raise BackupError("Bản sao lưu mã hóa vừa ghi đọc lại không khớp.")
    except OSError as exc:
        raise BackupError(f"Không ghi được bản sao lưu mã hóa vào “{dest_dir}”.", details=repr(exc)) from exc
    return final


def is_encrypted(backup_file: Path) -> bool:
    from core.passphrase_crypto import is_encrypted_file

    return is_encrypted_file(backup_file)


def restore_from(paths: AppPaths, backup_file: Path, passphrase: str | None = None) -> Path:
    """Restore with every connection closed; returns where the replaced file was kept.
    An encrypted backup needs its passphrase (BackupPassphraseRequired without one)."""
    backup_file = Path(backup_file)
    if is_encrypted(backup_file):
        if not passphrase:
            raise BackupPassphraseRequired()
        return _restore_encrypted(paths, backup_file, passphrase)
    from core.clock import utc_iso

    started = utc_iso()
    aside = backups.restore_database(paths.db_file, backup_file, paths.backups_dir, paths.attachments_dir)
    store = open_workspace(paths)  # migrate an older backup now, so the app opens it cleanly
    try:
        _new_sync_device(store, paths, started)
    finally:
        store.close()
    return aside


def _restore_encrypted(paths: AppPaths, backup_file: Path, passphrase: str) -> Path:
    from core.passphrase_crypto import decrypt_stream

    work = paths.data_dir / ".restoring-source"
    shutil.rmtree(work, ignore_errors=True)
    durable.ensure_dir(work)
    try:
        plain = work / backup_file.name.removesuffix(ENCRYPTED_SUFFIX)
        with open(backup_file, "rb") as src, durable.open_private(plain) as out:
            decrypt_stream(src, out, passphrase)
        return restore_from(paths, plain)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _new_sync_device(store: Store, paths: AppPaths, started: str):
    """The restored database becomes a new sync device with a new key (issue 13): the hub must
    register that key before the PC can sync again (core.sync.device)."""
    from core.sync.device import new_after_restore

    return new_after_restore(store, paths, started)
