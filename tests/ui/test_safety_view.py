"""Safety on screen: the zone rules table, emphasised no-go zones, pain and aftercare texts,
and the controller's safety API (mode, start gate, pain reports)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from massage_trainer.domain.content import ContentLibrary, aftercare_items
from massage_trainer.domain.models import SafetyTier
from massage_trainer.domain.screening import SessionMode
from massage_trainer.domain.session import FakeClock, SessionState
from massage_trainer.ui.controller import GET_READY_S, SessionController
from massage_trainer.ui.main_window import BASE_POINT_SIZE
from massage_trainer.ui.safety_view import (
    AftercareDialog,
    PainDialog,
    SessionReport,
    ZoneRulesDialog,
    ZoneRulesModel,
    pressure_allowed_text,
)

ROUTINE = "classic-home"


@pytest.fixture
def controller(qtbot: Any, library: ContentLibrary, fake_clock: FakeClock) -> SessionController:
    controller = SessionController(library, fake_clock)
    controller.load_routine(ROUTINE)
    return controller


def tapping_step(controller: SessionController) -> int:
    routine = controller.routine
    assert routine is not None
    return next(i for i, step in enumerate(routine.steps) if step.technique == "tapping")


# -- emphasised no-go zones -------------------------------------------------------------


def test_tapping_emphasises_the_kidney_areas_gentle_stroking_does_not(
    controller: SessionController,
) -> None:
    emitted: list[tuple[str, ...]] = []
    controller.emphasis_changed.connect(emitted.append)
    assert controller.emphasised_zones() == ()  # step 1 is gentle stroking

    controller.select_step(tapping_step(controller))
    emphasis = controller.emphasised_zones()
    assert {"kidney-left", "kidney-right"} <= set(emphasis)
    assert all(controller.library.zones[z].tier is SafetyTier.NO_GO for z in emphasis)
    assert emitted == [emphasis]

    controller.select_step(0)
    assert controller.emphasised_zones() == ()
    assert emitted[-1] == ()


def test_previewing_a_tapping_step_emphasises_its_neighbours_too(
    controller: SessionController,
) -> None:
    controller.preview_step(tapping_step(controller))
    assert "kidney-left" in controller.emphasised_zones()
    controller.preview_step(-1)
    assert controller.emphasised_zones() == ()


# -- zone rules -------------------------------------------------------------------------


def test_zone_rules_list_every_zone_with_tier_pressure_techniques_and_why(
    qtbot: Any, controller: SessionController, library: ContentLibrary
) -> None:
    dialog = ZoneRulesDialog(controller)
    qtbot.addWidget(dialog)
    model = dialog.model
    assert model.rowCount() == len(library.zones)
    assert model.columnCount() == 5
    tiers = [model.zone_at(row).tier for row in range(model.rowCount())]
    assert tiers[0] is SafetyTier.NO_GO  # the rules that matter most come first

    spine = model.row_of("spine")
    texts = [model.index(spine, column).data() for column in range(5)]
    assert texts[1] == "No-go"
    assert texts[2] == "None: hands off"
    assert texts[3] == "None"
    reason = library.zones["spine"].reason
    assert reason.startswith(texts[4])  # the first sentence in the table...
    why = model.index(spine, 4)
    assert model.data(why, Qt.ItemDataRole.ToolTipRole) == reason  # ...all of it here
    dialog.table.setCurrentIndex(why)
    assert reason in dialog.detail_label.text()
    assert library.zones["spine"].description in dialog.detail_label.text()

    lower_back = model.row_of("lower-back")
    assert "tapping" in model.index(lower_back, 3).data().lower()
    assert model.index(lower_back, 2).data() == "Up to moderate"
    neck = library.zones["neck"]
    assert pressure_allowed_text(neck) == "Light only"


def test_zone_rules_follow_the_step_its_cautions_and_the_emphasis(
    qtbot: Any, controller: SessionController, library: ContentLibrary
) -> None:
    dialog = ZoneRulesDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    model = dialog.model
    assert dialog.now_label.text().startswith("Step 1:")
    assert dialog.emphasis_label.isHidden()

    index = tapping_step(controller)
    controller.select_step(index)
    step = controller.step(index)
    assert dialog.now_label.text().startswith(f"Step {index + 1}:")
    assert model.is_emphasised(model.row_of("kidney-left"))
    assert model.is_focus(model.row_of("lower-back"))
    assert not dialog.emphasis_label.isHidden()
    assert "Kidney area" in dialog.emphasis_label.text()
    if step.cautions:
        assert step.cautions[0] in dialog.cautions_label.text()
        assert not dialog.cautions_label.isHidden()
    kidney = model.index(model.row_of("kidney-left"), 0)
    assert model.data(kidney, ZoneRulesModel.ZONE_ID_ROLE) == "kidney-left"
    assert model.data(kidney).startswith("\u26a0")


def test_zone_rules_leave_the_reasons_room_on_a_small_screen(
    qtbot: Any, controller: SessionController
) -> None:
    # In the main window's large type on a 1024 x 768 screen the long zone names used to
    # take a third of the width and squeeze the reasons to eight lines a row.
    parent = QWidget()
    qtbot.addWidget(parent)
    font = parent.font()
    font.setPointSizeF(BASE_POINT_SIZE)
    parent.setFont(font)
    dialog = ZoneRulesDialog(controller, parent)
    dialog.resize(1000, 740)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    why = table.columnWidth(4)
    assert why >= 0.35 * table.viewport().width()
    assert why > table.columnWidth(0)
    spine = dialog.model.row_of("spine")
    assert table.rowHeight(spine) <= 5 * table.fontMetrics().height()


# -- pain and aftercare -------------------------------------------------------------------


def test_pain_dialog_offers_continue_lighter_or_stop(qtbot: Any) -> None:
    dialog = PainDialog("Pain during step 3: kneading")
    qtbot.addWidget(dialog)
    assert dialog.choice == ""
    assert "step 3" in dialog.where_label.text()
    # It promises only what always holds: the summary lists it (the history may be off).
    assert dialog.where_label.text().startswith("Noted for the session's summary:")
    assert "safer" in dialog.note_label.text()
    assert not dialog.stop_button.isDefault()  # stopping is never the Enter default
    dialog.stop_button.click()
    assert dialog.choice == "stop"


def test_aftercare_always_starts_with_the_wind_down(library: ContentLibrary) -> None:
    routine = library.routines["beginner-20"]
    items = [item.id for item in aftercare_items(routine, library.safety)]
    assert items[:3] == ["lighten-pressure", "opening-strokes", "rest-hands"]
    assert items[3:] == list(routine.aftercare)
    assert len(aftercare_items(None, library.safety)) == len(library.safety.aftercare)


def test_the_aftercare_summary_counts_steps_time_and_pain(
    qtbot: Any, controller: SessionController, fake_clock: FakeClock, library: ContentLibrary
) -> None:
    controller.set_mode(SessionMode.PARTNER)
    controller.start()
    first = controller.step(0).duration_s
    fake_clock.advance(GET_READY_S + first + 60)  # step 1 done, a minute into step 2
    controller.tick()
    assert controller.report_pain("a sharp spot by the shoulder blade")
    controller.finish()
    assert controller.engine is not None
    routine = controller.routine
    assert routine is not None
    report = SessionReport(
        routine.title,
        controller.engine.summary(),
        len(routine.steps),
        controller.pain_reports(),
    )
    dialog = AftercareDialog(aftercare_items(routine, library.safety), report)
    qtbot.addWidget(dialog)
    text = dialog.plain_text()
    # Step 1 ran out, step 2 was under way at the finish; the rest were never reached.
    assert f"Steps done: 2 of {len(routine.steps)}" in text
    assert "Steps skipped" not in text  # nothing was skipped: the rest was not reached
    assert f"Steps not reached (the session ended early): {len(routine.steps) - 2}" in text
    planned = sum(step.duration_s for step in routine.steps)
    assert f"Time: 4:00 of {planned // 60}:{planned % 60:02d} planned" in text
    assert "Pain reported: 1 time" in text
    assert "a sharp spot by the shoulder blade" in text
    assert "checked by a doctor" in text
    # The pain advice comes first, before the closing strokes it qualifies.
    assert text.index("reported pain") < text.index("How the massage ends")
    assert "away from the spot that hurt" in text


# -- the controller's safety API ------------------------------------------------------------


def test_mode_is_asked_again_for_another_routine(controller: SessionController) -> None:
    modes: list[str] = []
    controller.mode_changed.connect(modes.append)
    assert controller.mode is SessionMode.PARTNER
    assert not controller.mode_chosen
    controller.set_mode("dry-run")
    assert controller.dry_run
    controller.set_mode(SessionMode.DRY_RUN)  # no change, no signal
    controller.reset()
    assert controller.dry_run  # starting over keeps the choice
    controller.load_routine("lower-back-relief")
    assert not controller.mode_chosen
    assert not controller.dry_run
    assert modes == ["dry-run", ""]


def test_the_start_gate_decides_when_a_fresh_session_starts(
    controller: SessionController, fake_clock: FakeClock
) -> None:
    waiting: list[Callable[[], None]] = []
    controller.set_start_gate(waiting.append)
    controller.toggle()
    assert controller.state() is SessionState.READY
    assert len(waiting) == 1
    waiting[0]()
    assert controller.state() is SessionState.RUNNING
    controller.pause()
    controller.start()  # resuming is never gated
    assert controller.state() is SessionState.RUNNING
    assert len(waiting) == 1

    # A late answer for a routine that is no longer loaded starts nothing.
    controller.reset()
    controller.start()
    stale = waiting[-1]
    controller.load_routine("lower-back-relief")
    stale()
    assert controller.state() is SessionState.READY


def test_pain_is_reported_only_during_a_partner_session(
    controller: SessionController, fake_clock: FakeClock
) -> None:
    notes: list[str] = []
    controller.pain_reported.connect(notes.append)
    assert not controller.report_pain()  # nothing running
    controller.set_mode(SessionMode.DRY_RUN)
    controller.start()
    assert not controller.report_pain()  # no one on the table
    assert controller.state() is SessionState.RUNNING
    controller.reset()
    controller.set_mode(SessionMode.PARTNER)
    controller.start()
    fake_clock.advance(GET_READY_S + 3)
    controller.tick()
    assert controller.report_pain()
    assert controller.state() is SessionState.PAUSED
    assert notes == [controller.pain_reports()[0]]
    assert notes[0].startswith("Pain during step 1:")
