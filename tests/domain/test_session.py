"""Unit tests for the session engine, driven by a fake clock (nothing here sleeps)."""

from __future__ import annotations

import pytest

from massage_trainer.domain.session import (
    Change,
    FakeClock,
    MonotonicClock,
    SessionEngine,
    SessionState,
    StepStatus,
)

C = StepStatus.CURRENT
D = StepStatus.DONE
P = StepStatus.PENDING
S = StepStatus.SKIPPED


def make(
    durations: tuple[float, ...] = (60.0, 120.0, 90.0),
    *,
    auto_advance: bool = True,
    get_ready_s: float = 0.0,
    start: float = 1000.0,
) -> tuple[SessionEngine, FakeClock]:
    clock = FakeClock(start)
    engine = SessionEngine(durations, clock, auto_advance=auto_advance, get_ready_s=get_ready_s)
    return engine, clock


def statuses(engine: SessionEngine) -> tuple[StepStatus, ...]:
    return engine.snapshot().statuses


# -- clocks and construction -------------------------------------------------------


def test_fake_clock_moves_only_forward() -> None:
    clock = FakeClock(5.0)
    clock.advance(2.5)
    assert clock.now() == 7.5
    with pytest.raises(ValueError, match="back"):
        clock.advance(-1.0)


def test_monotonic_clock_does_not_go_back() -> None:
    clock = MonotonicClock()
    first = clock.now()
    assert clock.now() >= first


@pytest.mark.parametrize("durations", [(), (60.0, 0.0), (-5.0,), (float("nan"),), (float("inf"),)])
def test_invalid_durations_are_rejected(durations: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="step"):
        SessionEngine(durations, FakeClock())


def test_negative_get_ready_is_rejected() -> None:
    with pytest.raises(ValueError, match="get_ready_s"):
        SessionEngine([10.0], FakeClock(), get_ready_s=-1.0)


def test_new_session_is_ready_on_the_first_step() -> None:
    engine, clock = make()
    snap = engine.snapshot()
    assert snap.state is SessionState.READY
    assert (engine.index, engine.step_count, engine.auto_advance) == (0, 3, True)
    assert snap.statuses == (C, P, P)
    assert snap.remaining_s == 60.0
    assert snap.total_remaining_s == 270.0
    assert snap.total_elapsed_s == 0.0
    clock.advance(500.0)
    assert engine.update() == frozenset()
    assert engine.remaining() == 60.0  # time in READY never counts


# -- start, pause, resume, toggle -----------------------------------------------------


def test_start_without_get_ready_runs_step_zero_at_once() -> None:
    engine, clock = make()
    assert engine.start() == {Change.STATE}
    assert engine.state is SessionState.RUNNING
    assert not engine.in_get_ready()
    clock.advance(10.0)
    assert engine.remaining() == 50.0
    assert engine.elapsed() == 10.0
    assert engine.start() == frozenset()  # already running


def test_pause_freezes_remaining_and_paused_time_never_counts() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(20.0)
    assert engine.pause() == {Change.STATE}
    assert engine.pause() == frozenset()
    clock.advance(300.0)
    assert engine.update() == frozenset()
    snap = engine.snapshot()
    assert snap.state is SessionState.PAUSED
    assert snap.remaining_s == 40.0
    assert snap.total_elapsed_s == 20.0
    assert engine.records()[0].actual_s == 20.0
    assert engine.resume() == {Change.STATE}
    assert engine.resume() == frozenset()
    clock.advance(5.0)
    assert engine.remaining() == 35.0
    assert engine.summary().pauses == 1


def test_start_when_paused_resumes() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(5.0)
    engine.pause()
    clock.advance(50.0)
    assert engine.start() == {Change.STATE}
    clock.advance(1.0)
    assert engine.elapsed() == 6.0


def test_toggle_starts_pauses_and_resumes() -> None:
    engine, clock = make()
    states = []
    assert engine.toggle() == {Change.STATE}
    states.append(engine.state)
    clock.advance(3.0)
    assert engine.toggle() == {Change.STATE}
    states.append(engine.state)
    clock.advance(100.0)
    assert engine.toggle() == {Change.STATE}
    states.append(engine.state)
    assert states == [SessionState.RUNNING, SessionState.PAUSED, SessionState.RUNNING]
    assert engine.elapsed() == 3.0
    engine.finish()
    assert engine.toggle() == frozenset()


def test_pauses_count_only_real_pauses() -> None:
    engine, clock = make()
    engine.pause()  # READY: nothing to pause
    engine.start()
    engine.pause()
    engine.pause()
    engine.resume()
    engine.pause()
    assert engine.summary().pauses == 2


