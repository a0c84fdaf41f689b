"""Practice mode through the real widgets: mouse, tablet and touch strokes on the diagram."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.history import HistoryStore
from massage_trainer.domain.models import Direction
from massage_trainer.domain.session import FakeClock
from massage_trainer.domain.strokes import (
    DIAGRAM_UNITS_PER_CM,
    DirectionVerdict,
    PressureVerdict,
    SpeedVerdict,
    StepScore,
    StrokeFeedback,
)
from massage_trainer.ui import cues
from massage_trainer.ui import practice as practice_module
from massage_trainer.ui.controller import SessionController
from massage_trainer.ui.diagram import BackDiagramView
from massage_trainer.ui.main_window import MainWindow
from massage_trainer.ui.practice import (
    NoGoAlert,
    PracticeFeedbackPanel,
    PracticeOverlay,
    input_label,
)
from massage_trainer.ui.preferences import Preferences

ROUTINE = "classic-home"  # step 1: open-palm stroking up the back, light pressure
LEFT_STRIP_X = 183.0
LOW_BACK_Y = 385.0
SHOULDERS_Y = 150.0


class Recorder:
    """Stands in for the history recorder: keeps the scores it is given."""

    def __init__(self) -> None:
        self.scores: list[tuple[str, float, dict[str, Any]]] = []

    def record_score(self, technique_id: str, score: float, **kwargs: Any) -> None:
        self.scores.append((technique_id, score, kwargs))


@pytest.fixture
def controller(library: ContentLibrary, fake_clock: FakeClock) -> SessionController:
    controller = SessionController(library, fake_clock, get_ready_s=0)
    controller.load_routine(ROUTINE)
    step = controller.step(0)
    assert step.direction is Direction.UP
    assert step.pressure.value == "light"
    return controller


@pytest.fixture
def view(diagram_view: BackDiagramView) -> BackDiagramView:
    return diagram_view


@pytest.fixture
def alerts() -> list[str]:
    return []


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def overlay(
    view: BackDiagramView,
    controller: SessionController,
    preferences: Preferences,
    fake_clock: FakeClock,
    alerts: list[str],
    recorder: Recorder,
) -> PracticeOverlay:
    overlay = PracticeOverlay(
        view,
        controller,
        preferences=preferences,
        clock=fake_clock,
        alert=lambda: alerts.append("beep"),
        recorder=recorder,
    )
    overlay.set_active(True)
    return overlay


@pytest.fixture
def panel(qtbot: Any, overlay: PracticeOverlay) -> PracticeFeedbackPanel:
    panel = PracticeFeedbackPanel(overlay)
    qtbot.addWidget(panel)
    return panel


def widget_point(view: BackDiagramView, x: float, y: float) -> QPoint:
    return view.map_from_diagram(QPointF(x, y)).toPoint()


def path(start: tuple[float, float], end: tuple[float, float], count: int = 60) -> list[QPointF]:
    return [
        QPointF(
            start[0] + (end[0] - start[0]) * i / count, start[1] + (end[1] - start[1]) * i / count
        )
        for i in range(count + 1)
    ]


def seconds_for(points: list[QPointF], speed_cm_s: float) -> float:
    """The time between points for a stroke at ``speed_cm_s``."""
    first, second = points[0], points[1]
    step = math.hypot(second.x() - first.x(), second.y() - first.y())
    return step / DIAGRAM_UNITS_PER_CM / speed_cm_s


def mouse_stroke(
    overlay: PracticeOverlay,
    view: BackDiagramView,
    clock: FakeClock,
    points: list[QPointF],
    speed_cm_s: float,
) -> StrokeFeedback:
    """Press, move and release the mouse over the overlay, moving the fake clock."""
    dt = seconds_for(points, speed_cm_s)
    no_button = Qt.KeyboardModifier.NoModifier
    QTest.mousePress(
        overlay, Qt.MouseButton.LeftButton, no_button, widget_point(view, *_xy(points[0]))
    )
    for point in points[1:]:
        clock.advance(dt)
        QTest.mouseMove(overlay, widget_point(view, *_xy(point)))
    QTest.mouseRelease(
        overlay, Qt.MouseButton.LeftButton, no_button, widget_point(view, *_xy(points[-1]))
    )
    feedback = overlay.last_feedback()
    assert feedback is not None
    return feedback


def _xy(point: QPointF) -> tuple[float, float]:
    return point.x(), point.y()


PEN = QPointingDevice(
    "test pen",
    4242,
    QInputDevice.DeviceType.Stylus,
    QPointingDevice.PointerType.Pen,
    QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
    1,
    2,
)


def send_tablet(
    overlay: PracticeOverlay, kind: QEvent.Type, position: QPoint, pressure: float
) -> bool:
    local = QPointF(position)
    buttons = (
        Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else Qt.MouseButton.LeftButton
    )
    event = QTabletEvent(
        kind,
        PEN,
        local,
        QPointF(overlay.mapToGlobal(local)),
        pressure,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        Qt.KeyboardModifier.NoModifier,
        Qt.MouseButton.LeftButton,
        buttons,
    )
    QApplication.sendEvent(overlay, event)
    return event.isAccepted()


def pen_stroke(
    overlay: PracticeOverlay,
    view: BackDiagramView,
    clock: FakeClock,
    points: list[QPointF],
    speed_cm_s: float,
    pressures: Iterable[float],
) -> StrokeFeedback:
    dt = seconds_for(points, speed_cm_s)
    pressure_list = list(pressures)
    assert send_tablet(
        overlay, QEvent.Type.TabletPress, widget_point(view, *_xy(points[0])), pressure_list[0]
    )
    for point, pressure in zip(points[1:], pressure_list[1:], strict=True):
        clock.advance(dt)
        send_tablet(overlay, QEvent.Type.TabletMove, widget_point(view, *_xy(point)), pressure)
    send_tablet(overlay, QEvent.Type.TabletRelease, widget_point(view, *_xy(points[-1])), 0.0)
    feedback = overlay.last_feedback()
    assert feedback is not None
    return feedback


UP_THE_STRIP = path((LEFT_STRIP_X, LOW_BACK_Y), (LEFT_STRIP_X, SHOULDERS_Y))
DOWN_THE_STRIP = path((LEFT_STRIP_X, SHOULDERS_Y), (LEFT_STRIP_X, LOW_BACK_Y))
UP_THE_SPINE = path((LEFT_STRIP_X, LOW_BACK_Y), (LEFT_STRIP_X, 300), 20) + path(
    (200, 290), (200, SHOULDERS_Y), 40
)


# -- mouse ---------------------------------------------------------------------------------


def test_a_good_slow_stroke_up_the_strip_scores_high(
    overlay: PracticeOverlay,
    panel: PracticeFeedbackPanel,
    view: BackDiagramView,
    fake_clock: FakeClock,
    alerts: list[str],
) -> None:
    feedback = mouse_stroke(overlay, view, fake_clock, UP_THE_STRIP, 3.5)
    assert feedback.input_kind == "mouse"
    assert feedback.score >= 90
    assert feedback.speed_verdict is SpeedVerdict.OK
    assert feedback.direction_verdict is DirectionVerdict.OK
    assert feedback.target_share > 0.9
    assert not feedback.no_go
    assert alerts == []
    assert overlay.no_go_markers() == []
    assert len(overlay.trace_points()) == len(UP_THE_STRIP)
    assert overlay.input_label() == "Mouse — no pressure"
    assert panel.input_label.text() == "Mouse — no pressure"
    assert panel.score_label.text() == str(feedback.score)
    assert "A good pace for a slow glide" in panel.reasons_text()
    assert "No pressure from a mouse" in panel.reasons_text()


def test_a_stroke_onto_the_spine_is_flagged_at_once(
    qtbot: Any,
    overlay: PracticeOverlay,
    panel: PracticeFeedbackPanel,
    view: BackDiagramView,
    fake_clock: FakeClock,
    alerts: list[str],
) -> None:
    flagged_while_drawing: list[tuple[str, bool]] = []
    overlay.no_go_entered.connect(
        lambda zone: flagged_while_drawing.append((zone, overlay.is_stroking()))
    )
    feedback = mouse_stroke(overlay, view, fake_clock, UP_THE_SPINE, 3.5)
    assert flagged_while_drawing == [("spine", True)]
    assert alerts == ["beep"]
    markers = overlay.no_go_markers()
    assert [zone for zone, _ in markers] == ["spine"]
    assert abs(markers[0][1].x() - 200) < 8
    assert [entry.zone_id for entry in feedback.no_go] == ["spine"]
    assert feedback.score < 50
    first_problem = panel.reasons_text().splitlines()[0]
    assert first_problem.startswith("Problem: ")
    assert "% of the stroke crossed the spine" in first_problem


def test_the_live_figures_follow_the_stroke(
    overlay: PracticeOverlay, view: BackDiagramView, fake_clock: FakeClock
) -> None:
    dt = seconds_for(UP_THE_SPINE, 3.5)
    QTest.mousePress(
        overlay,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        widget_point(view, *_xy(UP_THE_SPINE[0])),
    )
    for point in UP_THE_SPINE[1:30]:
        fake_clock.advance(dt)
        QTest.mouseMove(overlay, widget_point(view, *_xy(point)))
    reading = overlay.live_reading()
    assert reading is not None
    assert reading.in_no_go
    assert reading.zone_id == "spine"
    lines = [text for text, _ in overlay.hud_lines()]
    assert "No-go: spine! Move off" in lines
    assert any(line.startswith("On the zones:") for line in lines)
    assert any("cm/s: good" in line for line in lines)
    assert "Going up" in lines


def test_a_rushed_stroke_says_rushing(
    overlay: PracticeOverlay,
    panel: PracticeFeedbackPanel,
    view: BackDiagramView,
    fake_clock: FakeClock,
) -> None:
    feedback = mouse_stroke(overlay, view, fake_clock, UP_THE_STRIP, 11.0)
    assert feedback.speed_verdict is SpeedVerdict.RUSHING
    assert "Rushing: about twice as fast as a slow glide" in panel.reasons_text()
    assert feedback.score <= 75


def test_a_downward_stroke_is_the_wrong_direction(
    overlay: PracticeOverlay,
    panel: PracticeFeedbackPanel,
    view: BackDiagramView,
    fake_clock: FakeClock,
) -> None:
    feedback = mouse_stroke(overlay, view, fake_clock, DOWN_THE_STRIP, 3.5)
    assert feedback.direction_verdict is DirectionVerdict.WRONG
    assert (
        "Problem: The stroke went down; effleurage here goes up towards the head"
        in panel.reasons_text()
    )


# -- pen ------------------------------------------------------------------------------------


def test_a_pen_pressing_too_hard_on_a_light_step(
    overlay: PracticeOverlay,
    panel: PracticeFeedbackPanel,
    view: BackDiagramView,
    fake_clock: FakeClock,
) -> None:
    feedback = pen_stroke(overlay, view, fake_clock, UP_THE_STRIP, 3.5, [0.85] * len(UP_THE_STRIP))
    assert feedback.input_kind == "pen"
    assert feedback.pressure_verdict is PressureVerdict.TOO_HARD
    assert feedback.mean_pressure == pytest.approx(0.85)
    assert overlay.input_label() == "Pen — pressure 0.85"
    assert panel.input_label.text() == "Pen — pressure 0.85"
    assert "Too hard: you pressed firmly (pen 0.85); this step asks for light pressure" in (
        panel.reasons_text()
    )


def test_a_good_pen_stroke_and_a_pen_stroke_over_the_spine(
    overlay: PracticeOverlay, view: BackDiagramView, fake_clock: FakeClock, alerts: list[str]
) -> None:
    good = pen_stroke(overlay, view, fake_clock, UP_THE_STRIP, 3.5, [0.25] * len(UP_THE_STRIP))
    assert good.pressure_verdict is PressureVerdict.OK
    assert good.score >= 90
    spine = pen_stroke(overlay, view, fake_clock, UP_THE_SPINE, 3.5, [0.25] * len(UP_THE_SPINE))
    assert [entry.zone_id for entry in spine.no_go] == ["spine"]
    assert alerts == ["beep"]


def test_a_pen_stroke_makes_no_mouse_stroke_as_well(
    overlay: PracticeOverlay, view: BackDiagramView, fake_clock: FakeClock
) -> None:
    strokes: list[str] = []
    overlay.stroke_started.connect(strokes.append)
    pen_stroke(overlay, view, fake_clock, UP_THE_STRIP, 3.5, [0.3] * len(UP_THE_STRIP))
    assert strokes == ["pen"]


# -- touch ----------------------------------------------------------------------------------


def test_a_finger_traces_too(
    overlay: PracticeOverlay, view: BackDiagramView, fake_clock: FakeClock
) -> None:
    device = QTest.createTouchDevice()
    dt = seconds_for(UP_THE_STRIP, 3.5)
    QTest.touchEvent(overlay, device).press(0, widget_point(view, *_xy(UP_THE_STRIP[0]))).commit()
    for point in UP_THE_STRIP[1:]:
        fake_clock.advance(dt)
        QTest.touchEvent(overlay, device).move(0, widget_point(view, *_xy(point))).commit()
    QTest.touchEvent(overlay, device).release(
        0, widget_point(view, *_xy(UP_THE_STRIP[-1]))
    ).commit()
    feedback = overlay.last_feedback()
    assert feedback is not None
    assert feedback.input_kind == "touch"
    assert overlay.input_label() == "Touch — no pressure"
    assert feedback.direction_verdict is DirectionVerdict.OK


# -- the mode, the step, the replay -------------------------------------------------------


def test_switched_off_the_diagram_takes_clicks_again(
    qtbot: Any,
    overlay: PracticeOverlay,
    view: BackDiagramView,
    controller: SessionController,
) -> None:
    spine = widget_point(view, 200, 250)
    qtbot.mouseClick(overlay, Qt.MouseButton.LeftButton, pos=spine)
    assert controller.selected_zone() == ""  # practice mode took the click
    overlay.set_active(False)
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert not overlay.isVisible()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=spine)
    assert controller.selected_zone() == "spine"
    overlay.set_active(True)
    assert not overlay.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert overlay.isVisible()


def test_the_overlay_follows_the_diagram_size(
    qtbot: Any, overlay: PracticeOverlay, view: BackDiagramView
) -> None:
    view.resize(700, 900)
    qtbot.waitUntil(lambda: overlay.geometry() == view.rect())
    assert overlay.size() == view.size()


def test_moving_to_the_next_step_scores_and_records_the_step(
    overlay: PracticeOverlay,
    panel: PracticeFeedbackPanel,
    view: BackDiagramView,
    controller: SessionController,
    fake_clock: FakeClock,
    recorder: Recorder,
) -> None:
    scored: list[StepScore] = []
    overlay.step_scored.connect(scored.append)
    first = mouse_stroke(overlay, view, fake_clock, UP_THE_STRIP, 3.5)
    second = mouse_stroke(overlay, view, fake_clock, DOWN_THE_STRIP, 3.5)
    controller.next_step()
    assert overlay.practice_step() == 1
    assert len(scored) == 1
    result = scored[0]
    assert result.step_index == 0
    assert result.stroke_count == 2
    assert result.score == round((first.score + second.score) / 2 - 3)  # one lift
    assert panel.step_label.text().startswith(f"Step 1 score: {result.score}")
    technique_id, score, extra = recorder.scores[0]
    assert technique_id == controller.step(0).technique
    assert score == result.score
    assert extra["step_index"] == 0
    assert "Practice, step 1, 2 strokes" in extra["detail"]


def test_a_step_without_strokes_records_nothing(
    overlay: PracticeOverlay, controller: SessionController, recorder: Recorder
) -> None:
    controller.next_step()
    controller.next_step()
    overlay.set_active(False)
    assert recorder.scores == []


def test_step_scores_reach_the_history_store(
    view: BackDiagramView,
    controller: SessionController,
    preferences: Preferences,
    fake_clock: FakeClock,
    tmp_path: Path,
) -> None:
    from massage_trainer.ui.history_recorder import SessionRecorder

    store = HistoryStore(tmp_path / "history.sqlite3")
    session_recorder = SessionRecorder(controller, store)
    overlay = PracticeOverlay(
        view,
        controller,
        preferences=preferences,
        clock=fake_clock,
        alert=lambda: None,
        recorder=session_recorder,
    )
    overlay.set_active(True)
    mouse_stroke(overlay, view, fake_clock, UP_THE_STRIP, 3.5)
    overlay.set_active(False)
    scores = store.scores()
    assert len(scores) == 1
    assert scores[0].technique_id == controller.step(0).technique
    assert scores[0].step_index == 0
    assert scores[0].score >= 90


def test_the_replay_plays_the_trace_over_the_model_stroke(
    overlay: PracticeOverlay, view: BackDiagramView, fake_clock: FakeClock
) -> None:
    replays: list[bool] = []
    overlay.replay_changed.connect(replays.append)
    feedback = mouse_stroke(overlay, view, fake_clock, UP_THE_STRIP, 3.5)
    assert overlay.is_replaying()
    assert replays == [True]
    assert overlay.replay_time() == 0.0
    references = overlay.references()
    assert any(ref.kind == "line" for ref in references)
    for ref in references:
        if ref.kind == "line":
            assert ref.points[-1][1] < ref.points[0][1]  # arrows up the back
    duration = feedback.end_t - feedback.start_t
    fake_clock.advance(1.0)
    overlay.tick_replay()
    played = overlay.replay_time()
    assert played is not None
    assert 0 < played < duration
    fake_clock.advance(60.0)
    overlay.tick_replay()
    assert not overlay.is_replaying()
    assert replays == [True, False]
    overlay.replay()  # the panel's Replay button
    assert overlay.is_replaying()


def test_with_reduced_motion_the_replay_is_still(
    overlay: PracticeOverlay,
    preferences: Preferences,
    view: BackDiagramView,
    fake_clock: FakeClock,
) -> None:
    preferences.set_reduced_motion(True)
    mouse_stroke(overlay, view, fake_clock, UP_THE_STRIP, 3.5)
    assert not overlay.is_replaying()
    assert not overlay.replay_timer.isActive()


def test_the_overlay_draws_the_trace(
    overlay: PracticeOverlay, view: BackDiagramView, fake_clock: FakeClock
) -> None:
    before = overlay.grab().toImage()
    mouse_stroke(overlay, view, fake_clock, UP_THE_SPINE, 3.5)
    fake_clock.advance(60.0)
    overlay.tick_replay()  # the whole trace, not a replay in progress
    after = overlay.grab().toImage()
    marker = widget_point(view, *_xy(overlay.no_go_markers()[0][1]))
    assert before.pixelColor(marker) != after.pixelColor(marker)


def test_labels_for_each_input() -> None:
    assert input_label("mouse") == "Mouse — no pressure"
    assert input_label("touch") == "Touch — no pressure"
    assert input_label("pen", 0.62) == "Pen — pressure 0.62"
    assert input_label("pen") == "Pen — no pressure reported"


def test_the_no_go_sound_falls_back_to_a_beep_without_audio(
    monkeypatch: pytest.MonkeyPatch, preferences: Preferences
) -> None:
    def no_audio(_path: Path) -> cues.Chime:
        raise cues.CueUnavailable("no audio output was found")

    beeps: list[bool] = []
    monkeypatch.setattr(cues, "qt_sound_factory", no_audio)
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(True)))
    alert = NoGoAlert(preferences)
    alert()
    assert alert.uses_beep
    assert beeps == [True]
    preferences.set_chime_enabled(False)
    alert()
    assert beeps == [True]


# -- in the main window ---------------------------------------------------------------------


@pytest.fixture
def window(qtbot: Any, make_main_window: Callable[[], MainWindow]) -> MainWindow:
    window = make_main_window()
    window.preferences.set_chime_enabled(False)
    window.controller.load_routine(ROUTINE)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_t_switches_practice_mode_in_the_main_window(qtbot: Any, window: MainWindow) -> None:
    assert window.practice_action.shortcuts()[0].toString() == "T"
    menus = {action.text(): action.menu() for action in window.menuBar().actions()}
    practice_menu = menus["&Practice"]
    assert isinstance(practice_menu, QMenu)
    assert window.practice_action in practice_menu.actions()
    assert window.zone_quiz_action in practice_menu.actions()
    qtbot.keyClick(window.step_list, Qt.Key.Key_T)
    assert window.practice_action.isChecked()
    practice = window._practice
    assert practice is not None
    assert practice.overlay.is_active()
    assert practice.dock.isVisible()
    assert practice.overlay.parent() is window.diagram
    qtbot.keyClick(window.step_list, Qt.Key.Key_T)
    assert not practice.overlay.is_active()
    assert not practice.dock.isVisible()


def test_a_stroke_in_the_main_window_reaches_the_panel(
    qtbot: Any, window: MainWindow, fake_clock: FakeClock
) -> None:
    window.practice_action.trigger()
    practice = window._practice
    assert practice is not None
    view = window.diagram
    assert isinstance(view, BackDiagramView)
    mouse_stroke(practice.overlay, view, fake_clock, DOWN_THE_STRIP, 3.5)
    assert "The stroke went down" in practice.panel.reasons_text()
    window.controller.next_step()
    assert practice.panel.step_label.text().startswith("Step 1 score:")


def test_the_next_step_starts_with_no_stroke_score_shown(
    overlay: PracticeOverlay,
    panel: PracticeFeedbackPanel,
    view: BackDiagramView,
    controller: SessionController,
    fake_clock: FakeClock,
) -> None:
    # A stroke judged against step 1 says nothing about step 2: its score, reasons and
    # replay go; the step's score stays.
    mouse_stroke(overlay, view, fake_clock, DOWN_THE_STRIP, 3.5)
    assert "The stroke went down" in panel.reasons_text()
    assert panel.replay_button.isEnabled()
    controller.next_step()
    assert panel.step_label.text().startswith("Step 1 score:")
    assert panel.score_label.text() == "–"
    assert "The stroke went down" not in panel.reasons_text()
    assert "press, move, release" in panel.reasons_text()
    assert panel.live_label.text() == ""
    assert not panel.replay_button.isEnabled()


def test_after_clear_trace_there_is_nothing_to_replay(
    overlay: PracticeOverlay,
    panel: PracticeFeedbackPanel,
    view: BackDiagramView,
    fake_clock: FakeClock,
) -> None:
    mouse_stroke(overlay, view, fake_clock, UP_THE_STRIP, 3.5)
    assert panel.replay_button.isEnabled()
    panel.clear_button.click()
    assert overlay.trace_points() == []
    assert not panel.replay_button.isEnabled()
    mouse_stroke(overlay, view, fake_clock, UP_THE_STRIP, 3.5)
    assert panel.replay_button.isEnabled()


def test_no_line_of_feedback_is_cut_off_in_a_low_panel(
    qtbot: Any,
    overlay: PracticeOverlay,
    panel: PracticeFeedbackPanel,
    view: BackDiagramView,
    controller: SessionController,
    fake_clock: FakeClock,
) -> None:
    # Five reasons and a step score need more lines than the panel's usual height: every
    # label still gets all its lines (the texts scroll), none is squeezed.
    mouse_stroke(overlay, view, fake_clock, DOWN_THE_STRIP, 3.5)
    controller.next_step()
    controller.previous_step()
    mouse_stroke(overlay, view, fake_clock, DOWN_THE_STRIP, 3.5)
    assert len(panel.reasons_text().splitlines()) == 5
    assert panel.step_label.text().startswith("Step 1 score:")
    panel.resize(panel.sizeHint())
    panel.show()
    qtbot.waitExposed(panel)
    for label in (
        panel.ask_label,
        panel.input_label,
        panel.live_label,
        panel.reasons_label,
        panel.step_label,
    ):
        needed = (
            label.heightForWidth(label.width()) if label.wordWrap() else label.sizeHint().height()
        )
        assert label.height() >= needed, label.accessibleName()


def click(
    overlay: PracticeOverlay, view: BackDiagramView, clock: FakeClock, x: float, y: float
) -> None:
    """A plain click with the mouse: press and release on one spot."""
    spot = widget_point(view, x, y)
    QTest.mousePress(overlay, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, spot)
    clock.advance(0.12)
    QTest.mouseRelease(overlay, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, spot)


def test_a_click_is_too_short_to_score(
    overlay: PracticeOverlay,
    panel: PracticeFeedbackPanel,
    view: BackDiagramView,
    controller: SessionController,
    fake_clock: FakeClock,
    recorder: Recorder,
) -> None:
    # A stray click on the strip is no stroke up the back: no score for it, a word on
    # what to do instead, and the step's score does not count it.
    click(overlay, view, fake_clock, LEFT_STRIP_X, 300)
    assert panel.score_label.text() == "–"
    assert panel.reasons_text().splitlines() == [
        "Problem: Too short to score: trace the whole stroke, up towards the head, then release"
    ]
    good = mouse_stroke(overlay, view, fake_clock, UP_THE_STRIP, 3.5)
    assert panel.score_label.text() == str(good.score)
    click(overlay, view, fake_clock, LEFT_STRIP_X, 300)
    controller.next_step()
    assert recorder.scores[0][1] == good.score  # one stroke, no lift, no click
    assert "1 stroke" in recorder.scores[0][2]["detail"]


def test_a_click_on_the_spine_still_says_so(
    overlay: PracticeOverlay,
    panel: PracticeFeedbackPanel,
    view: BackDiagramView,
    fake_clock: FakeClock,
    alerts: list[str],
) -> None:
    click(overlay, view, fake_clock, 200, 300)
    assert alerts == ["beep"]
    assert panel.score_label.text() == "–"
    assert "spine" in panel.reasons_text()


def test_without_a_tablet_the_panel_says_so_and_the_mouse_works(
    qtbot: Any,
    window: MainWindow,
    fake_clock: FakeClock,
) -> None:
    assert not practice_module.pen_found()  # the offscreen platform has no tablet
    window.practice_action.trigger()
    practice = window._practice
    assert practice is not None
    assert practice.panel.input_label.text() == (
        "No pen or drawing tablet found: trace with the mouse or a finger "
        "(pressure is judged only with a pen)"
    )
    assert window.statusBar().currentMessage() == (
        "Practice mode: trace on the diagram (no pen or tablet found)"
    )
    view = window.diagram
    assert isinstance(view, BackDiagramView)
    mouse_stroke(practice.overlay, view, fake_clock, UP_THE_STRIP, 3.5)
    assert practice.panel.input_label.text() == "Mouse — no pressure"


def test_with_a_tablet_the_panel_asks_for_the_pen(
    qtbot: Any, overlay: PracticeOverlay, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(practice_module, "pen_found", lambda: True)
    panel = PracticeFeedbackPanel(overlay)
    qtbot.addWidget(panel)
    assert "Trace with the pen to practise pressure" in panel.input_label.text()


def test_a_stroke_cut_short_by_the_next_step_counts_for_its_step(
    overlay: PracticeOverlay,
    view: BackDiagramView,
    controller: SessionController,
    fake_clock: FakeClock,
    recorder: Recorder,
) -> None:
    # The session moves on by itself while the hand is still down: the stroke traced so
    # far is not lost.
    points = UP_THE_STRIP
    dt = seconds_for(points, 3.5)
    QTest.mousePress(
        overlay,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        widget_point(view, *_xy(points[0])),
    )
    for point in points[1:40]:
        fake_clock.advance(dt)
        QTest.mouseMove(overlay, widget_point(view, *_xy(point)))
    controller.next_step()
    assert not overlay.is_stroking()
    assert len(recorder.scores) == 1
    technique_id, score, extra = recorder.scores[0]
    assert technique_id == controller.step(0).technique
    assert extra["step_index"] == 0
    assert "1 stroke" in extra["detail"]
    assert score >= 80
    QTest.mouseRelease(
        overlay,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        widget_point(view, *_xy(points[40])),
    )
    assert overlay.practice_step() == 1
    assert overlay.trace_points() == []


def test_replay_and_clear_have_keys_while_practising(
    qtbot: Any, window: MainWindow, fake_clock: FakeClock
) -> None:
    window.preferences.set_reduced_motion(False)
    qtbot.keyClick(window.step_list, Qt.Key.Key_T)
    practice = window._practice
    assert practice is not None
    overlay, panel = practice.overlay, practice.panel
    assert panel.replay_button.text() == "Replay (Ctrl+R)"
    assert panel.clear_button.text() == "Clear trace (Del)"
    view = window.diagram
    assert isinstance(view, BackDiagramView)
    mouse_stroke(overlay, view, fake_clock, UP_THE_STRIP, 3.5)
    fake_clock.advance(30)
    overlay.tick_replay()
    assert not overlay.is_replaying()
    qtbot.keyClick(window.step_list, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert overlay.is_replaying()
    assert window.controller.current_index == 0  # not R, "restart the step"
    qtbot.keyClick(window.step_list, Qt.Key.Key_Delete)
    assert overlay.trace_points() == []
    assert not overlay.is_replaying()
    # Practice mode off: the keys do nothing.
    qtbot.keyClick(window.step_list, Qt.Key.Key_T)
    assert not practice.replay_action.isEnabled()
    assert not practice.clear_action.isEnabled()


def test_the_live_figures_give_way_to_the_reasons_on_release(
    overlay: PracticeOverlay,
    panel: PracticeFeedbackPanel,
    view: BackDiagramView,
    fake_clock: FakeClock,
) -> None:
    # While drawing, the panel shows the live figures; once released, only the reasons
    # judge the stroke (the speed of its last half second is not its speed).
    points = UP_THE_STRIP
    QTest.mousePress(
        overlay,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        widget_point(view, *_xy(points[0])),
    )
    dt = seconds_for(points, 3.5)
    for point in points[1:30]:
        fake_clock.advance(dt)
        QTest.mouseMove(overlay, widget_point(view, *_xy(point)))
    assert "On the zones: 100 %" in panel.live_label.text()
    assert "Speed" in panel.live_label.text()
    assert not panel.live_label.isHidden()
    for point in points[30:]:
        fake_clock.advance(dt)
        QTest.mouseMove(overlay, widget_point(view, *_xy(point)))
    QTest.mouseRelease(
        overlay,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        widget_point(view, *_xy(points[-1])),
    )
    assert panel.live_label.text() == ""
    assert panel.live_label.isHidden()
    assert "cm/s" in panel.reasons_text()


def test_before_a_stroke_the_box_on_the_diagram_only_says_which_way(
    overlay: PracticeOverlay, panel: PracticeFeedbackPanel
) -> None:
    # The full request, with every zone, is in the panel; on the diagram a box that long
    # covered the zones on the receiver's left.
    assert overlay.hud_lines() == [("Trace: up towards the head", "")]
    assert "lower back" in panel.ask_label.text().lower()
