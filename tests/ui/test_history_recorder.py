"""SessionRecorder: sessions recorded through the real controller, on a fake clock."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.history import HistoryStore, RunState, SessionRow, StoreStatus
from massage_trainer.domain.screening import SessionMode
from massage_trainer.domain.session import FakeClock, SessionState, StepStatus
from massage_trainer.ui.controller import SessionController
from massage_trainer.ui.history_recorder import (
    CHECKPOINT_INTERVAL_S,
    ResumeChoice,
    SessionRecorder,
    check_history_at_start,
    describe_when,
    export_history_csv,
    offer_resume,
)

ROUTINE = "classic-home"
MAX_LOSS_S = 5.0


class WallClock:
    def __init__(self) -> None:
        self.moment = datetime(2025, 3, 10, 19, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
def store(store_path: Path) -> Iterator[HistoryStore]:
    opened = HistoryStore(store_path, now=WallClock())
    yield opened
    opened.close()


@pytest.fixture
def controller(qtbot: Any, library: ContentLibrary, fake_clock: FakeClock) -> SessionController:
    controller = SessionController(library, fake_clock, get_ready_s=0.0)
    controller.load_routine(ROUTINE)
    return controller


@pytest.fixture
def recorder(controller: SessionController, store: HistoryStore) -> SessionRecorder:
    return SessionRecorder(controller, store)


def live(controller: SessionController, clock: FakeClock, seconds: int, recorder: Any) -> None:
    """Let ``seconds`` pass one by one, as the app would: the controller wakes every
    second, and the recorder's timer fires at its interval (by hand: tests never sleep)."""
    interval = round(CHECKPOINT_INTERVAL_S)
    for _ in range(seconds):
        clock.advance(1.0)
        controller.tick()
        recorder.elapsed_since_timer += 1
        if recorder.elapsed_since_timer >= interval and recorder.checkpoint_timer.isActive():
            recorder.elapsed_since_timer = 0
            recorder.checkpoint_timer.timeout.emit()


@pytest.fixture
def timed(recorder: SessionRecorder) -> SessionRecorder:
    recorder.elapsed_since_timer = 0  # type: ignore[attr-defined]
    return recorder


def stored_practice(store: HistoryStore, session_id: int) -> float:
    detail = store.session_detail(session_id)
    assert detail is not None
    return sum(step.actual_s for step in detail.steps)


def test_starting_a_session_records_a_running_row(
    controller: SessionController, recorder: SessionRecorder, store: HistoryStore
) -> None:
    assert store.sessions() == ()
    controller.start()
    assert recorder.session_id is not None
    rows = store.sessions()
    assert len(rows) == 1
    assert rows[0].routine_id == ROUTINE
    assert rows[0].state is RunState.RUNNING
    assert rows[0].mode is SessionMode.PARTNER
    assert recorder.checkpoint_timer.isActive()
    assert recorder.checkpoint_timer.interval() <= MAX_LOSS_S * 1000


def test_a_crash_at_any_moment_loses_at_most_five_seconds(
    controller: SessionController,
    timed: SessionRecorder,
    store: HistoryStore,
    fake_clock: FakeClock,
) -> None:
    controller.start()
    session_id = timed.session_id
    assert session_id is not None
    engine = controller.engine
    assert engine is not None
    for second in range(400):  # across two step changes
        live(controller, fake_clock, 1, timed)
        if second == 250:
            controller.next_step()
        # If the process died now, this is what the next start would find.
        lost = engine.snapshot().total_elapsed_s - stored_practice(store, session_id)
        assert 0.0 <= lost <= MAX_LOSS_S
    assert engine.index == 2


def test_each_step_change_is_written_at_once(
    controller: SessionController, recorder: SessionRecorder, store: HistoryStore
) -> None:
    controller.start()
    controller.next_step()
    controller.next_step()
    row = store.sessions()[0]
    assert row.current_index == 2
    detail = store.session_detail(row.id)
    assert detail is not None
    assert [step.status for step in detail.steps[:3]] == [
        StepStatus.SKIPPED,
        StepStatus.SKIPPED,
        StepStatus.CURRENT,
    ]