# -- get-ready --------------------------------------------------------------------


def test_get_ready_counts_down_before_step_zero() -> None:
    engine, clock = make(get_ready_s=5.0)
    assert engine.start() == {Change.STATE, Change.TIMING}
    assert engine.in_get_ready()
    clock.advance(2.0)
    assert engine.update() == frozenset()
    snap = engine.snapshot()
    assert snap.get_ready_s == 3.0
    assert snap.remaining_s == 60.0  # the step's clock has not started
    assert snap.total_elapsed_s == 0.0


def test_step_zero_starts_exactly_when_get_ready_ends_not_when_noticed() -> None:
    engine, clock = make(get_ready_s=5.0)
    engine.start()
    clock.advance(7.25)  # the update arrives 2.25 s after the countdown ended
    assert engine.update() == {Change.TIMING}
    assert not engine.in_get_ready()
    assert engine.get_ready_remaining() == 0.0
    assert engine.elapsed() == 2.25
    assert engine.remaining() == 57.75
    assert engine.snapshot().total_elapsed_s == 2.25


def test_get_ready_can_be_paused() -> None:
    engine, clock = make(get_ready_s=5.0)
    engine.start()
    clock.advance(2.0)
    assert engine.pause() == {Change.STATE}
    clock.advance(60.0)
    assert engine.update() == frozenset()
    assert engine.in_get_ready()
    assert engine.get_ready_remaining() == 3.0
    engine.resume()
    clock.advance(4.0)
    assert engine.update() == {Change.TIMING}
    assert engine.elapsed() == 1.0
    assert engine.summary().pauses == 1


def test_late_update_can_cross_get_ready_and_several_steps() -> None:
    engine, clock = make((10.0, 10.0, 10.0), get_ready_s=5.0)
    engine.start()
    clock.advance(5.0 + 10.0 + 10.0 + 3.0)
    assert engine.update() == {Change.TIMING, Change.STEP, Change.STATUS}
    assert engine.index == 2
    assert engine.elapsed() == 3.0
    assert statuses(engine) == (D, D, C)


@pytest.mark.parametrize(
    ("command", "index", "expected_statuses"),
    [
        (SessionEngine.next, 1, (S, C, P)),
        (SessionEngine.previous, 0, (C, P, P)),
        (SessionEngine.restart_step, 0, (C, P, P)),
    ],
)
def test_navigation_ends_get_ready(
    command: object, index: int, expected_statuses: tuple[StepStatus, ...]
) -> None:
    engine, clock = make(get_ready_s=5.0)
    engine.start()
    clock.advance(2.0)
    assert callable(command)
    changes = command(engine)
    assert Change.TIMING in changes
    assert not engine.in_get_ready()
    assert engine.index == index
    assert statuses(engine) == expected_statuses
    clock.advance(4.0)
    assert engine.elapsed() == 4.0  # the step started at the command, not at countdown end


def test_go_to_current_step_ends_get_ready() -> None:
    engine, clock = make(get_ready_s=5.0)
    engine.start()
    clock.advance(1.0)
    assert engine.go_to(0) == {Change.TIMING}
    clock.advance(1.0)
    assert engine.elapsed() == 1.0


def test_finish_during_get_ready_skips_everything() -> None:
    engine, clock = make(get_ready_s=5.0)
    engine.start()
    clock.advance(1.0)
    assert engine.finish() == {Change.STATE, Change.STATUS, Change.TIMING}
    assert statuses(engine) == (S, S, S)
    assert engine.summary().actual_s == 0.0


def test_zero_get_ready_has_no_countdown() -> None:
    engine, _ = make(get_ready_s=0.0)
    engine.start()
    assert not engine.in_get_ready()


# -- auto-advance and overtime ---------------------------------------------------------


def test_auto_advance_moves_on_at_the_deadline() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(59.999)
    assert engine.update() == frozenset()
    clock.advance(0.001)
    assert engine.update() == {Change.STEP, Change.STATUS}
    assert engine.index == 1
    assert statuses(engine) == (D, C, P)
    assert engine.remaining() == pytest.approx(120.0, abs=1e-9)


def test_auto_advance_carries_overshoot_across_several_steps_in_one_late_update() -> None:
    engine, clock = make((60.0, 120.0, 90.0, 30.0))
    engine.start()
    clock.advance(60.0 + 120.0 + 7.5)
    assert engine.update() == {Change.STEP, Change.STATUS}
    assert engine.index == 2
    assert engine.elapsed() == pytest.approx(7.5, abs=1e-9)
    records = engine.records()
    assert [record.actual_s for record in records[:2]] == [60.0, 120.0]
    assert statuses(engine) == (D, D, C, P)


