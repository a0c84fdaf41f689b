"""Zone shapes as flat polygons, and a fast point-in-zone test, without Qt.

The zone paths of the diagram (:mod:`massage_trainer.domain.diagram`) are curves; here
each one becomes polygons (one per subpath, curves cut into short straight pieces within
:data:`FLATTEN_TOLERANCE`). A point is inside a zone by the even-odd rule (a ray from the
point crosses the zone's edges an odd number of times).

Stroke analysis asks "which zone is this point in?" thousands of times a second, so the
test is bucketed twice: a coarse grid over the diagram says which zones can be under a
point at all, and each zone keeps its edges sorted into horizontal bands, so the ray only
meets the few edges at the point's height. Where zones overlap, no-go zones win, then
caution zones, then the smaller zone (the same order as the diagram's own hit test).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from massage_trainer.domain.diagram import Diagram, Subpath
from massage_trainer.domain.models import SafetyTier, Zone

Point = tuple[float, float]

FLATTEN_TOLERANCE = 0.1
"""How far (in diagram units, about 0.2 mm of back) a flattened curve may stray from the
true curve."""

GRID_CELL = 8.0
"""The side of a grid cell, in diagram units."""

BAND_HEIGHT = 2.0
"""The height of a zone's edge band, in diagram units."""

_TIER_RANK = {SafetyTier.NO_GO: 0, SafetyTier.CAUTION: 1, SafetyTier.SAFE: 2}

_Edge = tuple[float, float, float, float]
"""x1, y1, x2, y2 with y1 < y2 (horizontal edges never cross a horizontal ray)."""


def flatten_subpath(subpath: Subpath, tolerance: float = FLATTEN_TOLERANCE) -> list[Point]:
    """The subpath as a polyline: curves become straight pieces within ``tolerance``.

    The polyline is not closed explicitly; polygons treat it as closed.
    """
    points: list[Point] = []
    current: Point = (0.0, 0.0)
    start: Point = (0.0, 0.0)
    for command in subpath:
        if command.op == "M":
            current = start = command.points[0]
            points.append(current)
        elif command.op == "L":
            current = command.points[0]
            points.append(current)
        elif command.op == "Q":
            control, end = command.points
            points.extend(_flatten_quad(current, control, end, tolerance))
            current = end
        elif command.op == "C":
            c1, c2, end = command.points
            points.extend(_flatten_cubic(current, c1, c2, end, tolerance))
            current = end
        else:  # "Z": the polygon closes itself; drawing on starts from the start
            current = start
    # A closing point equal to the first adds nothing to a polygon.
    if len(points) > 1 and points[-1] == points[0]:
        points.pop()
    return points


def _segments_for(second_difference: float, degree_factor: float, tolerance: float) -> int:
    # Wang's formula: this many equal steps in t keep the chords within the tolerance.
    if second_difference <= 0.0:
        return 1
    return max(1, math.ceil(math.sqrt(degree_factor * second_difference / tolerance)))


def _flatten_quad(p0: Point, p1: Point, p2: Point, tolerance: float) -> list[Point]:
    d = math.hypot(p0[0] - 2 * p1[0] + p2[0], p0[1] - 2 * p1[1] + p2[1])
    n = _segments_for(d, 0.25, tolerance)
    out = []
    for i in range(1, n + 1):
        t = i / n
        u = 1 - t
        out.append(
            (
                u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0],
                u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1],
            )
        )
    return out


def _flatten_cubic(p0: Point, p1: Point, p2: Point, p3: Point, tolerance: float) -> list[Point]:
    d = max(
        math.hypot(p0[0] - 2 * p1[0] + p2[0], p0[1] - 2 * p1[1] + p2[1]),
        math.hypot(p1[0] - 2 * p2[0] + p3[0], p1[1] - 2 * p2[1] + p3[1]),
    )
    n = _segments_for(d, 0.75, tolerance)
    out = []
    for i in range(1, n + 1):
        t = i / n
        u = 1 - t
        a, b, c, e = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
        out.append(
            (
                a * p0[0] + b * p1[0] + c * p2[0] + e * p3[0],
                a * p0[1] + b * p1[1] + c * p2[1] + e * p3[1],
            )
        )
    return out


def short_name(name: str) -> str:
    """A zone name without its explanation in brackets: "Spine (midline)" -> "Spine"."""
    short = name.split("(", 1)[0].rstrip(" ,")
    return short or name


def point_in_polygons(x: float, y: float, polygons: Iterable[Sequence[Point]]) -> bool:
    """Even-odd test of a point against polygons taken together (no bucketing).

    The plain reference implementation; :class:`ZoneGeometry` gives the same answers
    faster.
    """
    inside = False
    for polygon in polygons:
        count = len(polygon)
        if count < 3:
            continue
        x1, y1 = polygon[-1]
        for x2, y2 in polygon:
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
            x1, y1 = x2, y2
    return inside


