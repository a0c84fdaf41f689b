"""The shipped zone and technique catalog holds what a learner relies on.

These tests read the real files in ``assets/content/`` so that an edit which drops a
zone, loosens a safety rule or loses a search alias fails here before it ships.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from massage_trainer.domain.models import (
    Pressure,
    SafetyTier,
    Side,
    Technique,
    TechniqueFamily,
    TechniqueFile,
    Zone,
    ZoneFile,
)
from massage_trainer.domain.paths import assets_dir

E = TechniqueFamily.EFFLEURAGE
F = TechniqueFamily.FRICTION
P = TechniqueFamily.PETRISSAGE
T = TechniqueFamily.TAPOTEMENT
V = TechniqueFamily.VIBRATION
C = TechniqueFamily.COMPRESSION
S = TechniqueFamily.STRIPPING
R = TechniqueFamily.REST

# The fixed zone table every part of the app relies on: id -> (side, tier, max pressure,
# allowed technique families).
EXPECTED_ZONES: dict[str, tuple[Side, SafetyTier, Pressure, frozenset[TechniqueFamily]]] = {
    "spine": (Side.CENTRE, SafetyTier.NO_GO, Pressure.NONE, frozenset()),
    "kidney-left": (Side.LEFT, SafetyTier.NO_GO, Pressure.NONE, frozenset()),
    "kidney-right": (Side.RIGHT, SafetyTier.NO_GO, Pressure.NONE, frozenset()),
    "floating-ribs-left": (Side.LEFT, SafetyTier.NO_GO, Pressure.NONE, frozenset()),
    "floating-ribs-right": (Side.RIGHT, SafetyTier.NO_GO, Pressure.NONE, frozenset()),
    "armpit-left": (Side.LEFT, SafetyTier.NO_GO, Pressure.NONE, frozenset()),
    "armpit-right": (Side.RIGHT, SafetyTier.NO_GO, Pressure.NONE, frozenset()),
    "neck": (Side.CENTRE, SafetyTier.CAUTION, Pressure.LIGHT, frozenset({E, F, P, V, R})),
    "shoulder-blade-left": (Side.LEFT, SafetyTier.CAUTION, Pressure.LIGHT, frozenset({E, V, R})),
    "shoulder-blade-right": (
        Side.RIGHT,
        SafetyTier.CAUTION,
        Pressure.LIGHT,
        frozenset({E, V, R}),
    ),
    "shoulder-girdle-left": (
        Side.LEFT,
        SafetyTier.SAFE,
        Pressure.FIRM,
        frozenset({E, F, P, V, C, S, R}),
    ),
    "shoulder-girdle-right": (
        Side.RIGHT,
        SafetyTier.SAFE,
        Pressure.FIRM,
        frozenset({E, F, P, V, C, S, R}),
    ),
    "between-shoulder-blades": (
        Side.BOTH,
        SafetyTier.SAFE,
        Pressure.FIRM,
        frozenset({E, F, P, T, V, C, S, R}),
    ),
    "upper-back": (Side.BOTH, SafetyTier.SAFE, Pressure.FIRM, frozenset({E, F, P, T, V, C, R})),
    "paraspinal-left": (
        Side.LEFT,
        SafetyTier.SAFE,
        Pressure.FIRM,
        frozenset({E, F, P, V, C, S, R}),
    ),
    "paraspinal-right": (
        Side.RIGHT,
        SafetyTier.SAFE,
        Pressure.FIRM,
        frozenset({E, F, P, V, C, S, R}),
    ),
    "lower-back": (
        Side.BOTH,
        SafetyTier.SAFE,
        Pressure.MODERATE,
        frozenset({E, F, P, T, V, C, R}),
    ),
    "hips": (Side.BOTH, SafetyTier.SAFE, Pressure.FIRM, frozenset({E, F, P, T, V, C})),
    "side-left": (Side.LEFT, SafetyTier.SAFE, Pressure.MODERATE, frozenset({E, F, P, V})),
    "side-right": (Side.RIGHT, SafetyTier.SAFE, Pressure.MODERATE, frozenset({E, F, P, V})),
}

EXPECTED_TECHNIQUES: dict[str, TechniqueFamily] = {
    "open-palm-stroking": E,
    "palm-base-stroking": E,
    "reinforced-fingertip-stroking": E,
    "forearm-gliding": E,
    "herringbone-stroking": E,
    "fingertip-friction": F,
    "thumb-circles": F,
    "reinforced-thumb-rubbing": F,
    "palm-edge-rubbing": F,
    "kneading": P,
    "middle-finger-kneading": P,
    "skin-rolling": P,
    "tapping": T,
    "cupping": T,
    "vibration": V,
    "knuckle-stripping": S,
    "thumb-hold": C,
    "heel-of-hand-pressure": C,
    "resting-hands": R,
}

# What people type into the library's search box, and the family it must lead to.
SEARCH_ALIASES: dict[str, TechniqueFamily] = {
    "stroking": E,
    "gliding": E,
    "effleurage": E,
    "christmas tree": E,
    "kneading": P,
    "petrissage": P,
    "skin rolling": P,
    "pinching": P,
    "rubbing": F,
    "friction": F,
    "tapping": T,
    "cupping": T,
    "clapping": T,
    "percussion": T,
    "vibration": V,
    "shaking": V,
    "stripping": S,
    "knuckles": S,
    "trigger point": C,
    "pressure": C,
    "compression": C,
    "heel of hand": C,
    "hold": C,
    "rest": R,
    "hands still": R,
}

# Percussion on these zones could hit bone or organs (seed 004 excludes the spine,
# kidneys and shoulders from cupping; the app keeps the safer, wider reading).
NO_PERCUSSION_ZONES = (
    "spine",
    "kidney-left",
    "kidney-right",
    "shoulder-blade-left",
    "shoulder-blade-right",
    "shoulder-girdle-left",
    "shoulder-girdle-right",
)

CONTENT_FILES = ("zones.json", "techniques.json")


def _content_path(name: str) -> Path:
    return assets_dir() / "content" / name


@cache
def _zones() -> dict[str, Zone]:
    loaded = ZoneFile.model_validate_json(_content_path("zones.json").read_text("utf-8"))
    return {zone.id: zone for zone in loaded.zones}


@cache
def _techniques() -> dict[str, Technique]:
    text = _content_path("techniques.json").read_text("utf-8")
    loaded = TechniqueFile.model_validate_json(text)
    return {technique.id: technique for technique in loaded.techniques}


def _ids_in_file(name: str, key: str) -> list[str]:
    raw = json.loads(_content_path(name).read_text("utf-8"))
    return [item["id"] for item in raw[key]]


@pytest.mark.parametrize(
    ("name", "key"), [("zones.json", "zones"), ("techniques.json", "techniques")]
)
def test_ids_are_unique(name: str, key: str) -> None:
    ids = _ids_in_file(name, key)
    duplicates = sorted(item for item, count in Counter(ids).items() if count > 1)
    assert duplicates == []


@pytest.mark.parametrize("name", CONTENT_FILES)
def test_file_is_utf8_json_with_two_space_indent(name: str) -> None:
    text = _content_path(name).read_text("utf-8")
    raw = json.loads(text)
    assert raw["schema_version"] == 1
    assert text == json.dumps(raw, indent=2, ensure_ascii=False) + "\n"


def test_zone_catalog_has_exactly_the_fixed_zones() -> None:
    assert set(_zones()) == set(EXPECTED_ZONES)


@pytest.mark.parametrize("zone_id", sorted(EXPECTED_ZONES))
def test_zone_keeps_its_safety_rule(zone_id: str) -> None:
    side, tier, max_pressure, families = EXPECTED_ZONES[zone_id]
    zone = _zones()[zone_id]
    assert zone.side is side
    assert zone.tier is tier
    assert zone.max_pressure is max_pressure
    assert frozenset(zone.allowed_families) == families
    assert len(zone.allowed_families) == len(families), "a family is listed twice"
    assert zone.shape_id == zone_id


@pytest.mark.parametrize("zone_id", sorted(EXPECTED_ZONES))
def test_zone_tells_the_learner_where_and_why(zone_id: str) -> None:
    zone = _zones()[zone_id]
    # A name and a sentence or two at least: a learner has to find the zone by touch.
    assert len(zone.description) >= 120
    assert len(zone.reason) >= 120


@pytest.mark.parametrize(
    "zone_id", sorted(z for z, rule in EXPECTED_ZONES.items() if rule[1] is SafetyTier.NO_GO)
)
def test_no_go_zone_reason_says_why(zone_id: str) -> None:
    reason = _zones()[zone_id].reason.lower()
    assert "because" in reason


@pytest.mark.parametrize("zone_id", ["kidney-left", "kidney-right"])
def test_kidney_reason_names_the_seed_disagreement_and_the_safer_rule(zone_id: str) -> None:
    reason = _zones()[zone_id].reason.lower()
    assert "light pressure" in reason
    assert "safer" in reason
    assert "organ" in reason


@pytest.mark.parametrize("zone_id", NO_PERCUSSION_ZONES)
def test_percussion_is_never_allowed_on_bone_or_organs(zone_id: str) -> None:
    assert TechniqueFamily.TAPOTEMENT not in _zones()[zone_id].allowed_families


def test_technique_catalog_has_exactly_the_fixed_techniques() -> None:
    assert set(_techniques()) == set(EXPECTED_TECHNIQUES)


@pytest.mark.parametrize("technique_id", sorted(EXPECTED_TECHNIQUES))
def test_technique_has_its_family(technique_id: str) -> None:
    assert _techniques()[technique_id].family is EXPECTED_TECHNIQUES[technique_id]


@pytest.mark.parametrize("technique_id", sorted(EXPECTED_TECHNIQUES))
def test_technique_tiers_follow_its_family(technique_id: str) -> None:
    technique = _techniques()[technique_id]
    assert SafetyTier.NO_GO not in technique.allowed_tiers
    gentle = {TechniqueFamily.EFFLEURAGE, TechniqueFamily.VIBRATION, TechniqueFamily.REST}
    # The seeds work the neck (a caution zone, light pressure only) with thumb circles,
    # thumb rubbing, fingertip friction and gentle kneading; the zone's own families and
    # pressure cap keep them off the shoulder blades and light on the neck.
    neck_work = {"fingertip-friction", "thumb-circles", "reinforced-thumb-rubbing", "kneading"}
    expected = (
        {SafetyTier.SAFE, SafetyTier.CAUTION}
        if technique.family in gentle or technique_id in neck_work
        else {SafetyTier.SAFE}
    )
    assert set(technique.allowed_tiers) == expected


@pytest.mark.parametrize("technique_id", sorted(EXPECTED_TECHNIQUES))
def test_technique_teaches_how_and_what_to_avoid(technique_id: str) -> None:
    technique = _techniques()[technique_id]
    assert 3 <= len(technique.how_to) <= 6
    assert all(len(step) >= 20 for step in technique.how_to)
    assert 1 <= len(technique.mistakes) <= 3
    assert technique.purpose
    assert technique.hand_part


@pytest.mark.parametrize("technique_id", sorted(EXPECTED_TECHNIQUES))
def test_technique_aliases_are_distinct(technique_id: str) -> None:
    aliases = [alias.lower() for alias in _techniques()[technique_id].aliases]
    assert aliases
    assert len(aliases) == len(set(aliases))


@pytest.mark.parametrize(("alias", "family"), sorted(SEARCH_ALIASES.items()))
def test_search_alias_leads_to_a_technique_of_the_right_family(
    alias: str, family: TechniqueFamily
) -> None:
    matches = [
        technique
        for technique in _techniques().values()
        if alias in (known.lower() for known in technique.aliases)
    ]
    assert any(technique.family is family for technique in matches), (
        f"searching {alias!r} finds no {family.value} technique"
    )


def test_every_allowed_family_on_a_zone_has_a_technique() -> None:
    families = {technique.family for technique in _techniques().values()}
    for zone in _zones().values():
        assert set(zone.allowed_families) <= families, zone.id
