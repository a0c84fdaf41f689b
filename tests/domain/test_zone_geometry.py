"""Zone polygons without Qt: flattening, point-in-zone, no-go zones first, speed."""

from __future__ import annotations

import math
import random
import time

import pytest

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.diagram import DrawCommand, load_diagram, parse_diagram
from massage_trainer.domain.models import SafetyTier
from massage_trainer.domain.zone_geometry import (
    FLATTEN_TOLERANCE,
    ZoneGeometry,
    ZoneShape,
    flatten_subpath,
    point_in_polygons,
    polygon_runs,
    short_name,
)


@pytest.fixture(scope="module")
def geometry(library: ContentLibrary) -> ZoneGeometry:
    return ZoneGeometry.from_diagram(load_diagram(), library.zones)


def square(left: float, top: float, size: float) -> tuple[tuple[float, float], ...]:
    return ((left, top), (left + size, top), (left + size, top + size), (left, top + size))


def shape(zone_id: str, tier: SafetyTier, *polygons: tuple[tuple[float, float], ...]) -> ZoneShape:
    xs = [x for polygon in polygons for x, _ in polygon]
    ys = [y for polygon in polygons for _, y in polygon]
    return ZoneShape(zone_id, tier, polygons, (min(xs), min(ys), max(xs), max(ys)))


def distance_to_polyline(point: tuple[float, float], line: list[tuple[float, float]]) -> float:
    best = math.inf
    for (x1, y1), (x2, y2) in zip(line, line[1:], strict=False):
        dx, dy = x2 - x1, y2 - y1
        length2 = dx * dx + dy * dy
        t = (
            0.0
            if length2 == 0
            else max(0.0, min(1.0, ((point[0] - x1) * dx + (point[1] - y1) * dy) / length2))
        )
        best = min(best, math.hypot(point[0] - x1 - t * dx, point[1] - y1 - t * dy))
    return best


def test_a_flattened_curve_stays_within_the_tolerance() -> None:
    p0, c1, c2, p3 = (0.0, 0.0), (0.0, 100.0), (100.0, 100.0), (100.0, 0.0)
    line = flatten_subpath((DrawCommand("M", (p0,)), DrawCommand("C", (c1, c2, p3))))
    assert line[0] == p0
    assert line[-1] == p3
    assert len(line) > 10  # really cut into pieces, not one chord
    for i in range(101):
        t = i / 100
        u = 1 - t
        on_curve = (
            u**3 * p0[0] + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t**3 * p3[0],
            u**3 * p0[1] + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t**3 * p3[1],
        )
        assert distance_to_polyline(on_curve, line) <= FLATTEN_TOLERANCE * 1.01


def test_a_straight_path_is_not_cut_up() -> None:
    line = flatten_subpath(
        (
            DrawCommand("M", ((0.0, 0.0),)),
            DrawCommand("L", ((10.0, 0.0),)),
            DrawCommand("L", ((10.0, 10.0),)),
            DrawCommand("Z"),
        )
    )
    assert line == [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]


def test_every_zone_of_the_content_has_a_shape(
    geometry: ZoneGeometry, library: ContentLibrary
) -> None:
    assert set(geometry.zone_ids) == set(library.zones)


def test_points_land_in_the_zones_a_learner_would_expect(geometry: ZoneGeometry) -> None:
    assert geometry.zone_at(200, 250) == "spine"
    assert geometry.zone_at(183, 260) == "paraspinal-left"
    assert geometry.zone_at(217, 260) == "paraspinal-right"
    assert geometry.zone_at(143, 304) == "floating-ribs-left"
    assert geometry.zone_at(158, 330) == "kidney-left"
    assert geometry.zone_at(20, 20) is None  # beside the body
    assert geometry.zone_at(-50, 1000) is None  # off the diagram altogether


def test_every_zone_holds_its_own_interior_point(geometry: ZoneGeometry) -> None:
    for zone_id in geometry.zone_ids:
        x, y = geometry.interior_point(zone_id)
        assert geometry.contains(zone_id, x, y), zone_id
        assert geometry.zone_at(x, y) == zone_id


