"""Fixtures for dossier tests: a commune workspace with the clock pinned to 30/06/2025."""

from __future__ import annotations

import datetime as dt

import pytest

from core import clock


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(dt.datetime(2025, 6, 30, 9, 0, tzinfo=clock.LOCAL_TZ))
    yield
    clock.freeze(None)


def dossier(code_seq: int, received: str, **extra) -> dict:
    """A dossier dict with a valid provincial code; flags default to 'nothing done'."""
    stamp = received[2:4] + received[5:7] + received[8:10]
    return {"code": f"000.00.53.H48-{stamp}-{code_seq:04d}", "field": "Hộ tịch", "received_on": received,
            **extra}
