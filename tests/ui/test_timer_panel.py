"""The timer panel: countdown text matching the engine, overtime, get-ready, controls."""

from __future__ import annotations

import math
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.session import FakeClock, SessionState
from massage_trainer.ui.controller import GET_READY_S, SessionController, format_clock
from massage_trainer.ui.preferences import Preferences
from massage_trainer.ui.timer_panel import OVERTIME, TimerPanel

ROUTINE = "classic-home"


@pytest.fixture
def controller(library: ContentLibrary, fake_clock: FakeClock) -> SessionController:
    controller = SessionController(library, fake_clock)
    controller.load_routine(ROUTINE)
    return controller


@pytest.fixture
def panel(qtbot: Any, controller: SessionController, preferences: Preferences) -> TimerPanel:
    panel = TimerPanel(controller, preferences)
    qtbot.addWidget(panel)
    panel.resize(520, 900)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def engine_text(controller: SessionController) -> str:
    engine = controller.engine
    assert engine is not None
    return format_clock(math.ceil(engine.remaining()))


def test_countdown_matches_the_engine_as_the_clock_moves(
    panel: TimerPanel, controller: SessionController, fake_clock: FakeClock
) -> None:
    first = controller.step(0).duration_s
    assert panel.countdown_text() == format_clock(first)
    controller.start()
    fake_clock.advance(GET_READY_S)
    controller.tick()
    for _ in range(25):
        fake_clock.advance(0.4)
        controller.tick()
        assert panel.countdown_text() == engine_text(controller)
    fake_clock.advance(1.3)
    controller.tick()
    # 11.3 s in: the whole seconds left, rounded up, as m:ss (3:00 -> 2:49).
    assert panel.countdown_text() == format_clock(first - 11)
    assert panel.ring.caption == "left"


def test_the_ring_fills_as_time_passes(
    panel: TimerPanel, controller: SessionController, fake_clock: FakeClock
) -> None:
    controller.start()
    fake_clock.advance(GET_READY_S)
    controller.tick()
    assert panel.ring.fraction == pytest.approx(0.0)
    half = controller.step(0).duration_s / 2
    fake_clock.advance(half)
    controller.tick()
    assert panel.ring.fraction == pytest.approx(0.5, abs=0.01)


def test_get_ready_countdown_is_shown(
    panel: TimerPanel, controller: SessionController, fake_clock: FakeClock
) -> None:
    controller.start()
    assert panel.countdown_text() == "0:05"
    assert panel.ring.caption == "Get ready"
    fake_clock.advance(2.5)
    controller.tick()
    assert panel.countdown_text() == "0:03"


def test_overtime_is_shown_in_words_and_colour(
    panel: TimerPanel, controller: SessionController, fake_clock: FakeClock
) -> None:
    normal_color = panel.ring.color
    controller.set_auto_advance(False)
    controller.start()
    fake_clock.advance(GET_READY_S + controller.step(0).duration_s + 12.2)
    controller.tick()
    assert panel.countdown_text() == "+0:12"
    assert panel.ring.caption == "Overtime"
    assert panel.ring.color == OVERTIME
    assert panel.ring.color != normal_color


