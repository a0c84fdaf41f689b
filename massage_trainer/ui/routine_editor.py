"""The routine editor: instructors write their own routines, checked live by the safety rules.

The editor holds one routine at a time as a frozen :class:`Routine`. Every edit builds a
new routine and goes through the :class:`QUndoStack` as a :class:`RoutineEditCommand`
that stores the routine before and after, so undo restores exactly what was there.
Widgets only *propose* edits; what they show is always refreshed from the routine.

Files go through :class:`RoutineStore` (atomic saves, drafts, import and export). A
routine with safety errors can be kept as a draft but not saved for use. Built-in
routines open read-only: duplicate one to change it.
"""

from __future__ import annotations

import dataclasses
import html
import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from PySide6.QtCore import QEvent, QObject, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QDropEvent,
    QFont,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QShowEvent,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from massage_trainer.domain.content import ContentLibrary, check_routine, describe_error
from massage_trainer.domain.models import (
    Audience,
    Direction,
    Pressure,
    Routine,
    SafetyTier,
    Step,
    TechniqueFamily,
)
from massage_trainer.domain.routine_store import (
    RoutineStore,
    RoutineStoreError,
    export_routine,
    import_routine,
    unique_id,
)
from massage_trainer.domain.safety import Problem, Severity
from massage_trainer.ui.controller import (
    SessionController,
    describe_zones,
    format_clock,
    short_zone_name,
    step_duration_text,
)
from massage_trainer.ui.preferences import Preferences
from massage_trainer.ui.widgets import resize_to_fit, save_path_with_suffix, window_action

_ModelT = TypeVar("_ModelT", bound=BaseModel)

EDITOR_TITLE = "Routine editor"
AUTOSAVE_MS = 1500
"""How long after the last edit the draft is written."""

MAX_STEPS = 200
_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_KEY_GEOMETRY = "routine_editor/geometry"
_KEY_FOLDER = "routine_editor/folder"

ERROR_INK = QColor("#9b1f17")
WARNING_INK = QColor("#7a4f00")
NO_GO_INK = QColor("#9b1f17")

_NEW_PREPARATION = (
    "health-check",
    "room-warm",
    "firm-surface",
    "towels",
    "warm-oil",
    "allergy-check",
    "wash-hands",
    "warm-hands",
    "receiver-position",
    "giver-position",
)
_NEW_AFTERCARE = ("cover-warm", "rest-15", "get-up-slowly", "ask-feedback")
_UNDO_KEYS = ("Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+Y")


def as_rich_text(text: str) -> str:
    """``text`` escaped into rich text, so message boxes and tooltips show it verbatim.

    Qt guesses whether a string is rich text; a shared routine could contain markup.
    Escaping and wrapping it makes Qt render the characters, never the markup.
    """
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"


def problem_text(problem: Problem) -> str:
    """What is wrong, as a sentence on its own (the list shows where)."""
    text = problem.text or problem.message
    return text[:1].upper() + text[1:]