@dataclass(frozen=True)
class ZoneShape:
    """One zone's flattened outline: polygons (one per subpath) and a bounding box."""

    zone_id: str
    tier: SafetyTier
    polygons: tuple[tuple[Point, ...], ...]
    bounds: tuple[float, float, float, float]
    """left, top, right, bottom."""
    name: str = ""
    """The zone's short name ("Kidney area"), for feedback texts."""
    side: str = ""
    """"left", "right", "centre" or "both"."""

    @property
    def area(self) -> float:
        """The area enclosed (shoelace formula, summed over the polygons)."""
        total = 0.0
        for polygon in self.polygons:
            twice = 0.0
            x1, y1 = polygon[-1]
            for x2, y2 in polygon:
                twice += x1 * y2 - x2 * y1
                x1, y1 = x2, y2
            total += abs(twice) / 2
        return total


class _BandedZone:
    """A zone's edges sorted into horizontal bands for quick ray casting."""

    __slots__ = ("bands", "bottom", "left", "right", "top", "zone_id")

    def __init__(self, shape: ZoneShape) -> None:
        self.zone_id = shape.zone_id
        self.left, self.top, self.right, self.bottom = shape.bounds
        count = max(1, math.ceil((self.bottom - self.top) / BAND_HEIGHT) + 1)
        bands: list[list[_Edge]] = [[] for _ in range(count)]
        for polygon in shape.polygons:
            if len(polygon) < 3:
                continue
            x1, y1 = polygon[-1]
            for x2, y2 in polygon:
                if y1 != y2:
                    edge = (x1, y1, x2, y2) if y1 < y2 else (x2, y2, x1, y1)
                    first = int((edge[1] - self.top) // BAND_HEIGHT)
                    last = int((edge[3] - self.top) // BAND_HEIGHT)
                    for band in range(max(0, first), min(count - 1, last) + 1):
                        bands[band].append(edge)
                x1, y1 = x2, y2
        self.bands: tuple[tuple[_Edge, ...], ...] = tuple(tuple(b) for b in bands)

    def contains(self, x: float, y: float) -> bool:
        if not (self.left <= x <= self.right and self.top <= y <= self.bottom):
            return False
        inside = False
        # A crossing counts when the edge spans y half-open (y1 <= y < y2), so a ray
        # through a vertex shared by two edges is counted once.
        for x1, y1, x2, y2 in self.bands[int((y - self.top) // BAND_HEIGHT)]:
            if y1 <= y < y2 and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside


class ZoneGeometry:
    """Flattened zone polygons with a fast "which zone is here?" test.

    Build it with :meth:`from_diagram`. Coordinates are diagram units.
    """

    def __init__(
        self,
        shapes: Iterable[ZoneShape],
        *,
        view_box: tuple[float, float, float, float] = (0.0, 0.0, 400.0, 530.0),
    ) -> None:
        """``view_box`` is (x, y, width, height); points outside it are in no zone."""
        ordered = sorted(
            shapes,
            key=lambda s: (
                _TIER_RANK[s.tier],
                (s.bounds[2] - s.bounds[0]) * (s.bounds[3] - s.bounds[1]),
            ),
        )
        self._shapes: dict[str, ZoneShape] = {s.zone_id: s for s in ordered}
        self._banded = tuple(_BandedZone(s) for s in ordered)
        self._tiers = {s.zone_id: s.tier for s in ordered}
        vx, vy, vw, vh = view_box
        self._view_box = view_box
        self._left, self._top = vx, vy
        self._columns = max(1, math.ceil(vw / GRID_CELL))
        self._rows = max(1, math.ceil(vh / GRID_CELL))
        cells: list[list[_BandedZone]] = [[] for _ in range(self._columns * self._rows)]
        for banded in self._banded:  # in hit order, so each cell's list is too
            c0, r0 = self._cell_of(banded.left, banded.top)
            c1, r1 = self._cell_of(banded.right, banded.bottom)
            for row in range(r0, r1 + 1):
                for column in range(c0, c1 + 1):
                    cells[row * self._columns + column].append(banded)
        self._cells: tuple[tuple[_BandedZone, ...], ...] = tuple(tuple(c) for c in cells)

    def _cell_of(self, x: float, y: float) -> tuple[int, int]:
        """The grid cell holding (x, y), clamped to the grid."""
        column = int((x - self._left) // GRID_CELL)
        row = int((y - self._top) // GRID_CELL)
        return (
            min(max(column, 0), self._columns - 1),
            min(max(row, 0), self._rows - 1),
        )

    @classmethod
    def from_diagram(
        cls,
        diagram: Diagram,
        zones: Iterable[Zone] | Mapping[str, Zone],
        tolerance: float = FLATTEN_TOLERANCE,
    ) -> ZoneGeometry:
        """The geometry of ``zones`` that have a shape in ``diagram`` (others are left out)."""
        items = zones.values() if isinstance(zones, Mapping) else zones
        shapes = []
        for zone in items:
            element = diagram.zones.get(zone.shape_id)
            if element is None:
                continue
            polygons = tuple(
                tuple(flatten_subpath(sub, tolerance)) for sub in element.subpaths if len(sub) > 1
            )
            polygons = tuple(p for p in polygons if len(p) >= 3)
            if not polygons:
                continue
            xs = [x for polygon in polygons for x, _ in polygon]
            ys = [y for polygon in polygons for _, y in polygon]
            shapes.append(
                ZoneShape(
                    zone.id,
                    zone.tier,
                    polygons,
                    (min(xs), min(ys), max(xs), max(ys)),
                    name=short_name(zone.name),
                    side=zone.side.value,
                )
            )
        box = diagram.view_box
        return cls(shapes, view_box=(box.x, box.y, box.width, box.height))

    # -- queries ----------------------------------------------------------------------

    @property
    def zone_ids(self) -> tuple[str, ...]:
        """The zones with a shape, in hit order (no-go first)."""
        return tuple(self._shapes)

    @property
    def view_box(self) -> tuple[float, float, float, float]:
        """(x, y, width, height) of the diagram."""
        return self._view_box

    @property
    def midline_x(self) -> float:
        """The x of the body's midline (the spine), the middle of the view box."""
        return self._view_box[0] + self._view_box[2] / 2

    def shape(self, zone_id: str) -> ZoneShape:
        """A zone's polygons and bounds; KeyError when it has no shape."""
        return self._shapes[zone_id]

    def tier(self, zone_id: str) -> SafetyTier:
        return self._tiers[zone_id]

    def is_no_go(self, zone_id: str | None) -> bool:
        return zone_id is not None and self._tiers.get(zone_id) is SafetyTier.NO_GO

    def zone_at(self, x: float, y: float) -> str | None:
        """The zone under (x, y), no-go zones first where zones overlap; None if none."""
        column = int((x - self._left) // GRID_CELL)
        row = int((y - self._top) // GRID_CELL)
        if not (0 <= column < self._columns and 0 <= row < self._rows):
            return None
        for banded in self._cells[row * self._columns + column]:
            if banded.contains(x, y):
                return banded.zone_id
        return None

    def zones_at(self, x: float, y: float) -> tuple[str, ...]:
        """Every zone under (x, y), in hit order."""
        column = int((x - self._left) // GRID_CELL)
        row = int((y - self._top) // GRID_CELL)
        if not (0 <= column < self._columns and 0 <= row < self._rows):
            return ()
        return tuple(
            banded.zone_id
            for banded in self._cells[row * self._columns + column]
            if banded.contains(x, y)
        )

    def contains(self, zone_id: str, x: float, y: float) -> bool:
        """Whether (x, y) lies in ``zone_id`` (whatever other zones lie there too)."""
        shape = self._shapes.get(zone_id)
        if shape is None:
            return False
        left, top, right, bottom = shape.bounds
        if not (left <= x <= right and top <= y <= bottom):
            return False
        return point_in_polygons(x, y, shape.polygons)

    def vertical_runs(self, zone_id: str, x: float) -> list[tuple[float, float]]:
        """The stretches (y from, y to) of the line at ``x`` inside the zone."""
        return polygon_runs(self._shapes[zone_id].polygons, x, horizontal=False)

    def interior_point(self, zone_id: str, polygon_index: int | None = None) -> Point:
        """A point well inside the zone (or inside one of its polygons).

        The middle of the widest horizontal stretch through the middle rows of the
        shape: unlike the centre of the bounding box, it is inside curved shapes too.
        """
        shape = self._shapes[zone_id]
        polygons = shape.polygons if polygon_index is None else (shape.polygons[polygon_index],)
        ys = [y for polygon in polygons for _, y in polygon]
        top, bottom = min(ys), max(ys)
        best: tuple[float, Point] | None = None
        for i in range(1, 12):
            y = top + (bottom - top) * i / 12
            for x0, x1 in polygon_runs(polygons, y, horizontal=True):
                # Prefer wide stretches near the vertical middle.
                weight = (x1 - x0) * (1.0 - 0.6 * abs(i - 6) / 6)
                if best is None or weight > best[0]:
                    best = (weight, ((x0 + x1) / 2, y))
        if best is None:
            x0, y0 = polygons[0][0]
            return (x0, y0)
        return best[1]


def polygon_runs(
    polygons: Iterable[Sequence[Point]], at: float, *, horizontal: bool
) -> list[tuple[float, float]]:
    """The stretches of a line inside the polygons (even-odd), sorted.

    ``horizontal``: the line y = ``at``, stretches as (x from, x to); otherwise the line
    x = ``at``, stretches as (y from, y to).
    """
    crossings: list[float] = []
    for polygon in polygons:
        if len(polygon) < 3:
            continue
        last = polygon[-1]
        a1, b1 = last if horizontal else (last[1], last[0])
        for point in polygon:
            a2, b2 = point if horizontal else (point[1], point[0])
            if (b1 > at) != (b2 > at):
                crossings.append(a1 + (at - b1) * (a2 - a1) / (b2 - b1))
            a1, b1 = a2, b2
    crossings.sort()
    return [(crossings[i], crossings[i + 1]) for i in range(0, len(crossings) - 1, 2)]


__all__ = [
    "BAND_HEIGHT",
    "FLATTEN_TOLERANCE",
    "GRID_CELL",
    "ZoneGeometry",
    "ZoneShape",
    "flatten_subpath",
    "point_in_polygons",
    "polygon_runs",
    "short_name",
]
