"""The session engine: a pure state machine that times the steps of a routine.

The engine never sleeps and never counts ticks. It reads an injected :class:`Clock`
and keeps, for the current step, the running time of closed segments plus the start
of the open one, so the remaining time is always *deadline - now* and cannot drift.
Nothing here knows about Qt; the UI owns a timer that calls :meth:`SessionEngine.update`
and redraws from :meth:`SessionEngine.snapshot`.

Rules worth knowing when driving it:

* Every command first applies the time that passed since the last call (ending the
  get-ready countdown, auto-advancing, finishing), exactly as :meth:`~SessionEngine.update`
  would, so a late call loses nothing. If the command itself leaves an auto-advancing
  step at or past its budget (cutting the budget, switching auto-advance on in
  overtime), the step ends at once and its change is part of the command's result.
  Queries (``remaining()``, ``snapshot()``, ...) never change the state: call
  ``update()`` before reading if time has passed.
* Each command returns the :class:`Change` kinds that really changed (an empty set
  when nothing did). A :attr:`Change.STEP` always means a fresh visit of the new step,
  so :attr:`Change.TIMING` is not repeated for that; ``TIMING`` reports a jump of the
  current step's budget or elapsed time that the clock does not explain (adjust,
  restart, a fresh visit of the same step) and the start or end of get-ready.
* Commands never raise because of the state they are called in; they do nothing and
  return an empty set. Only invalid arguments raise (``go_to`` outside the steps,
  a non-finite ``adjust``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

__all__ = [
    "Change",
    "Clock",
    "FakeClock",
    "MonotonicClock",
    "SessionEngine",
    "SessionState",
    "SessionSummary",
    "Snapshot",
    "StepRecord",
    "StepStatus",
]


class Clock(Protocol):
    """A source of monotonic time in seconds."""

    def now(self) -> float: ...


class MonotonicClock:
    """The real clock: :func:`time.monotonic`, unaffected by changes of the wall clock."""

    def now(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that moves only when told to, for tests and simulations."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward; a monotonic clock never goes back."""
        if not seconds >= 0.0:  # also rejects NaN
            raise ValueError(f"a clock cannot move back or by NaN: {seconds!r}")
        self._now += seconds


class SessionState(StrEnum):
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"


class StepStatus(StrEnum):
    PENDING = "pending"
    CURRENT = "current"
    DONE = "done"
    SKIPPED = "skipped"


class Change(StrEnum):
    """What a command changed, so an adapter emits only the signals that matter."""

    STATE = "state"
    """The session state changed."""
    STEP = "step"
    """The current step index changed (the new step starts a fresh visit)."""
    STATUS = "status"
    """At least one step's status changed."""
    TIMING = "timing"
    """Without the index changing, a command made the current step's budget or elapsed time
    jump (adjust, restart, a fresh visit of the same step), or get-ready began/ended."""
    OPTIONS = "options"
    """Auto-advance was switched on or off."""


@dataclass(frozen=True)
class StepRecord:
    """What happened to one step."""

    index: int
    planned_s: float
    budget_s: float
    """Planned time plus the adjustment made during the step's latest visit."""
    actual_s: float
    """Running time spent on the step over all its visits (paused time excluded)."""
    status: StepStatus


@dataclass(frozen=True)
class Snapshot:
    """Everything a view needs, read at one instant."""

    state: SessionState
    index: int
    remaining_s: float
    """Budget minus the elapsed time of this visit; negative in overtime."""
    elapsed_s: float
    """Running time of the current visit."""
    budget_s: float
    overtime: bool
    get_ready_s: float
    """Seconds left of the get-ready countdown; 0.0 when not in it."""
    statuses: tuple[StepStatus, ...]
    total_elapsed_s: float
    """Sum of the running time spent on every step."""
    total_remaining_s: float
    """The current step's remaining time (never below 0) plus the planned time of every
    later step; 0.0 once finished. Steps before the current one are not counted back in."""
    auto_advance: bool


@dataclass(frozen=True)
class SessionSummary:
    """The outcome of a session, for the history and the end screen."""

    records: tuple[StepRecord, ...]
    done: int
    skipped: int
    planned_s: float
    actual_s: float
    pauses: int


