"""Screening and check-ins: any "yes" stops a partner session; pressure checks come often."""

from __future__ import annotations

import pytest

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.models import Pressure
from massage_trainer.domain.screening import CheckInReason, check_ins, screen


def test_all_no_clears(library: ContentLibrary) -> None:
    items = library.safety.contraindications
    outcome = screen(items, {c.id: False for c in items})
    assert outcome.cleared
    assert outcome.stops == ()


def test_any_yes_stops_and_names_it(library: ContentLibrary) -> None:
    items = library.safety.contraindications
    answers = {c.id: False for c in items}
    fever = next(c for c in items if "fever" in c.name.lower())
    answers[fever.id] = True
    outcome = screen(items, answers)
    assert not outcome.cleared
    assert outcome.stops == (fever,)


def test_an_unanswered_question_is_not_a_no(library: ContentLibrary) -> None:
    items = library.safety.contraindications
    answers = {c.id: False for c in items[1:]}
    outcome = screen(items, answers)
    assert not outcome.cleared
    assert outcome.unanswered == (items[0],)


@pytest.mark.parametrize("routine_id", ["beginner-20", "professional-classic"])
def test_each_new_technique_gets_a_check_in(library: ContentLibrary, routine_id: str) -> None:
    routine = library.routines[routine_id]
    found = check_ins(routine, library.techniques)
    starts = {c.step for c in found if c.reason is CheckInReason.NEW_TECHNIQUE}
    for index, step in enumerate(routine.steps):
        changed = index == 0 or routine.steps[index - 1].technique != step.technique
        if changed and step.pressure is not Pressure.NONE:
            assert index in starts
    assert all(0 < c.at_s < routine.steps[c.step].duration_s for c in found)


def test_long_firm_work_gets_regular_check_ins(library: ContentLibrary) -> None:
    routine = library.routines["beginner-20"]
    step = routine.steps[0].model_copy(update={"pressure": Pressure.FIRM, "duration_s": 600})
    firm = routine.model_copy(update={"steps": (step,)})
    times = [
        c.at_s
        for c in check_ins(firm, library.techniques, firm_interval_s=180)
        if c.reason is CheckInReason.FIRM_WORK
    ]
    assert times == [180, 360, 540]
