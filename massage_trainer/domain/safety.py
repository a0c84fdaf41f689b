"""The safety rules every routine must keep, checked step by step.

``validate_routine`` returns a list of problems instead of raising, so the routine
editor can show them all at once and the loader can refuse a routine with errors while
still offering everything else. Errors are rules a routine must never break (no-go
zones, pressure limits, techniques on the wrong zone); warnings are good practice a
routine should follow (open and close with gentle stroking, no very long firm work).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from massage_trainer.domain.models import (
    Pressure,
    Routine,
    SafetyFile,
    SafetyTier,
    Step,
    Technique,
    TechniqueFamily,
    Zone,
)

PERCUSSION_FORBIDDEN_ZONES = frozenset({"spine", "kidney-left", "kidney-right"})
"""Zones where tapping or cupping is always an error, whatever a zones file says."""

LONG_FIRM_STEP_S = 10 * 60
"""Firm work on one step for longer than this earns a warning."""

GENTLE_PRESSURES = frozenset({Pressure.LIGHT, Pressure.MODERATE})
"""Pressures that count as gentle stroking for the opening step."""


class Severity(StrEnum):
    """An error makes a routine unusable; a warning is advice the author may ignore."""

    ERROR = "error"
    WARNING = "warning"


class Rule(StrEnum):
    """Short ids of the rules, stable so tests and the editor can refer to them."""

    UNKNOWN_TECHNIQUE = "unknown-technique"
    UNKNOWN_ZONE = "unknown-zone"
    NO_GO_ZONE = "no-go-zone"
    ZONE_PRESSURE = "zone-pressure"
    FAMILY_NOT_ALLOWED = "family-not-allowed"
    TIER_NOT_ALLOWED = "tier-not-allowed"
    TECHNIQUE_PRESSURE = "technique-pressure"
    PERCUSSION_SPINE_KIDNEYS = "percussion-on-spine-or-kidneys"
    UNKNOWN_PREPARATION = "unknown-preparation"
    UNKNOWN_AFTERCARE = "unknown-aftercare"
    OPENING_NOT_STROKING = "opening-not-gentle-stroking"
    CLOSING_NOT_STROKING = "closing-not-gentle-stroking"
    LONG_FIRM_WORK = "very-long-firm-work"
    DUPLICATE_ZONE = "duplicate-zone"


@dataclass(frozen=True)
class Problem:
    """One broken rule: where it is (routine, 1-based step, field) and what is wrong."""

    severity: Severity
    routine_id: str
    step: int | None
    """The 1-based step number, or None for a problem with the routine as a whole."""
    field: str
    rule: str
    message: str
    """The whole sentence: the routine's title, where, what is wrong and the rule."""
    text: str = ""
    """Only what is wrong, for a place that names the routine, step and rule itself."""


def is_valid(problems: Iterable[Problem]) -> bool:
    """True when none of the problems is an error (warnings are allowed)."""
    return all(problem.severity is not Severity.ERROR for problem in problems)


def validate_routine(
    routine: Routine,
    zones: Mapping[str, Zone],
    techniques: Mapping[str, Technique],
    safety: SafetyFile | None = None,
) -> list[Problem]:
    """Check a routine against the zone and technique rules.

    With ``safety`` given, the routine's preparation and aftercare ids are checked
    against it too. Problems come step by step, then those about the routine as a whole
    (its opening and closing, preparation and aftercare).
    """
    checker = _Checker(routine)
    for number, step in enumerate(routine.steps, start=1):
        _check_step(checker, number, step, zones, techniques)
    _check_opening_and_closing(checker, routine, techniques)
    if safety is not None:
        _check_safety_ids(checker, routine, safety)
    return checker.problems


class _Checker:
    """Collects problems and words their messages the same way every time."""

    def __init__(self, routine: Routine) -> None:
        self.routine = routine
        self.problems: list[Problem] = []

    def add(self, severity: Severity, rule: Rule, step: int | None, field: str, text: str) -> None:
        where = f"step {step}" if step is not None else "routine"
        message = f'"{self.routine.title}", {where}: {text} (rule: {rule.value})'
        self.problems.append(
            Problem(
                severity=severity,
                routine_id=self.routine.id,
                step=step,
                field=field,
                rule=rule.value,
                message=message,
                text=text,
            )
        )

    def error(self, rule: Rule, step: int | None, field: str, text: str) -> None:
        self.add(Severity.ERROR, rule, step, field, text)

    def warning(self, rule: Rule, step: int | None, field: str, text: str) -> None:
        self.add(Severity.WARNING, rule, step, field, text)