class RoutineEditCommand(QUndoCommand):
    """One edit: the whole routine before and after, and which step to show for each."""

    MERGE_ID = 4711

    def __init__(
        self,
        editor: RoutineEditorWindow,
        text: str,
        before: Routine,
        after: Routine,
        step_before: int,
        step_after: int,
        merge_key: str | None = None,
    ) -> None:
        super().__init__(text)
        self._editor = editor
        self.before = before
        self.after = after
        self._step_before = step_before
        self._step_after = step_after
        self.merge_key = merge_key

    def redo(self) -> None:
        self._editor._apply(self.after, self._step_after)

    def undo(self) -> None:
        self._editor._apply(self.before, self._step_before)

    def id(self) -> int:
        # Typing in one field of one step is one undo step, not one per key.
        return self.MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if not isinstance(other, RoutineEditCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        self._step_after = other._step_after
        if self.after == self.before:
            self.setObsolete(True)
        return True


class StepListWidget(QListWidget):
    """The steps; drag one to move it. Drops become an edit instead of moving items here."""

    step_dropped = Signal(int, int)
    """(from row, to row): the step's index before and after the move."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDropIndicatorShown(True)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)

    def drop_target_row(self, source: int, pos: QPoint) -> int:
        """Where the step at ``source`` ends up if dropped at ``pos`` (viewport coordinates)."""
        index = self.indexAt(pos)
        if not index.isValid():
            return self.count() - 1
        rect = self.visualRect(index)
        insert_before = index.row() if pos.y() < rect.center().y() else index.row() + 1
        return insert_before - 1 if insert_before > source else insert_before

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        if event.source() is not self:
            event.ignore()
            return
        source = self.currentRow()
        target = self.drop_target_row(source, event.position().toPoint())
        # Accept without a move action, so the view does not move or delete items itself:
        # the edit goes through the undo stack and the list is rebuilt from the routine.
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if source >= 0 and target != source:
            self.step_dropped.emit(source, target)


class _TextFieldKeys(QObject):
    """Sorts out the keys that both text fields and the editor's shortcuts want.

    Ctrl+Z and friends go to the editor's undo stack: text fields keep their own undo
    history and claim these keys, but the editor wants every edit, typed or not, on one
    stack. Ctrl+Delete stays in the field, where it deletes the next word, as in any
    text field; elsewhere it removes the step.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if event.matches(QKeySequence.StandardKey.DeleteEndOfWord):
                event.accept()  # the field takes it as a key press, not a shortcut
                return True
            pressed = QKeySequence(event.keyCombination())
            if any(
                pressed.matches(QKeySequence(key)) == QKeySequence.SequenceMatch.ExactMatch
                for key in _UNDO_KEYS
            ):
                event.ignore()
                return True
        return False


class RoutineEditorWindow(QMainWindow):
    """Write, check and share routines: steps, zones, timing, with undo and safe saving."""

    routines_changed = Signal(str)
    """The id of a routine that was saved, imported or deleted."""

    def __init__(
        self,
        library: ContentLibrary,
        store: RoutineStore | None = None,
        *,
        preferences: Preferences | None = None,
        settings: QSettings | None = None,
        autosave_ms: int = AUTOSAVE_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._library = library
        self._store = (
            store
            if store is not None
            else RoutineStore(
                builtin_ids=library.builtin_ids, checker=lambda r: check_routine(r, library)
            )
        )
        self._settings = settings if settings is not None else QSettings()
        self._preferences = preferences
        self._routine: Routine | None = None
        self._read_only = False
        self._never_saved = False
        self._step_index = -1
        self._problems: list[Problem] = []
        self._refreshing = False
        self._switching = False
        self._shown_once = False
        self._last_message = ""
        self._saved_titles: dict[str, str] = {}
        """Routine id -> title of every saved and built-in routine (the session's list)."""
        self._listed_titles: set[str] = set()
        """Every title in the routine list, unsaved ones too (folded by _title_key)."""
        self._undo_filter = _TextFieldKeys(self)

        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_undo_stack_clean_changed)
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(autosave_ms)
        self._autosave_timer.timeout.connect(self.autosave_now)

        self.setAccessibleName(EDITOR_TITLE)
        self.setWindowTitle(f"{EDITOR_TITLE}[*]")
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 11.0))
        self.setFont(font)

        self._build()
        self._create_actions()
        self._create_menus()
        self._refresh_routine_list()
        # Drafts left at the last start are offered by recover_drafts, once it is shown.
        self._open_first(restore_draft=False)
        geometry = self._settings.value(_KEY_GEOMETRY)
        if geometry is not None and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            resize_to_fit(self, 1380, 860)

    # -- public state -----------------------------------------------------------------

    @property
    def store(self) -> RoutineStore:
        return self._store

    @property
    def library(self) -> ContentLibrary:
        return self._library

    @property
    def routine(self) -> Routine | None:
        """The routine being edited, as it is now (with any unsaved edits)."""
        return self._routine

    @property
    def read_only(self) -> bool:
        """True while a built-in routine is open: it can be looked at and duplicated."""
        return self._read_only

    @property
    def current_step_index(self) -> int:
        return self._step_index

    @property
    def problems(self) -> list[Problem]:
        """The safety problems of the routine as it is now."""
        return list(self._problems)

    @property
    def last_message(self) -> str:
        """The last error or notice the editor showed, as plain text."""
        return self._last_message

    def is_dirty(self) -> bool:
        """Whether there are changes that are not saved as a routine."""
        if self._routine is None or self._read_only:
            return False
        return self._never_saved or not self.undo_stack.isClean()

    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self._problems)

    # -- building ---------------------------------------------------------------------

    def _build(self) -> None:
        # Left: the routines.
        self.routine_list = QListWidget()
        self.routine_list.setAccessibleName("Routines")
        self.routine_list.setWordWrap(True)
        self.routine_list.currentItemChanged.connect(self._on_routine_list_current_item_changed)
        self.new_button = QPushButton("New")
        self.duplicate_button = QPushButton("Duplicate")
        self.rename_button = QPushButton("Rename…")
        self.delete_button = QPushButton("Delete…")
        self.new_button.clicked.connect(self.new_routine)
        self.duplicate_button.clicked.connect(self.duplicate_routine)
        self.rename_button.clicked.connect(lambda: self.rename_routine())
        self.delete_button.clicked.connect(self.delete_routine)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(_heading("Routines"))
        left_layout.addWidget(self.routine_list, 1)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.duplicate_button):
            buttons.addWidget(button)
        left_layout.addLayout(buttons)
        buttons = QHBoxLayout()
        for button in (self.rename_button, self.delete_button):
            buttons.addWidget(button)
        left_layout.addLayout(buttons)

        # Middle: the routine's header, its steps and the problems.
        self.read_only_banner = QFrame()
        self.read_only_banner.setObjectName("readOnlyBanner")
        self.read_only_banner.setStyleSheet(
            "#readOnlyBanner { background: #fff4e0; border: 1px solid #e0b060;"
            " border-radius: 4px; }"
        )
        banner_layout = QHBoxLayout(self.read_only_banner)
        self.read_only_label = QLabel(
            "This routine comes with the app and is read-only. Duplicate it to make your "
            "own version you can change."
        )
        self.read_only_label.setWordWrap(True)
        banner_duplicate = QPushButton("Duplicate to change")
        banner_duplicate.clicked.connect(self.duplicate_routine)
        banner_layout.addWidget(self.read_only_label, 1)
        banner_layout.addWidget(banner_duplicate)

        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setMaxLength(200)
        self.title_edit.textEdited.connect(self._on_title_edit_text_edited)
        self.title_edit.editingFinished.connect(self._on_title_edit_editing_finished)
        self.audience_combo = QComboBox()
        self.audience_combo.setAccessibleName("Audience")
        for audience in Audience:
            self.audience_combo.addItem(audience.label, audience.value)
        self.audience_combo.activated.connect(self._on_audience_combo_activated)
        self.summary_edit = _plain_text_edit("Summary", 3)
        self.summary_edit.textChanged.connect(self._on_summary_edit_text_changed)
        self.title_message = QLabel()
        self.title_message.setTextFormat(Qt.TextFormat.PlainText)
        self.title_message.setWordWrap(True)
        self.title_message.setAccessibleName("Title notice")
        title_palette = self.title_message.palette()
        title_palette.setColor(self.title_message.foregroundRole(), WARNING_INK)
        self.title_message.setPalette(title_palette)
        self.title_message.hide()
        title_box = QWidget()
        title_layout = QVBoxLayout(title_box)
        title_layout.setContentsMargins(0, 0, 0, 0)
        title_layout.addWidget(self.title_edit)
        title_layout.addWidget(self.title_message)
        header = QFormLayout()
        header.addRow("Title", title_box)
        header.addRow("For", self.audience_combo)
        header.addRow("Summary", self.summary_edit)

        self.step_list = StepListWidget()
        self.step_list.setAccessibleName("Steps")
        self.step_list.currentRowChanged.connect(self._on_step_list_current_row_changed)
        self.step_list.step_dropped.connect(
            self._on_step_list_step_dropped, Qt.ConnectionType.QueuedConnection
        )
        self.add_step_button = QPushButton("Add step")
        self.remove_step_button = QPushButton("Remove step")
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        self.add_step_button.clicked.connect(self.add_step)
        self.remove_step_button.clicked.connect(self.remove_step)
        self.up_button.clicked.connect(lambda: self.move_step(-1))
        self.down_button.clicked.connect(lambda: self.move_step(1))
        # Two by two, so the steps column can be narrow on a 1024-pixel screen and the
        # step form beside it keeps the room it needs.
        step_buttons = QGridLayout()
        for position, button in enumerate(
            (self.add_step_button, self.remove_step_button, self.up_button, self.down_button)
        ):
            step_buttons.addWidget(button, position // 2, position % 2)

        self.summary_label = QLabel()
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setWordWrap(True)
        self.summary_label.setAccessibleName("Safety check")
        self.problem_list = QListWidget()
        self.problem_list.setAccessibleName("All problems")
        self.problem_list.setWordWrap(True)
        self.problem_list.setMaximumHeight(150)
        self.problem_list.itemActivated.connect(self._on_problem_list_item_activated)
        self.problem_list.itemClicked.connect(self._on_problem_list_item_activated)

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.addWidget(self.read_only_banner)
        middle_layout.addLayout(header)
        middle_layout.addWidget(_heading("Steps (drag, or Ctrl+Up / Ctrl+Down, to reorder)"))
        middle_layout.addWidget(self.step_list, 1)
        middle_layout.addLayout(step_buttons)
        middle_layout.addWidget(_heading("Safety check"))
        middle_layout.addWidget(self.summary_label)
        middle_layout.addWidget(self.problem_list)

        # Right: the selected step.
        self.step_heading = _heading("Step")
        self.step_problem_list = QListWidget()
        self.step_problem_list.setAccessibleName("Problems in this step")
        self.step_problem_list.setWordWrap(True)
        self.step_problem_list.setMaximumHeight(80)
        self.technique_combo = QComboBox()
        self.technique_combo.setAccessibleName("Technique")
        for family in TechniqueFamily:
            techniques = sorted(
                (t for t in self._library.techniques.values() if t.family is family),
                key=lambda t: t.name,
            )
            for technique in techniques:
                self.technique_combo.addItem(f"{technique.name} ({family.label})", technique.id)
                self.technique_combo.setItemData(
                    self.technique_combo.count() - 1,
                    as_rich_text(technique.purpose),
                    Qt.ItemDataRole.ToolTipRole,
                )
        self.technique_combo.activated.connect(self._on_technique_combo_activated)

        self.zone_list = QListWidget()
        self.zone_list.setAccessibleName("Target zones")
        self.zone_list.setMinimumHeight(300)
        # A label too long for the column wraps onto a second line instead of being cut
        # off ("Shoulder blade, left (caution, light…"): no sideways scrolling to read it.
        self.zone_list.setWordWrap(True)
        self.zone_list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.zone_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.zone_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        for zone in self._library.zones.values():
            item = QListWidgetItem(self._zone_label(zone.id))
            item.setData(_ID_ROLE, zone.id)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(as_rich_text(f"{zone.name}: {zone.reason}"))
            if zone.tier is SafetyTier.NO_GO:
                item.setForeground(NO_GO_INK)
            self.zone_list.addItem(item)
        self.zone_list.itemChanged.connect(self._on_zone_list_item_changed)
        self.zone_message = QLabel()
        self.zone_message.setTextFormat(Qt.TextFormat.PlainText)
        self.zone_message.setWordWrap(True)
        self.zone_message.setAccessibleName("Zone notice")
        palette = self.zone_message.palette()
        palette.setColor(self.zone_message.foregroundRole(), NO_GO_INK)
        self.zone_message.setPalette(palette)
        self.diagram = self._make_zone_diagram()

        self.duration_spin = QSpinBox()
        self.duration_spin.setAccessibleName("Duration in seconds")
        self.duration_spin.setRange(5, 3600)
        self.duration_spin.setSingleStep(15)
        self.duration_spin.setSuffix(" s")
        self.duration_spin.valueChanged.connect(self._on_duration_spin_value_changed)
        self.duration_hint = QLabel()
        duration_row = QHBoxLayout()
        duration_row.addWidget(self.duration_spin)
        duration_row.addWidget(self.duration_hint, 1)
        self.repetitions_spin = _count_spin("Repetitions", 1000)
        self.repetitions_spin.valueChanged.connect(self._on_repetitions_spin_value_changed)
        self.cycles_spin = _count_spin("Passes", 100)
        self.cycles_spin.valueChanged.connect(self._on_cycles_spin_value_changed)
        self.pressure_combo = QComboBox()
        self.pressure_combo.setAccessibleName("Pressure")
        for pressure in Pressure:
            self.pressure_combo.addItem(pressure.label, pressure.value)
        self.pressure_combo.activated.connect(self._on_pressure_combo_activated)
        self.direction_combo = QComboBox()
        self.direction_combo.setAccessibleName("Direction")
        for direction in Direction:
            self.direction_combo.addItem(direction.label, direction.value)
        self.direction_combo.activated.connect(self._on_direction_combo_activated)
        for combo in (self.technique_combo, self.direction_combo):
            _narrow_combo(combo)
        self.instruction_edit = _plain_text_edit("Instruction", 3)
        self.instruction_edit.textChanged.connect(self._on_instruction_edit_text_changed)
        self.cautions_edit = _plain_text_edit("Cautions, one per line", 2)
        self.cautions_edit.textChanged.connect(self._on_cautions_edit_text_changed)
        self.form_message = QLabel()
        self.form_message.setTextFormat(Qt.TextFormat.PlainText)
        self.form_message.setWordWrap(True)
        self.form_message.setAccessibleName("Form notice")
        self.form_message.setPalette(palette)

        technique_form = QFormLayout()
        technique_form.addRow("Technique", self.technique_combo)
        form = QFormLayout()
        form.addRow("Time", duration_row)
        form.addRow("Repetitions", self.repetitions_spin)
        form.addRow("Passes", self.cycles_spin)
        form.addRow("Pressure", self.pressure_combo)
        form.addRow("Direction", self.direction_combo)
        form.addRow("Instruction", self.instruction_edit)
        form.addRow("Cautions", self.cautions_edit)

        zones_box = QGroupBox("Target zones: click the diagram or tick the list")
        zones_layout = QVBoxLayout(zones_box)
        zones_row = QHBoxLayout()
        # The figure is as wide as its height allows, so extra width goes to the labels.
        zones_row.addWidget(self.diagram, 2)
        zones_row.addWidget(self.zone_list, 3)
        zones_layout.addLayout(zones_row, 1)
        # Right under the zones, so a refusal is read where the click was made.
        zones_layout.addWidget(self.zone_message)

        right_inner = QWidget()
        right_layout = QVBoxLayout(right_inner)
        right_layout.addWidget(self.step_heading)
        right_layout.addWidget(self.step_problem_list)
        right_layout.addLayout(technique_form)
        right_layout.addWidget(zones_box, 1)
        right_layout.addLayout(form)
        right_layout.addWidget(self.form_message)
        self.step_form = right_inner
        right = QScrollArea()
        right.setWidgetResizable(True)
        right.setWidget(right_inner)
        right.setFrameShape(QFrame.Shape.NoFrame)

        for widget in (self.title_edit, self.summary_edit, self.instruction_edit):
            widget.installEventFilter(self._undo_filter)
        self.cautions_edit.installEventFilter(self._undo_filter)
        for spin in (self.duration_spin, self.repetitions_spin, self.cycles_spin):
            line_edit = spin.findChild(QLineEdit)
            if line_edit is not None:
                line_edit.installEventFilter(self._undo_filter)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(middle)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 4)
        splitter.setStretchFactor(2, 5)
        splitter.setSizes([240, 440, 700])
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        self.setCentralWidget(splitter)

    def _make_zone_diagram(self) -> QWidget:
        # The diagram is the session window's BackDiagramView on a private controller
        # that holds only the routine being edited: the view highlights the selected
        # step's zones, and a click on a zone comes back as the controller's
        # zone_selected, which toggles the zone here (no-go zones are refused).
        self.zone_source = SessionController(_preview_library(self._library, None), parent=self)
        self.zone_source.zone_selected.connect(self._on_zone_source_zone_selected)
        self._preview_shown: tuple[object, int] = (None, -1)
        module = _import_diagram_module()
        if module is None:
            label = QLabel("Back diagram")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setMinimumSize(200, 260)
            return label
        preferences = self._preferences or Preferences(self._settings, self)
        view: QWidget = module.BackDiagramView(self.zone_source, preferences)
        view.setMinimumSize(220, 300)
        view.setAccessibleName("Back diagram: click a zone to add or remove it")
        return view

    def _sync_zone_source(self) -> None:
        """Show the routine and step being edited on the diagram, when what it draws changed.

        Only the steps' techniques, zones and directions matter to the picture: typing an
        instruction must not reload the diagram on every key.
        """
        routine = self._routine
        drawn = (
            tuple((s.technique, s.zones, s.direction) for s in routine.steps)
            if routine is not None
            else None
        )
        if (drawn, self._step_index) == self._preview_shown:
            return
        source = self.zone_source
        if routine is not None and drawn != self._preview_shown[0]:
            source.set_library(_preview_library(self._library, routine))
            source.load_routine(routine.id)
        self._preview_shown = (drawn, self._step_index)
        if routine is not None:
            source.preview_step(self._step_index)

    def _zone_label(self, zone_id: str) -> str:
        zone = self._library.zones[zone_id]
        tier = {
            SafetyTier.SAFE: "safe",
            SafetyTier.CAUTION: "light only",  # the legend's "Caution: light only"
            SafetyTier.NO_GO: "no-go",
        }[zone.tier]
        side = f", {zone.side.value}" if zone.side.value in {"left", "right"} else ""
        return f"{short_zone_name(zone)}{side} ({tier})"

    def _action(
        self,
        text: str,
        slot: Callable[[], object] | None,
        keys: Sequence[str | QKeySequence.StandardKey] = (),
        tip: str = "",
    ) -> QAction:
        return window_action(self, text, slot, keys, tip=tip)

    def _create_actions(self) -> None:
        self.new_action = self._action("New routine", self.new_routine, ["Ctrl+N"])
        self.duplicate_action = self._action(
            "Duplicate routine", self.duplicate_routine, ["Ctrl+D"]
        )
        self.rename_action = self._action("Rename routine…", lambda: self.rename_routine(), ["F2"])
        self.delete_action = self._action("Delete routine…", self.delete_routine)
        self.save_action = self._action(
            "Save", self.save, ["Ctrl+S"], "Save the routine so the session window can use it"
        )
        self.import_action = self._action(
            "Import routine file…", self._import_with_dialog, ["Ctrl+I"]
        )
        self.export_action = self._action(
            "Export routine file…", self._export_with_dialog, ["Ctrl+Shift+E"]
        )
        self.close_action = self._action("Close editor", self.close, ["Ctrl+W"])

        self.undo_action = self.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        self.add_step_action = self._action("Add step", self.add_step, ["Ctrl+Return"])
        self.remove_step_action = self._action("Remove step", self.remove_step, ["Ctrl+Delete"])
        self.move_up_action = self._action("Move step up", lambda: self.move_step(-1), ["Ctrl+Up"])
        self.move_down_action = self._action(
            "Move step down", lambda: self.move_step(1), ["Ctrl+Down"]
        )
        # Delete in the step list removes the step, in the routine list deletes the
        # routine (after asking); only there, so in a text field it deletes a character.
        for widget, slot in (
            (self.step_list, self.remove_step),
            (self.routine_list, self.delete_routine),
        ):
            action = QAction(widget)
            action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
            widget.addAction(action)

    def _create_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions(
            [self.new_action, self.duplicate_action, self.rename_action, self.delete_action]
        )
        file_menu.addSeparator()
        file_menu.addAction(self.save_action)
        file_menu.addSeparator()
        file_menu.addActions([self.import_action, self.export_action])
        file_menu.addSeparator()
        file_menu.addAction(self.close_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions(
            [
                self.add_step_action,
                self.remove_step_action,
                self.move_up_action,
                self.move_down_action,
            ]
        )
        self.file_menu = file_menu
        self.edit_menu = edit_menu

    # -- opening routines -------------------------------------------------------------

    def _open_first(self, *, restore_draft: bool = True) -> None:
        ids = self._list_ids()
        if ids:
            self.open_routine(ids[0], restore_draft=restore_draft)
        else:
            self._set_document(None, saved=True)

    def _list_ids(self) -> list[str]:
        ids = []
        for row in range(self.routine_list.count()):
            value = self.routine_list.item(row).data(_ID_ROLE)
            if value:
                ids.append(str(value))
        return ids

    def open_routine(self, routine_id: str, *, restore_draft: bool = True) -> bool:
        """Open a saved or built-in routine (asks about unsaved changes first).

        Work kept as a draft (a save refused by the safety rules, or a crash) comes back
        with it: on top of the saved version as one edit that Undo takes back, or on its
        own for a routine that was never saved.
        """
        if self._routine is not None and self._routine.id == routine_id:
            return True
        if not self.maybe_save():
            return False
        draft = None
        if restore_draft and routine_id not in self._library.builtin_ids:
            draft = self._readable_draft(routine_id)
        try:
            if routine_id in self._library.builtin_ids:
                routine = self._library.routines[routine_id]
            elif draft is not None and not self._store.exists(routine_id):
                routine = None
            else:
                routine = self._store.load(routine_id)
        except (RoutineStoreError, KeyError) as exc:
            self._show_error("The routine cannot be opened", str(exc))
            self._select_current_in_list()
            return False
        if routine is None and draft is not None:
            self._set_document(draft, saved=False)
            self._notice(f"“{draft.title}” is not saved yet: this is your draft of it.")
        elif routine is not None:
            self._set_document(routine, saved=True)
            if draft is not None and draft != routine:
                self._push("Restore draft", draft, 0)
                self._notice(
                    f"Your unsaved changes to “{routine.title}” are back from the draft. "
                    "Undo (Ctrl+Z) shows the saved version."
                )
            elif draft is not None:
                self._store.discard_draft(routine_id)
        return True

    def _readable_draft(self, routine_id: str) -> Routine | None:
        if not self._store.has_draft(routine_id):
            return None
        try:
            return self._store.load_draft(routine_id)
        except RoutineStoreError:
            return None

    def _set_document(self, routine: Routine | None, *, saved: bool) -> None:
        self._autosave_timer.stop()
        # Clearing the stack reports a clean state; that is about the old routine, whose
        # draft (if any) must be left alone, so the slot ignores it while switching.
        self._switching = True
        try:
            self.undo_stack.clear()
            self.undo_stack.setClean()
        finally:
            self._switching = False
        self._routine = routine
        self._read_only = routine is not None and self._store.is_read_only(routine.id)
        self._never_saved = routine is not None and not saved
        self._step_index = 0 if routine is not None else -1
        self._set_form_message("")
        self._set_zone_message("")
        self._refresh_routine_list()
        self._refresh_all()
        if self.is_dirty():
            self._autosave_timer.start()

    def _select_current_in_list(self) -> None:
        current = self._routine.id if self._routine is not None else None
        self.routine_list.blockSignals(True)
        try:
            for row in range(self.routine_list.count()):
                item = self.routine_list.item(row)
                if item.data(_ID_ROLE) == current:
                    self.routine_list.setCurrentRow(row)
                    break
        finally:
            self.routine_list.blockSignals(False)

    # -- routine commands -------------------------------------------------------------

    def new_routine(self) -> bool:
        """Start a new routine (not saved until Save) with a gentle opening and closing."""
        if not self.maybe_save():
            return False
        title = self._free_title("New routine", lambda n: f"New routine {n}")
        routine_id = self._store.new_id(title)
        routine = Routine(
            id=routine_id,
            title=title,
            audience=Audience.HOME,
            summary="A routine of your own. Describe who it is for and what it does.",
            steps=(self._new_step(opening=True), self._new_step(opening=False)),
            preparation=self._known_ids(_NEW_PREPARATION, "preparation"),
            aftercare=self._known_ids(_NEW_AFTERCARE, "aftercare"),
            source_notes="Written in the routine editor.",
        )
        self._set_document(routine, saved=False)
        self._edit_title_now()
        self._notice(f"New routine “{routine.title}”: not saved yet.")
        return True

    def duplicate_routine(self) -> bool:
        """Copy the open routine, as it is on screen, under a new id and title, as a new
        unsaved routine (the original's changes are saved or not, as the user says)."""
        source = self._routine
        if source is None or not self.maybe_save():
            return False
        title = self._free_title(
            _with_suffix(source.title, " (my copy)"),
            lambda n: _with_suffix(source.title, f" (my copy {n})"),
        )
        try:
            copy = self._store.duplicate(source, self._store.new_id(title), title)
        except RoutineStoreError as exc:
            self._show_error("The routine cannot be duplicated", str(exc))
            return False
        self._set_document(copy, saved=False)
        self._edit_title_now()
        self._notice(f"“{copy.title}” is your own copy: change it, then save.")
        return True

    def _edit_title_now(self) -> None:
        """Put the cursor in the title, all selected, so typing names the routine."""
        self.title_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.title_edit.selectAll()

    def rename_routine(self, title: str | None = None) -> bool:
        """Give the routine a new title (asks for it when ``title`` is None)."""
        routine = self._routine
        if routine is None or self._refuse_read_only():
            return False
        if title is None:
            text, ok = QInputDialog.getText(
                self, "Rename routine", "New title:", QLineEdit.EchoMode.Normal, routine.title
            )
            if not ok:
                return False
            title = text
        title = title.strip()
        if not title:
            self._notice("A routine needs a title.")
            return False
        return self._edit_routine("Rename routine", None, title=title[:200])

    def delete_routine(self) -> bool:
        """Delete the open routine after asking; built-ins cannot be deleted."""
        routine = self._routine
        if routine is None or self._refuse_read_only():
            return False
        if self._never_saved:
            # There is no routine file: only the work in the editor (and its draft) goes.
            question = (
                f"Delete “{routine.title}”? It was never saved, so your work on it is "
                "thrown away. This cannot be undone."
            )
        else:
            question = (
                f"Delete “{routine.title}”? Its file is removed, so it leaves the session "
                "window's routine list. This cannot be undone."
            )
        answer = QMessageBox.question(
            self,
            "Delete routine",
            as_rich_text(question),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            self._store.delete(routine.id)
        except RoutineStoreError as exc:
            self._show_error("The routine cannot be deleted", str(exc))
            return False
        was_saved = not self._never_saved
        self._set_document(None, saved=True)
        self._open_first()
        self._notice(f"Deleted “{routine.title}”.")
        if was_saved:
            self.routines_changed.emit(routine.id)
        return True

    def save(self) -> bool:
        """Save the routine for use. With safety errors it is only kept as a draft."""
        routine = self._routine
        if routine is None or self._refuse_read_only():
            return False
        if self.has_errors():
            self.autosave_now()
            count = sum(p.severity is Severity.ERROR for p in self._problems)
            self._show_error(
                "Kept as a draft only",
                f"“{routine.title}” breaks {count} safety rule{'s' if count != 1 else ''}, "
                "so it cannot be used in a session yet. Your work is kept as a draft; "
                "fix the marked steps and save again.",
            )
            return False
        try:
            self._store.save(routine)
        except RoutineStoreError as exc:
            self._show_error("The routine was not saved", str(exc))
            return False
        self._autosave_timer.stop()
        self._never_saved = False
        self.undo_stack.setClean()
        self._refresh_routine_list()
        self._refresh_title()
        twin = self._title_twin(routine)
        if twin:
            # Saved all the same: a shared title is confusing, not unsafe.
            self._notice(
                f"Saved “{routine.title}”, but {twin} has the same title, so the two look "
                "alike in the session window's routine list. Rename this one (F2) to tell "
                "them apart."
            )
        else:
            self._notice(
                f"Saved “{routine.title}”. It is now in the session window's routine list."
            )
        self.routines_changed.emit(routine.id)
        return True

    def import_file(self, path: Path) -> bool:
        """Import a shared routine file; refused with the reason when it is broken or unsafe."""
        try:
            routine = import_routine(Path(path), lambda r: check_routine(r, self._library))
        except RoutineStoreError as exc:
            self._show_error("The routine cannot be imported", str(exc))
            return False
        if not self.maybe_save():
            return False
        taken = self._store.taken_ids() | set(self._library.routines)
        if routine.id in taken:
            # Never overwrite: an imported copy of a routine you have gets its own id.
            routine = routine.model_copy(update={"id": unique_id(routine.title, taken)})
        try:
            self._store.save(routine)
        except RoutineStoreError as exc:
            self._show_error("The routine cannot be imported", str(exc))
            return False
        self._set_document(routine, saved=True)
        self._notice(f"Imported “{routine.title}” from {Path(path).name}.")
        self.routines_changed.emit(routine.id)
        return True

    def export_file(self, path: Path) -> bool:
        """Write the open routine to ``path`` for sharing (not while it has safety errors)."""
        routine = self._routine
        if routine is None:
            return False
        if self.has_errors():
            self._show_error(
                "The routine cannot be exported",
                "It breaks safety rules; fix the marked steps first.",
            )
            return False
        try:
            export_routine(routine, Path(path))
        except RoutineStoreError as exc:
            self._show_error("The routine cannot be exported", str(exc))
            return False
        self._notice(f"Exported “{routine.title}” to {Path(path).name}.")
        return True

    def _import_with_dialog(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Import a routine file", self._last_folder(), "Routine files (*.json)"
        )
        if path:
            self._remember_folder(Path(path))
            self.import_file(Path(path))

    def _export_with_dialog(self) -> None:
        if self._routine is None:
            return
        start = str(Path(self._last_folder()) / f"{self._routine.id}.json")
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export the routine", start, "Routine files (*.json)"
        )
        if not path:
            return
        # A name typed without ".json" gets it here; the dialog only asked about the
        # name as typed, so this asks before replacing a file of the completed name.
        target = save_path_with_suffix(self, "Export the routine", path, ".json")
        if target is not None:
            self._remember_folder(target)
            self.export_file(target)

    def _last_folder(self) -> str:
        value = self._settings.value(_KEY_FOLDER)
        return str(value) if isinstance(value, str) and value else str(Path.home())

    def _remember_folder(self, path: Path) -> None:
        self._settings.setValue(_KEY_FOLDER, str(path.parent))

    # -- drafts -----------------------------------------------------------------------

    def autosave_now(self) -> None:
        """Write the draft now (the editor also does this shortly after each edit)."""
        self._autosave_timer.stop()
        routine = self._routine
        if routine is None or self._read_only:
            return
        if not self.is_dirty():
            self._store.discard_draft(routine.id)
            return
        try:
            self._store.save_draft(routine)
        except RoutineStoreError as exc:
            self.statusBar().showMessage(f"The draft could not be written: {exc}", 15000)

    def recover_drafts(self) -> bool:
        """Offer back work left as drafts (after a crash). True if one was restored."""
        for draft in self._store.pending_drafts():
            when = draft.saved_at.astimezone().strftime("%d %b %Y, %H:%M")
            base = "changes to" if draft.has_saved_version else "the new routine"
            answer = QMessageBox.question(
                self,
                "Restore unsaved work?",
                as_rich_text(
                    f"There are unsaved {base} “{draft.routine.title}” from {when}. "
                    "Restore them? (No throws the draft away.)"
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.Yes,
            )
            if answer != QMessageBox.StandardButton.Yes:
                self._store.discard_draft(draft.routine.id)
                continue
            if not self.maybe_save():
                return False
            if draft.has_saved_version:
                try:
                    saved = self._store.load(draft.routine.id)
                except RoutineStoreError:
                    self._set_document(draft.routine, saved=False)
                else:
                    self._set_document(saved, saved=True)
                    self._push("Restore draft", draft.routine, 0)
            else:
                self._set_document(draft.routine, saved=False)
            self._notice(f"Restored your unsaved work on “{draft.routine.title}”.")
            return True
        return False

    def maybe_save(self) -> bool:
        """Ask about unsaved changes: save, discard or cancel. False means cancel."""
        if not self.is_dirty() or self._routine is None:
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            as_rich_text(f"“{self._routine.title}” has changes that are not saved. Save them?"),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            if self.save():
                return True
            # Safety errors: the work is in a draft and offered back next time.
            return self.has_errors()
        if answer == QMessageBox.StandardButton.Discard:
            self._autosave_timer.stop()
            self._store.discard_draft(self._routine.id)
            self._revert_to_saved()
            return True
        return False

    def _revert_to_saved(self) -> None:
        """Show the routine as it is saved, after its changes were thrown away, so that an
        editor opened again does not show them as if they were saved."""
        if self._never_saved:
            self._set_document(None, saved=True)
            self._open_first()
        elif self.undo_stack.cleanIndex() >= 0:
            self.undo_stack.setIndex(self.undo_stack.cleanIndex())  # Redo brings them back
        else:
            self.undo_stack.setClean()
            assert self._routine is not None
            try:
                saved = self._store.load(self._routine.id)
            except RoutineStoreError:
                return
            self._set_document(saved, saved=True)

    # -- step commands ----------------------------------------------------------------

    def select_step(self, index: int) -> None:
        """Show the step at ``index`` in the form."""
        if self._routine is None or not 0 <= index < len(self._routine.steps):
            return
        if index != self._step_index:
            # A refusal is about the step it was made on.
            self.zone_message.setText("")
            self.form_message.setText("")
        self._step_index = index
        self._refresh_step_selection()
        self._refresh_form()

    def add_step(self) -> bool:
        """Add a step after the selected one: a copy of it, ready to change."""
        routine = self._routine
        if routine is None or self._refuse_read_only():
            return False
        if len(routine.steps) >= MAX_STEPS:
            self._notice(f"A routine has at most {MAX_STEPS} steps.")
            return False
        index = self._step_index if self._step_index >= 0 else len(routine.steps) - 1
        template = routine.steps[index] if 0 <= index < len(routine.steps) else None
        new_step = (
            template.model_copy(update={"repetitions": None, "cycles": None})
            if template is not None
            else self._new_step(opening=True)
        )
        steps = list(routine.steps)
        steps.insert(index + 1, new_step)
        return self._push("Add step", routine.model_copy(update={"steps": tuple(steps)}), index + 1)

    def remove_step(self) -> bool:
        routine = self._routine
        if routine is None or self._refuse_read_only() or self._step_index < 0:
            return False
        if len(routine.steps) <= 1:
            self._notice("A routine needs at least one step.")
            return False
        steps = list(routine.steps)
        del steps[self._step_index]
        after = routine.model_copy(update={"steps": tuple(steps)})
        return self._push("Remove step", after, min(self._step_index, len(steps) - 1))

    def move_step(self, delta: int) -> bool:
        """Move the selected step up (-1) or down (+1)."""
        return self.move_step_to(self._step_index, self._step_index + delta)

    def move_step_to(self, source: int, target: int) -> bool:
        """Move the step at ``source`` so that it ends up at index ``target``."""
        routine = self._routine
        if routine is None or self._refuse_read_only():
            return False
        count = len(routine.steps)
        if not (0 <= source < count and 0 <= target < count) or source == target:
            return False
        steps = list(routine.steps)
        steps.insert(target, steps.pop(source))
        after = routine.model_copy(update={"steps": tuple(steps)})
        return self._push(f"Move step {source + 1}", after, target)

    def choose_zone(self, zone_id: str, on: bool = True) -> bool:
        """Add (``on``) or remove a target zone of the selected step.

        A no-go zone is refused and the editor says why; so is removing the last zone.
        """
        routine = self._routine
        zone = self._library.zones.get(zone_id)
        if routine is None or zone is None or self._step_index < 0:
            return False
        if self._refuse_read_only():
            self._refresh_zone_checks()
            return False
        step = routine.steps[self._step_index]
        if on and zone.tier is SafetyTier.NO_GO:
            self._set_zone_message(
                f"{zone.name} cannot be chosen: it is a no-go zone. {zone.reason}"
            )
            self._refresh_zone_checks()
            return False
        if on == (zone_id in step.zones):
            return True
        if not on and len(step.zones) <= 1:
            self._set_zone_message("A step needs at least one zone: choose another one first.")
            self._refresh_zone_checks()
            return False
        zones = (*step.zones, zone_id) if on else tuple(z for z in step.zones if z != zone_id)
        self._set_zone_message("")
        verb = "Add" if on else "Remove"
        return self._edit_step(f"{verb} zone {short_zone_name(zone)}", None, zones=zones)

    def toggle_zone(self, zone_id: str) -> bool:
        """Add the zone if the step does not work on it, else remove it (a diagram click)."""
        if self._routine is None or self._step_index < 0:
            return False
        step = self._routine.steps[self._step_index]
        return self.choose_zone(zone_id, zone_id not in step.zones)

    # -- editing machinery ------------------------------------------------------------

    def _validated(self, model: _ModelT, changes: dict[str, Any]) -> _ModelT | None:
        """``model`` with ``changes`` applied and validated; None, with the reason shown
        under the form, when the changes are not valid."""
        data = model.model_dump()
        data.update(changes)
        try:
            changed = type(model).model_validate(data)
        except ValidationError as exc:
            self._set_form_message(_first_error(exc))
            return None
        self._set_form_message("")
        return changed

    def _edit_step(self, text: str, merge_key: str | None, **changes: Any) -> bool:
        routine = self._routine
        index = self._step_index
        if routine is None or self._read_only or not 0 <= index < len(routine.steps):
            return False
        step = routine.steps[index]
        new_step = self._validated(step, changes)
        if new_step is None or new_step == step:
            return False
        steps = list(routine.steps)
        steps[index] = new_step
        key = f"step{index}:{merge_key}" if merge_key is not None else None
        return self._push(text, routine.model_copy(update={"steps": tuple(steps)}), index, key)

    def _edit_routine(self, text: str, merge_key: str | None, **changes: Any) -> bool:
        routine = self._routine
        if routine is None or self._read_only:
            return False
        after = self._validated(routine, changes)
        if after is None or after == routine:
            return False
        return self._push(text, after, self._step_index, merge_key)

    def _push(
        self, text: str, after: Routine, step_after: int, merge_key: str | None = None
    ) -> bool:
        before = self._routine
        if before is None or after == before:
            return False
        self.undo_stack.push(
            RoutineEditCommand(
                self, text, before, after, max(self._step_index, 0), step_after, merge_key
            )
        )
        return True

    def _apply(self, routine: Routine, step_index: int) -> None:
        """Show ``routine`` (called by the undo commands only)."""
        old = self._routine
        self._routine = routine
        self._step_index = min(max(step_index, 0), len(routine.steps) - 1)
        if old is None or old.title != routine.title:
            self._refresh_routine_list()
        self._refresh_all()
        if self.is_dirty():
            self._autosave_timer.start()

    # -- refreshing -------------------------------------------------------------------

    def _refresh_all(self) -> None:
        self._problems = (
            check_routine(self._routine, self._library) if self._routine is not None else []
        )
        self._refreshing = True
        try:
            self._refresh_header()
            self._refresh_steps()
            self._refresh_problems()
            self._refresh_form()
            self._refresh_enabled()
        finally:
            self._refreshing = False
        self._refresh_title()
        self._sync_zone_source()

    def _refresh_title(self) -> None:
        routine = self._routine
        if routine is None:
            self.setWindowTitle(f"{EDITOR_TITLE}[*]")
        else:
            note = " (built in, read-only)" if self._read_only else ""
            # "[*]" is Qt's placeholder for the modified marker; keep a title's own apart.
            title = routine.title.replace("[*]", "[ *]")
            self.setWindowTitle(f"{title}{note}[*] — {EDITOR_TITLE}")
        self.setWindowModified(self.is_dirty())

    def _refresh_routine_list(self) -> None:
        routines, problems = self._store.list_routines()
        current = self._routine
        self._saved_titles = {r.id: r.title for r in routines} | {
            routine_id: self._library.routines[routine_id].title
            for routine_id in self._library.builtin_ids
            if routine_id in self._library.routines
        }
        self.routine_list.blockSignals(True)
        try:
            self.routine_list.clear()
            ink = self.routine_list.palette().color(QPalette.ColorRole.Text)
            self.routine_list.addItem(_list_heading("Your routines", ink))
            own = {r.id: r for r in routines}
            if current is not None and not self._read_only:
                own[current.id] = current
            unsaved_ids = {current.id} if current is not None and self._never_saved else set()
            # Work never saved as a routine but kept as a draft is still yours.
            for draft_id in self._store.draft_ids():
                if draft_id not in own and (draft := self._readable_draft(draft_id)):
                    own[draft_id] = draft
                    unsaved_ids.add(draft_id)
            self._listed_titles = {
                _title_key(title)
                for title in [*self._saved_titles.values(), *(r.title for r in own.values())]
            }
            for routine in sorted(own.values(), key=lambda r: r.title.lower()):
                unsaved = routine.id in unsaved_ids
                text = routine.title + ("  (not saved)" if unsaved else "")
                self.routine_list.addItem(_routine_item(text, routine.id))
            if not own:
                empty = QListWidgetItem("  none yet: New or Duplicate")
                empty.setFlags(Qt.ItemFlag.NoItemFlags)
                self.routine_list.addItem(empty)
            self.routine_list.addItem(_list_heading("Built in (read-only)", ink))
            for routine_id in self._library.routines:
                if routine_id in self._library.builtin_ids:
                    routine = self._library.routines[routine_id]
                    self.routine_list.addItem(_routine_item(routine.title, routine_id))
        finally:
            self.routine_list.blockSignals(False)
        self._select_current_in_list()
        if problems:
            self.statusBar().showMessage(
                "Not listed: " + "; ".join(p.message for p in problems[:2]), 20000
            )

    def _refresh_header(self) -> None:
        routine = self._routine
        self.read_only_banner.setVisible(self._read_only)
        twin = self._title_twin(routine) if routine is not None and not self._read_only else ""
        self.title_message.setText(
            f"{twin[:1].upper()}{twin[1:]} has this title too: give this one its own, "
            "so you can tell them apart when you pick a routine."
            if twin
            else ""
        )
        self.title_message.setVisible(bool(twin))
        if routine is None:
            self.title_edit.setText("")
            self.summary_edit.setPlainText("")
            return
        if self.title_edit.text().strip() != routine.title:
            self.title_edit.setText(routine.title)
        self.audience_combo.setCurrentIndex(self.audience_combo.findData(routine.audience.value))
        if self.summary_edit.toPlainText().strip() != routine.summary:
            self.summary_edit.setPlainText(routine.summary)

    def _refresh_steps(self) -> None:
        routine = self._routine
        self.step_list.blockSignals(True)
        try:
            steps = routine.steps if routine is not None else ()
            while self.step_list.count() > len(steps):
                self.step_list.takeItem(self.step_list.count() - 1)
            while self.step_list.count() < len(steps):
                self.step_list.addItem(QListWidgetItem())
            style = self.style()
            for index, step in enumerate(steps):
                item = self.step_list.item(index)
                number = index + 1
                mine = [p for p in self._problems if p.step == number]
                errors = [p for p in mine if p.severity is Severity.ERROR]
                text = self._step_text(index, step)
                if errors:
                    text += f"\n✖ {len(errors)} safety error{'s' if len(errors) != 1 else ''}"
                    icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
                    item.setForeground(ERROR_INK)
                elif mine:
                    text += f"\n⚠ {len(mine)} warning{'s' if len(mine) != 1 else ''}"
                    icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
                    item.setForeground(WARNING_INK)
                else:
                    icon = QIcon()
                    item.setData(Qt.ItemDataRole.ForegroundRole, None)
                item.setText(text)
                item.setIcon(icon)
                tip = "\n".join(problem_text(p) for p in mine) or step.instruction
                item.setToolTip(as_rich_text(tip))
        finally:
            self.step_list.blockSignals(False)
        self._refresh_step_selection()

    def _step_text(self, index: int, step: Step) -> str:
        technique = self._library.techniques.get(step.technique)
        name = technique.name if technique is not None else step.technique
        zones = [self._library.zones[z] for z in step.zones if z in self._library.zones]
        where = describe_zones(zones) or ", ".join(step.zones)
        return (
            f"{index + 1}. {name}: {where}\n"
            f"{format_clock(step.duration_s)} · {step.pressure.label.lower()}"
        )

    def _refresh_step_selection(self) -> None:
        self.step_list.blockSignals(True)
        try:
            self.step_list.setCurrentRow(self._step_index)
        finally:
            self.step_list.blockSignals(False)

    def _refresh_problems(self) -> None:
        routine = self._routine
        self.problem_list.clear()
        if routine is None:
            self.summary_label.setText("")
            self.problem_list.hide()
            return
        errors = [p for p in self._problems if p.severity is Severity.ERROR]
        warnings = [p for p in self._problems if p.severity is Severity.WARNING]
        if errors:
            summary = (
                f"Cannot be used yet: {_count(errors, 'safety error')}"
                + (f" and {_count(warnings, 'warning')}" if warnings else "")
                + ". Save keeps it as a draft until the errors are fixed."
            )
            ink = ERROR_INK
        elif warnings:
            summary = f"Safe to use, with {_count(warnings, 'warning')} worth a look."
            ink = WARNING_INK
        else:
            summary = "Safe to use: every step keeps the zone and pressure rules."
            ink = QColor("#1f6b3a")
        self.summary_label.setText(summary)
        self.problem_list.setVisible(bool(self._problems))
        palette = self.summary_label.palette()
        palette.setColor(self.summary_label.foregroundRole(), ink)
        self.summary_label.setPalette(palette)
        style = self.style()
        for problem in errors + warnings:
            where = f"Step {problem.step}: " if problem.step is not None else "Routine: "
            item = QListWidgetItem(where + problem_text(problem))
            item.setData(_ID_ROLE, problem.step or 0)
            item.setIcon(
                style.standardIcon(
                    QStyle.StandardPixmap.SP_MessageBoxCritical
                    if problem.severity is Severity.ERROR
                    else QStyle.StandardPixmap.SP_MessageBoxWarning
                )
            )
            self.problem_list.addItem(item)

    def _refresh_form(self) -> None:
        routine = self._routine
        index = self._step_index
        was_refreshing = self._refreshing
        self._refreshing = True
        try:
            if routine is None or not 0 <= index < len(routine.steps):
                self.step_heading.setText("No step")
                self.step_problem_list.clear()
                return
            step = routine.steps[index]
            self.step_heading.setText(f"Step {index + 1} of {len(routine.steps)}")
            combo_index = self.technique_combo.findData(step.technique)
            self.technique_combo.setCurrentIndex(combo_index)
            _set_spin(self.duration_spin, step.duration_s)
            self.duration_hint.setText(step_duration_text(step.duration_s))
            _set_spin(self.repetitions_spin, step.repetitions or 0)
            _set_spin(self.cycles_spin, step.cycles or 0)
            self.pressure_combo.setCurrentIndex(self.pressure_combo.findData(step.pressure.value))
            self.direction_combo.setCurrentIndex(
                self.direction_combo.findData(step.direction.value)
            )
            if self.instruction_edit.toPlainText().strip() != step.instruction:
                self.instruction_edit.setPlainText(step.instruction)
            if _lines(self.cautions_edit.toPlainText()) != step.cautions:
                self.cautions_edit.setPlainText("\n".join(step.cautions))
            self._refresh_zone_checks()
            self.step_problem_list.clear()
            style = self.style()
            for problem in self._problems:
                if problem.step != index + 1:
                    continue
                item = QListWidgetItem(problem_text(problem))
                item.setIcon(
                    style.standardIcon(
                        QStyle.StandardPixmap.SP_MessageBoxCritical
                        if problem.severity is Severity.ERROR
                        else QStyle.StandardPixmap.SP_MessageBoxWarning
                    )
                )
                item.setForeground(ERROR_INK if problem.severity is Severity.ERROR else WARNING_INK)
                self.step_problem_list.addItem(item)
            if self.step_problem_list.count() == 0:
                self.step_problem_list.addItem("No problems in this step.")
        finally:
            self._refreshing = was_refreshing

    def _refresh_zone_checks(self) -> None:
        routine = self._routine
        chosen: set[str] = set()
        if routine is not None and 0 <= self._step_index < len(routine.steps):
            chosen = set(routine.steps[self._step_index].zones)
        self.zone_list.blockSignals(True)
        try:
            for row in range(self.zone_list.count()):
                item = self.zone_list.item(row)
                state = Qt.CheckState.Checked if item.data(_ID_ROLE) in chosen else None
                item.setCheckState(state or Qt.CheckState.Unchecked)
        finally:
            self.zone_list.blockSignals(False)

    def _refresh_enabled(self) -> None:
        has = self._routine is not None
        editable = has and not self._read_only
        for widget in (
            self.title_edit,
            self.audience_combo,
            self.summary_edit,
            self.technique_combo,
            self.duration_spin,
            self.repetitions_spin,
            self.cycles_spin,
            self.pressure_combo,
            self.direction_combo,
        ):
            widget.setEnabled(editable)
        for text_edit in (self.summary_edit, self.instruction_edit, self.cautions_edit):
            text_edit.setReadOnly(not editable)
            text_edit.setEnabled(has)
        self.step_list.setDragEnabled(editable)
        self.zone_list.setEnabled(has)
        for control in (
            self.rename_button,
            self.delete_button,
            self.add_step_button,
            self.remove_step_button,
            self.up_button,
            self.down_button,
            self.save_action,
            self.rename_action,
            self.delete_action,
            self.add_step_action,
            self.remove_step_action,
            self.move_up_action,
            self.move_down_action,
        ):
            control.setEnabled(editable)
        for control in (self.duplicate_button, self.duplicate_action, self.export_action):
            control.setEnabled(has)

    # -- messages ---------------------------------------------------------------------

    def _refuse_read_only(self) -> bool:
        if not self._read_only:
            return False
        self._notice(
            "Built-in routines are read-only: duplicate this one to make your own version."
        )
        return True

    def _notice(self, text: str) -> None:
        self._last_message = text
        self.statusBar().showMessage(text, 15000)

    def _show_error(self, title: str, text: str) -> None:
        self._last_message = text
        self.statusBar().showMessage(text, 30000)
        QMessageBox.warning(self, title, as_rich_text(text))

    def _set_zone_message(self, text: str) -> None:
        self.zone_message.setText(text)
        if text:
            self._notice(text)

    def _set_form_message(self, text: str) -> None:
        self.form_message.setText(text)
        if text:  # also where it is seen when the field is not next to the form
            self._notice(text)

    # -- helpers ----------------------------------------------------------------------

    def _new_step(self, *, opening: bool) -> Step:
        technique = "open-palm-stroking"
        if technique not in self._library.techniques:
            technique = next(iter(self._library.techniques))
        wanted = ("upper-back", "paraspinal-left", "paraspinal-right", "lower-back")
        zones = (
            tuple(z for z in wanted if z in self._library.zones)
            or tuple(z.id for z in self._library.zones.values() if z.tier is SafetyTier.SAFE)[:1]
        )
        instruction = (
            "Warm up the whole back with slow, light strokes from the hips to the shoulders."
            if opening
            else "Finish with slow, light strokes, a little lighter each time."
        )
        return Step(
            technique=technique,
            zones=zones,
            duration_s=120,
            pressure=Pressure.LIGHT,
            direction=Direction.UP,
            instruction=instruction,
        )

    def _title_twin(self, routine: Routine) -> str:
        """Which other saved or built-in routine has ``routine``'s title ("" if none),
        as words: "the built-in routine “…”" or "your routine “…”"."""
        key = _title_key(routine.title)
        for routine_id, title in self._saved_titles.items():
            if routine_id != routine.id and _title_key(title) == key:
                whose = "the built-in" if routine_id in self._library.builtin_ids else "your"
                return f"{whose} routine “{title}”"
        return ""

    def _free_title(self, first: str, numbered: Callable[[int], str]) -> str:
        """``first``, or ``numbered(2)``, ``numbered(3)``, … : the first title no routine in
        the list has, so a new routine never starts with the same title as another."""
        title, number = first, 2
        while _title_key(title) in self._listed_titles:
            title, number = numbered(number), number + 1
        return title

    def _known_ids(self, wanted: Sequence[str], kind: str) -> tuple[str, ...]:
        items = (
            self._library.safety.preparation
            if kind == "preparation"
            else self._library.safety.aftercare
        )
        known = {item.id for item in items}
        return tuple(item_id for item_id in wanted if item_id in known)

    # -- slots ------------------------------------------------------------------------

    def _on_undo_stack_clean_changed(self, _clean: bool) -> None:
        if self._switching:
            return
        self._refresh_title()
        if self.is_dirty():
            self._autosave_timer.start()
        elif self._routine is not None and not self._read_only:
            self._autosave_timer.stop()
            self._store.discard_draft(self._routine.id)

    def _on_routine_list_current_item_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if current is None:
            return
        routine_id = current.data(_ID_ROLE)
        if not routine_id:
            self._select_current_in_list()
            return
        if not self.open_routine(str(routine_id)):
            self._select_current_in_list()

    def _on_title_edit_text_edited(self, text: str) -> None:
        if self._refreshing:
            return
        if not text.strip():
            self._set_form_message("A routine needs a title.")
            return
        self._edit_routine("Change title", "title", title=text)

    def _on_title_edit_editing_finished(self) -> None:
        # An empty title is never taken: show again the title the routine keeps.
        if self._routine is not None and not self.title_edit.text().strip():
            self.title_edit.setText(self._routine.title)

    def _on_audience_combo_activated(self, index: int) -> None:
        if not self._refreshing:
            self._edit_routine(
                "Change audience", None, audience=Audience(self.audience_combo.itemData(index))
            )

    def _on_summary_edit_text_changed(self) -> None:
        if self._refreshing or self._read_only:
            return
        text = self.summary_edit.toPlainText()
        if not text.strip():
            self._set_form_message("A routine needs a summary.")
            return
        self._edit_routine("Change summary", "summary", summary=text)

    def _on_step_list_current_row_changed(self, row: int) -> None:
        if row >= 0:
            self.select_step(row)

    def _on_step_list_step_dropped(self, source: int, target: int) -> None:
        self.move_step_to(source, target)

    def _on_problem_list_item_activated(self, item: QListWidgetItem) -> None:
        step = int(item.data(_ID_ROLE) or 0)
        if step > 0:
            self.select_step(step - 1)

    def _on_technique_combo_activated(self, index: int) -> None:
        if not self._refreshing:
            technique = str(self.technique_combo.itemData(index))
            name = self._library.techniques[technique].name
            self._edit_step(f"Technique: {name}", None, technique=technique)

    def _on_zone_source_zone_selected(self, zone_id: str) -> None:
        if not zone_id:
            return
        # Clear the selection first, so a second click on the same zone is seen too.
        self.zone_source.select_zone("")
        self.toggle_zone(zone_id)

    def _on_zone_list_item_changed(self, item: QListWidgetItem) -> None:
        if self._refreshing:
            return
        self.choose_zone(str(item.data(_ID_ROLE)), item.checkState() == Qt.CheckState.Checked)

    def _on_duration_spin_value_changed(self, value: int) -> None:
        self.duration_hint.setText(step_duration_text(value))
        if not self._refreshing:
            self._edit_step("Change time", "duration", duration_s=value)

    def _on_repetitions_spin_value_changed(self, value: int) -> None:
        if not self._refreshing:
            self._edit_step("Change repetitions", "repetitions", repetitions=value or None)

    def _on_cycles_spin_value_changed(self, value: int) -> None:
        if not self._refreshing:
            self._edit_step("Change passes", "cycles", cycles=value or None)

    def _on_pressure_combo_activated(self, index: int) -> None:
        if not self._refreshing:
            pressure = Pressure(self.pressure_combo.itemData(index))
            self._edit_step(f"Pressure: {pressure.label.lower()}", None, pressure=pressure)

    def _on_direction_combo_activated(self, index: int) -> None:
        if not self._refreshing:
            direction = Direction(self.direction_combo.itemData(index))
            self._edit_step("Change direction", None, direction=direction)

    def _on_instruction_edit_text_changed(self) -> None:
        if self._refreshing or self._read_only:
            return
        text = self.instruction_edit.toPlainText()
        if not text.strip():
            self._set_form_message("Each step needs an instruction.")
            return
        self._edit_step("Change instruction", "instruction", instruction=text)

    def _on_cautions_edit_text_changed(self) -> None:
        if self._refreshing or self._read_only:
            return
        self._edit_step(
            "Change cautions", "cautions", cautions=_lines(self.cautions_edit.toPlainText())
        )

    # -- events -----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            # After the window is up, so the question has a parent on screen.
            QTimer.singleShot(0, self.recover_drafts)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.maybe_save():
            event.ignore()
            return
        self._settings.setValue(_KEY_GEOMETRY, self.saveGeometry())
        self._autosave_timer.stop()
        super().closeEvent(event)


# -- small widget helpers -------------------------------------------------------------


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)  # a narrow column wraps it rather than growing for it
    return label


def _narrow_combo(combo: QComboBox, characters: int = 16) -> None:
    """Let a combo box with long entries be narrower than its longest one: the shown
    text is cut with "…", the open list shows every entry whole."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)


def _list_heading(text: str, ink: QColor) -> QListWidgetItem:
    item = QListWidgetItem(text)
    # Not enabled, so the arrow keys pass over it to the routines; inked as text, not
    # greyed out, because it is a heading rather than something unavailable.
    item.setFlags(Qt.ItemFlag.NoItemFlags)
    item.setForeground(ink)
    font = QFont(item.font())
    font.setBold(True)
    item.setFont(font)
    return item


def _routine_item(text: str, routine_id: str) -> QListWidgetItem:
    item = QListWidgetItem("  " + text)
    item.setData(_ID_ROLE, routine_id)
    return item


def _plain_text_edit(name: str, lines: int) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setAccessibleName(name)
    edit.setTabChangesFocus(True)
    edit.setUndoRedoEnabled(False)  # every edit goes on the editor's own undo stack
    height = edit.fontMetrics().lineSpacing() * lines + 12
    edit.setMinimumHeight(height)
    edit.setMaximumHeight(height * 2)
    return edit


def _count_spin(name: str, maximum: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setAccessibleName(name)
    spin.setRange(0, maximum)
    spin.setSpecialValueText("not counted")
    return spin


def _set_spin(spin: QSpinBox, value: int) -> None:
    if spin.value() != value:
        spin.blockSignals(True)
        spin.setValue(value)
        spin.blockSignals(False)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _title_key(title: str) -> str:
    """A title as a reader tells titles apart: case and runs of spaces do not count."""
    return " ".join(title.split()).casefold()


def _with_suffix(title: str, suffix: str) -> str:
    """``title`` + ``suffix``, shortening the title so the whole fits in 200 characters."""
    return title[: 200 - len(suffix)].rstrip() + suffix


def _count(items: Sequence[object], noun: str) -> str:
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"


_FIELD_NAMES = {
    "title": "the title",
    "summary": "the summary",
    "instruction": "the instruction",
    "duration_s": "the time",
    "repetitions": "the repetitions",
    "cycles": "the passes",
    "zones": "the zones",
}


def _first_error(error: ValidationError) -> str:
    """The first reason an edit was refused, in plain words ("caution 2", not "cautions.1")."""
    first = error.errors()[0]
    loc = first["loc"]
    if len(loc) == 2 and loc[0] == "cautions" and isinstance(loc[1], int):
        what = f"caution {loc[1] + 1}"
    else:
        name = ".".join(str(part) for part in loc) or "value"
        what = _FIELD_NAMES.get(name, name.replace("_", " "))
    # The same words as a refused file uses: one wording for every refusal.
    return f"Not changed: {what} {describe_error(first, error.title)}."


def _preview_library(library: ContentLibrary, routine: Routine | None) -> ContentLibrary:
    """The library with only ``routine`` in it, for the diagram's private controller."""
    routines = {routine.id: routine} if routine is not None else {}
    return dataclasses.replace(
        library,
        routines=MappingProxyType(routines),
        builtin_ids=frozenset(),
        problems=(),
        warnings=MappingProxyType({}),
    )


def _import_diagram_module() -> Any:
    try:
        return importlib.import_module("massage_trainer.ui.diagram")
    except ImportError:
        return None


__all__ = [
    "AUTOSAVE_MS",
    "RoutineEditCommand",
    "RoutineEditorWindow",
    "StepListWidget",
    "as_rich_text",
    "problem_text",
]
