"""The routine's steps as a list: what, where, how long, how hard, and how far along.

``StepListModel`` is a Qt list model over the loaded routine's steps. ``StepListView``
shows it with large rows. Selecting a row previews the step on the diagram; activating
it (double-click or Enter) moves the session there. Status is shown with a glyph and a
word as well as colour, so it does not depend on telling colours apart.
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from massage_trainer.domain.session import StepStatus
from massage_trainer.ui.controller import (
    SessionController,
    describe_zones,
    format_clock,
    pressure_text,
)
from massage_trainer.ui.widgets import is_plain_key

_ModelIndex = QModelIndex | QPersistentModelIndex


class StepRole(IntEnum):
    """The custom data roles of :class:`StepListModel`."""

    STEP = Qt.ItemDataRole.UserRole + 1
    """The Step model object."""
    TECHNIQUE_NAME = Qt.ItemDataRole.UserRole + 2
    ZONES_TEXT = Qt.ItemDataRole.UserRole + 3
    AMOUNT_TEXT = Qt.ItemDataRole.UserRole + 4
    """The time, with the count of strokes or rounds where the routine gives one."""
    PRESSURE_TEXT = Qt.ItemDataRole.UserRole + 5
    STATUS = Qt.ItemDataRole.UserRole + 6
    """The StepStatus value: "pending", "current", "done" or "skipped"."""
    IS_CURRENT = Qt.ItemDataRole.UserRole + 7
    ZONE_MATCH = Qt.ItemDataRole.UserRole + 8
    """True when the step works on the zone selected on the diagram."""
    IS_PREVIEW = Qt.ItemDataRole.UserRole + 9
    STATUS_TEXT = Qt.ItemDataRole.UserRole + 10
    NUMBER = Qt.ItemDataRole.UserRole + 11
    """The 1-based step number."""


STATUS_GLYPH = {
    StepStatus.PENDING: "",
    StepStatus.CURRENT: "\u25b6",  # black right-pointing triangle
    StepStatus.DONE: "\u2713",  # check mark
    StepStatus.SKIPPED: "\u21b7",  # clockwise arc: passed over
}
TITLE_LINES = 3
"""At most this many lines for a technique's name in a row; the last is elided."""

_CHUNK = re.compile(r"[^\s-]*(?:-+|\s+|$)")
"""A word with the hyphens or spaces after it: where a name may break."""

STATUS_WORD = {
    StepStatus.PENDING: "",
    StepStatus.CURRENT: "Now",
    StepStatus.DONE: "Done",
    StepStatus.SKIPPED: "Skipped",
}
ZONE_MATCH_GLYPH = "\u25c6"  # black diamond

ACCENT = QColor("#1d6f7a")
CURRENT_FILL = QColor("#d8eef0")
PREVIEW_FILL = QColor("#eef3f8")
MATCH_MARK = QColor("#8a4b08")
MATCH_FILL = QColor("#fbefd9")
DONE_INK = QColor("#2f6b31")
SKIPPED_INK = QColor("#7a6a55")


def amount_text(duration_s: int, repetitions: int | None, cycles: int | None) -> str:
    """ "1:30", "1:30 · 10 strokes" or "1:30 · 3 rounds"."""
    parts = [format_clock(duration_s)]
    if repetitions:
        parts.append(f"{repetitions} stroke" + ("s" if repetitions != 1 else ""))
    if cycles:
        parts.append(f"{cycles} round" + ("s" if cycles != 1 else ""))
    return " \u00b7 ".join(parts)


