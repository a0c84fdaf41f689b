"""Safety on screen: the zone rules, what to do when it hurts, and the aftercare.

``ZoneRulesDialog`` lists every zone with its tier, the pressure and techniques it
allows and why, and follows the session: the current step's zones are marked, its
cautions shown above the table, and during percussion or firm pressure the no-go zones
next to it are picked out. ``PainDialog`` says what to do when the partner reports
pain; ``AftercareDialog`` closes a session with the aftercare and a summary.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from massage_trainer.domain.content import WIND_DOWN, ContentLibrary
from massage_trainer.domain.models import (
    AftercareItem,
    Pressure,
    SafetyTier,
    TechniqueFamily,
    Zone,
)
from massage_trainer.domain.search import techniques_allowed_on, tier_label, zone_title
from massage_trainer.domain.session import SessionSummary, StepStatus
from massage_trainer.ui.controller import SessionController, format_clock
from massage_trainer.ui.widgets import is_plain_key, resize_to_fit

SAFE_FILL = QColor("#e3f3e8")
CAUTION_FILL = QColor("#fff1d6")
NO_GO_FILL = QColor("#fbe1df")
EMPHASIS_FILL = QColor("#f4a59d")
NO_GO_INK = QColor("#8f1c14")
CAUTION_BOX = "background: #fff4e0; color: #6b3f00; border-left: 5px solid #c77700; padding: 8px;"
DANGER_BOX = "background: #fdecea; color: #7d1a12; border-left: 5px solid #c62828; padding: 8px;"

_TIER_ORDER = {SafetyTier.NO_GO: 0, SafetyTier.CAUTION: 1, SafetyTier.SAFE: 2}
_TIER_FILL = {
    SafetyTier.SAFE: SAFE_FILL,
    SafetyTier.CAUTION: CAUTION_FILL,
    SafetyTier.NO_GO: NO_GO_FILL,
}

FAMILY_WORDS = {
    TechniqueFamily.EFFLEURAGE: "stroking",
    TechniqueFamily.FRICTION: "rubbing",
    TechniqueFamily.PETRISSAGE: "kneading",
    TechniqueFamily.TAPOTEMENT: "tapping",
    TechniqueFamily.VIBRATION: "vibration",
    TechniqueFamily.COMPRESSION: "pressing",
    TechniqueFamily.STRIPPING: "stripping",
    TechniqueFamily.REST: "resting hands",
}
"""The technique families in everyday words, for people new to massage."""


def take_window_font(dialog: QWidget, parent: QWidget | None) -> None:
    """Give a dialog the main window's (larger) font: windows do not inherit it."""
    if parent is not None:
        dialog.setFont(parent.font())


def lay_out_reading_dialog(
    dialog: QDialog, heading: QWidget, text_name: str, html_text: str
) -> QTextBrowser:
    """Fill ``dialog`` with a heading, read-only rich text and a Close button; return the text."""
    text = QTextBrowser()
    text.setOpenLinks(False)
    text.setOpenExternalLinks(False)
    text.setAccessibleName(text_name)
    text.setHtml(html_text)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    close = buttons.button(QDialogButtonBox.StandardButton.Close)
    close.setMinimumHeight(40)
    layout = QVBoxLayout(dialog)
    layout.addWidget(heading)
    layout.addWidget(text, 1)
    layout.addWidget(buttons)
    close.setFocus()
    return text


def pressure_allowed_text(zone: Zone) -> str:
    """ "Up to firm", "Light only" or "None: hands off"."""
    if zone.tier is SafetyTier.NO_GO or zone.max_pressure is Pressure.NONE:
        return "None: hands off"
    if zone.max_pressure is Pressure.LIGHT:
        return "Light only"
    return f"Up to {zone.max_pressure.label.lower()}"


def families_text(zone: Zone) -> str:
    """The allowed technique families in everyday words; "None" for a no-go zone."""
    if not zone.allowed_families:
        return "None"
    words = [FAMILY_WORDS.get(family, family.value) for family in zone.allowed_families]
    text = ", ".join(words)
    return text[:1].upper() + text[1:]


def first_sentence(text: str) -> str:
    """The text up to its first full stop (the whole text when it has none)."""
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


