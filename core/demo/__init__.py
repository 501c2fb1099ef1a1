"""Deterministic demo data: a commune with a year of realistic activity.

Each capability contributes a generator `fn(ctx) -> str` (a one-line summary)
listed in GENERATORS. Generators draw only from `ctx.rng`, so the same seed
gives the same data.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from typing import Callable

from core.clock import today_local
from core.workspace import initialise, is_initialised, list_staff
from db.store import Store

DEMO_UNIT_CODE = "21484"  # Xã Ba Tơ
DEMO_STAFF = ["Nguyễn Thị Hồng Nhung", "Trần Văn Đức", "Phạm Minh Tuấn", "Lê Thị Ánh", "Đinh Văn Sơn"]


@dataclass
class DemoContext:
    store: Store
    rng: random.Random
    today: dt.date
    staff_ids: list[str] = field(default_factory=list)

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _foundation(ctx: DemoContext) -> str:
    if not is_initialised(ctx.store):
        initialise(ctx.store, DEMO_UNIT_CODE, DEMO_STAFF, DEMO_STAFF[0])
    ctx.staff_ids[:] = [row["id"] for row in list_staff(ctx.store)]
    return f"Đơn vị và {len(ctx.staff_ids)} cán bộ."


def _generators() -> list[Callable[[DemoContext], str]]:
    # Capabilities append their generator here (imported lazily: demo data is rarely made).
    from core.demo import checklists as demo_checklists
    from core.dossiers.demo import demo_dossiers
    from core.tasks import demo as demo_tasks

    return [_foundation, demo_dossiers, demo_checklists.generate, demo_tasks.generate]


def fill(store: Store, *, seed: int = 1, today: dt.date | None = None) -> list[str]:
    ctx = DemoContext(store=store, rng=random.Random(seed), today=today or today_local())
    return [generator(ctx) for generator in _generators()]
