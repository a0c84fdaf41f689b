"""SessionController: commands reach the engine, signals fire only on real changes."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import pytest

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.session import FakeClock, SessionState, StepStatus
from massage_trainer.ui.controller import (
    GET_READY_S,
    WARNING_LEAD_S,
    SessionController,
    describe_zones,
    format_clock,
)

ROUTINE = "classic-home"


class Recorder:
    """Counts the emissions of each of the controller's signals, with their arguments."""

    NAMES = (
        "routine_changed",
        "step_changed",
        "remaining_changed",
        "get_ready_changed",
        "state_changed",
        "statuses_changed",
        "auto_advance_changed",
        "zone_focus_changed",
        "focus_technique_changed",
        "preview_changed",
        "zone_selected",
        "cue",
    )

    def __init__(self, controller: SessionController) -> None:
        self.calls: dict[str, list[tuple[Any, ...]]] = {name: [] for name in self.NAMES}
        for name in self.NAMES:
            getattr(controller, name).connect(self._recorder(name))

    def _recorder(self, name: str) -> Callable[..., None]:
        def record(*args: Any) -> None:
            self.calls[name].append(args)

        return record

    def count(self, name: str) -> int:
        return len(self.calls[name])

    def last(self, name: str) -> tuple[Any, ...]:
        return self.calls[name][-1]

    def clear(self) -> None:
        for calls in self.calls.values():
            calls.clear()


@pytest.fixture
def controller(qtbot: Any, library: ContentLibrary, fake_clock: FakeClock) -> SessionController:
    controller = SessionController(library, fake_clock)
    controller.load_routine(ROUTINE)
    return controller


def durations(controller: SessionController) -> list[int]:
    assert controller.routine is not None
    return [step.duration_s for step in controller.routine.steps]


def run_into_first_step(controller: SessionController, clock: FakeClock) -> None:
    controller.start()
    clock.advance(GET_READY_S)
    controller.tick()


def test_loading_a_routine_resets_and_announces_it(
    library: ContentLibrary, fake_clock: FakeClock
) -> None:
    controller = SessionController(library, fake_clock)
    recorder = Recorder(controller)
    controller.load_routine("beginner-20")
    assert controller.routine is not None
    assert controller.routine.id == "beginner-20"
    assert recorder.count("routine_changed") == 1
    assert recorder.last("step_changed") == (0,)
    assert controller.state() is SessionState.READY
    assert controller.remaining_seconds() == library.routines["beginner-20"].steps[0].duration_s
    with pytest.raises(KeyError):
        controller.load_routine("no-such-routine")


def test_a_controller_can_start_with_a_routine_other_than_the_first(
    library: ContentLibrary, fake_clock: FakeClock
) -> None:
    first = next(iter(library.routines))
    assert first != ROUTINE

    def starts_with(**kwargs: Any) -> str:
        controller = SessionController(library, fake_clock, **kwargs)
        assert controller.routine is not None
        return controller.routine.id

    assert starts_with() == first
    assert starts_with(routine_id=ROUTINE) == ROUTINE
    assert starts_with(routine_id="no-such-routine") == first


def test_as_loaded_tells_whether_loading_again_would_change_nothing(
    library: ContentLibrary, fake_clock: FakeClock
) -> None:
    controller = SessionController(library, fake_clock, routine_id=ROUTINE)
    assert controller.as_loaded(ROUTINE)
    assert not controller.as_loaded("beginner-20")
    controller.set_auto_advance(False)  # kept by a new load too
    assert controller.as_loaded(ROUTINE)
    touches: list[Callable[[], object]] = [
        controller.start,
        lambda: controller.select_step(2),
        lambda: controller.adjust(30),
        lambda: controller.set_mode("dry-run"),
        lambda: controller.preview_step(1),
        lambda: controller.select_zone(controller.step(0).zones[0]),
    ]
    for touch in touches:
        touch()
        assert not controller.as_loaded(ROUTINE)
        controller.load_routine(ROUTINE)
        assert controller.as_loaded(ROUTINE)
    edited = library.routines[ROUTINE].model_copy(update={"title": "Edited"})
    controller.set_library(
        dataclasses.replace(library, routines={**library.routines, ROUTINE: edited})
    )
    assert not controller.as_loaded(ROUTINE)  # the library's routine is another one now


