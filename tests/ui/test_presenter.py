"""Presenter mode driven by clicker keys; manual mode; blanking; the choice of screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtGui import QGuiApplication, QTextDocumentFragment

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.session import FakeClock, SessionState, StepStatus
from massage_trainer.ui.controller import SessionController
from massage_trainer.ui.preferences import Preferences
from massage_trainer.ui.presenter import (
    KEY_HELP,
    SCREEN_KEY,
    PresenterWindow,
    ScreenChoiceDialog,
    pick_presenter_screen,
)

ROUTINE = "classic-home"


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def controller(library: ContentLibrary, fake_clock: FakeClock) -> SessionController:
    controller = SessionController(library, fake_clock, get_ready_s=0.0)
    controller.load_routine(ROUTINE)
    return controller


@pytest.fixture
def presenter(qtbot: Any, controller: SessionController, settings: QSettings) -> PresenterWindow:
    window = PresenterWindow(controller, Preferences(settings), settings)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    return window


def technique_name(controller: SessionController, index: int) -> str:
    return controller.technique_for_step(index).name


def test_page_down_and_page_up_step_through(
    qtbot: Any, presenter: PresenterWindow, controller: SessionController
) -> None:
    assert presenter.title_label.text() == technique_name(controller, 0)
    qtbot.keyClick(presenter, Qt.Key.Key_PageDown)
    assert controller.current_index == 1
    assert presenter.step_label.text() == f"Step 2 of {controller.step_count}"
    assert presenter.title_label.text() == technique_name(controller, 1)
    assert presenter.next_label.text() == f"Next: {controller.describe_step(2)}"
    qtbot.keyClick(presenter, Qt.Key.Key_Right)
    qtbot.keyClick(presenter, Qt.Key.Key_Down)
    assert controller.current_index == 3
    qtbot.keyClick(presenter, Qt.Key.Key_PageUp)
    assert controller.current_index == 2
    qtbot.keyClick(presenter, Qt.Key.Key_Left)
    qtbot.keyClick(presenter, Qt.Key.Key_Up)
    assert controller.current_index == 0
    assert presenter.title_label.text() == technique_name(controller, 0)


def test_space_starts_and_pauses(
    qtbot: Any, presenter: PresenterWindow, controller: SessionController, fake_clock: FakeClock
) -> None:
    qtbot.keyClick(presenter, Qt.Key.Key_Space)
    assert controller.state() is SessionState.RUNNING
    fake_clock.advance(10)
    controller.tick()
    budget = controller.step(0).duration_s
    assert presenter.ring.time_text == f"{(budget - 10) // 60}:{(budget - 10) % 60:02d}"
    qtbot.keyClick(presenter, Qt.Key.Key_Space)
    assert controller.state() is SessionState.PAUSED
    assert presenter.ring.caption == "paused"


def test_b_blanks_and_shows_again(qtbot: Any, presenter: PresenterWindow) -> None:
    assert presenter.content.isVisible()
    with qtbot.waitSignal(presenter.blanked_changed) as signal:
        qtbot.keyClick(presenter, Qt.Key.Key_B)
    assert signal.args == [True]
    assert presenter.blanked
    assert not presenter.content.isVisible()
    assert presenter.blank_page.isVisible()
    assert presenter.grab().toImage().pixelColor(400, 300).name() == "#000000"
    qtbot.keyClick(presenter, Qt.Key.Key_B)
    assert not presenter.blanked
    assert presenter.content.isVisible()
    qtbot.keyClick(presenter, Qt.Key.Key_Period)  # what many clickers send for "blank"
    assert presenter.blanked


def test_escape_leaves(qtbot: Any, presenter: PresenterWindow) -> None:
    qtbot.keyClick(presenter, Qt.Key.Key_B)
    with qtbot.waitSignal(presenter.closed):
        qtbot.keyClick(presenter, Qt.Key.Key_Escape)
    assert not presenter.isVisible()
    assert not presenter.blanked  # the next time it opens, it shows the step


def test_manual_mode_hides_the_timer_and_stops_auto_advance(
    qtbot: Any, presenter: PresenterWindow, controller: SessionController, fake_clock: FakeClock
) -> None:
    snapshot = controller.snapshot()
    assert snapshot is not None
    assert snapshot.auto_advance
    assert presenter.timer_visible
    qtbot.keyClick(presenter, Qt.Key.Key_M)
    assert presenter.manual_mode
    assert not presenter.timer_visible
    assert "Manual" in presenter.mode_label.text()
    snapshot = controller.snapshot()
    assert snapshot is not None
    assert not snapshot.auto_advance

    qtbot.keyClick(presenter, Qt.Key.Key_Space)
    fake_clock.advance(controller.step(0).duration_s + 30)
    controller.tick()
    assert controller.current_index == 0  # time is up, but the step waits for the clicker
    qtbot.keyClick(presenter, Qt.Key.Key_PageDown)
    assert controller.current_index == 1

    qtbot.keyClick(presenter, Qt.Key.Key_T)  # the timer is optional, not gone
    assert presenter.timer_visible
    qtbot.keyClick(presenter, Qt.Key.Key_M)
    assert not presenter.manual_mode
    snapshot = controller.snapshot()
    assert snapshot is not None
    assert snapshot.auto_advance


def test_leaving_in_manual_mode_gives_auto_advance_back(
    qtbot: Any, presenter: PresenterWindow, controller: SessionController
) -> None:
    qtbot.keyClick(presenter, Qt.Key.Key_M)
    qtbot.keyClick(presenter, Qt.Key.Key_Escape)
    snapshot = controller.snapshot()
    assert snapshot is not None
    assert snapshot.auto_advance
    assert not presenter.manual_mode


def test_follows_the_controls_in_the_main_window(
    presenter: PresenterWindow, controller: SessionController, library: ContentLibrary
) -> None:
    from massage_trainer.ui.diagram import BackDiagramView

    controller.select_step(4)
    assert presenter.step_label.text() == f"Step 5 of {controller.step_count}"
    assert isinstance(presenter.diagram, BackDiagramView)
    assert set(presenter.diagram.highlighted_zones()) == set(controller.step(4).zones)
    assert presenter.instruction_label.text() == controller.step(4).instruction
    statuses = [status for _rect, status in presenter.progress.segments()]
    assert len(statuses) == controller.step_count
    assert statuses[4] is StepStatus.CURRENT
    controller.load_routine("lower-back-relief")
    assert presenter.routine_label.text() == library.routines["lower-back-relief"].title
    assert len(presenter.progress.segments()) == len(library.routines["lower-back-relief"].steps)
    for label in (presenter.title_label, presenter.instruction_label, presenter.cautions_label):
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_a_long_step_is_fitted_into_the_screen(
    presenter: PresenterWindow, controller: SessionController
) -> None:
    presenter.resize(1920, 1080)
    longest = max(
        range(controller.step_count),
        key=lambda i: (
            len(controller.step(i).instruction) + sum(map(len, controller.step(i).cautions))
        ),
    )
    controller.select_step(longest)
    assert presenter._text_height() <= presenter._text_room()[1]


# -- screens --------------------------------------------------------------------------


def test_with_one_screen_it_falls_back_and_says_so(
    qtbot: Any, controller: SessionController, settings: QSettings
) -> None:
    assert len(QGuiApplication.screens()) == 1
    settings.setValue(SCREEN_KEY, "HDMI-9")  # chosen last week, on another setup
    window = PresenterWindow(controller, Preferences(settings), settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.status_message) as signal:
        screen = window.present()
    assert screen is QGuiApplication.screens()[0]
    assert window.isVisible()
    message = signal.args[0]
    assert "HDMI-9" in message
    assert "not connected" in message
    assert "Only one screen" in message
    assert window.footer_label.text() == message
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert controller.current_index == 1
    window.close()
    assert window.footer_label.text() in {message, KEY_HELP}


class FakeScreen:
    def __init__(self, name: str) -> None:
        self._name = name

    def name(self) -> str:
        return self._name

    def geometry(self) -> QRect:
        return QRect(0, 0, 1920, 1080)


def test_with_two_screens_the_presenter_takes_the_other_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    laptop: Any = FakeScreen("eDP-1")
    projector: Any = FakeScreen("HDMI-1")
    monkeypatch.setattr(QGuiApplication, "screens", staticmethod(lambda: [laptop, projector]))
    monkeypatch.setattr(QGuiApplication, "primaryScreen", staticmethod(lambda: laptop))
    screen, note = pick_presenter_screen(None, laptop)
    assert screen is projector
    assert "HDMI-1" in note
    screen, note = pick_presenter_screen("eDP-1", laptop)
    assert screen is laptop  # what the instructor chose, even the controls' screen
    assert note == ""
    screen, note = pick_presenter_screen("DP-3", laptop)
    assert screen is projector
    assert "DP-3" in note


def test_the_screen_choice_is_remembered(qtbot: Any, settings: QSettings) -> None:
    dialog = ScreenChoiceDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 1 + len(QGuiApplication.screens())
    dialog.list.setCurrentRow(1)
    dialog.accept()
    assert settings.value(SCREEN_KEY) == QGuiApplication.screens()[0].name()
    again = ScreenChoiceDialog(settings)
    qtbot.addWidget(again)
    assert again.list.currentRow() == 1
    again.list.setCurrentRow(0)
    again.accept()
    assert settings.value(SCREEN_KEY) == ""


def test_f5_in_the_main_window_opens_the_presenter_on_the_same_session(
    qtbot: Any, library: ContentLibrary, fake_clock: FakeClock, settings: QSettings
) -> None:
    from PySide6.QtWidgets import QApplication

    from massage_trainer.ui.main_window import MainWindow

    window = MainWindow(library, clock=fake_clock, settings=settings, speech_engine="mock")
    qtbot.addWidget(window)
    window.controller.load_routine(ROUTINE)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    presenter = window._presenter
    assert isinstance(presenter, PresenterWindow)
    assert presenter.isVisible()
    assert presenter.isFullScreen()
    assert "Only one screen" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is presenter, timeout=2000)
    qtbot.keyClick(presenter, Qt.Key.Key_PageDown)
    assert window.controller.current_index == 1
    assert window.step_list.currentIndex().row() == 1
    qtbot.keyClick(presenter, Qt.Key.Key_Escape)
    assert not presenter.isVisible()
    assert window.isVisible()


def test_a_dry_run_says_so(presenter: PresenterWindow, controller: SessionController) -> None:
    assert "Dry run" not in presenter.mode_label.text()
    controller.set_mode("dry-run")
    assert "Dry run" in presenter.mode_label.text()


# -- the keyboard after dialogs, and the session keys ---------------------------------


@pytest.fixture
def presenting(
    qtbot: Any, library: ContentLibrary, fake_clock: FakeClock, settings: QSettings
) -> Any:
    """The main window with the presenter open (F5) and holding the keyboard."""
    from PySide6.QtWidgets import QApplication

    from massage_trainer.ui.main_window import MainWindow

    window = MainWindow(library, clock=fake_clock, settings=settings, speech_engine="mock")
    qtbot.addWidget(window)
    window.preferences.set_chime_enabled(False)
    window.preferences.set_speech_enabled(False)
    window.controller.load_routine(ROUTINE)
    window.show()
    qtbot.waitExposed(window)
    window.presenter_action.trigger()
    presenter = window._presenter
    assert isinstance(presenter, PresenterWindow)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is presenter, timeout=2000)
    return window, presenter


def test_after_the_questions_before_a_start_the_clicker_keys_work_again(
    qtbot: Any, presenting: Any
) -> None:
    from PySide6.QtWidgets import QApplication

    from massage_trainer.ui.start_dialogs import ModeDialog

    window, presenter = presenting
    qtbot.keyClick(presenter, Qt.Key.Key_Space)  # the first start asks who is on the table
    dialog = window.safety_flow.current_dialog
    assert isinstance(dialog, ModeDialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    qtbot.keyClick(dialog, Qt.Key.Key_D)
    assert window.controller.state() is SessionState.RUNNING
    # The dialog belonged to the main window, which was handed the keyboard: the
    # presenter takes it back, so B (and M, T, Esc) still work from the clicker.
    qtbot.waitUntil(lambda: QApplication.activeWindow() is presenter, timeout=2000)
    qtbot.keyClick(presenter, Qt.Key.Key_B)
    assert presenter.blanked
    qtbot.keyClick(presenter, Qt.Key.Key_B)
    qtbot.keyClick(presenter, Qt.Key.Key_Escape)
    assert not presenter.isVisible()


def test_a_click_on_the_main_window_later_keeps_the_keys_there(qtbot: Any, presenting: Any) -> None:
    from PySide6.QtWidgets import QApplication

    window, presenter = presenting
    qtbot.keyClick(presenter, Qt.Key.Key_Space)
    dialog = window.safety_flow.current_dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    qtbot.keyClick(dialog, Qt.Key.Key_D)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is presenter, timeout=2000)
    QApplication.processEvents()  # the moment after the dialog is over
    window.activateWindow()  # the instructor clicks the controls on the laptop screen
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    QApplication.processEvents()
    assert QApplication.activeWindow() is window


def test_p_reports_pain_from_the_presenter_and_the_keys_come_back(
    qtbot: Any, presenting: Any, fake_clock: FakeClock
) -> None:
    from PySide6.QtWidgets import QApplication

    from massage_trainer.ui.safety_view import PainDialog

    window, presenter = presenting
    controller = window.controller
    controller.set_start_gate(None)  # the questions before a start are tested elsewhere
    controller.set_mode("partner")
    controller.start()
    fake_clock.advance(20)
    controller.tick()
    qtbot.keyClick(presenter, Qt.Key.Key_P)
    assert controller.state() is SessionState.PAUSED
    assert len(controller.pain_reports()) == 1
    dialog = window.safety_flow.current_dialog
    assert isinstance(dialog, PainDialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    qtbot.keyClick(dialog, Qt.Key.Key_C)  # continue lighter
    assert controller.state() is SessionState.RUNNING
    qtbot.waitUntil(lambda: QApplication.activeWindow() is presenter, timeout=2000)
    qtbot.keyClick(presenter, Qt.Key.Key_PageDown)
    assert controller.current_index == 1


def test_r_plus_and_minus_work_in_the_presenter_as_in_the_main_window(
    qtbot: Any, presenter: PresenterWindow, controller: SessionController, fake_clock: FakeClock
) -> None:
    budget = controller.step(0).duration_s
    qtbot.keyClick(presenter, Qt.Key.Key_Space)
    fake_clock.advance(10)
    controller.tick()
    qtbot.keyClick(presenter, Qt.Key.Key_Plus)
    assert controller.remaining_seconds() == budget - 10 + 30
    qtbot.keyClick(presenter, Qt.Key.Key_Minus)
    qtbot.keyClick(presenter, Qt.Key.Key_Minus)
    assert controller.remaining_seconds() == budget - 10 - 30
    qtbot.keyClick(presenter, Qt.Key.Key_R)
    assert controller.remaining_seconds() == budget
    assert presenter.ring.time_text == f"{budget // 60}:{budget % 60:02d}"


def test_a_blanked_screen_comes_back_with_a_step_key_and_shows_no_pointer(
    qtbot: Any, presenter: PresenterWindow, controller: SessionController
) -> None:
    qtbot.keyClick(presenter, Qt.Key.Key_B)
    assert presenter.blank_page.cursor().shape() == Qt.CursorShape.BlankCursor
    qtbot.keyClick(presenter, Qt.Key.Key_PageDown)
    # The step moved on and the class sees it, rather than a change behind a black screen.
    assert controller.current_index == 1
    assert not presenter.blanked
    assert presenter.content.isVisible()
    qtbot.keyClick(presenter, Qt.Key.Key_Period)
    qtbot.keyClick(presenter, Qt.Key.Key_M)  # not a step key: the screen stays black
    assert presenter.blanked


def test_the_routine_strip_names_steps_where_they_fit_and_numbers_every_one(
    qtbot: Any, presenter: PresenterWindow, controller: SessionController
) -> None:
    for routine in ("professional-classic", "beginner-20"):
        controller.load_routine(routine)
        for size in ((1024, 768), (1920, 1080)):
            presenter.resize(*size)
            qtbot.waitUntil(
                lambda width=size[0] - 80: presenter.progress.width() == width, timeout=2000
            )
            labels = presenter.progress.labels()
            # Every step can be counted from the back of the room, the short ones too.
            assert [label.split()[0] for label in labels] == [
                str(n) for n in range(1, controller.step_count + 1)
            ]
    # On a wide screen the long steps say what they are.
    named = [n for n in range(controller.step_count) if len(labels[n].split()) > 1]
    assert named
    for n in named:
        assert labels[n] == f"{n + 1}  {technique_name(controller, n)}"


def test_skipped_steps_are_hollow_on_the_strip(
    qtbot: Any, presenter: PresenterWindow, controller: SessionController
) -> None:
    qtbot.keyClick(presenter, Qt.Key.Key_Space)
    qtbot.keyClick(presenter, Qt.Key.Key_PageDown)
    qtbot.keyClick(presenter, Qt.Key.Key_PageDown)
    strip = presenter.progress
    (skipped, skipped_status), (_rect, _status), (pending, pending_status) = strip.segments()[1:4]
    assert skipped_status is StepStatus.SKIPPED
    assert pending_status is StepStatus.PENDING
    image = strip.grab().toImage()

    def colour_inside(rect: Any) -> str:
        # Near the left end, inside the outline and clear of the label.
        return str(image.pixelColor(int(rect.left() + 8), int(rect.center().y())).name())

    assert colour_inside(pending) == "#3a444e"
    assert colour_inside(skipped) == presenter.palette().window().color().name()


def test_nothing_is_cut_off_when_the_screen_gets_smaller_or_the_title_is_long(
    qtbot: Any, presenter: PresenterWindow, controller: SessionController, library: ContentLibrary
) -> None:
    import dataclasses

    routine = library.routines[ROUTINE]
    long_title = "Back massage for the Tuesday evening class, " * 4 + "week three"
    assert len(long_title) <= 200  # as long as a routine's title may be
    renamed = routine.model_copy(update={"title": long_title})
    controller.set_library(
        dataclasses.replace(library, routines={**library.routines, ROUTINE: renamed})
    )
    controller.load_routine(ROUTINE)
    controller.set_mode("dry-run")
    title = presenter.routine_label
    # Presenting on a 1920 × 1080 screen, then on a 1024 × 768 projector.
    for width, height in ((1920, 1080), (1024, 768)):
        presenter.resize(width, height)
        qtbot.waitUntil(lambda width=width: presenter.width() == width, timeout=2000)
        assert presenter.height() == height
        # Once laid out for the new size, the ring and the mode are whole on the screen.
        qtbot.waitUntil(
            lambda width=width: (
                presenter.ring.geometry().right() < width
                and presenter.ring.height() > 0.2 * presenter.height()
            ),
            timeout=2000,
        )
        assert presenter.mode_label.geometry().right() < width
        assert title.text().endswith("…")
        qtbot.waitUntil(
            lambda: title.fontMetrics().horizontalAdvance(title.text()) <= title.width(),
            timeout=2000,
        )
        # The whole title in the tip, as plain text (it may come from a shared file).
        tip = QTextDocumentFragment.fromHtml(title.toolTip()).toPlainText()
        assert tip.replace("\xa0", " ") == long_title
        assert presenter.mode_label.text() == "Dry run"


def test_a_session_ended_early_says_so_instead_of_naming_a_next_step(
    qtbot: Any, presenter: PresenterWindow, controller: SessionController
) -> None:
    qtbot.keyClick(presenter, Qt.Key.Key_Space)
    controller.finish()  # Finish session, at the controls, during the first step
    assert presenter.next_label.text() == "The routine is over. Rest, then aftercare."
    assert presenter.ring.caption == "ended early"
    qtbot.keyClick(presenter, Qt.Key.Key_Space)  # starts the routine over
    assert presenter.next_label.text() == f"Next: {controller.describe_step(1)}"


def test_a_dry_run_ends_without_aftercare_for_no_one(
    qtbot: Any, presenter: PresenterWindow, controller: SessionController
) -> None:
    controller.set_mode("dry-run")
    qtbot.keyClick(presenter, Qt.Key.Key_Space)
    controller.finish()
    assert presenter.next_label.text() == "The routine is over."
