"""The timer panel: a countdown readable across a room, what to do now, and the controls.

The panel listens to the controller and repaints only when a shown value changes:
once a second while a step runs. Its buttons send commands back to the controller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer, Slot
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from massage_trainer.domain.models import Pressure
from massage_trainer.domain.session import SessionState, Snapshot, StepStatus
from massage_trainer.ui.controller import ADJUST_STEP_S, SessionController, format_clock
from massage_trainer.ui.preferences import Preferences

DRY_RUN_TEXT = "Dry run \u2014 no one on the table"
"""The banner shown for the whole length of a dry run (its tooltip in the status bar)."""

ACCENT = QColor("#1d6f7a")
OVERTIME = QColor("#b3261e")
GET_READY = QColor("#7a5a00")
TRACK = QColor("#d9dee2")
FLASH = QColor("#ffe9a8")
CAUTION_FILL = QColor("#fff4e0")
CAUTION_INK = QColor("#6b3f00")
CHECK_IN_FILL = QColor("#dff1f3")
CHECK_IN_INK = QColor("#0f4a52")
DRY_RUN_FILL = QColor("#2f3b47")
DRY_RUN_INK = QColor("#ffffff")
PAIN_INK = QColor("#a0231a")

FLASH_MS = 700

COMPACT_BELOW_PX = 640
"""A timer panel shorter than this packs its controls closer, so that every word of the
step still fits (a 1024x640 window's panel is about 560 pixels tall)."""
BUTTON_HEIGHT = {False: 48, True: 42}
"""The transport buttons' height, normal and compact."""
PAIN_BUTTON_HEIGHT = {False: 40, True: 36}
RING_MIN_SIDE = {False: 160, True: 120}
DETAILS_MIN_HEIGHT = {False: 90, True: 64}
NEXT_LINES = {False: 0, True: 3}
"""At most this many lines for what comes next (0: all it takes); the tooltip has it all."""
PANEL_SPACING = {False: 8, True: 5}
PANEL_MARGINS = {False: (18, 14, 18, 14), True: (18, 8, 18, 8)}
"""How long the panel stays highlighted after a step change."""

PRESSURE_DOTS = {
    Pressure.NONE: "\u25cb\u25cb\u25cb",
    Pressure.LIGHT: "\u25cf\u25cb\u25cb",
    Pressure.MODERATE: "\u25cf\u25cf\u25cb",
    Pressure.FIRM: "\u25cf\u25cf\u25cf",
}
"""Filled dots out of three, so the pressure reads at a glance."""


RingPhase = Literal["idle", "done", "ended", "get_ready", "overtime", "countdown"]
""""done": the routine ran to its end (its last step done); "ended": finished before that."""


@dataclass(frozen=True)
class RingReading:
    """What a countdown ring shows for one moment; each view picks its own caption and colour."""

    phase: RingPhase
    clock: str
    progress: float


def ring_reading(controller: SessionController, snapshot: Snapshot | None) -> RingReading:
    """The clock text, phase and filled share of the ring for ``snapshot``."""
    if snapshot is None:
        return RingReading("idle", "0:00", 0.0)
    remaining = controller.remaining_seconds()
    get_ready = controller.get_ready_seconds()
    if snapshot.state is SessionState.FINISHED:
        complete = bool(snapshot.statuses) and snapshot.statuses[-1] is StepStatus.DONE
        return RingReading("done" if complete else "ended", "Done", 1.0)
    if get_ready > 0:
        return RingReading("get_ready", format_clock(get_ready), 0.0)
    if remaining <= 0 and snapshot.overtime:
        return RingReading("overtime", "+" + format_clock(-remaining), 1.0)
    budget = snapshot.budget_s
    done = (budget - remaining) / budget if budget > 0 else 1.0
    return RingReading("countdown", format_clock(max(remaining, 0)), done)


def _ring_caption(phase: RingPhase, state: SessionState) -> str:
    paused = "" if state is SessionState.RUNNING else " (paused)"
    if phase == "done":
        return "Routine complete"
    if phase == "ended":
        return "Ended early"
    if phase == "get_ready":
        return "Get ready" + paused
    if phase == "overtime":
        return "Overtime" + paused
    return {
        SessionState.READY: "Press Space to start",
        SessionState.PAUSED: "Paused",
    }.get(state, "left")


class _Banner(QLabel):
    """A word-wrapped label that asks for one line: it wraps only when squeezed."""

    def sizeHint(self) -> QSize:  # noqa: N802
        margins = self.contentsMargins()
        one_line = self.fontMetrics().horizontalAdvance(self.text()) + 8
        hint = super().sizeHint()
        return QSize(max(hint.width(), one_line + margins.left() + margins.right()), hint.height())


class CountdownRing(QWidget):
    """A circular progress ring with the countdown in large type at its centre.

    The text is painted here rather than put in child labels: a label's new text
    re-runs the panel's layout every second, and this widget repaints only itself.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fraction = 0.0
        self._color = QColor(ACCENT)
        self._time_text = "0:00"
        self._caption = ""
        self._background: QColor | None = None
        self._static: QPixmap | None = None
        # The ring paints every pixel of itself (see _static_layer), so Qt need not
        # repaint the panel underneath it each second.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(QSize(RING_MIN_SIDE[False], RING_MIN_SIDE[False]))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Time left in this step")
        self._time_font = QFont(self.font())
        self._caption_font = QFont(self.font())
        self._apply_fonts()

    @property
    def fraction(self) -> float:
        return self._fraction

    @property
    def time_text(self) -> str:
        """The countdown as shown, e.g. "4:59", "+0:12" (overtime) or "Done"."""
        return self._time_text

    @property
    def caption(self) -> str:
        """The word under the countdown: "left", "Get ready", "Overtime", ..."""
        return self._caption

    @property
    def color(self) -> QColor:
        return QColor(self._color)

    @property
    def time_font(self) -> QFont:
        return QFont(self._time_font)

    def set_progress(self, fraction: float, color: QColor) -> None:
        """Show ``fraction`` (0..1) of the ring filled; repaints only on a real change."""
        fraction = min(max(fraction, 0.0), 1.0)
        if abs(fraction - self._fraction) < 1e-4 and color == self._color:
            return
        self._fraction = fraction
        self._color = QColor(color)
        self.update()

    def set_text(self, time_text: str, caption: str, color: QColor) -> None:
        """Show the countdown and its caption; repaints only on a real change."""
        if (time_text, caption) == (self._time_text, self._caption) and color == self._color:
            return
        self._time_text = time_text
        self._caption = caption
        self._color = QColor(color)
        self.setAccessibleDescription(f"{time_text} {caption}".strip())
        self.update()

    def set_background(self, color: QColor | None) -> None:
        """Paint under the ring in ``color`` (None: the window colour), e.g. for a flash."""
        if color == self._background:
            return
        self._background = QColor(color) if color is not None else None
        self._static = None
        self.update()

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return width

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._static = None
        self._apply_fonts()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._static = None
        super().changeEvent(event)

    def _ring_geometry(self) -> tuple[QRectF, float]:
        side = min(self.width(), self.height())
        thickness = max(8.0, side * 0.055)
        rect = QRectF(
            (self.width() - side) / 2 + thickness / 2,
            (self.height() - side) / 2 + thickness / 2,
            side - thickness,
            side - thickness,
        )
        return rect, thickness

    def _static_layer(self) -> QPixmap:
        if self._static is None or self._static.deviceIndependentSize() != self.size():
            ratio = self.devicePixelRatioF()
            pixmap = QPixmap(self.size() * ratio)
            pixmap.setDevicePixelRatio(ratio)
            background = self._background or self.palette().color(QPalette.ColorRole.Window)
            pixmap.fill(background)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            rect, thickness = self._ring_geometry()
            painter.setPen(QPen(TRACK, thickness))
            painter.drawEllipse(rect)
            painter.end()
            self._static = pixmap
        return self._static

    def _apply_fonts(self) -> None:
        side = min(self.width(), self.height())
        big = QFont(self.font())
        big.setPixelSize(max(40, int(side * 0.27)))
        big.setBold(True)
        big.setStyleHint(QFont.StyleHint.SansSerif)
        big.setFeature(QFont.Tag("tnum"), 1)  # digits of equal width: no jitter
        self._time_font = big
        small = QFont(self.font())
        small.setPixelSize(max(16, int(side * 0.075)))
        small.setBold(True)
        self._caption_font = small

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        rect, thickness = self._ring_geometry()
        painter = QPainter(self)
        # The background and the grey track never change between seconds: one blit.
        painter.drawPixmap(0, 0, self._static_layer())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._fraction > 0:
            pen = QPen(self._color, thickness)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            # Qt angles are in 1/16 degree, counter-clockwise from 3 o'clock; start at
            # 12 o'clock and run clockwise.
            painter.drawArc(rect, 90 * 16, -round(self._fraction * 360 * 16))
        painter.setPen(self._color)
        centre_y = rect.center().y()
        inner_width = rect.width() - 2 * thickness
        time_font = _fitted(self._time_font, self._time_text, inner_width)
        caption_font = _fitted(self._caption_font, self._caption, inner_width * 0.9)
        time_height = QFontMetricsF(time_font).height()
        caption_height = QFontMetricsF(caption_font).height()
        painter.setFont(time_font)
        painter.drawText(
            QRectF(rect.left(), centre_y - time_height * 0.62, rect.width(), time_height),
            Qt.AlignmentFlag.AlignCenter,
            self._time_text,
        )
        painter.setFont(caption_font)
        painter.drawText(
            QRectF(rect.left(), centre_y + time_height * 0.38, rect.width(), caption_height),
            Qt.AlignmentFlag.AlignCenter,
            self._caption,
        )
        painter.end()


def _fitted(font: QFont, text: str, width: float) -> QFont:
    """``font``, made smaller if ``text`` would be wider than ``width`` pixels."""
    advance = QFontMetricsF(font).horizontalAdvance(text)
    if advance <= width or advance <= 0 or font.pixelSize() <= 0:
        return font
    smaller = QFont(font)
    smaller.setPixelSize(max(8, int(font.pixelSize() * width / advance)))
    return smaller


class TextLine(QWidget):
    """One line of text that changes often, painted without re-running any layout.

    A QLabel asks its parent layout to recompute on every new text; this line keeps
    its size and only repaints itself.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 (the QLabel name, on purpose)
        if text != self._text:
            self._text = text
            self.setAccessibleDescription(text)
            self._changed()

    def _changed(self) -> None:
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, self.fontMetrics().height() + 4)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(50, self.fontMetrics().height() + 4)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(
            self.rect(),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, self.width()),
        )
        painter.end()


