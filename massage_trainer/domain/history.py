"""Practice history: sessions, steps, pauses, pain reports and practice scores in SQLite.

The store lives in ``user_data_dir()/history.sqlite3`` (standard library ``sqlite3``,
WAL mode). A running session is checkpointed often, each checkpoint one short
transaction, so a crash or a kill loses only the time since the last one and the next
start can offer to resume it.

The store never takes the app down with it:

* a damaged file is moved aside as ``history.corrupt-<timestamp>.sqlite3`` (with its
  ``-wal``/``-shm``) and a fresh history is started; :attr:`HistoryStore.open_result`
  says so. Opening runs SQLite's ``quick_check`` (every page, the b-trees, the free
  list and NOT NULL: torn, zeroed or missing pages, a file that is not a database); the
  full ``integrity_check`` (every index against its table too, about three times
  slower on a large history) runs instead when there is reason to doubt the file: the
  last run did not close it (a ``-wal`` or ``-journal`` is left: a crash, a kill, a
  power cut, or another window still has it open), or SQLite reported damage while it
  was in use (see :data:`CHECK_MARK_SUFFIX`);
* when SQLite reports damage while the file is in use, the store stops recording (so
  nothing more is written into it) and says so; the next opening checks it in full;
* a file written by a newer version of the app (a higher ``PRAGMA user_version``) is
  never changed: it is opened read-only, so the history can be shown but nothing new
  is recorded;
* when a write fails (full disk, read-only folder, ...) the store stops recording, keeps
  the reason in :attr:`HistoryStore.message`, and every later write quietly does nothing;
  the session itself goes on.

Wall-clock times are stored as ISO 8601 text with the local UTC offset, so "which day"
means the day the learner saw on their own clock.
"""

from __future__ import annotations

import contextlib
import csv
import math
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from massage_trainer import __version__
from massage_trainer.domain.models import Routine
from massage_trainer.domain.paths import user_data_dir
from massage_trainer.domain.screening import SessionMode
from massage_trainer.domain.session import (
    SessionState,
    Snapshot,
    StepRecord,
    StepStatus,
)

if TYPE_CHECKING:
    from massage_trainer.domain.content import ContentLibrary

__all__ = [
    "CHECK_MARK_SUFFIX",
    "HISTORY_FILE_NAME",
    "SCHEMA_VERSION",
    "HistoryStore",
    "OpenResult",
    "PainReport",
    "PauseRow",
    "PracticeScore",
    "RunState",
    "SessionDetail",
    "SessionRow",
    "StepRow",
    "StoreStatus",
    "TechniqueTime",
    "Totals",
    "default_history_path",
    "streaks",
]

HISTORY_FILE_NAME = "history.sqlite3"

LIVE_OWNER_S = 120.0
"""A running session whose owner process is alive and wrote within this many seconds
belongs to another open window of the app, so it is not offered for resume."""

_BUSY_TIMEOUT_S = 1.0

CHECK_MARK_SUFFIX = "-check"
"""``history.sqlite3-check``: left beside the history when SQLite reported damage while
the file was in use, so the next opening runs the full integrity check; removed once
that check has passed or the file has been set aside."""

_DAMAGE_NAMES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")

_NEXT_START_CHECKS = (
    "At the next start the app checks the file in full and, if it is damaged, sets it "
    "aside (nothing is deleted) and starts a new history."
)

_T = TypeVar("_T")
_E = TypeVar("_E", bound=StrEnum)


def default_history_path() -> Path:
    """Where the history lives: ``history.sqlite3`` in the user's data folder."""
    return user_data_dir() / HISTORY_FILE_NAME


def local_now() -> datetime:
    """The wall-clock time now, with the local UTC offset, to the second."""
    return datetime.now().astimezone().replace(microsecond=0)


# -- schema -------------------------------------------------------------------------------

