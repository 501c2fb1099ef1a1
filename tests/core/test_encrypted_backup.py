"""Backups for a USB stick encrypted with a passphrase (scrypt + AES-256-GCM); restore asks for it."""

from __future__ import annotations

import io
import os
import sys

import pytest

from core import backups as backup_actions
from core import passphrase_crypto as pc
from core.errors import UserInputError
from core.workspace import open_workspace

PASS = "cum mat khau sao luu"


def _usb_backup(paths, commune_store, tmp_path):
    commune_store.insert("staff", {"full_name": "Người trong bản mã hóa", "active": 1})
    return backup_actions.backup_encrypted(commune_store, paths, tmp_path / "usb", PASS)


def test_encrypted_backup_holds_nothing_readable_and_restores_with_the_passphrase(paths, commune_store, tmp_path):
    made = _usb_backup(paths, commune_store, tmp_path)
    assert made.name.endswith(".sqlite3.enc") and list((tmp_path / "usb").iterdir()) == [made]
    data = made.read_bytes()
    assert b"SQLite format 3" not in data and "Người trong bản mã hóa".encode() not in data
    commune_store.insert("staff", {"full_name": "Người sau sao lưu", "active": 1})
    commune_store.close()
    with pytest.raises(backup_actions.BackupPassphraseRequired):
        backup_actions.restore_from(paths, made)
    with pytest.raises(pc.WrongPassphrase):
        backup_actions.restore_from(paths, made, "mat khau khac")
    backup_actions.restore_from(paths, made, PASS)
    store = open_workspace(paths)
    names = {r["full_name"] for r in store.query("SELECT full_name FROM staff")}
    store.close()
    assert "Người trong bản mã hóa" in names and "Người sau sao lưu" not in names
    assert not (paths.data_dir / ".restoring-source").exists()  # the decrypted copy does not linger


@pytest.mark.parametrize("damage", ["cut_end", "cut_chunk", "flip", "append"])
def test_a_cut_or_altered_encrypted_backup_is_refused_and_nothing_changes(paths, commune_store, tmp_path, damage,
                                                                         monkeypatch):
    monkeypatch.setattr(pc, "CHUNK", 4096)  # many chunks, so one can be cut off whole
    made = _usb_backup(paths, commune_store, tmp_path)
    commune_store.close()
    data = bytearray(made.read_bytes())
    if damage == "cut_end":
        data = data[:-100]
    elif damage == "cut_chunk":  # whole chunks only: it ends exactly after the third one
        data = data[:len(pc.STREAM_MAGIC) + data[len(pc.STREAM_MAGIC):].index(b"\n") + 1 + 3 * (4 + pc.CHUNK + 16)]
    elif damage == "flip":
        data[len(data) // 2] ^= 1
    else:
        data += b"\0" * 20
    made.write_bytes(bytes(data))
    before = paths.db_file.read_bytes()
    with pytest.raises(pc.WrongPassphrase):
        backup_actions.restore_from(paths, made, PASS)
    assert paths.db_file.read_bytes() == before


def test_short_passphrases_are_refused(paths, commune_store, tmp_path):
    with pytest.raises(pc.PassphraseTooShort):
        backup_actions.backup_encrypted(commune_store, paths, tmp_path / "usb", "ngan")
    assert not (tmp_path / "usb").exists() or not list((tmp_path / "usb").iterdir())


def test_cli_backup_encrypt_and_restore(paths, commune_store, tmp_path, monkeypatch, capsys):
    from core.cli import run

    commune_store.close()
    usb = tmp_path / "usb"
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASS + "\n"))
    assert run(["--data-dir", str(paths.data_dir), "backup", "--to", str(usb), "--encrypt", "--passphrase-stdin"]) == 0
    (made,) = usb.iterdir()
    assert pc.is_encrypted_file(made)
    if os.name == "posix":
        assert oct(made.stat().st_mode & 0o777) == "0o600"
    monkeypatch.setattr(sys, "stdin", io.StringIO("sai\n"))
    assert run(["--data-dir", str(paths.data_dir), "restore", str(made), "--passphrase-stdin"]) == 2
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASS + "\n"))
    assert run(["--data-dir", str(paths.data_dir), "restore", str(made), "--passphrase-stdin"]) == 0
    assert "Đã khôi phục" in capsys.readouterr().out
    assert run(["--data-dir", str(paths.data_dir), "backup", "--encrypt", "--passphrase-stdin"]) == 2


def test_stream_round_trip_of_many_chunks(monkeypatch):
    monkeypatch.setattr(pc, "CHUNK", 1000)
    for size in (0, 1, 999, 1000, 1001, 5000):
        data = os.urandom(size)
        out = io.BytesIO()
        digest = pc.encrypt_stream(io.BytesIO(data), out, PASS)
        back = io.BytesIO()
        assert pc.decrypt_stream(io.BytesIO(out.getvalue()), back, PASS) == digest
        assert back.getvalue() == data
    assert issubclass(pc.WrongPassphrase, UserInputError)
