"""The back diagram as ``QPainterPath`` shapes, built once from the SVG's geometry.

Everything here is in diagram (SVG) units; views scale the painter to fit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainterPath

from massage_trainer.domain.diagram import (
    FILLED_BODY_CLASSES,
    Diagram,
    DiagramElement,
    Subpath,
    load_diagram,
)


def painter_path(subpaths: Iterable[Subpath]) -> QPainterPath:
    """A ``QPainterPath`` from the domain's absolute drawing commands.

    Filled with the non-zero rule, as SVG fills by default.
    """
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    for subpath in subpaths:
        if len(subpath) < 2:
            continue
        for command in subpath:
            points = [QPointF(x, y) for x, y in command.points]
            if command.op == "M":
                path.moveTo(points[0])
            elif command.op == "L":
                path.lineTo(points[0])
            elif command.op == "C":
                path.cubicTo(points[0], points[1], points[2])
            elif command.op == "Q":
                path.quadTo(points[0], points[1])
            else:
                path.closeSubpath()
    return path


@dataclass(frozen=True)
class BodyPart:
    """One piece of the body drawing: its id, styling class and shape."""

    id: str
    css_class: str
    path: QPainterPath

    @property
    def filled(self) -> bool:
        """Drawn as a filled shape (skin, hair, cloth) rather than a line or a mark."""
        return self.css_class in FILLED_BODY_CLASSES


@dataclass(frozen=True)
class BackShapes:
    """The diagram's shapes: body parts in painting order and one path per zone."""

    diagram: Diagram
    view_box: QRectF
    body_parts: tuple[BodyPart, ...]
    zone_paths: Mapping[str, QPainterPath]
    """Zone shape id -> path, in the SVG's order."""

    def zone_path(self, shape_id: str) -> QPainterPath | None:
        return self.zone_paths.get(shape_id)

    def missing_shapes(self, shape_ids: Iterable[str]) -> list[str]:
        """The ids among ``shape_ids`` that have no zone shape."""
        return self.diagram.missing_shapes(shape_ids)


def build_back_shapes(diagram: Diagram) -> BackShapes:
    """Convert a parsed diagram into painter paths."""
    box = diagram.view_box
    return BackShapes(
        diagram=diagram,
        view_box=QRectF(box.x, box.y, box.width, box.height),
        body_parts=tuple(_body_part(element) for element in diagram.body),
        zone_paths=MappingProxyType(
            {zone_id: painter_path(element.subpaths) for zone_id, element in diagram.zones.items()}
        ),
    )


def _body_part(element: DiagramElement) -> BodyPart:
    return BodyPart(element.id, element.css_class, painter_path(element.subpaths))


@cache
def _load(path: str) -> BackShapes:
    return build_back_shapes(load_diagram(Path(path) if path else None))


def load_back_shapes(path: Path | None = None) -> BackShapes:
    """The shipped diagram's shapes (or those of ``path``), parsed once per process.

    Raises :class:`massage_trainer.domain.diagram.DiagramError` when the file is
    unusable; the callers show a message instead of the diagram.
    """
    return _load(str(path) if path is not None else "")


__all__ = ["BackShapes", "BodyPart", "build_back_shapes", "load_back_shapes", "painter_path"]