def test_auto_advance_finishes_at_the_exact_last_deadline() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(1000.0)
    assert engine.update() == {Change.STATE, Change.STEP, Change.STATUS}
    snap = engine.snapshot()
    assert snap.state is SessionState.FINISHED
    assert snap.statuses == (D, D, D)
    assert snap.total_elapsed_s == 270.0
    assert snap.total_remaining_s == 0.0
    assert not snap.overtime
    summary = engine.summary()
    assert (summary.done, summary.skipped, summary.actual_s, summary.planned_s) == (
        3,
        0,
        270.0,
        270.0,
    )


def test_without_auto_advance_the_step_runs_into_overtime() -> None:
    engine, clock = make(auto_advance=False)
    engine.start()
    clock.advance(75.0)
    assert engine.update() == frozenset()
    snap = engine.snapshot()
    assert snap.index == 0
    assert snap.remaining_s == -15.0
    assert snap.overtime
    assert engine.overtime()
    assert snap.total_remaining_s == 210.0  # overtime is not subtracted from later steps
    assert engine.next() == {Change.STEP, Change.STATUS}
    assert engine.records()[0].actual_s == 75.0
    assert statuses(engine) == (D, C, P)


def test_switching_auto_advance_on_in_overtime_moves_on_from_that_moment() -> None:
    engine, clock = make(auto_advance=False)
    engine.start()
    clock.advance(75.0)
    # The step is already past its budget, so it moves on at once.
    assert engine.set_auto_advance(True) == {Change.OPTIONS, Change.STEP, Change.STATUS}
    assert engine.set_auto_advance(True) == frozenset()
    assert engine.auto_advance
    assert engine.index == 1
    clock.advance(10.0)
    engine.update()
    # The next step started when auto-advance was switched on, not back at the deadline.
    assert engine.elapsed() == 10.0
    assert engine.records()[0].actual_s == 75.0


def test_switching_auto_advance_off_keeps_the_step() -> None:
    engine, clock = make()
    engine.start()
    assert engine.set_auto_advance(False) == {Change.OPTIONS}
    clock.advance(100.0)
    assert engine.update() == frozenset()
    assert engine.index == 0
    assert engine.snapshot().auto_advance is False


def test_resuming_a_step_paused_in_overtime_with_auto_advance_moves_on_at_resume() -> None:
    engine, clock = make(auto_advance=False)
    engine.start()
    clock.advance(70.0)
    engine.pause()
    engine.set_auto_advance(True)
    assert engine.index == 0  # paused: nothing moves
    clock.advance(100.0)
    assert engine.resume() == {Change.STATE, Change.STEP, Change.STATUS}
    clock.advance(3.0)
    assert engine.elapsed() == 3.0
    assert engine.records()[0].actual_s == 70.0


def test_commands_first_apply_time_that_passed() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(70.0)  # step 0 ended 10 s ago, nobody called update()
    assert engine.pause() == {Change.STATE, Change.STEP, Change.STATUS}
    assert engine.index == 1
    assert engine.elapsed() == 10.0


# -- leaving steps: DONE or SKIPPED -------------------------------------------------


def test_leaving_after_half_the_budget_is_done_before_is_skipped() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(30.0)  # exactly half of 60 s
    assert engine.next() == {Change.STEP, Change.STATUS}
    clock.advance(59.9)  # just under half of 120 s
    assert engine.next() == {Change.STEP, Change.STATUS}
    assert statuses(engine) == (D, S, C)


def test_done_from_an_earlier_visit_is_kept() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(40.0)
    engine.next()
    clock.advance(1.0)
    assert engine.previous() == {Change.STEP, Change.STATUS}
    assert statuses(engine) == (C, S, P)
    clock.advance(1.0)
    engine.next()
    assert statuses(engine)[0] is D
    assert engine.records()[0].actual_s == 41.0  # both visits count


def test_half_budget_uses_the_adjusted_budget() -> None:
    engine, clock = make()
    engine.start()
    engine.adjust(30.0)  # budget 90 s: needs 45 s
    clock.advance(44.0)
    engine.next()
    assert statuses(engine)[0] is S


