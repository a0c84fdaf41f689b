"""Property tests: random commands, random clock moves, invariants after each one.

The clock is fake; a "wait" moves it and calls ``update()`` like the UI's timer does, a
"drift" moves it without telling the engine, so the next command has to catch up.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from massage_trainer.domain.session import (
    Change,
    FakeClock,
    SessionEngine,
    SessionState,
    Snapshot,
    StepStatus,
)

TOLERANCE = 1e-6
"""Float slack for sums of clock readings around 1e6 s; far below anything a user sees."""

COMMANDS = (
    "start",
    "pause",
    "resume",
    "toggle",
    "next",
    "previous",
    "restart_step",
    "finish",
    "update",
)


@dataclass(frozen=True)
class Wait:
    seconds: float


@dataclass(frozen=True)
class Drift:
    seconds: float


@dataclass(frozen=True)
class Command:
    name: str


@dataclass(frozen=True)
class GoTo:
    index: int


@dataclass(frozen=True)
class Adjust:
    delta_s: float


@dataclass(frozen=True)
class SetAutoAdvance:
    on: bool


Operation = Wait | Drift | Command | GoTo | Adjust | SetAutoAdvance

seconds = st.one_of(
    st.floats(min_value=0.0, max_value=5.0),
    st.floats(min_value=0.0, max_value=400.0),
    st.sampled_from([0.0, 0.5, 2.0, 30.0, 60.0, 100.0]),
)
operations: st.SearchStrategy[Operation] = st.one_of(
    st.builds(Wait, seconds),
    st.builds(Wait, seconds),
    st.builds(Drift, seconds),
    st.builds(Command, st.sampled_from(COMMANDS)),
    st.builds(Command, st.sampled_from(COMMANDS)),
    st.builds(GoTo, st.integers(min_value=0, max_value=7)),
    st.builds(Adjust, st.sampled_from([30.0, -30.0])),
    st.builds(SetAutoAdvance, st.booleans()),
)


def close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE


def check_invariants(engine: SessionEngine, snap: Snapshot, get_ready_total: float) -> None:
    records = engine.records()
    summary = engine.summary()
    assert close(snap.total_elapsed_s, sum(record.actual_s for record in records))
    assert close(summary.actual_s, snap.total_elapsed_s)
    assert summary.done == snap.statuses.count(StepStatus.DONE)
    assert summary.skipped == snap.statuses.count(StepStatus.SKIPPED)
    assert snap.statuses == tuple(record.status for record in records)
    if snap.state is SessionState.FINISHED:
        assert StepStatus.CURRENT not in snap.statuses
        assert StepStatus.PENDING not in snap.statuses
        assert snap.total_remaining_s == 0.0
        assert not engine.in_get_ready()
    else:
        assert snap.statuses.count(StepStatus.CURRENT) == 1
        assert snap.statuses[snap.index] is StepStatus.CURRENT
        assert snap.total_remaining_s >= max(snap.remaining_s, 0.0)
    if snap.state is SessionState.READY:
        assert snap.total_elapsed_s == 0.0
        assert StepStatus.DONE not in snap.statuses
    assert all(record.actual_s >= 0.0 and record.budget_s >= 0.0 for record in records)
    assert snap.elapsed_s >= 0.0
    assert close(snap.remaining_s, snap.budget_s - snap.elapsed_s)
    assert snap.overtime == (
        snap.state in (SessionState.RUNNING, SessionState.PAUSED) and snap.remaining_s < 0.0
    )
    assert 0.0 <= snap.get_ready_s <= get_ready_total
    if engine.in_get_ready():
        assert snap.state in (SessionState.RUNNING, SessionState.PAUSED)
        assert snap.elapsed_s == 0.0
        assert snap.total_elapsed_s == 0.0
    else:
        assert snap.get_ready_s == 0.0


def check_change_set(
    changes: frozenset[Change],
    before: Snapshot,
    after: Snapshot,
    was_in_get_ready: bool,
    is_in_get_ready: bool,
) -> None:
    """A change set names exactly what a view could see change."""
    assert (Change.STATE in changes) == (before.state is not after.state)
    assert (Change.STEP in changes) == (before.index != after.index)
    assert (Change.STATUS in changes) == (before.statuses != after.statuses)
    assert (Change.OPTIONS in changes) == (before.auto_advance != after.auto_advance)
    if was_in_get_ready != is_in_get_ready:
        assert Change.TIMING in changes


def check_wait(
    dt: float,
    changes: frozenset[Change],
    before: Snapshot,
    after: Snapshot,
    was_in_get_ready: bool,
) -> None:
    """Only time passed and ``update()`` ran: nothing may jump."""
    if before.state is not SessionState.RUNNING:
        # Paused (or not started, or over): time passing changes nothing at all.
        assert changes == frozenset()
        assert after == before
        return
    running_time = dt
    if was_in_get_ready:
        if dt < before.get_ready_s - TOLERANCE:
            assert changes == frozenset()
            assert close(after.get_ready_s, before.get_ready_s - dt)
            assert after.total_elapsed_s == before.total_elapsed_s
            return
        if dt <= before.get_ready_s + TOLERANCE:
            return  # too close to the countdown's end to say which side it landed on
        assert Change.TIMING in changes
        running_time = dt - before.get_ready_s
        if Change.STEP not in changes and after.state is SessionState.RUNNING:
            assert close(after.elapsed_s, running_time)
    elif Change.STEP not in changes and after.state is SessionState.RUNNING:
        # Same step, still running: the remaining time fell by exactly the time passed.
        assert close(after.remaining_s, before.remaining_s - dt)
        assert after.budget_s == before.budget_s
    if not before.auto_advance:
        assert Change.STEP not in changes
        assert after.state is SessionState.RUNNING
    if after.state is SessionState.FINISHED:
        # It finished at the exact last deadline, somewhere inside this wait.
        assert before.total_elapsed_s - TOLERANCE <= after.total_elapsed_s
        assert after.total_elapsed_s <= before.total_elapsed_s + running_time + TOLERANCE
        assert after.statuses[-1] is StepStatus.DONE
    else:
        # Auto-advance carries every overshoot: running time is never lost or doubled.
        assert close(after.total_elapsed_s, before.total_elapsed_s + running_time)


def check_command(
    changes: frozenset[Change],
    settled: Snapshot,
    after: Snapshot,
    was_in_get_ready: bool,
    is_in_get_ready: bool,
) -> None:
    """A command never creates or loses running time, and moves remaining only on purpose.

    ``settled`` is the state ``update()`` would give at the same clock instant, just
    before the command.
    """
    if was_in_get_ready and is_in_get_ready:
        # Pause, resume, adjust and options leave the countdown where it was.
        assert close(after.get_ready_s, settled.get_ready_s)
    assert close(after.total_elapsed_s, settled.total_elapsed_s)
    jumped = Change.STEP in changes or Change.TIMING in changes
    if not jumped:
        assert close(after.remaining_s, settled.remaining_s)
        assert after.budget_s == settled.budget_s


def apply(engine: SessionEngine, operation: Operation) -> frozenset[Change]:
    match operation:
        case Command(name):
            result: frozenset[Change] = getattr(engine, name)()
            return result
        case GoTo(index):
            return engine.go_to(index % engine.step_count)
        case Adjust(delta_s):
            return engine.adjust(delta_s)
        case SetAutoAdvance(on):
            return engine.set_auto_advance(on)
        case _:
            raise AssertionError(operation)


@settings(max_examples=150, deadline=None)
@given(
    durations=st.lists(st.floats(min_value=1.0, max_value=300.0), min_size=1, max_size=6),
    get_ready_s=st.sampled_from([0.0, 5.0]),
    auto_advance=st.booleans(),
    start=st.floats(min_value=0.0, max_value=1e6),
    started=st.booleans(),
    script=st.lists(operations, min_size=3, max_size=40),
)
def test_random_sessions_keep_their_invariants(
    durations: list[float],
    get_ready_s: float,
    auto_advance: bool,
    start: float,
    started: bool,
    script: list[Operation],
) -> None:
    if started:
        script = [Command("start"), *script]  # most interesting paths need a started session
    clock = FakeClock(start)
    engine = SessionEngine(durations, clock, auto_advance=auto_advance, get_ready_s=get_ready_s)
    snap = engine.snapshot()
    check_invariants(engine, snap, get_ready_s)
    caught_up = True
    pauses = 0
    for operation in script:
        before = engine.snapshot()
        was_in_get_ready = engine.in_get_ready()
        was_running = engine.state is SessionState.RUNNING
        # What update() would report now, read from a copy so the engine is untouched.
        reference = copy.deepcopy(engine)
        catch_up_changes = reference.update()
        settled = reference.snapshot()
        if caught_up:
            # A second update at the same instant changes nothing.
            assert catch_up_changes == frozenset()
            assert settled == before
        if isinstance(operation, Drift):
            clock.advance(operation.seconds)
            caught_up = False
            after = engine.snapshot()
            check_invariants(engine, after, get_ready_s)
            if not was_running:
                assert after == before  # paused time never counts
            continue
        if isinstance(operation, Wait):
            clock.advance(operation.seconds)
            changes = engine.update()
        else:
            changes = apply(engine, operation)
        after = engine.snapshot()
        check_invariants(engine, after, get_ready_s)
        # Change sets compare stored values, so they hold even after a drift.
        check_change_set(changes, before, after, was_in_get_ready, engine.in_get_ready())
        if isinstance(operation, Wait):
            if caught_up:
                check_wait(operation.seconds, changes, before, after, was_in_get_ready)
        else:
            check_command(changes, settled, after, was_in_get_ready, engine.in_get_ready())
        if after.state is SessionState.RUNNING and after.auto_advance:
            # Whatever just happened, a step due to end has already moved on.
            assert engine.in_get_ready() or after.remaining_s > 0.0
        assert after.total_elapsed_s >= settled.total_elapsed_s - TOLERANCE
        if operation in (Command("pause"), Command("toggle")):
            # A pause counts only if it really paused (a catch-up may have finished first).
            pauses += Change.STATE in changes and after.state is SessionState.PAUSED
        assert engine.summary().pauses == pauses
        if settled.state is SessionState.FINISHED:
            reopening = isinstance(operation, GoTo) or operation == Command("restart_step")
            if not reopening:
                # Once over, only catching up with time and the option can change anything.
                assert changes - {Change.OPTIONS} == catch_up_changes
        caught_up = True


PLAN_STEPS = 27
PLAN_STEP_S = 100.0  # 27 x 100 s = 45 minutes


@settings(max_examples=40, deadline=None)
@given(
    start=st.floats(min_value=0.0, max_value=1e6),
    get_ready_s=st.sampled_from([0.0, 5.0]),
    update_times=st.lists(st.floats(min_value=0.0, max_value=2800.0), min_size=0, max_size=300),
)
def test_unadjusted_45_minute_session_ends_within_1_ms_of_plan(
    start: float, get_ready_s: float, update_times: list[float]
) -> None:
    clock = FakeClock(start)
    engine = SessionEngine(
        [PLAN_STEP_S] * PLAN_STEPS, clock, auto_advance=True, get_ready_s=get_ready_s
    )
    engine.start()
    planned_end = start + get_ready_s + PLAN_STEPS * PLAN_STEP_S
    finished_at: float | None = None
    # Updates arrive at irregular times: bursts, long gaps over several steps, repeats.
    for offset in [*sorted(update_times), 2800.0 + get_ready_s]:
        clock.advance(max(start + offset - clock.now(), 0.0))
        engine.update()
        snap = engine.snapshot()
        now = clock.now()
        if snap.state is SessionState.FINISHED:
            if finished_at is None:
                finished_at = now
            continue
        assert now < planned_end + 1e-3
        shown_left = snap.total_remaining_s + snap.get_ready_s
        assert shown_left == pytest.approx(planned_end - now, abs=1e-3)
        assert snap.total_elapsed_s == pytest.approx(max(now - start - get_ready_s, 0.0), abs=1e-3)
    assert finished_at is not None
    assert finished_at >= planned_end - 1e-3
    summary = engine.summary()
    assert summary.done == PLAN_STEPS
    assert summary.actual_s == pytest.approx(PLAN_STEPS * PLAN_STEP_S, abs=1e-3)
    assert all(
        record.actual_s == pytest.approx(PLAN_STEP_S, abs=1e-3) for record in summary.records
    )
