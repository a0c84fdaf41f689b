"""Stroke analysis with synthetic strokes that go right, and wrong in each way."""

from __future__ import annotations

import math
import time

import pytest

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.diagram import load_diagram
from massage_trainer.domain.models import Direction, Pressure, Step, Technique
from massage_trainer.domain.strokes import (
    DIAGRAM_UNITS_PER_CM,
    DirectionVerdict,
    InputKind,
    LiveStrokeAnalyser,
    PressureVerdict,
    SpeedVerdict,
    StepPractice,
    StrokeFeedback,
    StrokePoint,
    analyse_stroke,
    pressure_level,
    reference_strokes,
    times_words,
)
from massage_trainer.domain.zone_geometry import ZoneGeometry

LEFT_STRIP_X = 183.0
RIGHT_STRIP_X = 217.0
LOW_BACK_Y = 385.0
SHOULDERS_Y = 150.0


@pytest.fixture(scope="module")
def geometry(library: ContentLibrary) -> ZoneGeometry:
    return ZoneGeometry.from_diagram(load_diagram(), library.zones)


@pytest.fixture(scope="module")
def effleurage(library: ContentLibrary) -> Technique:
    technique = library.techniques["open-palm-stroking"]
    assert technique.tempo.value == "slow"
    return technique


@pytest.fixture(scope="module")
def glide_step(effleurage: Technique) -> Step:
    """Effleurage up the muscle strips beside the spine, light pressure."""
    return Step(
        technique=effleurage.id,
        zones=("paraspinal-left", "paraspinal-right", "lower-back"),
        duration_s=60,
        pressure=Pressure.LIGHT,
        direction=Direction.UP,
        instruction="Glide up both strips beside the spine.",
    )


def line(
    start: tuple[float, float],
    end: tuple[float, float],
    speed_cm_s: float,
    *,
    rate_hz: float = 120.0,
    pressure: float | None = None,
    t0: float = 0.0,
) -> list[StrokePoint]:
    """Points along a straight stroke at a steady speed (in cm/s of a real back)."""
    length_cm = math.dist(start, end) / DIAGRAM_UNITS_PER_CM
    duration = length_cm / speed_cm_s
    count = max(2, int(duration * rate_hz))
    return [
        StrokePoint(
            t0 + duration * i / (count - 1),
            start[0] + (end[0] - start[0]) * i / (count - 1),
            start[1] + (end[1] - start[1]) * i / (count - 1),
            pressure,
        )
        for i in range(count)
    ]


def analyse(
    points: list[StrokePoint],
    step: Step,
    technique: Technique,
    geometry: ZoneGeometry,
    kind: InputKind,
) -> StrokeFeedback:
    return analyse_stroke(points, step, technique, geometry, input_kind=kind)


def texts(feedback: StrokeFeedback) -> str:
    return " | ".join(reason.text for reason in feedback.reasons)


