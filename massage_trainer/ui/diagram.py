"""The back diagram: zones by safety tier, the step's zones highlighted, the movement shown.

``BackDiagramView`` takes the session controller, listens to it and sends clicks back as
``controller.select_zone``. It paints in two layers:

* a cached pixmap (device-pixel-ratio aware) with the body, the zones in their current
  highlight state, the static movement marks, the side labels and the legend; it is
  re-rendered only after a resize or a change of highlight, emphasis or technique;
* an overlay painted on top: the hovered and selected outlines and, while the session
  runs, the animated movement (at 8 frames a second, with no timer at all under
  reduced motion or while hidden). An animation frame repaints only the rectangle
  around where the moving marks were and are: a blit from the cache plus a few
  pre-drawn sprites.

Zones are told apart without colour too: no-go zones are hatched, caution zones dotted,
safe zones plain.

With :meth:`BackDiagramView.setNamesHidden` the view names no zone by any route (for a
quiz): no hover tips, no zone names or rules in its accessible description, no ``↑``/``↓``
stepping from zone to zone; clicks still select and say which zone was clicked.
With :meth:`BackDiagramView.setTiersHidden` it draws every zone alike, in one neutral
style, and its legend and description say nothing of tiers (a quiz asks which zone is
no-go, or what pressure a zone takes).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import cast

from PySide6.QtCore import (
    QElapsedTimer,
    QEvent,
    QLineF,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QHideEvent,
    QImage,
    QKeyEvent,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
    QRadialGradient,
    QResizeEvent,
    QShowEvent,
    QTextDocumentFragment,
    QTransform,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from massage_trainer.domain.diagram import DiagramError
from massage_trainer.domain.models import (
    Direction,
    SafetyTier,
    Technique,
    TechniqueFamily,
    Zone,
)
from massage_trainer.ui.controller import SessionController, short_zone_name
from massage_trainer.ui.preferences import Preferences
from massage_trainer.ui.zone_shapes import BackShapes, load_back_shapes

ANIMATION_INTERVAL_MS = 125
"""8 frames a second: enough for slow, even hand movements (a stroke takes seconds), and
each frame repaints only the rectangle around where the moving marks were and are, so a
running session stays well under 1 % of a core (at 10 frames, with a region of several
small rectangles per frame, it sat right at that limit)."""

# -- colours ---------------------------------------------------------------------------

SKIN = QColor("#f4dcca")
SKIN_SHADE = QColor("#ebcab4")
SKIN_EDGE = QColor("#8c5f48")
HAIR = QColor("#5e4535")
HAIR_LIGHT = QColor("#7d604c")
HAIR_EDGE = QColor("#3b2a1f")
CLOTH = QColor("#e4ebf2")
CLOTH_EDGE = QColor("#8796a6")
ANATOMY_LINE = QColor(120, 74, 52, 150)
BONE_FILL = QColor(255, 250, 243, 215)
BONE_EDGE = QColor(132, 92, 70, 210)

SAFE = QColor("#2f9a5a")
SAFE_EDGE = QColor("#1f6b3d")
CAUTION = QColor("#e8a317")
CAUTION_MARK = QColor("#7a4d00")
NO_GO = QColor("#d7352b")
NO_GO_MARK = QColor("#8c1a12")
FOCUS = QColor("#1d4fd6")
"""The outline of the step's zones: blue stands apart from red and green for everyone."""
SELECTED = QColor("#111111")
MOTION = QColor("#ffffff")
"""Movement marks are white with a dark rim: they read on skin, green, amber and red and
never look like a zone outline."""
MOTION_HALO = QColor(20, 24, 40, 230)
PLAIN_ZONE = QColor("#fbf8f4")
"""Every zone's fill while tiers are hidden: a pale wash over the skin, the same for all."""
PLAIN_ZONE_EDGE = QColor("#55606c")
"""Every zone's outline while tiers are hidden: a slate grey, no tier's colour, and cool
beside the warm lines of the anatomy."""
PLAIN_LEGEND = "Zone (colours hidden)"
"""The legend's one zone entry while tiers are hidden."""

LEFT_LABEL = "◀ Receiver's left"
RIGHT_LABEL = "Receiver's right ▶"
SIDE_SUBTITLE = "Seen from behind, lying face down"
SHORT_SIDE_SUBTITLE = "Seen from behind"
MIN_LABEL_PX = 8
"""The side labels shrink to fit a narrow view, down to this many pixels."""

_TIER_ORDER = {SafetyTier.NO_GO: 0, SafetyTier.CAUTION: 1, SafetyTier.SAFE: 2}

TIER_TEXT = {
    SafetyTier.SAFE: "Safe zone",
    SafetyTier.CAUTION: "Caution zone",
    SafetyTier.NO_GO: "No-go zone",
}


class _Look(Enum):
    """How strongly a zone is drawn."""

    NORMAL = "normal"  # nothing is highlighted
    STRONG = "strong"  # one of the step's zones
    DIM = "dim"  # another step's zone is highlighted


class Movement(Enum):
    """The kind of movement mark drawn for a technique."""

    GLIDE = "glide"
    SWEEP = "sweep"
    CIRCLES = "circles"
    TAPS = "taps"
    ZIGZAG = "zigzag"
    RINGS = "rings"
    STRIP = "strip"
    HANDS = "hands"


_TRACK_MOVEMENTS = (Movement.GLIDE, Movement.SWEEP, Movement.STRIP)
"""Movements whose marks travel along a path (the others stay on the spot)."""


def movement_for(technique: Technique, direction: Direction | None = None) -> Movement:
    """Which mark shows how ``technique`` moves, in the step's ``direction`` if given."""
    direction = direction or technique.direction
    family = technique.family
    if family is TechniqueFamily.REST:
        return Movement.HANDS
    if family is TechniqueFamily.TAPOTEMENT:
        return Movement.TAPS
    if family is TechniqueFamily.VIBRATION:
        return Movement.ZIGZAG
    if family is TechniqueFamily.STRIPPING:
        return Movement.STRIP
    sideways = direction in (Direction.OUTWARD, Direction.INWARD)
    if family is TechniqueFamily.COMPRESSION:
        return Movement.RINGS
    if family is TechniqueFamily.EFFLEURAGE:
        if sideways or "herringbone" in technique.id:
            return Movement.SWEEP
        if direction is Direction.CIRCULAR:
            return Movement.CIRCLES
        return Movement.GLIDE
    # Friction and kneading work in small circles unless they rub across the back.
    if sideways:
        return Movement.SWEEP
    return Movement.CIRCLES


def short_reason(reason: str, limit: int = 220) -> str:
    """The first sentence of a zone's reason, cut at ``limit`` characters."""
    text = " ".join(reason.split())
    for end in (". ", "! ", "? "):
        index = text.find(end, 20)
        if index != -1:
            text = text[: index + 1]
            break
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def rule_text(zone: Zone) -> str:
    """The zone's rule in a few words: what pressure, which techniques."""
    if zone.tier is SafetyTier.NO_GO:
        return "Never press here: no pressure and no technique."
    families = ", ".join(family.label.lower() for family in zone.allowed_families)
    if zone.tier is SafetyTier.CAUTION:
        return f"Light pressure only. Allowed: {families}."
    return f"Up to {zone.max_pressure.label.lower()} pressure. Allowed: {families}."


# -- geometry helpers ------------------------------------------------------------------


@dataclass(frozen=True)
class _Patch:
    """One connected piece of a zone (a zone may have a left and a right half)."""

    zone_id: str
    polygon: QPolygonF
    box: QRectF
    side: int
    """-1 left of the midline, 1 right of it, 0 on it."""


def _run(polygon: QPolygonF, start: QPointF, end: QPointF, samples: int = 60) -> QLineF | None:
    """The longest stretch of the line start→end that lies inside ``polygon``."""
    best: tuple[int, int] | None = None
    first = -1
    winding = Qt.FillRule.WindingFill  # looked up once: Qt's enum lookups are slow
    x0, y0, dx, dy = start.x(), start.y(), end.x() - start.x(), end.y() - start.y()
    for i in range(samples + 1):
        t = i / samples
        inside = polygon.containsPoint(QPointF(x0 + dx * t, y0 + dy * t), winding)
        if inside and first < 0:
            first = i
        if (not inside or i == samples) and first >= 0:
            last = i if inside else i - 1
            if best is None or last - first > best[1] - best[0]:
                best = (first, last)
            first = -1
    if best is None or best[1] == best[0]:
        return None

    def at(i: int) -> QPointF:
        t = i / samples
        return QPointF(start.x() + (end.x() - start.x()) * t, start.y() + (end.y() - start.y()) * t)

    return QLineF(at(best[0]), at(best[1]))


def _shrunk(line: QLineF, fraction: float) -> QLineF:
    """``line`` with ``fraction`` of its length taken off each end."""
    d = QPointF(line.dx() * fraction, line.dy() * fraction)
    return QLineF(line.p1() + d, line.p2() - d)


@dataclass
class _Mark:
    """A movement mark on one patch: the guide path and where the moving parts run."""

    guide: QPainterPath
    """Drawn faintly while animating and strongly (with arrowheads) when still."""
    tracks: list[QPainterPath]
    """Paths a moving marker follows (glide, sweep, strip)."""
    points: list[QPointF]
    """Spots (circles, taps, rings, zigzag, hands)."""
    size: float
    """A size in diagram units that suits the patch (radius of circles, rings, …)."""
    side: int
    shape: QPainterPath | None = None
    """A drawn shape kept between frames (the resting hands)."""
    samples: list[list[tuple[float, float]]] = field(default_factory=list)
    lengths: list[float] = field(default_factory=list)
    """Evenly spaced points along each track, worked out on first use."""
    sequential: bool = False
    """The tracks are one movement in turn (up the back, then down the side), not
    strokes side by side."""


