"""The practice history store: schema, checkpoints, totals, export and every fault path."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from massage_trainer.domain import history
from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.history import (
    SCHEMA_VERSION,
    HistoryStore,
    RunState,
    StoreStatus,
    default_history_path,
    streaks,
)
from massage_trainer.domain.models import Routine
from massage_trainer.domain.screening import SessionMode
from massage_trainer.domain.session import FakeClock, SessionEngine, StepStatus

ROUTINE = "classic-home"
OTHER = "lower-back-relief"


class WallClock:
    """A wall clock for the store that moves only when told to."""

    def __init__(self) -> None:
        self.moment = datetime(2025, 3, 10, 19, 0, 0, tzinfo=timezone(timedelta(hours=1)))

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


class Run:
    """A routine being practised: an engine on a fake clock, recorded into a store."""

    def __init__(self, store: HistoryStore, routine: Routine, wall: WallClock) -> None:
        self.store = store
        self.wall = wall
        self.clock = FakeClock(0.0)
        self.engine = SessionEngine(
            [float(step.duration_s) for step in routine.steps], self.clock, get_ready_s=0.0
        )
        session_id = store.begin_session(routine, SessionMode.PARTNER)
        assert session_id is not None
        self.id = session_id
        self.engine.start()

    def run(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.wall.advance(seconds=seconds)
        self.engine.update()

    def checkpoint(self) -> bool:
        return self.store.checkpoint(self.id, self.engine.snapshot(), self.engine.records())

    def finish(self) -> None:
        self.engine.finish()
        assert self.store.finish_session(self.id, self.engine.snapshot(), self.engine.records())


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


@pytest.fixture
def store(path: Path, wall: WallClock) -> Iterator[HistoryStore]:
    opened = HistoryStore(path, now=wall)
    yield opened
    opened.close()


def _user_version(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("PRAGMA user_version").fetchone()[0])
    finally:
        connection.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- opening and migrations ------------------------------------------------------------


def test_default_path_is_in_the_user_data_dir(tmp_path: Path) -> None:
    assert default_history_path() == tmp_path / "user-data" / "history.sqlite3"


def test_a_fresh_store_is_created_in_wal_mode_at_the_current_version(
    store: HistoryStore, path: Path
) -> None:
    assert store.status is StoreStatus.RECORDING
    assert store.open_result.notice == ""
    assert path.exists()
    assert _user_version(path) == SCHEMA_VERSION
    connection = sqlite3.connect(path)
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    connection.close()
    assert {"sessions", "session_steps", "pauses", "pain_reports", "practice_scores"} <= tables
    assert mode == "wal"


def test_a_new_migration_upgrades_and_keeps_the_data(
    path: Path, wall: WallClock, library: ContentLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = HistoryStore(path, now=wall)
    Run(first, library.routines[ROUTINE], wall).run(30.0)
    first.close()
    monkeypatch.setattr(
        history,
        "_MIGRATIONS",
        (*history._MIGRATIONS, ("ALTER TABLE sessions ADD COLUMN comment TEXT",)),
    )
    upgraded = HistoryStore(path, now=wall)
    assert upgraded.status is StoreStatus.RECORDING
    assert _user_version(path) == SCHEMA_VERSION + 1
    assert [row.routine_id for row in upgraded.sessions()] == [ROUTINE]
    upgraded.close()


def test_a_failing_migration_changes_nothing(
    path: Path, wall: WallClock, library: ContentLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = HistoryStore(path, now=wall)
    Run(first, library.routines[ROUTINE], wall)
    first.close()
    broken = ("CREATE TABLE half_done (x INTEGER)", "THIS IS NOT SQL")
    monkeypatch.setattr(history, "_MIGRATIONS", (*history._MIGRATIONS, broken))

    store = HistoryStore(path, now=wall)

    assert store.status is StoreStatus.UNAVAILABLE
    assert "not being recorded" in store.message
    assert store.begin_session(library.routines[ROUTINE], SessionMode.PARTNER) is None
    assert _user_version(path) == SCHEMA_VERSION
    connection = sqlite3.connect(path)
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    count = connection.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    connection.close()
    assert "half_done" not in tables  # rolled back with the version bump
    assert count == 1


# -- recording a session ----------------------------------------------------------------


def test_checkpoints_save_steps_position_and_pauses(
    store: HistoryStore, wall: WallClock, library: ContentLibrary
) -> None:
    routine = library.routines[ROUTINE]
    run = Run(store, routine, wall)
    first = routine.steps[0].duration_s
    run.run(first + 20.0)  # into step 2
    assert run.checkpoint()
    run.engine.pause()
    assert run.checkpoint()
    run.wall.advance(minutes=3)
    run.engine.start()
    assert run.checkpoint()  # as the recorder does at each change of state
    run.run(5.0)
    assert run.checkpoint()

    detail = store.session_detail(run.id)
    assert detail is not None
    session = detail.session
    assert session.state is RunState.RUNNING
    assert session.mode is SessionMode.PARTNER
    assert session.current_index == 1
    assert session.current_elapsed_s == pytest.approx(25.0)
    assert session.actual_s == pytest.approx(first + 25.0)
    assert session.planned_s == routine.total_seconds
    assert [step.status for step in detail.steps[:3]] == [
        StepStatus.DONE,
        StepStatus.CURRENT,
        StepStatus.PENDING,
    ]
    assert [step.technique_id for step in detail.steps] == [s.technique for s in routine.steps]
    assert detail.steps[0].zone_ids == routine.steps[0].zones
    assert len(detail.pauses) == 1
    pause = detail.pauses[0]
    assert pause.step_index == 1
    assert pause.ended_at is not None
    assert (pause.ended_at - pause.started_at) == timedelta(minutes=3)
    # What resume needs: the engine's own records back.
    assert detail.records() == run.engine.records()


def test_finished_sessions_are_listed_newest_first_and_filter_by_routine(
    store: HistoryStore, wall: WallClock, library: ContentLibrary
) -> None:
    first = Run(store, library.routines[ROUTINE], wall)
    first.run(100.0)
    first.finish()
    wall.advance(hours=2)
    second = Run(store, library.routines[OTHER], wall)
    second.run(40.0)
    second.finish()

    rows = store.sessions()
    assert [row.routine_id for row in rows] == [OTHER, ROUTINE]
    assert all(row.state is RunState.FINISHED for row in rows)
    assert rows[1].ended_at == rows[1].started_at + timedelta(seconds=100)
    assert rows[1].steps_done == 1  # the first step (180 s) was more than half done
    assert rows[1].steps_skipped == len(library.routines[ROUTINE].steps) - 1
    assert [row.id for row in store.sessions(OTHER)] == [second.id]
    assert store.unfinished_sessions() == ()


def test_stopping_keeps_practice_but_drops_a_start_taken_back(
    store: HistoryStore, wall: WallClock, library: ContentLibrary
) -> None:
    kept = Run(store, library.routines[ROUTINE], wall)
    kept.run(12.0)
    assert store.stop_session(kept.id, kept.engine.snapshot(), kept.engine.records())
    dropped = Run(store, library.routines[ROUTINE], wall)
    assert store.stop_session(dropped.id, dropped.engine.snapshot(), dropped.engine.records())

    rows = store.sessions()
    assert [(row.id, row.state) for row in rows] == [(kept.id, RunState.STOPPED)]


def test_unfinished_sessions_and_marking_one_interrupted(
    store: HistoryStore, wall: WallClock, library: ContentLibrary
) -> None:
    run = Run(store, library.routines[ROUTINE], wall)
    run.run(30.0)
    run.checkpoint()
    checkpoint_at = wall.moment
    wall.advance(minutes=10)  # the app was dead for a while

    unfinished = store.unfinished_sessions()
    assert [row.id for row in unfinished] == [run.id]
    assert unfinished[0].checkpoint_at == checkpoint_at

    assert store.mark_interrupted(run.id)
    row = store.sessions()[0]
    assert row.state is RunState.INTERRUPTED
    assert row.ended_at == checkpoint_at
    assert row.actual_s == pytest.approx(30.0)
    assert store.unfinished_sessions() == ()


def test_a_session_another_open_window_is_recording_is_not_offered(
    store: HistoryStore, path: Path, wall: WallClock, library: ContentLibrary
) -> None:
    run = Run(store, library.routines[ROUTINE], wall)
    alive_elsewhere = os.getppid()  # a live process that is not this one
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE sessions SET owner_pid = ?", (alive_elsewhere,))
    connection.close()

    assert store.unfinished_sessions() == ()
    assert [row.id for row in store.unfinished_sessions(include_live=True)] == [run.id]
    # Once it has not written for a while, it is taken for a crash after all.
    wall.advance(seconds=history.LIVE_OWNER_S + 1)
    assert [row.id for row in store.unfinished_sessions()] == [run.id]


def test_reopening_makes_a_session_running_again(
    store: HistoryStore, wall: WallClock, library: ContentLibrary
) -> None:
    run = Run(store, library.routines[ROUTINE], wall)
    run.run(30.0)
    run.checkpoint()
    store.mark_interrupted(run.id)
    assert store.reopen_session(run.id)
    row = store.sessions()[0]
    assert row.state is RunState.RUNNING
    assert row.ended_at is None
    assert row.owner_pid == os.getpid()


def test_pain_reports_and_scores_are_kept_with_the_session(
    store: HistoryStore, wall: WallClock, library: ContentLibrary
) -> None:
    run = Run(store, library.routines[ROUTINE], wall)
    assert store.record_pain(run.id, 0, zone_id="lower-back-left", note="too firm") is not None
    wall.advance(minutes=1)
    store.record_score("open-palm-stroking", 72.5, session_id=run.id, step_index=0)
    wall.advance(days=1)
    store.record_score("kneading", 140.0, detail="outside a session")  # clamped to 100

    detail = store.session_detail(run.id)
    assert detail is not None
    assert detail.session.pain_reports == 1
    assert detail.pain_reports[0].note == "too firm"
    assert detail.pain_reports[0].zone_id == "lower-back-left"
    assert [score.score for score in detail.scores] == [72.5]
    assert detail.session.mean_score == pytest.approx(72.5)
    assert [(s.technique_id, s.score) for s in store.scores()] == [
        ("open-palm-stroking", 72.5),
        ("kneading", 100.0),
    ]
    assert [s.score for s in store.scores("kneading")] == [100.0]
    with pytest.raises(ValueError, match="finite"):
        store.record_score("kneading", float("nan"))


# -- totals, streaks, time per technique -------------------------------------------------


@pytest.mark.parametrize(
    ("offsets", "today_offset", "expected"),
    [
        ((), 0, (0, 0)),
        ((0,), 0, (1, 1)),
        ((0, 1, 2), 2, (3, 3)),
        ((0, 1, 2), 3, (3, 3)),  # yesterday still counts: today is not over
        ((0, 1, 2), 4, (0, 3)),  # a whole day without practice breaks it
        ((0, 1, 3, 4, 5, 9), 9, (1, 3)),
        ((0, 0, 1), 1, (2, 2)),  # two sessions on one day are one day
    ],
)
def test_streaks(offsets: tuple[int, ...], today_offset: int, expected: tuple[int, int]) -> None:
    start = date(2025, 1, 30)
    days = [start + timedelta(days=offset) for offset in offsets]
    assert streaks(days, start + timedelta(days=today_offset)) == expected


def test_totals_count_practice_days_and_streaks(
    store: HistoryStore, wall: WallClock, library: ContentLibrary
) -> None:
    for day in (0, 1, 2, 4, 5):
        wall.moment = datetime(2025, 3, 1 + day, 20, 0, tzinfo=UTC)
        run = Run(store, library.routines[ROUTINE], wall)
        run.run(60.0)
        if day == 4:
            run.checkpoint()  # left running: a crash
        else:
            run.finish()
    Run(store, library.routines[OTHER], wall)  # started, no practice yet: not counted

    totals = store.totals(today=date(2025, 3, 7))
    assert totals.sessions == 5
    assert totals.finished_sessions == 4
    assert totals.practice_s == pytest.approx(300.0)
    assert totals.days_practised == 5
    assert totals.current_streak == 2
    assert totals.longest_streak == 3
    assert totals.last_practice == date(2025, 3, 6)
    assert store.totals(OTHER).sessions == 0


def test_practice_time_per_technique(
    store: HistoryStore, wall: WallClock, library: ContentLibrary
) -> None:
    routine = library.routines[ROUTINE]
    first, second = routine.steps[0], routine.steps[1]
    for _ in range(2):
        run = Run(store, routine, wall)
        run.run(first.duration_s + 10.0)
        run.finish()

    by_technique = {item.technique_id: item for item in store.practice_time_by_technique()}
    if first.technique == second.technique:
        assert by_technique[first.technique].seconds == pytest.approx(2 * (first.duration_s + 10.0))
    else:
        assert by_technique[first.technique].seconds == pytest.approx(2 * first.duration_s)
        assert by_technique[second.technique].seconds == pytest.approx(20.0)
        assert by_technique[second.technique].sessions == 2
    assert store.practice_time_by_technique(OTHER) == ()


# -- CSV export ------------------------------------------------------------------------


def test_export_csv_writes_one_row_per_step(
    store: HistoryStore, wall: WallClock, library: ContentLibrary, tmp_path: Path
) -> None:
    routine = library.routines[OTHER]
    run = Run(store, routine, wall)
    run.run(routine.steps[0].duration_s + 15.0)
    store.record_pain(run.id, 1, note="sharp")
    store.record_score(routine.steps[1].technique, 80.0, session_id=run.id, step_index=1)
    store.record_score(routine.steps[1].technique, 60.0, session_id=run.id, step_index=1)
    run.finish()
    hostile = routine.model_copy(update={"title": "=HYPERLINK(1)", "id": "shared"})
    Run(store, hostile, wall).run(6.0)
    # Practice mode with no session open: the score is kept, so it is exported too.
    store.record_score("kneading", 55.0, zone_id="shoulder-girdle-left")

    target = tmp_path / "export" / "history.csv"
    target.parent.mkdir()
    count = store.export_csv(target)

    with target.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert count == len(rows) == 2 * len(routine.steps) + 1
    practice = rows[-1]
    assert practice["session_id"] == ""
    assert practice["mode"] == "practice"
    assert practice["date"] == "2025-03-10"
    assert practice["technique_id"] == "kneading"
    assert practice["zones"] == "shoulder-girdle-left"
    assert float(practice["mean_score"]) == 55.0
    assert tuple(rows[0]) == HistoryStore.CSV_COLUMNS
    first_session = [row for row in rows if row["session_id"] == str(run.id)]
    assert [row["step"] for row in first_session] == [
        str(n) for n in range(1, len(routine.steps) + 1)
    ]
    step1, step2 = first_session[0], first_session[1]
    assert step1["routine"] == routine.title
    assert step1["date"] == "2025-03-10"
    assert step1["mode"] == "partner"
    assert step1["session_state"] == "finished"
    assert step1["technique_id"] == routine.steps[0].technique
    assert step1["zones"] == " ".join(routine.steps[0].zones)
    assert float(step1["actual_s"]) == routine.steps[0].duration_s
    assert step1["step_status"] == "done"
    assert float(step2["actual_s"]) == 15.0
    assert step2["pain_reports"] == "1"
    assert float(step2["mean_score"]) == 70.0
    shared = [row for row in rows if row["routine_id"] == "shared"]
    assert shared[0]["routine"] == "'=HYPERLINK(1)"  # never a live formula
    assert list(target.parent.iterdir()) == [target]  # no temporary file left behind


def test_export_csv_opens_in_excel_with_accented_titles_intact(
    store: HistoryStore, wall: WallClock, library: ContentLibrary, tmp_path: Path
) -> None:
    routine = library.routines[OTHER]
    own = routine.model_copy(update={"title": "Détente des épaules – Müller", "id": "mine"})
    Run(store, own, wall).run(6.0)
    target = tmp_path / "history.csv"
    store.export_csv(target)

    raw = target.read_bytes()
    # Excel reads a CSV as UTF-8 only when it starts with the byte-order mark; without
    # it "é" shows as "Ã©".
    assert raw.startswith(b"\xef\xbb\xbfsession_id,")
    assert "Détente des épaules – Müller".encode() in raw
    with target.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert next(iter(rows[0])) == "session_id"  # the mark is not part of the first column
    assert rows[0]["routine"] == "Détente des épaules – Müller"


def test_export_csv_names_techniques_and_zones_beside_their_ids(
    store: HistoryStore, wall: WallClock, library: ContentLibrary, tmp_path: Path
) -> None:
    routine = library.routines[OTHER]
    first, second = routine.steps[0], routine.steps[1]
    assert len(first.zones) == 2
    Run(store, routine, wall).run(6.0)
    store.record_score("kneading", 55.0, zone_id="shoulder-girdle-left")
    # Since that session a content update dropped the second step's technique and the
    # first step's second zone.
    gone_zone = first.zones[1]
    assert second.technique != first.technique
    assert gone_zone not in second.zones
    newer = dataclasses.replace(
        library,
        techniques={k: v for k, v in library.techniques.items() if k != second.technique},
        zones={k: v for k, v in library.zones.items() if k != gone_zone},
    )
    target = tmp_path / "history.csv"
    store.export_csv(target, newer)

    with target.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
        handle.seek(0)
        rows = list(csv.DictReader(handle))
    assert header.index("technique") == header.index("technique_id") + 1
    assert header.index("zone_names") == header.index("zones") + 1
    assert all(None not in row and None not in row.values() for row in rows)  # no ragged rows
    step1, step2, practice = rows[0], rows[1], rows[-1]
    assert step1["technique_id"] == first.technique
    assert step1["technique"] == library.techniques[first.technique].name
    assert step1["zones"] == " ".join(first.zones)  # the ids stay, all of them
    assert step1["zone_names"] == library.zones[first.zones[0]].name  # the gone one: no name
    assert step2["technique_id"] == second.technique
    assert step2["technique"] == ""
    assert step2["zone_names"] == "; ".join(library.zones[z].name for z in second.zones)
    assert practice["technique"] == "Kneading"
    assert practice["zone_names"] == library.zones["shoulder-girdle-left"].name
    assert float(practice["mean_score"]) == 55.0


def test_export_to_an_unwritable_place_raises_and_leaves_nothing(
    store: HistoryStore, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(OSError):  # noqa: PT011 - which OSError depends on the platform
        store.export_csv(blocker / "history.csv")


def test_export_without_a_history_to_read_writes_no_empty_copy(
    store: HistoryStore, tmp_path: Path
) -> None:
    target = tmp_path / "backup.csv"
    target.write_text("an earlier export\n")
    assert store._connection is not None
    store._connection.execute("DROP TABLE session_steps")  # a file this build cannot read
    assert store.export_csv(target) is None
    assert "cannot be read" in store.message
    store.close()
    assert store.export_csv(target) is None
    assert target.read_text() == "an earlier export\n"  # never replaced by an empty file
    assert not list(tmp_path.glob(".*.part"))


def test_a_locked_file_leaves_the_store_recording_and_a_later_begin_keeps_the_start_time(
    path: Path, wall: WallClock, library: ContentLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history, "_BUSY_TIMEOUT_S", 0.0)  # never wait in a test
    store = HistoryStore(path, now=wall)
    routine = library.routines[ROUTINE]
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    first_try = store.now()
    assert store.begin_session(routine, SessionMode.PARTNER) is None
    assert store.recording  # a lock is not a fault: the caller may try again
    assert store.message == ""
    other.execute("ROLLBACK")
    other.close()
    wall.advance(seconds=30)
    session_id = store.begin_session(routine, SessionMode.PARTNER, started_at=first_try)
    assert session_id is not None
    row = store.session(session_id)
    assert row is not None
    assert row.started_at == first_try
    assert row.checkpoint_at == first_try + timedelta(seconds=30)
    store.close()


# -- faults ----------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["garbage", "truncated", "torn-page"])
def test_a_damaged_file_is_moved_aside_and_a_fresh_one_used(
    damage: str, path: Path, wall: WallClock, library: ContentLibrary
) -> None:
    path.parent.mkdir(parents=True)
    if damage == "garbage":
        path.write_bytes(os.urandom(8192))
    else:
        first = HistoryStore(path, now=wall)
        for _ in range(40):
            Run(first, library.routines[ROUTINE], wall).run(20.0)
        first.close()
        data = bytearray(path.read_bytes())
        if damage == "truncated":
            data = data[: len(data) // 2]
        else:
            data[3 * 4096 : 3 * 4096 + 512] = os.urandom(512)
        path.write_bytes(bytes(data))
    damaged = _digest(path)
    stamp = wall.moment.strftime("%Y%m%d-%H%M%S")
    (path.parent / "history.sqlite3-wal").write_bytes(b"leftover")

    store = HistoryStore(path, now=wall)

    moved = store.open_result.moved_aside
    assert moved == path.with_name(f"history.corrupt-{stamp}.sqlite3")
    assert _digest(moved) == damaged  # kept as it was, for rescue
    assert moved.with_name(moved.name + "-wal").read_bytes() == b"leftover"
    assert store.status is StoreStatus.RECORDING
    assert moved.name in store.open_result.notice
    assert str(path.parent) in store.open_result.notice  # where to find it, in full
    assert "damaged" in store.open_result.notice
    assert store.sessions() == ()
    assert Run(store, library.routines[ROUTINE], wall).checkpoint()
    store.close()


def test_a_second_damaged_file_gets_its_own_name(path: Path, wall: WallClock) -> None:
    path.parent.mkdir(parents=True)
    names = []
    for _ in range(2):
        path.write_bytes(b"not a database at all, just text" * 100)
        store = HistoryStore(path, now=wall)
        assert store.open_result.moved_aside is not None
        names.append(store.open_result.moved_aside.name)
        store.close()
    assert names[0] != names[1]
    assert all(name.startswith("history.corrupt-") for name in names)


def _rows_deleted_behind_an_index(path: Path) -> None:
    """Damage only the full integrity check sees: session 2 leaves its table but not the
    index on the sessions' state (every page and b-tree stays sound: quick_check is ok)."""
    connection = sqlite3.connect(path, isolation_level=None)
    index = connection.execute(
        "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master "
        "WHERE name = 'sessions_by_state'"
    ).fetchone()
    connection.execute("PRAGMA writable_schema = ON")
    connection.execute("DELETE FROM sqlite_master WHERE name = 'sessions_by_state'")
    connection.close()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("DELETE FROM sessions WHERE id = 2")
    connection.execute("PRAGMA writable_schema = ON")
    connection.execute("INSERT INTO sqlite_master VALUES (?, ?, ?, ?, ?)", index)
    connection.close()
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    finally:
        connection.close()


