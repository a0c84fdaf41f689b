"""Nearby no-go zones: percussion and firm work emphasise the edges a hand could slip onto."""

from __future__ import annotations

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.models import Pressure, SafetyTier
from massage_trainer.domain.neighbours import (
    NEARBY_NO_GO,
    emphasised_zones,
    nearby_no_go,
    needs_emphasis,
)


def test_every_workable_zone_has_neighbours_and_they_are_no_go(library: ContentLibrary) -> None:
    workable = {z.id for z in library.zones.values() if z.tier is not SafetyTier.NO_GO}
    assert set(NEARBY_NO_GO) == workable
    for zone_id, neighbours in NEARBY_NO_GO.items():
        assert neighbours, zone_id
        for neighbour in neighbours:
            assert library.zones[neighbour].tier is SafetyTier.NO_GO, (zone_id, neighbour)


def test_left_and_right_neighbours_mirror_each_other() -> None:
    for zone_id, neighbours in NEARBY_NO_GO.items():
        if zone_id.endswith("-left"):
            mirrored = tuple(n.replace("-left", "-right") for n in neighbours)
            assert NEARBY_NO_GO[zone_id.replace("-left", "-right")] == mirrored


def test_lower_back_borders_kidneys_ribs_and_spine() -> None:
    assert set(nearby_no_go(["lower-back"])) == {
        "spine",
        "kidney-left",
        "kidney-right",
        "floating-ribs-left",
        "floating-ribs-right",
    }


def test_neighbours_are_listed_once() -> None:
    found = nearby_no_go(["paraspinal-left", "lower-back", "unknown"])
    assert len(found) == len(set(found))
    assert "kidney-left" in found


def test_tapping_and_firm_steps_are_emphasised_gentle_ones_are_not(
    library: ContentLibrary,
) -> None:
    routine = library.routines["classic-home"]
    tapping = next(s for s in routine.steps if s.technique == "tapping")
    technique = library.techniques["tapping"]
    assert needs_emphasis(tapping, technique)
    assert {"kidney-left", "kidney-right"} <= set(emphasised_zones(tapping, technique))

    stroking = routine.steps[0]
    assert stroking.pressure is not Pressure.FIRM
    assert emphasised_zones(stroking, library.techniques[stroking.technique]) == ()

    firm = next(s for s in library.routines["beginner-20"].steps if s.pressure is Pressure.FIRM)
    assert "spine" in emphasised_zones(firm, library.techniques[firm.technique])
