"""The back diagram widget: exact clicks, hover text, highlight, animation, scaling."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QHelpEvent, QImage
from PySide6.QtWidgets import QApplication, QToolTip

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.diagram import DiagramError
from massage_trainer.domain.models import Direction, SafetyTier
from massage_trainer.domain.session import FakeClock
from massage_trainer.ui import diagram as diagram_module
from massage_trainer.ui.controller import SessionController
from massage_trainer.ui.diagram import (
    LEFT_LABEL,
    RIGHT_LABEL,
    BackDiagramView,
    Movement,
    movement_for,
)
from massage_trainer.ui.preferences import Preferences

ROUTINE = "classic-home"


@pytest.fixture
def controller(library: ContentLibrary, fake_clock: FakeClock) -> SessionController:
    controller = SessionController(library, fake_clock, get_ready_s=0)
    controller.load_routine(ROUTINE)
    return controller


@pytest.fixture
def view(diagram_view: BackDiagramView) -> BackDiagramView:
    return diagram_view


def widget_point(view: BackDiagramView, x: float, y: float) -> QPoint:
    return view.map_from_diagram(QPointF(x, y)).toPoint()


def inside_point(view: BackDiagramView, zone_id: str) -> QPoint:
    """A widget point well inside the zone's shape (its centre, if that is inside)."""
    path = view.zone_path(zone_id)
    assert path is not None
    box = path.boundingRect()
    candidates = [box.center()] + [
        QPointF(box.left() + box.width() * i / 12, box.top() + box.height() * j / 12)
        for j in range(1, 12)
        for i in range(1, 12)
    ]
    for point in candidates:
        mapped = widget_point(view, point.x(), point.y())
        if view.zone_at(mapped) == zone_id:
            return mapped
    raise AssertionError(f"no point inside {zone_id}")


# -- clicking and hovering ---------------------------------------------------------------


def test_clicking_the_middle_of_the_spine_selects_it(
    qtbot: Any, view: BackDiagramView, controller: SessionController
) -> None:
    spine = view.zone_path("spine")
    assert spine is not None
    box = spine.boundingRect()
    point = widget_point(view, box.center().x(), box.top() + box.height() * 0.4)
    with qtbot.waitSignal(controller.zone_selected) as selected:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point)
    assert selected.args == ["spine"]
    assert controller.selected_zone() == "spine"
    assert view.selected_zone() == "spine"


def test_a_point_in_a_zones_box_but_outside_its_shape_does_not_select_it(
    qtbot: Any, view: BackDiagramView, controller: SessionController
) -> None:
    # The shoulder blade is a triangle: the corner of its box below its outer edge is
    # not the shoulder blade.
    blade = view.zone_path("shoulder-blade-left")
    assert blade is not None
    box = blade.boundingRect()
    corner = QPointF(box.left() + box.width() * 0.1, box.bottom() - box.height() * 0.1)
    assert box.contains(corner)
    assert not blade.contains(corner)
    point = view.map_from_diagram(corner).toPoint()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point)
    assert controller.selected_zone() != "shoulder-blade-left"
    # Inside its shape, it is.
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=inside_point(view, "shoulder-blade-left"))
    assert controller.selected_zone() == "shoulder-blade-left"


def test_clicking_outside_every_zone_clears_the_selection(
    qtbot: Any, view: BackDiagramView, controller: SessionController
) -> None:
    controller.select_zone("hips")
    assert view.selected_zone() == "hips"
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    assert controller.selected_zone() == ""
    assert view.selected_zone() == ""


def test_no_go_zones_win_where_zones_overlap(view: BackDiagramView) -> None:
    no_go = {"spine", "kidney-left", "kidney-right", "floating-ribs-left", "floating-ribs-right"}
    for zone_id in no_go | {"armpit-left", "armpit-right"}:
        path = view.zone_path(zone_id)
        assert path is not None
        box = path.boundingRect()
        for i in range(1, 8):
            for j in range(1, 8):
                point = QPointF(box.left() + box.width() * i / 8, box.top() + box.height() * j / 8)
                if path.contains(point):
                    assert view.zone_at(view.map_from_diagram(point)) == zone_id


