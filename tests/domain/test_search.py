"""Library search: aliases, ranking, as-you-type matching and filters."""

from __future__ import annotations

import pytest

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.models import Pressure, SafetyTier, TechniqueFamily
from massage_trainer.domain.search import (
    HitKind,
    MatchRank,
    SearchHit,
    allowed_zones,
    normalise,
    routines_using,
    search,
    steps_on_zone,
    techniques_allowed_on,
)


def _ids(hits: list[SearchHit]) -> list[str]:
    return [hit.id for hit in hits]


def test_kneading_finds_the_petrissage_techniques_first(library: ContentLibrary) -> None:
    hits = search(library, "kneading")
    assert hits[0].id == "kneading"
    petrissage = {
        t.id for t in library.techniques.values() if t.family is TechniqueFamily.PETRISSAGE
    }
    leading = [h for h in hits if h.rank is MatchRank.EXACT]
    assert {h.id for h in leading} == petrissage
    assert _ids(hits)[: len(petrissage)] == [h.id for h in leading]


@pytest.mark.parametrize("query", ["tapping", "cupping", "Tapping ", "CUPPING"])
def test_tapping_and_cupping_find_tapotement(library: ContentLibrary, query: str) -> None:
    hits = search(library, query)
    first = library.technique(hits[0].id)
    assert first.family is TechniqueFamily.TAPOTEMENT
    assert hits[0].id == query.strip().lower()


def test_family_name_finds_all_its_techniques(library: ContentLibrary) -> None:
    hits = search(library, "tapotement")
    tapotement = {"tapping", "cupping"}
    assert set(_ids(hits)[:2]) == tapotement


def test_exact_name_ranks_before_an_alias_and_prefix(library: ContentLibrary) -> None:
    # "vibration" is the name of one technique and an alias of nothing else;
    # "stroking" is an alias of several, but "open palm stroking" only contains it.
    hits = search(library, "vibration")
    assert hits[0].id == "vibration"
    assert hits[0].rank is MatchRank.EXACT
    ranks = [hit.rank for hit in hits]
    assert ranks == sorted(ranks)


def test_as_you_type_prefix_then_word_prefix_then_substring(library: ContentLibrary) -> None:
    hits = search(library, "thu")
    ids = _ids(hits)
    # Names starting with "thu" come before names with a later word starting with it.
    assert ids.index("thumb-circles") < ids.index("reinforced-thumb-rubbing")
    assert hits[0].rank is MatchRank.PREFIX
    assert search(library, "circ thumb")[0].id == "thumb-circles"
    # A substring in the middle of a word still matches while typing.
    assert "kneading" in _ids(search(library, "eadin"))


def test_only_descriptions_rank_last(library: ContentLibrary) -> None:
    hits = search(library, "oil")
    assert hits, "oil is mentioned in the how-to texts"
    ranks = [hit.rank for hit in hits]
    assert ranks == sorted(ranks)
    description_hit = next(h for h in hits if h.rank is MatchRank.DESCRIPTION)
    assert "oil" in description_hit.matched.lower()


def test_zones_are_found_by_name_side_and_tier(library: ContentLibrary) -> None:
    kidney = search(library, "kidney")
    assert _ids(kidney)[:2] == ["kidney-left", "kidney-right"]
    assert kidney[0].kind is HitKind.ZONE
    assert kidney[0].title == "Kidney area (left)"
    assert kidney[0].link == "zone:kidney-left"
    no_go = {h.id for h in search(library, "no-go") if h.rank is MatchRank.EXACT}
    assert no_go == {z.id for z in library.zones.values() if z.tier is SafetyTier.NO_GO}


def test_empty_query_lists_everything_techniques_first(library: ContentLibrary) -> None:
    hits = search(library, "   ")
    assert len(hits) == len(library.techniques) + len(library.zones) + len(library.routines)
    kinds = [h.kind for h in hits]
    assert kinds == sorted(kinds, key=[HitKind.TECHNIQUE, HitKind.ZONE, HitKind.ROUTINE].index)
    assert hits[0].kind is HitKind.TECHNIQUE
    assert hits[-1].kind is HitKind.ROUTINE
    assert {h.rank for h in hits} == {MatchRank.ALL}


def test_nothing_found_is_an_empty_list(library: ContentLibrary) -> None:
    assert search(library, "xylophone") == []


def test_family_filter(library: ContentLibrary) -> None:
    hits = search(library, "", family=TechniqueFamily.TAPOTEMENT)
    techniques = [h.id for h in hits if h.kind is HitKind.TECHNIQUE]
    assert techniques == ["tapping", "cupping"]
    zones = [library.zone(h.id) for h in hits if h.kind is HitKind.ZONE]
    assert zones
    assert all(TechniqueFamily.TAPOTEMENT in z.allowed_families for z in zones)
    assert "spine" not in {z.id for z in zones}
    # Routines with a tapotement step.
    routines = {h.id for h in hits if h.kind is HitKind.ROUTINE}
    assert routines
    for routine_id in routines:
        families = {
            library.technique(s.technique).family for s in library.routines[routine_id].steps
        }
        assert TechniqueFamily.TAPOTEMENT in families
    # The filter narrows a query too.
    narrowed = search(library, "stroking", family=TechniqueFamily.TAPOTEMENT)
    assert [h for h in narrowed if h.kind is not HitKind.ROUTINE] == []


