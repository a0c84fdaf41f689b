"""Recording sessions into the practice history, and resuming one after a crash.

:class:`SessionRecorder` listens to the :class:`SessionController` like any widget does
and writes the session to the :class:`HistoryStore`: a row when the session starts, a
checkpoint at every change of step or state and every :data:`CHECKPOINT_INTERVAL_S`
while it is open, the final state when it ends. The times always come from the
engine's snapshot (its clock), never from the timer, so a fake clock drives it in tests.

:func:`offer_resume` runs at start-up: when a previous run died in the middle of a
session, it asks whether to resume it (paused on the step where it stopped) or keep it
in the history as interrupted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QStandardPaths, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from massage_trainer.domain.history import (
    HistoryStore,
    SessionDetail,
    SessionRow,
    StoreStatus,
)
from massage_trainer.domain.models import Routine
from massage_trainer.domain.screening import SessionMode
from massage_trainer.domain.session import SessionEngine, SessionState
from massage_trainer.ui.controller import SessionController, format_clock

if TYPE_CHECKING:
    from massage_trainer.domain.content import ContentLibrary

CHECKPOINT_INTERVAL_S = 4.0
"""How often an open session is written even when nothing else happens. Below the 5 s
a crash may cost, with room for a late timer."""

__all__ = [
    "CHECKPOINT_INTERVAL_S",
    "CsvExport",
    "ResumeChoice",
    "SessionRecorder",
    "check_history_at_start",
    "describe_when",
    "export_history_csv",
    "offer_resume",
    "show_progress_window",
]


def _controller_mode(controller: SessionController) -> SessionMode:
    """The controller's partner / dry-run mode, if it has one; partner otherwise."""
    mode = getattr(controller, "mode", None)
    if callable(mode):
        mode = mode()
    if isinstance(mode, SessionMode):
        return mode
    try:
        return SessionMode(str(mode)) if mode is not None else SessionMode.PARTNER
    except ValueError:
        return SessionMode.PARTNER