def test_pauses_are_recorded(
    controller: SessionController,
    timed: SessionRecorder,
    store: HistoryStore,
    fake_clock: FakeClock,
) -> None:
    controller.start()
    live(controller, fake_clock, 20, timed)
    controller.pause()
    fake_clock.advance(60.0)
    controller.start()
    live(controller, fake_clock, 10, timed)
    timed.checkpoint()
    detail = store.session_detail(store.sessions()[0].id)
    assert detail is not None
    assert len(detail.pauses) == 1
    assert detail.pauses[0].step_index == 0
    assert detail.pauses[0].ended_at is not None
    assert detail.session.actual_s == pytest.approx(30.0)  # the paused minute is not practice


def test_finishing_records_the_outcome_and_stops_the_timer(
    qtbot: Any,
    controller: SessionController,
    timed: SessionRecorder,
    store: HistoryStore,
    fake_clock: FakeClock,
) -> None:
    controller.start()
    live(controller, fake_clock, 200, timed)  # step 1 (180 s) done, 20 s into step 2
    with qtbot.waitSignal(timed.session_recorded, timeout=1000) as emitted:
        controller.finish()
    row = store.sessions()[0]
    assert emitted.args == [row.id]
    assert row.state is RunState.FINISHED
    assert row.ended_at is not None
    assert row.actual_s == pytest.approx(200.0)
    assert row.steps_done == 1  # 20 s of the second step's 90 is less than half
    assert row.steps_skipped == row.step_count - 1
    assert not timed.checkpoint_timer.isActive()
    assert timed.session_id is None


def test_a_whole_routine_played_through_is_finished(
    controller: SessionController,
    timed: SessionRecorder,
    store: HistoryStore,
    fake_clock: FakeClock,
) -> None:
    assert controller.routine is not None
    total = controller.routine.total_seconds
    controller.start()
    live(controller, fake_clock, total + 2, timed)
    assert controller.state() is SessionState.FINISHED
    row = store.sessions()[0]
    assert row.state is RunState.FINISHED
    assert row.steps_done == row.step_count
    assert row.actual_s == pytest.approx(total)


def test_picking_a_step_after_the_finish_continues_the_same_row(
    controller: SessionController,
    timed: SessionRecorder,
    store: HistoryStore,
    fake_clock: FakeClock,
) -> None:
    controller.start()
    live(controller, fake_clock, 30, timed)
    controller.finish()
    controller.select_step(2)  # re-opens the session, paused
    controller.start()
    live(controller, fake_clock, 10, timed)
    rows = store.sessions()
    assert len(rows) == 1
    assert rows[0].state is RunState.RUNNING
    assert rows[0].actual_s == pytest.approx(40.0)


def test_starting_over_or_another_routine_stops_the_session(
    library: ContentLibrary,
    controller: SessionController,
    timed: SessionRecorder,
    store: HistoryStore,
    fake_clock: FakeClock,
) -> None:
    controller.start()
    live(controller, fake_clock, 3, timed)
    fake_clock.advance(0.5)  # time since the last checkpoint is not lost on a reset
    controller.reset()
    controller.start()
    live(controller, fake_clock, 2, timed)
    controller.load_routine("lower-back-relief")
    controller.start()  # and one taken back at once: not listed
    controller.load_routine(ROUTINE)

    rows = store.sessions()
    assert [(row.routine_id, row.state) for row in rows] == [
        (ROUTINE, RunState.STOPPED),
        (ROUTINE, RunState.STOPPED),
    ]
    assert rows[1].actual_s == pytest.approx(3.5)
    assert rows[0].actual_s == pytest.approx(2.0)
    assert store.unfinished_sessions() == ()


def test_closing_the_app_keeps_the_session_as_stopped(
    controller: SessionController,
    recorder: SessionRecorder,
    store: HistoryStore,
    fake_clock: FakeClock,
) -> None:
    controller.start()
    fake_clock.advance(42.0)
    controller.pause()
    recorder.close_session()
    row = store.sessions()[0]
    assert row.state is RunState.STOPPED
    assert row.actual_s == pytest.approx(42.0)
    assert store.unfinished_sessions() == ()


