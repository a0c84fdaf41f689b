"""The back diagram's tiers switch: with tiers hidden (the quiz) every zone looks alike."""

from __future__ import annotations

from itertools import combinations

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.models import SafetyTier
from massage_trainer.domain.session import FakeClock
from massage_trainer.ui.controller import SessionController
from massage_trainer.ui.diagram import BackDiagramView
from massage_trainer.ui.quiz import QUIZ_ROUTINE_ID, quiz_library

SAMPLE_ZONES = {
    # Zones near the middle of the back, where the skin under them is one even colour
    # (the flanks are shaded): in the order they are tried.
    SafetyTier.SAFE: ("paraspinal-left", "paraspinal-right", "hips", "lower-back"),
    SafetyTier.CAUTION: ("neck", "shoulder-blade-left", "shoulder-blade-right"),
    SafetyTier.NO_GO: ("kidney-left", "kidney-right", "floating-ribs-left", "spine"),
}
TIER_WORDS = ("safe", "caution", "no-go", "light", "never", "press", "hatch", "dotted")


def zone_colour(view: BackDiagramView, zone_id: str) -> tuple[int, int, int]:
    """The colour the zone shows on screen: the median of each channel over points
    inside it (found with the view's own hit test), so thin lines drawn over the zone
    and the pattern of hatching or dots do not sway it."""
    image = view.grab().toImage()
    ratio = image.devicePixelRatio()
    path = view.zone_path(zone_id)
    assert path is not None
    box = path.boundingRect()
    colours = []
    for i in range(1, 16):
        for j in range(1, 16):
            at = view.map_from_diagram(
                QPointF(box.left() + box.width() * i / 16, box.top() + box.height() * j / 16)
            )
            if view.zone_at(at) == zone_id:
                colours.append(QColor(image.pixel(int(at.x() * ratio), int(at.y() * ratio))))
    assert len(colours) >= 20, zone_id

    def median(values: list[int]) -> int:
        return sorted(values)[len(values) // 2]

    return (
        median([c.red() for c in colours]),
        median([c.green() for c in colours]),
        median([c.blue() for c in colours]),
    )


def tier_colours(
    view: BackDiagramView, library: ContentLibrary
) -> dict[SafetyTier, tuple[int, int, int]]:
    """The on-screen colour of one safe, one caution and one no-go zone, each one not
    outlined (the outlined zones are drawn stronger, whatever their tier)."""
    colours = {}
    for tier, candidates in SAMPLE_ZONES.items():
        zone_id = next(z for z in candidates if z not in view.highlighted_zones())
        assert library.zones[zone_id].tier is tier
        colours[tier] = zone_colour(view, zone_id)
    return colours


def difference(a: tuple[int, int, int], b: tuple[int, int, int]) -> int:
    return max(abs(x - y) for x, y in zip(a, b, strict=True))


def tiers_look_alike(view: BackDiagramView, library: ContentLibrary) -> bool:
    """Whether a safe, a caution and a no-go zone show the same colour on screen."""
    colours = list(tier_colours(view, library).values())
    return all(difference(a, b) <= 6 for a, b in combinations(colours, 2))


def tiers_told_apart(view: BackDiagramView, library: ContentLibrary) -> bool:
    """Whether the three tiers show clearly different colours on screen."""
    colours = list(tier_colours(view, library).values())
    return all(difference(a, b) > 30 for a, b in combinations(colours, 2))


@pytest.fixture
def controller(library: ContentLibrary, fake_clock: FakeClock) -> SessionController:
    """The quiz's made-up routine, on its first step: no zone is outlined, and every zone
    is drawn at its normal strength."""
    quiz_content, _steps = quiz_library(library)
    controller = SessionController(quiz_content, fake_clock, get_ready_s=0)
    controller.load_routine(QUIZ_ROUTINE_ID)
    return controller


@pytest.fixture
def view(diagram_view: BackDiagramView) -> BackDiagramView:
    return diagram_view


def test_the_tiers_are_told_apart_by_colour_and_legend(
    view: BackDiagramView, library: ContentLibrary
) -> None:
    assert not view.tiers_hidden
    assert view.highlighted_zones() == ()
    assert tiers_told_apart(view, library)
    assert view.legend_texts() == ("Safe", "Caution: light only", "No-go: never press", "This step")
    assert "Hatched zones are no-go" in view.accessibleDescription()


def test_with_tiers_hidden_every_zone_looks_alike_and_the_legend_names_no_tier(
    view: BackDiagramView, library: ContentLibrary
) -> None:
    view.setTiersHidden(True)
    assert view.tiers_hidden
    assert tiers_look_alike(view, library)
    legend = " ".join(view.legend_texts()).lower()
    assert not [word for word in TIER_WORDS if word in legend]
    assert "This step" in view.legend_texts()  # what the outline means is no answer
    description = view.accessibleDescription().lower()
    assert not [word for word in TIER_WORDS if word in description]
    # Shown again: the tiers' colours and legend come back.
    view.setTiersHidden(False)
    assert tiers_told_apart(view, library)
    assert "No-go: never press" in view.legend_texts()


def test_with_tiers_hidden_the_outlined_zones_still_stand_out_alike(
    view: BackDiagramView, controller: SessionController, library: ContentLibrary
) -> None:
    _content, steps = quiz_library(library)
    controller.preview_step(steps[("paraspinal-left",)])
    assert view.highlighted_zones() == ("paraspinal-left",)
    view.setTiersHidden(True)
    # The zones not outlined look alike, whatever their tier; the outlined ones are
    # brighter than them.
    assert tiers_look_alike(view, library)
    dim = zone_colour(view, "kidney-left")
    strong = zone_colour(view, "paraspinal-left")
    assert sum(strong) > sum(dim)


def test_switching_the_tiers_renders_the_cached_layer_again_and_keeps_the_body_still(
    view: BackDiagramView,
) -> None:
    view.repaint()
    renders = view.static_renders
    rect = view.diagram_rect()
    view.setTiersHidden(False)  # no change
    view.repaint()
    assert view.static_renders == renders
    view.setTiersHidden(True)
    view.repaint()
    assert view.static_renders == renders + 1
    # The shorter legend leaves its room empty: the body (and what is clicked) stays put.
    assert view.diagram_rect() == rect
    view.setTiersHidden(False)
    view.repaint()
    assert view.static_renders == renders + 2
