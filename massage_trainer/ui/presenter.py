"""Presenter mode: a full-screen view of the session for a projector or a second screen.

The presenter is one more widget on the shared :class:`SessionController`: a second back
diagram, the current step in large type, a big countdown, the next step and a strip
showing the whole routine. It reads the controller's signals and sends clicker keys back
as controller commands, so the main window and the presenter always agree.

Keys (what presentation clickers send): PageDown / Right / Down next step, PageUp / Left
/ Up previous step, Space start or pause, B or "." blank the screen (again, or any of
the step keys, to show it; a step key then does its work too), M manual mode, T show or
hide the timer, Esc leave. The main window's session keys work here too: P partner
reports pain, R restart the step, + / - 30 seconds more or less.

A dialog opened from here (the questions before a start, a pain report, the aftercare)
takes the keyboard while it is open; when it closes, the safety flow gives the keys back
to the window that had them (here), so the clicker goes on working.
"""

from __future__ import annotations

import importlib

from PySide6 import QtGui
from PySide6.QtCore import QRectF, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QScreen,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from massage_trainer.domain.session import SessionState, StepStatus
from massage_trainer.ui.controller import (
    ADJUST_STEP_S,
    SessionController,
    describe_zones,
    pressure_text,
)
from massage_trainer.ui.preferences import Preferences
from massage_trainer.ui.timer_panel import PRESSURE_DOTS, CountdownRing, RingPhase, ring_reading

SCREEN_KEY = "presenter/screen"
"""QSettings key: the name of the screen chosen for the presenter ("" for automatic)."""

BACKGROUND = QColor("#101418")
INK = QColor("#f4f1ea")
MUTED = QColor("#a9b4bf")
ACCENT = QColor("#4fc3d1")
CAUTION = QColor("#ffc857")
OVERTIME = QColor("#ff6b5e")
GET_READY = QColor("#ffc857")
DONE = QColor("#2f7f8a")
PENDING = QColor("#3a444e")
SKIPPED = QColor("#262d34")

KEY_HELP = (
    "PgDn next  ·  PgUp back  ·  Space start/pause  ·  B blank  ·  M manual  ·  "
    "T timer  ·  Esc leave"
)
MIN_TEXT_FIT = 0.55
"""The smallest text scale used to fit a long step (about half the normal size)."""

_PAGE_SPACING = 14
_MIDDLE_SPACING = 40
_TEXT_SPACING = 16
_HEADING_SPACING = 24
_DIAGRAM_STRETCH = 7
_TEXT_STRETCH = 12
_TEXT_SHARE = _TEXT_STRETCH / (_DIAGRAM_STRETCH + _TEXT_STRETCH)

NOTE_MS = 8000
"""How long a note (such as "only one screen") stays in the presenter's bottom line."""

_NEXT_KEYS = {Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_Down}
_PREVIOUS_KEYS = {Qt.Key.Key_PageUp, Qt.Key.Key_Left, Qt.Key.Key_Up}
_BLANK_KEYS = {Qt.Key.Key_B, Qt.Key.Key_Period}
_MORE_TIME_KEYS = {Qt.Key.Key_Plus, Qt.Key.Key_Equal}
_SHOWING_KEYS = _NEXT_KEYS | _PREVIOUS_KEYS | {Qt.Key.Key_Space, Qt.Key.Key_R}
"""Keys that change what the screen shows, so they show a blanked screen again."""


# -- screens --------------------------------------------------------------------------


def screen_label(screen: QScreen) -> str:
    """ "HDMI-1, 1920 × 1080 (main screen)" for lists and messages."""
    size = screen.geometry().size()
    primary = " (main screen)" if screen is QGuiApplication.primaryScreen() else ""
    name = screen.name() or "Screen"
    return f"{name}, {size.width()} × {size.height()}{primary}"


def pick_presenter_screen(
    saved_name: str | None, controls_screen: QScreen | None = None
) -> tuple[QScreen | None, str]:
    """The screen for the presenter and a note for the status bar ("" when all is as asked).

    The saved screen when it is connected; else, with two or more screens, one that
    is not showing the controls; with a single screen, that screen.
    """
    screens = QGuiApplication.screens()
    if not screens:
        return None, "No screen was found; the presenter opens where it can."
    controls = controls_screen or QGuiApplication.primaryScreen() or screens[0]
    if saved_name:
        for screen in screens:
            if screen.name() == saved_name:
                return screen, ""
    missing = f"The screen chosen before ({saved_name}) is not connected. " if saved_name else ""
    if len(screens) == 1:
        return screens[0], (
            f"{missing}Only one screen: the presenter view fills it and Esc brings back "
            "the controls."
        )
    others = [screen for screen in screens if screen is not controls]
    chosen = others[0] if others else screens[0]
    note = f"{missing}Presenter view on {screen_label(chosen)}; the controls stay here."
    return chosen, note