class StepListModel(QAbstractListModel):
    """A read-only list model over the controller's routine steps."""

    def __init__(self, controller: SessionController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._statuses: tuple[StepStatus, ...] = self._read_statuses()
        self._marked: frozenset[int] = frozenset()
        self._preview = controller.preview_index
        controller.routine_changed.connect(self._on_controller_routine_changed)
        controller.statuses_changed.connect(self._on_controller_statuses_changed)
        controller.zone_selected.connect(self._on_controller_zone_selected)
        controller.preview_changed.connect(self._on_controller_preview_changed)

    @property
    def controller(self) -> SessionController:
        return self._controller

    def rowCount(self, parent: _ModelIndex | None = None) -> int:  # noqa: N802
        if parent is not None and parent.isValid():
            return 0
        return self._controller.step_count

    def roleNames(self) -> dict[int, QByteArray]:  # noqa: N802
        names = dict(super().roleNames())
        for role in StepRole:
            names[int(role)] = QByteArray(role.name.lower().encode())
        return names

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not index.isValid() or not 0 <= row < self.rowCount():
            return None
        controller = self._controller
        step = controller.step(row)
        status = self._statuses[row] if row < len(self._statuses) else StepStatus.PENDING
        if role == StepRole.STEP:
            return step
        if role == StepRole.NUMBER:
            return row + 1
        if role == StepRole.TECHNIQUE_NAME:
            technique = controller.library.techniques.get(step.technique)
            return technique.name if technique is not None else step.technique
        if role == StepRole.ZONES_TEXT:
            return describe_zones(controller.zones_for_step(row)) or ", ".join(step.zones)
        if role == StepRole.AMOUNT_TEXT:
            return amount_text(step.duration_s, step.repetitions, step.cycles)
        if role == StepRole.PRESSURE_TEXT:
            return pressure_text(step.pressure)
        if role == StepRole.STATUS:
            return status.value
        if role == StepRole.STATUS_TEXT:
            return STATUS_WORD[status]
        if role == StepRole.IS_CURRENT:
            return status is StepStatus.CURRENT
        if role == StepRole.ZONE_MATCH:
            return row in self._marked
        if role == StepRole.IS_PREVIEW:
            return row == self._preview
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row + 1}. {self.data(index, StepRole.TECHNIQUE_NAME)}"
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._spoken_description(index, status)
        return None

    def _spoken_description(self, index: _ModelIndex, status: StepStatus) -> str:
        parts = [
            f"Step {index.row() + 1}: {self.data(index, StepRole.TECHNIQUE_NAME)}",
            f"on {self.data(index, StepRole.ZONES_TEXT)}",
            str(self.data(index, StepRole.AMOUNT_TEXT)),
            str(self.data(index, StepRole.PRESSURE_TEXT)).lower(),
        ]
        if STATUS_WORD[status]:
            parts.append(STATUS_WORD[status].lower())
        if index.row() in self._marked:
            parts.append("works on the selected zone")
        return ", ".join(parts)

    # -- controller signals -----------------------------------------------------------

    def _read_statuses(self) -> tuple[StepStatus, ...]:
        snapshot = self._controller.snapshot()
        return tuple(snapshot.statuses) if snapshot is not None else ()

    def _on_controller_routine_changed(self) -> None:
        self.beginResetModel()
        self._statuses = self._read_statuses()
        self._marked = frozenset()
        self._preview = self._controller.preview_index
        self.endResetModel()

    def _on_controller_statuses_changed(self) -> None:
        old = self._statuses
        self._statuses = self._read_statuses()
        changed = [
            row
            for row in range(len(self._statuses))
            if row >= len(old) or old[row] != self._statuses[row]
        ]
        self._emit_rows_changed(changed)

    def _on_controller_zone_selected(self, zone_id: str) -> None:
        old = self._marked
        self._marked = frozenset(self._controller.steps_for_zone(zone_id))
        self._emit_rows_changed(sorted(old ^ self._marked))

    def _on_controller_preview_changed(self, index: int) -> None:
        old, self._preview = self._preview, index
        self._emit_rows_changed([row for row in (old, index) if row >= 0])

    def _emit_rows_changed(self, rows: list[int]) -> None:
        if rows:
            self.dataChanged.emit(self.index(min(rows)), self.index(max(rows)))