class BackDiagramView(QWidget):
    """The back seen from behind, with zones coloured and patterned by safety tier
    (or all drawn alike, see :meth:`setTiersHidden`).

    Click a zone to select it (``controller.select_zone``, and :attr:`zone_clicked`);
    hover for its rule. The step's zones are outlined and the others dimmed; the
    technique's movement is animated while the session runs (static marks with reduced
    motion).
    """

    zone_clicked = Signal(str)
    """A left click on the diagram: the zone id under the pointer, "" beside every zone
    (sent after ``controller.select_zone``, and also while names are hidden)."""

    def __init__(
        self,
        controller: SessionController,
        preferences: Preferences,
        parent: QWidget | None = None,
        *,
        focus_label: str = "This step",
    ) -> None:
        super().__init__(parent)
        # What the outlined zones are, in the legend and the description.
        self._focus_label = focus_label
        self._controller = controller
        self._preferences = preferences
        self._error = ""
        self._shapes: BackShapes | None = None
        try:
            self._shapes = load_back_shapes()
        except DiagramError as exc:
            # Degrade, never crash: the session still works without the picture.
            self._error = str(exc)

        self._zones: dict[str, Zone] = {}  # zone id -> zone, for zones with a shape
        self._zone_paths: dict[str, QPainterPath] = {}  # zone id -> path
        self._zone_boxes: dict[str, QRectF] = {}
        self._focus: tuple[str, ...] = ()
        self._emphasis: tuple[str, ...] = ()
        self._technique: Technique | None = None
        self._direction: Direction | None = None
        self._selected = ""
        self._hovered = ""
        self._running = False
        self._names_hidden = False
        self._tiers_hidden = False

        self._static: QPixmap | None = None
        self._static_dirty = True
        self._static_renders = 0
        self._static_key: tuple[int, int, float] = (-1, -1, 0.0)
        self._pattern_tiles: dict[tuple[str, int, int], QPixmap] = {}
        self._layout_key: tuple[int, int] = (-1, -1)
        self._hit_list: list[tuple[str, QRectF, QPainterPath]] = []
        self._to_diagram = QTransform()
        self._to_widget = QTransform()
        self._frame_parts: dict[int, list[tuple[list[QPointF], QPointF, float]]] = {}
        self._sprites: dict[tuple[str, int, int, int, int], QPixmap] = {}
        self._frame_parts_time = -1.0
        self._side_label_rects: dict[str, QRectF] = {}
        self._side_label_px = 14
        self._side_subtitle = SIDE_SUBTITLE
        self._side_subtitle_rect = QRectF()
        self._scale = 1.0
        self._diagram_rect = QRectF()
        self._legend_rows: list[list[tuple[str, str]]] = []
        self._legend_top = 0.0
        self._font_px = 13.0

        self._movement: Movement | None = None
        self._marks: list[_Mark] = []
        # (focus zones, technique id, direction) -> movement and marks, see _rebuild_motion
        self._motion_cache: dict[
            tuple[tuple[str, ...], str, Direction | None], tuple[Movement, tuple[_Mark, ...]]
        ] = {}

        self._animation = QTimer(self)
        self._animation.setInterval(ANIMATION_INTERVAL_MS)
        self._animation.setTimerType(Qt.TimerType.CoarseTimer)
        self._animation.timeout.connect(self._on_animation_timeout)
        self._animation_clock = QElapsedTimer()
        self._frame_seconds = 0.0
        self._last_frame_rect = QRect()
        self._spot_rect: QRect | None = None

        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(180, 240)
        self.setAccessibleName("Back diagram")

        controller.routine_changed.connect(self._on_controller_routine_changed)
        controller.zone_focus_changed.connect(self._on_controller_zone_focus_changed)
        controller.focus_technique_changed.connect(self._on_controller_focus_technique_changed)
        controller.preview_changed.connect(self._on_controller_step_moved)
        controller.step_changed.connect(self._on_controller_step_moved)
        controller.state_changed.connect(self._on_controller_state_changed)
        controller.zone_selected.connect(self._on_controller_zone_selected)
        emphasis = getattr(controller, "emphasis_changed", None)
        if emphasis is not None:
            emphasis.connect(self._on_controller_emphasis_changed)
        preferences.reduced_motion_changed.connect(self._on_preferences_reduced_motion_changed)

        self._sync_from_controller()

    # -- public API -------------------------------------------------------------------

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(420, 600)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt's name)
        return False

    @property
    def error(self) -> str:
        """Why the diagram could not be drawn; "" when it is fine."""
        return self._error

    def zone_ids(self) -> tuple[str, ...]:
        """The zones drawn on the diagram (those of the library with a shape)."""
        return tuple(self._zone_paths)

    def zone_at(self, point: QPointF | QPoint) -> str | None:
        """The zone under a point in widget coordinates (no-go zones win), or None."""
        self._ensure_layout()
        p = self._to_diagram.map(QPointF(point))
        # The box test first: it rules out most zones for a fraction of the cost.
        for zone_id, box, path in self._hit_list:
            if box.contains(p) and path.contains(p):
                return zone_id
        return None

    def zone_path(self, zone_id: str) -> QPainterPath | None:
        """A zone's shape in diagram units."""
        return self._zone_paths.get(zone_id)

    def diagram_rect(self) -> QRectF:
        """Where the diagram's view box lies in the widget (aspect kept, centred)."""
        self._ensure_layout()
        return QRectF(self._diagram_rect)

    def map_to_diagram(self, point: QPointF) -> QPointF:
        """Widget coordinates to diagram units."""
        self._ensure_layout()
        view = self._view_box()
        return QPointF(
            view.left() + (point.x() - self._diagram_rect.left()) / self._scale,
            view.top() + (point.y() - self._diagram_rect.top()) / self._scale,
        )

    def map_from_diagram(self, point: QPointF) -> QPointF:
        """Diagram units to widget coordinates."""
        self._ensure_layout()
        view = self._view_box()
        return QPointF(
            self._diagram_rect.left() + (point.x() - view.left()) * self._scale,
            self._diagram_rect.top() + (point.y() - view.top()) * self._scale,
        )

    def highlighted_zones(self) -> tuple[str, ...]:
        """The step's zones drawn highlighted (the others are dimmed)."""
        return tuple(zone_id for zone_id in self._focus if zone_id in self._zone_paths)

    def emphasised_zones(self) -> tuple[str, ...]:
        """No-go zones drawn with extra weight (next to percussion or firm work)."""
        return tuple(zone_id for zone_id in self._emphasis if zone_id in self._zone_paths)

    def selected_zone(self) -> str:
        return self._selected

    def hovered_zone(self) -> str:
        return self._hovered

    def movement(self) -> Movement | None:
        """The movement mark shown for the focus technique, None when there is none."""
        return self._movement if self._marks else None

    def is_animating(self) -> bool:
        """Whether the movement animation's timer runs (only while the session runs)."""
        return self._animation.isActive()

    @property
    def names_hidden(self) -> bool:
        """Whether the view keeps the zones' names (and rules) to itself, see
        :meth:`setNamesHidden`."""
        return self._names_hidden

    def setNamesHidden(self, hidden: bool) -> None:  # noqa: N802 (Qt's naming, as its setters)
        """Name no zone by any route while ``hidden`` (a quiz asks which zone is which).

        No hover tip is shown (:meth:`tooltip_for` gives ""), ``↑``/``↓`` do not step from
        zone to zone announcing each one, and the accessible description names neither
        the outlined, the selected nor the pointed-at zone. The diagram draws no zone
        names of its own. Clicks still select (``controller.select_zone``) and send
        :attr:`zone_clicked`; the hover outline still follows the pointer.
        """
        hidden = bool(hidden)
        if hidden == self._names_hidden:
            return
        self._names_hidden = hidden
        if hidden and QToolTip.isVisible():
            QToolTip.hideText()  # a tip shown before would go on naming its zone
        self._update_description()

    @property
    def tiers_hidden(self) -> bool:
        """Whether every zone is drawn alike, see :meth:`setTiersHidden`."""
        return self._tiers_hidden

    def setTiersHidden(self, hidden: bool) -> None:  # noqa: N802 (Qt's naming, as its setters)
        """Draw every zone alike while ``hidden`` (a quiz asks which zone is which tier).

        The zones get one neutral style (a pale wash and a grey outline) instead of the
        tiers' colours and patterns; no-go zones get no extra weight next to firm work;
        the legend has no tier entries and the accessible description no sentence on
        patterns. The outlined, hovered and selected zones are drawn as before (their
        outlines never had a tier's colour). Hover tips are for :meth:`setNamesHidden`.
        """
        hidden = bool(hidden)
        if hidden == self._tiers_hidden:
            return
        self._tiers_hidden = hidden
        self._layout_key = (-1, -1)  # the legend has other entries
        self._update_description()
        self._invalidate()

    def legend_texts(self) -> tuple[str, ...]:
        """The legend's entries as drawn, left to right and row by row."""
        self._ensure_layout()
        return tuple(text for row in self._legend_rows for _, text in row)

    def tooltip_for(self, zone_id: str) -> str:
        """The hover text for a zone: name, tier, rule and a short reason (rich text);
        "" while names are hidden."""
        if self._names_hidden:
            return ""
        # Imported at the first hover, not with the window: the html module loads its
        # entity tables (about 0.35 MiB) that nothing else at start-up needs.
        import html

        zone = self._zones.get(zone_id) or self._controller.library.zones.get(zone_id)
        if zone is None:
            return ""
        side = {"left": " (receiver's left)", "right": " (receiver's right)"}.get(
            zone.side.value, ""
        )
        name = html.escape(short_zone_name(zone), quote=False)
        lines = [
            f"<b>{name}</b>{html.escape(side, quote=False)}",
            f"<b>{TIER_TEXT[zone.tier]}</b>: {html.escape(rule_text(zone), quote=False)}",
            html.escape(short_reason(zone.reason), quote=False),
        ]
        steps = self._controller.steps_for_zone(zone.id)
        if steps:
            numbers = ", ".join(str(i + 1) for i in steps)
            lines.append(f"<i>Steps on this zone: {numbers}</i>")
        return "<p style='white-space:normal'>" + "<br>".join(lines) + "</p>"

    @property
    def static_renders(self) -> int:
        """How many times the cached layers were rendered (for tests and benchmarks)."""
        return self._static_renders

    def side_labels(self) -> dict[str, QRectF]:
        """The side labels and where they are drawn, in widget coordinates."""
        self._ensure_layout()
        return dict(self._side_label_rects)

    def side_subtitle(self) -> tuple[str, QRectF]:
        """The words under the left side label and where they are drawn."""
        self._ensure_layout()
        return self._side_subtitle, QRectF(self._side_subtitle_rect)

    def movement_geometry(self) -> list[QPainterPath]:
        """Everything the movement marks cover, in diagram units: the strokes' paths and
        a circle around each spot (for checks that no mark lies on a no-go zone)."""
        shapes: list[QPainterPath] = []
        for mark in self._marks:
            shapes.extend(QPainterPath(track) for track in mark.tracks)
            for point in mark.points:
                if self._movement is Movement.HANDS:
                    shapes.append(_hand_path(point, mark.size, mirrored=mark.side < 0))  # noqa: SIM114
                else:
                    circle = QPainterPath()
                    circle.addEllipse(point, mark.size, mark.size)
                    shapes.append(circle)
        return shapes

    def render_static_layers(self) -> None:
        """Render the cached layers now (body, zones, marks, labels, legend)."""
        self._static_renders += 1
        self._layout()
        ratio = self.devicePixelRatioF()
        size = self.size()
        pixmap = QPixmap(
            max(1, math.ceil(size.width() * ratio)), max(1, math.ceil(size.height() * ratio))
        )
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(self.palette().color(QPalette.ColorRole.Window))
        painter = QPainter(pixmap)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            self._paint_static(painter)
        finally:
            painter.end()
        self._static = pixmap
        self._static_key = (size.width(), size.height(), ratio)
        self._static_dirty = False

    # -- controller and preferences ---------------------------------------------------

    def _sync_from_controller(self) -> None:
        controller = self._controller
        self._index_zones()
        self._focus = tuple(controller.focus_zones())
        self._technique = controller.focus_technique()
        self._direction = self._focus_direction()
        self._selected = controller.selected_zone()
        emphasised = getattr(controller, "emphasised_zones", None)
        self._emphasis = tuple(emphasised()) if callable(emphasised) else ()
        self._running = str(controller.state().value) == "running"
        self._rebuild_motion()
        self._update_description()
        self._invalidate()
        self._update_animation()

    def _on_controller_routine_changed(self) -> None:
        self._sync_from_controller()

    def _on_controller_zone_focus_changed(self, zones: object) -> None:
        focus = tuple(str(z) for z in zones) if isinstance(zones, Iterable) else ()
        if focus == self._focus:
            return
        self._focus = focus
        self._rebuild_motion()
        self._update_description()
        self._invalidate()
        self._update_animation()

    def _on_controller_focus_technique_changed(self, technique: object) -> None:
        self._technique = technique if isinstance(technique, Technique) else None
        self._direction = self._focus_direction()
        self._rebuild_motion()
        self._invalidate()
        self._update_animation()

    def _on_controller_step_moved(self, _index: int) -> None:
        # The step's direction (not only the technique's) says which way to move.
        direction = self._focus_direction()
        if direction != self._direction:
            self._direction = direction
            self._rebuild_motion()
            self._invalidate()
            self._update_animation()

    def _on_controller_state_changed(self, state: str) -> None:
        running = state == "running"
        if running == self._running:
            return
        self._running = running
        # Static marks live in the cached layer only while nothing moves.
        self._invalidate()
        self._update_animation()

    def _on_controller_zone_selected(self, zone_id: str) -> None:
        if zone_id == self._selected:
            return
        old = self._selected
        self._selected = zone_id
        self._update_zone_area(old)
        self._update_zone_area(zone_id)
        self._update_description()

    def _on_controller_emphasis_changed(self, zones: object) -> None:
        emphasis = tuple(str(z) for z in zones) if isinstance(zones, Iterable) else ()
        if emphasis != self._emphasis:
            self._emphasis = emphasis
            self._invalidate()

    def _on_preferences_reduced_motion_changed(self, _on: bool) -> None:
        self._invalidate()
        self._update_animation()

    def _on_animation_timeout(self) -> None:
        if not self.isVisible():
            return
        self._frame_seconds = self._animation_clock.elapsed() / 1000.0
        # One rectangle around the moving parts: Qt repaints a single rectangle for less
        # than a region of several small ones, and the blit from the cache is cheap.
        if self._movement in _TRACK_MOVEMENTS:
            # Where the moving parts were and where they are now.
            current = self._moving_area(self._frame_seconds)
            area = current.united(self._last_frame_rect)
            self._last_frame_rect = current
        else:
            # Circles, taps, rings and zigzags move on the spot: the same area each time.
            if self._spot_rect is None:
                self._spot_rect = self._moving_area(self._frame_seconds)
            area = self._spot_rect
        self.update(area)

    # -- Qt events --------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        self._static_dirty = True
        super().resizeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self._update_animation()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt's name)
        super().hideEvent(event)
        self._update_animation()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self._layout_key = (-1, -1)  # type sizes follow the font
            self._invalidate()
        super().changeEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        zone_id = self.zone_at(event.position()) or ""
        if zone_id != self._hovered:
            self._set_hovered(zone_id)
            self.setCursor(
                Qt.CursorShape.PointingHandCursor if zone_id else Qt.CursorShape.ArrowCursor
            )
            if QToolTip.isVisible() and not self._names_hidden:
                # Follow the pointer from zone to zone without waiting again.
                text = self.tooltip_for(zone_id) if zone_id else ""
                QToolTip.showText(event.globalPosition().toPoint(), text, self)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        self._set_hovered("")
        super().leaveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        """The keyboard's way to what a pointer does: Up and Down go from zone to zone
        (top to bottom) showing each one's name and rule; Enter selects the zone, as a
        click does. Left, Right and Space stay the window's session keys. While names are
        hidden, Up and Down do nothing here: stepping through the zones is for reading
        their names."""
        key = event.key()
        order = self._keyboard_order()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and order and not self._names_hidden:
            step = 1 if key == Qt.Key.Key_Down else -1
            if self._hovered in order:
                zone_id = order[(order.index(self._hovered) + step) % len(order)]
            else:
                zone_id = order[0 if step > 0 else -1]
            self._set_hovered(zone_id)
            centre = self._to_widget.map(self._zone_boxes[zone_id].center()).toPoint()
            QToolTip.showText(self.mapToGlobal(centre), self.tooltip_for(zone_id), self)
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._hovered:
            self._controller.select_zone(self._hovered)
            event.accept()
            return
        super().keyPressEvent(event)

    def _keyboard_order(self) -> list[str]:
        """The zones from the top of the back down, left to right on a level."""
        boxes = self._zone_boxes
        return sorted(boxes, key=lambda z: (round(boxes[z].center().y()), boxes[z].center().x()))

    def _set_hovered(self, zone_id: str) -> None:
        """Outline ``zone_id`` as pointed at (by the mouse or the keys); "" for none."""
        if zone_id == self._hovered:
            return
        old = self._hovered
        self._hovered = zone_id
        self._update_zone_area(old)
        self._update_zone_area(zone_id)
        self._update_description()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton:
            zone_id = self.zone_at(event.position()) or ""
            self._controller.select_zone(zone_id)
            self.zone_clicked.emit(zone_id)
            event.accept()
            return
        super().mousePressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            zone_id = self.zone_at(event.pos())
            if zone_id and not self._names_hidden:
                QToolTip.showText(event.globalPos(), self.tooltip_for(zone_id), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        ratio = self.devicePixelRatioF()
        if self._static_dirty or self._static_key != (self.width(), self.height(), ratio):
            self.render_static_layers()
        assert self._static is not None
        painter = QPainter(self)
        try:
            # Blit each piece of the update region on its own, in whole device pixels:
            # the plain copy path, far cheaper than one clipped or scaled blit.
            # (PySide iterates a QRegion's rectangles; its stubs do not say so.)
            for area in cast("Iterable[QRect]", event.region()):
                source = QRect(
                    math.floor(area.x() * ratio),
                    math.floor(area.y() * ratio),
                    math.ceil(area.width() * ratio) + 1,
                    math.ceil(area.height() * ratio) + 1,
                )
                painter.drawPixmap(area.topLeft(), self._static, source)
            if self._shapes is None:
                return
            if self._hovered or self._selected:
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                painter.setTransform(self._diagram_transform())
                self._paint_outlines(painter)
                painter.resetTransform()
            if self.is_animating():
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                self._paint_motion(painter, self._frame_seconds)
            if self.hasFocus():
                # A plain frame: an antialiased dotted one costs milliseconds per paint.
                painter.resetTransform()
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(self.rect().adjusted(1, 1, -1, -1))
        finally:
            painter.end()

    def focusInEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        super().focusInEvent(event)  # type: ignore[arg-type]
        self.update()

    def focusOutEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        super().focusOutEvent(event)  # type: ignore[arg-type]
        self.update()

    # -- state helpers ----------------------------------------------------------------

    def _index_zones(self) -> None:
        self._motion_cache.clear()  # the zones (and the content) may have changed
        self._zones = {}
        self._zone_paths = {}
        self._zone_boxes = {}
        self._hit_list = []
        if self._shapes is None:
            return
        for zone in self._controller.library.zones.values():
            path = self._shapes.zone_path(zone.shape_id)
            if path is not None:
                self._zones[zone.id] = zone
                self._zone_paths[zone.id] = path
                self._zone_boxes[zone.id] = path.boundingRect()
        # No-go zones win where zones overlap, then caution; smaller zones before the
        # larger ones they may sit in.
        hit_order = sorted(
            self._zone_paths,
            key=lambda zone_id: (
                _TIER_ORDER[self._zones[zone_id].tier],
                self._zone_boxes[zone_id].width() * self._zone_boxes[zone_id].height(),
            ),
        )
        self._hit_list = [
            (zone_id, self._zone_boxes[zone_id], self._zone_paths[zone_id]) for zone_id in hit_order
        ]

    def _focus_direction(self) -> Direction | None:
        controller = self._controller
        index = getattr(controller, "preview_index", -1)
        if not isinstance(index, int) or index < 0:
            index = getattr(controller, "current_index", -1)
        try:
            step = controller.step(index) if isinstance(index, int) and index >= 0 else None
        except IndexError:
            step = None
        if (
            step is not None
            and self._technique is not None
            and step.technique == self._technique.id
        ):
            return step.direction
        return self._technique.direction if self._technique is not None else None

    def _animation_wanted(self) -> bool:
        # Resting hands keep still: nothing to animate, so no timer.
        return (
            self._movement is not Movement.HANDS
            and self._running
            and not self._preferences.reduced_motion
            and self.isVisible()
            and bool(self._marks)
        )

    def _update_animation(self) -> None:
        wanted = self._animation_wanted()
        if wanted and not self._animation.isActive():
            self._animation_clock.start()
            self._frame_seconds = 0.0
            self._last_frame_rect = QRect()
            self._animation.start()
            # The cached layer swaps its still marks for the faint guides.
            self._invalidate()
        elif not wanted and self._animation.isActive():
            self._animation.stop()
            self._invalidate()

    def _invalidate(self) -> None:
        self._static_dirty = True
        self.update()

    def _update_zone_area(self, zone_id: str) -> None:
        box = self._zone_boxes.get(zone_id)
        if box is None:
            return
        self._ensure_layout()
        rect = self._diagram_transform().mapRect(box).adjusted(-6, -6, 6, 6)
        self.update(rect.toAlignedRect())

    def _update_description(self) -> None:
        parts = [
            "The back seen from behind: the receiver's left is on the left.",
            "The zones are all drawn alike: their tiers are not shown."
            if self._tiers_hidden
            else "Hatched zones are no-go, dotted zones need care, plain zones are safe.",
        ]
        focus = [self._zones[z] for z in self._focus if z in self._zones]
        if focus and self._names_hidden:
            outlined = "the outlined zone" if len(focus) == 1 else "the outlined zones"
            parts.append(f"{self._focus_label}: {outlined}.")
        elif focus:
            names = ", ".join(
                short_zone_name(z)
                + (f" ({z.side.value})" if z.side.value in ("left", "right") else "")
                for z in focus
            )
            parts.append(f"{self._focus_label}: {names}.")
        if self._names_hidden:
            # Neither the selected nor the pointed-at zone: the names are what is asked.
            self.setAccessibleDescription(" ".join(parts))
            return
        selected = self._zones.get(self._selected)
        if selected is not None:
            parts.append(f"Selected: {short_zone_name(selected)}.")
        if self._hovered in self._zones:
            # The hover text, as plain text for a screen reader.
            text = QTextDocumentFragment.fromHtml(self.tooltip_for(self._hovered)).toPlainText()
            parts.append(f"Pointed at: {' '.join(text.split())}")
        self.setAccessibleDescription(" ".join(parts))

    # -- layout -----------------------------------------------------------------------

    def _view_box(self) -> QRectF:
        if self._shapes is None:
            return QRectF(0, 0, 400, 530)
        return self._shapes.view_box

    def _ensure_layout(self) -> None:
        if (self.width(), self.height()) != self._layout_key:
            self._layout()

    def _layout(self) -> None:
        """Fit the view box above the legend, aspect kept and centred."""
        self._layout_key = (self.width(), self.height())
        self._spot_rect = None
        view = self._view_box()
        width, height = float(max(1, self.width())), float(max(1, self.height()))
        margin = 6.0
        # Type grows with the widget so it stays readable from across a room.
        self._font_px = max(11.0, min(20.0, min(width, height) / 34))
        metrics = QFontMetricsF(self._legend_font())
        swatch = self._font_px * 1.6
        gap = self._font_px * 1.2

        def legend_rows(items: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
            rows: list[list[tuple[str, str]]] = [[]]
            row_width = 0.0
            for kind, text in items:
                item_width = swatch + self._font_px * 0.5 + metrics.horizontalAdvance(text)
                if rows[-1] and row_width + gap + item_width > width - 2 * margin:
                    rows.append([])
                    row_width = 0.0
                row_width += (gap if rows[-1] else 0) + item_width
                rows[-1].append((kind, text))
            return rows

        self._legend_rows = legend_rows(self._legend_items(self._tiers_hidden))
        # Room for the longer of the two legends: the body stays put (and the quiz's
        # numbered spots on it) when the tiers are hidden or shown.
        row_count = max(
            len(self._legend_rows), len(legend_rows(self._legend_items(not self._tiers_hidden)))
        )
        row_height = max(metrics.height(), swatch * 0.75) + self._font_px * 0.5
        legend_height = row_height * row_count + margin
        available = QRectF(margin, margin, width - 2 * margin, height - 2 * margin - legend_height)
        scale = max(1e-3, min(available.width() / view.width(), available.height() / view.height()))
        size_w, size_h = view.width() * scale, view.height() * scale
        self._scale = scale
        self._diagram_rect = QRectF(
            available.left() + (available.width() - size_w) / 2,
            available.top() + (available.height() - size_h) / 2,
            size_w,
            size_h,
        )
        self._legend_top = self._diagram_rect.bottom() + margin * 0.5
        self._to_widget = self._diagram_transform()
        self._to_diagram, _ = self._to_widget.inverted()
        self._layout_side_labels()

    def _diagram_transform(self) -> QTransform:
        view = self._view_box()
        transform = QTransform()
        transform.translate(self._diagram_rect.left(), self._diagram_rect.top())
        transform.scale(self._scale, self._scale)
        transform.translate(-view.left(), -view.top())
        return transform

    def _legend_font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(round(self._font_px))
        return font

    def _legend_items(self, tiers_hidden: bool | None = None) -> list[tuple[str, str]]:
        """The legend's swatch kinds and texts, with the tiers hidden or not (as now
        unless told)."""
        if self._tiers_hidden if tiers_hidden is None else tiers_hidden:
            return [("plain", PLAIN_LEGEND), ("focus", self._focus_label)]
        return [
            ("safe", "Safe"),
            ("caution", "Caution: light only"),
            ("no-go", "No-go: never press"),
            ("focus", self._focus_label),
        ]

    # -- static painting --------------------------------------------------------------

    def _px(self, pixels: float) -> float:
        """A length of ``pixels`` on screen, in diagram units."""
        return pixels / self._scale

    def _paint_static(self, painter: QPainter) -> None:
        if self._shapes is None:
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(
                QRectF(self.rect()).adjusted(12, 12, -12, -12),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                f"The back diagram cannot be shown.\n{self._error}",
            )
            return
        painter.save()
        painter.setTransform(self._diagram_transform(), True)
        self._paint_body(painter)
        self._paint_zones(painter)
        self._paint_anatomy(painter)
        self._paint_focus_outlines(painter)
        if self._animation_wanted():
            self._paint_motion_guides(painter)
        else:
            self._paint_motion(painter, None)
        painter.restore()
        self._paint_side_labels(painter)
        self._paint_legend(painter)

    def _paint_body(self, painter: QPainter) -> None:
        assert self._shapes is not None
        view = self._shapes.view_box
        centre = view.center().x()
        # Soft shading towards the flanks gives the torso some volume.
        skin = QLinearGradient(centre - 95, 0, centre + 95, 0)
        skin.setColorAt(0.0, SKIN_SHADE)
        skin.setColorAt(0.22, SKIN)
        skin.setColorAt(0.78, SKIN)
        skin.setColorAt(1.0, SKIN_SHADE)
        hair = QRadialGradient(QPointF(centre - 10, 34), 60)
        hair.setColorAt(0.0, HAIR_LIGHT)
        hair.setColorAt(1.0, HAIR)
        for part in self._shapes.body_parts:
            if part.css_class == "outline":
                pen = QPen(SKIN_EDGE, max(self._px(1.0), 1.1))
                pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
                painter.setPen(pen)
                painter.setBrush(QBrush(skin))
            elif part.css_class == "hair":
                painter.setPen(QPen(HAIR_EDGE, max(self._px(0.8), 0.8)))
                painter.setBrush(QBrush(hair))
            elif part.css_class == "cloth":
                painter.setPen(QPen(CLOTH_EDGE, max(self._px(1.0), 1.0)))
                painter.setBrush(CLOTH)
            else:
                continue
            painter.drawPath(part.path)

    def _zone_look(self, zone_id: str) -> _Look:
        if not self.highlighted_zones():
            return _Look.NORMAL
        return _Look.STRONG if zone_id in self._focus else _Look.DIM

    def _paint_zones(self, painter: QPainter) -> None:
        if self._tiers_hidden:
            self._paint_plain_zones(painter)
            return
        # Safe zones first, no-go zones last: the rule that matters most is on top.
        ordered = sorted(self._zone_paths, key=lambda z: -_TIER_ORDER[self._zones[z].tier])
        hatch: list[tuple[QPainterPath, QColor]] = []
        dots: list[tuple[QPainterPath, QColor]] = []
        for zone_id in ordered:
            zone = self._zones[zone_id]
            path = self._zone_paths[zone_id]
            look = self._zone_look(zone_id)
            emphasised = zone_id in self._emphasis
            if zone.tier is SafetyTier.SAFE:
                # Dimmed safe zones keep only a faint tint: the skin shows through.
                alpha = {_Look.NORMAL: 70, _Look.STRONG: 150, _Look.DIM: 14}[look]
                edge_alpha = {_Look.NORMAL: 170, _Look.STRONG: 230, _Look.DIM: 80}[look]
                fill, edge = QColor(SAFE), QColor(SAFE_EDGE)
                width = 0.9 if look is _Look.DIM else 1.2
            elif zone.tier is SafetyTier.CAUTION:
                alpha = {_Look.NORMAL: 95, _Look.STRONG: 150, _Look.DIM: 45}[look]
                edge_alpha = {_Look.NORMAL: 200, _Look.STRONG: 240, _Look.DIM: 110}[look]
                fill, edge = QColor(CAUTION), QColor(CAUTION_MARK)
                width = 1.0 if look is _Look.DIM else 1.3
                mark = QColor(CAUTION_MARK)
                mark.setAlpha({_Look.NORMAL: 190, _Look.STRONG: 235, _Look.DIM: 120}[look])
                dots.append((path, mark))
            else:
                # No-go zones stay clearly visible however dim the rest is.
                alpha = 150 if emphasised else 105
                edge_alpha = 255 if emphasised else 220
                fill, edge = QColor(NO_GO), QColor(NO_GO_MARK)
                width = 2.6 if emphasised else 1.3
                mark = QColor(NO_GO_MARK)
                mark.setAlpha(255 if emphasised else 215)
                hatch.append((path, mark))
            fill.setAlpha(alpha)
            edge.setAlpha(edge_alpha)
            painter.setBrush(fill)
            pen = QPen(edge, self._px(width))
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.drawPath(path)
        for path, colour in hatch:
            self._paint_pattern(painter, path, "hatch", colour, self._scale)
        for path, colour in dots:
            self._paint_pattern(painter, path, "dots", colour, self._scale)

    def _paint_plain_zones(self, painter: QPainter) -> None:
        """Every zone in one neutral style: a pale wash and a grey outline, brighter on
        the outlined zones and fainter on the rest, whatever their tier."""
        # The larger zones first, so a small zone's outline is never covered; the same
        # order whatever the tiers are.
        boxes = self._zone_boxes
        ordered = sorted(self._zone_paths, key=lambda z: -boxes[z].width() * boxes[z].height())
        for zone_id in ordered:
            look = self._zone_look(zone_id)
            fill, edge = QColor(PLAIN_ZONE), QColor(PLAIN_ZONE_EDGE)
            fill.setAlpha({_Look.NORMAL: 120, _Look.STRONG: 175, _Look.DIM: 80}[look])
            edge.setAlpha({_Look.NORMAL: 200, _Look.STRONG: 230, _Look.DIM: 150}[look])
            pen = QPen(edge, self._px(1.0 if look is _Look.DIM else 1.3))
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setBrush(fill)
            painter.setPen(pen)
            painter.drawPath(self._zone_paths[zone_id])

    def _pattern_brush(self, kind: str, colour: QColor, scale: float) -> QBrush:
        """A hatched or dotted brush whose lines are a fixed size on screen.

        The tile is drawn once in device pixels and cached; filling a zone with it is one
        raster operation (clipping and drawing each line would cost far more). ``scale``
        is the painter's world scale, undone by the brush transform.
        """
        ratio = self.devicePixelRatioF()
        key = (kind, colour.rgba(), round(ratio * 100))
        tile = self._pattern_tiles.get(key)
        if tile is None:
            tile = _pattern_tile(kind, colour, ratio)
            self._pattern_tiles[key] = tile
        brush = QBrush(tile)
        brush.setTransform(QTransform.fromScale(1 / (scale * ratio), 1 / (scale * ratio)))
        return brush

    def _paint_pattern(
        self, painter: QPainter, path: QPainterPath, kind: str, colour: QColor, scale: float
    ) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._pattern_brush(kind, colour, scale))
        painter.drawPath(path)

    def _paint_anatomy(self, painter: QPainter) -> None:
        assert self._shapes is not None
        line = QPen(ANATOMY_LINE, max(self._px(1.0), 0.9))
        line.setCapStyle(Qt.PenCapStyle.RoundCap)
        line.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        bone = QPen(BONE_EDGE, max(self._px(0.8), 0.6))
        for part in self._shapes.body_parts:
            if part.css_class == "anatomy":
                painter.setPen(line)
                painter.setBrush(Qt.BrushStyle.NoBrush)
            elif part.css_class == "bone":
                painter.setPen(bone)
                painter.setBrush(BONE_FILL)
            else:
                continue
            painter.drawPath(part.path)

    def _paint_focus_outlines(self, painter: QPainter) -> None:
        focus = self.highlighted_zones()
        if not focus:
            return
        halo = QPen(QColor(255, 255, 255, 200), self._px(5.0))
        halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        pen = QPen(FOCUS, self._px(2.6))
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for zone_id in focus:
            painter.setPen(halo)
            painter.drawPath(self._zone_paths[zone_id])
        for zone_id in focus:
            painter.setPen(pen)
            painter.drawPath(self._zone_paths[zone_id])

    def _paint_outlines(self, painter: QPainter) -> None:
        """The hovered and selected zones' outlines (painted over the cached layer)."""
        painter.setBrush(Qt.BrushStyle.NoBrush)
        hovered = self._zone_paths.get(self._hovered)
        if hovered is not None and self._hovered != self._selected:
            pen = QPen(SELECTED, self._px(2.0))
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawPath(hovered)
        selected = self._zone_paths.get(self._selected)
        if selected is not None:
            outer = QPen(SELECTED, self._px(4.5))
            outer.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            inner = QPen(QColor("white"), self._px(1.5))
            inner.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(outer)
            painter.drawPath(selected)
            painter.setPen(inner)
            painter.drawPath(selected)

    def _side_label_font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(self._side_label_px)
        font.setBold(True)
        return font

    def _layout_side_labels(self) -> None:
        rect = self._diagram_rect
        # The labels sit beside the head, where the drawing leaves the corners empty.
        width = rect.width() * 0.36
        top = rect.top() + rect.height() * 0.03
        # A word cannot wrap: in a very narrow view the labels get smaller until their
        # longest word ("Receiver's") fits, rather than being cut at the edge.
        words = [*LEFT_LABEL.split(), *RIGHT_LABEL.split()]
        self._side_label_px = round(self._font_px * 1.05)
        while self._side_label_px > MIN_LABEL_PX:
            metrics = QFontMetricsF(self._side_label_font())
            if max(metrics.horizontalAdvance(word) for word in words) <= width:
                break
            self._side_label_px -= 1
        # Measured, not guessed: a narrow diagram wraps a label onto a second line, and
        # the subtitle must then start below it, never on top of it.
        metrics = QFontMetricsF(self._side_label_font())
        wrap = int(Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
        probe = QRectF(0, 0, width, 1e6)
        left_h = metrics.boundingRect(probe, wrap, LEFT_LABEL).height()
        right_h = metrics.boundingRect(probe, wrap, RIGHT_LABEL).height()
        self._side_label_rects = {
            LEFT_LABEL: QRectF(rect.left(), top, width, left_h),
            RIGHT_LABEL: QRectF(rect.right() - width, top, width, right_h),
        }
        small = QFontMetricsF(self._side_subtitle_font())
        text = _fitting_subtitle(small, width)
        height = small.boundingRect(probe, wrap, text).height()
        self._side_subtitle = text
        self._side_subtitle_rect = QRectF(
            rect.left(), top + left_h + metrics.height() * 0.1, width, height
        )

    def _paint_side_labels(self, painter: QPainter) -> None:
        font = self._side_label_font()
        painter.setFont(font)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        wrap = Qt.TextFlag.TextWordWrap
        left = self._side_label_rects[LEFT_LABEL]
        right = self._side_label_rects[RIGHT_LABEL]
        painter.drawText(
            left, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | wrap), LEFT_LABEL
        )
        painter.drawText(
            right, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop | wrap), RIGHT_LABEL
        )
        painter.setFont(self._side_subtitle_font())
        muted = self.palette().color(QPalette.ColorRole.WindowText)
        muted.setAlpha(170)
        painter.setPen(muted)
        painter.drawText(
            self._side_subtitle_rect,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | wrap),
            self._side_subtitle,
        )

    def _side_subtitle_font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(round(self._font_px * 0.85))
        return font

    def _paint_legend(self, painter: QPainter) -> None:
        font = self._legend_font()
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        swatch_w = self._font_px * 1.6
        swatch_h = self._font_px * 1.1
        gap = self._font_px * 1.2
        row_height = max(metrics.height(), swatch_w * 0.75) + self._font_px * 0.5
        text_colour = self.palette().color(QPalette.ColorRole.WindowText)
        y = self._legend_top
        for row in self._legend_rows:
            widths = [
                swatch_w + self._font_px * 0.5 + metrics.horizontalAdvance(text) for _, text in row
            ]
            total = sum(widths) + gap * (len(row) - 1)
            x = (self.width() - total) / 2
            for (kind, text), item_width in zip(row, widths, strict=True):
                box = QRectF(x, y + (row_height - swatch_h) / 2, swatch_w, swatch_h)
                self._paint_swatch(painter, box, kind)
                painter.setPen(text_colour)
                painter.drawText(
                    QRectF(box.right() + self._font_px * 0.5, y, item_width, row_height),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    text,
                )
                x += item_width + gap
            y += row_height

    def _paint_swatch(self, painter: QPainter, box: QRectF, kind: str) -> None:
        path = QPainterPath()
        path.addRoundedRect(box, 3, 3)
        painter.save()
        try:
            if kind == "focus":
                if self._tiers_hidden:
                    fill = QColor(PLAIN_ZONE)
                    fill.setAlpha(220)
                else:
                    fill = QColor(SAFE.red(), SAFE.green(), SAFE.blue(), 150)
                painter.setBrush(fill)
                painter.setPen(QPen(FOCUS, 2.6))
                painter.drawPath(path)
            elif kind == "plain":
                fill = QColor(PLAIN_ZONE)
                fill.setAlpha(220)
                painter.setBrush(fill)
                painter.setPen(QPen(PLAIN_ZONE_EDGE, 1.2))
                painter.drawPath(path)
            elif kind == "safe":
                painter.setBrush(QColor(SAFE.red(), SAFE.green(), SAFE.blue(), 80))
                painter.setPen(QPen(SAFE_EDGE, 1.2))
                painter.drawPath(path)
            elif kind == "caution":
                painter.setBrush(QColor(CAUTION.red(), CAUTION.green(), CAUTION.blue(), 95))
                painter.setPen(QPen(CAUTION_MARK, 1.2))
                painter.drawPath(path)
                self._paint_pattern(painter, path, "dots", CAUTION_MARK, 1.0)
            else:
                painter.setBrush(QColor(NO_GO.red(), NO_GO.green(), NO_GO.blue(), 105))
                painter.setPen(QPen(NO_GO_MARK, 1.2))
                painter.drawPath(path)
                self._paint_pattern(painter, path, "hatch", NO_GO_MARK, 1.0)
        finally:
            painter.restore()

    # -- movement marks ---------------------------------------------------------------

    def _rebuild_motion(self) -> None:
        """Work out the movement marks for the focus zones and technique (diagram units)."""
        self._marks = []
        self._spot_rect = None
        technique = self._technique
        focus = self.highlighted_zones()
        if technique is None or not focus or self._shapes is None:
            self._movement = None
            return
        # Stepping through a routine comes back to the same layouts again and again, and
        # the layout (point-in-polygon tests over each zone) is the costly part of a
        # highlight change: keep each one.
        key = (focus, technique.id, self._direction)
        cached = self._motion_cache.get(key)
        if cached is not None:
            self._movement, marks = cached
            self._marks = list(marks)
            return
        self._movement = movement_for(technique, self._direction)
        self._marks = self._layout_marks(focus)
        self._motion_cache[key] = (self._movement, tuple(self._marks))

    def _layout_marks(self, focus: tuple[str, ...]) -> list[_Mark]:
        """The marks of the current movement over ``focus`` (diagram units)."""
        assert self._shapes is not None
        marks: list[_Mark] = []
        midline = self._shapes.view_box.center().x()
        patches: list[_Patch] = []
        for zone_id in focus:
            zone = self._zones.get(zone_id)
            if zone is None or zone.tier is SafetyTier.NO_GO:
                continue  # nothing is ever done on a no-go zone
            for polygon in self._zone_paths[zone_id].toSubpathPolygons():
                box = polygon.boundingRect()
                if box.width() < 4 or box.height() < 4:
                    continue
                offset = box.center().x() - midline
                side = 0 if abs(offset) < 4 else (1 if offset > 0 else -1)
                patches.append(_Patch(zone_id, polygon, box, side))
        build = self._strip_mark if self._movement is Movement.STRIP else self._spot_mark
        if self._movement in (Movement.GLIDE, Movement.SWEEP):
            # Long strokes cover the whole worked area on each side, not zone by zone.
            for group in (
                g for g in ([p for p in patches if p.side == s] for s in (-1, 0, 1)) if g
            ):
                if self._movement is Movement.SWEEP:
                    mark = self._sweep_mark(group)
                elif len(group) == 1:
                    mark = self._glide_mark(group[0])
                else:
                    mark = self._glide_area_mark(group)
                if mark is not None:
                    marks.append(mark)
        elif self._movement is Movement.HANDS:
            marks = self._hand_marks(patches)
        else:
            for patch in patches:
                mark = build(patch)
                if mark is not None:
                    marks.append(mark)
        return marks

    def _going_up(self) -> bool:
        return self._direction is not Direction.DOWN

    def _glide_mark(self, patch: _Patch) -> _Mark | None:
        box = patch.box
        inner_first = patch.side != 0
        if patch.side < 0:
            inner_x, outer_x = box.left() + box.width() * 0.7, box.left() + box.width() * 0.3
        else:
            inner_x, outer_x = box.left() + box.width() * 0.3, box.left() + box.width() * 0.7
        up = self._going_up()
        inner = _run(patch.polygon, QPointF(inner_x, box.bottom()), QPointF(inner_x, box.top()))
        if inner is None:
            return None
        inner = _shrunk(inner, 0.08)
        guide = QPainterPath()
        if box.width() < 22 or not inner_first:
            # Too narrow for a loop: one straight stroke.
            line = _run(
                patch.polygon,
                QPointF(box.center().x(), box.bottom()),
                QPointF(box.center().x(), box.top()),
            )
            line = _shrunk(line if line is not None else inner, 0.08)
            start, end = (line.p1(), line.p2()) if up else (line.p2(), line.p1())
            guide.moveTo(start)
            guide.lineTo(end)
            return _Mark(guide, [guide], [], 3.0, patch.side)
        outer = _run(patch.polygon, QPointF(outer_x, box.top()), QPointF(outer_x, box.bottom()))
        outer = _shrunk(outer, 0.1) if outer is not None else QLineF(inner.p2(), inner.p1())
        # Up beside the spine, over the top and back down the outside (and the reverse).
        if up:
            guide.moveTo(inner.p1())
            guide.lineTo(inner.p2())
            top = min(inner.p2().y(), outer.p1().y()) - 4
            guide.cubicTo(QPointF(inner.p2().x(), top), QPointF(outer.p1().x(), top), outer.p1())
            guide.lineTo(outer.p2())
        else:
            guide.moveTo(outer.p2())
            guide.lineTo(outer.p1())
            top = min(inner.p2().y(), outer.p1().y()) - 4
            guide.cubicTo(QPointF(outer.p1().x(), top), QPointF(inner.p2().x(), top), inner.p2())
            guide.lineTo(inner.p1())
        return _Mark(guide, [guide], [], 3.0, patch.side)

    def _vertical_run(
        self, group: Sequence[_Patch], x: float, top: float, bottom: float
    ) -> tuple[float, float] | None:
        """The longest stretch of the line at ``x`` inside the group's zones, bridging the
        small gaps between neighbouring zones and stopping at any no-go zone."""
        best: tuple[float, float] | None = None
        start: float | None = None
        last = 0.0
        y = top
        while y <= bottom + 2.0:
            point = QPointF(x, y)
            if self._on_no_go(point):
                inside = False
                gap_ok = False
            else:
                inside = any(
                    p.box.contains(point)
                    and p.polygon.containsPoint(point, Qt.FillRule.WindingFill)
                    for p in group
                )
                gap_ok = start is not None and y - last <= 8.0
            if inside:
                if start is None:
                    start = y
                last = y
            elif start is not None and not gap_ok:
                if best is None or last - start > best[1] - best[0]:
                    best = (start, last)
                start = None
            y += 2.0
        if start is not None and (best is None or last - start > best[1] - best[0]):
            best = (start, last)
        return best

    def _on_no_go(self, point: QPointF) -> bool:
        return any(
            box.contains(point) and path.contains(point)
            for zone_id, box, path in self._hit_list
            if self._zones[zone_id].tier is SafetyTier.NO_GO
        )

    def _glide_area_mark(self, group: Sequence[_Patch]) -> _Mark | None:
        """Effleurage over several zones of one side: up beside the spine, out over the
        top of the shoulder, then back down the side of the back."""
        box = QRectF()
        for patch in group:
            box = box.united(patch.box)
        side = group[0].side
        strips = [p for p in group if p.zone_id.startswith("paraspinal")]
        if strips:
            inner_x = strips[0].box.center().x()
        elif side < 0:
            inner_x = box.right() - box.width() * 0.25
        elif side > 0:
            inner_x = box.left() + box.width() * 0.25
        else:
            inner_x = box.center().x()
        run = self._vertical_run(group, inner_x, box.top(), box.bottom())
        if run is None or run[1] - run[0] < 10:
            return None
        margin = (run[1] - run[0]) * 0.04
        up_leg = QPainterPath(QPointF(inner_x, run[1] - margin))
        top = QPointF(inner_x, run[0] + margin)
        up_leg.lineTo(top)
        # Fan out over the top of the shoulder when the zones reach out up there.
        if side != 0:
            corners = [
                point
                for p in group
                if p.box.top() < top.y() + 30
                for point in p.polygon.toList()
                if point.y() < top.y() + 40 and (point.x() - inner_x) * side > 30
            ]
            tip = max(corners, key=lambda point: point.x() * side) if corners else None
            # Only a real fan over the top, not a dip down towards the hips.
            if tip is not None and tip.y() <= top.y() + 20:
                tip = QPointF(tip.x() - side * 6, tip.y() - 1)
                up_leg.cubicTo(
                    QPointF(inner_x, top.y() - 10),
                    QPointF(tip.x() - side * 28, tip.y() - 12),
                    tip,
                )
        tracks = [up_leg]
        sides = [p for p in group if p.zone_id.startswith("side")]
        if sides and side != 0:
            down_leg = _centre_line(sides[0])
            if down_leg is not None:
                tracks.append(down_leg)
        if not self._going_up():
            tracks = [track.toReversed() for track in reversed(tracks)]
        guide = QPainterPath()
        for track in tracks:
            guide.addPath(track)
        return _Mark(guide, tracks, [], 3.0, side, sequential=True)

    def _sweep_mark(self, group: Sequence[_Patch]) -> _Mark | None:
        """Strokes fanning out from the spine across the zones of one side, in rows.

        Each row starts at the zones' edge nearest the spine and goes out as far as the
        zones reach, rising a little where it can (the "Christmas tree" of herringbone
        strokes) and following the slope of the shoulders where it must.
        """
        box = QRectF()
        for patch in group:
            box = box.united(patch.box)
        side = group[0].side or 1
        outward = self._direction is not Direction.INWARD

        def inside(point: QPointF) -> bool:
            return any(
                p.box.contains(point) and p.polygon.containsPoint(point, Qt.FillRule.WindingFill)
                for p in group
            )

        def reach(start: QPointF, degrees: float) -> QPointF:
            dx = math.cos(math.radians(degrees)) * side
            dy = -math.sin(math.radians(degrees))
            last, gap, distance = start, 0.0, 0.0
            while distance < box.width() * 1.5 + 20:
                distance += 2.0
                point = QPointF(start.x() + dx * distance, start.y() + dy * distance)
                if inside(point):
                    last, gap = point, 0.0
                else:
                    gap += 2.0
                    if gap > 8.0:  # small gaps between neighbouring zones are bridged
                        break
            return last

        tracks: list[QPainterPath] = []
        guide = QPainterPath()
        rows = max(1, min(6, int(box.height() // 34)))
        for row in range(rows):
            # Bottom row first: herringbone strokes climb the back as they fan out.
            y = box.bottom() - box.height() * (row + 0.5) / rows
            start = None
            for i in range(61):
                x = (
                    box.right() - box.width() * i / 60
                    if side < 0
                    else box.left() + box.width() * i / 60
                )
                if inside(QPointF(x, y)):
                    start = QPointF(x, y)
                    break
            if start is None:
                continue
            ends = [reach(start, angle) for angle in (20.0, 10.0, 0.0, -15.0, -30.0, -45.0)]
            lengths = [QLineF(start, end).length() for end in ends]
            best = max(lengths)
            if best < 12:
                continue
            # The most rising stroke that still gets most of the way out.
            end = next(e for e, n in zip(ends, lengths, strict=True) if n >= 0.75 * best)
            line = self._stop_short_of_no_go(_shrunk(QLineF(start, end), 0.08))
            if line.length() < 8:
                continue
            begin, finish = (line.p1(), line.p2()) if outward else (line.p2(), line.p1())
            track = QPainterPath(begin)
            track.lineTo(finish)
            tracks.append(track)
            guide.addPath(track)
        if not tracks:
            return None
        return _Mark(guide, tracks, [], 3.0, side)

    def _stop_short_of_no_go(self, line: QLineF) -> QLineF:
        """``line`` cut before the first no-go zone it would cross: a mark never shows
        a stroke over the spine, the kidneys or the floating ribs."""
        no_go = [
            self._zone_paths[z] for z, zone in self._zones.items() if zone.tier is SafetyTier.NO_GO
        ]
        steps = max(2, int(line.length() // 1.5))
        for i in range(steps + 1):
            point = line.pointAt(i / steps)
            if any(path.contains(point) for path in no_go):
                return QLineF(line.p1(), line.pointAt(max(0.0, (i - 2) / steps)))
        return line

    def _strip_mark(self, patch: _Patch) -> _Mark | None:
        box = patch.box
        # Stripping runs close to the spine: the inner third of the strip.
        if patch.side < 0:
            x = box.left() + box.width() * 0.62
        elif patch.side > 0:
            x = box.left() + box.width() * 0.38
        else:
            x = box.center().x()
        line = _run(patch.polygon, QPointF(x, box.bottom()), QPointF(x, box.top()))
        if line is None:
            return None
        line = _shrunk(line, 0.06)
        start, end = (line.p1(), line.p2()) if self._going_up() else (line.p2(), line.p1())
        guide = QPainterPath(start)
        guide.lineTo(end)
        return _Mark(guide, [guide], [], 3.0, patch.side)

    def _spot_mark(self, patch: _Patch) -> _Mark | None:
        """Spots along the middle of a zone for circles, taps, rings or vibration."""
        box = patch.box
        middle = _centre_line(patch)
        if middle is None:
            return None
        length = middle.length()
        size = max(2.5, min(6.0, box.width() * 0.2))
        movement = self._movement
        if movement is Movement.TAPS:
            count = max(2, min(5, int(length // 16)))
        elif movement is Movement.ZIGZAG:
            count = max(1, min(3, int(length // 40)))
        else:
            count = max(1, min(3, int(length // (size * 6))))
        points: list[QPointF] = []
        for i in range(count):
            base = middle.pointAtPercent((i + 0.5) / count)
            if movement is Movement.TAPS and box.width() > 20:
                # Stagger the taps across the zone, as hands would drum.
                shift = box.width() * (0.18 if i % 2 else -0.18)
                moved = QPointF(base.x() + shift, base.y())
                if patch.polygon.containsPoint(moved, Qt.FillRule.WindingFill):
                    base = moved
            # A mark must never sit over a no-go zone, not even at its rim.
            rim = [
                QPointF(base.x() + size * math.cos(a), base.y() + size * math.sin(a))
                for a in (0.0, math.pi / 2, math.pi, 3 * math.pi / 2)
            ]
            if any(self._on_no_go(point) for point in (base, *rim)):
                continue
            points.append(base)
        if not points:
            return None
        if not self._going_up():
            points.reverse()
        return _Mark(QPainterPath(), [], points, size, patch.side)

    def _hand_marks(self, patches: Sequence[_Patch]) -> list[_Mark]:
        """Two resting hands: one on each side, or one above the other on the midline."""
        if not patches:
            return []
        left = [p for p in patches if p.side < 0]
        right = [p for p in patches if p.side > 0]
        spots: list[tuple[QPointF, int]] = []

        def centre(group: Sequence[_Patch]) -> QPointF:
            biggest = max(group, key=lambda p: p.box.width() * p.box.height())
            return biggest.box.center()

        if left and right:
            spots = [(centre(left), -1), (centre(right), 1)]
        else:
            group = left or right or list(patches)
            box = QRectF()
            for p in group:
                box = box.united(p.box)
            side = group[0].side
            spots = [
                (QPointF(box.center().x(), box.top() + box.height() * 0.3), side),
                (QPointF(box.center().x(), box.top() + box.height() * 0.72), side),
            ]
        return [_Mark(QPainterPath(), [], [point], 30.0, side) for point, side in spots]

    # -- painting the movement --------------------------------------------------------

    def _motion_pens(self, strong: bool) -> tuple[QPen, QPen]:
        width = self._px(3.2 if strong else 2.2)
        halo = QPen(MOTION_HALO, width + self._px(3.0))
        pen = QPen(MOTION, width)
        for p in (halo, pen):
            p.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return halo, pen

    def _paint_motion(self, painter: QPainter, seconds: float | None) -> None:
        """The movement marks: still ones when ``seconds`` is None (painter in diagram
        units), else the moving parts of the animation at that time (painter in widget
        pixels; their faint guides are in the cached layer)."""
        if not self._marks or self._movement is None:
            return
        if seconds is not None:
            self._paint_moving(painter, seconds)
            return
        painter.save()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        movement = self._movement
        for mark in self._marks:
            if movement in _TRACK_MOVEMENTS:
                self._paint_tracks(painter, mark, movement)
            elif movement is Movement.CIRCLES:
                self._paint_circles(painter, mark)
            elif movement is Movement.TAPS:
                self._paint_taps(painter, mark)
            elif movement is Movement.ZIGZAG:
                self._paint_zigzag(painter, mark, None)
            elif movement is Movement.RINGS:
                self._paint_rings(painter, mark)
            else:
                self._paint_hand(painter, mark)
        painter.restore()

    def _paint_moving(self, painter: QPainter, seconds: float) -> None:
        """One animation frame. Almost everything is blitted from small cached sprites
        at whole pixels: far cheaper than drawing antialiased shapes each frame."""
        to_widget = self._to_widget
        movement = self._movement
        scale = self._scale
        blit = self._blit
        for mark in self._marks:
            if movement in _TRACK_MOVEMENTS:
                assert movement is not None
                for trail, tip, angle in self._track_parts(mark, movement, seconds):
                    # A comet: dots growing towards the moving arrowhead.
                    count = len(trail)
                    for index, point in enumerate(trail[:-1]):
                        grow = (index + 1) / count
                        blit(
                            painter, "dot", to_widget.map(point), 1.2 + 2.3 * grow, 90 + 150 * grow
                        )
                    blit(painter, "arrow", to_widget.map(tip), 14.0, 255, angle)
            elif movement is Movement.CIRCLES:
                for index, centre in enumerate(mark.points):
                    turn = (seconds * 1.6 + index * 0.25) % 1.0 * 2 * math.pi
                    dot = QPointF(
                        centre.x() + mark.size * math.cos(turn),
                        centre.y() + mark.size * math.sin(turn),
                    )
                    blit(painter, "dot", to_widget.map(dot), 4.5, 255)
            elif movement is Movement.TAPS:
                for index, point in enumerate(mark.points):
                    beat = (seconds * 3.0 + index * 0.37) % 1.0
                    pulse = max(0.0, 1.0 - beat * 2.5)  # a quick hit, then rest
                    radius = 4.5 * (0.7 + 0.7 * pulse)
                    blit(painter, "dot", to_widget.map(point), radius, 110 + 145 * pulse)
            elif movement is Movement.RINGS:
                # A ring that swells from the pressure point and fades, like a slow press.
                radius = self._ring_radius(mark) * scale
                for index, point in enumerate(mark.points):
                    phase = (seconds / 1.6 + index * 0.3) % 1.0
                    at = to_widget.map(point)
                    blit(
                        painter, "ring", at, radius * (0.3 + 0.7 * phase), 255 * (1 - phase * 0.75)
                    )
                    blit(painter, "dot", at, 3.5, 255)
            elif movement is Movement.ZIGZAG:
                painter.setTransform(to_widget)
                self._paint_zigzag(painter, mark, seconds)
                painter.resetTransform()

    def _blit(
        self,
        painter: QPainter,
        kind: str,
        centre: QPointF,
        size: float,
        alpha: float,
        angle: float = 0.0,
    ) -> None:
        """Copy a cached sprite (``dot``, ``ring`` or ``arrow``) centred on ``centre``
        (widget pixels); ``size`` is its radius in pixels, ``angle`` an arrow's heading."""
        ratio = self.devicePixelRatioF()
        key = (
            kind,
            round(size * 2),
            min(15, int(alpha) // 16),
            round(angle / 5) % 72 if kind == "arrow" else 0,
            round(ratio * 100),
        )
        sprite = self._sprites.get(key)
        if sprite is None:
            sprite = _sprite(kind, key[1] / 2, (key[2] + 1) / 16, key[3] * 5.0, ratio)
            self._sprites[key] = sprite
        half = sprite.width() / ratio / 2
        painter.drawPixmap(QPoint(round(centre.x() - half), round(centre.y() - half)), sprite)

    def _paint_motion_guides(self, painter: QPainter) -> None:
        """The faint paths the animated marks run along (part of the cached layer)."""
        painter.save()
        faint = QPen(_faint(), self._px(1.6))
        faint.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(faint)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for mark in self._marks:
            painter.drawPath(mark.guide)
            if self._movement is Movement.CIRCLES:
                for centre in mark.points:
                    painter.drawEllipse(centre, mark.size, mark.size)
        painter.restore()

    def _moving_area(self, seconds: float) -> QRect:
        """The widget pixels the moving parts cover at ``seconds``."""
        area = QRect()
        for rect in self._moving_rects(seconds):
            area = area.united(self._to_widget.mapRect(rect).toAlignedRect())
        return area

    def _moving_rects(self, seconds: float) -> list[QRectF]:
        """Where the moving parts are at ``seconds``, in diagram units (with a margin
        for their outlines)."""
        movement = self._movement
        pad = self._px(6)
        rects: list[QRectF] = []
        for mark in self._marks:
            if movement in _TRACK_MOVEMENTS:
                assert movement is not None
                head = self._px(16)
                for trail, _, _ in self._track_parts(mark, movement, seconds):
                    rects.append(QPolygonF(trail).boundingRect().adjusted(-head, -head, head, head))
                continue
            if movement is Movement.CIRCLES:
                reach = mark.size + self._px(8)
            elif movement is Movement.TAPS:
                reach = self._px(8)
            elif movement is Movement.RINGS:
                reach = self._ring_radius(mark) + self._px(4)
            elif movement is Movement.ZIGZAG:
                reach = max(mark.size * 1.6, self._px(10)) + self._px(4)
            else:  # resting hands
                if mark.shape is None:
                    mark.shape = _hand_path(mark.points[0], mark.size, mirrored=mark.side < 0)
                rects.append(mark.shape.boundingRect().adjusted(-pad, -pad, pad, pad))
                continue
            reach += pad
            rects.extend(
                QRectF(p.x() - reach, p.y() - reach, 2 * reach, 2 * reach) for p in mark.points
            )
        return rects

    def _stroke(self, painter: QPainter, path: QPainterPath, strong: bool = True) -> None:
        halo, pen = self._motion_pens(strong)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(halo)
        painter.drawPath(path)
        painter.setPen(pen)
        painter.drawPath(path)

    def _arrowhead(self, painter: QPainter, tip: QPointF, angle_deg: float, size_px: float) -> None:
        """A filled arrowhead at ``tip`` pointing along ``angle_deg`` (Qt's angle: ccw)."""
        _paint_arrowhead(painter, tip, angle_deg, self._px(size_px), self._px(2.5))

    def _moving_tracks(
        self, mark: _Mark, movement: Movement, seconds: float
    ) -> list[tuple[QPainterPath, float]]:
        """The tracks with something moving on them now, and how far along (0..1)."""
        period = {Movement.GLIDE: 3.2, Movement.SWEEP: 1.8, Movement.STRIP: 2.6}[movement]
        if mark.sequential:
            # One hand movement through the tracks in turn, at an even speed.
            if len(mark.lengths) != len(mark.tracks):
                mark.lengths = [max(track.length(), 1e-6) for track in mark.tracks]
            lengths = mark.lengths
            distance = (seconds / (period * len(lengths))) % 1.0 * sum(lengths)
            for index, length in enumerate(lengths):
                if distance <= length or index == len(lengths) - 1:
                    return [(mark.tracks[index], min(1.0, distance / length))]
                distance -= length
        count = max(1, len(mark.tracks))
        return [
            (track, (seconds / period + index / count * 0.5) % 1.0)
            for index, track in enumerate(mark.tracks)
        ]

    @staticmethod
    def _trail(
        samples: Sequence[tuple[float, float]], movement: Movement, phase: float
    ) -> tuple[list[QPointF], QPointF, float]:
        """Points along the bright part of a track at ``phase``, and its arrowhead's point
        and angle."""
        if movement is Movement.STRIP:
            # A stroke that draws itself along the strip, then starts again.
            head = min(1.0, phase * 1.25)
            tail = max(0.0, head - 0.35)
        else:
            head, tail = phase, max(0.0, phase - 0.12)
        trail = [_sample_at(samples, tail + (head - tail) * i / 4) for i in range(5)]
        before = _sample_at(samples, max(0.0, head - 0.01))
        tip = trail[-1]
        if tip == before:
            before = _sample_at(samples, max(0.0, head - 0.03))
        angle = math.degrees(math.atan2(-(tip.y() - before.y()), tip.x() - before.x()))
        return trail, tip, angle

    def _track_parts(
        self, mark: _Mark, movement: Movement, seconds: float
    ) -> list[tuple[list[QPointF], QPointF, float]]:
        """The bright trails, arrowhead points and angles of a mark at ``seconds``
        (worked out once per frame: the timer tick and the paint both need them)."""
        if seconds != self._frame_parts_time:
            self._frame_parts = {}
            self._frame_parts_time = seconds
        parts = self._frame_parts.get(id(mark))
        if parts is None:
            if len(mark.samples) != len(mark.tracks):
                # Points evenly spaced along each track, so a frame needs no curve maths.
                mark.samples = [
                    [(p.x(), p.y()) for p in (t.pointAtPercent(i / 120) for i in range(121))]
                    for t in mark.tracks
                ]
            by_track = {
                id(track): samples for track, samples in zip(mark.tracks, mark.samples, strict=True)
            }
            parts = [
                self._trail(by_track[id(track)], movement, phase)
                for track, phase in self._moving_tracks(mark, movement, seconds)
            ]
            self._frame_parts[id(mark)] = parts
        return parts

    def _paint_tracks(self, painter: QPainter, mark: _Mark, movement: Movement) -> None:
        for track in mark.tracks:
            self._stroke(painter, track)
            self._arrowhead(painter, track.pointAtPercent(1.0), track.angleAtPercent(0.99), 13)
            if movement is Movement.GLIDE and track.length() > 60:
                # Mark the direction midway up the first leg too.
                self._arrowhead(painter, track.pointAtPercent(0.3), track.angleAtPercent(0.3), 11)

    def _paint_circles(self, painter: QPainter, mark: _Mark) -> None:
        radius = mark.size
        for centre in mark.points:
            circle = QPainterPath()
            circle.addEllipse(centre, radius, radius)
            self._stroke(painter, circle, strong=False)
            # A head on the circle shows the turning direction.
            tip = QPointF(centre.x() + radius, centre.y())
            self._arrowhead(painter, tip, -90.0, 10)

    def _paint_taps(self, painter: QPainter, mark: _Mark) -> None:
        radius = self._px(4.5)
        painter.setPen(QPen(MOTION_HALO, self._px(1.5)))
        painter.setBrush(MOTION)
        for point in mark.points:
            painter.drawEllipse(point, radius, radius)

    def _paint_zigzag(self, painter: QPainter, mark: _Mark, seconds: float | None) -> None:
        half = max(mark.size * 1.6, self._px(10))
        amplitude = max(mark.size * 0.5, self._px(3.5))
        for index, point in enumerate(mark.points):
            jitter = 0.0 if seconds is None else math.sin(seconds * 40 + index) * self._px(1.5)
            path = QPainterPath(QPointF(point.x() - half + jitter, point.y()))
            steps = 6
            for i in range(1, steps + 1):
                x = point.x() - half + 2 * half * i / steps + jitter
                y = point.y() + (amplitude if i % 2 else -amplitude) * (0 if i == steps else 1)
                path.lineTo(QPointF(x, y))
            self._stroke(painter, path)

    def _paint_rings(self, painter: QPainter, mark: _Mark) -> None:
        radius = self._ring_radius(mark)
        for point in mark.points:
            for fraction in (0.45, 1.0):
                ring = QPainterPath()
                ring.addEllipse(point, radius * fraction, radius * fraction)
                self._stroke(painter, ring, strong=False)

    def _ring_radius(self, mark: _Mark) -> float:
        return max(mark.size * 2.2, self._px(15))

    def _paint_hand(self, painter: QPainter, mark: _Mark) -> None:
        if mark.shape is None:
            mark.shape = _hand_path(mark.points[0], mark.size, mirrored=mark.side < 0)
        halo, pen = self._motion_pens(strong=False)
        painter.setPen(halo)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(mark.shape)
        painter.setPen(pen)
        painter.setBrush(QColor(255, 255, 255, 150))
        painter.drawPath(mark.shape)


def _fitting_subtitle(metrics: QFontMetricsF, width: float) -> str:
    """The side subtitle in words that fit the label's width in at most two lines."""
    wrap = int(Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
    probe = QRectF(0, 0, width, 1e6)
    for text in (SIDE_SUBTITLE, SHORT_SIDE_SUBTITLE):
        fits_across = all(metrics.horizontalAdvance(word) <= width for word in text.split())
        lines = metrics.boundingRect(probe, wrap, text).height() / metrics.lineSpacing()
        if fits_across and lines < 2.5:
            return text
    return metrics.elidedText(SHORT_SIDE_SUBTITLE, Qt.TextElideMode.ElideRight, width)


def _centre_line(patch: _Patch, samples: int = 12) -> QPainterPath | None:
    """A line down the middle of a tall zone, top to bottom (it may lean, as the flank
    does)."""
    box = patch.box
    middles: list[QPointF] = []
    for i in range(samples + 1):
        y = box.top() + box.height() * (0.1 + 0.8 * i / samples)
        across = _run(patch.polygon, QPointF(box.left() - 1, y), QPointF(box.right() + 1, y))
        if across is not None:
            middles.append(across.center())
    if len(middles) < 3:
        return None
    path = QPainterPath(middles[0])
    for point in middles[1:]:
        path.lineTo(point)
    return path


def _pattern_tile(kind: str, colour: QColor, ratio: float) -> QPixmap:
    """One seamless tile of diagonal hatching or staggered dots, in device pixels."""
    if kind == "hatch":
        size = max(4, round(6.5 * ratio))
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(colour, 1.3 * ratio))
        # The line and its neighbours either side, so the tile joins up with itself.
        for shift in (-size, 0, size):
            painter.drawLine(QLineF(shift, size, shift + size, 0))
        painter.end()
        return QPixmap.fromImage(image)
    width = max(5, round(7.5 * ratio))
    height = round(width * 1.73)
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    radius = 1.4 * ratio
    for x, y in ((0, 0), (width, 0), (0, height), (width, height), (width / 2, height / 2)):
        painter.drawEllipse(QPointF(x, y), radius, radius)
    painter.end()
    return QPixmap.fromImage(image)


def _paint_arrowhead(
    painter: QPainter, tip: QPointF, angle_deg: float, size: float, rim_width: float
) -> None:
    """A white arrowhead ``size`` long with a dark rim, its tip at ``tip``, pointing along
    ``angle_deg`` (Qt's angle: counter-clockwise); sizes in the painter's units."""
    angle = math.radians(angle_deg)
    dx, dy = math.cos(angle), -math.sin(angle)
    back = QPointF(tip.x() - dx * size, tip.y() - dy * size)
    nx, ny = -dy * size * 0.55, dx * size * 0.55
    head = QPolygonF(
        [tip, QPointF(back.x() + nx, back.y() + ny), QPointF(back.x() - nx, back.y() - ny)]
    )
    rim = QPen(MOTION_HALO, rim_width)
    rim.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(rim)
    painter.setBrush(MOTION)
    painter.drawPolygon(head)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawPolygon(head)


def _sprite(kind: str, size: float, opacity: float, angle_deg: float, ratio: float) -> QPixmap:
    """A white mark with a dark rim, centred in a transparent square: a ``dot`` or a
    ``ring`` of radius ``size``, or an ``arrow`` head ``size`` long with its tip at the
    centre, pointing along ``angle_deg`` (counter-clockwise from 3 o'clock)."""
    extent = math.ceil((size + 5) * 2 * ratio)
    image = QImage(extent, extent, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.translate(extent / 2, extent / 2)
    painter.scale(ratio, ratio)
    painter.setOpacity(opacity)
    if kind == "arrow":
        _paint_arrowhead(painter, QPointF(0, 0), angle_deg, size, 2.5)
    elif kind == "ring":
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(MOTION_HALO, 4.6))
        painter.drawEllipse(QPointF(0, 0), size, size)
        painter.setPen(QPen(MOTION, 2.2))
        painter.drawEllipse(QPointF(0, 0), size, size)
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(MOTION_HALO)
        painter.drawEllipse(QPointF(0, 0), size + 1.5, size + 1.5)
        painter.setBrush(MOTION)
        painter.drawEllipse(QPointF(0, 0), size, size)
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def _sample_at(samples: Sequence[tuple[float, float]], t: float) -> QPointF:
    """The point ``t`` (0..1) of the way along evenly spaced samples."""
    last = len(samples) - 1
    position = min(max(t, 0.0), 1.0) * last
    index = min(int(position), last - 1)
    fraction = position - index
    (x0, y0), (x1, y1) = samples[index], samples[index + 1]
    return QPointF(x0 + (x1 - x0) * fraction, y0 + (y1 - y0) * fraction)


def _faint() -> QColor:
    colour = QColor(MOTION_HALO)
    colour.setAlpha(130)
    return colour


def _hand_path(centre: QPointF, size: float, *, mirrored: bool) -> QPainterPath:
    """A flat hand seen from above, fingers towards the head, about ``2 size`` long."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    palm = QRectF(-size * 0.55, -size * 0.2, size * 1.1, size * 1.05)
    path.addRoundedRect(palm, size * 0.4, size * 0.4)
    finger_w = size * 0.25
    lengths = (0.62, 0.78, 0.72, 0.55)
    for i, length in enumerate(lengths):
        x = -size * 0.52 + i * size * 0.27
        finger = QRectF(x, -size * 0.2 - size * length, finger_w, size * length + size * 0.25)
        path.addRoundedRect(finger, finger_w / 2, finger_w / 2)
    thumb = QPainterPath()
    thumb.addRoundedRect(
        QRectF(-finger_w / 2, -size * 0.6, finger_w * 1.1, size * 0.7), finger_w / 2, finger_w / 2
    )
    # The thumb leans out from the lower side of the palm.
    turn = QTransform()
    turn.translate(-size * 0.42, size * 0.42)
    turn.rotate(-42)
    path.addPath(turn.map(thumb))
    path = path.simplified()
    transform = QTransform()
    transform.translate(centre.x(), centre.y())
    if mirrored:
        transform.scale(-1, 1)
    return transform.map(path)


__all__ = [
    "ANIMATION_INTERVAL_MS",
    "LEFT_LABEL",
    "RIGHT_LABEL",
    "BackDiagramView",
    "Movement",
    "movement_for",
    "rule_text",
    "short_reason",
]
