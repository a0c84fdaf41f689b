"""The one adapter between the session engine and the widgets.

``SessionController`` owns the domain ``SessionEngine`` and a single-shot ``QTimer``.
Widgets take the controller in ``__init__``, listen to its signals and send user input
back through its command methods; they never talk to each other.

Every signal is emitted only when the value it carries really changed: after each
command and each timer wake-up the controller takes a fresh engine snapshot and
compares it with the last one it published.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.models import Pressure, Routine, Side, Step, Technique, Zone
from massage_trainer.domain.neighbours import emphasised_zones
from massage_trainer.domain.screening import CheckIn, SessionMode, check_ins
from massage_trainer.domain.session import (
    Clock,
    MonotonicClock,
    SessionEngine,
    SessionState,
    Snapshot,
    StepRecord,
    StepStatus,
)

WARNING_LEAD_S = 5
"""How many seconds before a step ends the warning cue comes."""

GET_READY_S = 5.0
"""The countdown before the first step's clock starts: time to put the hands in place."""

ADJUST_STEP_S = 30
"""How much the +/- controls add to or take from the current step."""

CHECK_IN_SHOW_S = 20.0
"""How many seconds of session time a check-in prompt stays on screen."""

StartGate = Callable[[Callable[[], None]], None]
"""Asked before a fresh session starts; calls its argument once it is safe to start."""

# Wake up just after the whole-second boundary (the wait is rounded up to whole
# milliseconds too), so the value read then is already the new one. A wake-up that
# still comes early changes nothing on show and sleeps again until just past it.
_WAKE_MARGIN_S = 0.001


def short_zone_name(zone: Zone) -> str:
    """The zone's name without its explanation in brackets: "Upper back", "Spine"."""
    name = zone.name
    if "(" in name:
        name = name[: name.index("(")].rstrip(" ,")
    return name or zone.name


def pressure_text(pressure: Pressure) -> str:
    """ "Firm pressure", "Light pressure" or "No pressure"."""
    if pressure is Pressure.NONE:
        return pressure.label
    return f"{pressure.label} pressure"


def describe_zones(zones: Sequence[Zone], *, short: bool = True) -> str:
    """The zones in plain words, merging a left/right pair into "both sides".

    ``short`` leaves out the explanations in brackets, for lines read at a glance.
    """
    by_name: dict[str, set[Side]] = {}
    for zone in zones:
        name = short_zone_name(zone) if short else zone.name
        by_name.setdefault(name, set()).add(zone.side)
    parts = []
    for name, sides in by_name.items():
        if {Side.LEFT, Side.RIGHT} <= sides:
            parts.append(f"{name}, both sides")
        elif sides == {Side.LEFT}:
            parts.append(f"{name}, left side")
        elif sides == {Side.RIGHT}:
            parts.append(f"{name}, right side")
        else:
            parts.append(name)
    if len(parts) <= 1:
        return "".join(parts)
    return "; ".join(parts[:-1]) + " and " + parts[-1]


def format_clock(seconds: int) -> str:
    """Whole seconds as m:ss (or h:mm:ss); negative values get a leading "+" (overtime)."""
    sign = "+" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes}:{secs:02d}"


def minutes_text(seconds: int) -> str:
    """ "about 20 min" for a routine's total time (m:ss under ten minutes)."""
    if seconds < 600:
        return format_clock(seconds)
    return f"{round(seconds / 60)} min"


def step_duration_text(seconds: int) -> str:
    """A step's planned time in words: "3 min", "1 min 30 s", "45 s"."""
    minutes, secs = divmod(seconds, 60)
    if minutes and secs:
        return f"{minutes} min {secs} s"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