def _two_running_sessions(path: Path, wall: WallClock, library: ContentLibrary) -> None:
    first = HistoryStore(path, now=wall)
    for _ in range(2):
        assert first.begin_session(library.routines[ROUTINE], SessionMode.DRY_RUN) is not None
    first.close()  # closed cleanly: no -wal is left


_KILLED_WHILE_OPEN = """
import os, sys
from pathlib import Path
from massage_trainer.domain.history import HistoryStore
store = HistoryStore(Path(sys.argv[1]))
assert store.record_score("effleurage", 50.0) is not None
os._exit(0)  # like a crash or a kill: the history is never closed
"""


@pytest.mark.parametrize("closed", [True, False])
def test_a_clean_open_takes_the_quick_check_and_one_after_a_crash_the_full_check(
    closed: bool, path: Path, wall: WallClock, library: ContentLibrary
) -> None:
    _two_running_sessions(path, wall, library)
    _rows_deleted_behind_an_index(path)
    if not closed:
        subprocess.run([sys.executable, "-c", _KILLED_WHILE_OPEN, str(path)], check=True)
        assert path.with_name(path.name + "-wal").stat().st_size > 0

    store = HistoryStore(path, now=wall)

    assert store.status is StoreStatus.RECORDING
    if closed:
        # The quick check passes: nothing is set aside, the sessions are all there.
        assert store.open_result.moved_aside is None
        assert store.open_result.notice == ""
        assert [row.id for row in store.sessions()] == [1]
    else:
        moved = store.open_result.moved_aside
        assert moved is not None
        assert moved.name in store.open_result.notice
        assert moved.with_name(moved.name + "-wal").exists()  # the crash's last writes
        assert store.sessions() == ()
    store.close()