def test_commands_drive_the_engine(controller: SessionController, fake_clock: FakeClock) -> None:
    engine = controller.engine
    assert engine is not None
    controller.start()
    assert controller.state() is SessionState.RUNNING
    controller.toggle()
    assert controller.state() is SessionState.PAUSED
    controller.toggle()
    assert controller.state() is SessionState.RUNNING
    controller.pause()
    assert controller.state() is SessionState.PAUSED
    controller.start()
    assert controller.state() is SessionState.RUNNING

    controller.next_step()
    assert engine.index == 1
    controller.previous_step()
    assert engine.index == 0
    controller.select_step(3)
    assert engine.index == 3
    controller.select_step(99)  # out of range: ignored, no exception
    assert engine.index == 3

    fake_clock.advance(10)
    controller.tick()
    before = engine.remaining()
    controller.adjust(30)
    assert engine.remaining() == pytest.approx(before + 30)
    controller.adjust(-30)
    assert engine.remaining() == pytest.approx(before)
    controller.restart_step()
    assert engine.remaining() == pytest.approx(durations(controller)[3])

    controller.set_auto_advance(False)
    assert engine.auto_advance is False
    controller.finish()
    assert controller.state() is SessionState.FINISHED
    controller.toggle()  # after the finish: start over
    assert controller.engine is not None
    assert controller.engine.state is SessionState.RUNNING
    assert controller.engine.index == 0


def test_signals_fire_only_on_real_change(
    controller: SessionController, fake_clock: FakeClock
) -> None:
    recorder = Recorder(controller)
    controller.tick()
    controller.preview_step(-1)
    controller.select_zone("")
    controller.set_auto_advance(True)
    assert all(recorder.count(name) == 0 for name in Recorder.NAMES)

    controller.start()
    assert recorder.calls["state_changed"] == [("running",)]
    assert recorder.calls["get_ready_changed"] == [(5,)]
    assert recorder.count("remaining_changed") == 0  # the step's clock has not started
    recorder.clear()

    # A fraction of a second changes nothing that is shown.
    fake_clock.advance(0.4)
    controller.tick()
    controller.tick()
    assert all(recorder.count(name) == 0 for name in Recorder.NAMES)

    controller.pause()
    controller.pause()
    assert recorder.calls["state_changed"] == [("paused",)]
    controller.set_auto_advance(False)
    controller.set_auto_advance(False)
    assert recorder.calls["auto_advance_changed"] == [(False,)]


def test_remaining_follows_the_engine_clock(
    controller: SessionController, fake_clock: FakeClock
) -> None:
    engine = controller.engine
    assert engine is not None
    run_into_first_step(controller, fake_clock)
    recorder = Recorder(controller)
    shown: list[int] = [controller.remaining_seconds()]
    for _ in range(160):  # 40 s in quarter seconds, off the whole-second grid
        fake_clock.advance(0.25)
        controller.tick()
        expected = math.ceil(engine.remaining())
        assert controller.remaining_seconds() == expected
        if shown[-1] != expected:
            shown.append(expected)
    # One emission per change of the shown second, each the engine's value at the time.
    assert [args[0] for args in recorder.calls["remaining_changed"]] == shown[1:]
    assert len(shown) == 41
    assert controller.remaining_seconds() == durations(controller)[0] - 40


def test_the_timer_wakes_just_after_the_next_whole_second(
    controller: SessionController, fake_clock: FakeClock
) -> None:
    assert controller.next_wake_ms() == -1  # nothing runs, nothing is scheduled
    run_into_first_step(controller, fake_clock)
    fake_clock.advance(0.3)
    controller.tick()
    # 0.7 s to the next boundary plus a few ms, never a fixed interval.
    assert 690 <= controller.next_wake_ms() <= 720
    controller.pause()
    assert controller.next_wake_ms() == -1
    assert not controller.timer_active


def test_a_wake_up_before_the_second_changes_nothing_and_comes_back_at_once(
    controller: SessionController, fake_clock: FakeClock
) -> None:
    run_into_first_step(controller, fake_clock)
    shown = controller.remaining_seconds()
    fake_clock.advance(0.9995)  # the timer fired half a millisecond early
    controller.tick()
    assert controller.remaining_seconds() == shown
    assert 0 <= controller.next_wake_ms() <= 3
    fake_clock.advance(0.0015)
    controller.tick()
    assert controller.remaining_seconds() == shown - 1
    assert 990 <= controller.next_wake_ms() <= 1002


