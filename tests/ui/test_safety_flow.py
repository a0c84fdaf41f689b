"""The safety steps around a session, walked through the real main window.

Who is on the table, the health questions (a "yes" blocks, an all-clear goes on), the
preparation checklist, the dry run, check-ins, a pain report and the aftercare. The
dialogs open with ``open()``, so the tests answer them directly; the clock is fake.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QPushButton

from massage_trainer.domain.content import ContentLibrary, load_library, preparation_items
from massage_trainer.domain.history import HistoryStore
from massage_trainer.domain.paths import user_data_dir
from massage_trainer.domain.screening import SessionMode
from massage_trainer.domain.session import FakeClock, SessionState
from massage_trainer.ui.controller import CHECK_IN_SHOW_S, GET_READY_S, SessionController
from massage_trainer.ui.main_window import MainWindow
from massage_trainer.ui.routine_picker import REFUSED_GROUP, RoutinePicker
from massage_trainer.ui.safety_view import AftercareDialog, PainDialog
from massage_trainer.ui.start_dialogs import (
    BlockedDialog,
    ChecklistDialog,
    ModeDialog,
    ScreeningDialog,
    ScreeningReviewDialog,
)
from massage_trainer.ui.timer_panel import DRY_RUN_TEXT

ROUTINE = "classic-home"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    history = HistoryStore(tmp_path / "history.sqlite3")
    yield history
    history.close()


@pytest.fixture
def window(
    qtbot: Any, library: ContentLibrary, fake_clock: FakeClock, tmp_path: Path, store: HistoryStore
) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(
        library, clock=fake_clock, settings=settings, speech_engine="mock", history=store
    )
    qtbot.addWidget(window)
    window.preferences.set_chime_enabled(False)
    window.preferences.set_speech_enabled(False)
    window.controller.load_routine(ROUTINE)
    window.show()
    qtbot.waitExposed(window)
    return window


def current(window: MainWindow) -> Any:
    return window.safety_flow.current_dialog


def choose_mode(window: MainWindow, qtbot: Any, key: Qt.Key) -> None:
    window.start_pause_action.trigger()
    dialog = current(window)
    assert isinstance(dialog, ModeDialog)
    qtbot.keyClick(dialog, key)


def answer_all_no(window: MainWindow, *, yes: tuple[str, ...] = ()) -> ScreeningDialog:
    dialog = current(window)
    assert isinstance(dialog, ScreeningDialog)
    for item in dialog.questions():
        dialog.set_answer(item.id, item.id in yes)
    dialog.continue_button.click()
    return dialog


def start_on_partner(window: MainWindow, qtbot: Any) -> None:
    """Choose a partner, answer every question no, and start from the checklist."""
    choose_mode(window, qtbot, Qt.Key.Key_P)
    answer_all_no(window)
    checklist = current(window)
    assert isinstance(checklist, ChecklistDialog)
    checklist.start_button.click()


def run_to(controller: SessionController, clock: FakeClock, seconds: float) -> None:
    """Move the fake clock in one-second wake-ups, as the real timer would."""
    whole, rest = divmod(seconds, 1.0)
    for _ in range(int(whole)):
        clock.advance(1.0)
        controller.tick()
    clock.advance(rest)
    controller.tick()


# -- who is on the table ------------------------------------------------------------


def test_the_first_start_asks_who_is_on_the_table_and_cancel_starts_nothing(
    qtbot: Any, window: MainWindow
) -> None:
    window.start_pause_action.trigger()
    dialog = current(window)
    assert isinstance(dialog, ModeDialog)
    assert window.controller.state() is SessionState.READY
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert current(window) is None
    assert window.controller.state() is SessionState.READY
    assert not window.controller.mode_chosen


def test_the_mode_dialog_works_with_arrows_and_enter(qtbot: Any, window: MainWindow) -> None:
    window.start_pause_action.trigger()
    dialog = current(window)
    assert isinstance(dialog, ModeDialog)
    assert dialog.focusWidget() is dialog.partner_button  # the safer assumption first
    qtbot.keyClick(dialog, Qt.Key.Key_Down)
    assert dialog.focusWidget() is dialog.dry_run_button
    qtbot.keyClick(dialog.dry_run_button, Qt.Key.Key_Return)
    assert window.controller.mode is SessionMode.DRY_RUN
    assert window.controller.state() is SessionState.RUNNING


# -- the partner path -----------------------------------------------------------------


def test_a_yes_stops_the_session_with_a_kind_explanation(
    qtbot: Any, window: MainWindow, library: ContentLibrary
) -> None:
    choose_mode(window, qtbot, Qt.Key.Key_P)
    fever = library.safety.contraindications[
        [c.id for c in library.safety.contraindications].index("fever")
    ]
    answer_all_no(window, yes=("fever",))

    blocked = current(window)
    assert isinstance(blocked, BlockedDialog)
    assert window.controller.state() is SessionState.READY
    text = blocked.plain_text()
    assert fever.name in text
    assert fever.reason in text
    assert fever.advice in text
    assert "doctor" in text.lower()
    # Nothing to click through: the only button closes the explanation.
    buttons = [b for b in blocked.findChildren(QPushButton) if b.isVisible()]
    assert [b.text().replace("&", "") for b in buttons] == ["Close"]

    blocked.reject()
    assert window.controller.state() is SessionState.READY
    assert window.safety_flow.last_screening is not None
    assert not window.safety_flow.last_screening.outcome.cleared

    # Pressing Start again asks who is on the table, so the dry run the explanation
    # suggests can be chosen; a partner gets every question again, with no way round.
    assert "choose Dry run (D)" in text
    choose_mode(window, qtbot, Qt.Key.Key_P)
    again = current(window)
    assert isinstance(again, ScreeningDialog)
    assert again.same_partner_button is None
    assert again.answers() == {}
    again.reject()
    choose_mode(window, qtbot, Qt.Key.Key_D)
    assert current(window) is None
    assert window.controller.dry_run
    assert window.controller.state() is SessionState.RUNNING


def test_starting_a_dry_run_over_asks_again_who_is_on_the_table(
    qtbot: Any, window: MainWindow
) -> None:
    # Someone may be lying on the table by now: a dry run skips every check, so a new
    # start of it asks again, with the dry run as the choice Enter keeps.
    choose_mode(window, qtbot, Qt.Key.Key_D)
    window.controller.finish()
    window.controller.reset()
    window.start_pause_action.trigger()
    dialog = current(window)
    assert isinstance(dialog, ModeDialog)
    assert dialog.dry_run_button.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_P)
    assert isinstance(current(window), ScreeningDialog)
    assert not window.controller.dry_run


def test_screening_has_no_default_answer_and_continue_waits_for_all(
    qtbot: Any, window: MainWindow, library: ContentLibrary
) -> None:
    choose_mode(window, qtbot, Qt.Key.Key_P)
    dialog = current(window)
    assert isinstance(dialog, ScreeningDialog)
    items = dialog.questions()  # in the order shown: grouped
    assert sorted(c.id for c in items) == sorted(c.id for c in library.safety.contraindications)
    groups = [c.group for c in items]
    assert all(groups.index(g) == i or groups[i - 1] == g for i, g in enumerate(groups))
    assert dialog.answers() == {}
    assert not dialog.continue_button.isEnabled()
    assert f"0 of {len(items)}" in dialog.status_label.text()

    # N answers the focused question and moves on; Y answers yes.
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_N)
    assert dialog.answers() == {items[0].id: False}
    assert dialog.focusWidget() is dialog.radio(items[1].id, True)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Y)
    assert dialog.answers()[items[1].id] is True
    for _ in items[2:]:
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_N)
    assert dialog.continue_button.isEnabled()
    assert "yes" in dialog.status_label.text()
    dialog.continue_button.click()
    assert isinstance(current(window), BlockedDialog)
    assert window.controller.state() is SessionState.READY


def test_up_and_down_go_back_to_a_question_to_change_its_answer(
    qtbot: Any, window: MainWindow
) -> None:
    choose_mode(window, qtbot, Qt.Key.Key_P)
    dialog = current(window)
    assert isinstance(dialog, ScreeningDialog)
    items = dialog.questions()
    for _ in items[:3]:
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_N)
    # The second answer was wrong: Up twice reaches it, Y puts it right.
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Up)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Up)
    assert dialog.focusWidget() is dialog.radio(items[1].id, False)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Y)
    assert dialog.answers() == {items[0].id: False, items[1].id: True, items[2].id: False}
    # Y moved on to the next unanswered question; Down and Up step one at a time.
    assert dialog.focusWidget() is dialog.radio(items[3].id, True)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Down)
    assert dialog.focusWidget() is dialog.radio(items[4].id, True)
    assert len(dialog.answers()) == 3  # moving answers nothing
    intro = dialog.findChild(QLabel, "screeningIntro")
    assert intro is not None
    assert "\u2191" in intro.text()


def test_an_all_clear_leads_to_the_checklist_and_then_the_session_runs(
    qtbot: Any,
    window: MainWindow,
    library: ContentLibrary,
    fake_clock: FakeClock,
    store: HistoryStore,
) -> None:
    choose_mode(window, qtbot, Qt.Key.Key_P)
    answer_all_no(window)
    checklist = current(window)
    assert isinstance(checklist, ChecklistDialog)
    assert window.controller.state() is SessionState.READY
    routine = library.routines[ROUTINE]
    assert checklist.item_ids() == routine.preparation
    # The health questions were just answered: that item is ticked already.
    assert checklist.ticked() == {"health-check"}
    assert checklist.unticked_count() == len(routine.preparation) - 1

    # Space ticks the highlighted item, Down moves to the next.
    qtbot.keyClick(checklist.list, Qt.Key.Key_Space)
    qtbot.keyClick(checklist.list, Qt.Key.Key_Down)
    qtbot.keyClick(checklist.list, Qt.Key.Key_Space)
    assert len(checklist.ticked()) == 3
    left = len(routine.preparation) - 3
    assert f"{left} items are not ticked" in checklist.remaining_label.text()
    assert checklist.start_button.isEnabled()  # advice, not a gate
    ticked = checklist.ticked()
    checklist.start_button.click()

    assert window.controller.state() is SessionState.RUNNING
    assert window.controller.mode is SessionMode.PARTNER
    assert not window.timer_panel.dry_run_label.isVisible()
    assert "Dry run" not in window.windowTitle()
    run_to(window.controller, fake_clock, GET_READY_S + 10)
    window.controller.pause()
    assert store.sessions()[0].mode is SessionMode.PARTNER

    # Starting over keeps the screening and the ticks: the checklist comes back ticked.
    window.reset_action.trigger()
    window.start_pause_action.trigger()
    again = current(window)
    assert isinstance(again, ChecklistDialog)
    assert again.ticked() == ticked
    for item_id in again.item_ids():
        again.set_ticked(item_id)
    again.start_button.click()
    assert window.controller.state() is SessionState.RUNNING

    # Everything ticked: the next start goes straight on.
    window.reset_action.trigger()
    window.start_pause_action.trigger()
    assert current(window) is None
    assert window.controller.state() is SessionState.RUNNING


def test_not_yet_in_the_checklist_keeps_the_ticks_and_does_not_start(
    qtbot: Any, window: MainWindow
) -> None:
    choose_mode(window, qtbot, Qt.Key.Key_P)
    answer_all_no(window)
    checklist = current(window)
    assert isinstance(checklist, ChecklistDialog)
    first = checklist.item_ids()[0]
    checklist.set_ticked(first)
    checklist.reject()
    assert window.controller.state() is SessionState.READY
    assert window.safety_flow.ticked(ROUTINE) == {first}


def test_a_new_routine_asks_again_and_offers_the_same_partner_shortcut(
    qtbot: Any, window: MainWindow
) -> None:
    start_on_partner(window, qtbot)
    window.controller.load_routine("lower-back-relief")
    assert not window.controller.mode_chosen
    choose_mode(window, qtbot, Qt.Key.Key_P)
    dialog = current(window)
    assert isinstance(dialog, ScreeningDialog)
    assert dialog.answers() == {}  # still no answer preset
    assert dialog.same_partner_button is not None
    dialog.same_partner_button.click()
    assert window.safety_flow.last_screening is not None
    assert window.safety_flow.last_screening.reused
    assert isinstance(current(window), ChecklistDialog)


# -- answers kept after Cancel ------------------------------------------------------------


def cancel_after_answering(window: MainWindow, qtbot: Any, keys: str) -> ScreeningDialog:
    """Choose a partner, answer with the keys Y and N in ``keys``, then Cancel."""
    choose_mode(window, qtbot, Qt.Key.Key_P)
    dialog = current(window)
    assert isinstance(dialog, ScreeningDialog)
    for key in keys:
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Y if key == "y" else Qt.Key.Key_N)
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    cancel.click()
    assert current(window) is None
    return dialog


def test_cancelled_questions_come_back_with_their_answers_for_the_same_partner(
    qtbot: Any, window: MainWindow
) -> None:
    first = cancel_after_answering(window, qtbot, "nny")
    items = first.questions()
    given = {items[0].id: False, items[1].id: False, items[2].id: True}
    assert window.controller.state() is SessionState.READY

    # Start again: who is on the table now? The same partner keeps the answers.
    window.start_pause_action.trigger()
    mode = current(window)
    assert isinstance(mode, ModeDialog)
    assert mode.partner_button.title_label.text().startswith("The same partner")
    assert "3 answers" in mode.partner_button.description_label.text()
    assert mode.new_partner_button is not None
    assert mode.new_partner_button.isVisible()
    assert mode.focusWidget() is mode.partner_button  # Enter keeps them
    qtbot.keyClick(mode, Qt.Key.Key_P)

    again = current(window)
    assert isinstance(again, ScreeningDialog)
    assert again.answers() == given
    assert again.radio(items[2].id, True).isChecked()
    assert again.radio(items[0].id, False).isChecked()
    # The dialog says so, and the keys go on where the partner stopped.
    assert again.kept_note.isVisible()
    assert "3 answers" in again.kept_label.text()
    assert again.clear_button.isVisible()
    assert f"3 of {len(items)} questions answered" in again.status_label.text()
    assert again.focusWidget() is again.radio(items[3].id, True)
    assert not again.continue_button.isEnabled()  # the rest still need an answer

    # The kept "yes" is the partner's answer: changed after a check, it can clear.
    again.set_answer(items[2].id, False)
    for _ in items[3:]:
        qtbot.keyClick(again.focusWidget(), Qt.Key.Key_N)
    again.continue_button.click()
    assert isinstance(current(window), ChecklistDialog)
    record = window.safety_flow.last_screening
    assert record is not None
    assert record.outcome.cleared


def test_another_partner_gets_every_question_afresh(qtbot: Any, window: MainWindow) -> None:
    # An earlier all-clear, then the questions for another routine cancelled part-way.
    start_on_partner(window, qtbot)
    window.controller.load_routine("lower-back-relief")
    cancel_after_answering(window, qtbot, "nn")

    window.start_pause_action.trigger()
    mode = current(window)
    assert isinstance(mode, ModeDialog)
    assert mode.new_partner_button is not None
    assert "Another partner" in mode.new_partner_button.title_label.text()
    qtbot.keyClick(mode, Qt.Key.Key_A)

    fresh = current(window)
    assert isinstance(fresh, ScreeningDialog)
    assert fresh.answers() == {}
    assert not fresh.kept_note.isVisible()
    # The earlier all-clear was someone else's too: no "same partner" shortcut.
    assert fresh.same_partner_button is None
    assert fresh.focusWidget() is fresh.radio(fresh.questions()[0].id, True)

    # Cancelled with nothing answered, nothing is kept: plain partner choice again.
    fresh.reject()
    window.start_pause_action.trigger()
    mode = current(window)
    assert isinstance(mode, ModeDialog)
    assert mode.new_partner_button is None
    assert mode.partner_button.title_label.text().startswith("On a partner")


def test_clear_answers_takes_the_kept_answers_away(qtbot: Any, window: MainWindow) -> None:
    cancel_after_answering(window, qtbot, "nnnn")
    window.start_pause_action.trigger()
    mode = current(window)
    assert isinstance(mode, ModeDialog)
    qtbot.keyClick(mode, Qt.Key.Key_P)
    dialog = current(window)
    assert isinstance(dialog, ScreeningDialog)
    assert len(dialog.answers()) == 4

    dialog.clear_button.click()
    items = dialog.questions()
    assert dialog.answers() == {}
    assert not any(
        dialog.radio(item.id, yes).isChecked() for item in items for yes in (True, False)
    )
    assert f"0 of {len(items)} questions answered" in dialog.status_label.text()
    assert "cleared" in dialog.kept_label.text()
    assert not dialog.clear_button.isVisible()
    assert dialog.focusWidget() is dialog.radio(items[0].id, True)
    # Y and N work from the first question again.
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_N)
    assert dialog.answers() == {items[0].id: False}


def test_a_finished_round_of_questions_keeps_no_answer(qtbot: Any, window: MainWindow) -> None:
    # Kept answers are for coming back to unfinished questions. Once the questions were
    # finished with a "yes", the next partner answers everything again, with no way round.
    cancel_after_answering(window, qtbot, "nn")
    window.start_pause_action.trigger()
    mode = current(window)
    assert isinstance(mode, ModeDialog)
    qtbot.keyClick(mode, Qt.Key.Key_P)
    answer_all_no(window, yes=("fever",))
    blocked = current(window)
    assert isinstance(blocked, BlockedDialog)
    blocked.reject()

    window.start_pause_action.trigger()
    mode = current(window)
    assert isinstance(mode, ModeDialog)
    assert mode.new_partner_button is None
    qtbot.keyClick(mode, Qt.Key.Key_P)
    again = current(window)
    assert isinstance(again, ScreeningDialog)
    assert again.answers() == {}
    assert not again.kept_note.isVisible()


def test_kept_answers_live_in_memory_for_this_run_of_the_app_only(
    qtbot: Any, window: MainWindow, make_main_window: Any, tmp_path: Path
) -> None:
    first = cancel_after_answering(window, qtbot, "nny")
    answered = [item.id for item in first.questions()[:3]]
    window.close()  # the window saves its settings as the app ends
    window.preferences.settings.sync()
    # Nothing about the answers on disk: not in the settings, nor the history, nor the
    # user's data folder.
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert written
    for path in written:
        data = path.read_bytes()
        for item_id in answered:
            assert item_id.encode() not in data, path.name

    # The next run of the app asks as on a first start: no "same partner", no answer.
    later = make_main_window()
    later.controller.load_routine(ROUTINE)
    later.show()
    qtbot.waitExposed(later)
    choose_mode(later, qtbot, Qt.Key.Key_P)
    fresh = current(later)
    assert isinstance(fresh, ScreeningDialog)
    assert fresh.answers() == {}
    assert not fresh.kept_note.isVisible()


def test_screening_can_be_reviewed_from_the_safety_menu(
    qtbot: Any, window: MainWindow, library: ContentLibrary
) -> None:
    menus = [action.text() for action in window.menuBar().actions()]
    assert "S&afety" in menus
    window.review_screening_action.trigger()
    empty = next(
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, ScreeningReviewDialog) and w.isVisible()
    )
    assert "No health questions" in empty.summary_label.text()
    empty.close()

    choose_mode(window, qtbot, Qt.Key.Key_P)
    answer_all_no(window, yes=("bruises",))
    current(window).reject()
    review = window.safety_flow.review_screening()
    rows = dict(review.rows())
    assert len(rows) == len(library.safety.contraindications)
    bruises = next(c for c in library.safety.contraindications if c.id == "bruises")
    assert rows[bruises.question] == "Yes"
    assert "Bruises" in review.summary_label.text()
    assert not review.tree.editTriggers()  # read-only


def test_review_screening_wraps_long_questions_instead_of_cutting_them(
    qtbot: Any, window: MainWindow
) -> None:
    choose_mode(window, qtbot, Qt.Key.Key_P)
    answer_all_no(window)
    current(window).reject()
    review = window.safety_flow.review_screening()
    review.resize(480, 600)
    qtbot.waitUntil(lambda: review.tree.columnWidth(0) < 420)
    tree = review.tree
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    questions = [item for item in items if item is not None and item.text(1)]
    longest = max(questions, key=lambda item: len(item.text(0)))
    shortest = min(questions, key=lambda item: len(item.text(0)))
    width = tree.fontMetrics().horizontalAdvance(longest.text(0))
    assert width > tree.columnWidth(0)  # it cannot fit on one line
    # Every word is on screen: the row grows to two lines or more.
    line = tree.visualItemRect(shortest).height()
    assert tree.visualItemRect(longest).height() >= 2 * line - 2


# -- the dry run ----------------------------------------------------------------------


def test_a_dry_run_skips_screening_and_says_so_for_its_whole_length(
    qtbot: Any, window: MainWindow, fake_clock: FakeClock, store: HistoryStore
) -> None:
    choose_mode(window, qtbot, Qt.Key.Key_D)
    assert current(window) is None  # no questions, no checklist
    controller = window.controller
    assert controller.state() is SessionState.RUNNING
    assert controller.dry_run
    banner = window.timer_panel.dry_run_label
    assert banner.text() == DRY_RUN_TEXT
    assert not window.pain_action.isEnabled()
    assert not window.timer_panel.pain_button.isVisible()

    routine = controller.routine
    assert routine is not None
    seen_steps = set()
    for _ in range(int(GET_READY_S + routine.total_seconds) + 2):
        fake_clock.advance(1.0)
        controller.tick()
        seen_steps.add(controller.current_index)
        assert banner.isVisible()
        assert "Dry run" in window.windowTitle()
        assert window._mode_label.text() == "Dry run"
        assert window._mode_label.toolTip() == DRY_RUN_TEXT
    assert seen_steps == set(range(len(routine.steps)))
    assert controller.state() is SessionState.FINISHED
    assert banner.isVisible()
    assert store.sessions()[0].mode is SessionMode.DRY_RUN
    aftercare = current(window)
    assert isinstance(aftercare, AftercareDialog)
    assert "Dry run" in aftercare.plain_text()


# -- during the session ------------------------------------------------------------------


def test_a_pain_report_pauses_shows_what_to_do_and_is_recorded(
    qtbot: Any, window: MainWindow, fake_clock: FakeClock, store: HistoryStore
) -> None:
    start_on_partner(window, qtbot)
    controller = window.controller
    run_to(controller, fake_clock, GET_READY_S + 20)
    controller.next_step()
    assert window.pain_action.isEnabled()
    window.step_list.setFocus()
    qtbot.keyClick(window.step_list, Qt.Key.Key_P)

    assert controller.state() is SessionState.PAUSED
    dialog = current(window)
    assert isinstance(dialog, PainDialog)
    steps = dialog.steps_label.text().lower()
    for words in ("lift your hands", "move away from the spot", "stop for today"):
        assert words in steps
    detail = store.session_detail(store.sessions()[0].id)
    assert detail is not None
    assert [p.step_index for p in detail.pain_reports] == [1]
    assert "step 2" in detail.pain_reports[0].note

    dialog.continue_button.click()
    assert controller.state() is SessionState.RUNNING

    # A second report, then stop: the aftercare lists both.
    window.timer_panel.pain_button.click()
    assert controller.state() is SessionState.PAUSED
    dialog = current(window)
    assert isinstance(dialog, PainDialog)
    dialog.stop_button.click()
    assert controller.state() is SessionState.FINISHED
    aftercare = current(window)
    assert isinstance(aftercare, AftercareDialog)
    text = aftercare.plain_text()
    assert "Pain reported: 2 times" in text
    assert store.sessions()[0].pain_reports == 2


def test_closing_the_pain_dialog_leaves_the_session_paused(
    qtbot: Any, window: MainWindow, fake_clock: FakeClock
) -> None:
    start_on_partner(window, qtbot)
    run_to(window.controller, fake_clock, GET_READY_S + 5)
    window.pain_action.trigger()
    dialog = current(window)
    assert isinstance(dialog, PainDialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert current(window) is None
    assert window.controller.state() is SessionState.PAUSED


def test_space_in_the_pain_dialog_keeps_the_session_paused(
    qtbot: Any, window: MainWindow, fake_clock: FakeClock
) -> None:
    # Space is the session's start/pause key: pressed out of habit after a pain report,
    # it must not set the timer running again.
    start_on_partner(window, qtbot)
    run_to(window.controller, fake_clock, GET_READY_S + 5)
    window.pain_action.trigger()
    dialog = current(window)
    assert isinstance(dialog, PainDialog)
    focused = dialog.focusWidget()
    assert focused is dialog.stay_button
    qtbot.keyClick(focused, Qt.Key.Key_Space)
    assert current(window) is None
    assert window.controller.state() is SessionState.PAUSED


@pytest.mark.parametrize(
    ("key", "state"),
    [(Qt.Key.Key_C, SessionState.RUNNING), (Qt.Key.Key_S, SessionState.FINISHED)],
)
def test_the_pain_dialog_answers_single_keys(
    qtbot: Any, window: MainWindow, fake_clock: FakeClock, key: Qt.Key, state: SessionState
) -> None:
    start_on_partner(window, qtbot)
    run_to(window.controller, fake_clock, GET_READY_S + 5)
    window.pain_action.trigger()
    dialog = current(window)
    assert isinstance(dialog, PainDialog)
    assert "[C]" in dialog.continue_button.text()
    assert "[S]" in dialog.stop_button.text()
    qtbot.keyClick(dialog, key)
    assert window.controller.state() is state


def test_pain_key_is_listed_in_the_shortcuts(window: MainWindow) -> None:
    rows = dict(window.shortcuts_dialog().rows())
    assert rows["Partner reports pain"] == "P"


def test_check_in_comes_at_the_planned_time_in_a_partner_session(
    qtbot: Any, window: MainWindow, fake_clock: FakeClock
) -> None:
    controller = window.controller
    check_in = controller.check_ins()[0]
    assert check_in.step == 0
    cues: list[tuple[str, str]] = []
    controller.cue.connect(lambda kind, text: cues.append((kind, text)))
    start_on_partner(window, qtbot)
    run_to(controller, fake_clock, GET_READY_S + check_in.at_s - 1)
    assert controller.check_in_text() == ""
    assert window.timer_panel.check_in_label.isHidden()
    run_to(controller, fake_clock, 1.0)
    assert controller.check_in_text() == check_in.prompt
    assert not window.timer_panel.check_in_label.isHidden()
    assert ("checkin", check_in.prompt) in cues
    # It is a prompt, not a stop: the session runs on, and the prompt goes away.
    assert controller.state() is SessionState.RUNNING
    run_to(controller, fake_clock, CHECK_IN_SHOW_S + 1)
    assert controller.check_in_text() == ""
    assert [kind for kind, _ in cues].count("checkin") == 1


def test_no_check_in_during_a_dry_run(
    qtbot: Any, window: MainWindow, fake_clock: FakeClock
) -> None:
    controller = window.controller
    check_in = controller.check_ins()[0]
    cues: list[str] = []
    controller.cue.connect(lambda kind, _text: cues.append(kind))
    choose_mode(window, qtbot, Qt.Key.Key_D)
    run_to(controller, fake_clock, GET_READY_S + check_in.at_s + 2)
    assert controller.state() is SessionState.RUNNING
    assert controller.check_in_text() == ""
    assert window.timer_panel.check_in_label.isHidden()
    assert "checkin" not in cues


# -- the end ----------------------------------------------------------------------------


def test_the_aftercare_closes_a_partner_session_with_a_summary(
    qtbot: Any, window: MainWindow, library: ContentLibrary, fake_clock: FakeClock
) -> None:
    start_on_partner(window, qtbot)
    controller = window.controller
    run_to(controller, fake_clock, GET_READY_S + 30)
    controller.next_step()  # skip the rest of step 1
    controller.finish()
    dialog = current(window)
    assert isinstance(dialog, AftercareDialog)
    text = dialog.plain_text()
    safety = {item.id: item for item in library.safety.aftercare}
    for item_id in ("lighten-pressure", "opening-strokes", "rest-hands", "cover-warm", "rest-15"):
        assert safety[item_id].title in text
    assert "15 minutes" in text
    routine = library.routines[ROUTINE]
    assert f"of {len(routine.steps)}" in text
    assert "Steps skipped: 1" in text  # step 1, left early
    assert f"Steps not reached (the session ended early): {len(routine.steps) - 1}" in text
    assert "planned" in text
    assert "Pain reported: none" in text


def test_stopping_for_pain_before_the_first_step_still_shows_the_aftercare(
    qtbot: Any, window: MainWindow, fake_clock: FakeClock
) -> None:
    # Pain in the get-ready seconds (hands already on the back), then Stop: the
    # aftercare the Stop button promises comes, with the pain advice.
    start_on_partner(window, qtbot)
    run_to(window.controller, fake_clock, GET_READY_S - 2)
    window.pain_action.trigger()
    dialog = current(window)
    assert isinstance(dialog, PainDialog)
    dialog.stop_button.click()
    assert window.controller.state() is SessionState.FINISHED
    aftercare = current(window)
    assert isinstance(aftercare, AftercareDialog)
    assert "Pain reported: 1 time" in aftercare.plain_text()


def test_the_checklist_can_be_opened_on_its_own(
    window: MainWindow, library: ContentLibrary
) -> None:
    window.checklist_action.trigger()
    dialog = current(window)
    assert isinstance(dialog, ChecklistDialog)
    routine = library.routines[ROUTINE]
    assert dialog.item_ids() == tuple(i.id for i in preparation_items(routine, library.safety))
    dialog.set_ticked(dialog.item_ids()[0])
    dialog.start_button.click()
    assert window.controller.state() is SessionState.READY  # looking is not starting
    assert window.safety_flow.ticked(ROUTINE) == {dialog.item_ids()[0]}


# -- refused routines -------------------------------------------------------------------


def _write_routine_on_the_spine(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    routine = {
        "schema_version": 1,
        "id": "spine-press",
        "title": "Pressing the spine",
        "audience": "home",
        "summary": "A routine that breaks the rules on purpose.",
        "source_notes": "Test data.",
        "steps": [
            {
                "technique": "open-palm-stroking",
                "zones": ["upper-back"],
                "duration_s": 60,
                "pressure": "light",
                "direction": "up",
                "instruction": "Stroke up.",
            },
            {
                "technique": "thumb-circles",
                "zones": ["spine"],
                "duration_s": 60,
                "pressure": "moderate",
                "direction": "circular",
                "instruction": "Circles on the spine.",
            },
            {
                "technique": "open-palm-stroking",
                "zones": ["upper-back"],
                "duration_s": 60,
                "pressure": "light",
                "direction": "up",
                "instruction": "Stroke up.",
            },
        ],
    }
    path = folder / "spine-press.json"
    path.write_text(json.dumps(routine), encoding="utf-8")
    return path


def test_a_routine_with_a_no_go_step_is_refused_with_its_reason_and_cannot_start(
    qtbot: Any, window: MainWindow
) -> None:
    path = _write_routine_on_the_spine(user_data_dir() / "routines")
    window.reload_library()
    library = window.controller.library
    assert "spine-press" not in library.routines
    with pytest.raises(KeyError):
        window.controller.load_routine("spine-press")

    picker = RoutinePicker(library, ROUTINE, window)
    qtbot.addWidget(picker)
    last_heading = picker.tree.topLevelItem(picker.tree.topLevelItemCount() - 1)
    assert last_heading is not None
    assert last_heading.text(0) == REFUSED_GROUP
    refused = picker.refused_items()
    assert [item.text(0) for item in refused] == [path.name]
    assert "step 2: Spine" in refused[0].toolTip(0)
    assert "is a no-go zone" in refused[0].toolTip(0)

    picker.tree.setCurrentItem(refused[0])
    assert picker.selected_routine_id() is None
    assert not picker.buttons.button(QDialogButtonBox.StandardButton.Open).isEnabled()
    assert "cannot be started" in picker.summary.text()
    assert "is a no-go zone" in picker.summary.text()
    qtbot.keyClick(picker.tree, Qt.Key.Key_Return)
    assert picker.result() == 0  # Enter on a refused file opens nothing
    assert window.controller.routine is not None
    assert window.controller.routine.id == ROUTINE


def test_warnings_are_shown_beside_the_routine_but_do_not_block(
    qtbot: Any, tmp_path: Path, library: ContentLibrary
) -> None:
    folder = tmp_path / "own"
    folder.mkdir()
    source = json.loads(
        (Path(__file__).parents[2] / "assets" / "routines" / "lower-back-relief.json").read_text()
    )
    source["id"] = "starts-with-kneading"
    source["title"] = "Starts with kneading"
    source["steps"] = source["steps"][2:]  # opens with kneading: a warning, not an error
    (folder / "warned.json").write_text(json.dumps(source), encoding="utf-8")
    loaded = load_library(user_routines=folder)
    assert "starts-with-kneading" in loaded.routines
    assert loaded.warnings["starts-with-kneading"]

    picker = RoutinePicker(loaded, "starts-with-kneading")
    qtbot.addWidget(picker)
    item = picker.tree.currentItem()
    assert item is not None
    assert picker.selected_routine_id() == "starts-with-kneading"
    assert not item.icon(0).isNull()
    assert "does not open with gentle stroking" in item.toolTip(0)
    assert "Advice" in picker.summary.text()
    assert picker.buttons.button(QDialogButtonBox.StandardButton.Open).isEnabled()


def test_the_diagram_emphasises_the_kidney_areas_during_tapping(window: MainWindow) -> None:
    controller = window.controller
    routine = controller.routine
    assert routine is not None
    tapping = next(i for i, step in enumerate(routine.steps) if step.technique == "tapping")
    controller.select_step(tapping)
    assert {"kidney-left", "kidney-right"} <= set(controller.emphasised_zones())
    emphasised = getattr(window.diagram, "emphasised_zones", None)
    if emphasised is None:
        pytest.skip("the back diagram is not built yet")
    assert {"kidney-left", "kidney-right"} <= set(emphasised())
    controller.select_step(0)
    assert emphasised() == ()


def test_the_health_questions_and_checklist_fit_a_small_screen(
    qtbot: Any, window: MainWindow
) -> None:
    # Their preferred sizes are taller and wider than Qt's 800 x 800 offscreen screen,
    # like a 1024 x 768 projector: Continue and Start must stay on the screen.
    choose_mode(window, qtbot, Qt.Key.Key_P)
    screening = current(window)
    assert isinstance(screening, ScreeningDialog)
    room = screening.screen().availableGeometry()
    assert screening.width() <= room.width()
    assert screening.height() <= room.height()
    answer_all_no(window)
    checklist = current(window)
    assert isinstance(checklist, ChecklistDialog)
    assert checklist.height() <= room.height()