class ScreenChoiceDialog(QDialog):
    """Choose the screen for presenter mode; the choice is remembered in QSettings."""

    AUTOMATIC = ""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.setWindowTitle("Presenter screen")
        self.setAccessibleName("Presenter screen")
        self.list = QListWidget()
        self.list.setAccessibleName("Screens")
        automatic = QListWidgetItem("Automatic: a second screen if there is one")
        automatic.setData(Qt.ItemDataRole.UserRole, self.AUTOMATIC)
        self.list.addItem(automatic)
        saved = str(settings.value(SCREEN_KEY, "") or "")
        self.list.setCurrentRow(0)
        for screen in QGuiApplication.screens():
            item = QListWidgetItem(screen_label(screen))
            item.setData(Qt.ItemDataRole.UserRole, screen.name())
            self.list.addItem(item)
            if screen.name() == saved:
                self.list.setCurrentItem(item)
        self.list.itemActivated.connect(lambda _item: self.accept())
        note = QLabel(
            "The presenter view goes full screen on the chosen screen; the main window "
            "with the controls stays where it is."
        )
        note.setWordWrap(True)
        if len(QGuiApplication.screens()) < 2:
            note.setText(
                note.text() + " Only one screen is connected now, so it will share that one."
            )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def chosen_name(self) -> str:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def accept(self) -> None:
        self._settings.setValue(SCREEN_KEY, self.chosen_name())
        super().accept()


# -- pieces ---------------------------------------------------------------------------


class ProgressStrip(QWidget):
    """The routine as a row of segments, as wide as each step is long: done, now, to come."""

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Routine progress")
        controller.routine_changed.connect(self.update)
        controller.statuses_changed.connect(self.update)
        controller.step_changed.connect(self._on_controller_step_changed)
        self._on_controller_step_changed(controller.current_index)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(600, 30)

    def _on_controller_step_changed(self, index: int) -> None:
        count = self._controller.step_count
        self.setAccessibleDescription(f"Step {index + 1} of {count}" if count else "")
        self.update()

    def segments(self) -> list[tuple[QRectF, StepStatus]]:
        """Each step's rectangle and status, as painted."""
        controller = self._controller
        routine = controller.routine
        snapshot = controller.snapshot()
        if routine is None or snapshot is None:
            return []
        gap = max(3.0, self.height() * 0.15)
        total = sum(step.duration_s for step in routine.steps)
        usable = self.width() - gap * (len(routine.steps) - 1)
        x = 0.0
        result = []
        for step, status in zip(routine.steps, snapshot.statuses, strict=False):
            width = max(4.0, usable * step.duration_s / total) if total else 4.0
            result.append((QRectF(x, 0, width, self.height()), status))
            x += width + gap
        return result

    def _label_font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(max(10, int(self.height() * 0.6)))
        font.setBold(True)
        return font

    def labels(self) -> list[str]:
        """The text in each segment: number and technique where they fit, else the number
        alone, else nothing."""
        controller = self._controller
        metrics = QFontMetricsF(self._label_font())
        result = []
        for index, (rect, _status) in enumerate(self.segments()):
            technique = controller.library.techniques.get(controller.step(index).technique)
            number = str(index + 1)
            text = ""
            for candidate, padding in (
                (f"{number}  {technique.name}" if technique else "", self.height() * 0.5),
                (number, 2.0),  # a short step: the number may nearly fill its segment
            ):
                if candidate and metrics.horizontalAdvance(candidate) + padding <= rect.width():
                    text = candidate
                    break
            result.append(text)
        return result

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colors = {
            StepStatus.DONE: DONE,
            StepStatus.CURRENT: ACCENT,
            StepStatus.PENDING: PENDING,
            StepStatus.SKIPPED: SKIPPED,
        }
        radius = self.height() * 0.25
        painter.setFont(self._label_font())
        for (rect, status), text in zip(self.segments(), self.labels(), strict=True):
            if status is StepStatus.SKIPPED:
                # Hollow, so a skipped step reads apart from one to come on a projector.
                outline = max(2.0, self.height() * 0.08)
                painter.setPen(QPen(PENDING, outline))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                inset = outline / 2
                painter.drawRoundedRect(rect.adjusted(inset, inset, -inset, -inset), radius, radius)
            else:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colors[status])
                painter.drawRoundedRect(rect, radius, radius)
            if text:
                painter.setPen(BACKGROUND if status is StepStatus.CURRENT else INK)
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()