def test_pressure_filter(library: ContentLibrary) -> None:
    hits = search(library, "", pressure=Pressure.FIRM)
    for hit in hits:
        if hit.kind is HitKind.TECHNIQUE:
            assert library.technique(hit.id).pressure is Pressure.FIRM
        elif hit.kind is HitKind.ZONE:
            assert library.zone(hit.id).max_pressure is Pressure.FIRM
        else:
            steps = library.routines[hit.id].steps
            assert any(step.pressure is Pressure.FIRM for step in steps)
    assert "thumb-circles" in _ids(hits)
    assert "tapping" not in _ids(hits)


def test_zone_filter_keeps_techniques_allowed_there(library: ContentLibrary) -> None:
    hits = search(library, "", zone="shoulder-blade-left")
    techniques = {h.id for h in hits if h.kind is HitKind.TECHNIQUE}
    assert "open-palm-stroking" in techniques
    assert "tapping" not in techniques
    assert "kneading" not in techniques
    assert [h.id for h in hits if h.kind is HitKind.ZONE] == ["shoulder-blade-left"]
    for routine_id in (h.id for h in hits if h.kind is HitKind.ROUTINE):
        steps = library.routines[routine_id].steps
        assert any("shoulder-blade-left" in step.zones for step in steps)
    # A no-go zone allows nothing, and no routine works on it.
    assert [h.id for h in search(library, "", zone="spine")] == ["spine"]
    assert search(library, "", zone="no-such-zone") == []


def test_routines_using_a_technique(library: ContentLibrary) -> None:
    users = routines_using(library, "thumb-circles")
    assert users
    for routine in users:
        assert any(step.technique == "thumb-circles" for step in routine.steps)
    others = set(library.routines) - {r.id for r in users}
    for routine_id in others:
        assert all(s.technique != "thumb-circles" for s in library.routines[routine_id].steps)
    assert routines_using(library, "no-such-technique") == []


def test_steps_on_zone(library: ContentLibrary) -> None:
    routine = library.routines["beginner-20"]
    found = steps_on_zone(routine, "paraspinal-left")
    assert found
    assert all("paraspinal-left" in step.zones for _, step in found)
    assert [routine.steps[i] for i, _ in found] == [step for _, step in found]
    assert steps_on_zone(routine, "spine") == []
    assert steps_on_zone(None, "spine") == []


def test_allowed_zones_and_techniques_agree(library: ContentLibrary) -> None:
    tapping = library.technique("tapping")
    zones = {z.id for z in allowed_zones(library, tapping)}
    assert "upper-back" in zones
    assert not zones & {"spine", "kidney-left", "shoulder-blade-left", "shoulder-girdle-left"}
    for zone in library.zones.values():
        assert (tapping in techniques_allowed_on(library, zone)) == (zone.id in zones)


def test_normalise() -> None:
    assert normalise("  Skin-Rolling\t ") == "skin rolling"
    assert len(normalise("x" * 10_000)) == 200


@pytest.mark.parametrize(
    ("query", "routine_id"),
    [
        ("beginner", "beginner-20"),
        ("Lower back relief", "lower-back-relief"),
        ("lower-back relief", "lower-back-relief"),
        ("professional classic", "professional-classic"),
    ],
)
def test_routines_are_found_by_title_and_audience(
    library: ContentLibrary, query: str, routine_id: str
) -> None:
    hits = search(library, query)
    assert hits, query
    first = hits[0]
    assert (first.kind, first.id) == (HitKind.ROUTINE, routine_id)
    assert first.link == f"routine:{routine_id}"
    assert first.title == library.routines[routine_id].title
    assert first.subtitle.startswith("Routine · ")


def test_routines_are_found_by_their_summary_after_names(library: ContentLibrary) -> None:
    # "herringbone" is a technique's name and appears in a routine's summary only.
    hits = search(library, "herringbone")
    assert hits[0].id == "herringbone-stroking"
    routine_hits = [h for h in hits if h.kind is HitKind.ROUTINE]
    assert routine_hits
    assert all(h.rank is MatchRank.DESCRIPTION for h in routine_hits)
    ranks = [h.rank for h in hits]
    assert ranks == sorted(ranks)


def test_technique_and_zone_ranking_is_unchanged_by_routines(library: ContentLibrary) -> None:
    # A zone named like a routine's title keeps its place ahead of the routine.
    hits = search(library, "lower back")
    assert (hits[0].kind, hits[0].id) == (HitKind.ZONE, "lower-back")
    assert (hits[1].kind, hits[1].id) == (HitKind.ROUTINE, "lower-back-relief")
    assert search(library, "kneading")[0].id == "kneading"
