"""Which no-go zones lie next to each zone a routine may work on.

During percussion or firm pressure a hand that slips lands on the neighbours first, so
the session emphasises them. The table is anatomy, kept here in one place: the lower
back borders the kidney areas, the floating ribs and the spine; the side of the trunk
borders the floating ribs and the armpit, and so on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from massage_trainer.domain.models import Pressure, Step, Technique, TechniqueFamily

NEARBY_NO_GO: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "neck": ("spine",),
        "shoulder-girdle-left": ("spine", "armpit-left"),
        "shoulder-girdle-right": ("spine", "armpit-right"),
        "shoulder-blade-left": ("spine", "armpit-left"),
        "shoulder-blade-right": ("spine", "armpit-right"),
        "between-shoulder-blades": ("spine",),
        "upper-back": ("spine", "armpit-left", "armpit-right"),
        "paraspinal-left": ("spine", "kidney-left", "floating-ribs-left"),
        "paraspinal-right": ("spine", "kidney-right", "floating-ribs-right"),
        "lower-back": (
            "spine",
            "kidney-left",
            "kidney-right",
            "floating-ribs-left",
            "floating-ribs-right",
        ),
        "hips": ("spine", "kidney-left", "kidney-right"),
        "side-left": ("floating-ribs-left", "kidney-left", "armpit-left"),
        "side-right": ("floating-ribs-right", "kidney-right", "armpit-right"),
    }
)
"""Zone id -> the no-go zone ids right next to it."""

EMPHASIS_FAMILIES = frozenset({TechniqueFamily.TAPOTEMENT})
"""Technique families whose blows make a slip onto a no-go neighbour likely."""


def nearby_no_go(zone_ids: Iterable[str]) -> tuple[str, ...]:
    """The no-go zones next to any of ``zone_ids``, each once, in table order."""
    found: dict[str, None] = {}
    for zone_id in zone_ids:
        for neighbour in NEARBY_NO_GO.get(zone_id, ()):
            found.setdefault(neighbour, None)
    return tuple(found)


def needs_emphasis(step: Step, technique: Technique | None) -> bool:
    """True when the step is percussion or firm pressure: the moments to mind the edges."""
    if step.pressure is Pressure.FIRM:
        return True
    return technique is not None and technique.family in EMPHASIS_FAMILIES


def emphasised_zones(step: Step, technique: Technique | None) -> tuple[str, ...]:
    """The no-go zones to emphasise while ``step`` runs; () when it is gentle work."""
    if not needs_emphasis(step, technique):
        return ()
    return nearby_no_go(step.zones)
