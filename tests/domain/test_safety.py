"""The safety rules, the five built-in routines and the safety texts they point to.

The routines and content are the real files in ``assets/``. Each rule test takes a
built-in routine, breaks exactly one thing, and expects exactly one matching problem,
so a rule that stops firing (or starts firing too widely) fails here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from massage_trainer.domain.models import (
    Pressure,
    Routine,
    SafetyFile,
    SafetyTier,
    Side,
    Step,
    Technique,
    TechniqueFamily,
    TechniqueFile,
    Zone,
    ZoneFile,
)
from massage_trainer.domain.paths import assets_dir
from massage_trainer.domain.safety import (
    LONG_FIRM_STEP_S,
    Problem,
    Rule,
    Severity,
    is_valid,
    validate_routine,
)

BUILT_IN_ROUTINES = (
    "classic-home",
    "beginner-20",
    "professional-classic",
    "classic-full-back",
    "lower-back-relief",
)


@cache
def _zones() -> dict[str, Zone]:
    text = (assets_dir() / "content" / "zones.json").read_text(encoding="utf-8")
    return {zone.id: zone for zone in ZoneFile.model_validate_json(text).zones}


@cache
def _techniques() -> dict[str, Technique]:
    text = (assets_dir() / "content" / "techniques.json").read_text(encoding="utf-8")
    return {t.id: t for t in TechniqueFile.model_validate_json(text).techniques}


@cache
def _safety() -> SafetyFile:
    text = (assets_dir() / "content" / "safety.json").read_text(encoding="utf-8")
    return SafetyFile.model_validate_json(text)


def _routine_path(routine_id: str) -> Path:
    return assets_dir() / "routines" / f"{routine_id}.json"


@cache
def _routine(routine_id: str) -> Routine:
    return Routine.model_validate_json(_routine_path(routine_id).read_text(encoding="utf-8"))


def _validate(routine: Routine) -> list[Problem]:
    return validate_routine(routine, _zones(), _techniques(), _safety())


def _change_step(routine: Routine, number: int, **changes: Any) -> Routine:
    """The routine with step ``number`` (1-based) changed in the given fields."""
    steps = list(routine.steps)
    steps[number - 1] = steps[number - 1].model_copy(update=changes)
    return routine.model_copy(update={"steps": tuple(steps)})


def _drop_step(routine: Routine, number: int) -> Routine:
    steps = [step for index, step in enumerate(routine.steps, start=1) if index != number]
    return routine.model_copy(update={"steps": tuple(steps)})


def _only_problem(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [p.message for p in problems]
    return problems[0]


def _assert_problem(
    problem: Problem, routine: Routine, rule: Rule, severity: Severity, step: int | None
) -> None:
    assert problem.rule == rule.value
    assert problem.severity is severity
    assert problem.step == step
    assert problem.routine_id == routine.id
    assert routine.title in problem.message
    assert rule.value in problem.message
    if step is not None:
        assert f"step {step}" in problem.message
    # The plain part alone, for places that name the routine, step and rule themselves.
    assert problem.text
    assert problem.text in problem.message
    assert routine.title not in problem.text
    assert rule.value not in problem.text


# --- The built-in routines -------------------------------------------------------------


def test_every_built_in_routine_file_is_shipped() -> None:
    shipped = {path.stem for path in (assets_dir() / "routines").glob("*.json")}
    assert set(BUILT_IN_ROUTINES) <= shipped


@pytest.mark.parametrize("routine_id", BUILT_IN_ROUTINES)
def test_built_in_routine_loads_and_breaks_no_rule(routine_id: str) -> None:
    routine = _routine(routine_id)
    assert routine.id == routine_id
    assert routine.schema_version == 1
    assert _validate(routine) == []


@pytest.mark.parametrize("routine_id", BUILT_IN_ROUTINES)
def test_built_in_routine_steps_say_where_and_how(routine_id: str) -> None:
    routine = _routine(routine_id)
    for step in routine.steps:
        assert len(step.instruction) >= 60, step.instruction
        if _techniques()[step.technique].family is not TechniqueFamily.REST:
            assert step.cautions, f"{routine_id}: a working step without cautions"


@pytest.mark.parametrize("routine_id", BUILT_IN_ROUTINES)
def test_built_in_routine_keeps_off_the_spine_in_words_too(routine_id: str) -> None:
    beside_the_spine = {"paraspinal-left", "paraspinal-right", "lower-back"}
    routine = _routine(routine_id)
    steps = [step for step in routine.steps if beside_the_spine & set(step.zones)]
    assert steps
    for step in steps:
        if step.pressure.rank >= Pressure.MODERATE.rank:
            text = " ".join((step.instruction, *step.cautions)).lower()
            assert "spine" in text, step.instruction


def _techniques_in_order(routine_id: str) -> list[str]:
    return [step.technique for step in _routine(routine_id).steps]


def test_classic_home_follows_its_article_order() -> None:
    assert _techniques_in_order("classic-home") == [
        "open-palm-stroking",  # oil on
        "open-palm-stroking",  # shoulder girdle: stroke first
        "fingertip-friction",
        "kneading",
        "vibration",
        "open-palm-stroking",  # then the strips beside the spine, neck to tailbone
        "fingertip-friction",
        "kneading",
        "vibration",
        "tapping",  # lower back and hips
        "open-palm-stroking",  # flowing finish
    ]
    routine = _routine("classic-home")
    assert set(routine.steps[9].zones) == {"lower-back", "hips"}
    assert routine.steps[9].pressure is Pressure.MODERATE
    assert {"paraspinal-left", "paraspinal-right"} <= set(routine.steps[6].zones)
    assert routine.steps[6].direction.value == "down"
    assert 20 * 60 <= routine.total_seconds <= 25 * 60


def test_beginner_20_lasts_exactly_twenty_minutes_in_its_article_order() -> None:
    routine = _routine("beginner-20")
    assert routine.total_seconds == 20 * 60
    assert _techniques_in_order("beginner-20") == [
        "open-palm-stroking",
        "kneading",
        "thumb-circles",
        "knuckle-stripping",
        "thumb-hold",
        "heel-of-hand-pressure",
        "open-palm-stroking",
        "resting-hands",
    ]
    assert routine.steps[1].pressure is Pressure.LIGHT  # light kneading
    assert routine.steps[2].direction.value == "up"  # lower back up to the neck
    assert routine.steps[5].direction.value == "outward"
    assert routine.steps[7].zones == ("upper-back",)
    assert "cover-warm" in routine.aftercare


def test_professional_classic_keeps_the_articles_times_and_counts() -> None:
    routine = _routine("professional-classic")
    assert _techniques_in_order("professional-classic") == [
        "open-palm-stroking",
        "palm-base-stroking",
        "reinforced-fingertip-stroking",
        "reinforced-thumb-rubbing",
        "open-palm-stroking",
        "reinforced-thumb-rubbing",
        "open-palm-stroking",
        "middle-finger-kneading",
        "forearm-gliding",
        "thumb-hold",
        "reinforced-fingertip-stroking",  # the strokes again, in reverse order
        "palm-base-stroking",
        "open-palm-stroking",
    ]
    steps = routine.steps
    assert 5 * 60 <= steps[0].duration_s <= 10 * 60
    assert steps[1].duration_s == 5 * 60
    assert steps[2].duration_s == 5 * 60
    assert steps[2].zones[0] == "paraspinal-right"  # right side first
    assert [steps[3].cycles, steps[5].cycles] == [3, 3]
    assert {steps[3].zones, steps[5].zones} == {("paraspinal-right",), ("paraspinal-left",)}
    assert [steps[4].duration_s, steps[6].duration_s] == [120, 120]
    assert steps[7].repetitions == 5
    assert steps[8].repetitions == 6
    assert routine.audience.value == "professional"
    assert "dry run" in routine.summary


def test_classic_full_back_kneads_each_half_for_ten_to_fifteen_minutes() -> None:
    routine = _routine("classic-full-back")
    assert _techniques_in_order("classic-full-back") == [
        "herringbone-stroking",
        "palm-edge-rubbing",
        "skin-rolling",
        "skin-rolling",
        "cupping",
        "vibration",
        "open-palm-stroking",
        "open-palm-stroking",
        "resting-hands",
    ]
    kneading = [s for s in routine.steps if s.technique == "skin-rolling"]
    assert 10 * 60 <= sum(s.duration_s for s in kneading) <= 15 * 60
    assert {"paraspinal-left"} <= set(kneading[0].zones)
    assert not {"paraspinal-right", "side-right"} & set(kneading[0].zones)
    cupping = routine.steps[4]
    assert not {"spine", "kidney-left", "kidney-right"} & set(cupping.zones)
    assert not {"shoulder-girdle-left", "shoulder-girdle-right"} & set(cupping.zones)
    assert routine.steps[5].zones[0] == "neck"  # vibration from the nape downwards
    assert routine.steps[6].pressure.rank > routine.steps[7].pressure.rank  # then slowing
    assert "rest-15" in routine.aftercare


def test_lower_back_relief_is_about_ten_minutes_on_the_lower_back() -> None:
    routine = _routine("lower-back-relief")
    assert 9 * 60 <= routine.total_seconds <= 11 * 60
    assert _techniques_in_order("lower-back-relief")[1:3] == ["thumb-circles", "kneading"]
    assert routine.steps[1].zones == ("lower-back",)
    assert routine.steps[1].direction.value == "up"
    assert routine.steps[2].zones == ("hips",)


# --- Errors -----------------------------------------------------------------------------


def test_unknown_technique_is_an_error() -> None:
    routine = _change_step(_routine("beginner-20"), 2, technique="shiatsu-press")
    problem = _only_problem(_validate(routine))
    _assert_problem(problem, routine, Rule.UNKNOWN_TECHNIQUE, Severity.ERROR, 2)
    assert problem.field == "technique"
    assert "shiatsu-press" in problem.message


def test_unknown_zone_is_an_error() -> None:
    routine = _change_step(_routine("beginner-20"), 3, zones=("paraspinal-left", "lumbar-x"))
    problem = _only_problem(_validate(routine))
    _assert_problem(problem, routine, Rule.UNKNOWN_ZONE, Severity.ERROR, 3)
    assert problem.field == "zones"
    assert "lumbar-x" in problem.message


@pytest.mark.parametrize("zone_id", ["spine", "kidney-left", "floating-ribs-right", "armpit-left"])
def test_no_go_zone_is_an_error_that_says_which_and_why(zone_id: str) -> None:
    routine = _change_step(_routine("beginner-20"), 3, zones=("paraspinal-left", zone_id))
    problem = _only_problem(_validate(routine))
    _assert_problem(problem, routine, Rule.NO_GO_ZONE, Severity.ERROR, 3)
    zone = _zones()[zone_id]
    assert zone.name in problem.message
    assert zone.reason in problem.message


def test_pressure_above_the_zones_maximum_is_an_error() -> None:
    # Thumb circles may be firm, but the lower back takes moderate pressure at most.
    routine = _change_step(_routine("beginner-20"), 3, zones=("lower-back",))
    assert routine.steps[2].pressure is Pressure.FIRM
    problem = _only_problem(_validate(routine))
    _assert_problem(problem, routine, Rule.ZONE_PRESSURE, Severity.ERROR, 3)
    assert problem.field == "pressure"
    assert _zones()["lower-back"].name in problem.message


def test_caution_zone_caps_pressure_at_light() -> None:
    base = _routine("beginner-20")
    assert base.steps[0].pressure is Pressure.MODERATE
    routine = _change_step(base, 1, zones=(*base.steps[0].zones, "neck"))
    problem = _only_problem(_validate(routine))
    _assert_problem(problem, routine, Rule.ZONE_PRESSURE, Severity.ERROR, 1)
    assert "light" in problem.message.lower()

    lightened = _change_step(routine, 1, pressure=Pressure.LIGHT)
    assert _validate(lightened) == []


def test_technique_family_not_allowed_on_the_zone_is_an_error() -> None:
    zone = _zones()["hips"]
    assert TechniqueFamily.STRIPPING not in zone.allowed_families
    assert zone.tier is SafetyTier.SAFE
    routine = _change_step(_routine("beginner-20"), 4, zones=("hips",))  # knuckle stripping
    problem = _only_problem(_validate(routine))
    _assert_problem(problem, routine, Rule.FAMILY_NOT_ALLOWED, Severity.ERROR, 4)
    assert zone.name in problem.message


def test_technique_not_allowed_on_the_zones_tier_is_an_error() -> None:
    neck = _zones()["neck"]
    technique = _techniques()["middle-finger-kneading"]
    # The neck takes petrissage in general, but not this deep, safe-zone-only kind.
    assert technique.family in neck.allowed_families
    assert SafetyTier.CAUTION not in technique.allowed_tiers
    routine = _change_step(
        _routine("professional-classic"), 8, zones=("neck",), pressure=Pressure.LIGHT
    )
    problem = _only_problem(_validate(routine))
    _assert_problem(problem, routine, Rule.TIER_NOT_ALLOWED, Severity.ERROR, 8)
    assert "caution" in problem.message


def test_pressure_above_the_techniques_maximum_is_an_error() -> None:
    technique = _techniques()["resting-hands"]
    assert technique.max_pressure.rank < Pressure.MODERATE.rank
    routine = _change_step(_routine("beginner-20"), 8, pressure=Pressure.MODERATE)
    problem = _only_problem(_validate(routine))
    _assert_problem(problem, routine, Rule.TECHNIQUE_PRESSURE, Severity.ERROR, 8)
    assert problem.field == "pressure"
    assert technique.name in problem.message


@pytest.mark.parametrize(
    ("routine_id", "step_number", "zone_id"),
    [
        ("classic-home", 10, "spine"),
        ("classic-home", 10, "kidney-left"),
        ("classic-full-back", 5, "kidney-right"),
        ("classic-full-back", 5, "spine"),
    ],
)
def test_percussion_on_spine_or_kidneys_has_its_own_error(
    routine_id: str, step_number: int, zone_id: str
) -> None:
    base = _routine(routine_id)
    step = base.steps[step_number - 1]
    assert _techniques()[step.technique].family is TechniqueFamily.TAPOTEMENT
    routine = _change_step(base, step_number, zones=(*step.zones, zone_id))
    problem = _only_problem(_validate(routine))
    _assert_problem(problem, routine, Rule.PERCUSSION_SPINE_KIDNEYS, Severity.ERROR, step_number)
    assert "percussion" in problem.message.lower()
    assert _zones()[zone_id].name.lower() in problem.message.lower()


def test_percussion_rule_holds_even_if_a_zones_file_allowed_tapping_on_the_spine() -> None:
    permissive_spine = Zone(
        id="spine",
        name="Spine",
        side=Side.CENTRE,
        tier=SafetyTier.SAFE,
        max_pressure=Pressure.FIRM,
        allowed_families=(TechniqueFamily.TAPOTEMENT,),
        reason="An edited file that forgot the rule.",
        description="The middle of the back.",
        shape_id="spine",
    )
    zones = {**_zones(), "spine": permissive_spine}
    base = _routine("classic-home")
    routine = _change_step(base, 10, zones=("spine",))
    problem = _only_problem(validate_routine(routine, zones, _techniques()))
    assert problem.rule == Rule.PERCUSSION_SPINE_KIDNEYS.value
    assert problem.severity is Severity.ERROR


def test_unknown_preparation_and_aftercare_ids_are_errors_when_safety_is_given() -> None:
    base = _routine("beginner-20")
    routine = base.model_copy(
        update={
            "preparation": (*base.preparation, "heated-stones"),
            "aftercare": (*base.aftercare, "ice-bath"),
        }
    )
    problems = _validate(routine)
    assert [p.rule for p in problems] == [
        Rule.UNKNOWN_PREPARATION.value,
        Rule.UNKNOWN_AFTERCARE.value,
    ]
    assert all(p.step is None and p.severity is Severity.ERROR for p in problems)
    assert "heated-stones" in problems[0].message
    assert "ice-bath" in problems[1].message
    # Without the safety texts the ids cannot be checked, and no other rule is broken.
    assert validate_routine(routine, _zones(), _techniques()) == []


# --- Warnings ---------------------------------------------------------------------------


def test_routine_not_opening_with_gentle_stroking_is_warned() -> None:
    routine = _drop_step(_routine("beginner-20"), 1)  # now opens with kneading
    problem = _only_problem(_validate(routine))
    _assert_problem(problem, routine, Rule.OPENING_NOT_STROKING, Severity.WARNING, 1)
    assert is_valid([problem])


def test_routine_opening_with_a_resting_hold_is_warned() -> None:
    base = _routine("beginner-20")
    rest = base.steps[-1]
    routine = base.model_copy(update={"steps": (rest, *base.steps)})
    problem = _only_problem(_validate(routine))
    _assert_problem(problem, routine, Rule.OPENING_NOT_STROKING, Severity.WARNING, 1)


def test_routine_not_closing_with_gentle_stroking_is_warned() -> None:
    # Without the lightening glides, the last working step is the heel-of-hand pressure;
    # the final resting hands do not count as a close.
    routine = _drop_step(_routine("beginner-20"), 7)
    problem = _only_problem(_validate(routine))
    _assert_problem(problem, routine, Rule.CLOSING_NOT_STROKING, Severity.WARNING, 6)


def test_very_long_firm_step_is_warned_and_ten_minutes_is_not() -> None:
    base = _routine("beginner-20")
    assert base.steps[2].pressure is Pressure.FIRM
    at_limit = _change_step(base, 3, duration_s=LONG_FIRM_STEP_S)
    assert _validate(at_limit) == []

    routine = _change_step(base, 3, duration_s=LONG_FIRM_STEP_S + 60)
    problem = _only_problem(_validate(routine))
    _assert_problem(problem, routine, Rule.LONG_FIRM_WORK, Severity.WARNING, 3)
    assert "very long firm work" in problem.message
    assert problem.field == "duration_s"


def test_long_step_at_moderate_pressure_is_not_warned() -> None:
    routine = _change_step(_routine("beginner-20"), 6, duration_s=15 * 60)
    assert routine.steps[5].pressure is Pressure.MODERATE
    assert _validate(routine) == []


def test_duplicate_zone_in_a_step_is_warned() -> None:
    base = _routine("beginner-20")
    routine = _change_step(base, 2, zones=(*base.steps[1].zones, "upper-back"))
    problem = _only_problem(_validate(routine))
    _assert_problem(problem, routine, Rule.DUPLICATE_ZONE, Severity.WARNING, 2)
    assert "upper-back" in problem.message


def test_errors_make_a_routine_invalid_and_warnings_do_not() -> None:
    warning_only = _validate(_drop_step(_routine("beginner-20"), 1))
    assert warning_only
    assert is_valid(warning_only)
    with_error = _validate(_change_step(_routine("beginner-20"), 3, zones=("spine",)))
    assert not is_valid(with_error)
    assert is_valid([])


def test_a_built_step_is_checked_like_a_loaded_one() -> None:
    base = _routine("lower-back-relief")
    deep_kidney_work = Step(
        technique="thumb-circles",
        zones=("lower-back", "kidney-left", "kidney-right"),
        duration_s=60,
        pressure=Pressure.MODERATE,
        direction=base.steps[1].direction,
        instruction="Circle on the lower back and up over the kidneys.",
    )
    steps = (*base.steps[:2], deep_kidney_work, *base.steps[2:])
    problems = _validate(base.model_copy(update={"steps": steps}))
    assert [(p.rule, p.step) for p in problems] == [
        (Rule.NO_GO_ZONE.value, 3),
        (Rule.NO_GO_ZONE.value, 3),
    ]


# --- The safety texts -------------------------------------------------------------------


REQUIRED_CONTRAINDICATIONS = {
    "severe-pain",
    "back-problems",
    "sprain",
    "paralysis-signs",
    "radiating-pain",
    "fever",
    "pregnancy",
    "heart-circulation",
    "thrombosis",
    "open-wounds",
    "skin-infection",
    "bruises",
    "recent-surgery",
    "spine-inflammation",
    "acute-flare-up",
    "intoxication",
    "organ-disease",
    "blood-pressure",
    "allergy",
    "cancer",
}


def test_safety_file_carries_every_contraindication_from_the_articles() -> None:
    by_id = {c.id: c for c in _safety().contraindications}
    assert set(by_id) >= REQUIRED_CONTRAINDICATIONS
    for contraindication in by_id.values():
        assert contraindication.question.endswith("?")
        assert "partner" in contraindication.question


def test_pregnancy_means_no_massage_from_this_app() -> None:
    pregnancy = {c.id: c for c in _safety().contraindications}["pregnancy"]
    assert "sacrum" in pregnancy.reason
    assert "tailbone" in pregnancy.reason
    assert "do not use this app" in pregnancy.advice.lower()
    assert "side" in pregnancy.advice


def test_safety_ids_are_unique_in_each_section() -> None:
    safety = _safety()
    for section in (safety.contraindications, safety.preparation, safety.mistakes):
        ids = [item.id for item in section]
        assert len(ids) == len(set(ids))
    aftercare_ids = [item.id for item in safety.aftercare]
    assert len(aftercare_ids) == len(set(aftercare_ids))


def test_preparation_covers_room_materials_receiver_and_giver() -> None:
    safety = _safety()
    assert {item.category.value for item in safety.preparation} == {
        "room",
        "materials",
        "receiver",
        "giver",
    }
    room = {item.id: item for item in safety.preparation}["room-warm"]
    assert "22" in room.detail
    assert "25" in room.detail


def test_aftercare_rest_uses_the_safer_fifteen_minutes() -> None:
    rest = {item.id: item for item in _safety().aftercare}["rest-15"]
    assert rest.minutes == 15


def test_common_mistakes_include_the_spine_and_the_kidneys() -> None:
    ids = {mistake.id for mistake in _safety().mistakes}
    assert {"pressing-spine", "pressing-kidneys", "breaking-contact", "rushing"} <= ids


@pytest.mark.parametrize("routine_id", BUILT_IN_ROUTINES)
def test_routine_preparation_and_aftercare_exist_in_the_safety_file(routine_id: str) -> None:
    safety = _safety()
    routine = _routine(routine_id)
    assert routine.preparation
    assert routine.aftercare
    assert set(routine.preparation) <= {item.id for item in safety.preparation}
    assert set(routine.aftercare) <= {item.id for item in safety.aftercare}
    assert "health-check" in routine.preparation
    assert "rest-15" in routine.aftercare