def test_finish_marks_pending_steps_skipped() -> None:
    engine, clock = make((60.0, 60.0, 60.0, 60.0))
    engine.start()
    clock.advance(60.0)
    engine.update()
    clock.advance(40.0)
    assert engine.finish() == {Change.STATE, Change.STATUS}
    snap = engine.snapshot()
    assert snap.state is SessionState.FINISHED
    assert snap.statuses == (D, D, S, S)
    assert snap.total_remaining_s == 0.0
    assert snap.total_elapsed_s == 100.0
    clock.advance(100.0)
    assert engine.snapshot().total_elapsed_s == 100.0
    assert engine.finish() == frozenset()


def test_next_on_the_last_step_finishes() -> None:
    engine, clock = make((10.0, 10.0))
    engine.start()
    engine.next()
    clock.advance(6.0)
    assert engine.next() == {Change.STATE, Change.STATUS}
    assert engine.state is SessionState.FINISHED
    assert statuses(engine) == (S, D)


def test_previous_on_the_first_step_restarts_it() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(12.0)
    assert engine.previous() == {Change.TIMING}
    assert engine.index == 0
    assert engine.remaining() == 60.0
    assert engine.records()[0].actual_s == 12.0


def test_previous_goes_back_with_a_fresh_visit() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(50.0)
    engine.next()
    engine.adjust(30.0)
    clock.advance(20.0)
    assert engine.previous() == {Change.STEP, Change.STATUS}
    assert engine.index == 0
    assert engine.elapsed() == 0.0
    assert engine.remaining() == 60.0
    assert statuses(engine) == (C, S, P)
    # The adjustment stays on the record of the visit it was made in.
    assert engine.records()[1].budget_s == 150.0


def test_navigation_while_paused_stays_paused() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(10.0)
    engine.pause()
    assert engine.next() == {Change.STEP, Change.STATUS}
    assert engine.state is SessionState.PAUSED
    clock.advance(30.0)
    assert engine.elapsed() == 0.0


# -- go_to -----------------------------------------------------------------------------


def test_go_to_jumps_and_records_the_step_left() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(45.0)
    assert engine.go_to(2) == {Change.STEP, Change.STATUS}
    assert statuses(engine) == (D, P, C)
    assert engine.go_to(2) == frozenset()
    with pytest.raises(IndexError):
        engine.go_to(3)
    with pytest.raises(IndexError):
        engine.go_to(-1)


def test_go_to_from_ready_moves_the_starting_step() -> None:
    engine, clock = make(get_ready_s=5.0)
    assert engine.go_to(1) == {Change.STEP, Change.STATUS}
    snap = engine.snapshot()
    assert snap.state is SessionState.READY
    assert snap.statuses == (P, C, P)
    assert snap.total_remaining_s == 210.0
    assert engine.go_to(1) == frozenset()
    assert engine.next() == {Change.STEP, Change.STATUS}
    assert engine.next() == frozenset()  # nothing after the last step to move to
    assert engine.previous() == {Change.STEP, Change.STATUS}
    assert engine.index == 1
    engine.start()
    clock.advance(5.0 + 1.0)
    engine.update()
    assert engine.elapsed() == 1.0
    assert engine.index == 1


def test_previous_on_first_step_in_ready_changes_nothing() -> None:
    engine, _ = make()
    assert engine.previous() == frozenset()
    assert engine.restart_step() == frozenset()


def test_go_to_from_finished_reopens_paused_on_that_step() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(1000.0)
    engine.update()
    assert engine.go_to(1) == {Change.STATE, Change.STEP, Change.STATUS}
    snap = engine.snapshot()
    assert snap.state is SessionState.PAUSED
    assert snap.statuses == (D, C, D)
    assert snap.elapsed_s == 0.0
    assert snap.remaining_s == 120.0
    engine.resume()
    clock.advance(10.0)
    assert engine.records()[1].actual_s == 130.0


def test_restart_step_when_finished_reopens_the_last_step() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(5.0)
    engine.finish()
    assert engine.restart_step() == {Change.STATE, Change.STATUS, Change.TIMING}
    assert engine.state is SessionState.PAUSED
    assert engine.index == 0
    assert engine.remaining() == 60.0
    assert statuses(engine) == (C, S, S)


def test_reopening_an_untouched_step_reports_no_timing_jump() -> None:
    engine, _ = make()
    engine.finish()
    assert engine.go_to(0) == {Change.STATE, Change.STATUS}
    assert engine.remaining() == 60.0