def test_get_ready_countdown_is_shown_first(
    controller: SessionController, fake_clock: FakeClock
) -> None:
    recorder = Recorder(controller)
    controller.start()
    for _ in range(5):
        fake_clock.advance(1.0)
        controller.tick()
    assert [args[0] for args in recorder.calls["get_ready_changed"]] == [5, 4, 3, 2, 1, 0]
    assert controller.get_ready_seconds() == 0
    fake_clock.advance(1.0)
    controller.tick()
    assert controller.remaining_seconds() == durations(controller)[0] - 1


def test_auto_advance_announces_the_next_step(
    controller: SessionController, fake_clock: FakeClock
) -> None:
    recorder = Recorder(controller)
    run_into_first_step(controller, fake_clock)
    first = durations(controller)[0]
    fake_clock.advance(first + 0.01)
    controller.tick()
    assert recorder.last("step_changed") == (1,)
    assert controller.remaining_seconds() == durations(controller)[1]
    kinds = [args[0] for args in recorder.calls["cue"]]
    assert kinds[0] == "start"
    assert "change" in kinds
    change_text = next(text for kind, text in recorder.calls["cue"] if kind == "change")
    technique = controller.technique_for_step(1)
    assert change_text.startswith(f"Now: {technique.name} on ")
    assert "pressure" in change_text


def test_warning_cue_comes_once_before_the_step_ends(
    controller: SessionController, fake_clock: FakeClock
) -> None:
    recorder = Recorder(controller)
    run_into_first_step(controller, fake_clock)
    first = durations(controller)[0]
    fake_clock.advance(first - WARNING_LEAD_S - 0.5)
    controller.tick()
    assert not [c for c in recorder.calls["cue"] if c[0] == "warning"]
    for _ in range(4):
        fake_clock.advance(1.0)
        controller.tick()
    warnings = [c for c in recorder.calls["cue"] if c[0] == "warning"]
    assert len(warnings) == 1
    assert warnings[0][1].startswith(f"{WARNING_LEAD_S} seconds left")
    # More time re-arms it: the warning comes again before the new end.
    controller.adjust(30)
    fake_clock.advance(30)
    controller.tick()
    assert len([c for c in recorder.calls["cue"] if c[0] == "warning"]) == 2


def test_finish_cue_and_state(controller: SessionController, fake_clock: FakeClock) -> None:
    recorder = Recorder(controller)
    run_into_first_step(controller, fake_clock)
    fake_clock.advance(sum(durations(controller)) + 1)
    controller.tick()
    assert controller.state() is SessionState.FINISHED
    assert [c[0] for c in recorder.calls["cue"]].count("finish") == 1
    assert recorder.last("state_changed") == ("finished",)
    controller.tick()
    assert [c[0] for c in recorder.calls["cue"]].count("finish") == 1


def test_overtime_counts_up_when_auto_advance_is_off(
    controller: SessionController, fake_clock: FakeClock
) -> None:
    controller.set_auto_advance(False)
    run_into_first_step(controller, fake_clock)
    fake_clock.advance(durations(controller)[0] + 12.5)
    controller.tick()
    assert controller.current_index == 0
    assert controller.remaining_seconds() == -12
    snapshot = controller.snapshot()
    assert snapshot is not None
    assert snapshot.overtime


def test_zone_focus_follows_steps_and_previews(
    controller: SessionController, fake_clock: FakeClock
) -> None:
    recorder = Recorder(controller)
    assert controller.focus_zones() == controller.step(0).zones
    assert controller.focus_technique() == controller.technique_for_step(0)

    controller.start()
    controller.next_step()
    assert controller.focus_zones() == controller.step(1).zones
    if controller.step(1).zones != controller.step(0).zones:
        assert recorder.last("zone_focus_changed") == (controller.step(1).zones,)

    controller.preview_step(3)
    assert recorder.last("preview_changed") == (3,)
    assert controller.focus_zones() == controller.step(3).zones
    assert controller.focus_technique() == controller.technique_for_step(3)
    controller.preview_step(3)
    assert recorder.count("preview_changed") == 1

    controller.preview_step(-1)
    assert controller.focus_zones() == controller.step(1).zones
    assert controller.focus_technique() == controller.technique_for_step(1)

    # When the session moves on, a preview gives way to the new current step.
    controller.preview_step(4)
    controller.next_step()
    assert controller.preview_index == -1
    assert recorder.last("preview_changed") == (-1,)
    assert controller.focus_zones() == controller.step(2).zones