class ClampedText(TextLine):
    """Word-wrapped text of at most ``max_lines`` lines (0: no limit); a last line that
    cannot hold the rest ends in "…", and then the whole text is the tooltip. Unlike a
    TextLine, its height follows its text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._max_lines = 0
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_max_lines(self, max_lines: int) -> None:
        if max_lines != self._max_lines:
            self._max_lines = max_lines
            self._changed()

    def lines(self, width: int | None = None) -> list[str]:
        """The lines as shown at ``width`` (default: the widget's own width)."""
        width = self.width() if width is None else width
        layout = QTextLayout(self._text, self.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        layout.setTextOption(option)
        starts: list[int] = []
        layout.beginLayout()
        while (line := layout.createLine()).isValid():
            line.setLineWidth(max(1, width))
            starts.append(line.textStart())
        layout.endLayout()
        ends = [*starts[1:], len(self._text)]
        lines = [self._text[start:end].strip() for start, end in zip(starts, ends, strict=True)]
        if 0 < self._max_lines < len(lines):
            rest = self._text[starts[self._max_lines - 1] :].strip()
            last = self.fontMetrics().elidedText(rest, Qt.TextElideMode.ElideRight, width)
            lines = [*lines[: self._max_lines - 1], last]
        return lines

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return max(1, len(self.lines(width))) * self.fontMetrics().lineSpacing()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, self.heightForWidth(200))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(50, self.fontMetrics().lineSpacing())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._update_tooltip()

    def _changed(self) -> None:
        self._update_tooltip()
        self.updateGeometry()
        self.update()

    def _update_tooltip(self) -> None:
        shown = self.lines()
        self.setToolTip(self._text if shown and shown[-1].endswith("…") else "")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        spacing = self.fontMetrics().lineSpacing()
        for number, line in enumerate(self.lines()):
            painter.drawText(
                0,
                number * spacing,
                self.width(),
                spacing,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                line,
            )
        painter.end()


class TimerPanel(QFrame):
    """Countdown, step details, totals and the session controls."""

    def __init__(
        self,
        controller: SessionController,
        preferences: Preferences,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._preferences = preferences
        self._flashing = False
        self._compact = False
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.setInterval(FLASH_MS)
        self._flash_timer.timeout.connect(self._end_flash)
        self.setObjectName("timerPanel")
        self.setAccessibleName("Timer")
        self._build()

        controller.routine_changed.connect(self._refresh_all)
        controller.step_changed.connect(self._on_controller_step_changed)
        controller.remaining_changed.connect(self._refresh_time)
        controller.get_ready_changed.connect(self._refresh_time)
        controller.state_changed.connect(self._on_controller_state_changed)
        controller.auto_advance_changed.connect(self._on_controller_auto_advance_changed)
        controller.check_in_changed.connect(self._on_controller_check_in_changed)
        controller.mode_changed.connect(self._on_controller_mode_changed)
        self._refresh_all()

    # -- construction -----------------------------------------------------------------

    def _build(self) -> None:
        base = self.font().pointSizeF() if self.font().pointSizeF() > 0 else 10.0

        def font(scale: float, bold: bool = False) -> QFont:
            result = QFont(self.font())
            result.setPointSizeF(base * scale)
            result.setBold(bold)
            return result

        self.step_label = QLabel()
        self.step_label.setFont(font(1.2))
        # "Step 3 of 8" stays on one line: in a narrow panel the dry-run banner beside it
        # wraps instead.
        self.step_label.setWordWrap(False)
        self.technique_label = QLabel()
        self.technique_label.setFont(font(2.0, bold=True))
        self.technique_label.setWordWrap(True)
        self.technique_label.setAccessibleName("Technique")

        self.ring = CountdownRing()
        self.ring.setAccessibleName("Countdown")

        self.pressure_label = QLabel()
        self.pressure_label.setFont(font(1.45, bold=True))
        self.pressure_label.setAccessibleName("Pressure")
        self.pressure_label.setWordWrap(True)
        self.direction_label = QLabel()
        self.direction_label.setFont(font(1.3))
        self.direction_label.setWordWrap(True)
        self.direction_label.setAccessibleName("Direction")
        self.hands_label = QLabel()
        self.hands_label.setFont(font(1.25))
        self.hands_label.setWordWrap(True)
        self.hands_label.setAccessibleName("Part of the hand")

        # Beside the ring: how hard, which way, with what. Caption above value, so the
        # values get the whole column width.
        facts = QVBoxLayout()
        facts.setSpacing(2)
        facts.addStretch(1)
        for caption, label in (
            ("Pressure", self.pressure_label),
            ("Direction", self.direction_label),
        ):
            title = QLabel(caption)
            title.setFont(font(1.05))
            title.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            facts.addWidget(title)
            facts.addWidget(label)
            facts.addSpacing(8)
        facts.addStretch(1)

        self.instruction_label = QLabel()
        self.instruction_label.setFont(font(1.25))
        self.instruction_label.setWordWrap(True)
        self.instruction_label.setTextFormat(Qt.TextFormat.PlainText)
        self.instruction_label.setAccessibleName("What to do")
        self.cautions_label = QLabel()
        self.cautions_label.setFont(font(1.2))
        self.cautions_label.setWordWrap(True)
        self.cautions_label.setTextFormat(Qt.TextFormat.PlainText)
        self.cautions_label.setAccessibleName("Cautions")
        self.cautions_label.setStyleSheet(
            f"background: {CAUTION_FILL.name()}; color: {CAUTION_INK.name()};"
            "border-left: 5px solid #c77700; padding: 6px 8px;"
        )
        self.check_in_label = QLabel()
        self.check_in_label.setFont(font(1.3, bold=True))
        self.check_in_label.setWordWrap(True)
        self.check_in_label.setTextFormat(Qt.TextFormat.PlainText)
        self.check_in_label.setAccessibleName("Pressure check")
        self.check_in_label.setStyleSheet(
            f"background: {CHECK_IN_FILL.name()}; color: {CHECK_IN_INK.name()};"
            "border-left: 5px solid #1d6f7a; padding: 6px 8px;"
        )
        self.check_in_label.hide()
        self.next_label = ClampedText()
        self.next_label.setFont(font(1.25))
        self.next_label.setAccessibleName("Next step")
        self.totals_label = TextLine()
        self.totals_label.setFont(font(1.1))
        self.totals_label.setAccessibleName("Routine time")

        def button(text: str, name: str, slot: object, tip: str) -> QPushButton:
            result = QPushButton(text)
            result.setFont(font(1.25, bold=True))
            result.setAccessibleName(name)
            result.setToolTip(tip)
            result.setMinimumHeight(BUTTON_HEIGHT[False])
            result.clicked.connect(slot)
            return result

        self.previous_button = button(
            "\u25c0 Previous", "Previous step", self._controller.previous_step, "Previous step"
        )
        self.start_button = button("\u25b6 Start", "Start", self._controller.toggle, "Start")
        self.start_button.setMinimumWidth(110)
        self.next_button = button(
            "Next \u25b6", "Next step", self._controller.next_step, "Next step"
        )
        self.restart_button = button(
            "\u21ba Restart step",
            "Restart step",
            self._controller.restart_step,
            "Start this step's time over",
        )
        self.less_button = button(
            f"\u2212{ADJUST_STEP_S} s",
            f"{ADJUST_STEP_S} seconds less",
            lambda: self._controller.adjust(-ADJUST_STEP_S),
            f"Take {ADJUST_STEP_S} seconds from this step",
        )
        self.more_button = button(
            f"+{ADJUST_STEP_S} s",
            f"{ADJUST_STEP_S} seconds more",
            lambda: self._controller.adjust(ADJUST_STEP_S),
            f"Give this step {ADJUST_STEP_S} more seconds",
        )
        self.auto_advance_box = QCheckBox("Move on by itself")
        self.auto_advance_box.setFont(font(1.15))
        self.auto_advance_box.setAccessibleName("Auto-advance")
        self.auto_advance_box.setToolTip(
            "On: the next step starts when the time is up. Off: the timer runs into overtime."
        )
        self.auto_advance_box.toggled.connect(self._controller.set_auto_advance)

        # Safety: who is on the table, and a way to react at once when it hurts.
        self.dry_run_label = _Banner(DRY_RUN_TEXT)
        self.dry_run_label.setFont(font(1.3, bold=True))
        self.dry_run_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dry_run_label.setWordWrap(True)
        self.dry_run_label.setAccessibleName("Dry run")
        self.dry_run_label.setStyleSheet(
            f"background: {DRY_RUN_FILL.name()}; color: {DRY_RUN_INK.name()};"
            "border-radius: 4px; padding: 4px 12px;"
        )
        self.dry_run_label.hide()
        self.pain_button = button(
            "\u26a0 Pain  [P]",
            "Partner reports pain",
            lambda: self._controller.report_pain(),
            "Partner reports pain: pause at once and see what to do (key P)",
        )
        self.pain_button.setStyleSheet(f"color: {PAIN_INK.name()};")
        # It shares a row with the check box: a little lower than the transport buttons
        # so the window still fits small screens; the P key is the quick way anyway.
        self.pain_button.setMinimumHeight(PAIN_BUTTON_HEIGHT[False])

        transport = QHBoxLayout()
        transport.addWidget(self.previous_button)
        transport.addWidget(self.start_button, 1)
        transport.addWidget(self.next_button)
        adjust = QHBoxLayout()
        adjust.addWidget(self.restart_button, 1)
        adjust.addWidget(self.less_button)
        adjust.addWidget(self.more_button)

        header = QVBoxLayout()
        header.setSpacing(2)
        # The dry-run banner sits beside the step number, so it costs no height.
        first_line = QHBoxLayout()
        first_line.addWidget(self.step_label, 1)
        first_line.addWidget(self.dry_run_label)
        header.addLayout(first_line)
        header.addWidget(self.technique_label)

        # The step's words scroll when the window is small; the countdown and the
        # controls always stay in view.
        details = QWidget()
        details.setAutoFillBackground(False)
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 4, 0)
        details_layout.setSpacing(10)
        # Cautions first: when the window is small and this area scrolls, they are
        # what stays in view.
        details_layout.addWidget(self.cautions_label)
        details_layout.addWidget(self.hands_label)
        details_layout.addWidget(self.instruction_label)
        details_layout.addStretch(1)
        self.details_area = QScrollArea()
        # Our own viewport that never fills its background, so the panel shows through.
        # (Asking the area for its own viewport() costs about 5 ms at start-up: PySide
        # then builds the Python types of every QWidget subclass to find its type.)
        viewport = QWidget()
        viewport.setAutoFillBackground(False)
        viewport.setBackgroundRole(QPalette.ColorRole.NoRole)
        self.details_area.setViewport(viewport)
        self.details_area.setWidget(details)
        self.details_area.setWidgetResizable(True)
        self.details_area.setFrameShape(QFrame.Shape.NoFrame)
        self.details_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.details_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.details_area.setAccessibleName("About this step")
        self.details_area.setMinimumHeight(DETAILS_MIN_HEIGHT[False])

        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(*PANEL_MARGINS[False])
        layout.setSpacing(PANEL_SPACING[False])
        layout.addLayout(header)
        top = QHBoxLayout()
        top.setSpacing(14)
        top.addWidget(self.ring, 5)
        top.addLayout(facts, 4)
        layout.addLayout(top, 4)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.details_area, 5)
        layout.addWidget(self.check_in_label)
        layout.addWidget(self.next_label)
        layout.addLayout(transport)
        layout.addLayout(adjust)
        options = QHBoxLayout()
        options.addWidget(self.auto_advance_box)
        options.addStretch(1)
        options.addWidget(self.pain_button)
        layout.addLayout(options)

        for first, second in (
            (self.start_button, self.previous_button),
            (self.previous_button, self.next_button),
            (self.next_button, self.restart_button),
            (self.restart_button, self.less_button),
            (self.less_button, self.more_button),
            (self.more_button, self.auto_advance_box),
            (self.auto_advance_box, self.pain_button),
        ):
            QWidget.setTabOrder(first, second)

    # -- size -------------------------------------------------------------------------

    @property
    def compact(self) -> bool:
        """Whether the panel is packed closer because it is short (COMPACT_BELOW_PX)."""
        return self._compact

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._set_compact(event.size().height() < COMPACT_BELOW_PX)

    def _set_compact(self, compact: bool) -> None:
        # In a short window the words must not be cut: the pressure and direction beside
        # the ring, the next step. Lower buttons and tighter gaps make the room for them.
        if compact == self._compact:
            return
        self._compact = compact
        for button in (
            self.previous_button,
            self.start_button,
            self.next_button,
            self.restart_button,
            self.less_button,
            self.more_button,
        ):
            button.setMinimumHeight(BUTTON_HEIGHT[compact])
        self.pain_button.setMinimumHeight(PAIN_BUTTON_HEIGHT[compact])
        self.ring.setMinimumSize(RING_MIN_SIDE[compact], RING_MIN_SIDE[compact])
        self.details_area.setMinimumHeight(DETAILS_MIN_HEIGHT[compact])
        self.next_label.set_max_lines(NEXT_LINES[compact])
        self._layout.setContentsMargins(*PANEL_MARGINS[compact])
        self._layout.setSpacing(PANEL_SPACING[compact])

    # -- flash ------------------------------------------------------------------------

    @property
    def flashing(self) -> bool:
        """Whether the change highlight is showing right now."""
        return self._flashing

    @Slot()
    @Slot(str)
    def flash(self, _kind: str = "") -> None:
        """Highlight the panel briefly (a visual cue at a step change)."""
        if not self._preferences.flash_enabled:
            return
        self._flashing = True
        self._flash_timer.start()
        self.ring.set_background(FLASH)
        self.update()

    def _end_flash(self) -> None:
        self._flashing = False
        self.ring.set_background(None)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if self._flashing:
            painter = QPainter(self)
            painter.fillRect(self.rect(), FLASH)
            painter.end()
        super().paintEvent(event)

    # -- updates ----------------------------------------------------------------------

    def countdown_text(self) -> str:
        """The countdown as shown in the ring."""
        return self.ring.time_text

    def _refresh_all(self) -> None:
        self._refresh_step()
        self._refresh_state()
        self._refresh_time()
        snapshot = self._controller.snapshot()
        if snapshot is not None:
            self._on_controller_auto_advance_changed(snapshot.auto_advance)

    def _on_controller_step_changed(self, _index: int) -> None:
        self._refresh_step()
        self._refresh_time()

    def _on_controller_state_changed(self, _state: str) -> None:
        self._refresh_state()
        self._refresh_time()

    def _on_controller_check_in_changed(self, prompt: str) -> None:
        self.check_in_label.setText(f"\u2753 {prompt}" if prompt else "")
        self.check_in_label.setVisible(bool(prompt))

    def _on_controller_mode_changed(self, _mode: str) -> None:
        self._refresh_state()

    def _on_controller_auto_advance_changed(self, on: bool) -> None:
        if self.auto_advance_box.isChecked() != on:
            self.auto_advance_box.blockSignals(True)
            self.auto_advance_box.setChecked(on)
            self.auto_advance_box.blockSignals(False)

    def _refresh_step(self) -> None:
        controller = self._controller
        index = controller.current_index
        if index < 0:
            self.step_label.setText("No routine loaded")
            for label in (
                self.technique_label,
                self.pressure_label,
                self.direction_label,
                self.hands_label,
                self.instruction_label,
                self.next_label,
            ):
                label.setText("")
            self.cautions_label.hide()
            return
        step = controller.step(index)
        technique = controller.library.techniques.get(step.technique)
        self.step_label.setText(f"Step {index + 1} of {controller.step_count}")
        self.technique_label.setText(technique.name if technique is not None else step.technique)
        self.pressure_label.setText(f"{PRESSURE_DOTS[step.pressure]}  {step.pressure.label}")
        self.direction_label.setText(step.direction.label)
        self.hands_label.setText(f"Use: {technique.hand_part}" if technique is not None else "")
        self.instruction_label.setText(step.instruction)
        if step.cautions:
            self.cautions_label.setText("\n".join(f"\u26a0 {text}" for text in step.cautions))
            self.cautions_label.show()
        else:
            self.cautions_label.hide()
        if index + 1 < controller.step_count:
            self.next_label.setText(f"Next: {controller.describe_step(index + 1)}")
        else:
            self.next_label.setText("Next: the end of the routine. Rest and aftercare follow.")

    def _refresh_state(self) -> None:
        state = self._controller.state()
        if state is SessionState.RUNNING:
            self.start_button.setText("\u275a\u275a Pause")
            self.start_button.setAccessibleName("Pause")
            self.start_button.setToolTip("Pause the session")
        elif state is SessionState.PAUSED:
            self.start_button.setText("\u25b6 Resume")
            self.start_button.setAccessibleName("Resume")
            self.start_button.setToolTip("Resume the session")
        elif state is SessionState.FINISHED:
            self.start_button.setText("\u21bb Start over")
            self.start_button.setAccessibleName("Start over")
            self.start_button.setToolTip("Start the routine again from the first step")
        else:
            self.start_button.setText("\u25b6 Start")
            self.start_button.setAccessibleName("Start")
            self.start_button.setToolTip("Start the session")
        active = state is not SessionState.FINISHED
        for widget in (self.restart_button, self.less_button, self.more_button):
            widget.setEnabled(active)
        dry_run = self._controller.dry_run
        self.dry_run_label.setVisible(dry_run)
        # No one on the table, no one to hurt: the pain button would only confuse.
        self.pain_button.setVisible(not dry_run)
        self.pain_button.setEnabled(state in (SessionState.RUNNING, SessionState.PAUSED))

    def _refresh_time(self, *_args: object) -> None:
        controller = self._controller
        snapshot = controller.snapshot()
        reading = ring_reading(controller, snapshot)
        colour = {"get_ready": GET_READY, "overtime": OVERTIME}.get(reading.phase, ACCENT)
        if snapshot is None:
            self.ring.set_text(reading.clock, "", colour)
            self.ring.set_progress(reading.progress, colour)
            self.totals_label.setText("")
            return
        self.ring.set_text(reading.clock, _ring_caption(reading.phase, snapshot.state), colour)
        self.ring.set_progress(reading.progress, colour)
        elapsed = int(snapshot.total_elapsed_s)
        left = int(-(-snapshot.total_remaining_s // 1))
        if snapshot.state is SessionState.FINISHED:
            self.totals_label.setText(
                f"Session over: {format_clock(elapsed)} practised"
                if elapsed > 0
                else "Session over before the first step began"
            )
            return
        self.totals_label.setText(
            f"Routine: {format_clock(elapsed)} done  \u00b7  {format_clock(left)} to go"
        )