def test_a_slow_upward_glide_on_the_strip_scores_high(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    points = line((LEFT_STRIP_X, LOW_BACK_Y), (LEFT_STRIP_X, SHOULDERS_Y), 3.5)
    feedback = analyse(points, glide_step, effleurage, geometry, "mouse")
    assert feedback.score >= 95
    assert not feedback.no_go
    assert feedback.target_share > 0.99
    assert feedback.speed_verdict is SpeedVerdict.OK
    assert feedback.speed_cm_s == pytest.approx(3.5, rel=0.02)
    assert feedback.direction_observed is Direction.UP
    assert feedback.direction_verdict is DirectionVerdict.OK
    assert feedback.contact_breaks == 0
    assert not feedback.problems
    assert "No pressure from a mouse" in texts(feedback)


def test_a_stroke_over_the_spine_names_the_spine_and_its_share(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    # Start on the left strip, drift onto the spine for the upper part of the back.
    points = (
        line((LEFT_STRIP_X, LOW_BACK_Y), (LEFT_STRIP_X, 280), 3.5)
        + line((LEFT_STRIP_X, 280), (200, 262), 3.5, t0=100)[1:]
    )
    points += line((200, 262), (200, SHOULDERS_Y), 3.5, t0=200)[1:]
    points = [StrokePoint(i * 0.01, p.x, p.y) for i, p in enumerate(points)]
    feedback = analyse(points, glide_step, effleurage, geometry, "mouse")
    assert [entry.zone_id for entry in feedback.no_go] == ["spine"]
    spine = feedback.no_go[0]
    assert 0.3 < spine.share < 0.6
    assert points[spine.first_index].x > LEFT_STRIP_X  # flagged on the way over
    first = feedback.problems[0]
    assert first.aspect == "no-go"
    assert first.text.startswith(f"{round(spine.share * 100)} % of the stroke crossed the spine")
    assert feedback.score < 50


def test_a_quick_stroke_cannot_jump_over_the_spine(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    # Two points only, one each side of the spine: the line between them crosses it.
    points = [StrokePoint(0.0, LEFT_STRIP_X, 300), StrokePoint(0.2, RIGHT_STRIP_X, 300)]
    feedback = analyse(points, glide_step, effleurage, geometry, "mouse")
    assert [entry.zone_id for entry in feedback.no_go] == ["spine"]
    assert feedback.no_go[0].first_index == 1


def test_a_rushed_stroke_says_rushing(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    points = line((LEFT_STRIP_X, LOW_BACK_Y), (LEFT_STRIP_X, SHOULDERS_Y), 10.0)
    feedback = analyse(points, glide_step, effleurage, geometry, "mouse")
    assert feedback.speed_verdict is SpeedVerdict.RUSHING
    reason = feedback.reason_for("speed")
    assert reason is not None
    assert not reason.ok
    assert reason.text.startswith("Rushing: about twice as fast as a slow glide")
    assert feedback.score <= 75


def test_a_little_fast_and_too_slow_are_told_apart(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    start, end = (LEFT_STRIP_X, LOW_BACK_Y), (LEFT_STRIP_X, SHOULDERS_Y)
    fast = analyse(line(start, end, 6.0), glide_step, effleurage, geometry, "mouse")
    assert fast.speed_verdict is SpeedVerdict.FAST
    slow = analyse(line(start, end, 0.5), glide_step, effleurage, geometry, "mouse")
    assert slow.speed_verdict is SpeedVerdict.SLOW
    assert fast.score > 80
    assert slow.score > 80


def test_a_downward_effleurage_says_wrong_direction(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    points = line((LEFT_STRIP_X, SHOULDERS_Y), (LEFT_STRIP_X, LOW_BACK_Y), 3.5)
    feedback = analyse(points, glide_step, effleurage, geometry, "mouse")
    assert feedback.direction_observed is Direction.DOWN
    assert feedback.direction_verdict is DirectionVerdict.WRONG
    reason = feedback.reason_for("direction")
    assert reason is not None
    assert reason.text == "The stroke went down; effleurage here goes up towards the head"
    assert 60 <= feedback.score <= 80


def test_a_sideways_stroke_is_off_not_wrong(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    points = line((175, 360), (190, 360), 3.0)
    feedback = analyse(points, glide_step, effleurage, geometry, "mouse")
    assert feedback.direction_verdict is DirectionVerdict.OFF


def test_pen_pressure_too_hard_for_a_light_step(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    start, end = (LEFT_STRIP_X, LOW_BACK_Y), (LEFT_STRIP_X, SHOULDERS_Y)
    hard = analyse(line(start, end, 3.5, pressure=0.85), glide_step, effleurage, geometry, "pen")
    assert hard.mean_pressure == pytest.approx(0.85)
    assert hard.pressure_verdict is PressureVerdict.TOO_HARD
    reason = hard.reason_for("pressure")
    assert reason is not None
    assert not reason.ok
    assert "this step asks for light pressure" in reason.text
    right = analyse(line(start, end, 3.5, pressure=0.25), glide_step, effleurage, geometry, "pen")
    assert right.pressure_verdict is PressureVerdict.OK
    assert right.score > hard.score
    touch = analyse(line(start, end, 3.5), glide_step, effleurage, geometry, "touch")
    assert touch.pressure_verdict is PressureVerdict.NOT_MEASURED
    assert "No pressure from a touch screen" in texts(touch)


def test_pressure_levels_of_the_pen() -> None:
    assert pressure_level(0.05) is Pressure.NONE
    assert pressure_level(0.3) is Pressure.LIGHT
    assert pressure_level(0.5) is Pressure.MODERATE
    assert pressure_level(0.9) is Pressure.FIRM


def test_a_lift_in_the_middle_breaks_contact(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    first = line((LEFT_STRIP_X, LOW_BACK_Y), (LEFT_STRIP_X, 300), 3.5)
    # Half a second later the hand comes down on the other strip.
    second = line((RIGHT_STRIP_X, 300), (RIGHT_STRIP_X, SHOULDERS_Y), 3.5, t0=first[-1].t + 0.5)
    feedback = analyse(first + second, glide_step, effleurage, geometry, "mouse")
    assert feedback.contact_breaks == 1
    assert not feedback.no_go  # the jump over the spine was in the air
    reason = feedback.reason_for("contact")
    assert reason is not None
    assert not reason.ok
    assert reason.text.startswith("Contact broke once")
    whole = analyse(first, glide_step, effleurage, geometry, "mouse")
    assert whole.reason_for("contact") == reason.__class__(
        "contact", "Contact kept all the way", True
    )


def test_a_pause_without_a_jump_keeps_contact(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    first = line((LEFT_STRIP_X, LOW_BACK_Y), (LEFT_STRIP_X, 300), 3.5)
    rest = line((LEFT_STRIP_X, 300), (LEFT_STRIP_X, SHOULDERS_Y), 3.5, t0=first[-1].t + 2.0)
    feedback = analyse(first + rest[1:], glide_step, effleurage, geometry, "mouse")
    assert feedback.contact_breaks == 0


def test_circles_are_recognised_for_a_circular_step(
    geometry: ZoneGeometry, library: ContentLibrary
) -> None:
    technique = library.techniques["thumb-circles"]
    step = Step(
        technique=technique.id,
        zones=("paraspinal-left",),
        duration_s=60,
        pressure=Pressure.FIRM,
        direction=Direction.CIRCULAR,
        instruction="Small circles up the strip.",
    )
    radius = 1.0 * DIAGRAM_UNITS_PER_CM
    circles = [
        StrokePoint(
            i * 0.02, LEFT_STRIP_X + radius * math.cos(i * 0.06), 330 + radius * math.sin(i * 0.06)
        )
        for i in range(400)
    ]
    feedback = analyse(circles, step, technique, geometry, "mouse")
    assert feedback.direction_verdict is DirectionVerdict.OK
    assert abs(feedback.turns) > 3
    straight = analyse(
        line((LEFT_STRIP_X, 360), (LEFT_STRIP_X, 300), 3.0), step, technique, geometry, "mouse"
    )
    assert straight.direction_verdict is DirectionVerdict.OFF
    assert "in small circles" in texts(straight)


def test_kneading_on_the_spot_and_travelling_kneading(
    geometry: ZoneGeometry, library: ContentLibrary
) -> None:
    technique = library.techniques["kneading"]
    step = Step(
        technique=technique.id,
        zones=("shoulder-girdle-left",),
        duration_s=60,
        pressure=Pressure.MODERATE,
        direction=Direction.IN_PLACE,
        instruction="Knead the top of the shoulder.",
    )
    x, y = geometry.interior_point("shoulder-girdle-left")
    wiggle = [StrokePoint(i * 0.05, x + 3 * math.sin(i * 0.7), y) for i in range(60)]
    assert analyse(wiggle, step, technique, geometry, "mouse").direction_verdict is (
        DirectionVerdict.OK
    )
    travel = line((130, y + 2), (170, y - 8), 3.0)
    feedback = analyse(travel, step, technique, geometry, "mouse")
    assert feedback.direction_verdict is DirectionVerdict.OFF
    assert "on one spot" in texts(feedback)


def test_a_single_tap_is_judged_without_a_speed(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    feedback = analyse(
        [StrokePoint(1.0, LEFT_STRIP_X, 300)], glide_step, effleurage, geometry, "mouse"
    )
    assert feedback.speed_cm_s is None
    assert feedback.speed_verdict is SpeedVerdict.NOT_JUDGED
    assert feedback.target_share == 1.0
    assert feedback.direction_verdict is DirectionVerdict.UNCLEAR
    with pytest.raises(ValueError, match="at least one point"):
        analyse([], glide_step, effleurage, geometry, "mouse")


def test_the_live_analyser_flags_a_no_go_entry_at_once_and_agrees_at_the_end(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    points = line((LEFT_STRIP_X, 300), (RIGHT_STRIP_X, 300), 3.0)
    live = LiveStrokeAnalyser(glide_step, effleurage, geometry, input_kind="mouse")
    readings = [live.add(point) for point in points]
    entered = [r for r in readings if r.entered_no_go]
    assert len(entered) == 1  # once on the way in, not again while on it
    assert entered[0].entered_no_go == "spine"
    assert entered[0].in_no_go or geometry.zone_at(*_xy(points[entered[0].index])) != "spine"
    assert readings[0].in_target
    assert readings[-1].in_target
    assert readings[-1].speed_cm_s == pytest.approx(3.0, rel=0.05)
    assert readings[-1].speed_verdict is SpeedVerdict.OK
    assert live.finish() == analyse(points, glide_step, effleurage, geometry, "mouse")
    assert len(live.points) == len(points)


def _xy(point: StrokePoint) -> tuple[float, float]:
    return point.x, point.y


def test_live_speed_follows_the_last_half_second(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    slow = line((LEFT_STRIP_X, LOW_BACK_Y), (LEFT_STRIP_X, 300), 3.0)
    fast = line((LEFT_STRIP_X, 300), (LEFT_STRIP_X, SHOULDERS_Y), 12.0, t0=slow[-1].t)
    live = LiveStrokeAnalyser(glide_step, effleurage, geometry, input_kind="mouse")
    for point in slow:
        reading = live.add(point)
    assert reading.speed_verdict is SpeedVerdict.OK
    for point in fast[1:]:
        reading = live.add(point)
    assert reading.speed_verdict is SpeedVerdict.RUSHING
    assert reading.direction is Direction.UP


def test_a_step_sums_up_its_strokes(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    practice = StepPractice(glide_step, effleurage, step_index=0, geometry=geometry)
    assert practice.score() is None
    good = analyse(
        line((LEFT_STRIP_X, LOW_BACK_Y), (LEFT_STRIP_X, SHOULDERS_Y), 3.5),
        glide_step,
        effleurage,
        geometry,
        "mouse",
    )
    spine = analyse(
        line((200, LOW_BACK_Y), (200, SHOULDERS_Y), 3.5), glide_step, effleurage, geometry, "mouse"
    )
    practice.add(good)
    practice.add(spine)
    result = practice.score()
    assert result is not None
    assert result.stroke_count == 2
    assert result.lifts == 1
    assert result.step_index == 0
    assert result.technique_id == effleurage.id
    assert result.score == round((good.score + spine.score) / 2 - 3)
    words = " | ".join(reason.text for reason in result.reasons)
    assert "1 of 2 strokes went onto the spine" in words
    assert "lifted once between strokes" in words


def test_reference_strokes_run_up_the_strips(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    strokes = reference_strokes(glide_step, effleurage, geometry)
    lines = [s for s in strokes if s.kind == "line"]
    assert len(lines) >= 2
    for stroke in lines:
        (x0, y0), (x1, y1) = stroke.points
        assert x0 == x1
        assert y1 < y0  # upwards, towards the head
        assert geometry.zone_at(x0, (y0 + y1) / 2) in glide_step.zones
    down = glide_step.model_copy(update={"direction": Direction.DOWN})
    for stroke in reference_strokes(down, effleurage, geometry):
        assert stroke.points[-1][1] > stroke.points[0][1]
    outward = glide_step.model_copy(update={"direction": Direction.OUTWARD})
    for stroke in reference_strokes(outward, effleurage, geometry):
        (x0, _), (x1, _) = stroke.points
        assert abs(x1 - geometry.midline_x) > abs(x0 - geometry.midline_x)


def test_ratios_in_words() -> None:
    assert times_words(1.5) == "about one and a half times"
    assert times_words(2.0) == "about twice"
    assert times_words(3.1) == "about three times"
    assert times_words(5.2) == "about 5 times"


def test_analysis_keeps_up_with_a_fast_pen(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    # A 1 kHz pen gives 1000 points a second; the target is ten times that.
    points = line((LEFT_STRIP_X, LOW_BACK_Y), (LEFT_STRIP_X, SHOULDERS_Y), 3.0, rate_hz=1000)
    points = [StrokePoint(p.t, p.x, p.y, 0.3) for p in points]
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        live = LiveStrokeAnalyser(glide_step, effleurage, geometry, input_kind="pen")
        for point in points:
            live.add(point)
        live.finish()
        best = min(best, time.perf_counter() - start)
    rate = len(points) / best
    assert rate >= 10_000, f"{rate:.0f} points/s"


def test_a_click_on_the_zone_is_on_the_zone(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    # A mouse click is a press and a release on the same spot: two points, no length.
    click = [StrokePoint(1.0, LEFT_STRIP_X, 300), StrokePoint(1.1, LEFT_STRIP_X, 300)]
    feedback = analyse(click, glide_step, effleurage, geometry, "mouse")
    assert feedback.target_share == 1.0
    assert "None of the stroke" not in texts(feedback)
    assert "stayed on this step's zones" in texts(feedback)
    off = [StrokePoint(1.0, 120, 470), StrokePoint(1.1, 120, 470)]
    assert analyse(off, glide_step, effleurage, geometry, "mouse").target_share == 0.0


def test_a_stroke_too_short_to_judge_does_not_count_for_the_step(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    practice = StepPractice(glide_step, effleurage, step_index=0, geometry=geometry)
    dab = analyse(
        line((LEFT_STRIP_X, 300), (LEFT_STRIP_X, 296), 3.0),
        glide_step,
        effleurage,
        geometry,
        "mouse",
    )
    assert dab.too_short
    assert not practice.add(dab)
    assert practice.score() is None  # nothing traced yet, as far as the step goes
    good = analyse(
        line((LEFT_STRIP_X, LOW_BACK_Y), (LEFT_STRIP_X, SHOULDERS_Y), 3.5),
        glide_step,
        effleurage,
        geometry,
        "mouse",
    )
    assert not good.too_short
    assert practice.add(good)
    assert not practice.add(dab)
    result = practice.score()
    assert result is not None
    assert result.stroke_count == 1
    assert result.lifts == 0  # the stray click is no lift between strokes
    assert result.score == good.score


def test_the_live_reading_does_not_fault_the_start_of_a_good_stroke(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    # The first points of a glide up the strip: on the zone, and no direction yet (not
    # "still, not up").
    points = line((LEFT_STRIP_X, LOW_BACK_Y), (LEFT_STRIP_X, SHOULDERS_Y), 3.5)
    live = LiveStrokeAnalyser(glide_step, effleurage, geometry, input_kind="mouse")
    first = live.add(points[0])
    assert first.in_target
    assert first.target_share == 1.0
    assert first.direction is None
    early = [live.add(point) for point in points[1:300]]  # the first 8 cm or so
    assert all(r.target_share == 1.0 for r in early)
    assert all(r.direction in (None, Direction.UP) for r in early)
    assert early[-1].direction is Direction.UP
    # Off the zones, the first point is off them.
    off = LiveStrokeAnalyser(glide_step, effleurage, geometry, input_kind="mouse")
    assert off.add(StrokePoint(0.0, 120, 470)).target_share == 0.0


def test_a_hold_that_moves_is_flagged_live(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    hold = glide_step.model_copy(update={"direction": Direction.STATIC})
    live = LiveStrokeAnalyser(hold, effleurage, geometry, input_kind="mouse")
    assert live.add(StrokePoint(0.0, LEFT_STRIP_X, 300)).direction is None
    assert live.add(StrokePoint(0.1, LEFT_STRIP_X, 300.5)).direction is Direction.STATIC
    reading = live.add(StrokePoint(0.2, LEFT_STRIP_X, 260))
    assert reading.direction is Direction.UP


def test_the_live_reading_gives_circles_time_to_turn(
    geometry: ZoneGeometry, glide_step: Step, effleurage: Technique
) -> None:
    circles = glide_step.model_copy(update={"direction": Direction.CIRCULAR})
    live = LiveStrokeAnalyser(circles, effleurage, geometry, input_kind="mouse")
    radius = 1.5 * DIAGRAM_UNITS_PER_CM
    readings = [
        live.add(
            StrokePoint(
                i / 60,
                LEFT_STRIP_X + radius * math.cos(i * math.pi / 30),
                300 + radius * math.sin(i * math.pi / 30),
            )
        )
        for i in range(121)  # two turns
    ]
    assert all(r.direction in (None, Direction.CIRCULAR) for r in readings)
    assert readings[-1].direction is Direction.CIRCULAR
