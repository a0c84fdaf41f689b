"""Printable routine handouts: one QPainter renderer for PDF files and printers.

:func:`render_handout` lays the handout out on any ``QPagedPaintDevice`` (a
``QPdfWriter`` or a ``QPrinter``): title and summary, the back diagram with a legend,
the zone rules and a step timeline on the first page, then every step in full, the
reasons not to massage, preparation, common mistakes and aftercare. Zones carry
patterns as well as colours (hatching for no-go, dots for caution) so a greyscale
print still reads.

All text is drawn as text, so a PDF reader can search and copy it. QtPrintSupport is
imported only inside :func:`print_handout`, so nothing here slows the app's start.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QMarginsF, QPointF, QRectF, QSaveFile, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QPolygonF,
)

from massage_trainer.domain.content import ContentLibrary, aftercare_items, preparation_items
from massage_trainer.domain.diagram import DiagramError
from massage_trainer.domain.models import (
    Direction,
    Pressure,
    Routine,
    SafetyTier,
    Side,
    Step,
    TechniqueFamily,
    Zone,
)
from massage_trainer.ui.controller import (
    describe_zones,
    pressure_text,
    short_zone_name,
    step_duration_text,
)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

PAGE_SIZES = ("A4", "Letter")
"""The paper sizes a handout can be made for."""

_PAGE_SIZE_IDS = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
MARGIN_MM = 15.0
FONT_FAMILIES = ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Noto Sans"]
"""Common sans-serif families, first found wins; the PDF embeds the one used."""

INK = QColor("#1f2328")
MUTED = QColor("#5a6470")
ACCENT = QColor("#1d5c8c")
RULE = QColor("#c9d1d9")
PANEL = QColor("#f3f6f9")

# Zone fills: colour for screens and colour printers, plus a pattern for greyscale.
SAFE_WORKED = QColor(63, 158, 98, 150)
SAFE_FILL = QColor(63, 158, 98, 55)
CAUTION_FILL = QColor(232, 163, 23, 90)
NO_GO_FILL = QColor(216, 53, 42, 70)
SAFE_EDGE = QColor("#2b7046")
CAUTION_EDGE = QColor("#8a5d00")
NO_GO_EDGE = QColor("#9b1f17")
MOVEMENT = QColor("#0b3d66")


class UnknownPageSize(ValueError):
    """The page size is neither A4 nor Letter."""


def page_size_id(page_size: str) -> QPageSize.PageSizeId:
    """The QPageSize id for "A4" or "Letter" (any case); UnknownPageSize otherwise."""
    try:
        return _PAGE_SIZE_IDS[page_size.strip().casefold()]
    except KeyError:
        raise UnknownPageSize(
            f"unknown page size '{page_size}'; use one of: {', '.join(PAGE_SIZES)}"
        ) from None


def default_page_size() -> str:
    """ "Letter" where the locale measures in US units, else "A4"."""
    from PySide6.QtCore import QLocale

    if QLocale().measurementSystem() == QLocale.MeasurementSystem.ImperialUSSystem:
        return "Letter"
    return "A4"


def _clock(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}:{secs:02d}"


# -- the diagram ------------------------------------------------------------------------


@dataclass(frozen=True)
class DiagramGeometry:
    """The back diagram's paths in SVG units: body parts in painting order, and zones."""

    view: QRectF
    parts: tuple[tuple[str, QPainterPath], ...]
    """(SVG class, path) for each body part: outline, hair, cloth, anatomy or bone."""
    zones: Mapping[str, QPainterPath]
    """Zone shape id -> path."""


_geometry_cache: DiagramGeometry | None = None


def diagram_geometry() -> DiagramGeometry:
    """The diagram's geometry from ``massage_trainer.ui.zone_shapes`` (loaded once).

    Raises ``DiagramError`` when the SVG is unusable; callers then leave it out.
    """
    global _geometry_cache
    if _geometry_cache is None:
        from massage_trainer.ui.zone_shapes import load_back_shapes

        shapes = load_back_shapes()
        _geometry_cache = DiagramGeometry(
            view=QRectF(shapes.view_box),
            parts=tuple((part.css_class, part.path) for part in shapes.body_parts),
            zones=shapes.zone_paths,
        )
    return _geometry_cache


# Print-friendly body colours: light skin, mid-grey hair, pale towel, fine lines.
_BODY_STYLE = {
    "outline": ("#fbf4ee", "#8c6a58", 0.25),
    "hair": ("#b3a294", "#7a6658", 0.2),
    "cloth": ("#eef1f5", "#8a96a3", 0.25),
    "bone": ("#fffaf4", "#b59580", 0.15),
    "anatomy": ("", "#c4a595", 0.2),
}


@dataclass(frozen=True)
class DiagramStyle:
    """What to draw on the back: which zones to fill, which to mark, which movement."""

    worked: frozenset[str] = frozenset()
    """Zones drawn strong (worked in the routine, or allowed for the technique)."""
    dim_safe: bool = True
    """Draw the other safe zones faintly."""
    movement: Direction | None = None
    """Draw arrows for this movement on the worked zones."""
    outline: frozenset[str] = frozenset()
    """Zones to ring with a bold outline (the zone a page is about)."""
    show_caution: bool = True
    show_no_go: bool = True


def paint_back_diagram(
    painter: QPainter,
    target: QRectF,
    library: ContentLibrary,
    style: DiagramStyle,
    geometry: DiagramGeometry | None = None,
) -> None:
    """Paint the back into ``target`` (aspect kept): body, zones with patterns, arrows.

    ``painter`` may work on a PDF, a printer or an image; pattern spacing is worked out
    from ``target``'s size, so hatching looks the same at any resolution.
    """
    geometry = geometry if geometry is not None else diagram_geometry()
    view = geometry.view
    scale = min(target.width() / view.width(), target.height() / view.height())
    offset_x = target.left() + (target.width() - view.width() * scale) / 2
    offset_y = target.top() + (target.height() - view.height() * scale) / 2
    # Pattern spacing in SVG units: about 2.6 % of the drawing's width.
    unit = view.width() / 100.0

    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.translate(offset_x, offset_y)
    painter.scale(scale, scale)
    painter.translate(-view.left(), -view.top())

    for css_class, part in geometry.parts:
        fill, stroke, width = _BODY_STYLE.get(css_class, _BODY_STYLE["anatomy"])
        pen = QPen(QColor(stroke), width * unit)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(QColor(fill) if fill else Qt.BrushStyle.NoBrush)
        painter.drawPath(part)

    for zone in library.zones.values():
        zone_path = geometry.zones.get(zone.shape_id, geometry.zones.get(zone.id))
        if zone_path is not None:
            _paint_zone(painter, zone_path, zone, style, unit)

    ring = QPen(MOVEMENT, 0.9 * unit)
    ring.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    for zone_id in sorted(style.outline):
        path = geometry.zones.get(zone_id)
        if path is not None:
            painter.setPen(ring)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)

    if style.movement is not None:
        for zone_id in sorted(style.worked):
            path = geometry.zones.get(zone_id)
            if path is not None:
                _paint_movement(painter, path, style.movement, view.center().x(), unit)
    painter.restore()


