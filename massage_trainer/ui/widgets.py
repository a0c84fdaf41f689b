"""Small Qt building blocks that more than one window uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QMessageBox, QTreeWidget, QTreeWidgetItem, QWidget


def window_action(
    window: QWidget,
    text: str,
    slot: Callable[..., object] | None,
    keys: Sequence[QKeySequence | QKeySequence.StandardKey | Qt.Key | str] = (),
    *,
    tip: str = "",
    checkable: bool = False,
) -> QAction:
    """A QAction added to ``window``, with shortcuts that work wherever the focus is inside it.

    A checkable action passes its new state to ``slot``; any other action calls ``slot()``.
    """
    action = QAction(text, window)
    if keys:
        action.setShortcuts([QKeySequence(key) for key in keys])
        # The window owns the shortcut, so it works whichever child has the focus.
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    action.setCheckable(checkable)
    if slot is not None:
        if checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda _checked=False: slot())
    window.addAction(action)
    return action


def is_plain_key(event: QKeyEvent, *, shift: bool = True) -> bool:
    """A key pressed on its own (or from the keypad, or with Shift unless ``shift`` is
    False): what a one-key command answers to, never Ctrl+ or Alt+ combinations."""
    allowed = Qt.KeyboardModifier.KeypadModifier
    if shift:
        allowed |= Qt.KeyboardModifier.ShiftModifier
    return not event.modifiers() & ~allowed


def add_group_heading(tree: QTreeWidget, *texts: str) -> QTreeWidgetItem:
    """Add a bold top-level row to ``tree`` that names a group; it cannot be selected."""
    heading = QTreeWidgetItem(list(texts))
    heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
    font = heading.font(0)
    font.setBold(True)
    heading.setFont(0, font)
    tree.addTopLevelItem(heading)
    return heading


def resize_to_fit(window: QWidget, width: int, height: int) -> None:
    """Resize ``window`` to ``width`` x ``height``, or less where its screen has less room
    (a 1024 x 768 laptop or projector): buttons must never end up off the edge."""
    screen = window.screen()
    if screen is not None:
        room = screen.availableGeometry()
        width = min(width, room.width())
        height = min(height, room.height())
    window.resize(width, height)


def save_path_with_suffix(
    parent: QWidget | None, title: str, chosen: str, suffix: str
) -> Path | None:
    """The file a save dialog's answer ``chosen`` names, ending in ``suffix`` (".pdf").

    A name typed without the suffix gets it here, after the dialog asked about replacing
    the name as typed, not this one: so if the completed name exists, ask again here
    (never overwrite unasked). None when the user would rather keep that file.
    """
    path = Path(chosen)
    if path.suffix.lower() == suffix.lower():
        return path
    path = path.with_name(path.name + suffix)
    if path.exists():
        import html  # here: its entity tables (about 0.35 MiB) are needed only for this

        # Escaped: a file or folder name is the user's text, never markup.
        text = html.escape(f"{path.name} already exists in {path.parent}.")
        answer = QMessageBox.question(
            parent,
            title,
            f"<p>{text}</p><p>Replace it?</p>",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
    return path


__all__ = [
    "add_group_heading",
    "is_plain_key",
    "resize_to_fit",
    "save_path_with_suffix",
    "window_action",
]