def test_zones_overlap_at_most_at_their_edges(view: BackDiagramView) -> None:
    paths = {zone_id: view.zone_path(zone_id) for zone_id in view.zone_ids()}
    for zone_id, path in paths.items():
        assert path is not None
        box = path.boundingRect()
        inside = [
            QPointF(box.left() + box.width() * i / 20, box.top() + box.height() * j / 20)
            for i in range(1, 20)
            for j in range(1, 20)
        ]
        inside = [point for point in inside if path.contains(point)]
        assert len(inside) > 10, zone_id
        for other_id, other in paths.items():
            if other_id == zone_id:
                continue
            assert other is not None
            shared = sum(1 for point in inside if other.contains(point))
            assert shared / len(inside) < 0.1, (zone_id, other_id)


def test_hovering_outlines_the_zone_and_shows_its_rule(
    qtbot: Any, view: BackDiagramView, library: ContentLibrary
) -> None:
    point = inside_point(view, "kidney-right")
    qtbot.mouseMove(view, point)
    assert view.hovered_zone() == "kidney-right"
    QApplication.sendEvent(view, QHelpEvent(QEvent.Type.ToolTip, point, view.mapToGlobal(point)))
    text = QToolTip.text()
    assert "Kidney area" in text
    assert "receiver's right" in text
    assert "No-go zone" in text
    QToolTip.hideText()


def test_tooltip_names_the_zone_its_tier_pressure_and_reason(
    view: BackDiagramView, library: ContentLibrary, controller: SessionController
) -> None:
    blade = library.zones["shoulder-blade-left"]
    text = view.tooltip_for("shoulder-blade-left")
    assert "Shoulder blade" in text
    assert "receiver's left" in text
    assert "Caution zone" in text
    assert "Light pressure only" in text
    assert blade.reason.split(".")[0] in text
    upper = view.tooltip_for("upper-back")
    assert "Safe zone" in upper
    assert "firm pressure" in upper
    # The steps of the loaded routine that work on the zone.
    steps = controller.steps_for_zone("upper-back")
    assert steps
    assert f"Steps on this zone: {', '.join(str(i + 1) for i in steps)}" in upper
    assert view.tooltip_for("no-such-zone") == ""


def test_tooltip_text_from_the_content_is_never_markup(
    view: BackDiagramView, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diagram_module, "rule_text", lambda _zone: "<b>firm</b> & slow")
    text = view.tooltip_for("upper-back")
    assert "&lt;b&gt;firm&lt;/b&gt; &amp; slow" in text
    assert "<b>firm</b>" not in text


# -- highlight -------------------------------------------------------------------------