class SessionEngine:
    """Times a routine's steps: start, pause, navigate, adjust, auto-advance, finish.

    ``durations`` are the planned seconds of each step (each finite and > 0, at least
    one step). With ``get_ready_s`` > 0 the first start runs a countdown of that length
    before step 0's clock starts.
    """

    def __init__(
        self,
        durations: Sequence[float],
        clock: Clock,
        *,
        auto_advance: bool = True,
        get_ready_s: float = 5.0,
    ) -> None:
        planned = tuple(float(duration) for duration in durations)
        if not planned:
            raise ValueError("a session needs at least one step")
        for position, duration in enumerate(planned):
            if not (math.isfinite(duration) and duration > 0.0):
                raise ValueError(f"step {position} must last a finite time > 0, got {duration}")
        if not (math.isfinite(get_ready_s) and get_ready_s >= 0.0):
            raise ValueError(f"get_ready_s must be finite and >= 0, got {get_ready_s}")
        self._clock = clock
        self._planned = planned
        self._get_ready_total = float(get_ready_s)
        self._auto_advance = auto_advance
        self._state = SessionState.READY
        self._index = 0
        self._statuses = [StepStatus.PENDING] * len(planned)
        self._statuses[0] = StepStatus.CURRENT
        # Per step: the adjustment of its latest visit, closed running time, ever DONE.
        self._adjustments = [0.0] * len(planned)
        self._actual = [0.0] * len(planned)
        self._completed = [False] * len(planned)
        # The current visit: running time of closed segments.
        self._visit_elapsed = 0.0
        # Counts visits, so a command can tell a fresh visit of the same step.
        self._visit_number = 0
        # Start of the open running segment; set exactly when the state is RUNNING.
        # While in get-ready the segment belongs to the countdown, not to the step.
        self._segment_start: float | None = None
        self._in_get_ready = False
        self._get_ready_elapsed = 0.0
        self._pauses = 0
        self._timing_changed = False

    # -- queries ---------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def index(self) -> int:
        """The current step (in READY: the step the session will start on)."""
        return self._index

    @property
    def step_count(self) -> int:
        return len(self._planned)

    @property
    def auto_advance(self) -> bool:
        return self._auto_advance

    def remaining(self) -> float:
        """Budget minus elapsed of the current visit; negative in overtime."""
        return self._budget() - self._elapsed_at(self._clock.now())

    def elapsed(self) -> float:
        """Running time of the current visit (paused time and get-ready excluded)."""
        return self._elapsed_at(self._clock.now())

    def overtime(self) -> bool:
        """True while an open step has run past its budget."""
        return self._overtime_at(self._clock.now())

    def get_ready_remaining(self) -> float:
        """Seconds left of the get-ready countdown; 0.0 when not in it."""
        return self._get_ready_remaining_at(self._clock.now())

    def in_get_ready(self) -> bool:
        return self._in_get_ready

    def snapshot(self) -> Snapshot:
        """All the values a view shows, read at one clock instant."""
        now = self._clock.now()
        elapsed = self._elapsed_at(now)
        budget = self._budget()
        remaining = budget - elapsed
        if self._state is SessionState.FINISHED:
            total_remaining = 0.0
        else:
            total_remaining = max(remaining, 0.0) + sum(self._planned[self._index + 1 :])
        return Snapshot(
            state=self._state,
            index=self._index,
            remaining_s=remaining,
            elapsed_s=elapsed,
            budget_s=budget,
            overtime=self._overtime_at(now),
            get_ready_s=self._get_ready_remaining_at(now),
            statuses=tuple(self._statuses),
            total_elapsed_s=sum(self._actual_at(now)),
            total_remaining_s=total_remaining,
            auto_advance=self._auto_advance,
        )

    def records(self) -> tuple[StepRecord, ...]:
        """One record per step, as of now."""
        actual = self._actual_at(self._clock.now())
        return tuple(
            StepRecord(
                index=position,
                planned_s=planned,
                budget_s=planned + self._adjustments[position],
                actual_s=actual[position],
                status=self._statuses[position],
            )
            for position, planned in enumerate(self._planned)
        )

    def summary(self) -> SessionSummary:
        """Counts and totals of the session so far (usually read once finished)."""
        records = self.records()
        return SessionSummary(
            records=records,
            done=sum(record.status is StepStatus.DONE for record in records),
            skipped=sum(record.status is StepStatus.SKIPPED for record in records),
            planned_s=sum(self._planned),
            actual_s=sum(record.actual_s for record in records),
            pauses=self._pauses,
        )

    # -- commands --------------------------------------------------------------

    def update(self) -> frozenset[Change]:
        """Apply the passage of time: end get-ready, auto-advance, finish."""
        return self._command(lambda now: None)

    def start(self) -> frozenset[Change]:
        """READY: start (through get-ready if it has a length). PAUSED: resume."""
        return self._command(self._do_start)

    def pause(self) -> frozenset[Change]:
        """Freeze the clock of the step (or of the get-ready countdown)."""
        return self._command(self._do_pause)

    def resume(self) -> frozenset[Change]:
        """PAUSED: run again from where the clock was frozen."""
        return self._command(self._do_resume)

    def toggle(self) -> frozenset[Change]:
        """Start or resume when not running, pause when running."""

        def action(now: float) -> None:
            if self._state is SessionState.RUNNING:
                self._do_pause(now)
            else:
                self._do_start(now)

        return self._command(action)

    def next(self) -> frozenset[Change]:
        """Go to the next step; on the last one, finish. In READY: move the starting step."""

        def action(now: float) -> None:
            if self._state is SessionState.FINISHED:
                return
            if self._index + 1 < len(self._planned):
                self._go_to(self._index + 1, now)
            elif self._state is not SessionState.READY:
                self._do_finish(now)

        return self._command(action)

    def previous(self) -> frozenset[Change]:
        """Go to the previous step; on the first one, restart it."""

        def action(now: float) -> None:
            if self._state is SessionState.FINISHED:
                return
            if self._index > 0:
                self._go_to(self._index - 1, now)
            else:
                self._do_restart(now)

        return self._command(action)

    def go_to(self, index: int) -> frozenset[Change]:
        """Make ``index`` the current step.

        In READY it moves the starting step; once FINISHED it re-opens the session,
        PAUSED on that step. Going to the current step does nothing, except that it
        ends a get-ready countdown. Raises :class:`IndexError` outside the steps.
        """
        if not 0 <= index < len(self._planned):
            raise IndexError(f"step {index} is not in 0..{len(self._planned) - 1}")

        def action(now: float) -> None:
            if self._state is SessionState.FINISHED:
                self._reopen(index, now)
            else:
                self._go_to(index, now)

        return self._command(action)

    def restart_step(self) -> frozenset[Change]:
        """Start the current visit over: elapsed and adjustment back to 0, state kept.

        Time already spent still counts in the step's ``actual_s``. During get-ready it
        ends the countdown and starts the step now. Once FINISHED it re-opens the
        session, PAUSED on the last current step.
        """

        def action(now: float) -> None:
            if self._state is SessionState.FINISHED:
                self._reopen(self._index, now)
            else:
                self._do_restart(now)

        return self._command(action)

    def adjust(self, delta_s: float) -> frozenset[Change]:
        """Add ``delta_s`` (e.g. +30 or -30) to the current step's budget, never below 0."""
        if not math.isfinite(delta_s):
            raise ValueError(f"adjustment must be finite, got {delta_s}")

        def action(now: float) -> None:
            if self._state is SessionState.FINISHED:
                return
            planned = self._planned[self._index]
            current = self._adjustments[self._index]
            wanted = max(current + delta_s, -planned)
            if wanted != current:
                self._adjustments[self._index] = wanted
                self._timing_changed = True

        return self._command(action)

    def finish(self) -> frozenset[Change]:
        """End the session: the current step is DONE or SKIPPED, pending ones SKIPPED."""

        def action(now: float) -> None:
            if self._state is not SessionState.FINISHED:
                self._do_finish(now)

        return self._command(action)

    def set_auto_advance(self, on: bool) -> frozenset[Change]:
        """Choose whether a step that reaches its budget moves on by itself (any state)."""

        def action(now: float) -> None:
            self._auto_advance = on

        return self._command(action)

    def restore(
        self, index: int, elapsed_s: float, records: Sequence[StepRecord]
    ) -> frozenset[Change]:
        """Put the session back where a saved checkpoint left it, PAUSED on step ``index``.

        ``records`` are one per step, as :meth:`records` gave them when the checkpoint
        was written (their ``planned_s`` is ignored: the engine's own plan counts);
        ``elapsed_s`` is the running time of the current visit. Works in any state; the
        session then waits for :meth:`start`. Raises :class:`ValueError` when the records
        do not fit this engine's steps or a time is negative or not finite, and
        :class:`IndexError` outside the steps.
        """
        if not 0 <= index < len(self._planned):
            raise IndexError(f"step {index} is not in 0..{len(self._planned) - 1}")
        if len(records) != len(self._planned):
            raise ValueError(f"{len(records)} records for {len(self._planned)} steps")
        if not (math.isfinite(elapsed_s) and elapsed_s >= 0.0):
            raise ValueError(f"elapsed_s must be finite and >= 0, got {elapsed_s}")
        for position, record in enumerate(records):
            times = (record.actual_s, record.budget_s, record.planned_s)
            if not all(math.isfinite(value) for value in times) or record.actual_s < 0.0:
                raise ValueError(f"step {position}: times must be finite, actual_s >= 0")

        def action(now: float) -> None:
            for position, record in enumerate(records):
                planned = self._planned[position]
                adjustment = max(record.budget_s - record.planned_s, -planned)
                self._adjustments[position] = adjustment
                self._actual[position] = record.actual_s
                status = record.status
                if status is StepStatus.CURRENT:  # only the restored index may be current
                    status = StepStatus.SKIPPED if record.actual_s > 0.0 else StepStatus.PENDING
                self._statuses[position] = status
                self._completed[position] = status is StepStatus.DONE
            self._index = index
            self._statuses[index] = StepStatus.CURRENT
            self._actual[index] = max(self._actual[index], elapsed_s)
            self._visit_number += 1
            self._visit_elapsed = elapsed_s
            self._in_get_ready = False
            self._get_ready_elapsed = 0.0
            self._segment_start = None
            self._state = SessionState.PAUSED
            self._timing_changed = True

        return self._command(action)

    # -- internals -------------------------------------------------------------

    def _command(self, action: Callable[[float], None]) -> frozenset[Change]:
        """Catch up with the clock, run ``action`` and report what changed."""
        now = self._clock.now()
        before = (self._state, self._index, tuple(self._statuses), self._auto_advance)
        visit_before = (self._visit_number, self._elapsed_at(now), self._budget())
        self._timing_changed = False
        self._catch_up(now)
        action(now)
        # The action may have put the deadline in the past (a budget cut below the time
        # spent, auto-advance switched on in overtime): the step then ends now, not back
        # in time.
        self._catch_up(now, not_before=now)
        changes: set[Change] = set()
        if self._state is not before[0]:
            changes.add(Change.STATE)
        if self._index != before[1]:
            changes.add(Change.STEP)
        if tuple(self._statuses) != before[2]:
            changes.add(Change.STATUS)
        if self._auto_advance != before[3]:
            changes.add(Change.OPTIONS)
        if self._timing_changed or (
            # A new visit of the same step (restart, re-open, or leaving and coming back
            # within one command) is a jump unless the old visit read the same.
            self._index == before[1]
            and self._visit_number != visit_before[0]
            and (visit_before[1] != 0.0 or visit_before[2] != self._budget())
        ):
            changes.add(Change.TIMING)
        return frozenset(changes)

    def _catch_up(self, now: float, *, not_before: float = -math.inf) -> None:
        """Apply every transition due by ``now``, each at its exact due time.

        No step ends before ``not_before``.
        """
        if self._segment_start is None:  # not running: time changes nothing
            return
        if self._in_get_ready:
            countdown_end = self._segment_start + (self._get_ready_total - self._get_ready_elapsed)
            if now < countdown_end:
                return
            self._end_get_ready(countdown_end)
        if not self._auto_advance:
            return
        while self._segment_start is not None:
            deadline = self._segment_start + (self._budget() - self._visit_elapsed)
            deadline = max(deadline, not_before)
            if now < deadline:
                return
            # The next step starts at this deadline, so a late update carries the overshoot.
            self._close_segment(deadline)
            self._leave_current(auto=True)
            if self._index + 1 < len(self._planned):
                self._enter(self._index + 1, deadline)
            else:
                self._finish_closed()

    def _budget(self) -> float:
        return self._planned[self._index] + self._adjustments[self._index]

    def _elapsed_at(self, now: float) -> float:
        if self._segment_start is None or self._in_get_ready:
            return self._visit_elapsed
        return self._visit_elapsed + (now - self._segment_start)

    def _overtime_at(self, now: float) -> bool:
        if self._state not in (SessionState.RUNNING, SessionState.PAUSED):
            return False
        return self._budget() - self._elapsed_at(now) < 0.0

    def _get_ready_remaining_at(self, now: float) -> float:
        if not self._in_get_ready:
            return 0.0
        elapsed = self._get_ready_elapsed
        if self._segment_start is not None:
            elapsed += now - self._segment_start
        return max(self._get_ready_total - elapsed, 0.0)

    def _actual_at(self, now: float) -> list[float]:
        actual = list(self._actual)
        if self._segment_start is not None and not self._in_get_ready:
            actual[self._index] += now - self._segment_start
        return actual

    def _close_segment(self, at: float) -> None:
        """Bank the open running segment up to ``at`` and open a new one there."""
        if self._segment_start is None:
            return
        spent = at - self._segment_start
        if self._in_get_ready:
            self._get_ready_elapsed += spent
        else:
            self._visit_elapsed += spent
            self._actual[self._index] += spent
        self._segment_start = at

    def _end_get_ready(self, at: float) -> None:
        """End the countdown; the step's clock starts exactly at ``at`` if running."""
        self._in_get_ready = False
        self._get_ready_elapsed = 0.0
        if self._segment_start is not None:
            self._segment_start = at
        self._timing_changed = True

    def _leave_current(self, *, auto: bool) -> None:
        """Record the status of the step being left (its segment already closed)."""
        position = self._index
        if auto or self._visit_elapsed >= self._budget() / 2.0:
            self._completed[position] = True
        self._statuses[position] = (
            StepStatus.DONE if self._completed[position] else StepStatus.SKIPPED
        )

    def _enter(self, index: int, at: float) -> None:
        """Make ``index`` current with a fresh visit; its clock starts at ``at`` if running."""
        self._index = index
        self._statuses[index] = StepStatus.CURRENT
        self._visit_number += 1
        self._visit_elapsed = 0.0
        self._adjustments[index] = 0.0
        if self._segment_start is not None:
            self._segment_start = at

    def _finish_closed(self) -> None:
        self._state = SessionState.FINISHED
        self._segment_start = None
        self._statuses = [
            StepStatus.SKIPPED if status is StepStatus.PENDING else status
            for status in self._statuses
        ]

    def _go_to(self, index: int, now: float) -> None:
        """Navigate while READY, RUNNING or PAUSED."""
        if self._state is SessionState.READY:
            if index != self._index:
                # Nothing has run yet: the old starting step simply waits again.
                self._statuses[self._index] = StepStatus.PENDING
                self._adjustments[self._index] = 0.0
                self._enter(index, now)
            return
        if self._in_get_ready:
            self._end_get_ready(now)
        if index == self._index:
            return
        self._close_segment(now)
        self._leave_current(auto=False)
        self._enter(index, now)

    def _reopen(self, index: int, now: float) -> None:
        """Open a FINISHED session again, PAUSED on ``index`` with a fresh visit."""
        self._state = SessionState.PAUSED
        self._enter(index, now)

    def _do_start(self, now: float) -> None:
        if self._state is SessionState.PAUSED:
            self._do_resume(now)
        elif self._state is SessionState.READY:
            self._state = SessionState.RUNNING
            self._segment_start = now
            if self._get_ready_total > 0.0:
                self._in_get_ready = True
                self._get_ready_elapsed = 0.0
                self._timing_changed = True

    def _do_pause(self, now: float) -> None:
        if self._state is SessionState.RUNNING:
            self._close_segment(now)
            self._segment_start = None
            self._state = SessionState.PAUSED
            self._pauses += 1

    def _do_resume(self, now: float) -> None:
        if self._state is SessionState.PAUSED:
            self._state = SessionState.RUNNING
            self._segment_start = now

    def _do_restart(self, now: float) -> None:
        if self._in_get_ready:
            self._end_get_ready(now)
        self._close_segment(now)
        self._enter(self._index, now)

    def _do_finish(self, now: float) -> None:
        if self._in_get_ready:
            self._end_get_ready(now)
        self._close_segment(now)
        self._leave_current(auto=False)
        self._finish_closed()