def test_damage_sqlite_reports_in_use_stops_recording_and_the_next_start_checks_in_full(
    path: Path, wall: WallClock, library: ContentLibrary
) -> None:
    _two_running_sessions(path, wall, library)
    _rows_deleted_behind_an_index(path)
    mark = path.with_name(path.name + history.CHECK_MARK_SUFFIX)
    store = HistoryStore(path, now=wall)
    assert store.recording  # the quick check cannot see it

    # Looking up the running sessions goes through the damaged index.
    assert store.unfinished_sessions(include_live=True) == ()

    assert store.status is StoreStatus.READ_ONLY
    assert "the history file is damaged" in store.message
    assert "sets it aside (nothing is deleted)" in store.message
    assert store.begin_session(library.routines[ROUTINE], SessionMode.DRY_RUN) is None
    assert mark.exists()
    store.close()
    damaged = _digest(path)

    again = HistoryStore(path, now=wall)

    moved = again.open_result.moved_aside
    assert moved is not None
    assert _digest(moved) == damaged  # set aside as it was: nothing is lost
    assert "damaged" in again.open_result.notice
    assert again.recording
    assert not mark.exists()
    again.close()


def test_a_check_mark_on_a_sound_file_goes_once_the_full_check_passes(
    path: Path, wall: WallClock, library: ContentLibrary
) -> None:
    _two_running_sessions(path, wall, library)
    mark = path.with_name(path.name + history.CHECK_MARK_SUFFIX)
    mark.touch()
    store = HistoryStore(path, now=wall)
    assert store.recording
    assert store.open_result.notice == ""
    assert len(store.sessions()) == 2
    assert not mark.exists()
    store.close()