def zone_tint(view: BackDiagramView, zone_id: str) -> float:
    """How much greener than red the zone looks on screen, on average over its inside."""
    image: QImage = view.grab().toImage()
    ratio = image.devicePixelRatio()
    path = view.zone_path(zone_id)
    assert path is not None
    box = path.boundingRect()
    values = []
    for i in range(1, 16):
        for j in range(1, 16):
            point = QPointF(box.left() + box.width() * i / 16, box.top() + box.height() * j / 16)
            if path.contains(point):
                at = view.map_from_diagram(point)
                colour = QColor(image.pixel(int(at.x() * ratio), int(at.y() * ratio)))
                values.append(colour.green() - colour.red())
    assert values
    values.sort()
    return values[len(values) // 2]  # the median: movement marks do not sway it


def test_the_steps_zones_are_highlighted_and_the_rest_dimmed(
    view: BackDiagramView, controller: SessionController
) -> None:
    assert view.highlighted_zones() == controller.step(0).zones
    girdle_strong = zone_tint(view, "shoulder-girdle-left")
    hips_dim = zone_tint(view, "hips")
    assert girdle_strong > hips_dim + 25
    # Step 10 works on the lower back and hips: the highlight moves there.
    controller.preview_step(9)
    assert set(view.highlighted_zones()) == {"lower-back", "hips"}
    assert zone_tint(view, "hips") > hips_dim + 40
    assert zone_tint(view, "shoulder-girdle-left") < girdle_strong - 25
    # Clearing the preview goes back to the current step.
    controller.preview_step(-1)
    assert view.highlighted_zones() == controller.step(0).zones


def test_no_go_zones_stay_visible_when_dimmed(
    view: BackDiagramView, controller: SessionController
) -> None:
    controller.preview_step(9)
    for zone_id in ("spine", "kidney-left", "floating-ribs-right", "armpit-left"):
        assert zone_id not in view.highlighted_zones()
        assert zone_tint(view, zone_id) < -40, zone_id  # clearly red


def test_selection_and_hover_do_not_rerender_the_cached_layers(
    qtbot: Any, view: BackDiagramView, controller: SessionController
) -> None:
    view.repaint()
    renders = view.static_renders
    controller.select_zone("hips")
    qtbot.mouseMove(view, inside_point(view, "upper-back"))
    view.repaint()
    assert view.static_renders == renders
    controller.preview_step(3)
    view.repaint()
    assert view.static_renders == renders + 1
    view.resize(500, 700)
    view.repaint()
    assert view.static_renders == renders + 2


# -- movement --------------------------------------------------------------------------


def test_animation_runs_only_while_the_session_runs(
    view: BackDiagramView, controller: SessionController
) -> None:
    assert not view.is_animating()
    controller.start()
    assert controller.state().value == "running"
    assert view.is_animating()
    controller.pause()
    assert not view.is_animating()
    controller.start()
    assert view.is_animating()
    view.hide()
    assert not view.is_animating()
    view.show()
    assert view.is_animating()
    controller.finish()
    assert not view.is_animating()


def test_reduced_motion_never_starts_the_timer(
    view: BackDiagramView, controller: SessionController, preferences: Preferences
) -> None:
    controller.start()
    assert view.is_animating()
    preferences.set_reduced_motion(True)
    assert not view.is_animating()
    controller.next_step()
    controller.pause()
    controller.start()
    assert not view.is_animating()
    # Still marks show the movement instead.
    assert view.movement() is not None
    assert view.movement_geometry()
    preferences.set_reduced_motion(False)
    assert view.is_animating()


def test_the_movement_follows_the_technique(
    view: BackDiagramView, controller: SessionController
) -> None:
    expected = {
        0: Movement.GLIDE,  # open-palm stroking up the back
        1: Movement.SWEEP,  # stroking outwards over the shoulders
        2: Movement.CIRCLES,  # fingertip friction
        4: Movement.ZIGZAG,  # vibration
        9: Movement.TAPS,  # tapping
    }
    for index, movement in expected.items():
        controller.preview_step(index)
        assert view.movement() is movement, index


@pytest.mark.parametrize(
    ("technique", "direction", "movement"),
    [
        ("open-palm-stroking", Direction.UP, Movement.GLIDE),
        ("herringbone-stroking", None, Movement.SWEEP),
        ("open-palm-stroking", Direction.OUTWARD, Movement.SWEEP),
        ("thumb-circles", None, Movement.CIRCLES),
        ("kneading", None, Movement.CIRCLES),
        ("tapping", None, Movement.TAPS),
        ("cupping", None, Movement.TAPS),
        ("vibration", None, Movement.ZIGZAG),
        ("thumb-hold", None, Movement.RINGS),
        ("heel-of-hand-pressure", None, Movement.RINGS),
        ("knuckle-stripping", None, Movement.STRIP),
        ("resting-hands", None, Movement.HANDS),
    ],
)
def test_each_technique_family_has_its_own_movement(
    library: ContentLibrary, technique: str, direction: Direction | None, movement: Movement
) -> None:
    assert movement_for(library.techniques[technique], direction) is movement


def test_no_movement_mark_ever_lies_on_a_no_go_zone(
    qtbot: Any,
    library: ContentLibrary,
    fake_clock: FakeClock,
    preferences: Preferences,
) -> None:
    controller = SessionController(library, fake_clock, get_ready_s=0)
    view = BackDiagramView(controller, preferences)
    qtbot.addWidget(view)
    view.resize(400, 560)
    no_go = [
        path
        for zone_id in view.zone_ids()
        if library.zones[zone_id].tier is SafetyTier.NO_GO
        and (path := view.zone_path(zone_id)) is not None
    ]
    for routine_id, routine in library.routines.items():
        controller.load_routine(routine_id)
        for index in range(len(routine.steps)):
            controller.preview_step(index)
            shapes = view.movement_geometry()
            assert shapes, (routine_id, index)
            if view.movement() is Movement.HANDS:
                continue  # resting hands lie flat and still; they may cover anything
            for shape in shapes:
                for i in range(41):
                    point = shape.pointAtPercent(i / 40)
                    hit = [path for path in no_go if path.contains(point)]
                    assert not hit, (routine_id, index, point)


# -- layout ----------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(480, 640), (900, 400), (260, 900), (1920, 1080)])
def test_resizing_keeps_the_diagrams_proportions(
    view: BackDiagramView, width: int, height: int
) -> None:
    view.resize(width, height)
    rect = view.diagram_rect()
    box = view.zone_path("spine")
    assert box is not None
    aspect = 400 / 530
    assert rect.width() / rect.height() == pytest.approx(aspect, rel=1e-6)
    # Centred across the widget, filling one of its dimensions (bar margins and legend).
    assert rect.center().x() == pytest.approx(width / 2, abs=1)
    assert rect.width() > width * 0.9 or rect.height() > height * 0.75


def test_receivers_left_is_labelled_on_the_left(view: BackDiagramView) -> None:
    labels = view.side_labels()
    middle = view.diagram_rect().center().x()
    assert labels[LEFT_LABEL].center().x() < middle < labels[RIGHT_LABEL].center().x()
    assert "left" in LEFT_LABEL
    assert "right" in RIGHT_LABEL
    kidney_left = view.zone_path("kidney-left")
    assert kidney_left is not None
    assert view.map_from_diagram(kidney_left.boundingRect().center()).x() < middle


@pytest.mark.parametrize(
    ("width", "height"),
    [(560, 500), (560, 800), (180, 640), (220, 640), (240, 800), (280, 500), (1920, 1080)],
)
def test_side_labels_and_their_subtitle_never_overlap(
    view: BackDiagramView, width: int, height: int
) -> None:
    # At the main window's default diagram width a wrapped label once ran over its
    # subtitle: the layout now measures the wrapped text.
    view.resize(width, height)
    labels = view.side_labels()
    text, subtitle = view.side_subtitle()
    left, right = labels[LEFT_LABEL], labels[RIGHT_LABEL]
    wrap = int(Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
    drawn = QFontMetricsF(view._side_label_font()).boundingRect(left, wrap, LEFT_LABEL)
    assert text.startswith("Seen from behind")
    assert subtitle.top() >= drawn.bottom()
    assert subtitle.width() == pytest.approx(left.width())
    assert not left.intersects(right)
    assert not subtitle.intersects(right)
    # However narrow, no word of a label is cut at the widget's edge.
    metrics = QFontMetricsF(view._side_label_font())
    for label, rect in ((LEFT_LABEL, left), (RIGHT_LABEL, right)):
        for word in label.split():
            assert metrics.horizontalAdvance(word) <= rect.width(), (word, width)


def test_the_view_is_accessible(view: BackDiagramView, controller: SessionController) -> None:
    assert view.accessibleName() == "Back diagram"
    assert "receiver's left is on the left" in view.accessibleDescription()
    assert view.focusPolicy() != Qt.FocusPolicy.NoFocus
    controller.select_zone("neck")
    assert "Selected: Neck" in view.accessibleDescription()


def test_a_broken_diagram_file_shows_a_message_instead(
    qtbot: Any,
    controller: SessionController,
    preferences: Preferences,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> None:
        raise DiagramError("back.svg: the <svg> element has no viewBox")

    monkeypatch.setattr(diagram_module, "load_back_shapes", broken)
    view = BackDiagramView(controller, preferences)
    qtbot.addWidget(view)
    view.resize(300, 400)
    assert "no viewBox" in view.error
    view.grab()  # paints without raising
    assert view.zone_at(QPoint(150, 200)) is None
    controller.start()
    assert not view.is_animating()


class _StoppedClock:
    """Stands in for the view's animation clock: the test says what time it is."""

    def __init__(self) -> None:
        self.ms = 0

    def elapsed(self) -> int:
        return self.ms

    def start(self) -> None:
        self.ms = 0


def _on_screen(view: BackDiagramView) -> QImage:
    """What the window shows now (its backing store), not a fresh render of the view."""
    QApplication.processEvents()
    top_left = view.mapTo(view.window(), QPoint(0, 0))
    screen = view.screen()
    return screen.grabWindow(
        view.window().winId(), top_left.x(), top_left.y(), view.width(), view.height()
    ).toImage()


@pytest.mark.parametrize("step", [0, 1])
def test_animation_frames_leave_nothing_behind(
    qtbot: Any, view: BackDiagramView, controller: SessionController, step: int
) -> None:
    # Each frame repaints only around the moving marks; after several frames the
    # screen must match a full repaint at the same moment: no stale marks anywhere.
    controller.select_step(step)
    controller.start()
    assert view.is_animating()
    clock = _StoppedClock()
    view._animation_clock = clock  # type: ignore[assignment]
    qtbot.waitExposed(view)
    for ms in (0, 400, 900, 1500, 2300):
        clock.ms = ms
        view._on_animation_timeout()
        QApplication.processEvents()
    incremental = _on_screen(view)
    view.repaint()
    full = _on_screen(view)
    assert incremental.size() == full.size()
    assert incremental == full


def _movement_seen(view: BackDiagramView) -> tuple[object, list[QRectF]]:
    return view.movement(), [shape.boundingRect() for shape in view.movement_geometry()]


def test_going_back_to_a_step_shows_the_same_movement_as_the_first_time(
    qtbot: Any, library: ContentLibrary, fake_clock: FakeClock, preferences: Preferences
) -> None:
    # Layouts are kept between highlight changes: stepping back and forth through a
    # routine must show exactly what a view seeing each step for the first time shows.
    for routine_id in library.routines:
        controller = SessionController(library, fake_clock, get_ready_s=0)
        controller.load_routine(routine_id)
        view = BackDiagramView(controller, preferences)
        qtbot.addWidget(view)
        order = [*range(controller.step_count), *reversed(range(controller.step_count))]
        for index in order:
            controller.preview_step(index)
            fresh_controller = SessionController(library, fake_clock, get_ready_s=0)
            fresh_controller.load_routine(routine_id)
            fresh_controller.preview_step(index)
            fresh = BackDiagramView(fresh_controller, preferences)
            qtbot.addWidget(fresh)
            assert _movement_seen(view) == _movement_seen(fresh), (routine_id, index)


def test_the_keyboard_goes_from_zone_to_zone_and_enter_selects(
    qtbot: Any, view: BackDiagramView, controller: SessionController
) -> None:
    # Up and Down point at the zones one by one, from the top of the back down, and say
    # what each is; Enter selects the one pointed at, as a click does.
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    first = view.hovered_zone()
    assert first
    assert "Pointed at:" in view.accessibleDescription()
    seen = [first]
    for _ in range(len(controller.library.zones) - 1):
        qtbot.keyClick(view, Qt.Key.Key_Down)
        seen.append(view.hovered_zone())
    assert len(set(seen)) == len(seen)  # every zone once before coming round again
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.hovered_zone() == first
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.hovered_zone() == seen[-1]
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert controller.selected_zone() == seen[-1]


def test_the_window_modules_load_without_the_html_module() -> None:
    # html loads its entity tables (about 0.35 MiB): the diagram and the shared widgets
    # import it only where they escape text (a tooltip, an overwrite question).
    import subprocess
    import sys

    code = (
        "import sys; import massage_trainer.ui.diagram, massage_trainer.ui.widgets; "
        "print('html' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