def test_the_mode_is_recorded(
    controller: SessionController, store: HistoryStore, fake_clock: FakeClock
) -> None:
    recorder = SessionRecorder(controller, store, mode=lambda: SessionMode.DRY_RUN)
    controller.start()
    assert recorder.session_id is not None
    assert store.sessions()[0].mode is SessionMode.DRY_RUN


class PainController(SessionController):
    """A controller with the safety flow's pain signal (its real one may carry more)."""

    pain_reported = Signal(str)


def test_pain_reports_are_recorded_with_the_step(
    library: ContentLibrary, store: HistoryStore, fake_clock: FakeClock
) -> None:
    controller = PainController(library, fake_clock, get_ready_s=0.0)
    controller.load_routine(ROUTINE)
    recorder = SessionRecorder(controller, store)
    controller.start()
    controller.next_step()
    controller.pain_reported.emit("a sharp spot")
    recorder.record_score("kneading", 64.0)
    detail = store.session_detail(store.sessions()[0].id)
    assert detail is not None
    assert [(p.step_index, p.note) for p in detail.pain_reports] == [(1, "a sharp spot")]
    assert [(s.technique_id, s.step_index, s.score) for s in detail.scores] == [
        ("kneading", 1, 64.0)
    ]


def test_a_history_failure_is_reported_once_and_the_session_goes_on(
    qtbot: Any,
    controller: SessionController,
    timed: SessionRecorder,
    store: HistoryStore,
    fake_clock: FakeClock,
) -> None:
    controller.start()
    assert store._connection is not None
    store._connection.execute("PRAGMA query_only = ON")  # the file can no longer be written
    notices: list[str] = []
    timed.notice.connect(notices.append)
    live(controller, fake_clock, 30, timed)
    controller.next_step()
    live(controller, fake_clock, 10, timed)

    assert len(notices) == 1
    assert "not being recorded" in notices[0]
    assert store.status is StoreStatus.READ_ONLY
    assert not timed.checkpoint_timer.isActive()
    assert controller.state() is SessionState.RUNNING
    assert controller.current_index == 1
    assert controller.remaining_seconds() == controller.step(1).duration_s - 10


