"""Practice mode: trace a stroke on the back diagram and see how it went.

:class:`PracticeOverlay` is a transparent child of the :class:`BackDiagramView` (it
follows the view's size through an event filter; the view itself is not changed). While
practice mode is on it takes the mouse, touch and drawing-tablet pen, draws the trace,
flags a no-go zone the moment the trace enters it (a red mark and a sound) and shows the
live figures. When the stroke ends it asks the domain (:mod:`massage_trainer.domain.
strokes`) for the feedback, replays the trace over the reference movement and, when the
practised step changes, scores the step and records the score in the history.

:class:`PracticeFeedbackPanel` shows the score and the reasons. :class:`PracticeMode`
puts both into a main window (a dock under the window) and switches them on and off.

Times come from an injected clock (the session controller's), never from event
timestamps, so tests move a fake clock instead of waiting.
"""

from __future__ import annotations

import html
import inspect
import math
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QInputDevice,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QTabletEvent,
    QTouchEvent,
    QTransform,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from massage_trainer.domain.diagram import DiagramError
from massage_trainer.domain.models import Direction, Step, Technique
from massage_trainer.domain.session import Clock
from massage_trainer.domain.strokes import (
    TEMPO_SPEEDS_CM_S,
    FeedbackReason,
    InputKind,
    LiveReading,
    LiveStrokeAnalyser,
    ReferenceStroke,
    SpeedVerdict,
    StepPractice,
    StepScore,
    StrokeFeedback,
    StrokePoint,
    pace_phrase,
    percent,
    reference_strokes,
)
from massage_trainer.domain.zone_geometry import ZoneGeometry
from massage_trainer.ui.controller import SessionController, describe_zones, pressure_text
from massage_trainer.ui.preferences import Preferences

REPLAY_INTERVAL_MS = 33
"""About 30 frames a second while a replay runs (and no timer at all otherwise)."""
REPLAY_MAX_S = 6.0
"""A long stroke is replayed faster, so a replay never takes longer than this."""
REPLAY_KEY = "Ctrl+R"
"""Plays the last stroke back while practice mode is on."""
CLEAR_KEY = "Delete"
"""Wipes the trace while practice mode is on."""
ALERT_GAP_S = 0.4
"""At most one no-go sound in this time, however often the trace wobbles on an edge."""

TRACE_ON_TARGET = QColor("#1d4fd6")
TRACE_OFF_TARGET = QColor("#6b6f7a")
TRACE_NO_GO = QColor("#d7352b")
TRACE_HALO = QColor(255, 255, 255, 220)
REFERENCE = QColor("#7b2cbf")
"""The model stroke is purple: apart from the zones' green, amber and red, the step's
blue outline and the white movement marks of the diagram."""
REFERENCE_HALO = QColor(255, 255, 255, 230)
HUD_BACKGROUND = QColor(255, 255, 255, 215)
HUD_TEXT = QColor("#111111")
HUD_BAD = QColor("#a01c14")
HUD_GOOD = QColor("#1f6b3d")

NO_STROKE_TEXT = "Trace the stroke on the diagram: press, move, release."

INPUT_LABELS = {"mouse": "Mouse — no pressure", "touch": "Touch — no pressure"}

_TARGET, _OFF, _NO_GO = 1, 0, 2

_DIRECTION_SHORT = {
    Direction.UP: "up",
    Direction.DOWN: "down",
    Direction.OUTWARD: "outwards",
    Direction.INWARD: "inwards",
    Direction.CIRCULAR: "in circles",
    Direction.IN_PLACE: "on the spot",
    Direction.STATIC: "still",
}
_DIRECTION_ASK = {
    Direction.UP: "up towards the head",
    Direction.DOWN: "down towards the hips",
    Direction.OUTWARD: "outwards from the spine",
    Direction.INWARD: "inwards to the spine (never onto it)",
    Direction.CIRCULAR: "in small circles",
    Direction.IN_PLACE: "on one spot",
    Direction.STATIC: "held still",
}


def input_label(kind: InputKind, pressure: float | None = None) -> str:
    """How the input is labelled: "Mouse — no pressure", "Pen — pressure 0.62"."""
    if kind == "pen":
        return (
            "Pen — no pressure reported" if pressure is None else f"Pen — pressure {pressure:.2f}"
        )
    return INPUT_LABELS[kind]


PEN_DEVICE_TYPES = (
    QInputDevice.DeviceType.Stylus,
    QInputDevice.DeviceType.Airbrush,
    QInputDevice.DeviceType.Puck,
)
NO_PEN_TEXT = (
    "No pen or drawing tablet found: trace with the mouse or a finger "
    "(pressure is judged only with a pen)"
)
PEN_TEXT = "Trace with the pen to practise pressure too, or with the mouse or a finger"


def pen_found() -> bool:
    """Whether the system reports a drawing-tablet pen (some report one only once it is
    used; its first touch then names it anyway)."""
    return any(device.type() in PEN_DEVICE_TYPES for device in QInputDevice.devices())


def idle_input_text() -> str:
    """What the panel says about the input before the first stroke."""
    return PEN_TEXT if pen_found() else NO_PEN_TEXT


class ScoreRecorder(Protocol):
    """What the overlay needs of the history recorder: its ``record_score`` method (and,
    when it has them, ``store`` and ``session_id``)."""

    @property
    def record_score(self) -> Callable[..., object]: ...


