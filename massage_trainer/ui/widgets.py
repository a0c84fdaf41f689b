"""Small Qt building blocks that more than one window uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


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


__all__ = ["window_action"]