def test_buttons_drive_the_controller(
    qtbot: Any, panel: TimerPanel, controller: SessionController, fake_clock: FakeClock
) -> None:
    engine = controller.engine
    assert engine is not None
    left = Qt.MouseButton.LeftButton
    qtbot.mouseClick(panel.start_button, left)
    assert controller.state() is SessionState.RUNNING
    assert panel.start_button.accessibleName() == "Pause"
    fake_clock.advance(GET_READY_S + 10)
    controller.tick()
    qtbot.mouseClick(panel.next_button, left)
    assert engine.index == 1
    qtbot.mouseClick(panel.previous_button, left)
    assert engine.index == 0
    fake_clock.advance(10)
    controller.tick()
    qtbot.mouseClick(panel.more_button, left)
    assert controller.remaining_seconds() == controller.step(0).duration_s - 10 + 30
    qtbot.mouseClick(panel.less_button, left)
    assert controller.remaining_seconds() == controller.step(0).duration_s - 10
    qtbot.mouseClick(panel.restart_button, left)
    assert panel.countdown_text() == format_clock(controller.step(0).duration_s)
    box = panel.auto_advance_box
    qtbot.mouseClick(box, left, pos=QPoint(10, box.height() // 2))
    assert engine.auto_advance is False
    qtbot.mouseClick(panel.start_button, left)
    assert controller.state() is SessionState.PAUSED
    assert panel.start_button.accessibleName() == "Resume"


def test_checkbox_follows_the_controller(panel: TimerPanel, controller: SessionController) -> None:
    assert panel.auto_advance_box.isChecked()
    controller.set_auto_advance(False)
    assert not panel.auto_advance_box.isChecked()


def test_step_details_and_next_line(
    panel: TimerPanel, controller: SessionController, library: ContentLibrary
) -> None:
    step = controller.step(0)
    assert panel.technique_label.text() == library.techniques[step.technique].name
    assert step.pressure.label in panel.pressure_label.text()
    assert panel.direction_label.text() == step.direction.label
    assert panel.instruction_label.text() == step.instruction
    assert panel.step_label.text().startswith(f"Step 1 of {controller.step_count}")
    assert panel.next_label.text() == f"Next: {controller.describe_step(1)}"
    controller.next_step()
    assert panel.technique_label.text() == library.techniques[controller.step(1).technique].name
    if controller.step(1).cautions:
        assert controller.step(1).cautions[0] in panel.cautions_label.text()
        assert not panel.cautions_label.isHidden()


def test_routine_totals(
    panel: TimerPanel, controller: SessionController, fake_clock: FakeClock
) -> None:
    assert controller.routine is not None
    total = controller.routine.total_seconds
    assert panel.totals_label.text() == f"Routine: 0:00 done  ·  {format_clock(total)} to go"
    controller.start()
    fake_clock.advance(GET_READY_S + 65)
    controller.tick()
    assert panel.totals_label.text() == f"Routine: 1:05 done  ·  {format_clock(total - 65)} to go"


def test_flash_only_when_switched_on(panel: TimerPanel, preferences: Preferences) -> None:
    panel.flash("change")
    assert panel.flashing
    panel._end_flash()
    preferences.set_flash_enabled(False)
    panel.flash("change")
    assert not panel.flashing


def test_finished_state(
    panel: TimerPanel, controller: SessionController, fake_clock: FakeClock
) -> None:
    controller.start()
    controller.finish()
    assert panel.countdown_text() == "Done"
    assert panel.start_button.accessibleName() == "Start over"
    assert not panel.more_button.isEnabled()


def test_every_control_has_an_accessible_name(panel: TimerPanel) -> None:
    for widget in (
        panel.start_button,
        panel.previous_button,
        panel.next_button,
        panel.restart_button,
        panel.less_button,
        panel.more_button,
        panel.auto_advance_box,
    ):
        assert widget.accessibleName()


def test_countdown_type_is_very_large(panel: TimerPanel) -> None:
    # Readable from about two metres: several times the normal text size.
    assert panel.ring.time_font.pixelSize() >= 4 * panel.fontMetrics().height()


def test_pressure_check_in_is_shown_then_cleared(
    panel: TimerPanel, controller: SessionController, fake_clock: FakeClock
) -> None:
    check_ins = controller.check_ins()
    assert check_ins, "the routine asks for pressure check-ins"
    check_in = check_ins[0]
    controller.set_mode("partner")
    controller.start()
    fake_clock.advance(GET_READY_S)
    controller.tick()
    controller.select_step(check_in.step)
    assert panel.check_in_label.isHidden()
    fake_clock.advance(check_in.at_s + 0.5)
    controller.tick()
    assert not panel.check_in_label.isHidden()
    assert check_in.prompt in panel.check_in_label.text()
    controller.next_step()  # a new step clears the old question
    assert panel.check_in_label.isHidden()


def test_in_a_narrow_panel_the_dry_run_banner_gives_way_to_the_step_number(
    qtbot: Any, panel: TimerPanel, controller: SessionController
) -> None:
    controller.set_mode("dry-run")
    panel.resize(330, 900)
    qtbot.waitUntil(lambda: panel.dry_run_label.isVisible())
    QApplication.processEvents()
    label = panel.step_label
    metrics = label.fontMetrics()
    # "Step 1 of 8" has room for one whole line; the banner wraps instead.
    assert label.width() >= metrics.horizontalAdvance(label.text())


def test_with_room_to_spare_the_dry_run_banner_is_one_line(
    qtbot: Any, panel: TimerPanel, controller: SessionController
) -> None:
    controller.set_mode("dry-run")
    panel.resize(520, 900)
    qtbot.waitUntil(lambda: panel.dry_run_label.isVisible())
    QApplication.processEvents()
    banner = panel.dry_run_label
    metrics = banner.fontMetrics()
    assert banner.contentsRect().width() >= metrics.horizontalAdvance(banner.text())


def test_a_session_ended_early_is_not_called_complete(
    panel: TimerPanel, controller: SessionController, fake_clock: FakeClock
) -> None:
    controller.start()
    fake_clock.advance(GET_READY_S + 30)
    controller.tick()
    controller.finish()
    assert panel.ring.caption == "Ended early"
    assert panel.totals_label.text() == "Session over: 0:30 practised"


def test_a_session_stopped_in_the_countdown_says_no_step_began(
    panel: TimerPanel, controller: SessionController, fake_clock: FakeClock
) -> None:
    controller.start()
    fake_clock.advance(1)
    controller.tick()
    controller.finish()
    assert panel.totals_label.text() == "Session over before the first step began"


def test_a_routine_run_to_its_end_is_complete(
    panel: TimerPanel, controller: SessionController, fake_clock: FakeClock
) -> None:
    routine = controller.routine
    assert routine is not None
    controller.start()
    fake_clock.advance(GET_READY_S + routine.total_seconds + 1)
    for _ in range(len(routine.steps) + 1):
        controller.tick()
    assert controller.state() is SessionState.FINISHED
    assert panel.ring.caption == "Routine complete"


def squashed(text: str) -> str:
    """The text without its spaces: lines may break after a space or a hyphen."""
    return "".join(text.split())


@pytest.mark.parametrize("routine_id", ["classic-home", "classic-full-back"])
def test_in_a_short_window_every_word_beside_the_ring_still_fits(
    qtbot: Any, panel: TimerPanel, controller: SessionController, routine_id: str
) -> None:
    # The panel's size in a 1024x640 window: the pressure and direction used to be cut
    # ("Upwards, towards the" without "head") and the ring ran under the routine line.
    controller.load_routine(routine_id)
    panel.resize(343, 558)
    qtbot.waitUntil(lambda: panel.compact)

    def check() -> None:
        QApplication.processEvents()
        for label in (panel.pressure_label, panel.direction_label, panel.next_label):
            needed = label.heightForWidth(label.width())
            assert label.height() >= needed, (label.accessibleName(), label.text())
        ring = panel.ring.geometry()
        assert ring.bottom() < panel.totals_label.geometry().top()
        assert panel.pain_button.geometry().bottom() <= panel.contentsRect().bottom()

    clamped = []
    for index in range(controller.step_count):
        controller.select_step(index)
        check()
        shown = panel.next_label.lines()
        assert 1 <= len(shown) <= 3
        if shown[-1].endswith("…"):  # a long "Next" is cut to three lines, whole on hover
            clamped.append(index)
            assert panel.next_label.toolTip() == panel.next_label.text()
            assert squashed("".join(shown[:-1])) in squashed(panel.next_label.text())
        else:
            assert panel.next_label.toolTip() == ""
            assert squashed("".join(shown)) == squashed(panel.next_label.text())
    if routine_id == "classic-full-back":
        assert clamped  # its long zone lists do need the cut at this size

    # With room to spare the panel keeps its tall buttons and the whole "Next" line.
    panel.resize(520, 900)
    qtbot.waitUntil(lambda: not panel.compact)
    assert panel.start_button.height() >= 48
    for index in clamped:
        controller.select_step(index)
        assert squashed("".join(panel.next_label.lines())) == squashed(panel.next_label.text())
        assert panel.next_label.toolTip() == ""