def test_coming_back_to_the_same_step_within_one_command_is_a_timing_jump() -> None:
    engine, clock = make((10.0, 20.0))
    engine.start()
    clock.advance(10.0)  # step 0 ended; no update() yet
    # The command first moves to step 1, then back to a fresh visit of step 0.
    assert engine.previous() == {Change.STATUS, Change.TIMING}
    assert engine.index == 0
    assert engine.remaining() == 10.0
    assert statuses(engine) == (C, S)


def test_commands_when_finished_do_nothing() -> None:
    engine, clock = make()
    engine.start()
    engine.finish()
    clock.advance(10.0)
    for command in (
        engine.start,
        engine.pause,
        engine.resume,
        engine.toggle,
        engine.next,
        engine.previous,
        engine.finish,
        engine.update,
    ):
        assert command() == frozenset()
    assert engine.adjust(30.0) == frozenset()
    assert engine.state is SessionState.FINISHED


# -- restart and adjust ----------------------------------------------------------------


def test_restart_step_resets_the_visit_but_keeps_time_spent() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(25.0)
    engine.adjust(30.0)
    assert engine.restart_step() == {Change.TIMING}
    assert engine.state is SessionState.RUNNING
    assert engine.remaining() == 60.0
    clock.advance(5.0)
    assert engine.elapsed() == 5.0
    assert engine.records()[0].actual_s == 30.0
    assert engine.snapshot().total_elapsed_s == 30.0


def test_restart_step_while_paused_stays_paused() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(25.0)
    engine.pause()
    assert engine.restart_step() == {Change.TIMING}
    assert engine.state is SessionState.PAUSED
    assert engine.remaining() == 60.0


def test_restart_with_nothing_to_reset_reports_nothing() -> None:
    engine, _ = make()
    engine.start()
    assert engine.restart_step() == frozenset()


def test_adjust_changes_the_current_budget_never_below_zero() -> None:
    engine, clock = make(auto_advance=False)
    engine.start()
    clock.advance(10.0)
    assert engine.adjust(30.0) == {Change.TIMING}
    assert engine.remaining() == 80.0
    assert engine.snapshot().budget_s == 90.0
    assert engine.snapshot().total_remaining_s == 80.0 + 210.0
    assert engine.adjust(-30.0) == {Change.TIMING}
    assert engine.adjust(-30.0) == {Change.TIMING}
    assert engine.adjust(-30.0) == {Change.TIMING}
    assert engine.records()[0].budget_s == 0.0
    assert engine.adjust(-30.0) == frozenset()
    assert engine.remaining() == -10.0
    assert engine.overtime()
    with pytest.raises(ValueError, match="finite"):
        engine.adjust(float("nan"))


def test_adjust_below_elapsed_with_auto_advance_moves_on_from_that_moment() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(40.0)
    # Budget 30 s with 40 s already spent: the step ends now, not 10 s in the past.
    assert engine.adjust(-30.0) == {Change.TIMING, Change.STEP, Change.STATUS}
    clock.advance(2.0)
    assert engine.update() == frozenset()
    assert engine.elapsed() == 2.0
    assert engine.records()[0].actual_s == 40.0
    assert statuses(engine)[0] is D


def test_adjust_in_ready_changes_the_starting_budget() -> None:
    engine, _ = make()
    assert engine.adjust(30.0) == {Change.TIMING}
    assert engine.remaining() == 90.0
    assert engine.restart_step() == {Change.TIMING}
    assert engine.remaining() == 60.0


def test_next_step_starts_with_no_adjustment() -> None:
    engine, _ = make()
    engine.start()
    engine.adjust(30.0)
    engine.next()
    assert engine.snapshot().budget_s == 120.0


# -- finish from READY, summary ----------------------------------------------------


def test_finish_from_ready_skips_every_step() -> None:
    engine, _ = make()
    assert engine.finish() == {Change.STATE, Change.STATUS}
    summary = engine.summary()
    assert (summary.done, summary.skipped, summary.actual_s, summary.pauses) == (0, 3, 0.0, 0)


def test_summary_records_each_step() -> None:
    engine, clock = make()
    engine.start()
    clock.advance(60.0)
    engine.update()
    clock.advance(20.0)
    engine.pause()
    clock.advance(999.0)
    engine.resume()
    clock.advance(5.0)
    engine.finish()
    summary = engine.summary()
    assert [record.index for record in summary.records] == [0, 1, 2]
    assert [record.actual_s for record in summary.records] == [60.0, 25.0, 0.0]
    assert [record.status for record in summary.records] == [D, S, S]
    assert (summary.done, summary.skipped, summary.pauses) == (1, 2, 1)
    assert summary.actual_s == 85.0
    assert summary.planned_s == 270.0