class NoGoAlert:
    """The sound for a no-go zone: the session's warning chime, else the system beep.

    Qt Multimedia loads on :meth:`prepare` (when practice mode starts), not at app start;
    without an audio device the beep is used and nothing fails. Respects the chime
    preference.
    """

    def __init__(self, preferences: Preferences | None = None) -> None:
        self._preferences = preferences
        self._chime: Any = None
        self._failed = False

    @property
    def uses_beep(self) -> bool:
        return self._failed

    def prepare(self) -> None:
        if self._chime is not None or self._failed:
            return
        try:
            from massage_trainer.ui.cues import qt_sound_factory, sounds_dir

            self._chime = qt_sound_factory(sounds_dir() / "warning.wav")
        except Exception:  # no audio device, no library: the beep is the fallback
            self._failed = True

    def __call__(self) -> None:
        if self._preferences is not None and not self._preferences.chime_enabled:
            return
        self.prepare()
        try:
            if self._chime is not None:
                self._chime.play()
            else:
                QApplication.beep()
        except Exception:  # a sound must never break the practice
            self._failed = True
            self._chime = None


class PracticeOverlay(QWidget):
    """The tracing layer over the back diagram (see the module's description)."""

    active_changed = Signal(bool)
    input_label_changed = Signal(str)
    """"Mouse — no pressure", "Pen — pressure 0.62", …"""
    stroke_started = Signal(str)
    """The input kind."""
    live_changed = Signal(object)
    """LiveReading after each point."""
    no_go_entered = Signal(str)
    """The no-go zone id the trace has just entered."""
    stroke_finished = Signal(object)
    """StrokeFeedback of the stroke just ended."""
    step_scored = Signal(object)
    """StepScore of a practised step, when the practice moves to another step or stops."""
    practice_step_changed = Signal(int)
    """The index of the step being practised (-1 when none)."""
    replay_changed = Signal(bool)
    """A replay started (True) or ended (False)."""
    trace_cleared = Signal()
    """The trace was wiped from the diagram (Clear trace): nothing is left to replay."""

    def __init__(
        self,
        diagram: QWidget,
        controller: SessionController,
        *,
        preferences: Preferences | None = None,
        clock: Clock | None = None,
        alert: Callable[[], None] | None = None,
        recorder: ScoreRecorder | None = None,
        geometry: ZoneGeometry | None = None,
    ) -> None:
        super().__init__(diagram)
        self._diagram = diagram
        self._controller = controller
        self._preferences = preferences
        self._clock: Clock = clock if clock is not None else controller.clock
        self._alert: Callable[[], None] = alert if alert is not None else NoGoAlert(preferences)
        self._recorder = recorder
        self._geometry = geometry if geometry is not None else _load_geometry(controller)
        self._active = False
        self._stroke: LiveStrokeAnalyser | None = None
        self._stroke_kind: InputKind | None = None
        self._points: list[StrokePoint] = []
        self._classes: list[int] = []
        self._markers: list[tuple[str, QPointF]] = []
        self._reading: LiveReading | None = None
        self._feedback: StrokeFeedback | None = None
        self._input_label = ""
        self._last_alert = -math.inf
        self._step_index = -1
        self._step: Step | None = None
        self._technique: Technique | None = None
        self._practice: StepPractice | None = None
        self._references: tuple[ReferenceStroke, ...] = ()
        self._replay_start = 0.0
        self._replay_speed = 1.0
        self._replay_t: float | None = None
        self._show_references = False
        self._replay_timer = QTimer(self)
        self._replay_timer.setInterval(REPLAY_INTERVAL_MS)
        self._replay_timer.timeout.connect(self.tick_replay)

        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_TabletTracking, False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName("Practice tracing layer")
        self.setGeometry(diagram.rect())
        self.hide()
        diagram.installEventFilter(self)

        controller.step_changed.connect(self._on_controller_step_moved)
        controller.preview_changed.connect(self._on_controller_step_moved)
        controller.routine_changed.connect(self._on_controller_routine_changed)
        self._sync_step()

    # -- public API -------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """Whether tracing can work here (the diagram and its zones loaded)."""
        return self._geometry is not None and hasattr(self._diagram, "map_to_diagram")

    def is_active(self) -> bool:
        return self._active

    def set_active(self, on: bool) -> None:
        """Switch practice mode on (take the pointer) or off (leave it to the diagram)."""
        on = bool(on) and self.available
        if on == self._active:
            return
        self._active = on
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, not on)
        if on:
            self._sync_step()
            self.setGeometry(self._diagram.rect())
            self.show()
            self.raise_()
            prepare = getattr(self._alert, "prepare", None)
            if callable(prepare):
                # Load the sound now, so the first no-go entry is not delayed by it.
                QTimer.singleShot(0, prepare)
        else:
            self._cancel_stroke()
            self._stop_replay()
            self.finish_step()
            self.hide()
        self.active_changed.emit(on)

    def input_label(self) -> str:
        """The label of the last input used ("" before the first stroke)."""
        return self._input_label

    def practice_step(self) -> int:
        """The index of the step being practised; -1 when none."""
        return self._step_index

    def step_ask(self) -> str:
        """What to trace for the practised step, in a line."""
        step, technique = self._step, self._technique
        if step is None or technique is None:
            return "Load a routine to practise its steps."
        low, high = TEMPO_SPEEDS_CM_S[technique.tempo]
        zones = describe_zones(self._controller.zones_for_step(self._step_index))
        return (
            f"Trace {technique.name.lower()} on {zones or 'the step’s zones'}: "
            f"{_DIRECTION_ASK[step.direction]}, {pace_phrase(technique)} "
            f"({low:g}–{high:g} cm/s), {pressure_text(step.pressure).lower()}"
        )

    def trace_points(self) -> list[QPointF]:
        """The current (or last) stroke's points, in diagram units."""
        return [QPointF(p.x, p.y) for p in self._points]

    def no_go_markers(self) -> list[tuple[str, QPointF]]:
        """Where the trace entered no-go zones: (zone id, point in diagram units)."""
        return list(self._markers)

    def live_reading(self) -> LiveReading | None:
        return self._reading

    def last_feedback(self) -> StrokeFeedback | None:
        return self._feedback

    def references(self) -> tuple[ReferenceStroke, ...]:
        """The model strokes shown with a replay."""
        return self._references

    def is_stroking(self) -> bool:
        return self._stroke is not None

    # -- strokes ----------------------------------------------------------------------

    def begin_stroke(
        self, kind: InputKind, position: QPointF, pressure: float | None = None
    ) -> bool:
        """Start a stroke at a widget position; False when there is no step to practise."""
        if not self._active or self._step is None or self._technique is None:
            return False
        if self._geometry is None:
            return False
        self._stop_replay()
        self._stroke = LiveStrokeAnalyser(
            self._step, self._technique, self._geometry, input_kind=kind
        )
        self._stroke_kind = kind
        self._points = []
        self._classes = []
        self._markers = []
        self._reading = None
        self._set_input_label(input_label(kind, pressure))
        self.stroke_started.emit(kind)
        self.extend_stroke(position, pressure)
        self.update()
        return True

    def extend_stroke(self, position: QPointF, pressure: float | None = None) -> None:
        """Add a point (widget coordinates) to the stroke in progress."""
        stroke = self._stroke
        if stroke is None:
            return
        diagram_point = self._to_diagram(position)
        point = StrokePoint(self._clock.now(), diagram_point.x(), diagram_point.y(), pressure)
        if self._points and self._points[-1] == point:
            return
        previous = self._points[-1] if self._points else None
        reading = stroke.add(point)
        self._points.append(point)
        self._classes.append(_NO_GO if reading.in_no_go else _TARGET if reading.in_target else _OFF)
        self._reading = reading
        if self._stroke_kind == "pen":
            self._set_input_label(input_label("pen", pressure))
        if reading.entered_no_go is not None:
            self._markers.append((reading.entered_no_go, QPointF(point.x, point.y)))
            now = self._clock.now()
            if now - self._last_alert >= ALERT_GAP_S:
                self._last_alert = now
                self._alert()
            self.no_go_entered.emit(reading.entered_no_go)
        self.live_changed.emit(reading)
        self._update_around(previous, point)

    def end_stroke(self) -> StrokeFeedback | None:
        """Finish the stroke in progress; its feedback (None when there was none)."""
        stroke = self._stroke
        if stroke is None:
            return None
        self._stroke = None
        self._stroke_kind = None
        feedback = stroke.finish()
        self._feedback = feedback
        if self._practice is not None:
            self._practice.add(feedback)
        self.stroke_finished.emit(feedback)
        self.replay()
        return feedback

    def finish_step(self) -> StepScore | None:
        """Score the practised step's strokes (and record the score); None without any.

        Called when the practised step changes and when practice mode stops.
        """
        practice = self._practice
        if practice is None:
            return None
        result = practice.score()
        if self._step is not None and self._technique is not None:
            self._practice = StepPractice(
                self._step,
                self._technique,
                step_index=self._step_index,
                geometry=self._geometry,
            )
        else:
            self._practice = None
        if result is None:
            return None
        self.step_scored.emit(result)
        self._record(result)
        return result

    def clear(self) -> None:
        """Forget the trace on screen (not the step's strokes)."""
        self._cancel_stroke()
        self._stop_replay()
        self._points = []
        self._classes = []
        self._markers = []
        self._reading = None
        self.update()
        self.trace_cleared.emit()

    # -- replay -----------------------------------------------------------------------

    def replay(self) -> None:
        """Play the last stroke back over the reference movement (still with reduced
        motion: the whole trace and the reference are shown at once)."""
        if len(self._points) < 1:
            return
        self._stop_replay(emit=False)
        duration = self._points[-1].t - self._points[0].t
        self._replay_speed = max(1.0, duration / REPLAY_MAX_S)
        reduced = self._preferences is not None and self._preferences.reduced_motion
        if reduced or duration <= 0:
            self._replay_t = None
            self._show_references = True
            self.update()
            return
        self._show_references = True
        self._replay_start = self._clock.now()
        self._replay_t = 0.0
        self._replay_timer.start()
        self.replay_changed.emit(True)
        self.update()

    def is_replaying(self) -> bool:
        return self._replay_timer.isActive()

    def replay_time(self) -> float | None:
        """How far the replay has got, in seconds of the stroke; None when none runs."""
        return self._replay_t

    def tick_replay(self) -> None:
        """Move the replay on to the clock's time (the replay timer calls this)."""
        if self._replay_t is None or not self._points:
            self._stop_replay()
            return
        duration = self._points[-1].t - self._points[0].t
        self._replay_t = (self._clock.now() - self._replay_start) * self._replay_speed
        if self._replay_t >= duration:
            self._stop_replay()
            return
        self.update()

    @property
    def replay_timer(self) -> QTimer:
        return self._replay_timer

    def _stop_replay(self, *, emit: bool = True) -> None:
        was = self._replay_timer.isActive()
        self._replay_timer.stop()
        self._replay_t = None
        if was and emit:
            self.replay_changed.emit(False)
        self.update()

    # -- Qt events --------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self._diagram and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._diagram.rect())
        return super().eventFilter(watched, event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if self._is_synthesized(event):
            event.accept()  # the pen or the finger already drew this
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self.begin_stroke("mouse", event.position())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if self._stroke_kind == "mouse" and not self._is_synthesized(event):
            self.extend_stroke(event.position())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if self._stroke_kind == "mouse" and event.button() == Qt.MouseButton.LeftButton:
            self.extend_stroke(event.position())
            self.end_stroke()
            event.accept()
            return
        if self._is_synthesized(event):
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802 (Qt's name)
        if not self._active:
            event.ignore()
            return
        kind = event.type()
        pressure = float(event.pressure())
        if kind == QEvent.Type.TabletPress:
            self.begin_stroke("pen", event.position(), pressure)
        elif kind == QEvent.Type.TabletMove and self._stroke_kind == "pen":
            self.extend_stroke(event.position(), pressure)
        elif kind == QEvent.Type.TabletRelease and self._stroke_kind == "pen":
            self.end_stroke()
        # Accepted, so Qt does not make mouse events of it as well.
        event.accept()

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.TouchEnd,
            QEvent.Type.TouchCancel,
        ) and isinstance(event, QTouchEvent):
            self._touch(event)
            return True
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        points = event.points()
        if not self._active or not points:
            event.accept()
            return
        # One finger traces; a second one does not start another stroke.
        position = points[0].position()
        kind = event.type()
        if kind == QEvent.Type.TouchBegin:
            self.begin_stroke("touch", position)
        elif kind == QEvent.Type.TouchUpdate and self._stroke_kind == "touch":
            self.extend_stroke(position)
        elif kind == QEvent.Type.TouchEnd and self._stroke_kind == "touch":
            self.extend_stroke(position)
            self.end_stroke()
        elif kind == QEvent.Type.TouchCancel:
            self._cancel_stroke()
        event.accept()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self._diagram.size()

    # -- painting ---------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        if not self._active:
            return
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setClipRect(event.rect())
            self._paint_frame(painter)
            transform = self._transform()
            painter.setTransform(transform)
            if self._replay_t is not None or self._show_references:
                self._paint_references(painter)
            self._paint_trace(painter)
            self._paint_markers(painter)
            painter.resetTransform()
            self._paint_hud(painter)
        finally:
            painter.end()

    def _paint_frame(self, painter: QPainter) -> None:
        # A coloured frame says at a glance that the diagram now takes strokes.
        pen = QPen(TRACE_ON_TARGET, 3)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5))

    def _paint_references(self, painter: QPainter) -> None:
        halo = QPen(REFERENCE_HALO, 7)
        halo.setCosmetic(True)
        halo.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen = QPen(REFERENCE, 3.5)
        pen.setCosmetic(True)
        pen.setStyle(Qt.PenStyle.DashLine)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        for reference in self._references:
            if reference.kind == "spot":
                x, y = reference.points[0]
                radius = 6.0
                for p in (halo, pen):
                    painter.setPen(p)
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawEllipse(QPointF(x, y), radius, radius)
                continue
            path = QPainterPath(QPointF(*reference.points[0]))
            for x, y in reference.points[1:]:
                path.lineTo(QPointF(x, y))
            for p in (halo, pen):
                painter.setPen(p)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(path)
            if reference.kind == "line" and len(reference.points) >= 2:
                self._arrowhead(painter, reference.points[-2], reference.points[-1])

    def _arrowhead(
        self, painter: QPainter, before: tuple[float, float], tip: tuple[float, float]
    ) -> None:
        dx, dy = tip[0] - before[0], tip[1] - before[1]
        length = math.hypot(dx, dy) or 1.0
        ux, uy = dx / length, dy / length
        size = 14.0 / max(self._scale(), 1e-3)
        back = (tip[0] - ux * size, tip[1] - uy * size)
        nx, ny = -uy * size * 0.55, ux * size * 0.55
        head = QPolygonF(
            [
                QPointF(*tip),
                QPointF(back[0] + nx, back[1] + ny),
                QPointF(back[0] - nx, back[1] - ny),
            ]
        )
        halo = QPen(REFERENCE_HALO, 2.5)
        halo.setCosmetic(True)
        painter.setPen(halo)
        painter.setBrush(REFERENCE)
        painter.drawPolygon(head)

    def _paint_trace(self, painter: QPainter) -> None:
        points = self._points
        if not points:
            return
        end = len(points)
        if self._replay_t is not None:
            limit = points[0].t + self._replay_t
            end = next((i for i, p in enumerate(points) if p.t > limit), len(points))
        width = 4.0
        halo = QPen(TRACE_HALO, width + 3)
        halo.setCosmetic(True)
        halo.setCapStyle(Qt.PenCapStyle.RoundCap)
        halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if end < len(points):
            # The whole stroke faintly, the replayed part over it.
            ghost_colour = QColor(TRACE_OFF_TARGET)
            ghost_colour.setAlpha(110)
            ghost = QPen(ghost_colour, width)
            ghost.setCosmetic(True)
            ghost.setCapStyle(Qt.PenCapStyle.RoundCap)
            ghost.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(ghost)
            painter.drawPolyline(QPolygonF([QPointF(p.x, p.y) for p in points]))
        if end == 0:
            return
        outline = [QPointF(p.x, p.y) for p in points[:end]]
        painter.setPen(halo)
        if end == 1:
            painter.drawPoint(outline[0])
        else:
            painter.drawPolyline(QPolygonF(outline))
        # Each run of points in one class (on target, off, no-go) in its colour.
        colours = {_TARGET: TRACE_ON_TARGET, _OFF: TRACE_OFF_TARGET, _NO_GO: TRACE_NO_GO}
        start = 0
        classes = self._classes
        while start < end:
            stop = start
            while stop + 1 < end and classes[stop + 1] == classes[start]:
                stop += 1
            pen = QPen(colours[classes[start]], width)
            pen.setCosmetic(True)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            # Draw into the next run's first point, so the line has no gaps.
            piece = outline[start : min(stop + 2, end)]
            if len(piece) == 1:
                painter.drawPoint(piece[0])
            else:
                painter.drawPolyline(QPolygonF(piece))
            start = stop + 1
        if self._replay_t is not None and end > 0:
            head = outline[end - 1]
            radius = 7.0 / max(self._scale(), 1e-3)
            ring = QPen(TRACE_HALO, 2.5)
            ring.setCosmetic(True)
            painter.setPen(ring)
            painter.setBrush(colours[classes[end - 1]])
            painter.drawEllipse(head, radius, radius)

    def _paint_markers(self, painter: QPainter) -> None:
        if not self._markers:
            return
        radius = 11.0 / max(self._scale(), 1e-3)
        ring = QPen(QColor("#ffffff"), 2.5)
        ring.setCosmetic(True)
        for _zone, point in self._markers:
            painter.setPen(ring)
            painter.setBrush(TRACE_NO_GO)
            painter.drawEllipse(point, radius, radius)
            bar = QPen(QColor("#ffffff"), 3)
            bar.setCosmetic(True)
            bar.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(bar)
            painter.drawLine(
                QPointF(point.x(), point.y() - radius * 0.5),
                QPointF(point.x(), point.y() + radius * 0.1),
            )
            painter.drawPoint(QPointF(point.x(), point.y() + radius * 0.45))

    def hud_lines(self) -> list[tuple[str, str]]:
        """The live figures shown on the diagram: (text, "bad" | "good" | "")."""
        lines: list[tuple[str, str]] = []
        reading = self._reading
        technique = self._technique
        if self._input_label:
            lines.append((self._input_label, ""))
        if reading is None or technique is None or self._step is None:
            # Only the way to go: the whole request (with every zone) is in the panel,
            # and a box that long would hide the zones on the receiver's left.
            step = self._step
            idle = f"Trace: {_DIRECTION_ASK[step.direction]}" if step and technique else ""
            lines.append((idle or "No step to practise", ""))
            return lines
        if reading.in_no_go and reading.zone_id is not None and self._geometry is not None:
            name = self._geometry.shape(reading.zone_id).name.lower()
            lines.append((f"No-go: {name}! Move off", "bad"))
        share = percent(reading.target_share)
        lines.append((f"On the zones: {share} %", "good" if share >= 80 else "bad"))
        low, high = TEMPO_SPEEDS_CM_S[technique.tempo]
        if reading.speed_cm_s is not None:
            words = {
                SpeedVerdict.OK: ("good", "good"),
                SpeedVerdict.FAST: ("a little fast", "bad"),
                SpeedVerdict.RUSHING: ("rushing", "bad"),
                SpeedVerdict.SLOW: ("slow", "bad"),
                SpeedVerdict.NOT_JUDGED: ("", ""),
            }[reading.speed_verdict]
            lines.append(
                (
                    f"Speed {reading.speed_cm_s:.1f} cm/s: {words[0]} (aim {low:g}–{high:g})",
                    words[1],
                )
            )
        if reading.direction is not None and self._step is not None:
            expected = self._step.direction
            went = _DIRECTION_SHORT[reading.direction]
            fine = reading.direction is expected or (
                expected is Direction.CIRCULAR and reading.direction is Direction.CIRCULAR
            )
            text = f"Going {went}" + ("" if fine else f", not {_DIRECTION_SHORT[expected]}")
            lines.append((text, "good" if fine else "bad"))
        return lines

    def _paint_hud(self, painter: QPainter) -> None:
        lines = self.hud_lines()
        if not lines:
            return
        px = max(11.0, min(18.0, min(self.width(), self.height()) / 36))
        font = QFont(self.font())
        font.setPixelSize(round(px))
        bold = QFont(font)
        bold.setBold(True)
        padding = px * 0.5
        # Bottom left, beside the hips: the drawing leaves that corner empty, and the side
        # labels and the head stay in view. A quarter of the way into the drawing is where
        # the body begins at hip height.
        rect = self._drawing_rect()
        free = rect.left() + rect.width() * 0.26 - 8
        max_width = max(150.0, min(self.width() * 0.4, free)) - 2 * padding
        fonts = [bold if kind == "bad" else font for _text, kind in lines]
        width = min(
            max_width,
            max(
                QFontMetricsF(f).horizontalAdvance(text) + 2
                for f, (text, _) in zip(fonts, lines, strict=True)
            ),
        )
        heights = [
            QFontMetricsF(f)
            .boundingRect(QRectF(0, 0, width, 1000), int(Qt.TextFlag.TextWordWrap), text)
            .height()
            for f, (text, _) in zip(fonts, lines, strict=True)
        ]
        height = sum(heights) + 2 * padding
        bottom = rect.top() + rect.height() * 0.87
        top = max(8.0, min(bottom, self.height() - 8.0) - height)
        box = QRectF(8, top, width + 2 * padding, height)
        painter.setPen(QPen(QColor(0, 0, 0, 90), 1))
        painter.setBrush(HUD_BACKGROUND)
        painter.drawRoundedRect(box, 6, 6)
        y = box.top() + padding
        for (text, kind), height, line_font in zip(lines, heights, fonts, strict=True):
            painter.setFont(line_font)
            painter.setPen({"bad": HUD_BAD, "good": HUD_GOOD}.get(kind, HUD_TEXT))
            painter.drawText(
                QRectF(box.left() + padding, y, width, height),
                int(Qt.TextFlag.TextWordWrap),
                text,
            )
            y += height

    # -- helpers ----------------------------------------------------------------------

    def _to_diagram(self, position: QPointF) -> QPointF:
        diagram: Any = self._diagram
        return QPointF(diagram.map_to_diagram(QPointF(position)))

    def _transform(self) -> QTransform:
        diagram: Any = self._diagram
        origin = diagram.map_from_diagram(QPointF(0, 0))
        unit = diagram.map_from_diagram(QPointF(1, 1))
        return QTransform(
            unit.x() - origin.x(), 0, 0, unit.y() - origin.y(), origin.x(), origin.y()
        )

    def _drawing_rect(self) -> QRectF:
        """Where the diagram's drawing lies in the widget (the whole widget if unknown)."""
        rect = getattr(self._diagram, "diagram_rect", None)
        if callable(rect):
            found = rect()
            if isinstance(found, QRectF) and not found.isEmpty():
                return found
        return QRectF(self.rect())

    def _scale(self) -> float:
        return self._transform().m11()

    def _update_around(self, previous: StrokePoint | None, point: StrokePoint) -> None:
        # Repaint only the new piece of the trace and the live figures.
        transform = self._transform()
        a = transform.map(QPointF(point.x, point.y))
        b = transform.map(QPointF(previous.x, previous.y)) if previous is not None else a
        margin = 16
        self.update(
            QRectF(a, b).normalized().adjusted(-margin, -margin, margin, margin).toAlignedRect()
        )
        rect = self._drawing_rect()
        self.update(
            QRectF(
                0,
                rect.top() + rect.height() * 0.4,
                rect.left() + rect.width() * 0.3 + 8,
                rect.height() * 0.6,
            ).toAlignedRect()
        )

    def _set_input_label(self, text: str) -> None:
        if text != self._input_label:
            self._input_label = text
            self.input_label_changed.emit(text)

    def _cancel_stroke(self) -> None:
        self._stroke = None
        self._stroke_kind = None

    def _is_synthesized(self, event: QMouseEvent) -> bool:
        return event.source() != Qt.MouseEventSource.MouseEventNotSynthesized

    def _on_controller_step_moved(self, _index: int) -> None:
        self._sync_step()

    def _on_controller_routine_changed(self) -> None:
        self._sync_step(force=True)

    def _sync_step(self, *, force: bool = False) -> None:
        controller = self._controller
        index = controller.preview_index
        if index < 0:
            index = controller.current_index
        if index == self._step_index and not force:
            return
        if self._stroke is not None:
            # The step moved on (by itself, say) mid-stroke: the stroke was traced for
            # the step being left, and counts there rather than being thrown away.
            self.end_stroke()
        self.finish_step()
        step: Step | None = None
        technique: Technique | None = None
        if index >= 0:
            try:
                step = controller.step(index)
                technique = controller.technique_for_step(index)
            except (IndexError, KeyError):
                step, technique = None, None
        self._step_index = index if step is not None else -1
        self._step, self._technique = step, technique
        self._practice = (
            StepPractice(step, technique, step_index=index, geometry=self._geometry)
            if step is not None and technique is not None
            else None
        )
        self._references = (
            reference_strokes(step, technique, self._geometry)
            if step is not None and technique is not None and self._geometry is not None
            else ()
        )
        self._points, self._classes, self._markers = [], [], []
        self._reading = None
        self._feedback = None
        self._show_references = False
        self._stop_replay()
        self.practice_step_changed.emit(self._step_index)

    def _record(self, result: StepScore) -> None:
        recorder = self._recorder
        if recorder is None:
            return
        problems = [r.text for r in result.reasons if not r.ok]
        detail = f"Practice, step {(result.step_index or 0) + 1}, {result.stroke_count} " + (
            "stroke" if result.stroke_count == 1 else "strokes"
        )
        if problems:
            detail += ": " + "; ".join(problems)
        try:
            record = recorder.record_score
            parameters = inspect.signature(record).parameters
            takes_any = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
            if "step_index" in parameters or takes_any:
                record(
                    result.technique_id, result.score, step_index=result.step_index, detail=detail
                )
                return
            store = getattr(recorder, "store", None)
            if store is not None:
                # The recorder would file the score under the step the session is on
                # now; the practised step is the one that was just left.
                store.record_score(
                    result.technique_id,
                    result.score,
                    session_id=getattr(recorder, "session_id", None),
                    step_index=result.step_index,
                    detail=detail,
                )
            else:
                record(result.technique_id, result.score, detail=detail)
        except Exception:  # the history never stops the practice
            return