class SessionController(QObject):
    """Adapts the domain session engine to Qt signals and commands."""

    routine_changed = Signal()
    """A routine was loaded; everything resets."""
    step_changed = Signal(int)
    """The current step index."""
    remaining_changed = Signal(int)
    """Whole seconds left in the current step (ceil); negative in overtime."""
    get_ready_changed = Signal(int)
    """Whole seconds left in the get-ready countdown (ceil); 0 when none runs."""
    state_changed = Signal(str)
    """The SessionState value: "ready", "running", "paused" or "finished"."""
    statuses_changed = Signal()
    """Some step's status changed."""
    auto_advance_changed = Signal(bool)
    """Auto-advance was switched on or off."""
    zone_focus_changed = Signal(object)
    """tuple[str, ...]: the zone ids to highlight (the previewed step's, else the current's)."""
    focus_technique_changed = Signal(object)
    """Technique | None: the technique of the previewed, else the current, step."""
    preview_changed = Signal(int)
    """The previewed step index, -1 for none."""
    zone_selected = Signal(str)
    """The zone id the user selected on the diagram, "" for none."""
    cue = Signal(str, str)
    """kind ("warning" | "change" | "finish" | "start" | "go" | "checkin"), the text to
    announce ("go": the get-ready countdown ran out and the first step's time starts; no
    text)."""
    mode_changed = Signal(str)
    """The SessionMode value ("partner" | "dry-run") once chosen; "" when not chosen yet."""
    pain_reported = Signal(str)
    """The partner reported pain (the session is paused); a note saying where and when."""
    check_in_changed = Signal(str)
    """The pressure check-in prompt to show now; "" when none is due."""
    emphasis_changed = Signal(object)
    """tuple[str, ...]: no-go zone ids next to the focus zones during percussion or firm
    pressure (to emphasise on the diagram); () otherwise."""
    library_changed = Signal()
    """The content library was replaced (a routine was saved, deleted or imported)."""

    def __init__(
        self,
        library: ContentLibrary,
        clock: Clock | None = None,
        parent: QObject | None = None,
        *,
        get_ready_s: float = GET_READY_S,
        routine_id: str | None = None,
    ) -> None:
        """``routine_id`` is the routine to start with (the one the window is about to
        show, so it is loaded once); the library's first one when it is None or the
        library has no such routine."""
        super().__init__(parent)
        self._library = library
        self._get_ready_s = get_ready_s
        self._clock: Clock = clock if clock is not None else MonotonicClock()
        self._routine: Routine | None = None
        self._engine: SessionEngine | None = None
        self._published: Snapshot | None = None
        self._remaining_shown = 0
        self._get_ready_shown = 0
        self._preview = -1
        self._selected_zone = ""
        self._focus_zones: tuple[str, ...] = ()
        self._focus_technique: Technique | None = None
        self._emphasis: tuple[str, ...] = ()
        self._warning_armed = False
        self._mode = SessionMode.PARTNER
        self._mode_chosen = False
        self._start_gate: StartGate | None = None
        self._check_ins: tuple[CheckIn, ...] = ()
        self._check_ins_fired: set[int] = set()
        self._check_in: CheckIn | None = None
        self._pain_reports: list[str] = []
        self._loaded_records: tuple[StepRecord, ...] = ()

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.tick)

        # Start with a routine so widgets always have something to show: the one asked
        # for (the one the window is about to show), else the library's first.
        first = routine_id if routine_id in library.routines else next(iter(library.routines), None)
        if first is not None:
            self._load(first, emit=False)

    # -- read-only state --------------------------------------------------------------

    @property
    def library(self) -> ContentLibrary:
        return self._library

    @property
    def routine(self) -> Routine | None:
        """The loaded routine; None only when the library has no routine at all."""
        return self._routine

    @property
    def engine(self) -> SessionEngine | None:
        """The engine for the loaded routine; None when no routine is loaded."""
        return self._engine

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def step_count(self) -> int:
        return len(self._routine.steps) if self._routine is not None else 0

    @property
    def current_index(self) -> int:
        """The current step index (clamped to the last step once finished)."""
        if self._engine is None:
            return -1
        return min(self._engine.index, self.step_count - 1)

    @property
    def preview_index(self) -> int:
        return self._preview

    @property
    def timer_active(self) -> bool:
        """Whether a display wake-up is scheduled (only while the session runs)."""
        return self._timer.isActive()

    def next_wake_ms(self) -> int:
        """Milliseconds until the scheduled display wake-up; -1 when none is scheduled."""
        return self._timer.remainingTime() if self._timer.isActive() else -1

    def snapshot(self) -> Snapshot | None:
        """A fresh engine snapshot, or None when no routine is loaded."""
        return self._engine.snapshot() if self._engine is not None else None

    def remaining_seconds(self) -> int:
        """Whole seconds left in the current step as shown (ceil; negative in overtime)."""
        return self._remaining_shown

    def get_ready_seconds(self) -> int:
        """Whole seconds left in the get-ready countdown as shown; 0 when none runs."""
        return self._get_ready_shown

    def state(self) -> SessionState:
        return self._engine.state if self._engine is not None else SessionState.READY

    def step(self, index: int) -> Step:
        """The routine's step at ``index``; IndexError when there is none."""
        if self._routine is None:
            raise IndexError("no routine is loaded")
        return self._routine.steps[index]

    def technique_for_step(self, index: int) -> Technique:
        """The technique the step at ``index`` uses; KeyError if the library lacks it."""
        return self._library.techniques[self.step(index).technique]

    def zones_for_step(self, index: int) -> tuple[Zone, ...]:
        """The library zones the step works on (unknown ids are left out)."""
        return tuple(
            self._library.zones[zone_id]
            for zone_id in self.step(index).zones
            if zone_id in self._library.zones
        )

    def describe_step(self, index: int) -> str:
        """ "<technique> on <zones>, <pressure> pressure" for the step at ``index``."""
        step = self.step(index)
        technique = self._library.techniques.get(step.technique)
        name = technique.name if technique is not None else step.technique
        where = describe_zones(self.zones_for_step(index)) or ", ".join(step.zones)
        return f"{name} on {where}, {pressure_text(step.pressure).lower()}"

    def steps_for_zone(self, zone_id: str) -> tuple[int, ...]:
        """Indices of the steps that work on ``zone_id``."""
        if self._routine is None or not zone_id:
            return ()
        return tuple(i for i, step in enumerate(self._routine.steps) if zone_id in step.zones)

    def focus_zones(self) -> tuple[str, ...]:
        """The zone ids to highlight: the previewed step's, else the current step's."""
        return self._focus_zones

    def focus_technique(self) -> Technique | None:
        """The technique of the previewed step, else of the current step."""
        return self._focus_technique

    def selected_zone(self) -> str:
        """The zone the user selected on the diagram, "" for none."""
        return self._selected_zone

    def emphasised_zones(self) -> tuple[str, ...]:
        """No-go zones next to the focus zones while the focus step is percussion or firm
        pressure, so a slip is less likely; () during gentle work."""
        return self._emphasis

    @property
    def mode(self) -> SessionMode:
        """Partner or dry run; partner until a dry run is chosen (the safer assumption)."""
        return self._mode

    @property
    def mode_chosen(self) -> bool:
        """Whether the mode was chosen for the loaded routine (it is asked again after
        another routine is loaded)."""
        return self._mode_chosen

    @property
    def dry_run(self) -> bool:
        """A dry run was chosen: no one is on the table."""
        return self._mode_chosen and self._mode is SessionMode.DRY_RUN

    def check_ins(self) -> tuple[CheckIn, ...]:
        """When this routine prompts a pressure check (partner sessions only)."""
        return self._check_ins

    def check_in_text(self) -> str:
        """The check-in prompt on show now, "" when none."""
        return self._check_in.prompt if self._check_in is not None else ""

    def pain_reports(self) -> tuple[str, ...]:
        """The notes of this session's pain reports, oldest first."""
        return tuple(self._pain_reports)

    def as_loaded(self, routine_id: str) -> bool:
        """Whether ``routine_id`` is loaded and its session is still as loading it left
        it (not started, no step picked, no time changed, no mode chosen, nothing
        previewed or selected): loading it again would change nothing."""
        engine = self._engine
        return (
            engine is not None
            and self._routine is not None
            and self._routine.id == routine_id
            and self._routine is self._library.routines.get(routine_id)
            and engine.state is SessionState.READY
            and engine.index == 0
            and engine.records() == self._loaded_records
            and not self._mode_chosen
            and self._preview == -1
            and not self._selected_zone
            and not self._pain_reports
            and self._check_in is None
        )

    # -- commands ---------------------------------------------------------------------

    def set_library(self, library: ContentLibrary) -> None:
        """Use reloaded content from now on (after the routine editor saved or deleted one).

        The session in progress keeps its routine as loaded; ``load_routine`` and the
        routine picker see the new library.
        """
        if library is self._library:
            return
        self._library = library
        self.library_changed.emit()

    def set_mode(self, mode: SessionMode | str) -> None:
        """Choose partner or dry run for the loaded routine's sessions.

        Setting it before a start (tests, screenshots, a remembered choice) means the
        start does not ask who is on the table.
        """
        mode = SessionMode(mode)
        if mode is self._mode and self._mode_chosen:
            return
        self._mode = mode
        self._mode_chosen = True
        if mode is SessionMode.DRY_RUN:
            self._set_check_in(None)
        self.mode_changed.emit(mode.value)

    def set_start_gate(self, gate: StartGate | None) -> None:
        """Install the safety steps a fresh session must pass (None: start at once).

        ``gate`` is called with a callback when a session is about to start from the
        beginning; it calls the callback once the session may start (at once, or later
        after dialogs). Resuming a paused session is never gated.
        """
        self._start_gate = gate

    def report_pain(self, note: str = "") -> bool:
        """The partner says it hurts: pause at once and emit :attr:`pain_reported`.

        Only during a partner session (running or paused); False when nothing was
        reported.
        """
        engine = self._engine
        if engine is None or self.dry_run:
            return False
        if engine.state not in (SessionState.RUNNING, SessionState.PAUSED):
            return False
        if not note:
            index = self.current_index
            note = f"Pain during step {index + 1}: {self.describe_step(index)}"
        self.pause()
        self._pain_reports.append(note)
        self.pain_reported.emit(note)
        return True

    def load_routine(self, routine_id: str) -> None:
        """Load a routine by id and reset the session; KeyError if there is no such id.

        Who is on the table is asked again for the new routine.
        """
        routine = self._library.routines[routine_id]
        if self._mode_chosen:
            self._mode_chosen = False
            self.mode_changed.emit("")
        self._load(routine_id, emit=True, routine=routine)

    def reset(self) -> None:
        """Start the loaded routine over from its first step."""
        if self._routine is not None:
            self._load(self._routine.id, emit=True, routine=self._routine)

    def start(self) -> None:
        """Start the session (or resume it when paused).

        A fresh start first passes the start gate (see :meth:`set_start_gate`).
        """
        engine = self._engine
        if engine is None:
            return
        if engine.state is SessionState.PAUSED:
            self._command(engine.resume)
        elif engine.state is SessionState.READY and self._start_gate is not None:
            self._start_gate(lambda: self._start_after_gate(engine))
        else:
            self._command(engine.start)

    def pause(self) -> None:
        if self._engine is not None:
            self._command(self._engine.pause)

    def toggle(self) -> None:
        """Start, pause or resume, whichever fits; after the finish, start over."""
        if self._engine is None:
            return
        if self._engine.state is SessionState.FINISHED:
            self.reset()
            self.start()
            return
        if self._engine.state is SessionState.READY:
            self.start()
            return
        self._command(self._engine.toggle)

    def next_step(self) -> None:
        if self._engine is not None:
            self._command(self._engine.next)

    def previous_step(self) -> None:
        if self._engine is not None:
            self._command(self._engine.previous)

    def restart_step(self) -> None:
        if self._engine is not None:
            self._command(self._engine.restart_step)

    def finish(self) -> None:
        if self._engine is not None:
            self._command(self._engine.finish)

    def select_step(self, index: int) -> None:
        """Jump the session to the step at ``index``."""
        if self._engine is None or not 0 <= index < self.step_count:
            return
        engine = self._engine
        self._command(lambda: engine.go_to(index))

    def adjust(self, seconds: float) -> None:
        """Give the current step more (positive) or less (negative) time."""
        if self._engine is not None:
            engine = self._engine
            self._command(lambda: engine.adjust(seconds))

    def set_auto_advance(self, on: bool) -> None:
        """Move on by itself when a step's time is up (on), or run into overtime (off)."""
        if self._engine is not None:
            engine = self._engine
            self._command(lambda: engine.set_auto_advance(bool(on)))

    def preview_step(self, index: int) -> None:
        """Show the step at ``index`` on the diagram without moving the session; -1 clears."""
        if not 0 <= index < self.step_count:
            index = -1
        if index == self._preview:
            return
        self._preview = index
        self.preview_changed.emit(index)
        self._update_focus()

    def select_zone(self, zone_id: str) -> None:
        """Select a zone (from the diagram) so the steps working on it are marked; "" clears."""
        if zone_id and zone_id not in self._library.zones:
            zone_id = ""
        if zone_id == self._selected_zone:
            return
        self._selected_zone = zone_id
        self.zone_selected.emit(zone_id)

    @Slot()
    def tick(self) -> None:
        """Let the engine catch up with the clock, publish changes and reschedule.

        The QTimer calls this just after each whole-second boundary; tests call it
        directly after moving a fake clock.
        """
        if self._engine is None:
            return
        self._engine.update()
        self._sync()

    # -- internals --------------------------------------------------------------------

    def _start_after_gate(self, engine: SessionEngine) -> None:
        # The gate may answer after dialogs: start only the session it was asked about.
        if engine is self._engine and engine.state is SessionState.READY:
            self._command(engine.start)

    def _load(self, routine_id: str, *, emit: bool, routine: Routine | None = None) -> None:
        routine = routine if routine is not None else self._library.routines[routine_id]
        self._timer.stop()
        auto_advance = self._engine.auto_advance if self._engine is not None else True
        self._routine = routine
        self._engine = SessionEngine(
            [float(step.duration_s) for step in routine.steps],
            self._clock,
            auto_advance=auto_advance,
            get_ready_s=self._get_ready_s,
        )
        snapshot = self._engine.snapshot()
        self._loaded_records = self._engine.records()
        self._published = snapshot
        self._remaining_shown = math.ceil(snapshot.remaining_s)
        self._get_ready_shown = 0
        self._preview = -1
        self._selected_zone = ""
        self._warning_armed = self._remaining_shown > WARNING_LEAD_S
        self._focus_zones, self._focus_technique, self._emphasis = self._compute_focus()
        self._check_ins = check_ins(routine, self._library.techniques)
        self._check_ins_fired = set()
        self._pain_reports = []
        had_check_in = self._check_in is not None
        self._check_in = None
        if not emit:
            return
        if had_check_in:
            self.check_in_changed.emit("")
        self.routine_changed.emit()
        self.preview_changed.emit(-1)
        self.zone_selected.emit("")
        self.step_changed.emit(self.current_index)
        self.state_changed.emit(str(snapshot.state.value))
        self.statuses_changed.emit()
        self.remaining_changed.emit(self._remaining_shown)
        self.get_ready_changed.emit(0)
        self.zone_focus_changed.emit(self._focus_zones)
        self.focus_technique_changed.emit(self._focus_technique)
        self.emphasis_changed.emit(self._emphasis)

    def _command(self, action: Callable[[], object]) -> None:
        action()
        self._sync()

    def _sync(self) -> None:
        """Publish whatever changed since the last snapshot and reschedule the timer."""
        engine = self._engine
        if engine is None:
            return
        old = self._published
        new = engine.snapshot()
        self._published = new
        running = new.state is SessionState.RUNNING
        in_get_ready = running and engine.in_get_ready()
        remaining_shown = math.ceil(new.remaining_s)
        # Shown while paused in the countdown too, frozen.
        get_ready_shown = math.ceil(new.get_ready_s) if engine.in_get_ready() else 0

        index_changed = old is None or old.index != new.index
        state_changed = old is None or old.state != new.state

        if index_changed:
            # The session moved on: a preview of another step would now mislead.
            if self._preview != -1:
                self._preview = -1
                self.preview_changed.emit(-1)
            self._warning_armed = remaining_shown > WARNING_LEAD_S
            self.step_changed.emit(self.current_index)
        if state_changed:
            self.state_changed.emit(str(new.state.value))
        if old is None or tuple(old.statuses) != tuple(new.statuses):
            self.statuses_changed.emit()
        if old is None or old.auto_advance != new.auto_advance:
            self.auto_advance_changed.emit(bool(new.auto_advance))
        if remaining_shown != self._remaining_shown:
            self._remaining_shown = remaining_shown
            self.remaining_changed.emit(remaining_shown)
        # The countdown ran out (not a skip to another step, a finish or a reset): the
        # step's time starts now, and hands busy on a back need to hear it.
        countdown_over = (
            self._get_ready_shown > 0 and get_ready_shown == 0 and running and not index_changed
        )
        if get_ready_shown != self._get_ready_shown:
            self._get_ready_shown = get_ready_shown
            self.get_ready_changed.emit(get_ready_shown)
        self._update_focus()
        self._emit_cues(old, new, index_changed, state_changed, in_get_ready)
        if countdown_over:
            self.cue.emit("go", "")
        self._update_check_in(new, index_changed, in_get_ready)
        self._schedule(new, in_get_ready)

    def _update_check_in(self, snapshot: Snapshot, index_changed: bool, in_get_ready: bool) -> None:
        """Show a due pressure check-in (partner sessions only), and clear an old one."""
        current = self._check_in
        if current is not None and (
            index_changed
            or snapshot.state is SessionState.FINISHED
            or snapshot.elapsed_s >= current.at_s + CHECK_IN_SHOW_S
        ):
            current = None
        if (
            self._mode_chosen
            and self._mode is SessionMode.PARTNER
            and snapshot.state is SessionState.RUNNING
            and not in_get_ready
        ):
            due = [
                position
                for position, check_in in enumerate(self._check_ins)
                if check_in.step == snapshot.index
                and position not in self._check_ins_fired
                and check_in.at_s <= snapshot.elapsed_s < check_in.at_s + CHECK_IN_SHOW_S
            ]
            # Every check-in whose moment has passed is spent, so none is asked late.
            self._check_ins_fired.update(
                position
                for position, check_in in enumerate(self._check_ins)
                if check_in.step == snapshot.index and check_in.at_s <= snapshot.elapsed_s
            )
            if due:
                current = self._check_ins[due[-1]]
                self._check_in = current
                self.check_in_changed.emit(current.prompt)
                self.cue.emit("checkin", current.prompt)
                return
        if current is None and self._check_in is not None:
            self._set_check_in(None)

    def _set_check_in(self, check_in: CheckIn | None) -> None:
        if check_in == self._check_in:
            return
        self._check_in = check_in
        self.check_in_changed.emit(check_in.prompt if check_in is not None else "")

    def _emit_cues(
        self,
        old: Snapshot | None,
        new: Snapshot,
        index_changed: bool,
        state_changed: bool,
        in_get_ready: bool,
    ) -> None:
        if new.state is SessionState.FINISHED:
            if state_changed:
                self._warning_armed = False
                self.cue.emit("finish", self._finish_text())
            return
        started = (
            state_changed
            and old is not None
            and old.state is SessionState.READY
            and new.state is SessionState.RUNNING
        )
        if started:
            self.cue.emit("start", f"Starting: {self.describe_step(self.current_index)}")
        elif index_changed and new.state is not SessionState.READY:
            # The step has begun: "Now", as "Next" would name the one after it.
            self.cue.emit("change", f"Now: {self.describe_step(self.current_index)}")
        if self._remaining_shown > WARNING_LEAD_S:
            self._warning_armed = True
        elif (
            self._warning_armed
            and new.state is SessionState.RUNNING
            and not in_get_ready
            and 0 < self._remaining_shown <= WARNING_LEAD_S
        ):
            self._warning_armed = False
            following = self.current_index + 1
            seconds = self._remaining_shown
            left = f"{seconds} second{'' if seconds == 1 else 's'} left"
            if following < self.step_count:
                text = f"{left}. Then: {self.describe_step(following)}"
            else:
                text = f"{left} in the last step."
            self.cue.emit("warning", text)

    def _finish_text(self) -> str:
        title = self._routine.title if self._routine is not None else "The routine"
        if self.dry_run:
            return f"{title} is complete."
        # The longer rest the sources give is the safer one (see the aftercare texts).
        return f"{title} is complete. Cover your partner and let them rest for 15 minutes."

    def _schedule(self, snapshot: Snapshot, in_get_ready: bool) -> None:
        """Wake up just after the next whole-second boundary of the value on show."""
        self._timer.stop()
        if snapshot.state is not SessionState.RUNNING or self._engine is None:
            return
        value = self._engine.get_ready_remaining() if in_get_ready else snapshot.remaining_s
        # The shown value is ceil(value); it next changes when value reaches ceil - 1.
        delay_s = value - (math.ceil(value) - 1) + _WAKE_MARGIN_S
        self._timer.start(max(1, math.ceil(delay_s * 1000)))

    def _compute_focus(self) -> tuple[tuple[str, ...], Technique | None, tuple[str, ...]]:
        index = self._preview if self._preview >= 0 else self.current_index
        if not 0 <= index < self.step_count:
            return (), None, ()
        step = self.step(index)
        technique = self._library.techniques.get(step.technique)
        emphasis = tuple(
            zone_id
            for zone_id in emphasised_zones(step, technique)
            if zone_id in self._library.zones
        )
        return tuple(step.zones), technique, emphasis

    def _update_focus(self) -> None:
        zones, technique, emphasis = self._compute_focus()
        if zones != self._focus_zones:
            self._focus_zones = zones
            self.zone_focus_changed.emit(zones)
        if technique != self._focus_technique:
            self._focus_technique = technique
            self.focus_technique_changed.emit(technique)
        if emphasis != self._emphasis:
            self._emphasis = emphasis
            self.emphasis_changed.emit(emphasis)


__all__ = [
    "ADJUST_STEP_S",
    "CHECK_IN_SHOW_S",
    "GET_READY_S",
    "WARNING_LEAD_S",
    "SessionController",
    "SessionMode",
    "StartGate",
    "StepStatus",
    "describe_zones",
    "format_clock",
    "minutes_text",
    "pressure_text",
    "short_zone_name",
    "step_duration_text",
]
