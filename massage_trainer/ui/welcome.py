"""Getting started: a short guide to the app, shown at the first start and from Help.

Plain words for someone who has never given a massage: what the window shows, how a
session starts safely, and where the other tools are. The text is ours and shown as
rich text built here (every piece escaped), so nothing in it can load or run anything.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from massage_trainer.ui.widgets import resize_to_fit

GUIDE: tuple[tuple[str, str], ...] = (
    (
        "Choose what to practise",
        "The list on the right is the routine: each technique, where on the back, for "
        "how long and how firmly. Choose routine (Ctrl+O) picks another. New to massage? "
        "Begin with “First 20 minutes: a beginner's back massage”.",
    ),
    (
        "Know the map",
        "The back diagram shows where your hands may go. Green areas are safe, orange "
        "ones take light pressure only, and red ones are never pressed: the spine, the "
        "kidney areas, the floating ribs and the armpits. The blue outline marks the "
        "current step's areas; click any area to read about it.",
    ),
    (
        "Start safely",
        "Press Space. The app first asks who is on the table: a partner, who answers a "
        "few health questions before a short preparation checklist, or no one, for a "
        "dry run. A “yes” to any health question means no massage today.",
    ),
    (
        "Let the timer lead",
        "Each step counts down; a chime sounds five seconds before its end and the next "
        "step begins by itself (A switches that off). Space pauses, the arrow keys move "
        "between steps, + and − change the time. If your partner feels pain, press P.",
    ),
    (
        "Practise on your own",
        "Practice → Practice mode lets you trace each stroke on the diagram with the "
        "mouse, a finger or a pen, and scores it. Practice → Zone quiz asks where you "
        "may press and how hard.",
    ),
    (
        "Look things up",
        "View → Library (Ctrl+L) explains every technique and area of the back. "
        "File → Export handout saves the routine as a PDF to print.",
    ),
    (
        "Teaching a class",
        "Instructor → Presenter mode (F5) shows the session full screen for a projector "
        "and follows a presentation clicker. The routine editor (Ctrl+E) makes routines "
        "of your own.",
    ),
)
"""The guide: a heading and a paragraph per part."""

OPENING = "Welcome. Seven things to know before your first session:"
CLOSING = "F1 lists every key. This guide stays in Help → Getting started."


def guide_html() -> str:
    """The guide as rich text: numbered parts, each heading in bold."""
    items = "".join(
        f"<li style='margin-bottom: 8px'><b>{html.escape(title)}.</b> {html.escape(text)}</li>"
        for title, text in GUIDE
    )
    return (
        f"<p><b>{html.escape(OPENING)}</b></p><ol style='margin-left: 0'>{items}</ol>"
        f"<p><i>{html.escape(CLOSING)}</i></p>"
    )


class GettingStartedDialog(QDialog):
    """The guide in a window of its own: it stays open beside the session if wanted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Getting started")
        self.setAccessibleName("Getting started")
        self.text = QTextBrowser()
        self.text.setAccessibleName("Getting started guide")
        self.text.setOpenLinks(False)
        self.text.setHtml(guide_html())
        font = self.text.font()
        font.setPointSizeF(max(font.pointSizeF(), 10.0) * 1.2)
        self.text.setFont(font)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        if close is not None:
            close.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        resize_to_fit(self, 660, 720)

    def guide_text(self) -> str:
        """The guide as plain text, for tests and for reading aloud."""
        return self.text.toPlainText()


__all__ = ["CLOSING", "GUIDE", "OPENING", "GettingStartedDialog", "guide_html"]