# -- zone rules ---------------------------------------------------------------------


class ZoneRulesModel(QAbstractTableModel):
    """Every zone with its rule, no-go zones first; marks the focus and emphasised zones."""

    COLUMNS = ("Zone", "Tier", "Pressure allowed", "Techniques allowed", "Why")
    ZONE_ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, library: ContentLibrary, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self._zones: list[Zone] = []
        self._focus: frozenset[str] = frozenset()
        self._emphasis: frozenset[str] = frozenset()
        self._bold = QFont()
        self._bold.setBold(True)
        self.set_library(library)

    def set_font(self, font: QFont) -> None:
        """The view's font, so marked names are bold in the same size."""
        self._bold = QFont(font)
        self._bold.setBold(True)

    def set_library(self, library: ContentLibrary) -> None:
        self.beginResetModel()
        self._library = library
        self._zones = sorted(library.zones.values(), key=lambda z: _TIER_ORDER[z.tier])
        self.endResetModel()

    def set_marks(self, focus: Sequence[str], emphasis: Sequence[str]) -> None:
        """Mark the zones the current step works on and the no-go zones to keep clear of."""
        focus_set, emphasis_set = frozenset(focus), frozenset(emphasis)
        if (focus_set, emphasis_set) == (self._focus, self._emphasis):
            return
        self._focus, self._emphasis = focus_set, emphasis_set
        if self._zones:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._zones) - 1, len(self.COLUMNS) - 1)
            )

    def zone_at(self, row: int) -> Zone:
        return self._zones[row]

    def row_of(self, zone_id: str) -> int:
        """The row showing ``zone_id``; -1 when there is none."""
        return next((row for row, zone in enumerate(self._zones) if zone.id == zone_id), -1)

    def is_emphasised(self, row: int) -> bool:
        return self._zones[row].id in self._emphasis

    def is_focus(self, row: int) -> bool:
        return self._zones[row].id in self._focus

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:  # noqa: N802
        if parent is not None and parent.isValid():
            return 0
        return len(self._zones)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:  # noqa: N802
        if parent is not None and parent.isValid():
            return 0
        return len(self.COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        zone = self._zones[index.row()]
        column = index.column()
        emphasised = zone.id in self._emphasis
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(zone, column, emphasised)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 3 and zone.allowed_families:
                names = [t.name for t in techniques_allowed_on(self._library, zone)]
                return "Techniques in the library allowed here: " + ", ".join(names)
            return zone.reason if column == 4 else zone.description
        if role == Qt.ItemDataRole.BackgroundRole:
            return EMPHASIS_FILL if emphasised else _TIER_FILL[zone.tier]
        if role == Qt.ItemDataRole.ForegroundRole and zone.tier is SafetyTier.NO_GO:
            return NO_GO_INK if column in (0, 1) else None
        if role == Qt.ItemDataRole.FontRole and column == 0:
            # Only the name: long bold reasons would be hard to read.
            return self._bold if emphasised or zone.id in self._focus else None
        if role == self.ZONE_ID_ROLE:
            return zone.id
        return None

    @staticmethod
    def _text(zone: Zone, column: int, emphasised: bool) -> str:
        if column == 0:
            title = zone_title(zone)
            return f"\u26a0 {title}" if emphasised else title
        if column == 1:
            return tier_label(zone.tier)
        if column == 2:
            return pressure_allowed_text(zone)
        if column == 3:
            return families_text(zone)
        return first_sentence(zone.reason)


class ZoneRulesDialog(QDialog):
    """The zone rules as a table, following the current step of the session."""

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        take_window_font(self, parent)
        self._controller = controller
        self.setWindowTitle("Zone rules")
        self.setAccessibleName("Zone rules")
        resize_to_fit(self, 1100, 720)

        intro = QLabel(
            "Every area of the back and what it allows. Work only on green and amber areas; "
            "red areas are never pressed, tapped or kneaded. Names in bold are the areas of "
            "the current step. Select a row to read the whole reason."
        )
        intro.setWordWrap(True)
        self.now_label = QLabel()
        self.now_label.setWordWrap(True)
        self.now_label.setTextFormat(Qt.TextFormat.PlainText)
        self.now_label.setAccessibleName("Current step")
        now_font = QFont(self.font())
        now_font.setBold(True)
        self.now_label.setFont(now_font)
        self.cautions_label = QLabel()
        self.cautions_label.setWordWrap(True)
        self.cautions_label.setTextFormat(Qt.TextFormat.PlainText)
        self.cautions_label.setAccessibleName("Cautions for the current step")
        self.cautions_label.setStyleSheet(CAUTION_BOX)
        self.cautions_label.setFont(QFont(self.font()))
        self.emphasis_label = QLabel()
        self.emphasis_label.setWordWrap(True)
        self.emphasis_label.setTextFormat(Qt.TextFormat.PlainText)
        self.emphasis_label.setAccessibleName("Areas to keep clear of")
        self.emphasis_label.setStyleSheet(DANGER_BOX)
        emphasis_font = QFont(self.font())
        emphasis_font.setBold(True)
        self.emphasis_label.setFont(emphasis_font)

        self.model = ZoneRulesModel(controller.library, self)
        self.model.set_font(self.font())
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Zones and their rules")
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        # Names and technique lists wrap past about 20-25 characters, so the reasons (the
        # Why column) keep room to be read on a 1024-pixel screen, not 8 lines a row.
        metrics = self.fontMetrics()
        names_width = metrics.horizontalAdvance("\u26a0 Between the shoulder blades") + 16
        self.table.setColumnWidth(0, min(self.table.sizeHintForColumn(0), names_width))
        self.table.setColumnWidth(3, metrics.horizontalAdvance("Stroking, rubbing, ") + 16)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextFormat(Qt.TextFormat.RichText)
        self.detail_label.setAccessibleName("About the selected area")
        self.detail_label.setMinimumHeight(self.fontMetrics().height() * 4)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(intro)
        layout.addWidget(self.now_label)
        layout.addWidget(self.cautions_label)
        layout.addWidget(self.emphasis_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail_label)
        layout.addWidget(buttons)

        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        controller.routine_changed.connect(self._refresh)
        controller.step_changed.connect(self._refresh)
        controller.zone_focus_changed.connect(self._refresh)
        controller.emphasis_changed.connect(self._refresh)
        self._refresh()
        self.table.setFocus()

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.detail_label.setText("")
            return
        zone = self.model.zone_at(current.row())

        def text(value: str) -> str:
            return html.escape(value, quote=False)

        self.detail_label.setText(
            f"<b>{text(zone_title(zone))}</b> ({text(tier_label(zone.tier))}): "
            f"{text(zone.reason)}<br><i>Where:</i> {text(zone.description)}"
        )

    def _refresh(self, *_args: object) -> None:
        controller = self._controller
        if self.model.rowCount() != len(controller.library.zones):
            self.model.set_library(controller.library)
        emphasis = controller.emphasised_zones()
        self.model.set_marks(controller.focus_zones(), emphasis)
        index = controller.preview_index
        if index < 0:
            index = controller.current_index
        if index < 0:
            self.now_label.setText("No routine is loaded.")
            self.cautions_label.hide()
            self.emphasis_label.hide()
            return
        step = controller.step(index)
        self.now_label.setText(f"Step {index + 1}: {controller.describe_step(index)}")
        if step.cautions:
            self.cautions_label.setText("\n".join(f"\u26a0 {text}" for text in step.cautions))
            self.cautions_label.show()
        else:
            self.cautions_label.hide()
        if emphasis:
            names = [zone_title(controller.library.zones[z]) for z in emphasis]
            self.emphasis_label.setText(
                "This step taps or presses firmly. Keep well clear of the areas next to it: "
                + ", ".join(names)
                + "."
            )
            self.emphasis_label.show()
        else:
            self.emphasis_label.hide()


# -- pain ---------------------------------------------------------------------------

PAIN_STEPS = (
    "Ease off at once: lift your hands or make the touch very light.",
    "Move away from the spot that hurts. Never keep working on a painful point.",
    "Ask your partner what they feel and exactly where.",
    "If the pain stays, or comes back when you carry on gently, stop for today.",
)

PAIN_NOTE = (
    "One of our sources says deep work on a knot may hurt a little. This app takes the "
    "safer line: pain means lighter, elsewhere, or stop."
)


class PainDialog(QDialog):
    """What to do when the partner says it hurts: continue lighter, or stop the session.

    "Stay paused" (Esc, and Space or Enter, which land on it) leaves the session paused.
    """

    def __init__(self, note: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        take_window_font(self, parent)
        self.setWindowTitle("Your partner reports pain")
        self.setAccessibleName("Your partner reports pain")
        resize_to_fit(self, 640, 460)
        heading = QLabel("The session is paused. Do this now:")
        heading_font = QFont(self.font())
        heading_font.setPointSizeF(max(heading_font.pointSizeF(), 10.0) * 1.3)
        heading_font.setBold(True)
        heading.setFont(heading_font)

        items = "".join(f"<li>{html.escape(text)}</li>" for text in PAIN_STEPS)
        self.steps_label = QLabel(f"<ol style='margin-left: 0'>{items}</ol>")
        self.steps_label.setTextFormat(Qt.TextFormat.RichText)
        self.steps_label.setWordWrap(True)
        self.steps_label.setAccessibleName("What to do")
        steps_font = QFont(self.font())
        steps_font.setPointSizeF(max(steps_font.pointSizeF(), 10.0) * 1.15)
        self.steps_label.setFont(steps_font)
        self.note_label = QLabel(PAIN_NOTE)
        self.note_label.setWordWrap(True)
        # True whether or not the history is recording: the aftercare summary lists it.
        self.where_label = QLabel(f"Noted for the session's summary: {note}" if note else "")
        self.where_label.setWordWrap(True)
        self.where_label.setTextFormat(Qt.TextFormat.PlainText)

        self.continue_button = QPushButton("Continue lighter   [C]")
        self.continue_button.setToolTip(
            "Resume the session with a lighter touch, away from the spot"
        )
        self.stop_button = QPushButton("Stop the session   [S]")
        self.stop_button.setToolTip("End the session here and go on to the aftercare")
        self.stay_button = QPushButton("Stay paused   [Esc]")
        self.stay_button.setToolTip("Close this and keep the session paused while you talk")
        for button, name in (
            (self.continue_button, "Continue lighter"),
            (self.stop_button, "Stop the session"),
            (self.stay_button, "Stay paused"),
        ):
            button.setMinimumHeight(44)
            button.setAccessibleName(name)
        buttons = QDialogButtonBox()
        buttons.addButton(self.continue_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.stop_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(self.stay_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.continue_button.clicked.connect(self._on_continue_clicked)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        self.stay_button.clicked.connect(self.reject)
        self._choice = ""

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(self.steps_label)
        layout.addWidget(self.note_label)
        layout.addWidget(self.where_label)
        layout.addStretch(1)
        layout.addWidget(buttons)
        # Neither resuming nor stopping happens by accident: Space (the session's
        # start/pause key) and Enter land on "Stay paused"; C and S are deliberate.
        for button in (self.continue_button, self.stop_button):
            button.setDefault(False)
            button.setAutoDefault(False)
        self.stay_button.setDefault(True)
        self.stay_button.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        plain = is_plain_key(event)
        if plain and key == Qt.Key.Key_C:
            self._on_continue_clicked()
        elif plain and key == Qt.Key.Key_S:
            self._on_stop_clicked()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    @property
    def choice(self) -> str:
        """ "continue", "stop", or "" while undecided (or closed without a choice)."""
        return self._choice

    def _on_continue_clicked(self) -> None:
        self._choice = "continue"
        self.accept()

    def _on_stop_clicked(self) -> None:
        self._choice = "stop"
        self.accept()


# -- aftercare ----------------------------------------------------------------------


@dataclass(frozen=True)
class SessionReport:
    """What a finished session did, for the aftercare dialog."""

    routine_title: str
    summary: SessionSummary
    step_count: int
    pain_reports: tuple[str, ...] = ()
    dry_run: bool = False

    def lines(self) -> list[str]:
        """The summary in short plain lines."""
        summary = self.summary
        lines = [f"Steps done: {summary.done} of {self.step_count}"]
        # The steps after the last one worked on were never reached (the session was
        # stopped early): the user did not skip them, so the summary does not say so.
        reached = max(
            (r.index for r in summary.records if r.actual_s > 0 or r.status is StepStatus.DONE),
            default=-1,
        )
        not_reached = sum(
            1 for r in summary.records if r.index > reached and r.status is StepStatus.SKIPPED
        )
        if summary.skipped - not_reached:
            lines.append(f"Steps skipped: {summary.skipped - not_reached}")
        if not_reached:
            lines.append(f"Steps not reached (the session ended early): {not_reached}")
        lines.append(
            f"Time: {format_clock(round(summary.actual_s))} "
            f"of {format_clock(round(summary.planned_s))} planned"
        )
        if summary.pauses:
            lines.append(f"Pauses: {summary.pauses}")
        if self.dry_run:
            lines.append("Dry run: no one was on the table.")
        elif self.pain_reports:
            count = len(self.pain_reports)
            lines.append(f"Pain reported: {count} time{'s' if count != 1 else ''}")
            lines.extend(f"  \u2022 {note}" for note in self.pain_reports)
        else:
            lines.append("Pain reported: none")
        return lines


class AftercareDialog(QDialog):
    """The end of a session: the aftercare to give now and what was done."""

    def __init__(
        self,
        items: Sequence[AftercareItem],
        report: SessionReport,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        take_window_font(self, parent)
        self._items = tuple(items)
        self._report = report
        self.setWindowTitle("Aftercare")
        self.setAccessibleName("Aftercare")
        resize_to_fit(self, 760, 720)

        heading = QLabel(f"{report.routine_title}: finished")
        heading_font = QFont(self.font())
        heading_font.setPointSizeF(max(heading_font.pointSizeF(), 10.0) * 1.4)
        heading_font.setBold(True)
        heading.setFont(heading_font)
        heading.setWordWrap(True)

        self.text = lay_out_reading_dialog(self, heading, "Aftercare and summary", self._html())

    @property
    def items(self) -> tuple[AftercareItem, ...]:
        return self._items

    def plain_text(self) -> str:
        """Everything the dialog says, as plain text (for tests and reading aloud)."""
        return self.text.toPlainText()

    def _html(self) -> str:
        parts: list[str] = []
        ending = [item for item in self._items if item.id in WIND_DOWN]
        after = [item for item in self._items if item.id not in WIND_DOWN]
        for heading, items in (
            ("How the massage ends", ending),
            ("Now, for your partner", after),
        ):
            if not items:
                continue
            parts.append(f"<h3>{heading}</h3><ul>")
            for item in items:
                # "Rest for at least 15 minutes" needs no "(15 min)" after it.
                minutes = (
                    f" <span style='color: #5a6470'>({item.minutes} min)</span>"
                    if item.minutes and str(item.minutes) not in item.title
                    else ""
                )
                parts.append(
                    f"<li style='margin-bottom: 6px'><b>{html.escape(item.title)}</b>{minutes}"
                    f"<br>{html.escape(item.detail)}</li>"
                )
            parts.append("</ul>")
        parts.append("<h3>What you did</h3><ul>")
        for line in self._report.lines():
            if line.startswith("  \u2022 "):
                parts.append(f"<li style='margin-left: 18px'>{html.escape(line[4:])}</li>")
            else:
                parts.append(f"<li>{html.escape(line)}</li>")
        parts.append("</ul>")
        if self._report.pain_reports and not self._report.dry_run:
            # First, where it is read before anything else: the closing strokes below
            # must not go back to the spot that hurt.
            parts.insert(
                0,
                "<p style='background: #fdecea; color: #7d1a12'><b>Your partner reported "
                "pain.</b> Keep any closing strokes light and away from the spot that hurt. "
                "Leave that spot alone next time, and have it checked by a doctor or "
                "physiotherapist if it still hurts tomorrow.</p>",
            )
        return "".join(parts)


__all__ = [
    "take_window_font",
    "AftercareDialog",
    "PainDialog",
    "SessionReport",
    "ZoneRulesDialog",
    "ZoneRulesModel",
    "families_text",
    "lay_out_reading_dialog",
    "pressure_allowed_text",
]
