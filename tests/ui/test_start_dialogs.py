"""The health questions' Yes and No answers: large targets, keys, a small screen; the
preparation checklist's items ticked by a click anywhere on them.

The dialogs are built on their own here; ``test_safety_flow.py`` walks them through the
main window.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QPoint, QRect, Qt

from massage_trainer.domain.content import ContentLibrary, preparation_items
from massage_trainer.domain.screening import SessionMode
from massage_trainer.ui.start_dialogs import ChecklistDialog, ModeDialog, ScreeningDialog

SMALL_SCREEN = (1024, 640)
"""A small laptop or projector: the dialogs must fit it whole."""


def rect_in(dialog: Any, widget: Any) -> QRect:
    """Where ``widget`` is in ``dialog``."""
    return QRect(widget.mapTo(dialog, QPoint(0, 0)), widget.size())


def show(qtbot: Any, dialog: Any, width: int, height: int) -> None:
    qtbot.addWidget(dialog)
    dialog.resize(width, height)
    # Active, as when it opens from the main window: the arrow keys need that.
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()


def test_each_answer_is_a_large_box_and_a_click_anywhere_in_it_answers(
    qtbot: Any, library: ContentLibrary
) -> None:
    dialog = ScreeningDialog(library.safety.contraindications)
    show(qtbot, dialog, 820, 700)
    items = dialog.questions()
    for item in items:
        for yes in (True, False):
            button = dialog.radio(item.id, yes)
            # About twice as tall as a text line, and wide: hard to miss with a mouse.
            assert button.height() >= 36, (item.id, yes, button.size())
            assert button.width() >= 80, (item.id, yes, button.size())
            assert button.height() >= 2 * button.fontMetrics().height() - 4

    # A click in a corner of the box, away from the small circle and the word, answers.
    first, second = items[0].id, items[1].id
    no = dialog.radio(first, False)
    corner = no.rect().bottomRight() - QPoint(4, 4)
    assert no.fontMetrics().horizontalAdvance("No") + 40 < corner.x()
    qtbot.mouseClick(no, Qt.MouseButton.LeftButton, pos=corner)
    assert dialog.answers() == {first: False}
    second_yes = dialog.radio(second, True)
    corner = second_yes.rect().topRight() + QPoint(-4, 4)
    qtbot.mouseClick(second_yes, Qt.MouseButton.LeftButton, pos=corner)
    assert dialog.answers() == {first: False, second: True}
    assert f"2 of {len(items)} questions answered" in dialog.status_label.text()
    # Yes and No stay side by side, beside their question.
    assert dialog.radio(first, True).geometry().right() < no.geometry().left()
    assert abs(dialog.radio(first, True).y() - no.y()) <= 1


def test_the_answers_work_from_the_keyboard(qtbot: Any, library: ContentLibrary) -> None:
    dialog = ScreeningDialog(library.safety.contraindications)
    show(qtbot, dialog, 820, 700)
    items = dialog.questions()
    first = items[0].id
    assert dialog.focusWidget() is dialog.radio(first, True)
    # Right and Left step between Yes and No; Space ticks the one with the keys.
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Right)
    assert dialog.focusWidget() is dialog.radio(first, False)
    assert dialog.answers() == {}  # moving answers nothing
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Space)
    assert dialog.answers() == {first: False}
    # Tab goes on to the next question; Down and Up still step question by question.
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.focusWidget().property("contraindication") == items[1].id
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Down)
    assert dialog.focusWidget() is dialog.radio(items[2].id, True)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Up)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Up)
    assert dialog.focusWidget() is dialog.radio(first, False)  # its answer has the keys
    # Y and N answer and move on, as before.
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Y)
    assert dialog.answers() == {first: True}
    assert dialog.focusWidget() is dialog.radio(items[1].id, True)


def test_kept_answers_are_shown_ticked_with_a_line_that_says_so(
    qtbot: Any, library: ContentLibrary
) -> None:
    contraindications = library.safety.contraindications
    fresh = ScreeningDialog(contraindications)
    show(qtbot, fresh, 820, 700)
    assert fresh.answers() == {}
    assert not fresh.kept_note.isVisible()

    order = [c.id for c in fresh.questions()]
    kept = dict.fromkeys(order[:8], False)
    dialog = ScreeningDialog(
        contraindications, kept=kept, kept_at=datetime(2024, 5, 4, 14, 32).astimezone()
    )
    show(qtbot, dialog, *SMALL_SCREEN)
    assert dialog.answers() == kept
    assert dialog.kept_note.isVisible()
    assert dialog.kept_label.text().startswith("Kept from before you cancelled at 14:32: 8")
    # The keys wait on the first question without an answer, scrolled into sight.
    ninth = dialog.radio(order[8], True)
    assert dialog.focusWidget() is ninth
    viewport = dialog.scroll_area.viewport()
    top_left = ninth.mapTo(viewport, QPoint(0, 0))
    assert viewport.rect().contains(QRect(top_left, ninth.size()))


def test_the_start_dialogs_fit_a_1024_by_640_screen(qtbot: Any, library: ContentLibrary) -> None:
    contraindications = library.safety.contraindications
    width, height = SMALL_SCREEN
    kept = {contraindications[0].id: False}
    dialog = ScreeningDialog(contraindications, kept=kept)
    hint = dialog.minimumSizeHint()
    assert hint.width() <= width
    assert hint.height() <= height
    room = dialog.screen().availableGeometry()  # Qt's offscreen screen may be narrower
    show(qtbot, dialog, min(width, room.width()), min(height, room.height()))
    inside = dialog.rect()
    shown = (dialog.kept_note, dialog.clear_button, dialog.status_label, dialog.continue_button)
    for widget in shown:
        assert widget.isVisible()
        assert inside.contains(rect_in(dialog, widget)), widget
    # Room for several questions at once, each answer at its full size.
    answer = dialog.radio(contraindications[0].id, True)
    assert dialog.scroll_area.viewport().height() >= 5 * answer.height()
    assert answer.height() >= 36

    mode = ModeDialog("First 20 minutes", kept_answers=3)
    assert mode.minimumSizeHint().width() <= width
    assert mode.minimumSizeHint().height() <= height


def test_with_kept_answers_who_is_on_the_table_asks_same_or_another_partner(
    qtbot: Any,
) -> None:
    plain = ModeDialog("First 20 minutes")
    show(qtbot, plain, 700, 400)
    assert plain.new_partner_button is None
    assert plain.partner_button.title_label.text() == "On a partner   [P]"

    mode = ModeDialog(
        "First 20 minutes", kept_answers=1, kept_at=datetime(2024, 5, 4, 9, 5).astimezone()
    )
    show(qtbot, mode, 700, 500)
    assert mode.new_partner_button is not None
    text = mode.partner_button.description_label.text()
    assert "the 1 answer given at 09:05 is kept" in text
    # The arrows walk the three choices in order, top to bottom.
    assert mode.focusWidget() is mode.partner_button
    qtbot.keyClick(mode, Qt.Key.Key_Down)
    assert mode.focusWidget() is mode.new_partner_button
    qtbot.keyClick(mode, Qt.Key.Key_Down)
    assert mode.focusWidget() is mode.dry_run_button
    qtbot.keyClick(mode, Qt.Key.Key_Down)
    assert mode.focusWidget() is mode.dry_run_button
    qtbot.keyClick(mode, Qt.Key.Key_Up)
    assert mode.focusWidget() is mode.new_partner_button
    # A chooses another partner: a session on a partner, without the kept answers.
    qtbot.keyClick(mode, Qt.Key.Key_A)
    assert mode.chosen is SessionMode.PARTNER
    assert mode.new_partner


def test_a_click_anywhere_on_a_checklist_item_ticks_it(qtbot: Any, library: ContentLibrary) -> None:
    routine = next(iter(library.routines.values()))
    dialog = ChecklistDialog(preparation_items(routine, library.safety), routine_title="R")
    show(qtbot, dialog, 780, 700)
    view = dialog.list
    row = next(
        r for r in range(view.count()) if view.item(r).flags() & Qt.ItemFlag.ItemIsUserCheckable
    )
    item = view.item(row)
    rect = view.visualItemRect(item)
    # On the words, far from the small box at the left.
    words = QPoint(rect.center().x() + rect.width() // 4, rect.center().y())
    assert item.checkState() is Qt.CheckState.Unchecked
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=words)
    assert item.checkState() is Qt.CheckState.Checked
    assert len(dialog.ticked()) == 1
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=words)
    assert item.checkState() is Qt.CheckState.Unchecked
    # A right click (a context menu, say) ticks nothing; Space still ticks.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.RightButton, pos=words)
    assert item.checkState() is Qt.CheckState.Unchecked
    view.setCurrentItem(item)
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert item.checkState() is Qt.CheckState.Checked
    # A heading is not an item to tick.
    heading = view.item(0)
    assert not heading.flags() & Qt.ItemFlag.ItemIsUserCheckable
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualItemRect(heading).center()
    )
    assert dialog.unticked_count() == len(dialog.item_ids()) - 1