def test_a_newer_database_is_left_untouched_and_shown_read_only(
    path: Path, wall: WallClock, library: ContentLibrary
) -> None:
    first = HistoryStore(path, now=wall)
    Run(first, library.routines[ROUTINE], wall).finish()
    first.close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    before = _digest(path)

    store = HistoryStore(path, now=wall)

    assert store.status is StoreStatus.READ_ONLY
    assert "newer version" in store.open_result.notice
    assert [row.routine_id for row in store.sessions()] == [ROUTINE]
    assert store.begin_session(library.routines[ROUTINE], SessionMode.PARTNER) is None
    assert store.record_pain(None) is None
    store.close()
    assert _digest(path) == before
    assert _user_version(path) == SCHEMA_VERSION + 1


def test_a_newer_database_this_build_cannot_read_gives_a_message_not_a_crash(
    path: Path, wall: WallClock
) -> None:
    path.parent.mkdir(parents=True)
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE sessions_v9 (id INTEGER PRIMARY KEY)")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 8}")
    connection.commit()
    connection.close()
    before = _digest(path)

    store = HistoryStore(path, now=wall)

    assert store.status is StoreStatus.READ_ONLY
    assert store.sessions() == ()
    assert store.session_detail(1) is None
    assert store.totals().sessions == 0
    assert store.message  # says the history cannot be read
    store.close()
    assert _digest(path) == before


