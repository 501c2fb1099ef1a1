"""`init --province-key` never replaces a pinned province key by the way: it must be asked for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core.sync import keys
from tests.cli_env import scrubbed_env

ROOT = Path(__file__).resolve().parents[3]


def cli(*args, data_dir):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args, "--data-dir", str(data_dir)],
                          capture_output=True, encoding="utf-8", cwd=ROOT, env=scrubbed_env(), timeout=120)


def new_key() -> str:
    return keys.public_key_text(Ed25519PrivateKey.generate().public_key())


def pinned(data_dir: Path) -> str:
    from core.paths import AppPaths
    from core.workspace import open_workspace
    from db.settings import PROVINCE_KEY, get_setting

    with open_workspace(AppPaths(data_dir), check_integrity=False) as store:
        return get_setting(store, PROVINCE_KEY)


def test_a_different_province_key_is_refused_until_confirmed(tmp_path):
    data, first, second = tmp_path / "xa", new_key(), new_key()
    assert cli("init", "--unit", "21484", "--province-key", first, data_dir=data).returncode == 0
    # Re-running init with the same key is fine (scripts re-run it).
    assert cli("init", "--unit", "21484", "--province-key", first, data_dir=data).returncode == 0

    refused = cli("init", "--unit", "21484", "--province-key", second, data_dir=data)
    assert refused.returncode == 2 and "--replace-province-key" in refused.stderr
    assert keys.fingerprint(first) in refused.stderr and keys.fingerprint(second) in refused.stderr
    assert "Traceback" not in refused.stderr
    assert pinned(data) == first  # negative check: without the refusal the second key would be pinned here

    assert cli("init", "--unit", "21484", "--province-key", second, "--replace-province-key",
               data_dir=data).returncode == 0
    assert pinned(data) == second