# _MIGRATIONS[n] takes a database from user_version n to n + 1. Each runs in one
# transaction together with its user_version bump, so a failure leaves the old version.
# Never edit a released migration; add a new one.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            routine_id TEXT NOT NULL,
            routine_title TEXT NOT NULL,
            mode TEXT NOT NULL,
            state TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            checkpoint_at TEXT NOT NULL,
            current_index INTEGER NOT NULL DEFAULT 0,
            current_elapsed_s REAL NOT NULL DEFAULT 0,
            app_version TEXT NOT NULL,
            owner_pid INTEGER
        )""",
        "CREATE INDEX sessions_by_state ON sessions (state)",
        "CREATE INDEX sessions_by_routine ON sessions (routine_id)",
        """CREATE TABLE session_steps (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            technique_id TEXT NOT NULL,
            zone_ids TEXT NOT NULL,
            planned_s REAL NOT NULL,
            budget_s REAL NOT NULL,
            actual_s REAL NOT NULL DEFAULT 0,
            status TEXT NOT NULL,
            PRIMARY KEY (session_id, position)
        ) WITHOUT ROWID""",
        "CREATE INDEX session_steps_by_technique ON session_steps (technique_id)",
        """CREATE TABLE pauses (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            step_index INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT
        )""",
        "CREATE INDEX pauses_by_session ON pauses (session_id)",
        """CREATE TABLE pain_reports (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions (id) ON DELETE CASCADE,
            step_index INTEGER,
            zone_id TEXT,
            reported_at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX pain_reports_by_session ON pain_reports (session_id)",
        """CREATE TABLE practice_scores (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
            step_index INTEGER,
            technique_id TEXT NOT NULL,
            zone_id TEXT,
            recorded_at TEXT NOT NULL,
            score REAL NOT NULL CHECK (score >= 0 AND score <= 100),
            detail TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX practice_scores_by_session ON practice_scores (session_id)",
        "CREATE INDEX practice_scores_by_time ON practice_scores (recorded_at)",
    ),
)

SCHEMA_VERSION = len(_MIGRATIONS)
"""The history schema version this build reads and writes (``PRAGMA user_version``)."""


# -- values -------------------------------------------------------------------------------


class RunState(StrEnum):
    """How a recorded session ended (or that it has not)."""

    RUNNING = "running"
    """Being recorded now, or the app stopped without closing it (a crash)."""
    FINISHED = "finished"
    """Played to the end, or ended with Finish (steps not done count as skipped)."""
    STOPPED = "stopped"
    """Left before the end: another routine, start over, or the app was closed."""
    INTERRUPTED = "interrupted"
    """The app stopped in the middle and the session was not resumed."""

    @property
    def label(self) -> str:
        return _RUN_STATE_LABEL[self]


_RUN_STATE_LABEL = {
    RunState.RUNNING: "In progress",
    RunState.FINISHED: "Finished",
    RunState.STOPPED: "Stopped early",
    RunState.INTERRUPTED: "Interrupted",
}


class StoreStatus(StrEnum):
    RECORDING = "recording"
    """History is read and written."""
    READ_ONLY = "read-only"
    """History can be shown, but nothing new is recorded (see the message)."""
    UNAVAILABLE = "unavailable"
    """No history this time (see the message); sessions still run."""


@dataclass(frozen=True)
class OpenResult:
    """What happened when the store was opened; ``notice`` is for the user ("" if none)."""

    status: StoreStatus
    notice: str = ""
    moved_aside: Path | None = None
    """Where a damaged file was moved to, if it was."""


@dataclass(frozen=True)
class StepRow:
    """One step of a recorded session."""

    position: int
    technique_id: str
    zone_ids: tuple[str, ...]
    planned_s: float
    budget_s: float
    actual_s: float
    status: StepStatus

    def record(self) -> StepRecord:
        return StepRecord(
            index=self.position,
            planned_s=self.planned_s,
            budget_s=self.budget_s,
            actual_s=self.actual_s,
            status=self.status,
        )


@dataclass(frozen=True)
class SessionRow:
    """One recorded session with its totals."""

    id: int
    routine_id: str
    routine_title: str
    mode: SessionMode
    state: RunState
    started_at: datetime
    ended_at: datetime | None
    checkpoint_at: datetime
    """When the session was last written: its end, or where a crash cut it."""
    current_index: int
    current_elapsed_s: float
    """Running time of the current step's visit at the last checkpoint."""
    step_count: int
    steps_done: int
    steps_skipped: int
    planned_s: float
    actual_s: float
    """Time practised: running time over all steps (pauses excluded)."""
    pauses: int
    pain_reports: int
    mean_score: float | None
    owner_pid: int | None

    @property
    def day(self) -> date:
        """The local calendar day the session started on."""
        return self.started_at.date()


@dataclass(frozen=True)
class PauseRow:
    step_index: int
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class PainReport:
    id: int
    session_id: int | None
    step_index: int | None
    zone_id: str | None
    reported_at: datetime
    note: str


@dataclass(frozen=True)
class PracticeScore:
    id: int
    session_id: int | None
    step_index: int | None
    technique_id: str
    zone_id: str | None
    recorded_at: datetime
    score: float
    """0 to 100."""
    detail: str


@dataclass(frozen=True)
class SessionDetail:
    """A session with everything recorded about it."""

    session: SessionRow
    steps: tuple[StepRow, ...]
    pauses: tuple[PauseRow, ...]
    pain_reports: tuple[PainReport, ...]
    scores: tuple[PracticeScore, ...]

    def records(self) -> tuple[StepRecord, ...]:
        """The steps as engine records, for :meth:`SessionEngine.restore`."""
        return tuple(step.record() for step in self.steps)


@dataclass(frozen=True)
class Totals:
    sessions: int
    """Sessions with some practice time."""
    finished_sessions: int
    practice_s: float
    days_practised: int
    current_streak: int
    """Days in a row with practice, up to today (or yesterday: today is not over yet)."""
    longest_streak: int
    last_practice: date | None


@dataclass(frozen=True)
class TechniqueTime:
    technique_id: str
    seconds: float
    sessions: int


def streaks(days: Iterable[date], today: date) -> tuple[int, int]:
    """The current and the longest run of consecutive days in ``days``.

    The current run still counts when its last day is yesterday: a streak is only
    broken once a whole day has passed without practice.
    """
    longest = 0
    run = 0
    previous: date | None = None
    for day in sorted(set(days)):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = run if previous is not None and (today - previous).days <= 1 else 0
    return current, longest


# -- the store ----------------------------------------------------------------------------


def _open_connection(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit)."""
    if read_only:
        uri = path.resolve().as_uri() + "?mode=ro"
        connection = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=_BUSY_TIMEOUT_S)
    else:
        connection = sqlite3.connect(str(path), isolation_level=None, timeout=_BUSY_TIMEOUT_S)
    connection.row_factory = sqlite3.Row
    # A damaged file can hold text that is not UTF-8 (even in integrity_check's report);
    # decode it leniently so damage is detected and reported, never a UnicodeDecodeError.
    connection.text_factory = _lenient_text
    return connection


def _lenient_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Whether an error says the file itself is damaged (not locked, not unreadable)."""
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith(_DAMAGE_NAMES):
        return True
    return not name and not isinstance(exc, sqlite3.OperationalError)


def _reports_damage(exc: BaseException) -> bool:
    """Whether SQLite said, in use, that the file is damaged (a message it could not even
    put in UTF-8 counts: it quotes damaged schema text)."""
    if isinstance(exc, UnicodeDecodeError):
        return True
    return str(getattr(exc, "sqlite_errorname", "")).startswith(_DAMAGE_NAMES)


def _pid_alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill would end the process there
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but belongs to someone else
        return True
    return True


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _enum(kind: type[_E], value: object, default: _E) -> _E:
    """A stored enum value; a value this build does not know (newer file) gets ``default``."""
    try:
        return kind(str(value))
    except ValueError:
        return default


def _float(value: object) -> float:
    number = float(value) if isinstance(value, int | float) else 0.0
    return number if math.isfinite(number) else 0.0


_SESSION_COLUMNS = """
    s.id, s.routine_id, s.routine_title, s.mode, s.state, s.started_at, s.ended_at,
    s.checkpoint_at, s.current_index, s.current_elapsed_s, s.owner_pid,
    (SELECT COUNT(*) FROM session_steps t WHERE t.session_id = s.id) AS step_count,
    (SELECT COUNT(*) FROM session_steps t
        WHERE t.session_id = s.id AND t.status = 'done') AS steps_done,
    (SELECT COUNT(*) FROM session_steps t
        WHERE t.session_id = s.id AND t.status = 'skipped') AS steps_skipped,
    (SELECT COALESCE(SUM(t.planned_s), 0) FROM session_steps t
        WHERE t.session_id = s.id) AS planned_s,
    (SELECT COALESCE(SUM(t.actual_s), 0) FROM session_steps t
        WHERE t.session_id = s.id) AS actual_s,
    (SELECT COUNT(*) FROM pauses p WHERE p.session_id = s.id) AS pauses,
    (SELECT COUNT(*) FROM pain_reports r WHERE r.session_id = s.id) AS pain_reports,
    (SELECT AVG(c.score) FROM practice_scores c WHERE c.session_id = s.id) AS mean_score
"""


def _session_row(row: sqlite3.Row) -> SessionRow:
    ended = row["ended_at"]
    mean = row["mean_score"]
    return SessionRow(
        id=int(row["id"]),
        routine_id=str(row["routine_id"]),
        routine_title=str(row["routine_title"]),
        mode=_enum(SessionMode, row["mode"], SessionMode.PARTNER),
        state=_enum(RunState, row["state"], RunState.STOPPED),
        started_at=_parse_time(row["started_at"]),
        ended_at=_parse_time(ended) if ended else None,
        checkpoint_at=_parse_time(row["checkpoint_at"]),
        current_index=int(row["current_index"]),
        current_elapsed_s=_float(row["current_elapsed_s"]),
        step_count=int(row["step_count"]),
        steps_done=int(row["steps_done"]),
        steps_skipped=int(row["steps_skipped"]),
        planned_s=_float(row["planned_s"]),
        actual_s=_float(row["actual_s"]),
        pauses=int(row["pauses"]),
        pain_reports=int(row["pain_reports"]),
        mean_score=_float(mean) if mean is not None else None,
        owner_pid=int(row["owner_pid"]) if row["owner_pid"] is not None else None,
    )


def _score_row(row: sqlite3.Row) -> PracticeScore:
    return PracticeScore(
        id=int(row["id"]),
        session_id=row["session_id"],
        step_index=row["step_index"],
        technique_id=str(row["technique_id"]),
        zone_id=row["zone_id"],
        recorded_at=_parse_time(row["recorded_at"]),
        score=_float(row["score"]),
        detail=str(row["detail"]),
    )


class HistoryStore:
    """The practice history in one SQLite file. Opening it never raises.

    ``now`` gives the wall-clock time (tests pass a fixed one). Writes return ``None``
    or ``False`` once the store is not recording; :attr:`status` and :attr:`message`
    say why.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        now: Callable[[], datetime] = local_now,
    ) -> None:
        self._path = path if path is not None else default_history_path()
        self._now = now
        self._connection: sqlite3.Connection | None = None
        self._status = StoreStatus.UNAVAILABLE
        self._message = ""
        self.open_result = self._open()
        self._status = self.open_result.status
        self._message = self.open_result.notice

    # -- state --------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self._path

    @property
    def status(self) -> StoreStatus:
        return self._status

    @property
    def recording(self) -> bool:
        return self._status is StoreStatus.RECORDING

    @property
    def message(self) -> str:
        """Why the store is not recording (or cannot show history); "" when all is well."""
        return self._message

    def now(self) -> datetime:
        """The wall-clock time as the store records it (tests give the store a fixed one)."""
        return self._now()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._status = StoreStatus.UNAVAILABLE

    # -- opening ------------------------------------------------------------------------

    def _open(self) -> OpenResult:
        path = self._path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return OpenResult(
                StoreStatus.UNAVAILABLE,
                f"Practice history is off: its folder {path.parent} cannot be created "
                f"({exc.strerror or exc}). Sessions still run; they are just not recorded.",
            )
        moved: Path | None = None
        version = 0
        if path.exists():
            checked = self._check_existing()
            if isinstance(checked, OpenResult):
                return checked
            if checked is None:
                try:
                    moved = self._move_aside()
                    self._clear_check_mark()  # it was about the file set aside
                except OSError as exc:
                    return OpenResult(
                        StoreStatus.UNAVAILABLE,
                        f"The practice history file {path} is damaged and could not be "
                        f"moved out of the way ({exc.strerror or exc}). History is off for "
                        "now; sessions still run.",
                    )
            else:
                version = checked
        # Read at run time, not from SCHEMA_VERSION, so tests can add a migration.
        latest = len(_MIGRATIONS)
        if version > latest:
            return self._open_newer()
        fresh_notice = (
            f"The practice history file was damaged, so it was set aside as {moved.name} "
            f"in {moved.parent} and a new, empty history was started. Nothing was "
            "deleted."
            if moved is not None
            else ""
        )
        try:
            connection = _open_connection(path, read_only=False)
        except sqlite3.Error as exc:
            return OpenResult(StoreStatus.UNAVAILABLE, self._write_problem(exc), moved)
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL: a commit survives an app crash or kill; only a power cut
            # can lose the last few, which a checkpoint every few seconds can afford.
            connection.execute("PRAGMA synchronous = NORMAL")
            self._migrate(connection)
            # Find out now, not mid-session, whether the file can be written at all
            # (a read-only folder or file, a full disk): rewrite the version it has.
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(f"PRAGMA user_version = {latest:d}")
            connection.execute("COMMIT")
        except sqlite3.Error as exc:
            connection.close()
            self._note_damage(exc)
            problem = self._write_problem(exc)
            if version == latest:
                # The history is there but cannot be written: show it, record nothing.
                try:
                    self._connection = _open_connection(path, read_only=True)
                except sqlite3.Error:
                    return OpenResult(StoreStatus.UNAVAILABLE, problem, moved)
                return OpenResult(StoreStatus.READ_ONLY, problem, moved)
            return OpenResult(StoreStatus.UNAVAILABLE, problem, moved)
        self._connection = connection
        return OpenResult(StoreStatus.RECORDING, fresh_notice, moved)

    def _check_existing(self) -> int | OpenResult | None:
        """The user_version of a sound existing file; None when it is damaged.

        Read through a read-only connection, so a file from a newer app is never changed.
        """
        full = self._full_check_due()
        try:
            connection = _open_connection(self._path, read_only=True)
        except sqlite3.Error as exc:
            return OpenResult(StoreStatus.UNAVAILABLE, self._read_problem_text(exc))
        try:
            check = "integrity_check" if full else "quick_check"
            rows = connection.execute(f"PRAGMA {check}").fetchall()
            if [tuple(row) for row in rows] != [("ok",)]:
                return None
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            if _is_damage(exc):
                return None
            return OpenResult(StoreStatus.UNAVAILABLE, self._read_problem_text(exc))
        except UnicodeDecodeError:
            # SQLite reports damaged schema text in its own error messages, which Python
            # then cannot decode: that is damage too.
            return None
        finally:
            connection.close()
        if full:
            self._clear_check_mark()
        return version

    def _full_check_due(self) -> bool:
        """Whether opening the existing file runs the full integrity check rather than
        the quick one: the last run did not close the file (its ``-wal`` or ``-journal``
        is left, after a crash, a kill or a power cut, or while another window has it
        open), or SQLite reported damage while it was in use."""
        path = self._path
        try:
            for suffix in ("-wal", "-journal"):
                left = path.with_name(path.name + suffix)
                if left.exists() and left.stat().st_size > 0:
                    return True
            return self._check_mark().exists()
        except OSError:
            return True

    def _check_mark(self) -> Path:
        return self._path.with_name(self._path.name + CHECK_MARK_SUFFIX)

    def _clear_check_mark(self) -> None:
        with contextlib.suppress(OSError):
            self._check_mark().unlink(missing_ok=True)

    def _note_damage(self, exc: BaseException) -> None:
        """SQLite found damage in use: have the next opening check the file in full."""
        if _reports_damage(exc):
            with contextlib.suppress(OSError):
                self._check_mark().touch()

    def _open_newer(self) -> OpenResult:
        notice = (
            "Your practice history was saved by a newer version of Massage Trainer. "
            "It is left exactly as it is: this version can show it but records nothing "
            "new. Update the app to keep recording."
        )
        try:
            connection = _open_connection(self._path, read_only=True)
            connection.execute("PRAGMA query_only = ON")
        except sqlite3.Error:
            return OpenResult(
                StoreStatus.UNAVAILABLE,
                "Your practice history was saved by a newer version of Massage Trainer "
                "and cannot be read by this one. It is left untouched.",
            )
        self._connection = connection
        return OpenResult(StoreStatus.READ_ONLY, notice)

    def _move_aside(self) -> Path:
        """Rename the damaged file (and its -wal/-shm) to history.corrupt-<time>.sqlite3."""
        stamp = self._now().strftime("%Y%m%d-%H%M%S")
        path = self._path
        target = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}")
        counter = 1
        while target.exists():
            target = path.with_name(f"{path.stem}.corrupt-{stamp}-{counter}{path.suffix}")
            counter += 1
        os.replace(path, target)
        for extra in ("-wal", "-shm", "-journal"):
            companion = path.with_name(path.name + extra)
            if companion.exists():
                os.replace(companion, target.with_name(target.name + extra))
        return target

    @staticmethod
    def _migrate(connection: sqlite3.Connection) -> None:
        """Run each pending migration in its own transaction with its version bump."""
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        for target in range(version + 1, len(_MIGRATIONS) + 1):
            connection.execute("BEGIN IMMEDIATE")
            try:
                for statement in _MIGRATIONS[target - 1]:
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {target:d}")
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise

    # -- problems -----------------------------------------------------------------------

    def _write_problem(self, exc: sqlite3.Error) -> str:
        name = getattr(exc, "sqlite_errorname", "")
        folder = self._path.parent
        if _reports_damage(exc):
            return (
                f"Practice history is not being recorded: the history file is damaged "
                f"({exc}). The session goes on as usual. {_NEXT_START_CHECKS}"
            )
        if name.startswith("SQLITE_FULL"):
            reason = "the disk is full"
        elif name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")):
            reason = f"the data folder {folder} cannot be written to"
        else:
            reason = f"the history file could not be written ({exc})"
        return (
            f"Practice history is not being recorded: {reason}. The session goes on as "
            "usual; restart the app once that is fixed to record again."
        )

    def _read_problem_text(self, exc: Exception) -> str:
        if _reports_damage(exc):
            return (
                f"Practice history cannot be read: the history file is damaged ({exc}). "
                f"Sessions still run. {_NEXT_START_CHECKS}"
            )
        return f"Practice history cannot be read right now ({exc}). Sessions still run."

    def _write(self, work: Callable[[sqlite3.Connection], _T]) -> _T | None:
        """Run ``work`` in one transaction; on failure stop recording and return None."""
        connection = self._connection
        if connection is None or self._status is not StoreStatus.RECORDING:
            return None
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(connection)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    # The original error is the one worth reporting.
                    with contextlib.suppress(sqlite3.Error):
                        connection.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            name = getattr(exc, "sqlite_errorname", "")
            if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                return None  # another window holds the lock: the next checkpoint catches up
            self._note_damage(exc)
            self._status = StoreStatus.READ_ONLY
            self._message = self._write_problem(exc)
            return None
        return result

    def _read(self, work: Callable[[sqlite3.Connection], _T], default: _T) -> _T:
        """Run a query; a file this build cannot read gives ``default`` and a message."""
        connection = self._connection
        if connection is None:
            return default
        try:
            return work(connection)
        except (sqlite3.Error, ValueError, TypeError, IndexError, KeyError) as exc:
            if _reports_damage(exc):
                self._note_damage(exc)
                if self._status is StoreStatus.RECORDING:
                    # Nothing more is written into a file SQLite calls damaged, so what
                    # is saved stays as it is until the next start sets it aside.
                    self._status = StoreStatus.READ_ONLY
                    self._message = self._read_problem_text(exc)
            if not self._message:
                self._message = self._read_problem_text(exc)
            return default

    # -- writing a session --------------------------------------------------------------

    def begin_session(
        self, routine: Routine, mode: SessionMode, *, started_at: datetime | None = None
    ) -> int | None:
        """Record a new running session of ``routine``; its id, or None when not recording.

        None while :attr:`recording` stays true means another process held the file's lock:
        try again later, with ``started_at`` the time of the first try.
        """
        now = _iso(self._now())
        started = _iso(started_at) if started_at is not None else now

        def work(connection: sqlite3.Connection) -> int:
            cursor = connection.execute(
                "INSERT INTO sessions (routine_id, routine_title, mode, state, started_at, "
                "checkpoint_at, app_version, owner_pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    routine.id,
                    routine.title,
                    mode.value,
                    RunState.RUNNING.value,
                    started,
                    now,
                    __version__,
                    os.getpid(),
                ),
            )
            session_id = cursor.lastrowid
            assert session_id is not None
            connection.executemany(
                "INSERT INTO session_steps (session_id, position, technique_id, zone_ids, "
                "planned_s, budget_s, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        session_id,
                        position,
                        step.technique,
                        " ".join(step.zones),
                        float(step.duration_s),
                        float(step.duration_s),
                        (StepStatus.CURRENT if position == 0 else StepStatus.PENDING).value,
                    )
                    for position, step in enumerate(routine.steps)
                ],
            )
            return session_id

        return self._write(work)

    def checkpoint(
        self, session_id: int, snapshot: Snapshot, records: Sequence[StepRecord]
    ) -> bool:
        """Save where a session is (one short transaction). False when not recorded.

        A pause is opened when ``snapshot`` is paused and none is open, and closed when
        it runs again, so the caller needs no pause bookkeeping of its own.
        """
        now = _iso(self._now())

        def work(connection: sqlite3.Connection) -> bool:
            self._save_progress(connection, session_id, snapshot, records, now)
            return True

        return bool(self._write(work))

    def finish_session(
        self, session_id: int, snapshot: Snapshot, records: Sequence[StepRecord]
    ) -> bool:
        """Save the final state of a session played to the end (or ended with Finish)."""
        return self._end(session_id, RunState.FINISHED, snapshot, records)

    def stop_session(
        self,
        session_id: int,
        snapshot: Snapshot | None = None,
        records: Sequence[StepRecord] = (),
    ) -> bool:
        """Close a session left before its end. One with no practice time is dropped."""
        return self._end(session_id, RunState.STOPPED, snapshot, records, drop_if_empty=True)

    def mark_interrupted(self, session_id: int) -> bool:
        """Keep a session that a crash cut short as interrupted, ended at its last checkpoint."""

        def work(connection: sqlite3.Connection) -> bool:
            connection.execute(
                "UPDATE pauses SET ended_at = (SELECT checkpoint_at FROM sessions WHERE id = ?) "
                "WHERE session_id = ? AND ended_at IS NULL",
                (session_id, session_id),
            )
            cursor = connection.execute(
                "UPDATE sessions SET state = ?, ended_at = checkpoint_at, owner_pid = NULL "
                "WHERE id = ?",
                (RunState.INTERRUPTED.value, session_id),
            )
            return cursor.rowcount == 1

        return bool(self._write(work))

    def reopen_session(self, session_id: int) -> bool:
        """Make a recorded session the running one again (resumed after a crash, or
        re-opened after its finish); this process becomes its owner."""
        now = _iso(self._now())

        def work(connection: sqlite3.Connection) -> bool:
            # A pause a crash cut short ended with the app: the hours until the session
            # was resumed are not a pause (the resumed session's own pause follows).
            connection.execute(
                "UPDATE pauses SET ended_at = (SELECT checkpoint_at FROM sessions WHERE id = ?) "
                "WHERE session_id = ? AND ended_at IS NULL",
                (session_id, session_id),
            )
            cursor = connection.execute(
                "UPDATE sessions SET state = ?, ended_at = NULL, checkpoint_at = ?, "
                "owner_pid = ? WHERE id = ?",
                (RunState.RUNNING.value, now, os.getpid(), session_id),
            )
            return cursor.rowcount == 1

        return bool(self._write(work))

    def record_pain(
        self,
        session_id: int | None,
        step_index: int | None = None,
        *,
        zone_id: str | None = None,
        note: str = "",
    ) -> int | None:
        """Record that the partner reported pain; the report's id, or None."""
        now = _iso(self._now())

        def work(connection: sqlite3.Connection) -> int | None:
            cursor = connection.execute(
                "INSERT INTO pain_reports (session_id, step_index, zone_id, reported_at, note) "
                "VALUES (?, ?, ?, ?, ?)",
                (session_id, step_index, zone_id, now, note[:2000]),
            )
            return cursor.lastrowid

        return self._write(work)

    def record_score(
        self,
        technique_id: str,
        score: float,
        *,
        session_id: int | None = None,
        step_index: int | None = None,
        zone_id: str | None = None,
        detail: str = "",
    ) -> int | None:
        """Record a practice score (0-100, clamped) for a traced stroke or step."""
        if not math.isfinite(score):
            raise ValueError(f"a score must be finite, got {score}")
        value = min(max(float(score), 0.0), 100.0)
        now = _iso(self._now())

        def work(connection: sqlite3.Connection) -> int | None:
            cursor = connection.execute(
                "INSERT INTO practice_scores (session_id, step_index, technique_id, zone_id, "
                "recorded_at, score, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, step_index, technique_id, zone_id, now, value, detail[:2000]),
            )
            return cursor.lastrowid

        return self._write(work)

    def _end(
        self,
        session_id: int,
        state: RunState,
        snapshot: Snapshot | None,
        records: Sequence[StepRecord],
        *,
        drop_if_empty: bool = False,
    ) -> bool:
        now = _iso(self._now())

        def work(connection: sqlite3.Connection) -> bool:
            if snapshot is not None:
                self._save_progress(connection, session_id, snapshot, records, now)
            connection.execute(
                "UPDATE pauses SET ended_at = ? WHERE session_id = ? AND ended_at IS NULL",
                (now, session_id),
            )
            if drop_if_empty:
                practised = connection.execute(
                    "SELECT COALESCE(SUM(actual_s), 0) FROM session_steps WHERE session_id = ?",
                    (session_id,),
                ).fetchone()[0]
                events = connection.execute(
                    "SELECT (SELECT COUNT(*) FROM pain_reports WHERE session_id = ?) + "
                    "(SELECT COUNT(*) FROM practice_scores WHERE session_id = ?)",
                    (session_id, session_id),
                ).fetchone()[0]
                if practised < 0.5 and not events:
                    # A start that was taken back at once is not practice worth listing.
                    connection.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
                    return True
            cursor = connection.execute(
                "UPDATE sessions SET state = ?, ended_at = ?, checkpoint_at = ?, "
                "owner_pid = NULL WHERE id = ?",
                (state.value, now, now, session_id),
            )
            return cursor.rowcount == 1

        return bool(self._write(work))

    @staticmethod
    def _save_progress(
        connection: sqlite3.Connection,
        session_id: int,
        snapshot: Snapshot,
        records: Sequence[StepRecord],
        now: str,
    ) -> None:
        connection.execute(
            "UPDATE sessions SET checkpoint_at = ?, current_index = ?, current_elapsed_s = ? "
            "WHERE id = ?",
            (now, snapshot.index, max(snapshot.elapsed_s, 0.0), session_id),
        )
        connection.executemany(
            "UPDATE session_steps SET budget_s = ?, actual_s = ?, status = ? "
            "WHERE session_id = ? AND position = ?",
            [
                (record.budget_s, record.actual_s, record.status.value, session_id, record.index)
                for record in records
            ],
        )
        open_pause = connection.execute(
            "SELECT id FROM pauses WHERE session_id = ? AND ended_at IS NULL", (session_id,)
        ).fetchone()
        if snapshot.state is SessionState.PAUSED and open_pause is None:
            connection.execute(
                "INSERT INTO pauses (session_id, step_index, started_at) VALUES (?, ?, ?)",
                (session_id, snapshot.index, now),
            )
        elif snapshot.state is not SessionState.PAUSED and open_pause is not None:
            connection.execute("UPDATE pauses SET ended_at = ? WHERE id = ?", (now, open_pause[0]))

    # -- reading ------------------------------------------------------------------------

    def sessions(self, routine_id: str | None = None) -> tuple[SessionRow, ...]:
        """Recorded sessions, newest first; only those of ``routine_id`` if given."""

        def work(connection: sqlite3.Connection) -> tuple[SessionRow, ...]:
            where, params = ("WHERE s.routine_id = ?", (routine_id,)) if routine_id else ("", ())
            rows = connection.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions s {where} ORDER BY s.id DESC", params
            ).fetchall()
            return tuple(_session_row(row) for row in rows)

        return self._read(work, ())

    def unfinished_sessions(self, *, include_live: bool = False) -> tuple[SessionRow, ...]:
        """Sessions still marked running, newest first: a crash or kill left them open.

        Unless ``include_live``, a session another running copy of the app is recording
        now (its process alive and writing within :data:`LIVE_OWNER_S`) is left out.
        """

        def work(connection: sqlite3.Connection) -> tuple[SessionRow, ...]:
            rows = connection.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.state = ? ORDER BY s.id DESC",
                (RunState.RUNNING.value,),
            ).fetchall()
            return tuple(_session_row(row) for row in rows)

        none: tuple[SessionRow, ...] = ()
        found = self._read(work, none)
        if include_live:
            return found
        return tuple(session for session in found if not self._is_live_elsewhere(session))

    def _is_live_elsewhere(self, session: SessionRow) -> bool:
        pid = session.owner_pid
        if pid is None or pid == os.getpid() or not _pid_alive(pid):
            return False
        age = (self._now() - session.checkpoint_at).total_seconds()
        return age < LIVE_OWNER_S

    def session(self, session_id: int) -> SessionRow | None:
        def work(connection: sqlite3.Connection) -> SessionRow | None:
            row = connection.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.id = ?", (session_id,)
            ).fetchone()
            return _session_row(row) if row is not None else None

        return self._read(work, None)

    def session_detail(self, session_id: int) -> SessionDetail | None:
        """Everything recorded about one session, or None if there is no such session."""

        def work(connection: sqlite3.Connection) -> SessionDetail | None:
            row = connection.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.id = ?", (session_id,)
            ).fetchone()
            if row is None:
                return None
            steps = tuple(
                StepRow(
                    position=int(step["position"]),
                    technique_id=str(step["technique_id"]),
                    zone_ids=tuple(str(step["zone_ids"]).split()),
                    planned_s=_float(step["planned_s"]),
                    budget_s=_float(step["budget_s"]),
                    actual_s=_float(step["actual_s"]),
                    status=_enum(StepStatus, step["status"], StepStatus.PENDING),
                )
                for step in connection.execute(
                    "SELECT * FROM session_steps WHERE session_id = ? ORDER BY position",
                    (session_id,),
                )
            )
            pauses = tuple(
                PauseRow(
                    step_index=int(pause["step_index"]),
                    started_at=_parse_time(pause["started_at"]),
                    ended_at=_parse_time(pause["ended_at"]) if pause["ended_at"] else None,
                )
                for pause in connection.execute(
                    "SELECT * FROM pauses WHERE session_id = ? ORDER BY id", (session_id,)
                )
            )
            pain = tuple(
                PainReport(
                    id=int(report["id"]),
                    session_id=report["session_id"],
                    step_index=report["step_index"],
                    zone_id=report["zone_id"],
                    reported_at=_parse_time(report["reported_at"]),
                    note=str(report["note"]),
                )
                for report in connection.execute(
                    "SELECT * FROM pain_reports WHERE session_id = ? ORDER BY id", (session_id,)
                )
            )
            scores = tuple(
                _score_row(score)
                for score in connection.execute(
                    "SELECT * FROM practice_scores WHERE session_id = ? ORDER BY id",
                    (session_id,),
                )
            )
            return SessionDetail(_session_row(row), steps, pauses, pain, scores)

        return self._read(work, None)

    def totals(self, routine_id: str | None = None, *, today: date | None = None) -> Totals:
        """Sessions, practice time, days and streaks (of ``routine_id`` if given)."""
        practised = [row for row in self.sessions(routine_id) if row.actual_s > 0.0]
        days = {row.day for row in practised}
        current, longest = streaks(days, today if today is not None else self._now().date())
        return Totals(
            sessions=len(practised),
            finished_sessions=sum(row.state is RunState.FINISHED for row in practised),
            practice_s=sum(row.actual_s for row in practised),
            days_practised=len(days),
            current_streak=current,
            longest_streak=longest,
            last_practice=max(days) if days else None,
        )

    def practice_time_by_technique(
        self, routine_id: str | None = None
    ) -> tuple[TechniqueTime, ...]:
        """Time practised per technique over all sessions, most practised first."""

        def work(connection: sqlite3.Connection) -> tuple[TechniqueTime, ...]:
            where = "AND s.routine_id = ?" if routine_id else ""
            params: tuple[Any, ...] = (routine_id,) if routine_id else ()
            rows = connection.execute(
                "SELECT t.technique_id, SUM(t.actual_s) AS seconds, "
                "COUNT(DISTINCT t.session_id) AS sessions "
                "FROM session_steps t JOIN sessions s ON s.id = t.session_id "
                f"WHERE t.actual_s > 0 {where} "
                "GROUP BY t.technique_id ORDER BY seconds DESC, t.technique_id",
                params,
            ).fetchall()
            return tuple(TechniqueTime(str(row[0]), _float(row[1]), int(row[2])) for row in rows)

        return self._read(work, ())

    def scores(self, technique_id: str | None = None) -> tuple[PracticeScore, ...]:
        """Practice scores over time, oldest first; only ``technique_id``'s if given."""

        def work(connection: sqlite3.Connection) -> tuple[PracticeScore, ...]:
            where = "WHERE technique_id = ?" if technique_id else ""
            params: tuple[Any, ...] = (technique_id,) if technique_id else ()
            rows = connection.execute(
                f"SELECT * FROM practice_scores {where} ORDER BY recorded_at, id", params
            ).fetchall()
            return tuple(_score_row(row) for row in rows)

        return self._read(work, ())

    # -- export -------------------------------------------------------------------------

    CSV_COLUMNS = (
        "session_id",
        "date",
        "started_at",
        "ended_at",
        "routine_id",
        "routine",
        "mode",
        "session_state",
        "step",
        "technique_id",
        "technique",
        "zones",
        "zone_names",
        "planned_s",
        "budget_s",
        "actual_s",
        "step_status",
        "pain_reports",
        "mean_score",
        "session_pauses",
    )
    """One row per step of every session: easy to filter and pivot in a spreadsheet. A
    practice score traced while no session was open has a row of its own, with the mode
    ``practice`` and no session, routine or step.

    ``technique_id`` and ``zones`` (ids, separated by spaces) are for tools; beside them
    ``technique`` and ``zone_names`` (separated by "; ") are for people. A technique or
    zone the content library no longer has keeps its id and gets no name."""

    def export_csv(self, path: Path, library: ContentLibrary | None = None) -> int | None:
        """Write the whole history to ``path`` as CSV (see :attr:`CSV_COLUMNS`); the row count.

        The technique and zone names come from ``library``; without one they are empty.

        The file is UTF-8 with a byte-order mark (read it with ``encoding="utf-8-sig"``).
        It is written next to ``path`` first and then moved in place, so a failed
        export never leaves half a file. Raises :class:`OSError` when it cannot be written.
        Returns None, and writes nothing, when there is no history to read (:attr:`message`
        says why): an empty file must never pass for a copy of the history.
        """

        techniques = library.techniques if library is not None else {}
        zones = library.zones if library is not None else {}

        def technique_name(technique_id: str) -> str:
            technique = techniques.get(technique_id)
            return technique.name if technique is not None else ""

        def zone_names(zone_ids: str) -> str:
            return "; ".join(zones[z].name for z in zone_ids.split() if z in zones)

        def work(connection: sqlite3.Connection) -> list[list[object]]:
            pain = {
                (int(row[0]), int(row[1])): int(row[2])
                for row in connection.execute(
                    "SELECT session_id, step_index, COUNT(*) FROM pain_reports "
                    "WHERE session_id IS NOT NULL AND step_index IS NOT NULL "
                    "GROUP BY session_id, step_index"
                )
            }
            score = {
                (int(row[0]), int(row[1])): _float(row[2])
                for row in connection.execute(
                    "SELECT session_id, step_index, AVG(score) FROM practice_scores "
                    "WHERE session_id IS NOT NULL AND step_index IS NOT NULL "
                    "GROUP BY session_id, step_index"
                )
            }
            sessions = {
                row.id: row
                for row in (
                    _session_row(r)
                    for r in connection.execute(f"SELECT {_SESSION_COLUMNS} FROM sessions s")
                )
            }
            lines: list[list[object]] = []
            for step in connection.execute(
                "SELECT * FROM session_steps ORDER BY session_id, position"
            ):
                session = sessions.get(int(step["session_id"]))
                if session is None:
                    continue
                key = (session.id, int(step["position"]))
                mean = score.get(key)
                lines.append(
                    [
                        session.id,
                        session.day.isoformat(),
                        _iso(session.started_at),
                        _iso(session.ended_at) if session.ended_at else "",
                        session.routine_id,
                        session.routine_title,
                        session.mode.value,
                        session.state.value,
                        int(step["position"]) + 1,
                        step["technique_id"],
                        technique_name(str(step["technique_id"])),
                        step["zone_ids"],
                        zone_names(str(step["zone_ids"])),
                        round(_float(step["planned_s"]), 1),
                        round(_float(step["budget_s"]), 1),
                        round(_float(step["actual_s"]), 1),
                        step["status"],
                        pain.get(key, 0),
                        round(mean, 1) if mean is not None else "",
                        session.pauses,
                    ]
                )
            for row in connection.execute(
                "SELECT * FROM practice_scores WHERE session_id IS NULL ORDER BY recorded_at, id"
            ):
                practice = _score_row(row)
                when = practice.recorded_at
                lines.append(
                    ["", when.date().isoformat(), _iso(when), "", "", "", "practice", "", ""]
                    + [practice.technique_id, technique_name(practice.technique_id)]
                    + [practice.zone_id or "", zone_names(practice.zone_id or "")]
                    + ["", "", "", "", ""]
                    + [round(practice.score, 1), ""]
                )
            return lines

        if self._connection is None:
            return None
        lines = self._read(work, None)
        if lines is None:
            return None
        temporary = path.with_name(f".{path.name}.part")
        try:
            # With a byte-order mark, so spreadsheet programs (Excel) read the file as
            # UTF-8 and show accented routine titles as they are.
            with temporary.open("w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow(self.CSV_COLUMNS)
                for line in lines:
                    writer.writerow([_csv_cell(value) for value in line])
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)
            raise
        return len(lines)


def _csv_cell(value: object) -> object:
    """Routine titles come from shared files: never let one become a spreadsheet formula."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value
