"""How a traced stroke went: zones, speed, direction, pressure and contact, with a score.

A learner traces a technique's movement on the back diagram with a mouse, a finger or a
pen. The trace arrives as :class:`StrokePoint` values (time in seconds, position in
diagram units, pen pressure when there is one). :func:`analyse_stroke` turns a finished
stroke into :class:`StrokeFeedback`: a score from 0 to 100 and the reasons in plain
words. :class:`LiveStrokeAnalyser` does the same work one point at a time (constant work
per point), so the screen can react while the stroke is drawn, and
:class:`StepPractice` sums up the strokes of one step.

The diagram is a drawing, so speeds need a scale: :data:`DIAGRAM_UNITS_PER_CM` says how
many diagram units stand for a centimetre of a real back.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from massage_trainer.domain.models import (
    Direction,
    Pressure,
    Step,
    Technique,
    TechniqueFamily,
    Tempo,
)
from massage_trainer.domain.zone_geometry import Point, ZoneGeometry, polygon_runs

InputKind = Literal["mouse", "touch", "pen"]
"""Where the stroke came from. Only a pen reports pressure."""

BACK_WIDTH_UNITS = 200.0
"""The back across the shoulders on the diagram (x 100 to 300)."""
BACK_WIDTH_CM = 45.0
"""What that stands for on an adult's back."""
DIAGRAM_UNITS_PER_CM = BACK_WIDTH_UNITS / BACK_WIDTH_CM
"""Diagram units per centimetre of a real back (about 4.4)."""

TEMPO_SPEEDS_CM_S: Mapping[Tempo, tuple[float, float]] = {
    Tempo.SLOW: (2.0, 5.0),
    Tempo.STEADY: (5.0, 10.0),
    Tempo.BRISK: (10.0, 25.0),
    Tempo.STILL: (0.0, 1.0),
}
"""The hands' travel speed each tempo expects, in cm/s of a real back."""

RUSHING_FACTOR = 1.5
"""Faster than this many times the top of the tempo's range is rushing."""
SLOW_FACTOR = 0.5
"""Slower than this share of the bottom of the range is slower than the technique needs."""

SAMPLE_STEP = 1.0
"""Zones are looked up at least every this many diagram units along the stroke, so a
quick stroke cannot skip over the spine between two points."""

CONTACT_GAP_S = 0.35
CONTACT_JUMP_CM = 1.5
"""A pause of more than CONTACT_GAP_S followed by a jump of more than CONTACT_JUMP_CM
means the hand left the skin and came down somewhere else."""

MIN_DIRECTION_CM = 3.0
"""A stroke must travel this far before its direction is judged."""
IN_PLACE_CM = 4.0
"""Work "on the spot" may wander this far from where it began."""
STATIC_CM = 2.0
"""A still hold may move this far in all."""
CIRCLE_TURN = 1.5 * math.pi
"""Turning this much in one sense (three quarters of a circle) counts as circling."""
LIVE_CIRCLE_CM = 8.0
"""A stroke meant to circle may travel this far before the live reading calls it
anything but circling (three quarters of a small circle is about 7 cm)."""
TURN_STEP_CM = 0.4
"""The turning of a stroke is measured over pieces of this length, so a shaky hand does
not look like circling."""

SPEED_WINDOW_S = 0.5
"""The live speed is the travel over the last half second."""
MIN_SPEED_TIME_S = 0.15
MIN_SPEED_CM = 0.5

PEN_PRESSURE_BANDS: Mapping[Pressure, tuple[float, float]] = {
    Pressure.NONE: (0.0, 0.12),
    Pressure.LIGHT: (0.12, 0.4),
    Pressure.MODERATE: (0.4, 0.65),
    Pressure.FIRM: (0.65, 1.0),
}
"""Which pen pressure (0 to 1) stands for which pressure level."""

CONTACT_FAMILIES = frozenset(
    {
        TechniqueFamily.EFFLEURAGE,
        TechniqueFamily.FRICTION,
        TechniqueFamily.PETRISSAGE,
        TechniqueFamily.VIBRATION,
        TechniqueFamily.STRIPPING,
        TechniqueFamily.REST,
    }
)
"""Techniques whose hands stay on the skin; tapping and pressing lift by design."""

# Score deductions, in points out of 100.
NO_GO_ENTRY_PENALTY = 25.0
NO_GO_SHARE_PENALTY = 150.0
NO_GO_MAX_PENALTY = 90.0
OFF_TARGET_PENALTY = 45.0
OFF_TARGET_GRACE = 0.05
RUSHING_PENALTY = 30.0
FAST_PENALTY = 8.0
SLOW_PENALTY = 8.0
WRONG_DIRECTION_PENALTY = 25.0
OFF_DIRECTION_PENALTY = 12.0
TOO_HARD_PENALTY = 15.0
TOO_LIGHT_PENALTY = 8.0
CONTACT_PENALTY = 10.0
CONTACT_MAX_PENALTY = 20.0
LIFT_PENALTY = 3.0
LIFT_MAX_PENALTY = 15.0


@dataclass(frozen=True, slots=True)
class StrokePoint:
    """One sample of a trace."""

    t: float
    """Seconds (any monotonic origin)."""
    x: float
    y: float
    """Diagram units; y grows downwards, so towards the head is negative y."""
    pressure: float | None = None
    """Pen pressure from 0 to 1; None for a mouse or a touch screen."""


