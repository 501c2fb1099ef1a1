"""Who is working: the unit this workspace belongs to and the current staff member."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.units import Unit


@dataclass(frozen=True)
class Identity:
    unit: "Unit | None"
    staff_id: str | None
    staff_name: str | None
