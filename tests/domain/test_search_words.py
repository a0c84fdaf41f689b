"""Library search finds what people type: plurals, small typos and body-part words."""

from __future__ import annotations

import pytest

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.search import MatchRank, search


def _first_ids(library: ContentLibrary, query: str, count: int) -> list[str]:
    return [hit.id for hit in search(library, query)[:count]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kidneys", ["kidney-left", "kidney-right"]),
        ("armpits", ["armpit-left", "armpit-right"]),
        ("shoulder blades", ["shoulder-blade-left", "shoulder-blade-right"]),
        ("Floating ribs", ["floating-ribs-left", "floating-ribs-right"]),
    ],
)
def test_a_plural_finds_the_zone_first(
    library: ContentLibrary, query: str, expected: list[str]
) -> None:
    assert _first_ids(library, query, len(expected)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("efleurage", "open-palm-stroking"),
        ("petrisage", "kneading"),
        ("kneed", "kneading"),
        ("kneadnig", "kneading"),
        ("tapotment", "tapping"),
        ("vibraton", "vibration"),
        ("cuping", "cupping"),
        ("sholder blade", "shoulder-blade-left"),
        ("kidny", "kidney-left"),
        ("efleur", "open-palm-stroking"),  # a typo while still typing
    ],
)
def test_a_small_typo_still_finds_the_item(
    library: ContentLibrary, query: str, expected: str
) -> None:
    hits = search(library, query)
    assert hits, f"nothing found for {query!r}"
    assert hits[0].id == expected
    assert hits[0].rank is MatchRank.CLOSE


def test_typo_matches_rank_after_real_matches(library: ContentLibrary) -> None:
    # "light" is one letter from "right", but a first letter is rarely mistyped: the
    # right-hand zones must not crowd the results for light pressure.
    assert not [hit for hit in search(library, "light") if hit.id.endswith("-right")]
    # Short words must be typed right: "hold" is not "cold" or "fold".
    assert all(hit.rank is not MatchRank.CLOSE for hit in search(library, "hold"))
    ranks = [hit.rank for hit in search(library, "kneding")]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("backbone", "spine"),
        ("vertebrae", "spine"),
        ("scapula", "shoulder-blade-left"),
        ("lumbar", "lower-back"),
        ("small of the back", "lower-back"),
        ("buttocks", "hips"),
        ("glutes", "hips"),
        ("waist", "side-left"),
        ("shoulders", "shoulder-girdle-left"),
        ("axilla", "armpit-left"),
    ],
)
def test_body_part_words_find_the_zone(library: ContentLibrary, query: str, expected: str) -> None:
    hits = search(library, query)
    assert hits[0].id == expected
    assert hits[0].rank is MatchRank.EXACT


def test_the_everyday_words_are_content_and_both_sides_share_them(
    library: ContentLibrary,
) -> None:
    assert "scapula" in library.zone("shoulder-blade-right").aliases
    assert "backbone" in library.zone("spine").aliases
    for zone in library.zones.values():
        if zone.id.endswith("-left"):
            twin = library.zone(zone.id.removesuffix("-left") + "-right")
            assert zone.aliases == twin.aliases
