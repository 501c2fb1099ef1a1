"""`MOTCUA_TEST_SHARD=i/n` (tests/conftest.py): the shares run side by side under Windows Python
(build/windows/build.sh) must together be the whole suite, each test exactly once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import shard_modules

ROOT = Path(__file__).resolve().parent.parent


def test_every_module_is_dealt_once_and_the_shares_are_even():
    counts = {f"tests/m{i}.py": size for i, size in enumerate([40, 3, 17, 17, 9, 1, 60, 22, 5, 5])}
    sets = shard_modules(counts, 2)
    assert sets[0] | sets[1] == set(counts) and not sets[0] & sets[1]
    sizes = [sum(counts[m] for m in s) for s in sets]
    assert abs(sizes[0] - sizes[1]) <= max(counts.values())
    assert shard_modules(dict(reversed(counts.items())), 2) == sets  # the same deal in every process


def _collected(*env: str) -> list[str]:
    import os

    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "-m", "not slow", "tests/core/hub", "tests/core/cli"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300,
                         env={**os.environ, **dict(e.split("=", 1) for e in env)}).stdout
    return [line for line in out.splitlines() if "::" in line]


def test_the_two_shares_of_a_collection_are_its_partition():
    whole = _collected("MOTCUA_TEST_SHARD=")
    first, second = _collected("MOTCUA_TEST_SHARD=1/2"), _collected("MOTCUA_TEST_SHARD=2/2")
    assert first and second and not set(first) & set(second)
    assert sorted(first + second) == sorted(whole)


def test_a_wrong_share_is_refused():
    import os

    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "tests/test_shards.py"], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "MOTCUA_TEST_SHARD": "3/2"})
    assert done.returncode != 0 and "expected i/n" in done.stdout + done.stderr