def _paint_zone(
    painter: QPainter, path: QPainterPath, zone: Zone, style: DiagramStyle, unit: float
) -> None:
    if zone.tier is SafetyTier.NO_GO:
        if not style.show_no_go:
            return
        _fill_pattern(painter, path, NO_GO_FILL, NO_GO_EDGE, "hatch", unit)
    elif zone.tier is SafetyTier.CAUTION:
        if not style.show_caution:
            return
        strong = zone.id in style.worked
        fill = CAUTION_FILL if strong or not style.worked else QColor(232, 163, 23, 45)
        _fill_pattern(painter, path, fill, CAUTION_EDGE, "dots", unit, strong=strong)
    else:
        strong = zone.id in style.worked
        if not strong and not style.dim_safe:
            return
        fill = SAFE_WORKED if strong else SAFE_FILL
        painter.setPen(QPen(SAFE_EDGE, (0.45 if strong else 0.2) * unit))
        painter.setBrush(fill)
        painter.drawPath(path)


def _fill_pattern(
    painter: QPainter,
    path: QPainterPath,
    fill: QColor,
    edge: QColor,
    pattern: str,
    unit: float,
    *,
    strong: bool = True,
) -> None:
    """Fill ``path`` with a tint plus hatching or dots drawn as real lines and circles.

    Qt's built-in pattern brushes are sized in device pixels: at a PDF's 1200 dpi they
    shrink to nothing, so the pattern is drawn by hand, clipped to the zone.
    """
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawPath(path)
    painter.save()
    painter.setClipPath(path, Qt.ClipOperation.IntersectClip)
    bounds = path.boundingRect()
    if pattern == "hatch":
        painter.setPen(QPen(edge, 0.28 * unit))
        step = 1.6 * unit
        start = bounds.left() - bounds.height()
        x = start
        while x < bounds.right():
            painter.drawLine(QLineF(x, bounds.bottom(), x + bounds.height(), bounds.top()))
            x += step
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(edge)
        step = 1.9 * unit
        radius = 0.42 * unit
        row = 0
        y = bounds.top() + step / 2
        while y < bounds.bottom() + step:
            x = bounds.left() + (step / 2 if row % 2 else 0)
            while x < bounds.right() + step:
                painter.drawEllipse(QPointF(x, y), radius, radius)
                x += step
            y += step * 0.87
            row += 1
    painter.restore()
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(edge, (0.45 if strong else 0.25) * unit))
    painter.drawPath(path)


def _paint_movement(
    painter: QPainter, path: QPainterPath, direction: Direction, midline: float, unit: float
) -> None:
    """Arrows (or circles, or hold marks) showing how a technique moves on one zone."""
    pen = QPen(MOVEMENT, 0.5 * unit)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    for polygon in path.toSubpathPolygons():
        box = polygon.boundingRect()
        if box.width() < unit or box.height() < unit:
            continue
        centre = box.center()
        half_h = min(box.height() * 0.32, 9 * unit)
        half_w = min(box.width() * 0.32, 9 * unit)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if direction in (Direction.UP, Direction.DOWN):
            sign = -1 if direction is Direction.UP else 1
            start = QPointF(centre.x(), centre.y() - sign * half_h)
            end = QPointF(centre.x(), centre.y() + sign * half_h)
            _arrow(painter, start, end, unit)
        elif direction in (Direction.OUTWARD, Direction.INWARD):
            away = 1 if centre.x() >= midline else -1
            if direction is Direction.INWARD:
                away = -away
            start = QPointF(centre.x() - away * half_w, centre.y())
            end = QPointF(centre.x() + away * half_w, centre.y())
            _arrow(painter, start, end, unit)
        elif direction is Direction.CIRCULAR:
            radius = max(min(half_w, half_h) * 0.7, 1.5 * unit)
            arc = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
            painter.drawArc(arc, 30 * 16, 300 * 16)
            tip = QPointF(
                centre.x() + radius * math.cos(math.radians(30)),
                centre.y() - radius * math.sin(math.radians(30)),
            )
            _arrow_head(painter, tip, QPointF(0, 1), unit)
        elif direction is Direction.IN_PLACE:
            # A short zigzag: working on the spot.
            width = max(min(half_w, 5 * unit), 2 * unit)
            points = [
                QPointF(centre.x() - width + i * width / 2, centre.y() + (unit if i % 2 else -unit))
                for i in range(5)
            ]
            painter.drawPolyline(QPolygonF(points))
        else:
            painter.setBrush(MOVEMENT)
            painter.drawEllipse(centre, 1.1 * unit, 1.1 * unit)


def _arrow(painter: QPainter, start: QPointF, end: QPointF, unit: float) -> None:
    painter.drawLine(QLineF(start, end))
    direction = end - start
    length = math.hypot(direction.x(), direction.y()) or 1.0
    _arrow_head(painter, end, QPointF(direction.x() / length, direction.y() / length), unit)


def _arrow_head(painter: QPainter, tip: QPointF, along: QPointF, unit: float) -> None:
    size = 1.8 * unit
    normal = QPointF(-along.y(), along.x())
    base = tip - along * size
    head = QPolygonF([tip, base + normal * (size * 0.6), base - normal * (size * 0.6)])
    painter.save()
    painter.setBrush(painter.pen().color())
    painter.drawPolygon(head)
    painter.restore()


