"""Choose a routine: built-ins grouped by audience, then the user's own, with times.

Routine files the safety rules refused are listed too, in their own group with the
reasons, so the user learns why a routine is missing; they cannot be opened. Safety
warnings (advice that does not block) are marked beside the routine.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)

from massage_trainer.domain.content import ContentLibrary, LoadProblem
from massage_trainer.domain.models import Audience, Routine
from massage_trainer.ui.controller import minutes_text
from massage_trainer.ui.widgets import add_group_heading, resize_to_fit

USER_GROUP = "Your own routines"
REFUSED_GROUP = "Refused: cannot be started"
_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 2
"""On a refused file's row: the reasons it was refused."""


def problem_lines(message: str) -> list[str]:
    """A refusal message split into one line per broken rule."""
    # The loader joins one message per broken rule with "; ", each starting with the
    # quoted routine title; a "; " inside a message is not followed by a quote.
    return [part.strip() for part in re.split(r";\s(?=\")", message) if part.strip()]


def warning_lines(library: ContentLibrary, routine: Routine) -> list[str]:
    """The routine's safety warnings, without the routine's title in front of each."""
    prefix = f'"{routine.title}", '
    return [
        problem.message.removeprefix(prefix) for problem in library.warnings.get(routine.id, ())
    ]


class RoutinePicker(QDialog):
    """A keyboard-friendly list of the routines; Enter or double-click chooses one."""

    def __init__(
        self,
        library: ContentLibrary,
        current_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._library = library
        self.setWindowTitle("Choose a routine")
        self.setAccessibleName("Choose a routine")
        resize_to_fit(self, 720, 520)

        font = self.font()
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * 1.2)
        self.setFont(font)

        self._warning_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Routines")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Routine", "Steps", "Time"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setMinimumHeight(80)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary.setAccessibleName("About the routine")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Pick a routine, then press Enter:"))
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

        self._fill(current_id)
        self.tree.currentItemChanged.connect(self._on_tree_current_item_changed)
        self.tree.itemActivated.connect(self._on_tree_item_activated)
        self._on_tree_current_item_changed(self.tree.currentItem(), None)
        self.tree.setFocus()

    def selected_routine_id(self) -> str | None:
        """The id of the highlighted routine; None for a heading or a refused file."""
        item = self.tree.currentItem()
        if item is None:
            return None
        value = item.data(0, _ID_ROLE)
        return str(value) if value else None

    def refused_items(self) -> list[QTreeWidgetItem]:
        """The rows of the refused routine files."""
        found = []
        iterator = QTreeWidgetItemIterator(self.tree)
        while iterator.value() is not None:
            item = iterator.value()
            if item.data(0, _PROBLEM_ROLE):
                found.append(item)
            iterator += 1
        return found

    def _fill(self, current_id: str | None) -> None:
        groups: dict[str, list[Routine]] = {}
        for routine in self._library.routines.values():
            builtin = not self._library.builtin_ids or routine.id in self._library.builtin_ids
            label = routine.audience.label if builtin else USER_GROUP
            groups.setdefault(label, []).append(routine)
        order = [audience.label for audience in Audience] + [USER_GROUP]
        current_item: QTreeWidgetItem | None = None
        first_item: QTreeWidgetItem | None = None
        for label in sorted(groups, key=order.index):
            heading = add_group_heading(self.tree, label)
            for routine in groups[label]:
                item = QTreeWidgetItem(
                    heading,
                    [routine.title, str(len(routine.steps)), minutes_text(routine.total_seconds)],
                )
                item.setData(0, _ID_ROLE, routine.id)
                item.setToolTip(0, routine.summary)
                warnings = warning_lines(self._library, routine)
                if warnings:
                    item.setIcon(0, self._warning_icon)
                    item.setToolTip(
                        0,
                        routine.summary
                        + "\n\nAdvice (it does not stop the routine):\n"
                        + "\n".join(f"\u2022 {line}" for line in warnings),
                    )
                item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
                item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight)
                first_item = first_item or item
                if routine.id == current_id:
                    current_item = item
            heading.setExpanded(True)
        self._add_refused(self._library.problems)
        target = current_item or first_item
        if target is not None:
            self.tree.setCurrentItem(target)
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(target is not None)

    def _add_refused(self, problems: tuple[LoadProblem, ...]) -> None:
        if not problems:
            return
        heading = add_group_heading(self.tree, REFUSED_GROUP)
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        muted = QBrush(self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        for problem in problems:
            # Selectable, so the keyboard can reach it and the reasons can be read,
            # but it carries no routine id: Open stays disabled and Enter does nothing.
            item = QTreeWidgetItem(heading, [problem.file, "", "refused"])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            item.setData(0, _PROBLEM_ROLE, problem.message)
            item.setIcon(0, icon)
            for column in range(3):
                item.setForeground(column, muted)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight)
            item.setToolTip(0, "\n".join(problem_lines(problem.message)))
        heading.setExpanded(True)

    def _on_tree_current_item_changed(
        self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None
    ) -> None:
        routine_id = self.selected_routine_id()
        if current is not None and current.data(0, _PROBLEM_ROLE):
            self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(False)
            reasons = "\n".join(
                f"\u2022 {line}" for line in problem_lines(str(current.data(0, _PROBLEM_ROLE)))
            )
            self.summary.setText(f"{current.text(0)} was refused and cannot be started:\n{reasons}")
            return
        if routine_id is None and current is not None:
            # A group heading is not a choice: step over it in the direction of travel.
            target = self._step_over_heading(current, _previous)
            if target is not None:
                self.tree.setCurrentItem(target)
                return
        open_button = self.buttons.button(QDialogButtonBox.StandardButton.Open)
        open_button.setEnabled(routine_id is not None)
        if routine_id is None:
            self.summary.setText("")
            return
        routine = self._library.routines[routine_id]
        text = (
            f"{routine.title}: {len(routine.steps)} steps, "
            f"{minutes_text(routine.total_seconds)} in all.\n{routine.summary}"
        )
        warnings = warning_lines(self._library, routine)
        if warnings:
            text += "\n\u26a0 Advice (it does not stop the routine): " + " ".join(warnings)
        self.summary.setText(text)

    def _step_over_heading(
        self, heading: QTreeWidgetItem, previous: QTreeWidgetItem | None
    ) -> QTreeWidgetItem | None:
        order = []
        iterator = QTreeWidgetItemIterator(self.tree)
        while iterator.value() is not None:
            order.append(iterator.value())
            iterator += 1
        position = order.index(heading)
        moving_up = previous is not None and previous in order and order.index(previous) > position
        candidates = reversed(order[:position]) if moving_up else iter(order[position + 1 :])
        for item in candidates:
            if item.data(0, _ID_ROLE) or item.data(0, _PROBLEM_ROLE):
                return item
        # Nothing that way (the top of the list): take the nearest routine the other way.
        for item in order[position + 1 :]:
            if item.data(0, _ID_ROLE) or item.data(0, _PROBLEM_ROLE):
                return item
        return None

    def _on_tree_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.data(0, _ID_ROLE):
            self.accept()


def choose_routine(
    library: ContentLibrary, current_id: str | None, parent: QWidget | None = None
) -> str | None:
    """Show the picker; the chosen routine's id, or None when cancelled."""
    dialog = RoutinePicker(library, current_id, parent)
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.selected_routine_id()
        return None
    finally:
        dialog.deleteLater()
