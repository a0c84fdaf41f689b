"""The back diagram's names switch: with names hidden (the quiz) no route names a zone."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QAccessible, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.session import FakeClock
from massage_trainer.domain.zone_geometry import ZoneGeometry
from massage_trainer.ui.controller import SessionController, short_zone_name
from massage_trainer.ui.diagram import BackDiagramView
from massage_trainer.ui.zone_shapes import load_back_shapes


def zone_names(library: ContentLibrary) -> set[str]:
    """Every zone's name as the diagram would say it, lower case."""
    return {short_zone_name(zone).lower() for zone in library.zones.values()}


def _accessible_texts(view: BackDiagramView) -> list[str]:
    texts = [view.accessibleName(), view.accessibleDescription()]
    texts += [view.toolTip(), view.statusTip(), view.whatsThis()]
    interface = QAccessible.queryAccessibleInterface(view)
    if interface is not None:
        texts += [
            interface.text(kind)
            for kind in (
                QAccessible.Text.Name,
                QAccessible.Text.Description,
                QAccessible.Text.Help,
                QAccessible.Text.Value,
            )
        ]
    return texts


def revealed_text(qtbot: Any, view: BackDiagramView, library: ContentLibrary) -> str:
    """All the diagram tells about its zones, lower case: hovering over each zone (with
    its hover tip asked for), then stepping through the zones with Down and Up: the tips
    shown, its accessible name, description and help, tool and status tips."""
    geometry = ZoneGeometry.from_diagram(load_back_shapes().diagram, library.zones)
    seen: list[str] = []

    def look() -> None:
        if QToolTip.isVisible():
            seen.append(QToolTip.text())
        seen.extend(_accessible_texts(view))

    QToolTip.hideText()  # it fades out: wait for it to go, or its old text would count
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=2000)
    for zone_id in view.zone_ids():
        point = view.map_from_diagram(QPointF(*geometry.interior_point(zone_id))).toPoint()
        qtbot.mouseMove(view, point)
        assert view.zone_at(point) == zone_id
        QApplication.sendEvent(
            view, QHelpEvent(QEvent.Type.ToolTip, point, view.mapToGlobal(point))
        )
        look()
    qtbot.mouseMove(view, QPoint(1, 1))  # off the body
    view.setFocus()
    for key in [Qt.Key.Key_Down] * len(view.zone_ids()) + [Qt.Key.Key_Up] * 2:
        qtbot.keyClick(view, key)
        look()
    QToolTip.hideText()
    return "\n".join(seen).lower()


def names_in(text: str, library: ContentLibrary) -> set[str]:
    return {name for name in zone_names(library) if name in text}


@pytest.fixture
def controller(library: ContentLibrary, fake_clock: FakeClock) -> SessionController:
    controller = SessionController(library, fake_clock, get_ready_s=0)
    controller.load_routine("classic-home")
    return controller


@pytest.fixture
def view(diagram_view: BackDiagramView) -> BackDiagramView:
    return diagram_view


def test_a_diagram_names_its_zones_by_tip_keys_and_description(
    qtbot: Any, view: BackDiagramView, library: ContentLibrary
) -> None:
    assert not view.names_hidden
    text = revealed_text(qtbot, view, library)
    assert names_in(text, library) == zone_names(library)


def test_with_names_hidden_no_route_names_a_zone(
    qtbot: Any, view: BackDiagramView, controller: SessionController, library: ContentLibrary
) -> None:
    assert controller.focus_zones()  # the step's zones are outlined
    view.setNamesHidden(True)
    assert view.names_hidden
    controller.select_zone("neck")
    text = revealed_text(qtbot, view, library)
    assert names_in(text, library) == set()
    assert "pointed at" not in text
    assert view.tooltip_for("neck") == ""
    # The keys stepped through no zone; the description still says what the outline is.
    assert view.hovered_zone() == ""
    assert "this step: the outlined zone" in view.accessibleDescription().lower()


def test_with_names_hidden_clicks_still_select_and_say_which_zone(
    qtbot: Any, view: BackDiagramView, controller: SessionController, library: ContentLibrary
) -> None:
    view.setNamesHidden(True)
    geometry = ZoneGeometry.from_diagram(load_back_shapes().diagram, library.zones)
    point = view.map_from_diagram(QPointF(*geometry.interior_point("spine"))).toPoint()
    with qtbot.waitSignal(view.zone_clicked) as clicked:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point)
    assert clicked.args == ["spine"]
    assert controller.selected_zone() == "spine"
    assert "spine" not in view.accessibleDescription().lower()
    with qtbot.waitSignal(view.zone_clicked) as clicked:
        qtbot.mouseClick(
            view, Qt.MouseButton.LeftButton, pos=view.map_from_diagram(QPointF(20, 500)).toPoint()
        )
    assert clicked.args == [""]


def test_hiding_names_closes_an_open_tip_and_showing_them_brings_the_names_back(
    qtbot: Any, view: BackDiagramView, controller: SessionController
) -> None:
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    zone_id = view.hovered_zone()
    assert QToolTip.isVisible()
    view.setNamesHidden(True)
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=2000)
    assert "Pointed at" not in view.accessibleDescription()
    view.setNamesHidden(False)
    assert "Pointed at" in view.accessibleDescription()
    assert view.tooltip_for(zone_id)
    QToolTip.hideText()
