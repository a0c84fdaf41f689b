"""Hours of practice on the fake clock through the real controller: no drift, no leak.

The controller (with the step list, timer panel and diagram listening, as in the
window) runs the routines back to back for hours of fake time, with pauses, skips and
time changes along the way. At every tick the shown whole seconds must equal the truth
computed here from the plan and the fake clock alone, and the memory Python holds must
not grow from the second hour to the last.
"""

from __future__ import annotations

import gc
import math
import random
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.session import FakeClock, SessionState
from massage_trainer.ui.controller import SessionController
from massage_trainer.ui.preferences import Preferences

HOURS = 8.0
LEAK_LIMIT_BYTES = 200_000
"""Growth allowed between the end of hour 1 and the end (caches settle in hour 1)."""


class Truth:
    """The session's timing worked out from the plan and the clock, independently."""

    def __init__(self, durations: list[float], start: float) -> None:
        self.durations = durations
        self.index = 0
        self.step_started = start  # clock time the current visit started (running time)
        self.paused_at: float | None = None
        self.paused_total = 0.0
        self.extra = 0.0  # adjustment of the current visit

    def _running_since_step(self, now: float) -> float:
        end = self.paused_at if self.paused_at is not None else now
        return end - self.step_started - self.paused_total

    def remaining(self, now: float) -> float:
        return self.durations[self.index] + self.extra - self._running_since_step(now)

    def catch_up(self, now: float) -> bool:
        """Auto-advance through steps whose time is up; False once the routine is over."""
        while self.remaining(now) <= 0:
            overshoot = -self.remaining(now)
            self.index += 1
            if self.index >= len(self.durations):
                return False
            self.step_started = now - overshoot
            self.paused_total = 0.0
            self.extra = 0.0
        return True

    def pause(self, now: float) -> None:
        self.paused_at = now

    def resume(self, now: float) -> None:
        assert self.paused_at is not None
        self.paused_total += now - self.paused_at
        self.paused_at = None

    def skip(self, now: float) -> None:
        self.index += 1
        self.step_started = now
        self.paused_total = 0.0
        self.extra = 0.0


@pytest.fixture
def widgets(qtbot: Any, tmp_path: Path, library: ContentLibrary) -> SessionController:
    """A real controller with the session window's widgets listening to it."""
    from massage_trainer.ui.diagram import BackDiagramView
    from massage_trainer.ui.step_list import StepListView
    from massage_trainer.ui.timer_panel import TimerPanel

    clock = FakeClock(5000.0)
    controller = SessionController(library, clock, get_ready_s=0.0)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    preferences = Preferences(settings)
    for widget in (
        StepListView(controller),
        TimerPanel(controller, preferences),
        BackDiagramView(controller, preferences),
    ):
        qtbot.addWidget(widget)
    return controller


def test_hours_on_the_fake_clock_without_drift_or_growing_memory(
    widgets: SessionController, library: ContentLibrary
) -> None:
    controller = widgets
    clock = controller.clock
    assert isinstance(clock, FakeClock)
    rng = random.Random(45)
    routine_ids = list(library.routines)
    end_at = clock.now() + HOURS * 3600
    hour_one_at = clock.now() + 3600
    baseline: int | None = None
    ticks = 0
    routines_run = 0
    tracemalloc.start()
    try:
        while clock.now() < end_at:
            controller.load_routine(routine_ids[routines_run % len(routine_ids)])
            routines_run += 1
            routine = controller.routine
            assert routine is not None
            durations = [float(step.duration_s) for step in routine.steps]
            controller.start()
            truth = Truth(durations, clock.now())
            while True:
                # Uneven wake-ups, as a busy event loop gives; sometimes a long stall.
                clock.advance(rng.choice([0.25, 0.5, 1.0, 1.0, 1.0, 1.7, 7.3]))
                controller.tick()
                ticks += 1
                now = clock.now()
                running = truth.catch_up(now)
                if not running:
                    assert controller.state() is SessionState.FINISHED
                    break
                assert controller.current_index == truth.index
                # The shown value is the ceiling of the true remaining time: exact.
                assert controller.remaining_seconds() == math.ceil(truth.remaining(now))
                engine = controller.engine
                assert engine is not None
                assert abs(engine.remaining() - truth.remaining(now)) < 1e-6
                roll = rng.random()
                if roll < 0.01:
                    controller.pause()
                    truth.pause(now)
                    clock.advance(rng.uniform(1, 120))
                    controller.start()  # resumes
                    truth.resume(clock.now())
                elif roll < 0.013 and truth.index + 1 < len(durations):
                    controller.next_step()
                    truth.skip(now)
                elif roll < 0.016:
                    controller.adjust(30)
                    truth.extra += 30
            if baseline is None and clock.now() >= hour_one_at:
                gc.collect()
                baseline = tracemalloc.get_traced_memory()[0]
        gc.collect()
        final = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert routines_run >= 5, "the run should cover several whole routines"
    assert ticks > 10_000
    assert baseline is not None
    growth = final - baseline
    assert growth < LEAK_LIMIT_BYTES, f"memory grew by {growth:,} bytes over the last hours"