def _check_step(
    checker: _Checker,
    number: int,
    step: Step,
    zones: Mapping[str, Zone],
    techniques: Mapping[str, Technique],
) -> None:
    technique = techniques.get(step.technique)
    if technique is None:
        checker.error(
            Rule.UNKNOWN_TECHNIQUE,
            number,
            "technique",
            f'the technique "{step.technique}" is not in the technique library.',
        )
    elif step.pressure.rank > technique.max_pressure.rank:
        checker.error(
            Rule.TECHNIQUE_PRESSURE,
            number,
            "pressure",
            f"{step.pressure.label.lower()} pressure is more than {technique.name} allows "
            f"(at most {technique.max_pressure.label.lower()}).",
        )

    for zone_id in step.zones:
        zone = zones.get(zone_id)
        if zone is None:
            checker.error(
                Rule.UNKNOWN_ZONE, number, "zones", f'the zone "{zone_id}" is not on the diagram.'
            )
            continue
        _check_zone(checker, number, step, zone, technique)

    duplicates = sorted(zone_id for zone_id, count in Counter(step.zones).items() if count > 1)
    if duplicates:
        checker.warning(
            Rule.DUPLICATE_ZONE,
            number,
            "zones",
            f"the zone list names {', '.join(duplicates)} more than once.",
        )

    if step.pressure is Pressure.FIRM and step.duration_s > LONG_FIRM_STEP_S:
        checker.warning(
            Rule.LONG_FIRM_WORK,
            number,
            "duration_s",
            f"very long firm work: {_minutes(step.duration_s)} of firm pressure in one step; "
            f"keep firm work to {LONG_FIRM_STEP_S // 60} minutes or less so the tissue "
            "is not overworked.",
        )


def _check_zone(
    checker: _Checker, number: int, step: Step, zone: Zone, technique: Technique | None
) -> None:
    # One zone earns at most its most specific problem: a tapping step on the spine is
    # reported as percussion on the spine, not also as "no-go" and "family not allowed".
    if (
        technique is not None
        and technique.family is TechniqueFamily.TAPOTEMENT
        and zone.id in PERCUSSION_FORBIDDEN_ZONES
    ):
        checker.error(
            Rule.PERCUSSION_SPINE_KIDNEYS,
            number,
            "zones",
            f"percussion ({technique.name}) on the {zone.name.lower()}: tapping or cupping "
            "must never land on the spine or the kidney areas, where there is no muscle "
            "to absorb the blows.",
        )
        return
    if zone.tier is SafetyTier.NO_GO:
        checker.error(
            Rule.NO_GO_ZONE,
            number,
            "zones",
            f"{zone.name} is a no-go zone and must not be worked on. {zone.reason}",
        )
        return
    if technique is not None:
        if technique.family not in zone.allowed_families:
            checker.error(
                Rule.FAMILY_NOT_ALLOWED,
                number,
                "technique",
                f"{technique.family.label.lower()} ({technique.name}) is not allowed on "
                f"{zone.name}. {zone.reason}",
            )
        if zone.tier not in technique.allowed_tiers:
            allowed = " or ".join(tier.value for tier in technique.allowed_tiers)
            checker.error(
                Rule.TIER_NOT_ALLOWED,
                number,
                "technique",
                f"{technique.name} is only for {allowed} zones, and {zone.name} is a "
                f"{zone.tier.value} zone.",
            )
    if step.pressure.rank > zone.max_pressure.rank:
        checker.error(
            Rule.ZONE_PRESSURE,
            number,
            "pressure",
            f"{step.pressure.label.lower()} pressure is too much for {zone.name} "
            f"(at most {zone.max_pressure.label.lower()}).",
        )


def _check_opening_and_closing(
    checker: _Checker, routine: Routine, techniques: Mapping[str, Technique]
) -> None:
    first = routine.steps[0]
    first_technique = techniques.get(first.technique)
    # An unknown technique is already an error; guessing its family would only add noise.
    if first_technique is not None and not (
        first_technique.family is TechniqueFamily.EFFLEURAGE and first.pressure in GENTLE_PRESSURES
    ):
        checker.warning(
            Rule.OPENING_NOT_STROKING,
            1,
            "technique",
            "the routine does not open with gentle stroking (effleurage at light or moderate "
            "pressure), which spreads the oil and lets the receiver settle before deeper work.",
        )

    last_number, last_technique = _last_active_step(routine, techniques)
    if last_technique is None and last_number is not None:
        return  # the closing step's technique is unknown: already an error
    if last_technique is None or last_technique.family is not TechniqueFamily.EFFLEURAGE:
        checker.warning(
            Rule.CLOSING_NOT_STROKING,
            last_number,
            "technique",
            "the routine does not close with gentle stroking (effleurage before any final "
            "rest), so the massage would end abruptly.",
        )


def _last_active_step(
    routine: Routine, techniques: Mapping[str, Technique]
) -> tuple[int | None, Technique | None]:
    """The number and technique of the last step that is not a rest (None if all rest)."""
    for number in range(len(routine.steps), 0, -1):
        technique = techniques.get(routine.steps[number - 1].technique)
        if technique is None:
            return number, None
        if technique.family is not TechniqueFamily.REST:
            return number, technique
    return None, None


def _check_safety_ids(checker: _Checker, routine: Routine, safety: SafetyFile) -> None:
    known_preparation = {item.id for item in safety.preparation}
    for item_id in routine.preparation:
        if item_id not in known_preparation:
            checker.error(
                Rule.UNKNOWN_PREPARATION,
                None,
                "preparation",
                f'the preparation item "{item_id}" is not in the safety content.',
            )
    known_aftercare = {item.id for item in safety.aftercare}
    for item_id in routine.aftercare:
        if item_id not in known_aftercare:
            checker.error(
                Rule.UNKNOWN_AFTERCARE,
                None,
                "aftercare",
                f'the aftercare item "{item_id}" is not in the safety content.',
            )


def _minutes(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"