def paint_legend_swatch(painter: QPainter, box: QRectF, tier: SafetyTier, *, worked: bool) -> None:
    """A small legend square with the same fill and pattern as the zones of ``tier``."""
    path = QPainterPath()
    path.addRoundedRect(box, box.width() * 0.12, box.width() * 0.12)
    unit = box.width() / 7.0
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    if tier is SafetyTier.NO_GO:
        _fill_pattern(painter, path, NO_GO_FILL, NO_GO_EDGE, "hatch", unit)
    elif tier is SafetyTier.CAUTION:
        _fill_pattern(painter, path, CAUTION_FILL, CAUTION_EDGE, "dots", unit)
    else:
        painter.setPen(QPen(SAFE_EDGE, 0.45 * unit if worked else 0.25 * unit))
        painter.setBrush(SAFE_WORKED if worked else SAFE_FILL)
        painter.drawPath(path)
    painter.restore()


# -- page layout ------------------------------------------------------------------------


class _Fonts:
    def __init__(self) -> None:
        self.kicker = _font(7.5, bold=True, spacing=1.5)
        self.title = _font(20, bold=True)
        self.meta = _font(9.5)
        self.body = _font(9.5)
        self.small = _font(8.5)
        self.small_bold = _font(8.5, bold=True)
        self.small_italic = _font(8.5, italic=True)
        self.h2 = _font(13, bold=True)
        self.h3 = _font(10, bold=True)
        self.step_title = _font(11, bold=True)
        self.number = _font(10, bold=True)
        self.footer = _font(7.5)


def _font(points: float, *, bold: bool = False, italic: bool = False, spacing: float = 0) -> QFont:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setPointSizeF(points)
    font.setBold(bold)
    font.setItalic(italic)
    if spacing:
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, spacing)
    # Ligatures turn "fi" into one glyph, which text extraction and search then see as
    # a single odd character: the handout's text must stay findable, so they are off.
    font.setFeature(QFont.Tag("liga"), 0)
    font.setFeature(QFont.Tag("clig"), 0)
    return font


_WRAP = (
    int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft) | int(Qt.AlignmentFlag.AlignTop)
)