def test_an_unavailable_store_records_nothing_and_says_why(
    qtbot: Any, tmp_path: Path, controller: SessionController
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    store = HistoryStore(blocker / "history.sqlite3")
    recorder = SessionRecorder(controller, store)
    notices: list[str] = []
    recorder.notice.connect(notices.append)
    recorder.announce_open_result()
    controller.start()
    assert recorder.session_id is None
    assert controller.state() is SessionState.RUNNING
    qtbot.waitUntil(lambda: len(notices) == 1)
    assert "not recorded" in notices[0]


# -- another process holding the history's lock ------------------------------------------


@pytest.fixture
def locked_history(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[HistoryStore, WallClock, sqlite3.Connection]]:
    """A store whose file another process has locked for writing (released by ROLLBACK).

    SQLite's busy wait is set to nothing, so the test never waits for the lock."""
    monkeypatch.setattr("massage_trainer.domain.history._BUSY_TIMEOUT_S", 0.0)
    wall = WallClock()
    opened = HistoryStore(store_path, now=wall)
    other = sqlite3.connect(store_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield opened, wall, other
    other.close()
    opened.close()


def test_a_session_started_while_another_process_writes_is_recorded_once_it_can(
    controller: SessionController,
    locked_history: tuple[HistoryStore, WallClock, sqlite3.Connection],
    fake_clock: FakeClock,
) -> None:
    store, wall, other = locked_history
    recorder = SessionRecorder(controller, store)
    recorder.elapsed_since_timer = 0  # type: ignore[attr-defined]
    notices: list[str] = []
    recorder.notice.connect(notices.append)
    started_at = wall.moment

    controller.start()
    assert len(notices) == 1  # the user knows at once
    assert "not being recorded yet" in notices[0]
    assert "tries again" in notices[0]
    assert recorder.waiting_to_record
    assert recorder.checkpoint_timer.isActive()
    assert store.sessions() == ()
    live(controller, fake_clock, 10, recorder)
    controller.pause()
    controller.start()
    live(controller, fake_clock, 10, recorder)
    assert len(notices) == 1  # retries that find the lock again say nothing new
    assert store.sessions() == ()

    other.execute("ROLLBACK")  # the other process is done
    wall.moment += timedelta(seconds=25)
    live(controller, fake_clock, round(CHECKPOINT_INTERVAL_S), recorder)
    assert len(notices) == 2
    assert "now recorded from its start" in notices[1]
    assert not recorder.waiting_to_record
    (row,) = store.sessions()
    assert row.started_at == started_at  # when it really started, not when it was written
    engine = controller.engine
    assert engine is not None
    assert row.actual_s == pytest.approx(engine.snapshot().total_elapsed_s)  # all of it

    controller.finish()
    (row,) = store.sessions()
    assert row.state is RunState.FINISHED
    assert store.recording


def test_a_session_the_lock_kept_out_until_its_end_is_reported_as_not_recorded(
    controller: SessionController,
    locked_history: tuple[HistoryStore, WallClock, sqlite3.Connection],
    fake_clock: FakeClock,
) -> None:
    store, _wall, _other = locked_history
    recorder = SessionRecorder(controller, store)
    recorder.elapsed_since_timer = 0  # type: ignore[attr-defined]
    notices: list[str] = []
    recorder.notice.connect(notices.append)
    controller.start()
    live(controller, fake_clock, 20, recorder)
    controller.finish()

    assert len(notices) == 2
    assert "This session was not recorded" in notices[1]
    assert not recorder.waiting_to_record
    assert not recorder.checkpoint_timer.isActive()
    assert store.sessions() == ()
    assert store.recording  # a lock is not a fault: the next session is recorded


# -- resume ----------------------------------------------------------------------------


def crashed_session(
    library: ContentLibrary, store_path: Path, clock: FakeClock, seconds: int
) -> tuple[int, float, int]:
    """Run a session for ``seconds`` and abandon it as a crash would (no closing).

    Returns its id, its total practice time then, and its step index then."""
    controller = SessionController(library, clock, get_ready_s=0.0)
    controller.load_routine(ROUTINE)
    store = HistoryStore(store_path)
    recorder = SessionRecorder(controller, store)
    recorder.elapsed_since_timer = 0  # type: ignore[attr-defined]
    controller.set_mode(SessionMode.DRY_RUN)
    controller.start()
    live(controller, clock, seconds, recorder)
    session_id = recorder.session_id
    snapshot = controller.snapshot()
    assert session_id is not None
    assert snapshot is not None
    recorder.checkpoint_timer.stop()
    store.close()  # the process is gone; its file stays as it was last written
    return session_id, snapshot.total_elapsed_s, snapshot.index


def test_resume_puts_the_session_back_where_it_stopped(
    library: ContentLibrary, store_path: Path, fake_clock: FakeClock, qtbot: Any
) -> None:
    session_id, practised, index = crashed_session(library, store_path, fake_clock, 250)
    fake_clock.advance(600.0)  # the restart takes a while

    controller = SessionController(library, fake_clock, get_ready_s=0.0)
    controller.load_routine("beginner-20")  # the routine used last is another one
    store = HistoryStore(store_path)
    recorder = SessionRecorder(controller, store)
    asked: list[int] = []

    def ask(row: SessionRow) -> bool:
        asked.append(row.id)
        return True

    choice = offer_resume(None, recorder, ask=ask)

    assert choice is ResumeChoice.RESUMED
    assert asked == [session_id]
    snapshot = controller.snapshot()
    assert snapshot is not None
    assert controller.routine is not None
    assert controller.routine.id == ROUTINE
    assert snapshot.state is SessionState.PAUSED
    assert snapshot.index == index == 1
    # Still a dry run: the banner stays and no screening is asked again.
    assert controller.dry_run
    assert controller.mode_chosen
    assert practised - MAX_LOSS_S <= snapshot.total_elapsed_s <= practised
    assert controller.remaining_seconds() == pytest.approx(
        controller.step(1).duration_s - snapshot.elapsed_s, abs=1
    )
    # It goes on in the same history row.
    assert recorder.session_id == session_id
    controller.start()
    fake_clock.advance(10.0)
    controller.finish()
    rows = store.sessions()
    assert [(row.id, row.state) for row in rows] == [(session_id, RunState.FINISHED)]
    assert rows[0].actual_s == pytest.approx(snapshot.total_elapsed_s + 10.0)
    store.close()


def test_keeping_it_as_interrupted(
    library: ContentLibrary, store_path: Path, fake_clock: FakeClock, controller: SessionController
) -> None:
    session_id, practised, _index = crashed_session(library, store_path, fake_clock, 30)
    store = HistoryStore(store_path)
    recorder = SessionRecorder(controller, store)

    choice = offer_resume(None, recorder, ask=lambda _row: False)

    assert choice is ResumeChoice.KEPT_INTERRUPTED
    row = store.sessions()[0]
    assert row.id == session_id
    assert row.state is RunState.INTERRUPTED
    assert practised - MAX_LOSS_S <= row.actual_s <= practised
    assert controller.state() is SessionState.READY
    assert offer_resume(None, recorder, ask=lambda _row: True) is ResumeChoice.NOTHING
    store.close()


def test_a_routine_that_changed_cannot_be_resumed(
    library: ContentLibrary, store_path: Path, fake_clock: FakeClock
) -> None:
    crashed_session(library, store_path, fake_clock, 30)
    routine = library.routines[ROUTINE]
    edited = routine.model_copy(update={"steps": routine.steps[1:]})
    # The user edited the routine before starting the app again.
    edited_library = dataclasses.replace(library, routines={**library.routines, ROUTINE: edited})
    controller = SessionController(edited_library, fake_clock, get_ready_s=0.0)
    store = HistoryStore(store_path)
    recorder = SessionRecorder(controller, store)
    notices: list[str] = []
    recorder.notice.connect(notices.append)

    assert offer_resume(None, recorder, ask=lambda _row: True) is ResumeChoice.NOT_POSSIBLE
    assert "has changed" in notices[0]
    assert store.sessions()[0].state is RunState.INTERRUPTED
    assert controller.state() is SessionState.READY
    store.close()


def test_when_the_chosen_resume_is_not_possible_a_dialog_says_why(
    qtbot: Any, library: ContentLibrary, store_path: Path, fake_clock: FakeClock
) -> None:
    crashed_session(library, store_path, fake_clock, 30)
    others = {key: value for key, value in library.routines.items() if key != ROUTINE}
    # The routine's file was deleted before the app started again.
    controller = SessionController(
        dataclasses.replace(library, routines=others), fake_clock, get_ready_s=0.0
    )
    store = HistoryStore(store_path)
    recorder = SessionRecorder(controller, store)
    notices: list[str] = []
    recorder.notice.connect(notices.append)
    seen: list[tuple[str, str]] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(0, answer)
            return
        seen.append((box.windowTitle(), box.text()))
        resume = next((b for b in box.buttons() if b.text().startswith("Resume")), None)
        if resume is not None:
            resume.click()
            QTimer.singleShot(0, answer)  # and read what comes next
        else:
            box.accept()

    QTimer.singleShot(0, answer)
    assert offer_resume(None, recorder) is ResumeChoice.NOT_POSSIBLE
    assert [title for title, _text in seen] == [
        "Resume the last session?",
        "Cannot resume the session",
    ]
    assert "no longer available" in seen[1][1]
    assert "kept in your history as interrupted" in seen[1][1]
    assert notices == []  # told once, in the dialog
    assert store.sessions()[0].state is RunState.INTERRUPTED
    store.close()


def test_the_resume_question_is_a_dialog_with_two_plain_choices(
    qtbot: Any,
    library: ContentLibrary,
    store_path: Path,
    fake_clock: FakeClock,
    controller: SessionController,
) -> None:
    crashed_session(library, store_path, fake_clock, 30)
    store = HistoryStore(store_path)
    recorder = SessionRecorder(controller, store)
    seen: dict[str, Any] = {}

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["title"] = box.windowTitle()
        seen["text"] = box.informativeText()
        seen["buttons"] = sorted(button.text() for button in box.buttons())
        resume = next(b for b in box.buttons() if b.text().startswith("Resume"))
        resume.click()

    QTimer.singleShot(0, answer)
    assert offer_resume(None, recorder) is ResumeChoice.RESUMED
    assert seen["buttons"] == ["Keep as interrupted", "Resume where it stopped"]
    assert "Classic home back massage" in seen["text"]
    assert "step 1 of 11" in seen["text"]
    assert "into that step" in seen["text"]
    assert seen["title"] == "Resume the last session?"
    store.close()


def test_describe_when() -> None:
    moment = datetime(2025, 3, 10, 19, 5, tzinfo=UTC)
    assert describe_when(moment, date(2025, 3, 10)) == "today at 19:05"
    assert describe_when(moment, date(2025, 3, 11)) == "yesterday at 19:05"
    assert describe_when(moment - timedelta(days=7), date(2025, 3, 11)) == (
        "on Mon 3 March at 19:05"
    )


def test_export_history_csv_to_a_chosen_file(
    controller: SessionController, recorder: SessionRecorder, store: HistoryStore, tmp_path: Path
) -> None:
    controller.start()
    target = tmp_path / "out.csv"
    export = export_history_csv(None, store, target)
    assert export is not None
    assert export.path == target
    assert target.read_text(encoding="utf-8-sig").startswith("session_id,date,")


def test_export_from_the_file_menu_says_where_the_file_went(
    make_main_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_main_window()
    target = tmp_path / "my practice"
    monkeypatch.setattr(
        "massage_trainer.ui.history_recorder.QFileDialog.getSaveFileName",
        lambda *_args, **_kwargs: (str(target), "CSV files (*.csv)"),
    )
    window.statusBar().clearMessage()
    window.export_history()
    written = target.with_suffix(".csv")
    assert written.exists()
    message = window.statusBar().currentMessage()
    assert str(written) in message
    assert "0 rows" in message  # nothing practised yet: an empty table, not a failure


def test_export_with_no_history_says_so_and_writes_no_empty_file(
    tmp_path: Path, controller: SessionController, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    store = HistoryStore(blocker / "history.sqlite3")
    told: list[tuple[str, str]] = []
    monkeypatch.setattr(
        "massage_trainer.ui.history_recorder.QMessageBox.information",
        lambda _parent, title, text: told.append((title, text)),
    )
    target = tmp_path / "out.csv"

    assert export_history_csv(None, store, target) is None

    assert not target.exists()
    assert len(told) == 1
    title, text = told[0]
    assert title == "Nothing to export"
    assert "no practice history" in text
    assert store.message in text  # and why


def test_at_start_a_damaged_history_is_explained_before_anything_else(
    qtbot: Any, tmp_path: Path, controller: SessionController
) -> None:
    path = tmp_path / "damaged" / "history.sqlite3"
    path.parent.mkdir()
    path.write_bytes(b"this is not a database " * 200)
    store = HistoryStore(path)
    recorder = SessionRecorder(controller, store)
    seen: list[str] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.accept()

    QTimer.singleShot(0, read_and_close)
    assert check_history_at_start(None, recorder) is ResumeChoice.NOTHING
    assert len(seen) == 1
    assert "damaged" in seen[0]
    assert "history.corrupt-" in seen[0]
    store.close()


def damaged_history(tmp_path: Path) -> HistoryStore:
    path = tmp_path / "data" / "history.sqlite3"
    path.parent.mkdir()
    path.write_bytes(b"this is not a database " * 200)
    return HistoryStore(path)


def test_a_damaged_history_at_start_is_told_once_in_a_dialog_not_the_status_bar_too(
    qtbot: Any, library: ContentLibrary, fake_clock: FakeClock, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings

    from massage_trainer.ui.main_window import MainWindow

    store = damaged_history(tmp_path)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    # As the app starts: the window is built (it announces the open result), then the
    # start-up check runs at once.
    window = MainWindow(
        library, clock=fake_clock, settings=settings, speech_engine="mock", history=store
    )
    qtbot.addWidget(window)
    shown: list[str] = []
    status: list[str] = []
    window.statusBar().messageChanged.connect(status.append)

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            shown.append(box.text())
            box.accept()
        else:
            QTimer.singleShot(0, read_and_close)

    QTimer.singleShot(0, read_and_close)
    check_history_at_start(window, window.history_recorder)
    for _ in range(5):
        QApplication.processEvents()

    assert len(shown) == 1
    assert "damaged" in shown[0]
    assert str(store.path.parent) in shown[0]  # the user is told where the old file is
    assert not any("damaged" in message for message in status)
    assert "damaged" not in window.statusBar().currentMessage()
    store.close()


def test_without_the_start_up_dialog_the_open_result_goes_to_the_status_bar_once(
    qtbot: Any, tmp_path: Path, controller: SessionController
) -> None:
    store = damaged_history(tmp_path)
    recorder = SessionRecorder(controller, store)
    notices: list[str] = []
    recorder.notice.connect(notices.append)
    recorder.announce_open_result()
    recorder.announce_open_result()
    qtbot.waitUntil(lambda: len(notices) == 1)
    for _ in range(5):
        QApplication.processEvents()
    assert len(notices) == 1
    assert "history.corrupt-" in notices[0]
    # The start-up check then has nothing more to say about it.
    assert check_history_at_start(None, recorder) is ResumeChoice.NOTHING
    store.close()


def test_a_pause_cut_by_a_crash_does_not_count_the_hours_the_app_was_closed(
    qtbot: Any, library: ContentLibrary, store_path: Path, fake_clock: FakeClock
) -> None:
    from massage_trainer.ui.progress_view import SessionDetailPanel

    wall = WallClock()
    controller = SessionController(library, fake_clock, get_ready_s=0.0)
    controller.load_routine(ROUTINE)
    store = HistoryStore(store_path, now=wall)
    recorder = SessionRecorder(controller, store)
    controller.set_mode(SessionMode.DRY_RUN)
    controller.start()
    fake_clock.advance(60.0)
    controller.tick()
    controller.pause()  # a two-minute pause, then the app dies
    wall.moment += timedelta(minutes=2)
    recorder.checkpoint()
    recorder.checkpoint_timer.stop()
    store.close()

    wall.moment += timedelta(hours=14)  # resumed the next morning
    store = HistoryStore(store_path, now=wall)
    controller = SessionController(library, fake_clock, get_ready_s=0.0)
    recorder = SessionRecorder(controller, store)
    assert offer_resume(None, recorder, ask=lambda _row: True) is ResumeChoice.RESUMED
    wall.moment += timedelta(seconds=30)  # settling in, then on
    controller.start()
    fake_clock.advance(20.0)
    controller.finish()

    detail = store.session_detail(store.sessions()[0].id)
    assert detail is not None
    paused = sum(
        ((p.ended_at or p.started_at) - p.started_at).total_seconds() for p in detail.pauses
    )
    assert paused == pytest.approx(150.0)  # the two minutes, and the half minute after
    panel = SessionDetailPanel(library)
    qtbot.addWidget(panel)
    panel.show_session(detail)
    assert panel.events_label.text().startswith("2 pauses, 2 min in all.")
    store.close()


def test_export_asks_before_replacing_a_file_it_completes_with_csv(
    make_main_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_main_window()
    existing = tmp_path / "practice.csv"
    existing.write_text("kept", encoding="utf-8")
    monkeypatch.setattr(
        "massage_trainer.ui.history_recorder.QFileDialog.getSaveFileName",
        lambda *_args, **_kwargs: (str(tmp_path / "practice"), "CSV files (*.csv)"),
    )
    asked: list[str] = []

    def keep(_parent: object, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr("massage_trainer.ui.widgets.QMessageBox.question", keep)
    window.export_history()
    assert len(asked) == 1
    assert "practice.csv already exists" in asked[0]
    assert existing.read_text(encoding="utf-8") == "kept"