def _load_geometry(controller: SessionController) -> ZoneGeometry | None:
    try:
        from massage_trainer.ui.zone_shapes import load_back_shapes

        shapes = load_back_shapes()
    except DiagramError:
        return None
    return ZoneGeometry.from_diagram(shapes.diagram, controller.library.zones)


# -- the feedback panel ----------------------------------------------------------------


class PracticeFeedbackPanel(QWidget):
    """The score and reasons of the last stroke, the step's score, and replay."""

    def __init__(self, overlay: PracticeOverlay, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._overlay = overlay
        self.setAccessibleName("Practice feedback")

        self.ask_label = QLabel()
        self.ask_label.setWordWrap(True)
        self.ask_label.setAccessibleName("What to trace")
        self.input_label = QLabel(overlay.input_label() or idle_input_text())
        self.input_label.setWordWrap(True)
        self.input_label.setAccessibleName("Input")
        self.live_label = QLabel()
        self.live_label.setAccessibleName("Live figures")
        self.live_label.setWordWrap(True)
        self.score_label = QLabel("–")
        self.score_label.setAccessibleName("Stroke score")
        self.score_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.score_label.setMinimumWidth(96)
        score_font = QFont(self.font())
        score_font.setPointSizeF(max(28.0, score_font.pointSizeF() * 2.6))
        score_font.setBold(True)
        self.score_label.setFont(score_font)
        self.score_caption = QLabel("stroke score")
        self.score_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reasons_label = QLabel(NO_STROKE_TEXT)
        self.reasons_label.setAccessibleName("Reasons")
        self.reasons_label.setWordWrap(True)
        self.reasons_label.setTextFormat(Qt.TextFormat.RichText)
        self.reasons_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.reasons_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.step_label = QLabel()
        self.step_label.setAccessibleName("Step score")
        self.step_label.setWordWrap(True)
        self.replay_button = QPushButton("Replay")
        self.replay_button.setAccessibleName("Replay the last stroke")
        self.replay_button.setToolTip("Play the last stroke back over the model movement")
        self.replay_button.clicked.connect(overlay.replay)
        self.replay_button.setEnabled(False)
        self.clear_button = QPushButton("Clear trace")
        self.clear_button.setAccessibleName("Clear the trace")
        self.clear_button.clicked.connect(overlay.clear)
        for button in (self.replay_button, self.clear_button):
            # Keys stay with the session shortcuts, as with the toolbar.
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        score_box = QVBoxLayout()
        score_box.addWidget(self.score_label)
        score_box.addWidget(self.score_caption)
        score_box.addStretch(1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.replay_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        texts = QWidget()
        middle = QVBoxLayout(texts)
        middle.setContentsMargins(0, 0, 0, 0)
        middle.addWidget(self.ask_label)
        middle.addWidget(self.input_label)
        middle.addWidget(self.live_label)
        middle.addWidget(self.reasons_label, 1)
        middle.addWidget(self.step_label)
        # The dock is kept low to leave the diagram its room: when the reasons need more
        # lines than it has, they scroll instead of being cut off.
        self.text_area = QScrollArea()
        self.text_area.setWidget(texts)
        self.text_area.setWidgetResizable(True)
        self.text_area.setFrameShape(QFrame.Shape.NoFrame)
        self.text_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.text_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row = QHBoxLayout(self)
        row.addLayout(score_box)
        row.addWidget(self.text_area, 1)
        row.addLayout(buttons)

        overlay.input_label_changed.connect(self._on_overlay_input_label_changed)
        overlay.active_changed.connect(self._on_overlay_active_changed)
        overlay.live_changed.connect(self._on_overlay_live_changed)
        overlay.stroke_started.connect(self._on_overlay_stroke_started)
        overlay.stroke_finished.connect(self._on_overlay_stroke_finished)
        overlay.step_scored.connect(self._on_overlay_step_scored)
        overlay.practice_step_changed.connect(self._on_overlay_practice_step_changed)
        overlay.trace_cleared.connect(self._on_overlay_trace_cleared)
        self._on_overlay_practice_step_changed(overlay.practice_step())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(720, 190)

    def reasons_text(self) -> str:
        """The reasons as plain text, one a line (for tests and screen readers)."""
        return self.reasons_label.accessibleDescription()

    def _on_overlay_practice_step_changed(self, index: int) -> None:
        self.ask_label.setText(self._overlay.step_ask())
        if index >= 0:
            self.ask_label.setText(f"Step {index + 1}. {self._overlay.step_ask()}")
        # The last stroke was judged against the step just left: its score and reasons
        # (and its trace, gone from the diagram) say nothing about this one. The step's
        # score stays in view.
        self._show_no_stroke()

    def _on_overlay_trace_cleared(self) -> None:
        self.replay_button.setEnabled(False)

    def _show_no_stroke(self) -> None:
        self.score_label.setText("–")
        self.score_label.setStyleSheet("")
        self._set_live_text("")
        self.reasons_label.setText(NO_STROKE_TEXT)
        self.reasons_label.setAccessibleDescription(NO_STROKE_TEXT)
        self.replay_button.setEnabled(False)

    def _on_overlay_active_changed(self, on: bool) -> None:
        if on and not self._overlay.input_label():
            # A tablet may have been plugged in since the panel was built.
            self.input_label.setText(idle_input_text())

    def _on_overlay_input_label_changed(self, text: str) -> None:
        self.input_label.setText(text)

    def _on_overlay_stroke_started(self, _kind: str) -> None:
        self.score_label.setText("…")
        self.replay_button.setEnabled(False)

    def _on_overlay_live_changed(self, reading: object) -> None:
        lines = [text for text, _kind in self._overlay.hud_lines()[1:]]
        self._set_live_text("   ·   ".join(lines))

    def _set_live_text(self, text: str) -> None:
        self.live_label.setText(text)
        self.live_label.setVisible(bool(text))

    def _on_overlay_stroke_finished(self, feedback: object) -> None:
        if not isinstance(feedback, StrokeFeedback):
            return
        # The live figures were for the stroke while it was drawn (the speed of its last
        # half second, say); the reasons below now judge all of it.
        self._set_live_text("")
        reasons = feedback.reasons
        if feedback.too_short:
            # A click or a dab: a number would praise or blame a stroke that was not
            # made, and the step's score leaves it out.
            self.score_label.setText("–")
            self.score_label.setStyleSheet("")
            short = FeedbackReason(
                "direction",
                "Too short to score: trace the whole stroke, "
                f"{_DIRECTION_ASK[feedback.direction_expected]}, then release",
                False,
            )
            reasons = (short, *(r for r in reasons if r.aspect == "no-go"))
        else:
            self.score_label.setText(str(feedback.score))
            self.score_label.setStyleSheet(f"color: {_score_colour(feedback.score).name()};")
        rows = []
        plain = []
        for reason in reasons:
            mark, colour = ("✔", HUD_GOOD.name()) if reason.ok else ("✘", HUD_BAD.name())
            rows.append(
                f"<div style='margin:1px 0'><span style='color:{colour}'>{mark}</span> "
                f"{html.escape(reason.text)}</div>"
            )
            plain.append(("OK: " if reason.ok else "Problem: ") + reason.text)
        self.reasons_label.setText("".join(rows))
        self.reasons_label.setAccessibleDescription("\n".join(plain))
        self.replay_button.setEnabled(True)

    def _on_overlay_step_scored(self, result: object) -> None:
        if not isinstance(result, StepScore):
            return
        problems = [r.text for r in result.reasons if not r.ok]
        number = (result.step_index or 0) + 1
        text = f"Step {number} score: {result.score}"
        if problems:
            text += " — " + "; ".join(problems)
        self.step_label.setText(text)


def _score_colour(score: int) -> QColor:
    if score >= 80:
        return HUD_GOOD
    if score >= 50:
        return QColor("#8a5a00")
    return HUD_BAD


# -- wiring into a main window ---------------------------------------------------------


class PracticeMode(QObject):
    """Practice mode in a main window: the overlay on its diagram, the panel in a dock.

    Built the first time practice mode is switched on, so start-up pays nothing for it.
    """

    def __init__(
        self,
        window: QMainWindow,
        diagram: QWidget,
        controller: SessionController,
        *,
        preferences: Preferences | None = None,
        recorder: ScoreRecorder | None = None,
        clock: Clock | None = None,
        alert: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self.overlay = PracticeOverlay(
            diagram,
            controller,
            preferences=preferences,
            clock=clock,
            alert=alert,
            recorder=recorder,
        )
        self.panel = PracticeFeedbackPanel(self.overlay)
        self.dock = QDockWidget("Practice feedback", window)
        self.dock.setObjectName("practiceDock")
        self.dock.setAccessibleName("Practice feedback")
        self.dock.setWidget(self.panel)
        self.dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        self._shown_once = False
        # The panel's buttons take no focus (keys stay with the session), so they get
        # keys of their own, live only while practice mode is on.
        from massage_trainer.ui.widgets import window_action

        self.replay_action = window_action(
            window,
            "Replay the last stroke",
            self.panel.replay_button.click,
            [REPLAY_KEY],
            tip="Play the last stroke back over the model movement",
        )
        self.clear_action = window_action(
            window, "Clear the trace", self.panel.clear_button.click, [CLEAR_KEY]
        )
        for action, button, label in (
            (self.replay_action, self.panel.replay_button, "Replay"),
            (self.clear_action, self.panel.clear_button, "Clear trace"),
        ):
            action.setEnabled(False)
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            button.setText(f"{label} ({keys})")

    @property
    def available(self) -> bool:
        return self.overlay.available

    def set_active(self, on: bool) -> bool:
        """Switch practice mode; False when it cannot work here (no diagram)."""
        self.overlay.set_active(on)
        active = self.overlay.is_active()
        self.replay_action.setEnabled(active)
        self.clear_action.setEnabled(active)
        first_time = active and not self._shown_once
        self.dock.setVisible(active)
        if first_time:
            self._shown_once = True
            # Only as tall as the feedback needs: the diagram keeps the room.
            self._window.resizeDocks(
                [self.dock], [self.panel.sizeHint().height()], Qt.Orientation.Vertical
            )
        if on and not active:
            self._window.statusBar().showMessage(
                "Practice mode needs the back diagram, which could not be loaded.", 15000
            )
            return False
        if active:
            self._window.statusBar().showMessage(
                # Short enough to fit beside the routine's name on a 1024-pixel screen.
                "Practice mode: trace on the diagram "
                + ("(mouse, finger or pen)" if pen_found() else "(no pen or tablet found)"),
                10000,
            )
        return True


__all__ = [
    "NoGoAlert",
    "PracticeFeedbackPanel",
    "PracticeMode",
    "PracticeOverlay",
    "ScoreRecorder",
    "idle_input_text",
    "input_label",
    "pen_found",
]
