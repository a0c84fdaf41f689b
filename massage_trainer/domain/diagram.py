"""The back diagram's geometry, read from its one vector source (an SVG).

``assets/diagram/back.svg`` holds two layers: ``body`` (the drawing: silhouette, head,
anatomy lines, vertebrae) and ``zones`` (one ``<path>`` per zone, its ``id`` the zone's
shape id). This module turns the path data into plain drawing commands in absolute
diagram coordinates, so the UI (or a test) can build shapes without an SVG library.

The parser understands every SVG path command (``M L H V C S Q T A Z``, absolute and
relative; arcs become cubic curves) and affine ``transform`` attributes, so the file
can be edited in Inkscape. It refuses DOCTYPE and entity declarations even though the
file is ours: nothing in a diagram needs them, and they are how XML parsers are abused.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal, NamedTuple

from massage_trainer.domain.paths import assets_dir

DIAGRAM_FILE = Path("diagram") / "back.svg"
"""The diagram's place inside the assets folder."""

MAX_DIAGRAM_BYTES = 2_000_000
"""The diagram is a few tens of kilobytes; anything this large is refused unread."""

BODY_LAYER = "body"
ZONE_LAYER = "zones"

BODY_CLASSES = ("outline", "hair", "cloth", "anatomy", "bone")
"""Styling classes of the body drawing: filled skin shapes, hair, the towel, thin
anatomy lines, and bone marks (the vertebrae)."""

FILLED_BODY_CLASSES = ("outline", "hair", "cloth")
"""Body classes drawn as filled shapes; the others are lines and small marks."""

_INKSCAPE_NS = "http://www.inkscape.org/namespaces/inkscape"
_IGNORED_TAGS = {"title", "desc", "metadata"}
_MAX_COORDINATE = 1e6

Point = tuple[float, float]


class DiagramError(Exception):
    """The diagram file cannot be used. The message names the file and the element."""


class ViewBox(NamedTuple):
    """The diagram's coordinate system: top-left corner and size, in SVG units."""

    x: float
    y: float
    width: float
    height: float

    @property
    def aspect(self) -> float:
        """Width divided by height."""
        return self.width / self.height


@dataclass(frozen=True, slots=True)
class DrawCommand:
    """One drawing command in absolute diagram coordinates.

    ``M`` and ``L`` carry one point, ``Q`` a control point and the end point, ``C`` two
    control points and the end point, ``Z`` (close the subpath) none.
    """

    op: Literal["M", "L", "Q", "C", "Z"]
    points: tuple[Point, ...] = ()


Subpath = tuple[DrawCommand, ...]
"""Commands that start with a move (``M``) and may end with a close (``Z``)."""


