"""The back diagram at 1920×1080: animation frame, full re-render and zone hit-test.

* Animation frame: one tick of the view's animation timer and the paint it causes (the
  app repaints only where the moving marks were and are). The floor is a widget of the
  same size whose paint event blits one whole cached 1080p pixmap and draws a simple
  overlay (a few antialiased circles and a line). A ``repaint()`` of the whole view
  while animating is shown too, for information.
* Full re-render: ``render_static_layers()`` after a highlight change (what a resize or
  a new step costs once).
* Hit-test: ``zone_at()`` on random points over the diagram, against the floor of
  ``QPainterPath.contains`` on every zone path for the same points.

    python -m benchmarks.diagram_paint
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks._common import Figure, emit, fmt_ms, fmt_us, median

FRAME_LIMIT_S = 0.002
RENDER_LIMIT_S = 0.035
HIT_LIMIT_S = 10e-6
SIZE = (1920, 1080)


def _time_each(action: Callable[[], object], repeat: int, warmup: int = 5) -> float:
    """Median seconds of one call."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return median(samples)


def run(quick: bool) -> list[Figure]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF, QSettings, Qt, QTimer
    from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPixmap
    from PySide6.QtWidgets import QApplication, QWidget

    from massage_trainer.domain.content import load_library
    from massage_trainer.ui.controller import SessionController
    from massage_trainer.ui.diagram import ANIMATION_INTERVAL_MS, BackDiagramView
    from massage_trainer.ui.preferences import Preferences

    app = QApplication.instance() or QApplication([])
    library = load_library()
    controller = SessionController(library, get_ready_s=0.0)
    settings_dir = tempfile.mkdtemp(prefix="massage-trainer-bench-")
    settings = QSettings(str(Path(settings_dir) / "s.ini"), QSettings.Format.IniFormat)
    preferences = Preferences(settings)
    view = BackDiagramView(controller, preferences)
    view.resize(*SIZE)
    view.show()
    controller.start()
    for _ in range(3):
        app.processEvents()
    if not view.is_animating():
        raise RuntimeError("the diagram does not animate the first step's movement")

    repeat = 100 if quick else 300
    frame_full = _time_each(view.repaint, repeat)
    # A real frame: what the animation timer's tick does (it repaints only the area the
    # moving marks left and entered), then the event loop paints it.
    animation_timers = [
        timer
        for timer in view.findChildren(QTimer)
        if timer.interval() == ANIMATION_INTERVAL_MS and timer.isActive()
    ]
    if len(animation_timers) != 1:
        raise RuntimeError("cannot find the diagram's animation timer")
    animation_timer = animation_timers[0]

    def real_frame() -> None:
        animation_timer.timeout.emit()
        app.processEvents()

    frame_motion = _time_each(real_frame, repeat)

    class BlitFloor(QWidget):
        """One cached 1080p pixmap blitted, plus a simple antialiased overlay."""

        def __init__(self) -> None:
            super().__init__()
            self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
            self.cache = QPixmap(*SIZE)
            self.cache.fill(QColor("#f0f0f0"))
            painter = QPainter(self.cache)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.drawPixmap(0, 0, view.grab())
            painter.end()
            self.phase = 0.0

        def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
            painter = QPainter(self)
            painter.drawPixmap(event.rect(), self.cache, event.rect())
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor("#ffffff"), 4))
            self.phase = (self.phase + 7) % 300
            for i in range(3):
                painter.drawEllipse(QPointF(800 + self.phase + 40 * i, 500), 14, 14)
            painter.drawLine(QPointF(800, 560), QPointF(1100, 560))
            painter.end()

    floor = BlitFloor()
    floor.resize(*SIZE)
    floor.show()
    app.processEvents()
    frame_floor = _time_each(floor.repaint, repeat)
    floor.close()

    # Full re-render after a highlight change: alternate the previewed step each time.
    steps = max(1, controller.step_count)
    turn = [0]

    def re_render() -> None:
        turn[0] += 1
        controller.preview_step(turn[0] % steps)
        view.render_static_layers()

    render = _time_each(re_render, 10 if quick else 30, warmup=2)

    # Hit-test over random points inside the diagram (same points for both sides).
    rng = random.Random(20261122)
    area = view.diagram_rect()
    points = [
        QPointF(
            rng.uniform(area.left(), area.right()),
            rng.uniform(area.top(), area.bottom()),
        )
        for _ in range(5000 if quick else 20000)
    ]
    started = time.perf_counter()
    hits = sum(1 for point in points if view.zone_at(point))
    hit = (time.perf_counter() - started) / len(points)
    paths = [view.zone_path(zone_id) for zone_id in view.zone_ids()]
    diagram_points = [view.map_to_diagram(point) for point in points]
    started = time.perf_counter()
    for point in diagram_points:
        for path in paths:
            if path is not None and path.contains(point):
                break
    hit_floor = (time.perf_counter() - started) / len(points)
    view.close()

    return [
        Figure(
            name="Diagram 1920×1080: animation frame",
            measured=fmt_ms(frame_motion),
            floor=fmt_ms(frame_floor),
            comparison=f"{frame_motion / frame_floor:.1f}×",
            target=f"≤ {FRAME_LIMIT_S * 1000:.0f} ms",
            passed=frame_motion <= FRAME_LIMIT_S,
            note=(
                "one tick of the animation timer and the paint it causes (the area the "
                "moving marks leave and enter); floor: a whole 1080p blit + simple overlay"
            ),
        ),
        Figure(
            name="Diagram 1920×1080: whole-view repaint, animating",
            measured=fmt_ms(frame_full),
            floor=fmt_ms(frame_floor),
            comparison=f"{frame_full / frame_floor:.1f}×",
            note=(
                "repaint() of the whole view from the cache with every overlay (on hover, "
                "focus or expose; not per frame)"
            ),
        ),
        Figure(
            name="Diagram 1920×1080: full re-render",
            measured=fmt_ms(render),
            comparison=f"{render / RENDER_LIMIT_S * 100:.0f} % of limit",
            target=f"≤ {RENDER_LIMIT_S * 1000:.0f} ms",
            passed=render <= RENDER_LIMIT_S,
            note="render_static_layers() after a highlight change, median",
        ),
        Figure(
            name="Zone hit-test",
            measured=f"{fmt_us(hit)} per point",
            floor=f"{fmt_us(hit_floor)} per point",
            comparison=f"{hit / hit_floor:.2f}×",
            target=f"≤ {HIT_LIMIT_S * 1e6:.0f} µs",
            passed=hit <= HIT_LIMIT_S,
            note=(
                f"{len(points)} random points over the diagram, {hits} inside a zone; "
                f"floor: QPainterPath.contains over all {len(paths)} zones"
            ),
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args(argv)
    emit(run(args.quick))


if __name__ == "__main__":
    main()
