"""The main window: shortcuts whatever has the focus, the shortcuts list, saved settings."""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QDialogButtonBox, QWidget

from massage_trainer.domain.content import ContentLibrary, LoadProblem
from massage_trainer.domain.history import HistoryStore
from massage_trainer.domain.models import Audience
from massage_trainer.domain.routine_store import RoutineStore
from massage_trainer.domain.screening import SessionMode
from massage_trainer.domain.session import FakeClock, SessionState
from massage_trainer.ui import routine_picker
from massage_trainer.ui.controller import GET_READY_S
from massage_trainer.ui.diagram import BackDiagramView
from massage_trainer.ui.main_window import DEFAULT_SIZE, MainWindow
from massage_trainer.ui.routine_picker import RoutinePicker
from massage_trainer.ui.step_list import StepRole

ROUTINE = "classic-home"


def ini(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def make_window(
    qtbot: Any, library: ContentLibrary, clock: FakeClock, settings: QSettings
) -> MainWindow:
    window = MainWindow(library, clock=clock, settings=settings, speech_engine="mock")
    qtbot.addWidget(window)
    return window


@pytest.fixture
def window(
    qtbot: Any, library: ContentLibrary, fake_clock: FakeClock, tmp_path: Path
) -> MainWindow:
    window = make_window(qtbot, library, fake_clock, ini(tmp_path))
    window.preferences.set_chime_enabled(False)  # keep the tests quiet and quick
    window.preferences.set_speech_enabled(False)
    window.controller.load_routine(ROUTINE)
    # Chosen up front, so Space starts at once instead of asking who is on the table.
    window.controller.set_mode(SessionMode.DRY_RUN)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    return window


def state(window: MainWindow) -> SessionState:
    return window.controller.state()


def index(window: MainWindow) -> int:
    return window.controller.current_index


FOCUS_TARGETS: dict[str, Callable[[MainWindow], QWidget]] = {
    "step list": lambda w: w.step_list,
    "start button": lambda w: w.timer_panel.start_button,
    "auto-advance box": lambda w: w.timer_panel.auto_advance_box,
    "diagram": lambda w: w.diagram,
}


@pytest.mark.parametrize("target", list(FOCUS_TARGETS))
def test_session_keys_work_whatever_has_the_focus(
    qtbot: Any, window: MainWindow, fake_clock: FakeClock, target: str
) -> None:
    widget = FOCUS_TARGETS[target](window)
    widget.setFocus()

    def press(key: Qt.Key) -> None:
        qtbot.keyClick(widget, key)

    press(Qt.Key.Key_Space)
    assert state(window) is SessionState.RUNNING
    press(Qt.Key.Key_Space)
    assert state(window) is SessionState.PAUSED
    press(Qt.Key.Key_Space)
    assert state(window) is SessionState.RUNNING
    fake_clock.advance(GET_READY_S)
    window.controller.tick()

    press(Qt.Key.Key_Right)
    assert index(window) == 1
    press(Qt.Key.Key_PageDown)
    assert index(window) == 2
    press(Qt.Key.Key_Left)
    assert index(window) == 1
    press(Qt.Key.Key_PageUp)
    assert index(window) == 0

    duration = window.controller.step(0).duration_s
    fake_clock.advance(20)
    window.controller.tick()
    assert window.controller.remaining_seconds() == duration - 20
    press(Qt.Key.Key_R)
    assert window.controller.remaining_seconds() == duration
    press(Qt.Key.Key_Plus)
    assert window.controller.remaining_seconds() == duration + 30
    press(Qt.Key.Key_Equal)
    assert window.controller.remaining_seconds() == duration + 60
    press(Qt.Key.Key_Minus)
    assert window.controller.remaining_seconds() == duration + 30
    assert state(window) is SessionState.RUNNING
    # The keys went to the session, not to the focused widget.
    assert window.controller.engine is not None
    assert window.controller.engine.auto_advance is True


def test_space_in_the_step_list_toggles_the_session_once(qtbot: Any, window: MainWindow) -> None:
    window.step_list.setFocus()
    assert window.step_list.hasFocus()
    qtbot.keyClick(window.step_list, Qt.Key.Key_Space)
    assert state(window) is SessionState.RUNNING
    qtbot.keyClick(window.step_list, Qt.Key.Key_Space)
    assert state(window) is SessionState.PAUSED
    # Up and Down still belong to the list: they move the preview, not the session.
    qtbot.keyClick(window.step_list, Qt.Key.Key_Down)
    assert window.controller.preview_index == 1
    assert index(window) == 0


def test_shortcuts_dialog_lists_every_shortcut(window: MainWindow) -> None:
    dialog = window.shortcuts_dialog()
    rows = dict(dialog.rows())
    with_keys = [a for a in window.session_actions() if a.shortcuts()]
    # The window's actions, then the keys of the diagram and of practice mode.
    assert len(rows) == len(with_keys) + 3
    assert rows["Practice mode: replay the last stroke"] == "Ctrl+R"
    assert rows["Practice mode: clear the trace"] == "Del"
    assert "Enter" in rows["Diagram: go from zone to zone, then select one"]
    for action in with_keys:
        label = action.text().replace("&", "").rstrip(".…")
        assert label in rows
        for key in action.shortcuts():
            assert key.toString() in rows[label]
    keys = " | ".join(rows.values())
    for expected in ("Space", "Right", "PgDown", "Left", "PgUp", "R", "+", "=", "-", "F11"):
        assert expected in keys
    assert "Ctrl+O" in keys
    assert "Ctrl+Q" in keys
    dialog.deleteLater()


def test_full_screen_key(qtbot: Any, window: MainWindow) -> None:
    qtbot.keyClick(window.step_list, Qt.Key.Key_F11)
    assert window.windowState() & Qt.WindowState.WindowFullScreen
    assert window.full_screen_action.isChecked()
    qtbot.keyClick(window.step_list, Qt.Key.Key_F11)
    assert not window.windowState() & Qt.WindowState.WindowFullScreen
    qtbot.keyClick(window.step_list, Qt.Key.Key_F11)
    qtbot.keyClick(window.step_list, Qt.Key.Key_Escape)
    assert not window.windowState() & Qt.WindowState.WindowFullScreen
    assert not window.full_screen_action.isChecked()


def test_ctrl_o_chooses_a_routine(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str | None] = []

    def fake_choose(_library: ContentLibrary, current: str | None, _parent: Any) -> str:
        asked.append(current)
        return "lower-back-relief"

    monkeypatch.setattr(routine_picker, "choose_routine", fake_choose)
    qtbot.keyClick(window.step_list, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert asked == [ROUTINE]
    assert window.controller.routine is not None
    assert window.controller.routine.id == "lower-back-relief"
    assert "lower-back-relief" not in window.windowTitle()  # titles, not ids, are shown
    assert window.controller.routine.title in window.windowTitle()


def test_geometry_and_last_routine_are_kept(
    qtbot: Any, library: ContentLibrary, fake_clock: FakeClock, tmp_path: Path
) -> None:
    first = make_window(qtbot, library, fake_clock, ini(tmp_path))
    first.show()
    qtbot.waitExposed(first)
    first.resize(790, 650)  # within the offscreen screen (800 x 800)
    first.controller.load_routine("lower-back-relief")
    first.controller.set_auto_advance(False)
    first.preferences.set_reduced_motion(True)
    first.close()

    second = make_window(qtbot, library, fake_clock, ini(tmp_path))
    second.show()
    qtbot.waitExposed(second)
    assert second.controller.routine is not None
    assert second.controller.routine.id == "lower-back-relief"
    assert (second.width(), second.height()) == (790, 650)
    assert second.controller.engine is not None
    assert second.controller.engine.auto_advance is False
    assert not second.timer_panel.auto_advance_box.isChecked()
    assert second.preferences.reduced_motion
    assert second.reduced_motion_action.isChecked()


def test_view_menu_toggles_preferences(window: MainWindow, tmp_path: Path) -> None:
    window.chime_action.trigger()
    assert window.preferences.chime_enabled is True  # the fixture had switched it off
    window.flash_action.trigger()
    assert window.preferences.flash_enabled is False
    window.settings.sync()
    assert ini(tmp_path).value("preferences/flash") in (False, "false")


def test_unavailable_cues_are_reported_in_the_status_bar(window: MainWindow) -> None:
    window.cue_player.unavailable.emit("Chimes are off: no audio output device was found.")
    window.cue_player.unavailable.emit("Spoken cues are off: no speech engine.")
    message = window.statusBar().currentMessage()
    assert message.startswith("Chimes are off")
    assert "Spoken cues are off" in message
    # However narrow the bar, the whole notice is there on hover; gone with the notice.
    assert window.statusBar().toolTip() == message
    window.statusBar().clearMessage()
    assert window.statusBar().toolTip() == ""


def test_every_focusable_widget_has_an_accessible_name(window: MainWindow) -> None:
    focusable = [
        w
        for w in window.findChildren(QWidget)
        if w.isVisible()
        and w.focusPolicy() != Qt.FocusPolicy.NoFocus
        and w.isEnabled()
        and not w.inherits("QScrollBar")
        and w.parent() is not None
        and not w.objectName().startswith("qt_")
    ]
    assert focusable
    unnamed = [
        w
        for w in focusable
        if not w.accessibleName()
        and not isinstance(w.parent(), QAbstractScrollArea)  # a viewport: named by its view
    ]
    assert unnamed == []


def test_tab_order_runs_from_the_list_through_the_controls(qtbot: Any, window: MainWindow) -> None:
    panel = window.timer_panel
    window.step_list.setFocus()
    visited = []
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    assert visited == [panel.start_button, panel.previous_button, panel.next_button]


def test_routine_picker_groups_by_audience_and_works_by_keyboard(
    qtbot: Any, library: ContentLibrary
) -> None:
    picker = RoutinePicker(library, "classic-home")
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitExposed(picker)
    tree = picker.tree
    headings = [
        item.text(0) for i in range(tree.topLevelItemCount()) if (item := tree.topLevelItem(i))
    ]
    audiences = {routine.audience.label for routine in library.routines.values()}
    assert set(headings) == audiences
    assert headings == [a.label for a in Audience if a.label in audiences]
    assert picker.selected_routine_id() == "classic-home"
    routine = library.routines["classic-home"]
    assert str(len(routine.steps)) in picker.summary.text()
    open_button = picker.buttons.button(QDialogButtonBox.StandardButton.Open)
    assert open_button.isEnabled()

    # Arrow keys walk over the group headings: every stop is a routine.
    qtbot.keyClick(picker.tree, Qt.Key.Key_Home)
    seen = [picker.selected_routine_id()]
    for _ in range(len(library.routines) + 2):
        qtbot.keyClick(picker.tree, Qt.Key.Key_Down)
        seen.append(picker.selected_routine_id())
    assert None not in seen
    assert set(seen) == set(library.routines)
    qtbot.keyClick(picker.tree, Qt.Key.Key_Up)
    chosen = picker.selected_routine_id()
    assert chosen is not None
    qtbot.keyClick(picker.tree, Qt.Key.Key_Return)
    assert picker.result() == picker.DialogCode.Accepted
    assert picker.selected_routine_id() == chosen


def _point_in_zone(diagram: BackDiagramView, zone_id: str) -> QPoint:
    """A widget point that hits ``zone_id`` (searched on a grid over its shape)."""
    path = diagram.zone_path(zone_id)
    assert path is not None
    box = path.boundingRect()
    for i in range(1, 20):
        for j in range(1, 20):
            spot = QPointF(box.left() + box.width() * i / 20, box.top() + box.height() * j / 20)
            point = diagram.map_from_diagram(spot).toPoint()
            if diagram.zone_at(point) == zone_id:
                return point
    raise AssertionError(f"no point hits {zone_id}")


def test_diagram_and_step_list_are_linked_both_ways(qtbot: Any, window: MainWindow) -> None:
    diagram = window.diagram
    assert isinstance(diagram, BackDiagramView)
    controller = window.controller
    model = window.step_list.step_model
    # Step -> zones: the current step's zones are the highlighted ones, after a change too.
    assert set(diagram.highlighted_zones()) == set(controller.step(0).zones)
    qtbot.keyClick(window.step_list, Qt.Key.Key_Space)
    qtbot.keyClick(window.step_list, Qt.Key.Key_Right)
    assert set(diagram.highlighted_zones()) == set(controller.step(1).zones)
    # Zone click -> steps marked in the list.
    zone = controller.step(2).zones[0]
    qtbot.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=_point_in_zone(diagram, zone))
    assert controller.selected_zone() == zone
    marked = {
        row for row in range(model.rowCount()) if model.data(model.index(row), StepRole.ZONE_MATCH)
    }
    assert marked == set(controller.steps_for_zone(zone))
    assert 2 in marked


def test_unsaved_editor_work_is_mentioned_at_start(
    qtbot: Any, library: ContentLibrary, fake_clock: FakeClock, tmp_path: Path
) -> None:
    # The editor left a draft behind (a crash): the window says where to get it back.
    mine = library.routines["beginner-20"].model_copy(
        update={"id": "my-evening-routine", "title": "My evening routine"}
    )
    RoutineStore().save_draft(mine)
    window = make_window(qtbot, library, fake_clock, ini(tmp_path))
    message = window.statusBar().currentMessage()
    assert "“My evening routine”" in message
    assert "Routine editor" in message


def test_no_draft_no_mention(window: MainWindow) -> None:
    assert "draft" not in window.statusBar().currentMessage()


def test_the_first_window_fits_the_screen(
    qtbot: Any, library: ContentLibrary, fake_clock: FakeClock, tmp_path: Path
) -> None:
    # No saved geometry yet: the default size, but never larger than the screen (the
    # offscreen screen is smaller than the default, like a 1024 x 768 projector).
    window = make_window(qtbot, library, fake_clock, ini(tmp_path))
    room = window.screen().availableGeometry()
    assert room.width() < DEFAULT_SIZE[0]
    assert window.width() <= room.width()
    assert window.height() <= room.height()


def test_the_draft_notice_waits_for_an_earlier_start_up_message(
    qtbot: Any, library: ContentLibrary, fake_clock: FakeClock, tmp_path: Path
) -> None:
    # A broken routine file is reported first; the draft notice follows when that
    # message goes, instead of both being squeezed onto one cut-off line.
    mine = library.routines["beginner-20"].model_copy(
        update={"id": "my-evening-routine", "title": "My evening routine"}
    )
    RoutineStore().save_draft(mine)
    broken = LoadProblem("broken.json", "broken.json: not valid JSON")
    with_problem = dataclasses.replace(library, problems=(broken,))
    window = MainWindow(with_problem, clock=fake_clock, settings=ini(tmp_path))
    qtbot.addWidget(window)
    bar = window.statusBar()
    assert "broken.json" in bar.currentMessage()
    assert "My evening routine" not in bar.currentMessage()
    bar.clearMessage()
    assert "“My evening routine”" in bar.currentMessage()


def test_start_up_notices_follow_one_another(
    qtbot: Any, library: ContentLibrary, fake_clock: FakeClock, tmp_path: Path
) -> None:
    # Three things to say at start: each gets the status bar in turn, none is lost.
    settings = ini(tmp_path)
    settings.setValue("session/routine", "a-routine-since-deleted")
    mine = library.routines["beginner-20"].model_copy(
        update={"id": "my-evening-routine", "title": "My evening routine"}
    )
    RoutineStore().save_draft(mine)
    broken = LoadProblem("broken.json", "broken.json: not valid JSON")
    window = MainWindow(
        dataclasses.replace(library, problems=(broken,)), clock=fake_clock, settings=settings
    )
    qtbot.addWidget(window)
    bar = window.statusBar()
    shown = [bar.currentMessage()]
    for _ in range(2):
        bar.clearMessage()
        shown.append(bar.currentMessage())
    assert "a-routine-since-deleted" in shown[0]
    assert "broken.json" in shown[1]
    assert "My evening routine" in shown[2]
    bar.clearMessage()
    assert bar.currentMessage() == ""


def test_a_history_that_saves_nothing_keeps_a_mark_in_the_status_bar(
    qtbot: Any, library: ContentLibrary, fake_clock: FakeClock, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    window = MainWindow(
        library,
        clock=fake_clock,
        settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
        speech_engine="mock",
        history=HistoryStore(blocker / "history.sqlite3"),
    )
    qtbot.addWidget(window)
    window.show()
    mark = window._history_label
    assert mark.isVisible()
    assert mark.text() == "History off: practice is not saved"
    assert mark.toolTip() == window.history_recorder.store.message != ""
    # The notice saying why goes after a while; the mark stays.
    window.statusBar().clearMessage()
    assert mark.isVisible()


def test_a_history_that_stops_saving_mid_session_gets_its_mark_then(
    qtbot: Any, window: MainWindow, fake_clock: FakeClock
) -> None:
    mark = window._history_label
    assert not mark.isVisible()
    controller = window.controller
    controller.set_mode(SessionMode.DRY_RUN)
    controller.start()
    fake_clock.advance(GET_READY_S + 1)
    controller.tick()
    store = window.history_recorder.store
    assert store._connection is not None
    store._connection.execute("PRAGMA query_only = ON")  # the file can no longer be written
    controller.next_step()
    assert mark.isVisible()
    assert mark.text() == "History: view only, nothing new saved"
    assert "not being recorded" in mark.toolTip()


def test_a_missing_sound_device_never_pushes_a_waiting_start_up_notice_aside(
    window: MainWindow,
) -> None:
    bar = window.statusBar()
    bar.showMessage("Message on show", 30000)
    window._notify("A notice waiting its turn", 30000)
    window.cue_player.unavailable.emit("Chimes are off: no audio output device was found.")
    assert bar.currentMessage() == "Message on show"
    bar.clearMessage()
    assert bar.currentMessage() == "A notice waiting its turn"
    bar.clearMessage()
    assert bar.currentMessage().startswith("Chimes are off")
    # A second problem joins the first while it is on show.
    window.cue_player.unavailable.emit("Spoken cues are off: no speech engine.")
    assert "Chimes are off" in bar.currentMessage()
    assert "Spoken cues are off" in bar.currentMessage()


def test_the_csv_from_the_file_menu_names_techniques_and_zones(
    window: MainWindow, fake_clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    controller = window.controller
    controller.set_mode(SessionMode.DRY_RUN)
    controller.start()
    fake_clock.advance(GET_READY_S + 20)
    controller.tick()
    controller.next_step()
    target = tmp_path / "practice.csv"
    monkeypatch.setattr(
        "massage_trainer.ui.history_recorder.QFileDialog.getSaveFileName",
        lambda *_args, **_kwargs: (str(target), "CSV files (*.csv)"),
    )
    window.export_history()
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    routine = controller.routine
    assert routine is not None
    first = routine.steps[0]
    row = next(r for r in rows if r["technique_id"] == first.technique)
    assert row["technique"] == controller.library.technique(first.technique).name
    assert row["zone_names"]


def test_with_the_presenter_open_a_missing_sound_device_is_said_there_too(
    qtbot: Any, window: MainWindow
) -> None:
    window.show_presenter()
    presenter = window._presenter
    assert presenter is not None
    qtbot.waitUntil(presenter.isVisible)
    window.cue_player.unavailable.emit("Chimes are off: no audio output device was found.")
    assert "Chimes are off" in presenter.footer_label.text()
    presenter.close()


def test_every_menu_has_its_own_alt_key(window: MainWindow) -> None:
    titles = [action.text() for action in window.menuBar().actions()]
    keys = [title[title.index("&") + 1].lower() for title in titles if "&" in title]
    assert len(keys) == len(titles)  # every menu can be opened with Alt
    assert len(set(keys)) == len(keys), titles  # and no two share a key