class StepDelegate(QStyledItemDelegate):
    """Paints a step as a large two-line row with a status glyph and word."""

    PADDING = 10

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        title = QFont(option.font)
        title.setPointSizeF(max(title.pointSizeF(), 10.0) * 1.35)
        title.setBold(True)
        detail = QFont(option.font)
        detail.setPointSizeF(max(detail.pointSizeF(), 10.0) * 1.1)
        return title, detail

    def title_layout(
        self, row_width: int, title: QFont, detail: QFont, name: str, amount: str
    ) -> tuple[list[str], bool]:
        """The name's lines for a row ``row_width`` wide, and whether the step's time
        sits beside the name's first line (else at the end of the line under the name).

        The time keeps to the first line while the name's first word fits beside it; a
        narrow list gives the whole row to the name rather than cut a word."""
        metrics = QFontMetrics(title)
        glyph_width = metrics.horizontalAdvance("00.") + 6
        amount_width = QFontMetrics(detail).horizontalAdvance(amount) + 8
        body_width = row_width - 2 * self.PADDING - 14 - glyph_width
        first_word = _CHUNK.match(name)
        beside = first_word is None or (
            metrics.horizontalAdvance(first_word.group().rstrip()) <= body_width - amount_width
        )
        first_width = body_width - amount_width if beside else body_width
        return self.title_lines(metrics, name, first_width, body_width), beside

    @staticmethod
    def title_lines(
        metrics: QFontMetrics,
        text: str,
        width: int,
        rest_width: int | None = None,
        max_lines: int = TITLE_LINES,
    ) -> list[str]:
        """The name wrapped onto at most ``max_lines`` lines, the first ``width`` wide and
        the others ``rest_width`` (default: ``width``); a line breaks after a space or a
        hyphen ("Heel-of-" / "hand pressure"), and what does not fit is elided."""
        later_width = width if rest_width is None else rest_width

        def fit(line: str, room: int) -> str:
            # elidedText() may cut a line that fits by a pixel's rounding: ask first.
            if metrics.horizontalAdvance(line) <= room:
                return line
            return metrics.elidedText(line, Qt.TextElideMode.ElideRight, room)

        chunks = [chunk for chunk in _CHUNK.findall(text) if chunk]
        lines: list[str] = []
        line = ""
        for position, chunk in enumerate(chunks):
            room = width if not lines else later_width
            if line and metrics.horizontalAdvance((line + chunk).rstrip()) > room:
                lines.append(fit(line.rstrip(), room))
                line = ""
                if len(lines) == max_lines - 1:
                    lines.append(fit("".join(chunks[position:]).strip(), later_width))
                    return lines
            line += chunk
        if line or not lines:
            lines.append(fit(line.strip(), width if not lines else later_width))
        return lines

    def sizeHint(self, option: QStyleOptionViewItem, index: _ModelIndex) -> QSize:  # noqa: N802
        title, detail = self._fonts(option)
        view = self.parent()
        row_width = view.row_width if isinstance(view, StepListView) else 200
        lines, _beside = self.title_layout(
            row_width,
            title,
            detail,
            str(index.data(StepRole.TECHNIQUE_NAME)),
            str(index.data(StepRole.AMOUNT_TEXT)),
        )
        height = len(lines) * QFontMetrics(title).height() + 2 * QFontMetrics(detail).height()
        # Narrow on purpose: the rows fit the view's width (a long name wraps), never
        # scroll sideways.
        return QSize(200, height + 2 * self.PADDING + 6)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _ModelIndex) -> None:
        rect: QRect = option.rect
        state = option.state
        palette: QPalette = option.palette
        status = StepStatus(index.data(StepRole.STATUS))
        marked = bool(index.data(StepRole.ZONE_MATCH))
        preview = bool(index.data(StepRole.IS_PREVIEW))
        selected = bool(state & QStyle.StateFlag.State_Selected)
        focused = bool(state & QStyle.StateFlag.State_HasFocus)
        title_font, detail_font = self._fonts(option)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        background = palette.color(QPalette.ColorRole.Base)
        if status is StepStatus.CURRENT:
            background = CURRENT_FILL
        elif marked:
            background = MATCH_FILL
        elif preview or selected:
            background = PREVIEW_FILL
        painter.fillRect(rect, background)
        if status is StepStatus.CURRENT:
            painter.fillRect(QRect(rect.left(), rect.top(), 6, rect.height()), ACCENT)
        if marked:
            painter.fillRect(QRect(rect.right() - 5, rect.top(), 6, rect.height()), MATCH_MARK)
        if selected or focused:
            pen = QPen(ACCENT if focused else palette.color(QPalette.ColorRole.Mid))
            pen.setWidth(2)
            painter.setPen(pen)
            painter.drawRect(rect.adjusted(1, 1, -2, -2))
        painter.setPen(palette.color(QPalette.ColorRole.Midlight))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())

        text_color = palette.color(QPalette.ColorRole.Text)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        pad = self.PADDING
        inner = rect.adjusted(pad + 6, pad, -pad - 8, -pad)
        title_height = QFontMetrics(title_font).height()
        detail_height = QFontMetrics(detail_font).height()

        # Left column: the status glyph above the step number.
        glyph_width = QFontMetrics(title_font).horizontalAdvance("00.") + 6
        glyph_rect = QRect(inner.left(), inner.top(), glyph_width, title_height)
        painter.setFont(title_font)
        glyph_color = {
            StepStatus.CURRENT: ACCENT,
            StepStatus.DONE: DONE_INK,
            StepStatus.SKIPPED: SKIPPED_INK,
        }.get(status, muted)
        glyph = STATUS_GLYPH[status]
        painter.setPen(glyph_color if glyph else muted)
        painter.drawText(
            glyph_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            glyph or f"{index.row() + 1}.",
        )
        if glyph:
            painter.setFont(detail_font)
            painter.setPen(muted)
            painter.drawText(
                QRect(inner.left(), inner.top() + title_height, glyph_width, detail_height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{index.row() + 1}.",
            )

        body = inner.adjusted(glyph_width, 0, 0, 0)
        amount = str(index.data(StepRole.AMOUNT_TEXT))
        amount_width = QFontMetrics(detail_font).horizontalAdvance(amount) + 8
        painter.setFont(title_font)
        painter.setPen(SKIPPED_INK if status is StepStatus.SKIPPED else text_color)
        lines, beside = self.title_layout(
            rect.width(), title_font, detail_font, str(index.data(StepRole.TECHNIQUE_NAME)), amount
        )
        for number, line in enumerate(lines):
            painter.drawText(
                QRect(body.left(), body.top() + number * title_height, body.width(), title_height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                line,
            )
        painter.setFont(detail_font)
        painter.setPen(text_color)
        if beside:
            painter.drawText(
                QRect(body.right() - amount_width, body.top(), amount_width, title_height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                amount,
            )
        # The lines below the name move down when it takes more than one.
        body.setTop(body.top() + (len(lines) - 1) * title_height)

        zones_rect = QRect(body.left(), body.top() + title_height, body.width(), detail_height)
        painter.setPen(text_color)
        if not beside:  # the step's time ends the line under the name
            painter.drawText(
                zones_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, amount
            )
            zones_rect.setWidth(zones_rect.width() - amount_width)
        painter.drawText(
            zones_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(detail_font).elidedText(
                str(index.data(StepRole.ZONES_TEXT)),
                Qt.TextElideMode.ElideRight,
                zones_rect.width(),
            ),
        )

        # Third line: pressure, then the status word and the zone marker in words.
        words = [str(index.data(StepRole.PRESSURE_TEXT))]
        status_word = STATUS_WORD[status]
        if status_word:
            words.append(status_word)
        if marked:
            words.append(f"{ZONE_MATCH_GLYPH} works on the selected zone")
        line_rect = QRect(
            body.left(), body.top() + title_height + detail_height, body.width(), detail_height
        )
        painter.setPen(MATCH_MARK if marked else muted)
        painter.drawText(
            line_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(detail_font).elidedText(
                "  \u00b7  ".join(words), Qt.TextElideMode.ElideRight, line_rect.width()
            ),
        )
        painter.restore()


class StepListView(QListView):
    """The step list: select to preview on the diagram, activate to jump there."""

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._following = False
        # The viewport's width, kept from its resize events (see resizeEvent); until the
        # first one, the width it would have without a scroll bar.
        self._row_width = self.maximumViewportSize().width()
        self._model = StepListModel(controller, self)
        self.setModel(self._model)
        self.setItemDelegate(StepDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Rows grow when a long technique name wraps onto two lines, and are laid out
        # again when the view's width changes (QListView does that only when it wraps
        # text, hence word wrap on, though the delegate draws the text itself).
        self.setUniformItemSizes(False)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setWordWrap(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Steps of the routine")
        self.setAccessibleDescription(
            "Arrow keys choose a step to preview it on the diagram; Enter moves the session there."
        )
        self.setMinimumWidth(240)

        self.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.activated.connect(self._on_activated)
        controller.step_changed.connect(self._on_controller_step_changed)
        controller.routine_changed.connect(self._on_controller_routine_changed)
        controller.preview_changed.connect(self._on_controller_preview_changed)
        self._follow_current()

    @property
    def step_model(self) -> StepListModel:
        return self._model

    @property
    def row_width(self) -> int:
        """The width a row has: the viewport's.

        Kept from the resize events rather than read through ``viewport()``: the first
        time PySide6 wraps a widget that Qt created (the viewport), it builds the Python
        types of every QWidget subclass it knows to find the right one, about 45 that the
        window never uses (0.7 MiB and several ms at start-up).
        """
        return self._row_width

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        # A scroll area's resize events are its viewport's (QAbstractScrollArea routes
        # them here), and they come before the rows are laid out again for the new size.
        self._row_width = event.size().width()
        super().resizeEvent(event)

    def event(self, event: QEvent) -> bool:
        # Keys that belong to the window's session shortcuts (Space, Left, Right, ...)
        # must reach those shortcuts; never claim them here.
        if event.type() == QEvent.Type.ShortcutOverride and _is_session_key(event):
            event.ignore()
            return False
        return super().event(event)

    def _follow_current(self) -> None:
        """Move the selection to the current step without previewing it."""
        row = self._controller.current_index
        if row >= 0:
            self._select_quietly(row)

    def _on_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self._following:
            return
        rows = [index.row() for index in selected.indexes()]
        if not rows:
            return
        row = rows[0]
        # Selecting the current step is just "show the current step".
        self._controller.preview_step(-1 if row == self._controller.current_index else row)

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self._controller.select_step(index.row())

    def _on_controller_step_changed(self, _index: int) -> None:
        self._follow_current()

    def _on_controller_routine_changed(self) -> None:
        self._follow_current()

    def _on_controller_preview_changed(self, index: int) -> None:
        if index < 0:
            if self.currentIndex().row() != self._controller.current_index:
                self._follow_current()
        elif self.currentIndex().row() != index:
            # A preview from elsewhere (the diagram): show the row too.
            self._select_quietly(index)

    def _select_quietly(self, row: int) -> None:
        self._following = True
        try:
            index = self._model.index(row)
            self.setCurrentIndex(index)
            self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        finally:
            self._following = False


_WINDOW_KEYS = frozenset(
    {
        Qt.Key.Key_Space,
        Qt.Key.Key_Left,
        Qt.Key.Key_Right,
        Qt.Key.Key_PageUp,
        Qt.Key.Key_PageDown,
        Qt.Key.Key_R,
        Qt.Key.Key_Plus,
        Qt.Key.Key_Equal,
        Qt.Key.Key_Minus,
    }
)


def _is_session_key(event: QEvent) -> bool:
    """A key press (at most with Shift or keypad) that the window's actions handle."""
    if not isinstance(event, QKeyEvent) or event.key() not in _WINDOW_KEYS:
        return False
    return is_plain_key(event)
