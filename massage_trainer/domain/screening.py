"""Safety around a session: who is on the table, screening, and when to check in.

A session on a partner goes through contraindication screening; a dry run (no one on
the table) skips it and says so. Any "yes" stops a partner session: there is no way
around it in the app, by design.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from massage_trainer.domain.models import (
    Contraindication,
    Pressure,
    Routine,
    Technique,
)

FIRM_CHECK_IN_INTERVAL_S = 180
"""During firm work, prompt a pressure check at least this often."""


class SessionMode(StrEnum):
    PARTNER = "partner"
    DRY_RUN = "dry-run"

    @property
    def label(self) -> str:
        return "Practising on a partner" if self is SessionMode.PARTNER else "Dry run"


@dataclass(frozen=True)
class ScreeningOutcome:
    """The result of screening: cleared, or the contraindications that stop the session."""

    cleared: bool
    stops: tuple[Contraindication, ...]
    unanswered: tuple[Contraindication, ...]


@dataclass(frozen=True)
class ScreeningRecord:
    """One round of the health questions: the answers, when, and the outcome."""

    answers: Mapping[str, bool]
    at: datetime
    outcome: ScreeningOutcome
    reused: bool = False
    """True when "same partner, nothing changed" confirmed an earlier all-clear."""


def screen(
    contraindications: Sequence[Contraindication], answers: Mapping[str, bool]
) -> ScreeningOutcome:
    """Evaluate screening answers (contraindication id -> yes/no).

    Cleared only when every question was answered "no". An unanswered question is not a
    "no": the session waits until it is answered.
    """
    stops = tuple(c for c in contraindications if answers.get(c.id) is True)
    unanswered = tuple(c for c in contraindications if c.id not in answers)
    return ScreeningOutcome(
        cleared=not stops and not unanswered, stops=stops, unanswered=unanswered
    )


class CheckInReason(StrEnum):
    NEW_TECHNIQUE = "new-technique"
    FIRM_WORK = "firm-work"


@dataclass(frozen=True)
class CheckIn:
    """A moment to ask the partner about the pressure."""

    step: int
    """Index of the step (0-based)."""
    at_s: float
    """Seconds into the step."""
    reason: CheckInReason

    @property
    def prompt(self) -> str:
        if self.reason is CheckInReason.FIRM_WORK:
            return "Firm work for a while now: ask your partner whether the pressure is still good."
        return "New technique: ask your partner whether the pressure feels right."


def check_ins(
    routine: Routine,
    techniques: Mapping[str, Technique],
    firm_interval_s: float = FIRM_CHECK_IN_INTERVAL_S,
) -> tuple[CheckIn, ...]:
    """When to prompt a pressure check: at each change of technique (after a short
    settling-in), and every ``firm_interval_s`` of firm work within a step."""
    found: list[CheckIn] = []
    previous: str | None = None
    for index, step in enumerate(routine.steps):
        technique = techniques.get(step.technique)
        works = step.pressure is not Pressure.NONE and (
            technique is None or technique.family.value != "rest"
        )
        if works and step.technique != previous:
            found.append(
                CheckIn(index, min(15.0, step.duration_s / 3), CheckInReason.NEW_TECHNIQUE)
            )
        if step.pressure is Pressure.FIRM:
            at = firm_interval_s
            while at < step.duration_s:
                found.append(CheckIn(index, at, CheckInReason.FIRM_WORK))
                at += firm_interval_s
        previous = step.technique
    return tuple(found)
