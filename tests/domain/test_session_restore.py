"""SessionEngine.restore: put a session back where a checkpoint left it (crash recovery)."""

from __future__ import annotations

import pytest

from massage_trainer.domain.session import (
    Change,
    FakeClock,
    SessionEngine,
    SessionState,
    StepRecord,
    StepStatus,
)

C = StepStatus.CURRENT
D = StepStatus.DONE
P = StepStatus.PENDING
S = StepStatus.SKIPPED


def make(durations: tuple[float, ...] = (60.0, 120.0, 90.0)) -> tuple[SessionEngine, FakeClock]:
    clock = FakeClock(1000.0)
    return SessionEngine(durations, clock, get_ready_s=0.0), clock


def test_restore_round_trips_a_running_session() -> None:
    original, clock = make()
    original.start()
    clock.advance(70.0)  # step 0 done at 60 s, 10 s into step 1
    original.update()
    original.adjust(30.0)
    clock.advance(5.0)
    saved = original.snapshot()
    records = original.records()

    restored, restored_clock = make()
    changes = restored.restore(saved.index, saved.elapsed_s, records)

    snapshot = restored.snapshot()
    assert {Change.STATE, Change.STEP, Change.STATUS} <= changes
    assert snapshot.state is SessionState.PAUSED
    assert snapshot.index == 1
    assert snapshot.elapsed_s == pytest.approx(15.0)
    assert snapshot.budget_s == pytest.approx(150.0)
    assert snapshot.statuses == (D, C, P)
    assert snapshot.total_elapsed_s == pytest.approx(75.0)
    # Paused: time passing changes nothing until the user starts again.
    restored_clock.advance(100.0)
    assert restored.snapshot().elapsed_s == pytest.approx(15.0)
    restored.start()
    restored_clock.advance(135.0)  # the rest of the 150 s budget
    restored.update()
    assert restored.index == 2
    assert restored.records()[1].actual_s == pytest.approx(150.0)


def test_restore_keeps_skipped_steps_and_never_two_current() -> None:
    engine, _clock = make()
    records = (
        StepRecord(0, 60.0, 60.0, 3.0, S),
        StepRecord(1, 120.0, 120.0, 4.0, C),  # a stale "current": not the restored index
        StepRecord(2, 90.0, 90.0, 0.0, P),
    )
    engine.restore(2, 8.0, records)
    assert engine.snapshot().statuses == (S, S, C)
    assert engine.records()[2].actual_s == pytest.approx(8.0)


def test_restore_after_finish_reopens_paused() -> None:
    engine, _clock = make()
    engine.start()
    engine.finish()
    engine.restore(0, 1.0, engine.records())
    assert engine.state is SessionState.PAUSED


@pytest.mark.parametrize(
    ("index", "elapsed", "count", "error"),
    [
        (3, 0.0, 3, IndexError),
        (0, -1.0, 3, ValueError),
        (0, float("nan"), 3, ValueError),
        (0, 0.0, 2, ValueError),
    ],
)
def test_restore_rejects_records_that_do_not_fit(
    index: int, elapsed: float, count: int, error: type[Exception]
) -> None:
    engine, _clock = make()
    records = tuple(StepRecord(i, 60.0, 60.0, 0.0, P) for i in range(count))
    with pytest.raises(error):
        engine.restore(index, elapsed, records)
    assert engine.state is SessionState.READY