@dataclass(frozen=True)
class DiagramElement:
    """One path of the diagram, with its subpaths in absolute coordinates."""

    id: str
    label: str
    """The Inkscape label or ``<title>``; the id when there is neither."""
    layer: str
    """``body`` or ``zones``."""
    css_class: str
    """The first class name (for body elements one of :data:`BODY_CLASSES`)."""
    subpaths: tuple[Subpath, ...]

    def points(self) -> list[Point]:
        """Every end and control point (the curves lie inside their hull)."""
        return [point for subpath in self.subpaths for cmd in subpath for point in cmd.points]

    def bounds(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the control points: a box around the shape."""
        xs = [x for x, _ in self.points()]
        ys = [y for _, y in self.points()]
        return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True)
class Diagram:
    """The parsed diagram: its view box, the body drawing and the zone shapes."""

    source: str
    """The file (or a name for it) the diagram came from, for messages."""
    view_box: ViewBox
    body: tuple[DiagramElement, ...]
    """The body drawing in painting order."""
    zones: Mapping[str, DiagramElement] = field(default_factory=dict)
    """Zone shapes by element id, in the file's order."""

    def element(self, element_id: str) -> DiagramElement:
        """The body or zone element with this id; KeyError if there is none."""
        if element_id in self.zones:
            return self.zones[element_id]
        for element in self.body:
            if element.id == element_id:
                return element
        raise KeyError(element_id)

    def missing_shapes(self, zone_ids: Iterable[str]) -> list[str]:
        """The ids (shape ids) among ``zone_ids`` that have no shape in the zones layer."""
        return [zone_id for zone_id in zone_ids if zone_id not in self.zones]


def diagram_path() -> Path:
    """The shipped diagram file."""
    return assets_dir() / DIAGRAM_FILE


def load_diagram(path: Path | None = None) -> Diagram:
    """Read and parse the diagram (the shipped one unless ``path`` is given)."""
    path = path if path is not None else diagram_path()
    try:
        size = path.stat().st_size
        if size > MAX_DIAGRAM_BYTES:
            raise DiagramError(
                f"{path.name}: the diagram file is {size} bytes; at most "
                f"{MAX_DIAGRAM_BYTES} are accepted"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise DiagramError(f"{path.name}: cannot read the diagram file ({exc.strerror})") from exc
    return parse_diagram(data, source=path.name)


def parse_diagram(data: bytes | str, source: str = "diagram") -> Diagram:
    """Parse SVG text into a :class:`Diagram`; :class:`DiagramError` names what is wrong."""
    root = _parse_xml(data, source)
    view_box = _view_box(root, source)
    body_group = _find_layer(root, BODY_LAYER, source)
    zone_group = _find_layer(root, ZONE_LAYER, source)
    seen: set[str] = set()
    body = tuple(_layer_elements(root, body_group, BODY_LAYER, source, seen))
    zones = {
        element.id: element
        for element in _layer_elements(root, zone_group, ZONE_LAYER, source, seen)
    }
    if not zones:
        raise DiagramError(f"{source}: the layer 'zones' holds no zone path")
    return Diagram(source=source, view_box=view_box, body=body, zones=MappingProxyType(zones))


# -- XML -------------------------------------------------------------------------------


def _parse_xml(data: bytes | str, source: str) -> ET.Element:
    if isinstance(data, bytes):
        if len(data) > MAX_DIAGRAM_BYTES:
            raise DiagramError(f"{source}: the diagram is larger than {MAX_DIAGRAM_BYTES} bytes")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DiagramError(f"{source}: the diagram is not UTF-8 text ({exc.reason})") from exc
    else:
        text = data
        if len(text) > MAX_DIAGRAM_BYTES:
            raise DiagramError(f"{source}: the diagram is larger than {MAX_DIAGRAM_BYTES} bytes")
    # A DOCTYPE is the only way to declare entities; without one, nothing can expand.
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise DiagramError(
            f"{source}: DOCTYPE and entity declarations are not allowed in the diagram"
        )
    # Drop the XML declaration: the text is already decoded, so its encoding is moot.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise DiagramError(f"{source}: not well-formed XML ({exc})") from exc


def _local(tag: object) -> str:
    name = tag if isinstance(tag, str) else ""
    return name.rsplit("}", 1)[-1]


def _view_box(root: ET.Element, source: str) -> ViewBox:
    if _local(root.tag) != "svg":
        raise DiagramError(f"{source}: the root element is <{_local(root.tag)}>, not <svg>")
    raw = root.get("viewBox")
    if raw is None:
        raise DiagramError(f"{source}: the <svg> element has no viewBox")
    try:
        numbers = [float(part) for part in re.split(r"[\s,]+", raw.strip()) if part]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise DiagramError(f"{source}: the viewBox {raw!r} is not four numbers")
    box = ViewBox(*numbers)
    if box.width <= 0 or box.height <= 0:
        raise DiagramError(f"{source}: the viewBox {raw!r} has no area")
    return box


def _find_layer(root: ET.Element, layer_id: str, source: str) -> ET.Element:
    for element in root.iter():
        if element.get("id") == layer_id:
            if _local(element.tag) != "g":
                raise DiagramError(
                    f"{source}: element '{layer_id}' must be a group (<g>), "
                    f"not <{_local(element.tag)}>"
                )
            return element
    raise DiagramError(f"{source}: there is no group with id '{layer_id}'")


def _layer_elements(
    root: ET.Element, group: ET.Element, layer: str, source: str, seen: set[str]
) -> Iterable[DiagramElement]:
    parents = {child: parent for parent in root.iter() for child in parent}
    # The transform of the layer group's ancestors applies to everything inside it.
    chain: list[ET.Element] = []
    node: ET.Element | None = group
    while node is not None:
        chain.append(node)
        node = parents.get(node)
    base = _IDENTITY
    for ancestor in reversed(chain):
        base = _compose(base, _transform_of(ancestor, source))
    yield from _walk(group, base, layer, source, seen, counter=[0])


def _walk(
    group: ET.Element,
    matrix: _Matrix,
    layer: str,
    source: str,
    seen: set[str],
    counter: list[int],
) -> Iterable[DiagramElement]:
    for child in group:
        tag = _local(child.tag)
        if tag in _IGNORED_TAGS or not isinstance(child.tag, str):
            continue
        name = child.get("id") or f"<{tag}>"
        if tag == "g":
            yield from _walk(
                child,
                _compose(matrix, _transform_of(child, source, name)),
                layer,
                source,
                seen,
                counter,
            )
            continue
        if tag != "path":
            raise DiagramError(
                f"{source}: element '{name}' in layer '{layer}' is a <{tag}>; only <path> "
                "elements are read (in Inkscape: Path > Object to Path)"
            )
        counter[0] += 1
        element_id = child.get("id") or ""
        if not element_id:
            if layer == ZONE_LAYER:
                raise DiagramError(
                    f"{source}: a path in layer 'zones' has no id; give it the zone's id"
                )
            element_id = f"{layer}-path-{counter[0]}"
        if element_id in seen:
            raise DiagramError(f"{source}: the id '{element_id}' is used twice")
        seen.add(element_id)
        classes = (child.get("class") or "").split()
        css_class = classes[0] if classes else ""
        if layer == BODY_LAYER and css_class not in BODY_CLASSES:
            raise DiagramError(
                f"{source}: element '{element_id}' needs a class, one of "
                f"{', '.join(BODY_CLASSES)} (it has {css_class or 'none'!r})"
            )
        element_matrix = _compose(matrix, _transform_of(child, source, element_id))
        d = child.get("d")
        if d is None or not d.strip():
            raise DiagramError(f"{source}: element '{element_id}' has no path data (d)")
        try:
            subpaths = parse_path_data(d)
        except ValueError as exc:
            raise DiagramError(f"{source}: element '{element_id}': bad path data: {exc}") from exc
        if element_matrix != _IDENTITY:
            subpaths = tuple(_transform_subpath(sub, element_matrix) for sub in subpaths)
        if not any(len(sub) > 1 for sub in subpaths):
            raise DiagramError(f"{source}: element '{element_id}' draws nothing")
        yield DiagramElement(
            id=element_id,
            label=_label_of(child) or element_id,
            layer=layer,
            css_class=css_class,
            subpaths=subpaths,
        )


def _label_of(element: ET.Element) -> str:
    label = element.get(f"{{{_INKSCAPE_NS}}}label")
    if label:
        return label.strip()
    for child in element:
        if _local(child.tag) == "title" and child.text:
            return child.text.strip()
    return ""


# -- transforms ------------------------------------------------------------------------

_Matrix = tuple[float, float, float, float, float, float]
"""An affine matrix (a, b, c, d, e, f) as SVG writes it: x' = a x + c y + e."""

_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_TRANSFORM_RE = re.compile(r"\s*(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)\s*,?")


def _compose(outer: _Matrix, inner: _Matrix) -> _Matrix:
    """The matrix applying ``inner`` first, then ``outer``."""
    a1, b1, c1, d1, e1, f1 = outer
    a2, b2, c2, d2, e2, f2 = inner
    return (
        a1 * a2 + c1 * b2,
        b1 * a2 + d1 * b2,
        a1 * c2 + c1 * d2,
        b1 * c2 + d1 * d2,
        a1 * e2 + c1 * f2 + e1,
        b1 * e2 + d1 * f2 + f1,
    )


def _transform_of(element: ET.Element, source: str, name: str | None = None) -> _Matrix:
    raw = element.get("transform")
    if raw is None or not raw.strip():
        return _IDENTITY
    name = name or element.get("id") or f"<{_local(element.tag)}>"
    try:
        return parse_transform(raw)
    except ValueError as exc:
        raise DiagramError(f"{source}: element '{name}': bad transform {raw!r}: {exc}") from exc


def parse_transform(text: str) -> tuple[float, float, float, float, float, float]:
    """An SVG ``transform`` attribute as one affine matrix (a, b, c, d, e, f)."""
    matrix = _IDENTITY
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TRANSFORM_RE.match(text, position)
        if match is None:
            raise ValueError(f"cannot read {text[position:]!r}")
        position = match.end()
        name = match.group(1)
        try:
            args = [float(v) for v in re.split(r"[\s,]+", match.group(2).strip()) if v]
        except ValueError as exc:
            raise ValueError(f"{name}() takes numbers") from exc
        matrix = _compose(matrix, _one_transform(name, args))
    return matrix


def _one_transform(name: str, args: list[float]) -> _Matrix:
    counts = {
        "matrix": (6,),
        "translate": (1, 2),
        "scale": (1, 2),
        "rotate": (1, 3),
        "skewX": (1,),
        "skewY": (1,),
    }
    if len(args) not in counts[name]:
        raise ValueError(f"{name}() takes {' or '.join(map(str, counts[name]))} numbers")
    if name == "matrix":
        a, b, c, d, e, f = args
        return (a, b, c, d, e, f)
    if name == "translate":
        return (1.0, 0.0, 0.0, 1.0, args[0], args[1] if len(args) > 1 else 0.0)
    if name == "scale":
        sy = args[1] if len(args) > 1 else args[0]
        return (args[0], 0.0, 0.0, sy, 0.0, 0.0)
    if name == "rotate":
        angle = math.radians(args[0])
        cos, sin = math.cos(angle), math.sin(angle)
        turn: _Matrix = (cos, sin, -sin, cos, 0.0, 0.0)
        if len(args) == 3:
            cx, cy = args[1], args[2]
            turn = _compose(_compose((1.0, 0.0, 0.0, 1.0, cx, cy), turn), (1, 0, 0, 1, -cx, -cy))
        return turn
    if name == "skewX":
        return (1.0, 0.0, math.tan(math.radians(args[0])), 1.0, 0.0, 0.0)
    return (1.0, math.tan(math.radians(args[0])), 0.0, 1.0, 0.0, 0.0)


def _apply(matrix: _Matrix, point: Point) -> Point:
    a, b, c, d, e, f = matrix
    x, y = point
    return (a * x + c * y + e, b * x + d * y + f)


def _transform_subpath(subpath: Subpath, matrix: _Matrix) -> Subpath:
    # Affine maps keep Bézier curves Bézier curves: mapping the control points is exact.
    return tuple(
        DrawCommand(cmd.op, tuple(_apply(matrix, p) for p in cmd.points)) for cmd in subpath
    )


# -- path data -------------------------------------------------------------------------

_NUMBER_RE = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_SEPARATOR_RE = re.compile(r"[\s,]*")
_ARGUMENT_COUNTS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def skip(self) -> None:
        match = _SEPARATOR_RE.match(self.text, self.position)
        if match is not None:
            self.position = match.end()

    def at_end(self) -> bool:
        self.skip()
        return self.position >= len(self.text)

    def peek_command(self) -> str | None:
        self.skip()
        if self.position < len(self.text) and self.text[self.position].upper() in _ARGUMENT_COUNTS:
            return self.text[self.position]
        return None

    def next_is_number(self) -> bool:
        self.skip()
        return _NUMBER_RE.match(self.text, self.position) is not None

    def number(self) -> float:
        self.skip()
        match = _NUMBER_RE.match(self.text, self.position)
        if match is None:
            found = self.text[self.position : self.position + 8] or "the end"
            raise ValueError(f"expected a number at position {self.position}, found {found!r}")
        self.position = match.end()
        value = float(match.group())
        if not math.isfinite(value) or abs(value) > _MAX_COORDINATE:
            raise ValueError(f"the number {match.group()!r} is out of range")
        return value

    def flag(self) -> float:
        # Arc flags are single digits that may be written without separators ("011").
        self.skip()
        if self.position < len(self.text) and self.text[self.position] in "01":
            self.position += 1
            return float(self.text[self.position - 1])
        raise ValueError(f"expected an arc flag (0 or 1) at position {self.position}")


def parse_path_data(d: str) -> tuple[Subpath, ...]:
    """SVG path data as subpaths of absolute ``M``/``L``/``Q``/``C``/``Z`` commands.

    ``ValueError`` says what is wrong and where (a character position in ``d``).
    """
    scanner = _Scanner(d)
    subpaths: list[list[DrawCommand]] = []
    current: Point = (0.0, 0.0)
    start: Point = (0.0, 0.0)
    last_cubic: Point | None = None  # second control point of the previous C/S
    last_quad: Point | None = None  # control point of the previous Q/T
    command: str | None = None
    first = True
    while not scanner.at_end():
        letter = scanner.peek_command()
        if letter is not None:
            scanner.position += 1
            command = letter
        elif command is None or command.upper() == "Z" or not scanner.next_is_number():
            found = d[scanner.position : scanner.position + 8]
            raise ValueError(f"unexpected {found!r} at position {scanner.position}")
        assert command is not None
        upper = command.upper()
        relative = command.islower()
        if first and upper != "M":
            raise ValueError("path data must start with a move (M or m)")
        first = False
        if upper == "Z":
            if subpaths and subpaths[-1][-1].op != "Z":
                subpaths[-1].append(DrawCommand("Z"))
            current = start
            last_cubic = last_quad = None
            continue

        def point(base: Point, *, rel: bool = relative) -> Point:
            x = scanner.number()
            y = scanner.number()
            return (base[0] + x, base[1] + y) if rel else (x, y)

        if upper == "M":
            current = point(current)
            start = current
            subpaths.append([DrawCommand("M", (current,))])
            # Further coordinate pairs after a move are implicit lines.
            command = "l" if relative else "L"
            last_cubic = last_quad = None
            continue
        if subpaths[-1][-1].op == "Z":
            # Drawing on after a close starts a new subpath where the closed one began.
            subpaths.append([DrawCommand("M", (current,))])
        segment = subpaths[-1]
        if upper == "L":
            current = point(current)
            segment.append(DrawCommand("L", (current,)))
            last_cubic = last_quad = None
        elif upper in "HV":
            value = scanner.number()
            if upper == "H":
                current = (current[0] + value if relative else value, current[1])
            else:
                current = (current[0], current[1] + value if relative else value)
            segment.append(DrawCommand("L", (current,)))
            last_cubic = last_quad = None
        elif upper == "C":
            c1 = point(current)
            c2 = point(current)
            end = point(current)
            segment.append(DrawCommand("C", (c1, c2, end)))
            current, last_cubic, last_quad = end, c2, None
        elif upper == "S":
            c1 = _reflect(last_cubic, current)
            c2 = point(current)
            end = point(current)
            segment.append(DrawCommand("C", (c1, c2, end)))
            current, last_cubic, last_quad = end, c2, None
        elif upper == "Q":
            control = point(current)
            end = point(current)
            segment.append(DrawCommand("Q", (control, end)))
            current, last_quad, last_cubic = end, control, None
        elif upper == "T":
            control = _reflect(last_quad, current)
            end = point(current)
            segment.append(DrawCommand("Q", (control, end)))
            current, last_quad, last_cubic = end, control, None
        else:  # "A"
            rx = abs(scanner.number())
            ry = abs(scanner.number())
            rotation = scanner.number()
            large = scanner.flag()
            sweep = scanner.flag()
            end = point(current)
            segment.extend(_arc_to_cubics(current, end, rx, ry, rotation, bool(large), bool(sweep)))
            current = end
            last_cubic = last_quad = None
    return tuple(tuple(sub) for sub in subpaths)


def _reflect(control: Point | None, about: Point) -> Point:
    if control is None:
        return about
    return (2 * about[0] - control[0], 2 * about[1] - control[1])


def _arc_to_cubics(
    start: Point, end: Point, rx: float, ry: float, rotation: float, large: bool, sweep: bool
) -> list[DrawCommand]:
    """An elliptical arc as cubic curves (SVG 1.1 implementation notes, F.6.5 and F.6.6)."""
    if start == end:
        return []
    if rx == 0 or ry == 0:
        return [DrawCommand("L", (end,))]
    phi = math.radians(rotation % 360)
    cos_phi, sin_phi = math.cos(phi), math.sin(phi)
    dx, dy = (start[0] - end[0]) / 2, (start[1] - end[1]) / 2
    x1 = cos_phi * dx + sin_phi * dy
    y1 = -sin_phi * dx + cos_phi * dy
    # Radii too small for the chord are scaled up just enough (F.6.6).
    scale = (x1 * x1) / (rx * rx) + (y1 * y1) / (ry * ry)
    if scale > 1:
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    numerator = rx * rx * ry * ry - rx * rx * y1 * y1 - ry * ry * x1 * x1
    denominator = rx * rx * y1 * y1 + ry * ry * x1 * x1
    factor = math.sqrt(max(0.0, numerator / denominator)) if denominator else 0.0
    if large == sweep:
        factor = -factor
    cx1 = factor * rx * y1 / ry
    cy1 = -factor * ry * x1 / rx
    cx = cos_phi * cx1 - sin_phi * cy1 + (start[0] + end[0]) / 2
    cy = sin_phi * cx1 + cos_phi * cy1 + (start[1] + end[1]) / 2

    def angle(ux: float, uy: float, vx: float, vy: float) -> float:
        return math.atan2(ux * vy - uy * vx, ux * vx + uy * vy)

    theta = angle(1, 0, (x1 - cx1) / rx, (y1 - cy1) / ry)
    delta = angle((x1 - cx1) / rx, (y1 - cy1) / ry, (-x1 - cx1) / rx, (-y1 - cy1) / ry)
    if not sweep and delta > 0:
        delta -= 2 * math.pi
    elif sweep and delta < 0:
        delta += 2 * math.pi
    pieces = max(1, math.ceil(abs(delta) / (math.pi / 2) - 1e-9))
    step = delta / pieces
    k = 4 / 3 * math.tan(step / 4)

    def on_ellipse(t: float) -> tuple[Point, Point]:
        """The point at angle t and the derivative direction there."""
        cos_t, sin_t = math.cos(t), math.sin(t)
        x, y = rx * cos_t, ry * sin_t
        tx, ty = -rx * sin_t, ry * cos_t
        return (
            (cos_phi * x - sin_phi * y + cx, sin_phi * x + cos_phi * y + cy),
            (cos_phi * tx - sin_phi * ty, sin_phi * tx + cos_phi * ty),
        )

    commands = []
    t = theta
    p0, d0 = on_ellipse(t)
    for index in range(pieces):
        t1 = t + step
        p1, d1 = on_ellipse(t1)
        if index == pieces - 1:
            p1 = end
        commands.append(
            DrawCommand(
                "C",
                (
                    (p0[0] + k * d0[0], p0[1] + k * d0[1]),
                    (p1[0] - k * d1[0], p1[1] - k * d1[1]),
                    p1,
                ),
            )
        )
        t, p0, d0 = t1, p1, d1
    return commands


__all__ = [
    "BODY_CLASSES",
    "BODY_LAYER",
    "DIAGRAM_FILE",
    "FILLED_BODY_CLASSES",
    "MAX_DIAGRAM_BYTES",
    "ZONE_LAYER",
    "Diagram",
    "DiagramElement",
    "DiagramError",
    "DrawCommand",
    "Subpath",
    "ViewBox",
    "diagram_path",
    "load_diagram",
    "parse_diagram",
    "parse_path_data",
    "parse_transform",
]