class SpeedVerdict(StrEnum):
    OK = "ok"
    RUSHING = "rushing"
    FAST = "fast"
    SLOW = "slow"
    NOT_JUDGED = "not-judged"


class DirectionVerdict(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    """The opposite way."""
    OFF = "off"
    """Another way (sideways, in a line instead of circles, travelling instead of still)."""
    UNCLEAR = "unclear"
    """Too short to tell."""


class PressureVerdict(StrEnum):
    OK = "ok"
    TOO_HARD = "too-hard"
    TOO_LIGHT = "too-light"
    NOT_MEASURED = "not-measured"


Aspect = Literal["no-go", "zones", "speed", "direction", "pressure", "contact", "strokes"]


@dataclass(frozen=True)
class FeedbackReason:
    """One finding about a stroke, in plain words, and what it cost the score."""

    aspect: Aspect
    text: str
    ok: bool
    penalty: float = 0.0


@dataclass(frozen=True)
class NoGoEntry:
    """A no-go zone the stroke went into."""

    zone_id: str
    first_index: int
    """The index of the first point recorded once the stroke was in the zone."""
    first_t: float
    share: float
    """The share of the stroke's length inside this zone (0 to 1)."""


@dataclass(frozen=True)
class StrokeFeedback:
    """Everything found about one stroke; ``reasons`` lists problems first."""

    score: int
    reasons: tuple[FeedbackReason, ...]
    input_kind: InputKind
    point_count: int
    start_t: float
    end_t: float
    duration_s: float
    """Time in contact (pauses count, lifts do not)."""
    length_cm: float
    no_go: tuple[NoGoEntry, ...]
    no_go_share: float
    target_share: float
    speed_cm_s: float | None
    speed_range: tuple[float, float]
    speed_verdict: SpeedVerdict
    direction_expected: Direction
    direction_observed: Direction | None
    direction_verdict: DirectionVerdict
    turns: float
    """Whole turns in one sense (positive clockwise on screen)."""
    mean_pressure: float | None
    pressure_verdict: PressureVerdict
    contact_breaks: int

    @property
    def entered_no_go(self) -> bool:
        return bool(self.no_go)

    @property
    def too_short(self) -> bool:
        """Too short to be judged as the step's stroke: a click or a dab where the hands
        should travel or circle (see :data:`MIN_DIRECTION_CM`). Its score means little,
        so :class:`StepPractice` leaves it out."""
        return self.direction_verdict is DirectionVerdict.UNCLEAR

    @property
    def problems(self) -> tuple[FeedbackReason, ...]:
        return tuple(reason for reason in self.reasons if not reason.ok)

    def reason_for(self, aspect: Aspect) -> FeedbackReason | None:
        """The finding about one aspect, if the stroke has one."""
        return next((reason for reason in self.reasons if reason.aspect == aspect), None)


@dataclass(frozen=True, slots=True)
class LiveReading:
    """What a stroke is doing right now, after one more point."""

    index: int
    zone_id: str | None
    """The zone under the newest point (no-go zones win)."""
    in_target: bool
    in_no_go: bool
    entered_no_go: str | None
    """The no-go zone entered with this point, if one was; None otherwise."""
    target_share: float
    """The share of the stroke so far on the step's zones."""
    speed_cm_s: float | None
    """Over the last :data:`SPEED_WINDOW_S`; None until there is enough to measure."""
    speed_verdict: SpeedVerdict
    direction: Direction | None
    """The way the stroke has gone so far, once it is long enough to tell."""
    pressure: float | None
    contact_broken: bool
    """The hand came down again after a lift just before this point."""


# -- words -----------------------------------------------------------------------------

_EXPECTED_WORDS = {
    Direction.UP: "up towards the head",
    Direction.DOWN: "down towards the hips",
    Direction.OUTWARD: "outwards, away from the spine",
    Direction.INWARD: "inwards, towards the spine",
    Direction.CIRCULAR: "in small circles",
    Direction.IN_PLACE: "on one spot",
    Direction.STATIC: "stays still",
}
_OBSERVED_WORDS = {
    Direction.UP: "went up",
    Direction.DOWN: "went down",
    Direction.OUTWARD: "went outwards",
    Direction.INWARD: "went inwards",
    Direction.CIRCULAR: "went in circles",
    Direction.IN_PLACE: "stayed on one spot",
    Direction.STATIC: "stayed still",
}
_PACE = {
    TechniqueFamily.EFFLEURAGE: "a {tempo} glide",
    TechniqueFamily.FRICTION: "{tempo} rubbing",
    TechniqueFamily.PETRISSAGE: "{tempo} kneading",
    TechniqueFamily.TAPOTEMENT: "{tempo} tapping",
    TechniqueFamily.VIBRATION: "{tempo} vibration",
    TechniqueFamily.COMPRESSION: "a {tempo} press",
    TechniqueFamily.STRIPPING: "a {tempo} strip",
    TechniqueFamily.REST: "a {tempo} rest",
}
_PRESSURE_WORDS = {
    Pressure.NONE: "barely touching",
    Pressure.LIGHT: "lightly",
    Pressure.MODERATE: "moderately",
    Pressure.FIRM: "firmly",
}


def pace_phrase(technique: Technique) -> str:
    """ "a slow glide", "brisk tapping": the pace the technique asks for."""
    return _PACE[technique.family].format(tempo=technique.tempo.value)


def times_words(ratio: float) -> str:
    """A speed ratio in words: "about one and a half times", "about twice", "5 times"."""
    if ratio < 1.75:
        return "about one and a half times"
    if ratio < 2.5:
        return "about twice"
    if ratio < 3.5:
        return "about three times"
    return f"about {round(ratio)} times"


def _range_text(low: float, high: float) -> str:
    return f"{low:g}–{high:g} cm/s"


def _with_article(name: str) -> str:
    """ "the spine", but "between the shoulder blades"."""
    if name.split(" ", 1)[0] in ("between", "beside", "below", "above"):
        return name
    return f"the {name}"


def zone_phrase(geometry: ZoneGeometry, zone_ids: Iterable[str]) -> str:
    """The zones in words, a left/right pair merged: "the spine", "the kidney area on both
    sides", "the neck and the floating ribs on the left"."""
    by_name: dict[str, set[str]] = {}
    for zone_id in zone_ids:
        try:
            shape = geometry.shape(zone_id)
        except KeyError:
            by_name.setdefault(zone_id, set())
            continue
        name = shape.name or zone_id
        by_name.setdefault(name[:1].lower() + name[1:], set()).add(shape.side)
    parts = []
    for name, sides in by_name.items():
        words = _with_article(name)
        if {"left", "right"} <= sides:
            parts.append(f"{words} on both sides")
        elif sides in ({"left"}, {"right"}):
            parts.append(f"{words} on the {next(iter(sides))}")
        else:
            parts.append(words)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _zone_group_count(geometry: ZoneGeometry, zone_ids: Iterable[str]) -> int:
    names = set()
    for zone_id in zone_ids:
        try:
            names.add(geometry.shape(zone_id).name)
        except KeyError:
            names.add(zone_id)
    return len(names)


def pressure_level(pen_pressure: float) -> Pressure:
    """The pressure level a pen pressure (0 to 1) stands for."""
    for level in (Pressure.NONE, Pressure.LIGHT, Pressure.MODERATE):
        if pen_pressure < PEN_PRESSURE_BANDS[level][1]:
            return level
    return Pressure.FIRM


def percent(share: float) -> int:
    """A share as a whole percentage, never showing 0 % or 100 % for what is not."""
    value = round(share * 100)
    if value == 0 and share > 0:
        return 1
    if value == 100 and share < 1:
        return 99
    return value


# -- the analysis ----------------------------------------------------------------------


class _Accumulator:
    """Running sums over a stroke's points; every update is constant work per point
    (plus one zone look-up per :data:`SAMPLE_STEP` of travel)."""

    def __init__(
        self,
        step: Step,
        technique: Technique,
        geometry: ZoneGeometry,
        input_kind: InputKind,
    ) -> None:
        self.step = step
        self.technique = technique
        self.geometry = geometry
        self.input_kind: InputKind = input_kind
        self.targets = frozenset(step.zones)
        self.expected = step.direction
        self.speed_range = TEMPO_SPEEDS_CM_S[technique.tempo]
        self.count = 0
        self.first: StrokePoint | None = None
        self.last: StrokePoint | None = None
        self.length = 0.0  # diagram units, in contact
        self.duration = 0.0
        self.target_length = 0.0
        self.no_go_length: dict[str, float] = {}
        self.no_go_first: dict[str, tuple[int, float]] = {}
        self.breaks = 0
        self.pressure_sum = 0.0
        self.pressure_count = 0
        self.previous_zone: str | None = None
        self.current_zone: str | None = None
        # Turning: chords of TURN_STEP_CM laid along the stroke, and the angle between them.
        self.turn_anchor: tuple[float, float] | None = None
        self.turn_heading: tuple[float, float] | None = None
        self.turning = 0.0
        self.window: deque[tuple[float, float]] = deque()  # (t, length so far)

    # -- adding points ----------------------------------------------------------------

    def add(self, point: StrokePoint) -> LiveReading:
        geometry = self.geometry
        index = self.count
        entered: str | None = None
        broken = False
        if point.pressure is not None:
            self.pressure_sum += min(max(point.pressure, 0.0), 1.0)
            self.pressure_count += 1
        last = self.last
        if last is None:
            self.first = point
            zone = geometry.zone_at(point.x, point.y)
            entered = self._visit(zone, index, point.t)
            self.turn_anchor = (point.x, point.y)
        else:
            dt = max(0.0, point.t - last.t)
            dx, dy = point.x - last.x, point.y - last.y
            segment = math.hypot(dx, dy)
            if dt > CONTACT_GAP_S and segment > CONTACT_JUMP_CM * DIAGRAM_UNITS_PER_CM:
                # The hand was lifted and came down elsewhere: the jump is not a stroke.
                broken = True
                self.breaks += 1
                self.turn_anchor = (point.x, point.y)
                self.turn_heading = None
                self.window.clear()
            else:
                self.length += segment
                self.duration += dt
                pieces = max(1, math.ceil(segment / SAMPLE_STEP))
                piece = segment / pieces
                for j in range(pieces):
                    f = (j + 0.5) / pieces
                    zone = geometry.zone_at(last.x + dx * f, last.y + dy * f)
                    self._attribute(zone, piece)
                    hit = self._visit(zone, index, point.t)
                    entered = entered or hit
                self._turn(point.x, point.y)
            zone = geometry.zone_at(point.x, point.y)
            hit = self._visit(zone, index, point.t)
            entered = entered or hit
        self.current_zone = zone
        self.last = point
        self.count += 1
        window = self.window
        window.append((point.t, self.length))
        while len(window) > 2 and point.t - window[1][0] >= SPEED_WINDOW_S:
            window.popleft()
        speed = self._window_speed()
        return LiveReading(
            index=index,
            zone_id=zone,
            in_target=zone in self.targets,
            in_no_go=geometry.is_no_go(zone),
            entered_no_go=entered,
            target_share=self._target_share(),
            speed_cm_s=speed,
            speed_verdict=self._speed_verdict(speed),
            direction=self._live_direction(),
            pressure=point.pressure,
            contact_broken=broken,
        )

    def _target_share(self) -> float:
        """The share of the stroke's length on the step's zones; a stroke that has not
        moved yet (the first point, a click) is on them when its spot is."""
        if self.length > 0:
            return self.target_length / self.length
        return 1.0 if self.count and self.current_zone in self.targets else 0.0

    def _live_direction(self) -> Direction | None:
        """The way the stroke is going, once it has gone far enough to tell. At the start
        of a stroke that should move, "still" or "on the spot" is no finding yet."""
        expected = self.expected
        if expected is not Direction.STATIC and abs(self.turning) < CIRCLE_TURN:
            needed = {
                Direction.CIRCULAR: LIVE_CIRCLE_CM,
                Direction.IN_PLACE: MIN_DIRECTION_CM,
            }.get(expected, IN_PLACE_CM)
            if self.length < needed * DIAGRAM_UNITS_PER_CM:
                return None
        return self._observed_direction()

    def _visit(self, zone: str | None, index: int, t: float) -> str | None:
        """Note a sample in ``zone``; the no-go zone id when this sample entered one."""
        previous = self.previous_zone
        self.previous_zone = zone
        if zone is None or zone == previous or not self.geometry.is_no_go(zone):
            return None
        if zone not in self.no_go_first:
            self.no_go_first[zone] = (index, t)
        return zone

    def _attribute(self, zone: str | None, length: float) -> None:
        if zone is None:
            return
        if zone in self.targets:
            self.target_length += length
        elif self.geometry.is_no_go(zone):
            self.no_go_length[zone] = self.no_go_length.get(zone, 0.0) + length

    def _turn(self, x: float, y: float) -> None:
        anchor = self.turn_anchor
        if anchor is None:
            self.turn_anchor = (x, y)
            return
        step = TURN_STEP_CM * DIAGRAM_UNITS_PER_CM
        dx, dy = x - anchor[0], y - anchor[1]
        distance = math.hypot(dx, dy)
        if distance < step:
            return
        heading = (dx / distance, dy / distance)
        previous = self.turn_heading
        if previous is not None:
            cross = previous[0] * heading[1] - previous[1] * heading[0]
            dot = previous[0] * heading[0] + previous[1] * heading[1]
            self.turning += math.atan2(cross, dot)
        self.turn_heading = heading
        self.turn_anchor = (x, y)

    # -- judging ----------------------------------------------------------------------

    def _window_speed(self) -> float | None:
        window = self.window
        if len(window) < 2:
            return None
        t0, length0 = window[0]
        t1, length1 = window[-1]
        if t1 - t0 < 0.05:
            return None
        return (length1 - length0) / DIAGRAM_UNITS_PER_CM / (t1 - t0)

    def _speed_verdict(self, speed: float | None) -> SpeedVerdict:
        if speed is None:
            return SpeedVerdict.NOT_JUDGED
        low, high = self.speed_range
        if speed > high * RUSHING_FACTOR:
            return SpeedVerdict.RUSHING
        if speed > high:
            return SpeedVerdict.FAST
        if speed < low * SLOW_FACTOR:
            return SpeedVerdict.SLOW
        return SpeedVerdict.OK

    def _net(self) -> tuple[float, float, float]:
        """dx, dy and the distance from the first to the last point, in diagram units."""
        if self.first is None or self.last is None:
            return 0.0, 0.0, 0.0
        dx, dy = self.last.x - self.first.x, self.last.y - self.first.y
        return dx, dy, math.hypot(dx, dy)

    def _outward_sign(self) -> float:
        """+1 when outwards is towards larger x (the stroke works right of the midline)."""
        midline = self.geometry.midline_x
        first, last = self.first, self.last
        if first is None or last is None:
            return 1.0
        side = first.x - midline
        if abs(side) < 2.0:
            side = last.x - midline
        return 1.0 if side >= 0 else -1.0

    def _observed_direction(self) -> Direction | None:
        per_cm = DIAGRAM_UNITS_PER_CM
        if abs(self.turning) >= CIRCLE_TURN:
            return Direction.CIRCULAR
        if self.count < 2:
            return None
        dx, dy, distance = self._net()
        if self.length <= STATIC_CM * per_cm:
            return Direction.STATIC
        if distance <= IN_PLACE_CM * per_cm:
            return Direction.IN_PLACE if self.length > MIN_DIRECTION_CM * per_cm else None
        if abs(dy) >= abs(dx):
            return Direction.UP if dy < 0 else Direction.DOWN
        return Direction.OUTWARD if dx * self._outward_sign() > 0 else Direction.INWARD

    def _direction_verdict(self) -> DirectionVerdict:
        per_cm = DIAGRAM_UNITS_PER_CM
        expected = self.expected
        dx, dy, distance = self._net()
        if expected is Direction.CIRCULAR:
            if abs(self.turning) >= CIRCLE_TURN:
                return DirectionVerdict.OK
            if self.length < MIN_DIRECTION_CM * per_cm:
                return DirectionVerdict.UNCLEAR
            return DirectionVerdict.OFF
        if expected is Direction.IN_PLACE:
            return DirectionVerdict.OK if distance <= IN_PLACE_CM * per_cm else DirectionVerdict.OFF
        if expected is Direction.STATIC:
            return (
                DirectionVerdict.OK if self.length <= STATIC_CM * per_cm else DirectionVerdict.OFF
            )
        if distance < MIN_DIRECTION_CM * per_cm:
            return DirectionVerdict.UNCLEAR
        sign = self._outward_sign()
        along = {
            Direction.UP: -dy,
            Direction.DOWN: dy,
            Direction.OUTWARD: dx * sign,
            Direction.INWARD: -dx * sign,
        }[expected]
        cosine = along / distance
        if cosine >= 0.6:
            return DirectionVerdict.OK
        if cosine <= -0.5:
            return DirectionVerdict.WRONG
        return DirectionVerdict.OFF

    def feedback(self) -> StrokeFeedback:
        per_cm = DIAGRAM_UNITS_PER_CM
        technique = self.technique
        family = technique.family.value
        reasons: list[FeedbackReason] = []
        length = self.length
        first, last = self.first, self.last

        # Safety first: no-go zones.
        no_go = tuple(
            NoGoEntry(
                zone_id,
                index,
                t,
                self.no_go_length.get(zone_id, 0.0) / length if length > 0 else 0.0,
            )
            for zone_id, (index, t) in sorted(self.no_go_first.items(), key=lambda i: i[1][0])
        )
        no_go_share = sum(self.no_go_length.values()) / length if length > 0 else 0.0
        if no_go:
            where = zone_phrase(self.geometry, (entry.zone_id for entry in no_go))
            penalty = min(
                NO_GO_MAX_PENALTY, NO_GO_ENTRY_PENALTY + NO_GO_SHARE_PENALTY * no_go_share
            )
            if no_go_share > 0:
                text = f"{percent(no_go_share)} % of the stroke crossed {where}: never press there"
            else:
                text = f"The stroke touched {where}: never press there"
            reasons.append(FeedbackReason("no-go", text, False, penalty))

        # On the step's zones?
        # A tap or a click (a press and a release on one spot) has no length to share
        # out: it is on the zones when the spot is.
        target_share = self._target_share()
        # Many zones make a long list; the diagram outlines them anyway.
        if _zone_group_count(self.geometry, self.step.zones) <= 3:
            targets = zone_phrase(self.geometry, self.step.zones)
        else:
            targets = "the zones outlined in blue"
        # The no-go share is charged above; here only the rest of the stroke off the zones.
        off_share = max(0.0, 1.0 - target_share - no_go_share)
        zone_penalty = max(0.0, off_share - OFF_TARGET_GRACE) * OFF_TARGET_PENALTY
        if target_share >= 0.8:
            text = f"{percent(target_share)} % of the stroke stayed on this step's zones"
            reasons.append(FeedbackReason("zones", text, True, zone_penalty))
        else:
            share_words = "None" if target_share <= 0 else f"Only {percent(target_share)} %"
            reasons.append(
                FeedbackReason(
                    "zones",
                    f"{share_words} of the stroke was on this step's zones: {targets}",
                    False,
                    zone_penalty,
                )
            )

        # Speed against the tempo.
        low, high = self.speed_range
        length_cm = length / per_cm
        speed: float | None = None
        # A hold is judged however little it moves; other strokes need some travel.
        if self.duration >= MIN_SPEED_TIME_S and (
            length_cm >= MIN_SPEED_CM or technique.tempo is Tempo.STILL
        ):
            speed = length_cm / self.duration
        verdict = self._speed_verdict(speed)
        pace = pace_phrase(technique)
        if speed is None:
            reasons.append(
                FeedbackReason("speed", "Too short to judge the speed (a tap or a touch)", True)
            )
        elif verdict is SpeedVerdict.RUSHING:
            ratio = speed / high if high > 0 else speed
            reasons.append(
                FeedbackReason(
                    "speed",
                    f"Rushing: {times_words(ratio)} as fast as {pace} "
                    f"({speed:.1f} cm/s; aim for {_range_text(low, high)})",
                    False,
                    min(RUSHING_PENALTY, RUSHING_PENALTY * (ratio - 1.0)),
                )
            )
        elif verdict is SpeedVerdict.FAST:
            reasons.append(
                FeedbackReason(
                    "speed",
                    f"A little fast for {pace} ({speed:.1f} cm/s; aim for "
                    f"{_range_text(low, high)})",
                    False,
                    FAST_PENALTY,
                )
            )
        elif verdict is SpeedVerdict.SLOW:
            reasons.append(
                FeedbackReason(
                    "speed",
                    f"Slower than {pace} needs ({speed:.1f} cm/s; aim for "
                    f"{_range_text(low, high)})",
                    False,
                    SLOW_PENALTY,
                )
            )
        else:
            reasons.append(
                FeedbackReason(
                    "speed",
                    f"A good pace for {pace}: {speed:.1f} cm/s (aim for {_range_text(low, high)})",
                    True,
                )
            )

        # Direction.
        expected = self.expected
        observed = self._observed_direction()
        direction_verdict = self._direction_verdict()
        turns = self.turning / (2 * math.pi)
        expected_words = _EXPECTED_WORDS[expected]
        if direction_verdict is DirectionVerdict.OK:
            if expected is Direction.CIRCULAR:
                text = f"Circling, as {family} here should ({abs(turns):.1f} turns)"
            else:
                text = f"The right way: {family} here goes {expected_words}"
            reasons.append(FeedbackReason("direction", text, True))
        elif direction_verdict is DirectionVerdict.UNCLEAR:
            reasons.append(
                FeedbackReason(
                    "direction",
                    f"Too short to show a direction; {family} here goes {expected_words}",
                    True,
                )
            )
        else:
            dx, dy, distance = self._net()
            if expected is Direction.IN_PLACE:
                text = (
                    f"The hands travelled {distance / per_cm:.0f} cm; {family} here works "
                    "on one spot"
                )
            elif expected is Direction.STATIC:
                text = f"The hands moved {length_cm:.0f} cm; this hold stays still"
            elif expected is Direction.CIRCULAR:
                text = f"The stroke went in a line; {family} here goes in small circles"
            else:
                went = _OBSERVED_WORDS[observed] if observed is not None else "went another way"
                if direction_verdict is DirectionVerdict.OFF and observed in (
                    expected,
                    None,
                    Direction.CIRCULAR,
                    Direction.IN_PLACE,
                    Direction.STATIC,
                ):
                    went = "went sideways"
                elif (
                    first is not None
                    and last is not None
                    and (
                        (first.x - self.geometry.midline_x) * (last.x - self.geometry.midline_x)
                        < -4.0
                    )
                ):
                    went = "went across the spine"
                text = f"The stroke {went}; {family} here goes {expected_words}"
            penalty = (
                WRONG_DIRECTION_PENALTY
                if direction_verdict is DirectionVerdict.WRONG
                else OFF_DIRECTION_PENALTY
            )
            reasons.append(FeedbackReason("direction", text, False, penalty))

        # Pressure (a pen only).
        mean_pressure: float | None = None
        pressure_verdict = PressureVerdict.NOT_MEASURED
        asked = self.step.pressure
        if self.input_kind != "pen":
            source = "a mouse" if self.input_kind == "mouse" else "a touch screen"
            reasons.append(
                FeedbackReason(
                    "pressure",
                    f"No pressure from {source}: use a pen to practise how hard to press",
                    True,
                )
            )
        elif self.pressure_count == 0:
            reasons.append(
                FeedbackReason("pressure", "This pen reports no pressure: not judged", True)
            )
        else:
            mean_pressure = self.pressure_sum / self.pressure_count
            level = pressure_level(mean_pressure)
            difference = level.rank - asked.rank
            if difference == 0:
                pressure_verdict = PressureVerdict.OK
                reasons.append(
                    FeedbackReason(
                        "pressure",
                        f"Pressure right for this step: {asked.label.lower()} "
                        f"(pen {mean_pressure:.2f})",
                        True,
                    )
                )
            else:
                too_hard = difference > 0
                pressure_verdict = (
                    PressureVerdict.TOO_HARD if too_hard else PressureVerdict.TOO_LIGHT
                )
                asked_words = (
                    "no pressure" if asked is Pressure.NONE else f"{asked.label.lower()} pressure"
                )
                reasons.append(
                    FeedbackReason(
                        "pressure",
                        f"{'Too hard' if too_hard else 'Too light'}: you pressed "
                        f"{_PRESSURE_WORDS[level]} (pen {mean_pressure:.2f}); this step asks "
                        f"for {asked_words}",
                        False,
                        abs(difference) * (TOO_HARD_PENALTY if too_hard else TOO_LIGHT_PENALTY),
                    )
                )

        # Contact.
        needs_contact = technique.family in CONTACT_FAMILIES
        if self.breaks and needs_contact:
            times = "once" if self.breaks == 1 else f"{self.breaks} times"
            reasons.append(
                FeedbackReason(
                    "contact",
                    f"Contact broke {times} during the stroke; keep the hands on the skin",
                    False,
                    min(CONTACT_MAX_PENALTY, CONTACT_PENALTY * self.breaks),
                )
            )
        elif needs_contact and self.count > 1:
            reasons.append(FeedbackReason("contact", "Contact kept all the way", True))

        penalty = sum(reason.penalty for reason in reasons)
        score = max(0, min(100, round(100 - penalty)))
        ordered = sorted(reasons, key=lambda r: (r.ok, -r.penalty))
        return StrokeFeedback(
            score=score,
            reasons=tuple(ordered),
            input_kind=self.input_kind,
            point_count=self.count,
            start_t=first.t if first is not None else 0.0,
            end_t=last.t if last is not None else 0.0,
            duration_s=self.duration,
            length_cm=length_cm,
            no_go=no_go,
            no_go_share=no_go_share,
            target_share=target_share,
            speed_cm_s=speed,
            speed_range=self.speed_range,
            speed_verdict=verdict,
            direction_expected=expected,
            direction_observed=observed,
            direction_verdict=direction_verdict,
            turns=turns,
            mean_pressure=mean_pressure,
            pressure_verdict=pressure_verdict,
            contact_breaks=self.breaks,
        )


def analyse_stroke(
    points: Iterable[StrokePoint],
    step: Step,
    technique: Technique,
    geometry: ZoneGeometry,
    *,
    input_kind: InputKind,
) -> StrokeFeedback:
    """Judge one stroke (pen down to pen up) against the step it practises.

    The step gives the zones, the pressure and the direction; the technique gives the
    tempo. Raises ValueError for a stroke without points.
    """
    accumulator = _Accumulator(step, technique, geometry, input_kind)
    for point in points:
        accumulator.add(point)
    if accumulator.count == 0:
        raise ValueError("a stroke needs at least one point")
    return accumulator.feedback()


class LiveStrokeAnalyser:
    """Judges a stroke while it is drawn: :meth:`add` each point, :meth:`finish` at the end.

    Each point costs the same small amount of work however long the stroke is, so a
    1 kHz pen is followed easily. :meth:`finish` gives the same feedback as
    :func:`analyse_stroke` on the same points.
    """

    def __init__(
        self,
        step: Step,
        technique: Technique,
        geometry: ZoneGeometry,
        *,
        input_kind: InputKind,
    ) -> None:
        self._accumulator = _Accumulator(step, technique, geometry, input_kind)
        self._points: list[StrokePoint] = []

    @property
    def points(self) -> Sequence[StrokePoint]:
        """The points so far (for drawing and replay)."""
        return self._points

    @property
    def input_kind(self) -> InputKind:
        return self._accumulator.input_kind

    @property
    def step(self) -> Step:
        return self._accumulator.step

    @property
    def technique(self) -> Technique:
        return self._accumulator.technique

    def add(self, point: StrokePoint) -> LiveReading:
        self._points.append(point)
        return self._accumulator.add(point)

    def finish(self) -> StrokeFeedback:
        """The feedback for the stroke so far; ValueError when it has no point."""
        if self._accumulator.count == 0:
            raise ValueError("a stroke needs at least one point")
        return self._accumulator.feedback()


# -- a step's strokes ------------------------------------------------------------------


@dataclass(frozen=True)
class StepScore:
    """The score of a step's practice: its strokes taken together."""

    score: int
    stroke_count: int
    lifts: int
    reasons: tuple[FeedbackReason, ...]
    technique_id: str
    step_index: int | None = None


class StepPractice:
    """Collects the strokes traced for one step and scores them together."""

    def __init__(
        self,
        step: Step,
        technique: Technique,
        *,
        step_index: int | None = None,
        geometry: ZoneGeometry | None = None,
    ) -> None:
        """``geometry`` names the zones in the reasons (ids are used without it)."""
        self.step = step
        self.technique = technique
        self.step_index = step_index
        self._geometry = geometry
        self._strokes: list[StrokeFeedback] = []

    @property
    def strokes(self) -> tuple[StrokeFeedback, ...]:
        return tuple(self._strokes)

    def add(self, feedback: StrokeFeedback) -> bool:
        """Count a stroke; False (and not counted) when it was :attr:`~StrokeFeedback.
        too_short` to judge, so a stray click neither lifts nor lowers the step's score."""
        if feedback.too_short:
            return False
        self._strokes.append(feedback)
        return True

    def score(self) -> StepScore | None:
        """The step's score, or None before the first stroke.

        The mean of the stroke scores, less a little for each lift between strokes when
        the technique keeps the hands on the skin.
        """
        strokes = self._strokes
        if not strokes:
            return None
        count = len(strokes)
        family = self.technique.family
        mean = sum(s.score for s in strokes) / count
        noun = "stroke" if count == 1 else "strokes"
        reasons = [
            FeedbackReason("strokes", f"{count} {noun}, scoring {round(mean)} on average", True)
        ]

        def how_many(found: int, words: str) -> str:
            if count == 1:
                return f"The stroke {words}"
            return f"{found} of {count} strokes {words}"

        into_no_go = [s for s in strokes if s.no_go]
        if into_no_go:
            zone_ids = list(dict.fromkeys(e.zone_id for s in into_no_go for e in s.no_go))
            where = (
                zone_phrase(self._geometry, zone_ids)
                if self._geometry is not None
                else ", ".join(zone_ids)
            )
            reasons.append(
                FeedbackReason("no-go", how_many(len(into_no_go), f"went onto {where}"), False)
            )
        share = sum(s.target_share for s in strokes) / count
        reasons.append(
            FeedbackReason(
                "zones",
                f"On average {percent(share)} % of each stroke was on this step's zones",
                share >= 0.8,
            )
        )
        checks: list[tuple[Aspect, int, str]] = [
            (
                "speed",
                sum(s.speed_verdict is SpeedVerdict.RUSHING for s in strokes),
                "rushed",
            ),
            (
                "direction",
                sum(s.direction_verdict is DirectionVerdict.WRONG for s in strokes),
                "went the wrong way",
            ),
            (
                "pressure",
                sum(s.pressure_verdict is PressureVerdict.TOO_HARD for s in strokes),
                "pressed too hard",
            ),
        ]
        for aspect, found, words in checks:
            if found:
                reasons.append(FeedbackReason(aspect, how_many(found, words), False))
        lifts = count - 1 if family in CONTACT_FAMILIES else 0
        penalty = 0.0
        if lifts:
            penalty = min(LIFT_MAX_PENALTY, LIFT_PENALTY * lifts)
            times = "once" if lifts == 1 else f"{lifts} times"
            reasons.append(
                FeedbackReason(
                    "contact",
                    f"The hands lifted {times} between strokes; in {family.value} they stay "
                    "on the skin and glide back to the start",
                    False,
                    penalty,
                )
            )
        score = max(0, min(100, round(mean - penalty)))
        ordered = sorted(reasons, key=lambda r: (r.ok, -r.penalty))
        return StepScore(
            score=score,
            stroke_count=count,
            lifts=lifts,
            reasons=tuple(ordered),
            technique_id=self.technique.id,
            step_index=self.step_index,
        )


# -- the reference movement ------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceStroke:
    """A model stroke to show beside a learner's trace: a line to follow, a circle to
    draw or a spot to work on, in diagram units."""

    kind: Literal["line", "circle", "spot"]
    points: tuple[Point, ...]


def reference_strokes(
    step: Step, technique: Technique, geometry: ZoneGeometry
) -> tuple[ReferenceStroke, ...]:
    """Model strokes over the step's zones in the step's direction.

    Up and down: a line through the middle of each zone piece (for example up each muscle
    strip beside the spine); outwards and inwards: a line across it; circles: small
    circles along it; on the spot or still: a spot in its middle.
    """
    direction = step.direction
    strokes: list[ReferenceStroke] = []
    midline = geometry.midline_x
    per_cm = DIAGRAM_UNITS_PER_CM
    for zone_id in step.zones:
        try:
            shape = geometry.shape(zone_id)
        except KeyError:
            continue
        if geometry.is_no_go(zone_id):
            continue
        for index in range(len(shape.polygons)):
            cx, cy = geometry.interior_point(zone_id, index)
            polygon = (shape.polygons[index],)
            if direction in (Direction.UP, Direction.DOWN, Direction.CIRCULAR):
                runs = [
                    run for run in polygon_runs(polygon, cx, horizontal=False) if run[1] > run[0]
                ]
                if not runs:
                    continue
                top, bottom = max(runs, key=lambda r: r[1] - r[0])
                inset = (bottom - top) * 0.08
                top, bottom = top + inset, bottom - inset
                if direction is Direction.CIRCULAR:
                    radius = min(1.5 * per_cm, (bottom - top) / 6)
                    count = max(1, min(4, int((bottom - top) // (radius * 3.5))))
                    for i in range(count):
                        y = bottom - (bottom - top) * (i + 0.5) / count
                        strokes.append(ReferenceStroke("circle", _circle(cx, y, radius)))
                    continue
                line = ((cx, bottom), (cx, top))
                if direction is Direction.DOWN:
                    line = (line[1], line[0])
                strokes.append(ReferenceStroke("line", line))
            elif direction in (Direction.OUTWARD, Direction.INWARD):
                runs = polygon_runs(polygon, cy, horizontal=True)
                if not runs:
                    continue
                left, right = max(runs, key=lambda r: r[1] - r[0])
                inset = (right - left) * 0.1
                left, right = left + inset, right - inset
                medial, lateral = (left, right) if cx >= midline else (right, left)
                line = ((medial, cy), (lateral, cy))
                if direction is Direction.INWARD:
                    line = (line[1], line[0])
                strokes.append(ReferenceStroke("line", line))
            else:
                strokes.append(ReferenceStroke("spot", ((cx, cy),)))
    return tuple(strokes)


def _circle(cx: float, cy: float, radius: float, pieces: int = 24) -> tuple[Point, ...]:
    return tuple(
        (
            cx + radius * math.cos(2 * math.pi * i / pieces),
            cy + radius * math.sin(2 * math.pi * i / pieces),
        )
        for i in range(pieces + 1)
    )


__all__ = [
    "BACK_WIDTH_CM",
    "BACK_WIDTH_UNITS",
    "CONTACT_FAMILIES",
    "DIAGRAM_UNITS_PER_CM",
    "PEN_PRESSURE_BANDS",
    "TEMPO_SPEEDS_CM_S",
    "DirectionVerdict",
    "FeedbackReason",
    "InputKind",
    "LiveReading",
    "LiveStrokeAnalyser",
    "NoGoEntry",
    "PressureVerdict",
    "ReferenceStroke",
    "SpeedVerdict",
    "StepPractice",
    "StepScore",
    "StrokeFeedback",
    "StrokePoint",
    "analyse_stroke",
    "pace_phrase",
    "percent",
    "pressure_level",
    "reference_strokes",
    "times_words",
    "zone_phrase",
]