def _ring_caption(phase: RingPhase, state: SessionState) -> str:
    """Short ring captions, read from across the room."""
    if phase == "done":
        return "complete"
    if phase == "ended":
        return "ended early"
    if phase == "get_ready":
        return "get ready"
    if phase == "overtime":
        return "overtime"
    return {
        SessionState.READY: "Space starts",
        SessionState.PAUSED: "paused",
    }.get(state, "left")


def _label(name: str, *, wrap: bool = False) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setAccessibleName(name)
    # Routine texts may come from a shared file: always plain text, never markup.
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return label


def _make_diagram(controller: SessionController, preferences: Preferences) -> QWidget:
    try:
        module = importlib.import_module("massage_trainer.ui.diagram")
    except ImportError:
        placeholder = QLabel("Back diagram")
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return placeholder
    view: QWidget = module.BackDiagramView(controller, preferences)
    return view


# -- the window -----------------------------------------------------------------------


class PresenterWindow(QWidget):
    """The full-screen presenter view, driven by the shared controller and clicker keys."""

    status_message = Signal(str)
    """A note for the main window's status bar (which screen is used, or why not)."""
    blanked_changed = Signal(bool)
    manual_mode_changed = Signal(bool)
    closed = Signal()

    def __init__(
        self,
        controller: SessionController,
        preferences: Preferences,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self._controller = controller
        self._preferences = preferences
        self._settings = settings if settings is not None else QSettings()
        self._blanked = False
        self._manual = False
        self._timer_wanted = True
        self._auto_advance_before: bool | None = None
        self.setWindowTitle("Massage Trainer: presenter")
        self.setAccessibleName("Presenter view")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, BACKGROUND)
        palette.setColor(QPalette.ColorRole.WindowText, INK)
        self.setPalette(palette)

        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_MS)
        self._note_timer.timeout.connect(self._show_key_help)

        self._build()
        controller.routine_changed.connect(self._refresh_step)
        controller.step_changed.connect(self._on_controller_step_changed)
        controller.state_changed.connect(self._on_controller_state_changed)
        controller.remaining_changed.connect(self._refresh_time)
        controller.get_ready_changed.connect(self._refresh_time)
        controller.auto_advance_changed.connect(self._on_controller_auto_advance_changed)
        controller.mode_changed.connect(lambda _mode: self._refresh_mode())
        self._fit = 1.0
        self._refresh_step()
        self._refresh_time()

    # -- building ---------------------------------------------------------------------

    def _build(self) -> None:
        self.diagram = _make_diagram(self._controller, self._preferences)
        self.diagram.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.diagram.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self.routine_label = _label("Routine")
        # A long title (up to 200 characters) is cut short with "…" rather than making
        # the view wider than its screen; so is nothing else on the top and bottom lines.
        self.routine_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._routine_title = ""
        self.mode_label = _label("Mode")
        self.mode_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.progress = ProgressStrip(self._controller)
        self.step_label = _label("Step number")
        self.title_label = _label("Technique", wrap=True)
        self.where_label = _label("Where", wrap=True)
        self.how_label = _label("Pressure and direction", wrap=True)
        self.instruction_label = _label("Instruction", wrap=True)
        self.instruction_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.cautions_label = _label("Cautions", wrap=True)
        self.ring = CountdownRing()
        self.ring.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.ring.setAccessibleName("Time left in this step")
        self.next_label = _label("Next step", wrap=True)
        self.footer_label = _label("Keys", wrap=True)
        self.footer_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for label, color in (
            (self.routine_label, MUTED),
            (self.mode_label, CAUTION),
            (self.step_label, ACCENT),
            (self.where_label, INK),
            (self.how_label, INK),
            (self.cautions_label, CAUTION),
            (self.next_label, MUTED),
            (self.footer_label, MUTED),
        ):
            palette = label.palette()
            palette.setColor(QPalette.ColorRole.WindowText, color)
            label.setPalette(palette)

        top = QHBoxLayout()
        top.addWidget(self.routine_label, 1)
        top.addWidget(self.mode_label)

        heading = QVBoxLayout()
        heading.setSpacing(6)
        heading.addWidget(self.step_label)
        heading.addWidget(self.title_label)
        heading.addWidget(self.where_label)
        heading.addStretch(1)
        heading_row = QHBoxLayout()
        heading_row.setSpacing(_HEADING_SPACING)
        heading_row.addLayout(heading, 1)
        heading_row.addWidget(self.ring, 0, Qt.AlignmentFlag.AlignTop)

        text_column = QVBoxLayout()
        text_column.setSpacing(_TEXT_SPACING)
        text_column.addLayout(heading_row)
        text_column.addWidget(self.how_label)
        text_column.addWidget(self.instruction_label, 1)
        text_column.addWidget(self.cautions_label)
        text_column.addWidget(self.next_label)

        middle = QHBoxLayout()
        middle.setSpacing(_MIDDLE_SPACING)
        middle.addWidget(self.diagram, _DIAGRAM_STRETCH)
        middle.addLayout(text_column, _TEXT_STRETCH)

        page = QWidget()
        layout = QVBoxLayout(page)
        self._page_layout = layout
        layout.setContentsMargins(40, 24, 40, 16)
        layout.setSpacing(_PAGE_SPACING)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addLayout(middle, 1)
        layout.addWidget(self.footer_label)
        self.content = page

        self.blank_page = QWidget()
        self.blank_page.setAccessibleName("Blank screen")
        self.blank_page.setAutoFillBackground(True)
        blank_palette = self.blank_page.palette()
        blank_palette.setColor(QPalette.ColorRole.Window, QColor("black"))
        self.blank_page.setPalette(blank_palette)
        # Black means black: no mouse pointer left in the middle of the projection.
        self.blank_page.setCursor(Qt.CursorShape.BlankCursor)

        self.stack = QStackedLayout(self)
        self.stack.setContentsMargins(0, 0, 0, 0)
        self.stack.addWidget(self.content)
        self.stack.addWidget(self.blank_page)
        self._show_key_help()
        self._refresh_mode()

    def _apply_fonts(self, fit: float = 1.0) -> None:
        # Sizes follow the window height, so the view reads the same on any projector;
        # ``fit`` shrinks the step's texts when a long instruction would not fit.
        scale = max(self.height(), 480) / 1080

        def font(px: float, bold: bool = False, shrink: float = 1.0) -> QFont:
            result = QFont(self.font())
            result.setPixelSize(max(12, round(px * scale * shrink)))
            result.setBold(bold)
            return result

        self.routine_label.setFont(font(30))
        self.mode_label.setFont(font(30, bold=True))
        self.footer_label.setFont(font(22))
        self.progress.setFixedHeight(max(16, round(34 * scale)))
        self.step_label.setFont(font(36, bold=True, shrink=fit))
        self.title_label.setFont(font(80, bold=True, shrink=fit))
        self.where_label.setFont(font(42, shrink=fit))
        self.how_label.setFont(font(42, shrink=fit))
        self.instruction_label.setFont(font(38, shrink=fit))
        self.cautions_label.setFont(font(34, shrink=fit))
        self.next_label.setFont(font(34, shrink=fit))
        ring = round(300 * scale * max(fit, 0.8))
        self.ring.setFixedSize(QSize(ring, ring))

    def _fit_text(self) -> None:
        """Pick the largest text size (down to about half) at which the whole step fits."""
        fit = 1.0
        while True:
            self._apply_fonts(fit)
            if fit <= MIN_TEXT_FIT or self._text_height() <= self._text_room()[1]:
                break
            fit = max(MIN_TEXT_FIT, fit - 0.05)
        self._fit = fit
        self._elide_title()

    def _elide_title(self) -> None:
        margins = self._page_layout.contentsMargins()
        room = self.width() - margins.left() - margins.right()
        if self.mode_label.text():
            room -= self.mode_label.sizeHint().width() + _PAGE_SPACING
        metrics = QFontMetricsF(self.routine_label.font())
        self.routine_label.setText(
            metrics.elidedText(self._routine_title, Qt.TextElideMode.ElideRight, max(room, 0))
        )

    def _text_room(self) -> tuple[int, int]:
        """The width and height the step's texts have, from the page's fixed parts."""
        margins = self._page_layout.contentsMargins()
        width = self.width() - margins.left() - margins.right() - _MIDDLE_SPACING
        text_width = int(width * _TEXT_SHARE)
        height = (
            self.height()
            - margins.top()
            - margins.bottom()
            - 3 * _PAGE_SPACING
            - self.routine_label.sizeHint().height()
            - self.progress.height()
            - self.footer_label.heightForWidth(self.width() - margins.left() - margins.right())
        )
        return text_width, int(height * 0.96)

    def _text_height(self) -> int:
        width, _height = self._text_room()
        heading_width = width - self.ring.width() - _HEADING_SPACING
        heading = (
            self.step_label.heightForWidth(heading_width)
            + self.title_label.heightForWidth(heading_width)
            + self.where_label.heightForWidth(heading_width)
            + 2 * 6
        )
        parts = [max(heading, self.ring.height())]
        labels = [self.how_label, self.instruction_label, self.next_label]
        if not self.cautions_label.isHidden():
            labels.append(self.cautions_label)
        parts.extend(label.heightForWidth(width) for label in labels)
        return sum(parts) + _TEXT_SPACING * (len(parts) - 1)

    # -- public state -----------------------------------------------------------------

    @property
    def controller(self) -> SessionController:
        return self._controller

    @property
    def blanked(self) -> bool:
        """Whether the screen is blanked (all black)."""
        return self._blanked

    @property
    def manual_mode(self) -> bool:
        """In manual mode steps move on only on command and the timer is hidden."""
        return self._manual

    @property
    def timer_visible(self) -> bool:
        return not self.ring.isHidden()

    # -- commands ---------------------------------------------------------------------

    def present(self) -> QScreen | None:
        """Show full screen on the chosen screen (see :func:`pick_presenter_screen`)."""
        saved = str(self._settings.value(SCREEN_KEY, "") or "")
        parent = self.parentWidget()
        controls = parent.window().screen() if parent is not None else None
        screen, note = pick_presenter_screen(saved, controls)
        if screen is not None:
            self.setScreen(screen)
            self.setGeometry(screen.geometry())
        self.showFullScreen()
        self.raise_()
        self.activateWindow()
        self.setFocus()
        if note:
            self.show_note(note)
        elif screen is not None:
            # The screen that was asked for. A note left from an earlier opening names
            # the screen used then, so it goes; the status bar says where the view is now.
            self._note_timer.stop()
            self._show_key_help()
            note = (
                f"Presenter view on {screen_label(screen)}, as chosen "
                "(Instructor → Presenter screen…)."
            )
        self.status_message.emit(note)
        return screen

    def show_note(self, text: str) -> None:
        """Show a note in the bottom line for a few seconds, then the keys again."""
        self.footer_label.setText(text)
        self._fit_text()
        self._note_timer.start()

    def toggle_blank(self) -> None:
        self.set_blanked(not self._blanked)

    def set_blanked(self, on: bool) -> None:
        """Black out the whole view (for a pause in the demonstration) or show it again."""
        if on == self._blanked:
            return
        self._blanked = on
        self.stack.setCurrentWidget(self.blank_page if on else self.content)
        self.blanked_changed.emit(on)

    def set_manual_mode(self, on: bool) -> None:
        """Manual mode: steps change only on command and the timer is hidden (T shows it)."""
        if on == self._manual:
            return
        self._manual = on
        snapshot = self._controller.snapshot()
        if on:
            self._auto_advance_before = snapshot.auto_advance if snapshot is not None else True
            self._controller.set_auto_advance(False)
            self.set_timer_visible(False)
        else:
            if self._auto_advance_before is not None:
                self._controller.set_auto_advance(self._auto_advance_before)
            self._auto_advance_before = None
            self.set_timer_visible(True)
        self._refresh_mode()
        self.manual_mode_changed.emit(on)

    def set_timer_visible(self, on: bool) -> None:
        self._timer_wanted = on
        self.ring.setVisible(on)
        self._refresh_mode()

    # -- events -----------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = Qt.Key(event.key())
        controller = self._controller
        if self._blanked and key in _SHOWING_KEYS:
            # A step changed on a black screen would leave the class (and the instructor
            # with a clicker) guessing: the screen comes back with the change.
            self.set_blanked(False)
        if key in _NEXT_KEYS:
            controller.next_step()
        elif key in _PREVIOUS_KEYS:
            controller.previous_step()
        elif key == Qt.Key.Key_Space:
            controller.toggle()
        elif key in _BLANK_KEYS:
            self.toggle_blank()
        elif key == Qt.Key.Key_M:
            self.set_manual_mode(not self._manual)
        elif key == Qt.Key.Key_T:
            self.set_timer_visible(not self.timer_visible)
        elif key == Qt.Key.Key_Escape:
            self.close()
        elif key == Qt.Key.Key_P:
            controller.report_pain()  # pauses at once; the main window says what to do
        elif key == Qt.Key.Key_R:
            controller.restart_step()
        elif key in _MORE_TIME_KEYS:
            controller.adjust(ADJUST_STEP_S)
        elif key == Qt.Key.Key_Minus:
            controller.adjust(-ADJUST_STEP_S)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_text()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        # Leaving gives the session back as it was: auto-advance restored, screen shown.
        self.set_manual_mode(False)
        self.set_blanked(False)
        super().closeEvent(event)
        self.closed.emit()

    # -- refreshing -------------------------------------------------------------------

    def _show_key_help(self) -> None:
        self.footer_label.setText(KEY_HELP)
        self._fit_text()

    def _refresh_mode(self) -> None:
        parts = []
        if self._controller.dry_run:
            parts.append("Dry run")
        if self._manual:
            parts.append("Manual: PgDn moves on")
        if not self._timer_wanted:
            parts.append("timer hidden (T)")
        self.mode_label.setText("  ·  ".join(parts))
        self._elide_title()

    def _on_controller_step_changed(self, _index: int) -> None:
        self._refresh_step()
        self._refresh_time()

    def _on_controller_auto_advance_changed(self, on: bool) -> None:
        # Someone switched auto-advance on at the controls: that ends manual mode here.
        if on and self._manual:
            self._auto_advance_before = None
            self._manual = False
            self.set_timer_visible(True)
            self.manual_mode_changed.emit(False)

    def _refresh_step(self) -> None:
        controller = self._controller
        routine = controller.routine
        index = controller.current_index
        self._routine_title = routine.title if routine is not None else ""
        # A title can come from a shared file: its tip is plain text, never markup.
        self.routine_label.setToolTip(
            QtGui.Qt.convertFromPlainText(self._routine_title) if self._routine_title else ""
        )
        if routine is None or index < 0:
            self.step_label.setText("No routine loaded")
            for label in (
                self.title_label,
                self.where_label,
                self.how_label,
                self.instruction_label,
                self.cautions_label,
                self.next_label,
            ):
                label.setText("")
            self._fit_text()
            return
        step = controller.step(index)
        technique = controller.library.techniques.get(step.technique)
        self.step_label.setText(f"Step {index + 1} of {controller.step_count}")
        self.title_label.setText(technique.name if technique is not None else step.technique)
        zones = controller.zones_for_step(index)
        self.where_label.setText(describe_zones(zones) or ", ".join(step.zones))
        self.how_label.setText(
            f"{PRESSURE_DOTS[step.pressure]}  {pressure_text(step.pressure)}  ·  "
            f"{step.direction.label}"
        )
        self.instruction_label.setText(step.instruction)
        self.cautions_label.setText("\n".join(f"\u26a0 {text}" for text in step.cautions))
        self.cautions_label.setVisible(bool(step.cautions))
        # A dry run has no one on the table to rest or care for.
        after = "" if controller.dry_run else " Rest, then aftercare."
        if controller.state() is SessionState.FINISHED:
            # Ended early too: what was still to come is not next any more.
            self.next_label.setText(f"The routine is over.{after}")
        elif index + 1 < controller.step_count:
            self.next_label.setText(f"Next: {controller.describe_step(index + 1)}")
        else:
            self.next_label.setText(f"Next: the end.{after}")
        self._fit_text()

    def _on_controller_state_changed(self, _state: str) -> None:
        self._refresh_step()
        self._refresh_time()

    def _refresh_time(self, *_args: object) -> None:
        controller = self._controller
        snapshot = controller.snapshot()
        reading = ring_reading(controller, snapshot)
        colour = {"get_ready": GET_READY, "overtime": OVERTIME}.get(reading.phase, ACCENT)
        caption = "" if snapshot is None else _ring_caption(reading.phase, snapshot.state)
        self.ring.set_text(reading.clock, caption, colour)
        self.ring.set_progress(reading.progress, colour)


__all__ = [
    "KEY_HELP",
    "SCREEN_KEY",
    "PresenterWindow",
    "ProgressStrip",
    "ScreenChoiceDialog",
    "pick_presenter_screen",
    "screen_label",
]