class _Pages:
    """A flowing cursor over the pages; measures always, paints when it has a painter.

    The handout is laid out twice with the same code: once without a painter to count
    the pages ("page 2 of 3" needs the total), then for real.
    """

    def __init__(
        self,
        device: QPagedPaintDevice,
        painter: QPainter | None,
        fonts: _Fonts,
        running_title: str,
        total_pages: int,
        spacing: float = 1.0,
        early_end: tuple[int, float] | None = None,
    ) -> None:
        self.device = device
        self.spacing = spacing
        """How much of the usual space goes between blocks (1.0: all of it)."""
        self.early_end = early_end
        """(page, device units): that page's text ends this much higher than the others'."""
        self.painter = painter
        self.fonts = fonts
        self.running_title = running_title
        self.total_pages = total_pages
        self.scale = device.logicalDpiY() / 72.0
        self.width = float(device.width())
        self.page_height = float(device.height())
        self.full_bottom = self.page_height - self.pt(22)
        """Where a page's text ends (the footer is below)."""
        self.page = 1
        self.bottom = self._page_bottom()
        self.y = 0.0
        self.top = 0.0

    def pt(self, points: float) -> float:
        """Points (1/72 inch) to device units."""
        return points * self.scale

    def gap(self, points: float) -> float:
        """A vertical gap between blocks, in device units: ``points`` times ``spacing``."""
        return self.pt(points * self.spacing)

    def used(self) -> float:
        """How much of this page's text area is taken, from 0 to 1."""
        return max(0.0, self.y - self.top) / max(1.0, self.bottom - self.top)

    # measuring
    def metrics(self, font: QFont) -> QFontMetricsF:
        return QFontMetricsF(font, self.device)

    def text_height(self, font: QFont, text: str, width: float) -> float:
        rect = self.metrics(font).boundingRect(QRectF(0, 0, width, 1e9), _WRAP, text)
        return math.ceil(rect.height())

    def text_width(self, font: QFont, text: str) -> float:
        return self.metrics(font).horizontalAdvance(text)

    # flowing
    def remaining(self) -> float:
        return self.bottom - self.y

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` still fits on this one."""
        if self.y + height > self.bottom and self.y > self.top + 1:
            self.new_page()

    def new_page(self) -> None:
        self._footer()
        if self.painter is not None:
            self.device.newPage()
        self.page += 1
        self.bottom = self._page_bottom()
        self.y = 0.0
        self._running_header()

    def _page_bottom(self) -> float:
        page, lift = self.early_end or (0, 0.0)
        return self.full_bottom - (lift if self.page == page else 0.0)

    def finish(self) -> None:
        self._footer()

    def _running_header(self) -> None:
        font = self.fonts.footer
        height = self.metrics(font).height()
        if self.painter is not None:
            self.painter.setFont(font)
            self.painter.setPen(MUTED)
            self.painter.drawText(
                QRectF(0, 0, self.width, height),
                int(Qt.AlignmentFlag.AlignLeft),
                self.running_title,
            )
            self.painter.setPen(QPen(RULE, self.pt(0.6)))
            self.painter.drawLine(QLineF(0, height + self.pt(3), self.width, height + self.pt(3)))
        self.y = height + self.pt(12)
        self.top = self.y

    def _footer(self) -> None:
        if self.painter is None:
            return
        font = self.fonts.footer
        height = self.metrics(font).height()
        y = self.page_height - height
        self.painter.setPen(QPen(RULE, self.pt(0.6)))
        self.painter.drawLine(QLineF(0, y - self.pt(5), self.width, y - self.pt(5)))
        self.painter.setFont(font)
        self.painter.setPen(MUTED)
        left = "Massage Trainer handout: a practice aid, not medical advice"
        self.painter.drawText(
            QRectF(0, y, self.width, height), int(Qt.AlignmentFlag.AlignLeft), left
        )
        right = f"Page {self.page} of {max(self.total_pages, self.page)}"
        self.painter.drawText(
            QRectF(0, y, self.width, height), int(Qt.AlignmentFlag.AlignRight), right
        )

    # drawing
    def text(
        self,
        font: QFont,
        text: str,
        x: float,
        width: float,
        *,
        color: QColor = INK,
        y: float | None = None,
    ) -> float:
        """Draw wrapped text at (x, y or the cursor); return its height (cursor unchanged)."""
        top = self.y if y is None else y
        height = self.text_height(font, text, width)
        if self.painter is not None:
            self.painter.setFont(font)
            self.painter.setPen(color)
            self.painter.drawText(
                QRectF(x, top, width, height + self.pt(2)),
                _WRAP | int(Qt.TextFlag.TextDontClip),
                text,
            )
        return height

    def paragraph(
        self,
        font: QFont,
        text: str,
        *,
        x: float = 0,
        width: float | None = None,
        color: QColor = INK,
        after: float = 4,
    ) -> None:
        """Wrapped text at the cursor, moved to a new page first if it does not fit."""
        width = self.width - x if width is None else width
        height = self.text_height(font, text, width)
        self.ensure(height)
        self.text(font, text, x, width, color=color)
        self.y += height + self.gap(after)

    def heading(self, text: str, *, keep_with: float = 60) -> None:
        """A section heading with a rule, kept on the same page as what follows."""
        font = self.fonts.h2
        height = self.text_height(font, text, self.width)
        # All the heading's own space counts, the gap above it too (unless a new page
        # starts with it), so that what it is kept with really fits below it.
        own = height + self.gap(3) + self.gap(8)
        self.ensure(self.gap(10) + own + self.pt(keep_with))
        if self.y > self.top + 1:
            self.y += self.gap(10)
        self.text(font, text, 0, self.width, color=ACCENT)
        self.y += height + self.gap(3)
        if self.painter is not None:
            self.painter.setPen(QPen(ACCENT, self.pt(1.2)))
            self.painter.drawLine(QLineF(0, self.y, self.pt(36), self.y))
        self.y += self.gap(8)


# -- the handout's sections -------------------------------------------------------------


def _lay_out(pages: _Pages, library: ContentLibrary, routine: Routine) -> None:
    _title_block(pages, routine)
    _overview(pages, library, routine)
    starts = _start_times(routine)
    # Keep the heading with the whole first step, not alone at the foot of a page.
    first = _step_block(pages, library, routine, 1, routine.steps[0], 0, measure_only=True)
    pages.heading("The steps", keep_with=first / pages.scale)
    for number, step in enumerate(routine.steps, start=1):
        _step_block(pages, library, routine, number, step, starts[number - 1])
    _contraindications(pages, library)
    _preparation(pages, library, routine)
    _mistakes(pages, library)
    _aftercare(pages, library, routine)
    pages.finish()


def _start_times(routine: Routine) -> list[int]:
    starts, elapsed = [], 0
    for step in routine.steps:
        starts.append(elapsed)
        elapsed += step.duration_s
    return starts


def _title_block(pages: _Pages, routine: Routine) -> None:
    fonts = pages.fonts
    pages.paragraph(fonts.kicker, "ROUTINE HANDOUT", color=ACCENT, after=4)
    pages.paragraph(fonts.title, routine.title, after=4)
    total = routine.total_seconds
    facts = [
        routine.audience.label,
        f"{len(routine.steps)} steps",
        f"{step_duration_text(total)} in all" if total % 60 else f"{total // 60} minutes in all",
    ]
    pages.paragraph(fonts.meta, "  ·  ".join(facts), color=MUTED, after=8)
    pages.paragraph(fonts.body, routine.summary, after=10)


def _overview(pages: _Pages, library: ContentLibrary, routine: Routine) -> None:
    """The diagram and legend on the left; zone rules and a step timeline on the right."""
    fonts = pages.fonts
    gap = pages.pt(18)
    left_w = min(pages.pt(190), pages.width * 0.38)
    right_x = left_w + gap
    right_w = pages.width - right_x
    diagram_h = left_w * 530 / 400
    worked = frozenset(zone for step in routine.steps for zone in step.zones)

    legend = [
        (SafetyTier.SAFE, True, "Safe: worked in this routine"),
        (SafetyTier.SAFE, False, "Safe: not used in this routine"),
        (SafetyTier.CAUTION, False, "Caution: light pressure only (dots)"),
        (SafetyTier.NO_GO, False, "No-go: never press here (hatched)"),
    ]
    swatch = pages.pt(11)
    row_h = max(swatch, pages.metrics(fonts.small).height()) + pages.pt(4)
    caption_h = pages.text_height(fonts.small_italic, _DIAGRAM_CAPTION, left_w)
    left_h = diagram_h + pages.pt(8) + caption_h + pages.pt(6) + row_h * len(legend)

    rules_h = _zone_rules_height(pages, library, right_w)
    right_h = rules_h + pages.pt(12) + _timeline_height(pages, routine, right_w)
    # A long routine's timeline does not fit beside the diagram: it then follows the
    # diagram at full width and runs on over the pages, rather than off the page.
    beside = max(left_h, right_h) <= pages.remaining()
    if not beside:
        right_h = rules_h
    pages.ensure(max(left_h, right_h))
    top = pages.y

    painter = pages.painter
    if painter is not None:
        painter.save()
        panel = QRectF(0, top, left_w, diagram_h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(PANEL)
        painter.drawRoundedRect(panel, pages.pt(6), pages.pt(6))
        inset = panel.adjusted(pages.pt(6), pages.pt(6), -pages.pt(6), -pages.pt(6))
        try:
            geometry = diagram_geometry()
        except DiagramError as exc:
            # Degrade, never fail: the steps and rules matter more than the picture.
            painter.setPen(MUTED)
            painter.setFont(fonts.small)
            painter.drawText(
                inset,
                int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignCenter),
                f"(No diagram: {exc})",
            )
        else:
            paint_back_diagram(painter, inset, library, DiagramStyle(worked=worked), geometry)
        painter.restore()
        # Side labels: the diagram shows the back from behind.
        painter.setFont(fonts.footer)
        painter.setPen(MUTED)
        label_h = pages.metrics(fonts.footer).height()
        painter.drawText(
            QRectF(pages.pt(8), top + diagram_h - label_h - pages.pt(5), left_w, label_h),
            int(Qt.AlignmentFlag.AlignLeft),
            "LEFT",
        )
        painter.drawText(
            QRectF(0, top + diagram_h - label_h - pages.pt(5), left_w - pages.pt(8), label_h),
            int(Qt.AlignmentFlag.AlignRight),
            "RIGHT",
        )
    y = top + diagram_h + pages.pt(8)
    y += pages.text(fonts.small_italic, _DIAGRAM_CAPTION, 0, left_w, color=MUTED, y=y)
    y += pages.pt(6)
    for tier, is_worked, label in legend:
        if painter is not None:
            paint_legend_swatch(painter, QRectF(0, y, swatch, swatch), tier, worked=is_worked)
        pages.text(fonts.small, label, swatch + pages.pt(6), left_w - swatch, y=y)
        y += row_h

    right_y = _zone_rules(pages, library, right_x, right_w, top)
    if beside:
        _timeline(pages, library, routine, right_x, right_w, right_y + pages.pt(12))
    pages.y = top + max(left_h, right_h) + pages.pt(6)
    if not beside:
        _flowing_timeline(pages, library, routine)


_DIAGRAM_CAPTION = (
    "The back as you see it with your partner lying face down: their left is on your left."
)


def _tier_groups(library: ContentLibrary) -> list[tuple[SafetyTier, str, str]]:
    """(tier, headline, zone list) rows for the zone rules, built from the content."""
    rows: list[tuple[SafetyTier, str, str]] = []
    zones = list(library.zones.values())
    no_go = [z for z in zones if z.tier is SafetyTier.NO_GO]
    caution = [z for z in zones if z.tier is SafetyTier.CAUTION]
    safe = [z for z in zones if z.tier is SafetyTier.SAFE]
    if no_go:
        rows.append((SafetyTier.NO_GO, "No-go: no pressure, no technique", _names(no_go)))
    if caution:
        families = sorted({f for z in caution for f in z.allowed_families}, key=_family_order)
        rows.append(
            (
                SafetyTier.CAUTION,
                "Caution: light pressure only",
                f"{_names(caution)}. Only gentle {_family_list(families)}.",
            )
        )
    for pressure in (Pressure.FIRM, Pressure.MODERATE, Pressure.LIGHT):
        group = [z for z in safe if z.max_pressure is pressure]
        if group:
            headline = (
                "Safe: up to firm pressure"
                if pressure is Pressure.FIRM
                else f"Safe: {pressure.value} pressure at most"
            )
            rows.append((SafetyTier.SAFE, headline, _names(group)))
    percussion = [z for z in zones if TechniqueFamily.TAPOTEMENT in z.allowed_families]
    if percussion:
        rows.append(
            (
                SafetyTier.SAFE,
                "Tapping and cupping only on",
                f"{_names(percussion)}. Never on bone, the kidney areas or the shoulder tops.",
            )
        )
    return rows


def _family_order(family: TechniqueFamily) -> int:
    return list(TechniqueFamily).index(family)


def _family_list(families: Sequence[TechniqueFamily]) -> str:
    words = [f.value for f in families if f is not TechniqueFamily.REST]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _names(zones: Iterable[Zone]) -> str:
    """Zone names without brackets, a left/right pair named once: "Kidney area (both)"."""
    seen: dict[str, set[Side]] = {}
    for zone in zones:
        seen.setdefault(short_zone_name(zone), set()).add(zone.side)
    parts = []
    for name, sides in seen.items():
        parts.append(f"{name} (both sides)" if {Side.LEFT, Side.RIGHT} <= sides else name)
    return ", ".join(parts)


def _zone_rules_height(pages: _Pages, library: ContentLibrary, width: float) -> float:
    fonts = pages.fonts
    height = pages.text_height(fonts.h3, "Zone rules", width) + pages.pt(5)
    text_w = width - pages.pt(17)
    for _, headline, names in _tier_groups(library):
        height += pages.text_height(fonts.small_bold, headline, text_w)
        height += pages.text_height(fonts.small, names, text_w) + pages.pt(5)
    return height


def _zone_rules(pages: _Pages, library: ContentLibrary, x: float, width: float, y: float) -> float:
    fonts = pages.fonts
    y += pages.text(fonts.h3, "Zone rules", x, width, color=ACCENT, y=y) + pages.pt(5)
    swatch = pages.pt(11)
    text_x = x + pages.pt(17)
    text_w = width - pages.pt(17)
    for tier, headline, names in _tier_groups(library):
        if pages.painter is not None:
            paint_legend_swatch(
                pages.painter, QRectF(x, y + pages.pt(1), swatch, swatch), tier, worked=True
            )
        y += pages.text(fonts.small_bold, headline, text_x, text_w, y=y)
        y += pages.text(fonts.small, names, text_x, text_w, y=y, color=INK) + pages.pt(5)
    return y


def _timeline_height(pages: _Pages, routine: Routine, width: float) -> float:
    fonts = pages.fonts
    row = pages.metrics(fonts.small).height() + pages.pt(3.5)
    return (
        pages.text_height(fonts.h3, "Timeline", width)
        + pages.pt(5)
        + row * (len(routine.steps) + 2)
    )


def _timeline(
    pages: _Pages, library: ContentLibrary, routine: Routine, x: float, width: float, y: float
) -> None:
    """A compact table: step number, technique, clock time from the start, minutes."""
    fonts = pages.fonts
    y += pages.text(fonts.h3, "Timeline", x, width, color=ACCENT, y=y) + pages.pt(5)
    table = _TimelineTable(pages, library, routine, x, width)
    y = table.header(y)
    for number in range(1, len(routine.steps) + 1):
        y = table.step_row(number, y)
    table.total(y)


def _flowing_timeline(pages: _Pages, library: ContentLibrary, routine: Routine) -> None:
    """The timeline at full width, running on over pages, its header on each page."""
    fonts = pages.fonts
    table = _TimelineTable(pages, library, routine, 0, pages.width)
    title_h = pages.text_height(fonts.h3, "Timeline", pages.width)
    pages.ensure(title_h + pages.pt(5) + table.row * 4)
    pages.y += pages.pt(6)
    pages.text(fonts.h3, "Timeline", 0, pages.width, color=ACCENT)
    pages.y = table.header(pages.y + title_h + pages.pt(5))
    for number in range(1, len(routine.steps) + 1):
        last = number == len(routine.steps)
        # The last step stays with the total.
        if pages.y + table.row * (2 if last else 1) + pages.pt(2) > pages.bottom:
            pages.new_page()
            pages.y = table.header(pages.y)
        pages.y = table.step_row(number, pages.y)
    table.total(pages.y)
    pages.y += table.row + pages.pt(12)


class _TimelineTable:
    """The timeline's columns and rows: step number, technique, clock time, length."""

    def __init__(
        self, pages: _Pages, library: ContentLibrary, routine: Routine, x: float, width: float
    ) -> None:
        self.pages = pages
        self.library = library
        self.routine = routine
        self.x = x
        self.width = width
        fonts = pages.fonts
        self.row = pages.metrics(fonts.small).height() + pages.pt(3.5)
        self.starts = _start_times(routine)
        # Wide enough for the longest clock times ("99:30–100:00" in a long routine).
        widest = f"{_clock(routine.total_seconds)}–{_clock(routine.total_seconds)}"
        self.col_no = max(pages.pt(18), pages.text_width(fonts.small, str(len(routine.steps))))
        self.col_time = max(pages.pt(62), pages.text_width(fonts.small, widest) + pages.pt(6))
        # Wide enough for every length, the bold total too ("27 min 30 s"), uncut.
        lengths = [(fonts.small, step_duration_text(s.duration_s)) for s in routine.steps]
        lengths.append((fonts.small_bold, step_duration_text(routine.total_seconds)))
        self.col_len = max(
            pages.pt(50), *(pages.text_width(f, t) + pages.pt(2) for f, t in lengths)
        )
        self.name_w = width - self.col_no - self.col_time - self.col_len

    def header(self, y: float) -> float:
        pages = self.pages
        cells = [
            ("#", self.col_no),
            ("Technique", self.name_w),
            ("Clock", self.col_time),
            ("Time", self.col_len),
        ]
        _table_row(pages, self.x, y, cells, pages.fonts.small_bold, MUTED)
        y += self.row
        if pages.painter is not None:
            pages.painter.setPen(QPen(RULE, pages.pt(0.6)))
            pages.painter.drawLine(
                QLineF(self.x, y - pages.pt(2), self.x + self.width, y - pages.pt(2))
            )
        return y

    def step_row(self, number: int, y: float) -> float:
        pages = self.pages
        fonts = pages.fonts
        step = self.routine.steps[number - 1]
        technique = self.library.techniques.get(step.technique)
        name = technique.name if technique is not None else step.technique
        name = pages.metrics(fonts.small).elidedText(
            name, Qt.TextElideMode.ElideRight, self.name_w - pages.pt(4)
        )
        start = self.starts[number - 1]
        end = start + step.duration_s
        cells = [
            (str(number), self.col_no),
            (name, self.name_w),
            (f"{_clock(start)}–{_clock(end)}", self.col_time),
            (step_duration_text(step.duration_s), self.col_len),
        ]
        if pages.painter is not None and number % 2 == 0:
            pages.painter.fillRect(QRectF(self.x, y - pages.pt(1.5), self.width, self.row), PANEL)
        _table_row(pages, self.x, y, cells, fonts.small, INK)
        return y + self.row

    def total(self, y: float) -> None:
        pages = self.pages
        if pages.painter is not None:
            pages.painter.setPen(QPen(RULE, pages.pt(0.6)))
            pages.painter.drawLine(QLineF(self.x, y, self.x + self.width, y))
        cells = [
            ("", self.col_no),
            ("Total", self.name_w),
            ("", self.col_time),
            (step_duration_text(self.routine.total_seconds), self.col_len),
        ]
        _table_row(pages, self.x, y + pages.pt(2), cells, pages.fonts.small_bold, INK)


def _table_row(
    pages: _Pages,
    x: float,
    y: float,
    cells: Sequence[tuple[str, float]],
    font: QFont,
    color: QColor,
) -> None:
    if pages.painter is None:
        return
    pages.painter.setFont(font)
    pages.painter.setPen(color)
    height = pages.metrics(font).height()
    for text, width in cells:
        pages.painter.drawText(QRectF(x, y, width, height), int(Qt.AlignmentFlag.AlignLeft), text)
        x += width


def _step_details(step: Step) -> str:
    parts = [pressure_text(step.pressure), step.direction.label]
    if step.repetitions:
        parts.append(f"about {step.repetitions} strokes")
    if step.cycles:
        parts.append(f"{step.cycles} rounds" if step.cycles > 1 else "1 round")
    return "  ·  ".join(parts)


def _step_block(
    pages: _Pages,
    library: ContentLibrary,
    routine: Routine,
    number: int,
    step: Step,
    start: int,
    *,
    measure_only: bool = False,
) -> float:
    """Lay out one numbered step, kept on one page; return its height."""
    fonts = pages.fonts
    technique = library.techniques.get(step.technique)
    name = technique.name if technique is not None else step.technique
    indent = pages.pt(30)
    body_w = pages.width - indent
    time_text = step_duration_text(step.duration_s)
    time_w = pages.text_width(fonts.step_title, time_text) + pages.pt(4)
    when = f"{_clock(start)} to {_clock(start + step.duration_s)}"
    when_w = pages.text_width(fonts.small, when) + pages.pt(4)
    zones = [library.zones[z] for z in step.zones if z in library.zones]
    where = "Where: " + (describe_zones(zones) or ", ".join(step.zones))
    details = _step_details(step)

    title_h = pages.text_height(fonts.step_title, name, body_w - time_w - pages.pt(8))
    # The details line sits beside the clock times under the step's length.
    parts = [
        (fonts.small, details, MUTED, 2.0, body_w - when_w),
        (fonts.small, where, MUTED, 4.0, body_w),
        (fonts.body, step.instruction, INK, 3.0, body_w),
    ]
    heights = [pages.text_height(f, t, w) for f, t, _, _, w in parts]
    cautions = [f"Take care: {c}" for c in step.cautions]
    caution_heights = [
        pages.text_height(fonts.small_italic, c, body_w - pages.pt(8)) for c in cautions
    ]
    total = (
        title_h
        + pages.gap(3)
        + sum(h + pages.gap(a) for h, (_, _, _, a, _) in zip(heights, parts, strict=True))
        + sum(h + pages.gap(2) for h in caution_heights)
        + pages.gap(12)
    )
    if measure_only:
        return total
    pages.ensure(total)
    top = pages.y
    painter = pages.painter
    if painter is not None:
        radius = pages.pt(10)
        centre = QPointF(radius, top + radius - pages.pt(2))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ACCENT)
        painter.drawEllipse(centre, radius, radius)
        painter.setPen(QColor("white"))
        painter.setFont(fonts.number)
        painter.drawText(
            QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius),
            int(Qt.AlignmentFlag.AlignCenter),
            str(number),
        )
        painter.restore()
    pages.text(fonts.step_title, name, indent, body_w - time_w - pages.pt(8))
    pages.text(fonts.step_title, time_text, pages.width - time_w, time_w, y=top)
    pages.text(
        fonts.small,
        when,
        pages.width - when_w,
        when_w,
        color=MUTED,
        y=top + pages.metrics(fonts.step_title).height(),
    )
    pages.y += title_h + pages.gap(3)
    for (font, text, color, after, width), height in zip(parts, heights, strict=True):
        pages.text(font, text, indent, width, color=color)
        pages.y += height + pages.gap(after)
    for caution, height in zip(cautions, caution_heights, strict=True):
        if painter is not None:
            painter.setPen(QPen(CAUTION_EDGE, pages.pt(1.5)))
            painter.drawLine(
                QLineF(
                    indent + pages.pt(1),
                    pages.y + pages.pt(1),
                    indent + pages.pt(1),
                    pages.y + height - pages.pt(1),
                )
            )
        pages.text(fonts.small_italic, caution, indent + pages.pt(8), body_w - pages.pt(8))
        pages.y += height + pages.gap(2)
    pages.y += pages.gap(12)
    return total


def _two_columns(
    pages: _Pages, items: Sequence[tuple[str, str]], *, checkbox: bool = False
) -> None:
    """Title-and-text items in two columns, row by row, each row kept on one page."""
    fonts = pages.fonts
    gap = pages.pt(16)
    col_w = (pages.width - gap) / 2
    box = pages.pt(8) if checkbox else 0.0
    text_x = box + pages.pt(5) if checkbox else 0.0
    for i, height in zip(
        range(0, len(items), 2), _two_column_rows(pages, items, checkbox=checkbox), strict=True
    ):
        row = items[i : i + 2]
        pages.ensure(height)
        for column, (title, text) in enumerate(row):
            x = column * (col_w + gap)
            if checkbox and pages.painter is not None:
                pages.painter.setPen(QPen(INK, pages.pt(0.8)))
                pages.painter.setBrush(Qt.BrushStyle.NoBrush)
                pages.painter.drawRect(QRectF(x, pages.y + pages.pt(1.5), box, box))
            title_h = pages.text(fonts.small_bold, title, x + text_x, col_w - text_x)
            pages.text(fonts.small, text, x + text_x, col_w - text_x, y=pages.y + title_h)
        pages.y += height


def _two_column_rows(
    pages: _Pages, items: Sequence[tuple[str, str]], *, checkbox: bool = False
) -> list[float]:
    """The height of each row of :func:`_two_columns`, gap included."""
    fonts = pages.fonts
    col_w = (pages.width - pages.pt(16)) / 2
    text_w = col_w - (pages.pt(13) if checkbox else 0.0)
    rows = []
    for i in range(0, len(items), 2):
        heights = [
            pages.text_height(fonts.small_bold, title, text_w)
            + pages.text_height(fonts.small, text, text_w)
            for title, text in items[i : i + 2]
        ]
        rows.append(max(heights) + pages.gap(7))
    return rows


def _contraindications(pages: _Pages, library: ContentLibrary) -> None:
    fonts = pages.fonts
    pages.heading("When not to massage", keep_with=90)
    pages.paragraph(
        fonts.body,
        "Ask before every session. If any of these applies, leave the massage for today "
        "and follow the advice given; when in doubt, do not massage.",
        after=8,
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for item in library.safety.contraindications:
        groups.setdefault(item.group.label, []).append((item.name, item.advice))
    for label, items in groups.items():
        height = pages.text_height(fonts.h3, label, pages.width)
        pages.ensure(height + pages.pt(40))
        pages.text(fonts.h3, label, 0, pages.width, color=ACCENT)
        pages.y += height + pages.gap(3)
        _two_columns(pages, items)
        pages.y += pages.gap(2)


def _preparation(pages: _Pages, library: ContentLibrary, routine: Routine) -> None:
    chosen = preparation_items(routine, library.safety)
    pages.heading("Before you start", keep_with=60)
    _two_columns(pages, [(item.title, item.detail) for item in chosen], checkbox=True)


def _mistakes(pages: _Pages, library: ContentLibrary) -> None:
    mistakes = library.safety.mistakes
    if not mistakes:
        return
    pages.heading("Common mistakes", keep_with=60)
    _two_columns(pages, [(item.title, f"{item.why} Instead: {item.instead}") for item in mistakes])


def _aftercare(pages: _Pages, library: ContentLibrary, routine: Routine) -> None:
    chosen = aftercare_items(routine, library.safety)
    rows = []
    for item in chosen:
        # Say how long, unless the title already does.
        timed = item.minutes and not any(ch.isdigit() for ch in item.title)
        title = f"{item.title} ({item.minutes} min)" if timed else item.title
        rows.append((title, item.detail))
    # The closing section is short and read as one: kept whole on one page, so no item
    # is left alone on a last page (unless the section is longer than a page).
    whole = sum(_two_column_rows(pages, rows))
    fits = whole + pages.pt(60) < pages.full_bottom - pages.top
    pages.heading("Afterwards", keep_with=whole / pages.scale if fits else 60)
    _two_columns(pages, rows)


# -- entry points -----------------------------------------------------------------------


def render_handout(
    device: QPagedPaintDevice,
    library: ContentLibrary,
    routine: Routine,
    *,
    page_size: str | None = "A4",
) -> int:
    """Paint the routine's handout on ``device`` (a QPdfWriter or QPrinter).

    ``page_size`` is "A4" or "Letter"; None keeps the device's own paper (a printer's,
    as chosen in the print dialog). Returns the number of pages.
    """
    if page_size is not None:
        device.setPageSize(QPageSize(page_size_id(page_size)))
        device.setPageOrientation(QPageLayout.Orientation.Portrait)
    device.setPageMargins(
        QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter
    )
    fonts = _Fonts()
    running = f"{routine.title}  ·  handout"
    dry = _dry_run(device, library, routine, fonts, running)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("the handout could not be started on this device")
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        pages = _Pages(device, painter, fonts, running, dry.page, dry.spacing, dry.early_end)
        _lay_out(pages, library, routine)
    finally:
        painter.end()
    return dry.page


NEAR_EMPTY_LAST_PAGE = 0.4
"""A last page using less than this share of its text area is worth saving."""

TIGHTER_SPACINGS = (0.85, 0.7)
"""Closer spacings between blocks tried, in turn, to save a near-empty last page."""


def _dry_run(
    device: QPagedPaintDevice,
    library: ContentLibrary,
    routine: Routine,
    fonts: _Fonts,
    running: str,
) -> _Pages:
    """Lay the handout out without painting, to count its pages.

    A last page holding only a few lines wastes paper and looks like a mistake: then
    the blocks move a little closer together, if that brings the text onto one page
    fewer. When it does not (the closing section is kept whole, and too long to move
    back), the page before ends a little early instead, so that its last rows join
    the closing section and the last page is not a lone short block. Nothing is left
    out and the type keeps its size.
    """

    def lay_out(spacing: float = 1.0, early_end: tuple[int, float] | None = None) -> _Pages:
        dry = _Pages(device, None, fonts, running, 0, spacing, early_end)
        _lay_out(dry, library, routine)
        return dry

    def near_empty(dry: _Pages) -> bool:
        return dry.page > 1 and dry.used() < NEAR_EMPTY_LAST_PAGE

    dry = lay_out()
    if near_empty(dry):
        fewer_pages = (t for t in map(lay_out, TIGHTER_SPACINGS) if t.page < dry.page)
        dry = next(fewer_pages, dry)
    if not near_empty(dry):
        return dry
    # Raise the end of the last page but one, a little more each time, no further than
    # half its text area: the smallest rise that fills the last page enough, if any.
    area = dry.full_bottom - dry.top
    lift = (NEAR_EMPTY_LAST_PAGE - dry.used()) * area
    while lift <= area / 2:
        balanced = lay_out(dry.spacing, (dry.page - 1, lift))
        if balanced.page == dry.page and not near_empty(balanced):
            return balanced
        lift += dry.pt(6)
    return dry


def export_handout_pdf(
    path: str | os.PathLike[str],
    library: ContentLibrary,
    routine: Routine,
    page_size: str = "A4",
) -> None:
    """Write the routine's handout as a PDF file, all or nothing (via QSaveFile).

    Raises UnknownPageSize for a size other than A4 or Letter, OSError when the file
    cannot be written. Needs a QGuiApplication (see :func:`handout_command`).
    """
    size_id = page_size_id(page_size)
    target = QSaveFile(os.fspath(path))
    if not target.open(QSaveFile.OpenModeFlag.WriteOnly):
        raise OSError(f"cannot write {Path(path).name}: {target.errorString()}")
    writer = QPdfWriter(target)
    writer.setTitle(f"{routine.title} (handout)")
    writer.setCreator("Massage Trainer")
    writer.setPageSize(QPageSize(size_id))
    try:
        render_handout(writer, library, routine, page_size=page_size)
    except BaseException:
        target.cancelWriting()
        raise
    del writer  # flush the PDF into the save file before committing
    if not target.commit():
        raise OSError(f"cannot write {Path(path).name}: {target.errorString()}")


def print_handout(parent: QWidget | None, library: ContentLibrary, routine: Routine) -> bool:
    """Ask for a printer (QPrintDialog) and print the handout.

    False when cancelled, or when the printer could not start (the user is told why).
    """
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QMessageBox

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(f"{routine.title} (handout)")
    printer.setPageSize(QPageSize(page_size_id(default_page_size())))
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print handout")
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    try:
        render_handout(printer, library, routine, page_size=None)
    except OSError:
        # A printer that is offline, or "print to file" into a folder we cannot write.
        where = printer.outputFileName() or printer.printerName() or "the printer"
        QMessageBox.warning(
            parent,
            "Print handout",
            f"The handout was not printed: {where} could not be used.\n\n"
            "Check that the printer is on and connected, or choose another printer, "
            "or export the handout as a PDF and print that.",
        )
        return False
    return True


def export_handout_dialog(
    parent: QWidget | None, library: ContentLibrary, routine: Routine
) -> Path | None:
    """File → Export handout…: ask where (and A4 or Letter), write the PDF, say if it fails.

    Returns the written file, or None when the user cancelled or writing failed.
    """
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from massage_trainer.ui.widgets import save_path_with_suffix

    global _last_export_folder
    filters = {"PDF, A4 (*.pdf)": "A4", "PDF, US Letter (*.pdf)": "Letter"}
    preferred = next(f for f, size in filters.items() if size == default_page_size())
    start = _export_folder() / f"{routine.id}-handout.pdf"
    name, chosen = QFileDialog.getSaveFileName(
        parent, "Export handout", str(start), ";;".join(filters), preferred
    )
    if not name:
        return None
    path = save_path_with_suffix(parent, "Export handout", name, ".pdf")
    if path is None:
        return None
    try:
        export_handout_pdf(path, library, routine, filters.get(chosen, "A4"))
    except OSError as exc:
        QMessageBox.warning(parent, "Export handout", f"The handout was not saved.\n\n{exc}")
        return None
    _last_export_folder = path.parent
    return path


_last_export_folder: Path | None = None
"""Where the last handout went, so the next export starts there (until the app closes)."""


def _export_folder() -> Path:
    """The last export's folder, else the user's Documents folder, else their home."""
    if _last_export_folder is not None and _last_export_folder.is_dir():
        return _last_export_folder
    from PySide6.QtCore import QStandardPaths

    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


def handout_command(routine_id: str, output: str | os.PathLike[str], page_size: str = "A4") -> int:
    """``massage-trainer handout ROUTINE_ID -o FILE.pdf [--page-size A4|Letter]``.

    Works without a display (it uses Qt's offscreen platform when no GUI runs yet).
    Returns the exit code: 0 written, 1 for an unknown routine or a failed write,
    2 for an unknown page size.
    """
    from massage_trainer.domain.content import ContentError, load_user_library

    try:
        page_size_id(page_size)
    except UnknownPageSize as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    try:
        library = load_user_library()
    except ContentError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    routine = library.routines.get(routine_id)
    if routine is None:
        known = ", ".join(library.routines) or "none"
        print(  # noqa: T201
            f"error: there is no routine with the id '{routine_id}'. Known routines: {known}",
            file=sys.stderr,
        )
        return 1
    if QGuiApplication.instance() is None:
        # A PDF needs fonts but no window: never ask for a display.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([sys.argv[0] if sys.argv else "massage-trainer"])
        app.setApplicationName("massage-trainer")
    try:
        export_handout_pdf(output, library, routine, page_size)
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    print(f"Wrote {output} ({routine.title}, {page_size})")  # noqa: T201
    return 0


__all__ = [
    "PAGE_SIZES",
    "DiagramGeometry",
    "DiagramStyle",
    "UnknownPageSize",
    "default_page_size",
    "diagram_geometry",
    "export_handout_dialog",
    "export_handout_pdf",
    "handout_command",
    "paint_back_diagram",
    "paint_legend_swatch",
    "page_size_id",
    "print_handout",
    "render_handout",
]