class SessionRecorder(QObject):
    """Writes the controller's sessions to the history store."""

    notice = Signal(str)
    """A message for the user about the history (e.g. it stopped recording, and why)."""
    session_recorded = Signal(int)
    """A session was finished or stopped and its row is final (the session id)."""

    def __init__(
        self,
        controller: SessionController,
        store: HistoryStore,
        parent: QObject | None = None,
        *,
        mode: Callable[[], SessionMode] | None = None,
        interval_s: float = CHECKPOINT_INTERVAL_S,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._store = store
        self._mode = mode if mode is not None else (lambda: _controller_mode(controller))
        self._session_id: int | None = None
        self._engine: SessionEngine | None = controller.engine
        # A session whose first write found the history locked by another process: its
        # row is written at the next checkpoint that gets the lock (see _retry_begin).
        self._pending: tuple[Routine, SessionMode, datetime] | None = None
        # The last finished session, so re-opening it (a step picked after the end)
        # continues that row instead of counting its time twice.
        self._finished_id: int | None = None
        self._finished_engine: SessionEngine | None = None
        self._was_recording = store.recording
        self._open_result_told = False
        self._progress_window: QWidget | None = None

        self._timer = QTimer(self)
        self._timer.setInterval(round(interval_s * 1000))
        self._timer.timeout.connect(self._on_timer_timeout)

        controller.routine_changed.connect(self._on_controller_routine_changed)
        controller.state_changed.connect(self._on_controller_state_changed)
        controller.step_changed.connect(self._on_controller_step_changed)
        pain_reported = getattr(controller, "pain_reported", None)
        if pain_reported is not None and hasattr(pain_reported, "connect"):
            pain_reported.connect(self._on_controller_pain_reported)

    # -- public -----------------------------------------------------------------------

    @property
    def store(self) -> HistoryStore:
        return self._store

    @property
    def controller(self) -> SessionController:
        return self._controller

    @property
    def session_id(self) -> int | None:
        """The id of the session being recorded, None when none is open."""
        return self._session_id

    @property
    def checkpoint_timer(self) -> QTimer:
        """The timer that writes an open session regularly (tests fire it by hand)."""
        return self._timer

    def announce_open_result(self) -> None:
        """Tell the user what happened when the store was opened, if anything, once.

        At start-up :func:`check_history_at_start` shows it in a dialog, right after the
        window is built; only when that has not happened by the time the event loop
        turns is it emitted as :attr:`notice` instead, so it is never told twice.
        """
        if self._store.open_result.notice and not self._open_result_told:
            QTimer.singleShot(0, self, self._on_open_result_due)

    @property
    def waiting_to_record(self) -> bool:
        """A session is running but the history was locked when it started: it is
        written from its start as soon as a checkpoint gets the lock."""
        return self._pending is not None

    def checkpoint(self) -> None:
        """Write the open session now (nothing happens when none is open)."""
        self._retry_begin()
        if self._session_id is None or self._engine is None:
            return
        self._store.checkpoint(self._session_id, self._engine.snapshot(), self._engine.records())
        self._report_store_problem()

    def close_session(self) -> None:
        """The app is closing: an open session is kept as stopped (not offered for resume)."""
        self._timer.stop()
        self._retry_begin(last_chance=True)
        if self._session_id is None:
            return
        session_id = self._session_id
        self._session_id = None
        engine = self._engine
        if engine is not None:
            self._store.stop_session(session_id, engine.snapshot(), engine.records())
        else:
            self._store.stop_session(session_id)
        self._report_store_problem()
        self.session_recorded.emit(session_id)

    @Slot()
    def record_pain(self, note: str = "", zone_id: str | None = None) -> None:
        """Record that the partner reported pain, at the current step of the open session."""
        step = self._controller.current_index if self._session_id is not None else None
        self._store.record_pain(self._session_id, step, zone_id=zone_id, note=note)
        self._report_store_problem()

    def record_score(
        self, technique_id: str, score: float, *, zone_id: str | None = None, detail: str = ""
    ) -> None:
        """Record a practice score (0-100), with the open session and step if there is one."""
        step = self._controller.current_index if self._session_id is not None else None
        self._store.record_score(
            technique_id,
            score,
            session_id=self._session_id,
            step_index=step,
            zone_id=zone_id,
            detail=detail,
        )
        self._report_store_problem()

    def resume(self, detail: SessionDetail) -> str | None:
        """Load the session's routine and put it back where it stopped, paused.

        Returns None when resumed, else why it could not be (the session is then kept
        as interrupted).
        """
        row = detail.session
        routine = self._controller.library.routines.get(row.routine_id)
        reason: str | None = None
        if routine is None:
            reason = f"The routine “{row.routine_title}” is no longer available."
        elif tuple(step.technique for step in routine.steps) != tuple(
            step.technique_id for step in detail.steps
        ):
            reason = f"The routine “{row.routine_title}” has changed since that session."
        if routine is None or reason is not None:
            self._store.mark_interrupted(row.id)
            return reason
        if self._session_id is not None or self._pending is not None:
            self.close_session()
        if not self._controller.as_loaded(routine.id):
            # At start-up the window has usually just loaded this very routine (the one
            # used last): that fresh session is the one to restore, not a second load.
            self._controller.load_routine(routine.id)
        # The same session goes on: same partner (already screened) or still a dry run.
        self._controller.set_mode(row.mode)
        engine = self._controller.engine
        if engine is None:  # pragma: no cover - a loaded routine always has an engine
            return "The routine could not be loaded."
        try:
            engine.restore(row.current_index, row.current_elapsed_s, detail.records())
        except (ValueError, IndexError):
            self._controller.reset()
            self._store.mark_interrupted(row.id)
            return "The saved position of that session could not be read."
        self._store.reopen_session(row.id)
        self._session_id = row.id
        self._engine = engine
        self._finished_id = None
        self._finished_engine = None
        # Publish the restored position; the state change writes the first checkpoint.
        self._controller.tick()
        self._report_store_problem()
        return None

    # -- slots ------------------------------------------------------------------------

    def _on_controller_routine_changed(self) -> None:
        # The controller has already replaced its engine; the one we recorded still
        # holds the session's last times.
        self.close_session()
        self._finished_id = None
        self._finished_engine = None
        self._engine = self._controller.engine

    def _on_controller_state_changed(self, value: str) -> None:
        engine = self._controller.engine
        if engine is None:
            return
        state = SessionState(value)
        if state in (SessionState.RUNNING, SessionState.PAUSED):
            just_locked = False
            if self._session_id is None:
                if self._finished_id is not None and engine is self._finished_engine:
                    if self._store.reopen_session(self._finished_id):
                        self._session_id = self._finished_id
                        self._engine = engine
                    self._finished_id = None
                    self._finished_engine = None
                elif state is SessionState.RUNNING and self._pending is None:
                    self._begin(engine)
                    just_locked = self._pending is not None
            if not just_locked:  # no second wait on a lock found a moment ago
                self.checkpoint()
            waiting = self._session_id is not None or self._pending is not None
            if waiting and not self._timer.isActive():
                self._timer.start()
        elif state is SessionState.FINISHED:
            self._timer.stop()
            self._retry_begin(last_chance=True)
            if self._session_id is not None:
                session_id = self._session_id
                self._session_id = None
                self._store.finish_session(session_id, engine.snapshot(), engine.records())
                self._finished_id = session_id
                self._finished_engine = engine
                self._report_store_problem()
                self.session_recorded.emit(session_id)

    def _on_controller_step_changed(self, _index: int) -> None:
        self.checkpoint()

    def _on_controller_pain_reported(self, *args: object) -> None:
        note = next((arg for arg in args if isinstance(arg, str)), "")
        self.record_pain(note)

    def take_open_result(self) -> str:
        """What happened when the store was opened, the first time it is asked for; ""
        after that (and when all went well), so it is never told twice."""
        if self._open_result_told:
            return ""
        self._open_result_told = True
        return self._store.open_result.notice

    def _on_open_result_due(self) -> None:
        notice = self.take_open_result()
        if notice:
            self.notice.emit(notice)

    def _on_timer_timeout(self) -> None:
        if self._session_id is None and self._pending is None:
            self._timer.stop()
            return
        self.checkpoint()

    # -- internals --------------------------------------------------------------------

    def _begin(self, engine: SessionEngine) -> None:
        routine = self._controller.routine
        if routine is None:
            return
        self._engine = engine
        mode = self._mode()
        started_at = self._store.now()
        self._session_id = self._store.begin_session(routine, mode)
        if self._session_id is None and self._store.recording:
            # Another process (a second window of the app, a database tool) holds the
            # file's lock. The session goes on; its row is written once the lock is free.
            self._pending = (routine, mode, started_at)
            self.notice.emit(
                "This session is not being recorded yet: another program, perhaps a "
                "second Massage Trainer window, is using the practice history file. The "
                "app tries again every few seconds and then records it from its start."
            )
        self._report_store_problem()

    def _retry_begin(self, *, last_chance: bool = False) -> None:
        """Write the row of a session that started while the history was locked.

        Its times come from the engine at the checkpoint that follows, so nothing of the
        session is lost. When the session ends still unrecorded, the user is told so.
        """
        if self._pending is None:
            return
        if self._session_id is not None or self._engine is None:
            self._pending = None
            return
        routine, mode, started_at = self._pending
        session_id = self._store.begin_session(routine, mode, started_at=started_at)
        if session_id is not None:
            self._pending = None
            self._session_id = session_id
            self.notice.emit(
                "The practice history file is free again: this session is now recorded "
                "from its start."
            )
        elif not self._store.recording:
            self._pending = None  # _report_store_problem says why
            self._report_store_problem()
        elif last_chance:
            self._pending = None
            self.notice.emit(
                "This session was not recorded: another program kept the practice history "
                "file in use until the session ended."
            )

    def _report_store_problem(self) -> None:
        if self._was_recording and not self._store.recording:
            self._was_recording = False
            self._timer.stop()
            self.notice.emit(self._store.message)


# -- resume at start-up ----------------------------------------------------------------


class ResumeChoice(StrEnum):
    NOTHING = "nothing"
    """No unfinished session (or no history to look in)."""
    RESUMED = "resumed"
    KEPT_INTERRUPTED = "kept-interrupted"
    NOT_POSSIBLE = "not-possible"
    """The user chose to resume, but the routine is gone or changed; kept as interrupted."""


def describe_when(moment: datetime, today: date | None = None) -> str:
    """ "today at 19:05", "yesterday at 08:30" or "on Mon 3 March at 19:05"."""
    today = today if today is not None else datetime.now().astimezone().date()
    clock = moment.strftime("%H:%M")
    days = (today - moment.date()).days
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"yesterday at {clock}"
    return f"on {moment.strftime('%a')} {moment.day} {moment.strftime('%B')} at {clock}"


def resume_summary(session: SessionRow, library: ContentLibrary, today: date | None = None) -> str:
    """Where an unfinished session stopped, in a sentence or two."""
    step_text = f"step {session.current_index + 1} of {session.step_count}"
    return (
        f"{session.routine_title} ({session.mode.label.lower()}), started "
        f"{describe_when(session.started_at, today)}, stopped in {step_text}, "
        f"{format_clock(round(session.current_elapsed_s))} into that step. "
        f"Time practised before it stopped: {format_clock(round(session.actual_s))}."
    )


def _ask_resume(parent: QWidget | None, session: SessionRow, library: ContentLibrary) -> bool:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Resume the last session?")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText("The app closed in the middle of your last session.")
    box.setInformativeText(
        resume_summary(session, library)
        + "\n\nResuming opens it paused on that step, so you can settle in before you go on."
    )
    resume = box.addButton("Resume where it stopped", QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton("Keep as interrupted", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(resume)
    box.setEscapeButton(keep)
    box.exec()
    chosen = box.clickedButton() is resume
    box.deleteLater()
    return chosen


def offer_resume(
    parent: QWidget | None,
    recorder: SessionRecorder,
    *,
    ask: Callable[[SessionRow], bool] | None = None,
) -> ResumeChoice:
    """At start-up: offer to resume a session a crash left open, or keep it as interrupted.

    ``ask`` replaces the question dialog (tests answer it directly). Older unfinished
    sessions than the latest are kept as interrupted without asking.
    """
    store = recorder.store
    if not store.recording:
        return ResumeChoice.NOTHING
    unfinished = store.unfinished_sessions()
    if not unfinished:
        return ResumeChoice.NOTHING
    latest = unfinished[0]
    for older in unfinished[1:]:
        store.mark_interrupted(older.id)
    detail = store.session_detail(latest.id)
    if detail is None:
        return ResumeChoice.NOTHING
    if latest.actual_s < 1.0:
        store.stop_session(latest.id)  # nothing was practised yet: nothing to resume
        return ResumeChoice.NOTHING
    library = recorder.controller.library
    wants = ask(latest) if ask is not None else _ask_resume(parent, latest, library)
    if not wants:
        store.mark_interrupted(latest.id)
        return ResumeChoice.KEPT_INTERRUPTED
    reason = recorder.resume(detail)
    if reason is not None:
        message = f"{reason} It is kept in your history as interrupted."
        if ask is None:
            # The answer to a dialog comes in a dialog: a status-bar line at start-up can
            # be replaced before it is read, and the user would see nothing resume.
            _tell(parent, QMessageBox.Icon.Information, "Cannot resume the session", message)
        else:
            recorder.notice.emit(message)
        return ResumeChoice.NOT_POSSIBLE
    return ResumeChoice.RESUMED


def check_history_at_start(parent: QWidget | None, recorder: SessionRecorder) -> ResumeChoice:
    """What the app does with the history when it starts (never in smoke tests).

    Tells the user what happened when the history was opened (a damaged file set aside,
    a newer file shown read-only, no history at all), then offers to resume a session
    a crash left open.
    """
    notice = recorder.take_open_result()  # the dialog says it: not the status bar too
    if notice:
        _tell(parent, QMessageBox.Icon.Warning, "Practice history", notice)
    return offer_resume(parent, recorder)


def _tell(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> None:
    """A message box with ``text`` as plain text (it can hold file names), waited on."""
    box = QMessageBox(parent)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.exec()
    box.deleteLater()


# -- window-level commands ---------------------------------------------------------------


def show_progress_window(parent: QWidget | None, recorder: SessionRecorder) -> QWidget:
    """Open (or raise) the Progress window. Its module, and QtCharts, load only now."""
    window = recorder._progress_window
    if window is None:
        from massage_trainer.ui.progress_view import ProgressWindow

        progress = ProgressWindow(recorder.store, recorder.controller.library, parent)
        recorder.session_recorded.connect(progress.refresh)
        recorder._progress_window = window = progress
    else:
        refresh = getattr(window, "refresh", None)
        if callable(refresh):
            refresh()
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def default_export_name(today: date | None = None) -> str:
    today = today if today is not None else date.today()
    return f"massage-practice-{today.isoformat()}.csv"


@dataclass(frozen=True)
class CsvExport:
    """A written CSV export: where it went and how many rows it has."""

    path: Path
    rows: int

    @property
    def summary(self) -> str:
        rows = "1 row" if self.rows == 1 else f"{self.rows} rows"
        return f"Practice history saved to {self.path} ({rows})."


def export_history_csv(
    parent: QWidget | None,
    store: HistoryStore,
    path: Path | None = None,
    *,
    library: ContentLibrary | None = None,
) -> CsvExport | None:
    """Ask where to save (unless ``path`` is given) and export the history as CSV.

    ``library`` names the techniques and zones beside their ids (pass the controller's);
    without it those name columns are empty.

    Tells the user when it cannot be written, or when there is no history to export;
    returns what was written (the caller says where it went), or None.
    """
    if store.status is StoreStatus.UNAVAILABLE:
        QMessageBox.information(
            parent,
            "Nothing to export",
            f"There is no practice history to export. {store.message}".strip(),
        )
        return None
    if path is None:
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        ) or str(Path.home())
        chosen, _filter = QFileDialog.getSaveFileName(
            parent,
            "Export practice history",
            str(Path(folder) / default_export_name()),
            "CSV files (*.csv)",
        )
        if not chosen:
            return None
        from massage_trainer.ui.widgets import save_path_with_suffix

        path = save_path_with_suffix(parent, "Export practice history", chosen, ".csv")
        if path is None:
            return None
    try:
        written = store.export_csv(path, library)
    except OSError as exc:
        QMessageBox.warning(
            parent,
            "Export failed",
            f"The history could not be saved to {path}: {exc.strerror or exc}.",
        )
        return None
    if written is None:
        QMessageBox.warning(
            parent,
            "Export failed",
            f"Nothing was saved to {path}: the history could not be read. {store.message}",
        )
        return None
    return CsvExport(path, written)