def test_a_data_folder_that_cannot_be_created_turns_history_off(
    tmp_path: Path, wall: WallClock, library: ContentLibrary
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")

    store = HistoryStore(blocker / "history.sqlite3", now=wall)

    assert store.status is StoreStatus.UNAVAILABLE
    assert "not recorded" in store.open_result.notice
    assert store.begin_session(library.routines[ROUTINE], SessionMode.PARTNER) is None
    assert store.sessions() == ()


def _read_only_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    """Open every connection read-only: what a read-only data folder does for a
    normal user (the tests run as root, which chmod would not stop)."""
    real = history._open_connection

    def read_only(path: Path, *, read_only: bool) -> sqlite3.Connection:
        return real(path, read_only=True)

    monkeypatch.setattr(history, "_open_connection", read_only)


def test_a_read_only_data_folder_without_history_gives_a_message(
    path: Path, wall: WallClock, library: ContentLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    _read_only_connections(monkeypatch)
    store = HistoryStore(path, now=wall)
    assert store.status is StoreStatus.UNAVAILABLE
    assert "cannot be written" in store.message
    assert store.begin_session(library.routines[ROUTINE], SessionMode.PARTNER) is None


def test_a_read_only_data_folder_shows_the_history_and_records_nothing(
    path: Path, wall: WallClock, library: ContentLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = HistoryStore(path, now=wall)
    Run(first, library.routines[ROUTINE], wall).finish()
    first.close()
    _read_only_connections(monkeypatch)

    store = HistoryStore(path, now=wall)

    assert store.status is StoreStatus.READ_ONLY
    assert "cannot be written" in store.message
    assert len(store.sessions()) == 1
    assert store.begin_session(library.routines[ROUTINE], SessionMode.PARTNER) is None


def test_a_full_disk_mid_session_stops_recording_without_raising(
    store: HistoryStore, wall: WallClock, library: ContentLibrary
) -> None:
    run = Run(store, library.routines[ROUTINE], wall)
    assert run.checkpoint()
    assert store._connection is not None
    pages = store._connection.execute("PRAGMA page_count").fetchone()[0]
    store._connection.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now full

    results = []
    for _ in range(50):
        results.append(store.begin_session(library.routines[ROUTINE], SessionMode.PARTNER))
        run.run(5.0)
        run.checkpoint()
    assert None in results
    assert store.status is StoreStatus.READ_ONLY
    assert "disk is full" in store.message
    # Later writes quietly do nothing; reading what was saved still works.
    assert run.checkpoint() is False
    assert store.finish_session(run.id, run.engine.snapshot(), run.engine.records()) is False
    assert store.sessions()[-1].id == run.id


def test_a_write_refused_by_the_file_stops_recording(
    store: HistoryStore, wall: WallClock, library: ContentLibrary
) -> None:
    run = Run(store, library.routines[ROUTINE], wall)
    assert store._connection is not None
    store._connection.execute("PRAGMA query_only = ON")  # as if the file became read-only
    run.run(5.0)
    assert run.checkpoint() is False
    assert store.status is StoreStatus.READ_ONLY
    assert "not being recorded" in store.message