def test_steps_for_zone_and_zone_selection(controller: SessionController) -> None:
    recorder = Recorder(controller)
    assert controller.routine is not None
    zone = controller.step(0).zones[0]
    expected = tuple(i for i, s in enumerate(controller.routine.steps) if zone in s.zones)
    assert controller.steps_for_zone(zone) == expected
    assert 0 in expected
    assert controller.steps_for_zone("spine") == ()  # a no-go zone: no step works on it
    assert controller.steps_for_zone("") == ()

    controller.select_zone(zone)
    controller.select_zone(zone)
    assert recorder.calls["zone_selected"] == [(zone,)]
    assert controller.selected_zone() == zone
    controller.select_zone("not-a-zone")
    assert controller.selected_zone() == ""
    assert recorder.last("zone_selected") == ("",)


def test_describing_zones_merges_left_and_right(library: ContentLibrary) -> None:
    zones = [library.zones["paraspinal-left"], library.zones["paraspinal-right"]]
    text = describe_zones(zones)
    assert text.endswith("both sides")
    assert "(" not in text
    assert describe_zones([library.zones["neck"], library.zones["upper-back"]]) == (
        "Neck and Upper back"
    )


def test_format_clock() -> None:
    assert format_clock(299) == "4:59"
    assert format_clock(0) == "0:00"
    assert format_clock(-12) == "+0:12"
    assert format_clock(3725) == "1:02:05"


def test_the_qtimer_is_wired_to_tick(controller: SessionController, fake_clock: FakeClock) -> None:
    """When the display timer fires, the engine catches up with the clock and it shows."""
    controller.start()
    fake_clock.advance(GET_READY_S + 2.0)
    timer = controller._timer
    assert timer.isActive()
    assert timer.isSingleShot()
    timer.timeout.emit()  # what Qt does when the wake-up is due; no waiting on real time
    assert controller.remaining_seconds() == durations(controller)[0] - 2


def test_statuses_after_next_next(controller: SessionController, fake_clock: FakeClock) -> None:
    run_into_first_step(controller, fake_clock)
    fake_clock.advance(durations(controller)[0])  # the whole first step: done
    controller.tick()
    controller.next_step()  # the second step left at once: skipped
    snapshot = controller.snapshot()
    assert snapshot is not None
    assert snapshot.statuses[:3] == (StepStatus.DONE, StepStatus.SKIPPED, StepStatus.CURRENT)


def test_a_new_library_is_announced_once_and_the_session_keeps_its_routine(
    controller: SessionController, library: ContentLibrary
) -> None:
    recorder = Recorder(controller)
    changes: list[None] = []
    controller.library_changed.connect(lambda: changes.append(None))
    routines = {rid: r for rid, r in library.routines.items() if rid != "lower-back-relief"}
    smaller = dataclasses.replace(library, routines=routines)

    controller.set_library(smaller)
    controller.set_library(smaller)  # the same library again is no change

    assert len(changes) == 1
    assert controller.library is smaller
    assert controller.routine is not None
    assert controller.routine.id == ROUTINE
    assert recorder.count("routine_changed") == 0


def test_a_warning_with_one_second_left_says_second(
    controller: SessionController, fake_clock: FakeClock
) -> None:
    recorder = Recorder(controller)
    run_into_first_step(controller, fake_clock)
    # Seconds taken off right at the end: the warning comes with one second to go.
    fake_clock.advance(durations(controller)[0] - WARNING_LEAD_S - 1)
    controller.tick()
    controller.adjust(-WARNING_LEAD_S)  # 6 s left, less 5
    warnings = [text for kind, text in recorder.calls["cue"] if kind == "warning"]
    assert warnings
    assert warnings[-1].startswith("1 second left.")


def test_the_end_of_the_countdown_is_a_go_cue_only_when_the_step_starts(
    controller: SessionController, fake_clock: FakeClock
) -> None:
    recorder = Recorder(controller)
    controller.start()
    fake_clock.advance(GET_READY_S + 0.5)
    controller.tick()
    assert [args for args in recorder.calls["cue"] if args[0] == "go"] == [("go", "")]
    # Finished during the countdown: no step starts, so no "go".
    controller.reset()
    recorder.clear()
    controller.start()
    fake_clock.advance(1)
    controller.tick()
    controller.finish()
    assert not [args for args in recorder.calls["cue"] if args[0] == "go"]