def test_the_fast_test_agrees_with_plain_ray_casting(geometry: ZoneGeometry) -> None:
    rng = random.Random(7)
    for _ in range(5000):
        x, y = rng.uniform(60, 340), rng.uniform(80, 500)
        expected = tuple(
            zone_id
            for zone_id in geometry.zone_ids
            if point_in_polygons(x, y, geometry.shape(zone_id).polygons)
        )
        assert geometry.zones_at(x, y) == expected
        assert geometry.zone_at(x, y) == (expected[0] if expected else None)


def test_no_go_zones_win_where_shapes_overlap() -> None:
    safe = shape("big-safe", SafetyTier.SAFE, square(0, 0, 100))
    caution = shape("caution", SafetyTier.CAUTION, square(10, 10, 60))
    no_go = shape("no-go", SafetyTier.NO_GO, square(40, 40, 40))
    geometry = ZoneGeometry([safe, caution, no_go], view_box=(0, 0, 200, 200))
    assert geometry.zone_at(50, 50) == "no-go"
    assert geometry.zone_at(20, 20) == "caution"
    assert geometry.zone_at(75, 75) == "no-go"
    assert geometry.zone_at(95, 5) == "big-safe"
    assert geometry.zones_at(50, 50) == ("no-go", "caution", "big-safe")
    assert geometry.is_no_go("no-go")
    assert not geometry.is_no_go("big-safe")
    assert not geometry.is_no_go(None)


def test_the_smaller_zone_wins_within_a_tier() -> None:
    large = shape("large", SafetyTier.SAFE, square(0, 0, 100))
    small = shape("small", SafetyTier.SAFE, square(30, 30, 20))
    geometry = ZoneGeometry([large, small], view_box=(0, 0, 100, 100))
    assert geometry.zone_at(40, 40) == "small"


def test_even_odd_rings_make_a_hole() -> None:
    ring = shape("ring", SafetyTier.SAFE, square(0, 0, 100), square(25, 25, 50))
    geometry = ZoneGeometry([ring], view_box=(0, 0, 100, 100))
    assert geometry.zone_at(10, 10) == "ring"
    assert geometry.zone_at(50, 50) is None


def test_runs_of_a_line_inside_a_zone(geometry: ZoneGeometry) -> None:
    runs = geometry.vertical_runs("paraspinal-left", 183)
    assert len(runs) == 1
    top, bottom = runs[0]
    # The strip runs from the base of the neck to the sacrum.
    assert top < 140
    assert bottom > 380
    assert polygon_runs([square(0, 0, 10)], 5, horizontal=True) == [(0.0, 10.0)]


def test_zones_without_a_shape_are_left_out(library: ContentLibrary) -> None:
    svg = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 530">
      <g id="body"></g>
      <g id="zones"><path id="spine" d="M 190,100 L 210,100 L 210,400 L 190,400 Z"/></g>
    </svg>"""
    geometry = ZoneGeometry.from_diagram(parse_diagram(svg), library.zones)
    assert geometry.zone_ids == ("spine",)
    assert geometry.zone_at(200, 200) == "spine"
    assert geometry.shape("spine").name == "Spine"


def test_short_names_drop_the_explanation() -> None:
    assert short_name("Spine (midline, neck to tailbone)") == "Spine"
    assert short_name("Kidney area") == "Kidney area"


def test_a_hit_test_takes_well_under_ten_microseconds(geometry: ZoneGeometry) -> None:
    rng = random.Random(3)
    points = [(rng.uniform(80, 320), rng.uniform(90, 480)) for _ in range(20_000)]
    zone_at = geometry.zone_at
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        for x, y in points:
            zone_at(x, y)
        best = min(best, (time.perf_counter() - start) / len(points))
    assert best < 10e-6, f"{best * 1e6:.2f} µs per point"
