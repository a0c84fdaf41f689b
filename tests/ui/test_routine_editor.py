"""The routine editor: create, edit, reorder, undo, save, re-open; safety and hostile files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QRect, QSettings, Qt
from PySide6.QtGui import QDropEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QScrollArea,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from massage_trainer.domain.content import MAX_FILE_BYTES, ContentLibrary, load_library
from massage_trainer.domain.models import Pressure, Routine
from massage_trainer.domain.routine_store import RoutineStore
from massage_trainer.domain.safety import Severity
from massage_trainer.ui.routine_editor import RoutineEditorWindow, StepListWidget

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class MessageLog:
    """Stands in for QMessageBox: records what was shown and gives scripted answers."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.questions: list[str] = []
        self.answers: list[QMessageBox.StandardButton] = []

    def warning(self, _parent: Any, _title: str, text: str, *_args: Any) -> Any:
        self.warnings.append(text)
        return QMessageBox.StandardButton.Ok

    def question(self, _parent: Any, _title: str, text: str, *_args: Any) -> Any:
        self.questions.append(text)
        if not self.answers:
            raise AssertionError(f"unexpected question: {text}")
        return self.answers.pop(0)


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> MessageLog:
    log = MessageLog()
    monkeypatch.setattr(QMessageBox, "warning", log.warning)
    monkeypatch.setattr(QMessageBox, "question", log.question)
    return log


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def make_editor(
    qtbot: Any, library: ContentLibrary, settings: QSettings, *, show: bool = False
) -> RoutineEditorWindow:
    editor = RoutineEditorWindow(library, settings=settings, autosave_ms=60_000)
    qtbot.addWidget(editor)
    if show:
        editor.show()
        qtbot.waitExposed(editor)
        editor.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=2000)
    return editor


@pytest.fixture
def editor(
    qtbot: Any, library: ContentLibrary, settings: QSettings, messages: MessageLog
) -> Iterator[RoutineEditorWindow]:
    # Not handed to qtbot, which would close it (and meet the prompt) before this cleans up.
    window = RoutineEditorWindow(library, settings=settings, autosave_ms=60_000)
    yield window
    forget_changes(window)
    window.close()
    window.deleteLater()


def forget_changes(editor: RoutineEditorWindow) -> None:
    """Leave without the close prompt, whatever the test did."""
    editor.undo_stack.setClean()
    editor._never_saved = False


def zone_item(editor: RoutineEditorWindow, zone_id: str) -> Any:
    for row in range(editor.zone_list.count()):
        item = editor.zone_list.item(row)
        if item.data(ID_ROLE) == zone_id:
            return item
    raise KeyError(zone_id)


def pick(combo: Any, value: str) -> None:
    """Choose an entry of a combo box as a user would (activated fires)."""
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def type_into(qtbot: Any, widget: Any, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


def current(editor: RoutineEditorWindow) -> Routine:
    assert editor.routine is not None
    return editor.routine


def drop_step(editor: RoutineEditorWindow, source: int, onto: int, *, below: bool) -> None:
    """Drop the step at ``source`` onto the upper or lower half of row ``onto``."""
    view: StepListWidget = editor.step_list
    view.setCurrentRow(source)
    rect = view.visualRect(view.model().index(onto, 0))
    point = QPoint(rect.center().x(), rect.bottom() - 2 if below else rect.top() + 2)
    mime = view.model().mimeData([view.model().index(source, 0)])

    class DropFromTheList(QDropEvent):
        def source(self) -> QWidget:  # a real drag started in the list says so
            return view

    event = DropFromTheList(
        point,
        Qt.DropAction.MoveAction,
        mime if mime is not None else QMimeData(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    view.dropEvent(event)
    assert event.dropAction() == Qt.DropAction.IgnoreAction  # the view moves nothing itself


# -- the whole story ------------------------------------------------------------------


def test_create_edit_reorder_undo_redo_save_and_reopen_after_restart(
    qtbot: Any, library: ContentLibrary, settings: QSettings, messages: MessageLog
) -> None:
    editor = make_editor(qtbot, library, settings, show=True)
    assert editor.new_routine()
    assert editor.is_dirty()
    assert editor.isWindowModified()
    assert "[*]" in editor.windowTitle()
    history = [current(editor)]

    type_into(qtbot, editor.title_edit, "Shoulders for the class")
    assert current(editor).title == "Shoulders for the class"
    assert editor.undo_stack.count() == 1  # typing is one undo step, not one per key
    history.append(current(editor))

    editor.add_step_button.click()
    assert len(current(editor).steps) == 3
    assert editor.current_step_index == 1
    history.append(current(editor))

    pick(editor.technique_combo, "kneading")
    history.append(current(editor))
    zone_item(editor, "shoulder-girdle-left").setCheckState(Qt.CheckState.Checked)
    history.append(current(editor))
    zone_item(editor, "shoulder-girdle-right").setCheckState(Qt.CheckState.Checked)
    history.append(current(editor))
    editor.duration_spin.setValue(240)
    history.append(current(editor))
    pick(editor.pressure_combo, Pressure.MODERATE.value)
    history.append(current(editor))
    pick(editor.direction_combo, "in-place")
    history.append(current(editor))
    type_into(qtbot, editor.instruction_edit, "Knead the tops of the shoulders slowly.")
    history.append(current(editor))
    editor.cautions_edit.setPlainText("Stay off the collarbone.\n\nEase off if it hurts.")
    history.append(current(editor))

    step = current(editor).steps[1]
    assert step.technique == "kneading"
    assert {"shoulder-girdle-left", "shoulder-girdle-right"} <= set(step.zones)
    assert step.duration_s == 240
    assert step.pressure is Pressure.MODERATE
    assert step.instruction == "Knead the tops of the shoulders slowly."
    assert step.cautions == ("Stay off the collarbone.", "Ease off if it hurts.")
    assert editor.step_list.item(1).text().startswith("2. Kneading:")

    # Keyboard reorder: Ctrl+Up and Ctrl+Down with the step list focused.
    editor.step_list.setFocus()
    qtbot.keyClick(editor.step_list, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert current(editor).steps[0] == step
    assert editor.current_step_index == 0
    history.append(current(editor))
    qtbot.keyClick(editor.step_list, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert current(editor).steps[1] == step
    history.append(current(editor))

    # Drag and drop: the last step onto the top half of the first.
    last = current(editor).steps[2]
    drop_step(editor, 2, 0, below=False)
    qtbot.waitUntil(lambda: current(editor).steps[0] == last)
    assert [s.technique for s in current(editor).steps][1] == "open-palm-stroking"
    history.append(current(editor))
    drop_step(editor, 0, 2, below=True)
    qtbot.waitUntil(lambda: current(editor).steps[2] == last)
    history.append(current(editor))

    # Undo everything, one edit at a time, and the routine is exactly as it was.
    edits = len(history) - 1
    assert editor.undo_stack.count() == edits
    for expected in reversed(history[:-1]):
        qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert current(editor) == expected
    assert editor.step_list.count() == 2
    assert editor.title_edit.text() == "New routine"
    for expected in history[1:]:
        qtbot.keyClick(
            editor,
            Qt.Key.Key_Z,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        assert current(editor) == expected
    editor.select_step(1)
    assert editor.duration_spin.value() == 240
    assert editor.instruction_edit.toPlainText() == "Knead the tops of the shoulders slowly."

    # Save with Ctrl+S: the file exists and the session window is told.
    with qtbot.waitSignal(editor.routines_changed) as saved:
        qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    routine = current(editor)
    assert saved.args == [routine.id]
    assert not editor.is_dirty()
    assert not editor.isWindowModified()
    store = RoutineStore(builtin_ids=library.builtin_ids)
    assert store.load(routine.id) == routine
    assert store.pending_drafts() == []
    editor.close()
    assert not editor.isVisible()

    # A restart: fresh content, a new editor; the routine is there as it was saved.
    reloaded = load_library(user_routines=store.folder)
    assert reloaded.routines[routine.id] == routine
    again = make_editor(qtbot, reloaded, settings)
    titles = [again.routine_list.item(r).text().strip() for r in range(again.routine_list.count())]
    assert "Shoulders for the class" in titles
    assert again.open_routine(routine.id)
    assert again.routine == routine
    assert not again.read_only
    assert again.step_list.count() == 3


def test_undo_reaches_the_stack_from_inside_a_text_field(
    qtbot: Any, library: ContentLibrary, settings: QSettings, messages: MessageLog
) -> None:
    editor = make_editor(qtbot, library, settings, show=True)
    editor.new_routine()
    type_into(qtbot, editor.title_edit, "Typed")
    pick(editor.pressure_combo, Pressure.MODERATE.value)
    # The field's own undo would take back the typing; the editor's takes back the
    # latest edit of all, the pressure.
    qtbot.keyClick(editor.title_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert current(editor).steps[0].pressure is Pressure.LIGHT
    assert current(editor).title == "Typed"
    assert editor.title_edit.text() == "Typed"
    qtbot.keyClick(editor.title_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert current(editor).title == "New routine"
    assert editor.title_edit.text() == "New routine"
    forget_changes(editor)


def test_ctrl_delete_in_a_text_field_deletes_a_word_not_the_step(
    qtbot: Any, library: ContentLibrary, settings: QSettings, messages: MessageLog
) -> None:
    editor = make_editor(qtbot, library, settings, show=True)
    editor.new_routine()
    steps = current(editor).steps
    for field in (editor.title_edit, editor.instruction_edit):
        field.setFocus()
        field.selectAll()
        qtbot.keyClicks(field, "Slow strokes")
        qtbot.keyClick(field, Qt.Key.Key_Home)
        qtbot.keyClick(field, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
        assert current(editor).steps[1:] == steps[1:]  # no step was removed
        assert len(current(editor).steps) == 2
    assert current(editor).title == "strokes"
    assert current(editor).steps[0].instruction == "strokes"
    # Outside a text field, Ctrl+Delete still removes the step.
    editor.step_list.setFocus()
    qtbot.keyClick(editor.step_list, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert len(current(editor).steps) == 1
    forget_changes(editor)


def test_a_text_too_long_is_refused_in_plain_words(editor: RoutineEditorWindow) -> None:
    editor.new_routine()
    before = current(editor)
    editor.instruction_edit.setPlainText("x" * 4001)
    assert current(editor) == before
    assert editor.form_message.text() == (
        "Not changed: the instruction is too long (at most 4,000 characters)."
    )
    editor.cautions_edit.setPlainText("Stay light.\n" + "y" * 4001)
    assert current(editor) == before
    assert editor.form_message.text() == (
        "Not changed: caution 2 is too long (at most 4,000 characters)."
    )
    assert editor.last_message == editor.form_message.text()  # in the status bar too


def test_an_emptied_title_comes_back_when_the_field_is_left(
    qtbot: Any, library: ContentLibrary, settings: QSettings, messages: MessageLog
) -> None:
    editor = make_editor(qtbot, library, settings, show=True)
    editor.new_routine()
    editor.title_edit.setFocus()
    editor.title_edit.selectAll()
    qtbot.keyClick(editor.title_edit, Qt.Key.Key_Backspace)
    assert editor.last_message == "A routine needs a title."
    assert current(editor).title == "New routine"
    qtbot.keyClick(editor.title_edit, Qt.Key.Key_Tab)
    assert editor.title_edit.text() == "New routine"  # what would be saved
    forget_changes(editor)


def test_a_new_or_duplicated_routine_is_named_by_typing_at_once(
    qtbot: Any, library: ContentLibrary, settings: QSettings, messages: MessageLog
) -> None:
    editor = make_editor(qtbot, library, settings, show=True)
    editor.routine_list.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(QApplication.focusWidget(), "Evening class")
    assert current(editor).title == "Evening class"
    assert editor.save()

    editor.routine_list.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(QApplication.focusWidget(), "Morning class")
    assert current(editor).title == "Morning class"
    forget_changes(editor)


def test_the_delete_key_removes_the_step_or_the_routine_in_its_list(
    qtbot: Any, library: ContentLibrary, settings: QSettings, messages: MessageLog
) -> None:
    editor = make_editor(qtbot, library, settings, show=True)
    editor.new_routine()
    editor.save()
    routine_id = current(editor).id
    editor.step_list.setFocus()
    qtbot.keyClick(editor.step_list, Qt.Key.Key_Delete)
    assert len(current(editor).steps) == 1  # undoable, like Ctrl+Delete
    editor.undo_stack.undo()
    editor.zone_list.setFocus()
    qtbot.keyClick(editor.zone_list, Qt.Key.Key_Delete)
    assert len(current(editor).steps) == 2  # only in the step list
    assert messages.questions == []

    editor.routine_list.setFocus()
    messages.answers = [QMessageBox.StandardButton.No]
    qtbot.keyClick(editor.routine_list, Qt.Key.Key_Delete)
    assert "Delete “New routine”?" in messages.questions[-1]  # asks first
    assert editor.store.exists(routine_id)
    messages.answers = [QMessageBox.StandardButton.Yes]
    qtbot.keyClick(editor.routine_list, Qt.Key.Key_Delete)
    assert not editor.store.exists(routine_id)


def test_the_arrow_keys_go_past_the_headings_of_the_routine_list(
    qtbot: Any, library: ContentLibrary, settings: QSettings, messages: MessageLog
) -> None:
    editor = make_editor(qtbot, library, settings, show=True)
    editor.new_routine()
    editor.save()
    mine = current(editor).id
    first_built_in = next(r for r in library.routines if r in library.builtin_ids)
    editor.routine_list.setFocus()
    qtbot.keyClick(editor.routine_list, Qt.Key.Key_Down)
    assert current(editor).id == first_built_in
    qtbot.keyClick(editor.routine_list, Qt.Key.Key_Up)
    assert current(editor).id == mine
    heading = editor.routine_list.item(0)
    assert heading.text() == "Your routines"
    assert heading.font().bold()
    # Not greyed out like a disabled row: it reads as a heading.
    text_ink = editor.routine_list.palette().color(QPalette.ColorRole.Text)
    assert heading.foreground().color() == text_ink


def test_edit_menu_has_undo_and_redo_from_the_stack(editor: RoutineEditorWindow) -> None:
    editor.new_routine()
    actions = editor.edit_menu.actions()
    assert actions[0] is editor.undo_action
    assert actions[1] is editor.redo_action
    assert not editor.undo_action.isEnabled()
    editor.rename_routine("Renamed")
    assert editor.undo_action.isEnabled()
    assert "Rename routine" in editor.undo_action.text()
    editor.undo_action.trigger()
    assert current(editor).title == "New routine"
    editor.redo_action.trigger()
    assert current(editor).title == "Renamed"


def test_remove_and_add_steps_keep_at_least_one(editor: RoutineEditorWindow) -> None:
    editor.new_routine()
    assert editor.remove_step()
    assert len(current(editor).steps) == 1
    assert not editor.remove_step()
    assert "at least one step" in editor.last_message
    assert editor.add_step()
    assert len(current(editor).steps) == 2


# -- safety ---------------------------------------------------------------------------


def test_a_no_go_zone_is_refused_with_its_reason(
    editor: RoutineEditorWindow, library: ContentLibrary
) -> None:
    editor.new_routine()
    before = current(editor)
    spine = library.zones["spine"]
    item = zone_item(editor, "spine")
    item.setCheckState(Qt.CheckState.Checked)
    assert item.checkState() == Qt.CheckState.Unchecked
    assert spine.reason in editor.zone_message.text()
    assert "no-go zone" in editor.zone_message.text()
    assert current(editor) == before
    assert editor.undo_stack.count() == 0

    kidney = library.zones["kidney-left"]
    editor.zone_source.select_zone("kidney-left")  # what a click on the diagram sends
    assert kidney.reason in editor.zone_message.text()
    assert "kidney-left" not in current(editor).steps[0].zones
    assert editor.undo_stack.count() == 0


def test_a_refusal_is_not_left_showing_on_another_step(editor: RoutineEditorWindow) -> None:
    editor.new_routine()
    editor.select_step(0)
    assert not editor.choose_zone("spine")
    editor.instruction_edit.setPlainText("x" * 4001)
    assert editor.zone_message.text()
    assert editor.form_message.text()
    editor.select_step(1)
    assert editor.zone_message.text() == ""
    assert editor.form_message.text() == ""
    assert editor.instruction_edit.toPlainText() == current(editor).steps[1].instruction


def test_clicking_zones_on_the_diagram_toggles_them(editor: RoutineEditorWindow) -> None:
    editor.new_routine()
    editor.select_step(1)
    # The diagram shows the step being edited.
    assert editor.zone_source.focus_zones() == current(editor).steps[1].zones
    editor.zone_source.select_zone("hips")
    assert "hips" in current(editor).steps[1].zones
    assert zone_item(editor, "hips").checkState() == Qt.CheckState.Checked
    assert "hips" in editor.zone_source.focus_zones()
    editor.zone_source.select_zone("hips")  # a second click on the same zone removes it
    assert "hips" not in current(editor).steps[1].zones
    assert editor.undo_stack.count() == 2
    editor.select_step(0)
    assert editor.zone_source.focus_zones() == current(editor).steps[0].zones


def point_in_zone(view: Any, zone_id: str) -> QPoint:
    """A point of the diagram widget that lies in ``zone_id`` (searched on a grid)."""
    for y in range(0, view.height(), 4):
        for x in range(0, view.width(), 4):
            if view.zone_at(QPoint(x, y)) == zone_id:
                return QPoint(x, y)
    raise AssertionError(f"{zone_id} is not on the diagram")


def test_mouse_clicks_on_the_diagram_choose_zones(
    qtbot: Any, library: ContentLibrary, settings: QSettings, messages: MessageLog
) -> None:
    from massage_trainer.ui.diagram import BackDiagramView

    editor = make_editor(qtbot, library, settings, show=True)
    editor.new_routine()
    editor.select_step(1)
    view = editor.diagram
    assert isinstance(view, BackDiagramView)
    assert set(view.highlighted_zones()) == set(current(editor).steps[1].zones)

    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point_in_zone(view, "hips"))
    assert "hips" in current(editor).steps[1].zones
    assert "hips" in view.highlighted_zones()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point_in_zone(view, "hips"))
    assert "hips" not in current(editor).steps[1].zones

    before = current(editor)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point_in_zone(view, "spine"))
    assert current(editor) == before
    assert library.zones["spine"].reason in editor.zone_message.text()
    forget_changes(editor)


def test_the_last_zone_of_a_step_cannot_be_removed(editor: RoutineEditorWindow) -> None:
    editor.new_routine()
    step_zones = current(editor).steps[0].zones
    for zone_id in step_zones[:-1]:
        assert editor.choose_zone(zone_id, on=False)
    assert not editor.choose_zone(step_zones[-1], on=False)
    assert "at least one zone" in editor.zone_message.text()
    assert zone_item(editor, step_zones[-1]).checkState() == Qt.CheckState.Checked


def test_safety_errors_show_beside_the_step_and_keep_it_a_draft(
    editor: RoutineEditorWindow, messages: MessageLog
) -> None:
    editor.new_routine()
    editor.select_step(1)
    assert editor.choose_zone("neck")
    pick(editor.pressure_combo, Pressure.FIRM.value)  # the neck takes light pressure only
    errors = [p for p in editor.problems if p.severity is Severity.ERROR]
    assert errors
    assert {p.step for p in errors} == {2}
    assert "safety error" in editor.step_list.item(1).text()
    assert "safety error" not in editor.step_list.item(0).text()
    shown = [
        editor.step_problem_list.item(r).text() for r in range(editor.step_problem_list.count())
    ]
    assert any("too much for Neck" in text for text in shown)
    assert editor.summary_label.text().startswith("Cannot be used yet")
    assert editor.problem_list.count() >= 1

    routine = current(editor)
    assert not editor.save()
    assert "Kept as a draft" not in messages.warnings[-1]  # the box says why, not the title
    assert "cannot be used in a session" in messages.warnings[-1]
    store = editor.store
    assert not store.exists(routine.id)
    assert store.load_draft(routine.id) == routine
    assert not editor.export_file(store.root / "out.json")

    editor.undo_stack.undo()  # back to a light pressure: usable again
    assert not [p for p in editor.problems if p.severity is Severity.ERROR]
    assert editor.save()
    assert store.exists(routine.id)
    assert not store.has_draft(routine.id)


def test_warnings_are_shown_but_do_not_block(editor: RoutineEditorWindow) -> None:
    editor.new_routine()
    editor.select_step(0)
    pick(editor.technique_combo, "kneading")  # not an opening stroke
    assert [p.rule for p in editor.problems] == ["opening-not-gentle-stroking"]
    assert "warning" in editor.step_list.item(0).text()
    assert editor.summary_label.text().startswith("Safe to use, with 1 warning")
    assert editor.save()


# -- built-ins, duplicate, rename, delete ---------------------------------------------


def test_built_ins_are_read_only_and_duplicate_to_change(
    editor: RoutineEditorWindow, library: ContentLibrary
) -> None:
    assert editor.open_routine("classic-home")
    assert editor.read_only
    assert not editor.read_only_banner.isHidden()
    assert not editor.technique_combo.isEnabled()
    assert not editor.add_step()
    assert not editor.save()
    assert "duplicate" in editor.last_message.lower()
    assert not editor.is_dirty()

    assert editor.duplicate_routine()
    copy = current(editor)
    assert not editor.read_only
    assert copy.id != "classic-home"
    assert copy.steps == library.routines["classic-home"].steps
    assert copy.title.endswith("(my copy)")
    assert editor.is_dirty()  # a new routine until it is saved
    assert editor.save()
    assert editor.store.load(copy.id) == copy


def test_duplicate_copies_what_is_on_screen_whatever_the_answer_about_the_original(
    editor: RoutineEditorWindow, messages: MessageLog
) -> None:
    editor.new_routine()
    editor.rename_routine("Try-out")
    original = current(editor)
    messages.answers = [QMessageBox.StandardButton.Discard]
    assert editor.duplicate_routine()
    copy = current(editor)
    assert copy.title == "Try-out (my copy)"
    assert copy.steps == original.steps
    assert not editor.store.exists(original.id)


def test_rename_and_delete_with_confirmation(
    editor: RoutineEditorWindow, messages: MessageLog
) -> None:
    editor.new_routine()
    editor.save()
    routine_id = current(editor).id
    assert editor.rename_routine("  Evening routine ")
    assert current(editor).title == "Evening routine"
    editor.save()

    messages.answers = [QMessageBox.StandardButton.No]
    assert not editor.delete_routine()
    assert editor.store.exists(routine_id)

    messages.answers = [QMessageBox.StandardButton.Yes]
    assert editor.delete_routine()
    assert "Evening routine" in messages.questions[-1]
    assert not editor.store.exists(routine_id)
    assert current(editor).id != routine_id


def test_deleting_a_routine_never_saved_does_not_speak_of_a_file(
    editor: RoutineEditorWindow, messages: MessageLog
) -> None:
    editor.new_routine()
    editor.rename_routine("Half-written")
    editor.autosave_now()
    routine_id = current(editor).id
    assert editor.store.has_draft(routine_id)

    messages.answers = [QMessageBox.StandardButton.Yes]
    assert editor.delete_routine()
    question = messages.questions[-1]
    assert "Half-written" in question
    assert "never saved" in question
    assert "file" not in question
    assert not editor.store.has_draft(routine_id)

    editor.new_routine()
    editor.rename_routine("Kept")
    editor.save()
    messages.answers = [QMessageBox.StandardButton.Yes]
    assert editor.delete_routine()
    assert "Its file is removed" in messages.questions[-1]
    assert "never saved" not in messages.questions[-1]


def test_a_title_another_routine_has_is_warned_about_but_saves(
    editor: RoutineEditorWindow, messages: MessageLog
) -> None:
    editor.new_routine()
    assert not editor.title_message.isVisibleTo(editor)
    assert editor.rename_routine("lower-back  Relief")  # the built-in's title, typed loosely
    assert editor.title_message.isVisibleTo(editor)
    assert "built-in routine “Lower-back relief” has this title too" in (
        editor.title_message.text()
    )

    assert editor.save()  # a warning, not a refusal
    assert editor.store.exists(current(editor).id)
    assert "the built-in routine “Lower-back relief” has the same title" in editor.last_message
    assert "Rename this one" in editor.last_message
    assert messages.warnings == []

    assert editor.rename_routine("Lower-back relief, my way")
    assert not editor.title_message.isVisibleTo(editor)
    assert editor.save()
    assert "same title" not in editor.last_message


def test_a_title_one_of_your_routines_has_is_warned_about_too(
    editor: RoutineEditorWindow, messages: MessageLog
) -> None:
    editor.new_routine()
    editor.rename_routine("Evening")
    editor.save()
    editor.new_routine()
    editor.rename_routine("Evening")
    assert "Your routine “Evening” has this title too" in editor.title_message.text()
    assert editor.save()
    assert "your routine “Evening” has the same title" in editor.last_message


def test_new_routines_and_copies_start_with_a_title_of_their_own(
    editor: RoutineEditorWindow, messages: MessageLog
) -> None:
    editor.new_routine()
    assert current(editor).title == "New routine"
    editor.save()
    editor.new_routine()
    assert current(editor).title == "New routine 2"
    assert not editor.title_message.isVisibleTo(editor)
    editor.save()

    editor.open_routine("lower-back-relief")
    editor.duplicate_routine()
    assert current(editor).title == "Lower-back relief (my copy)"
    editor.save()
    editor.open_routine("lower-back-relief")
    editor.duplicate_routine()
    assert current(editor).title == "Lower-back relief (my copy 2)"
    assert not editor.title_message.isVisibleTo(editor)


def test_the_routine_opened_after_a_delete_comes_with_its_draft(
    editor: RoutineEditorWindow, messages: MessageLog
) -> None:
    editor.new_routine()
    editor.rename_routine("Alpha")
    editor.save()
    alpha = current(editor)
    changed = alpha.model_copy(update={"summary": "Work in progress."})
    editor.store.save_draft(changed)  # as a refused save or a crash leaves it
    editor.new_routine()
    editor.rename_routine("Beta")
    editor.save()

    messages.answers = [QMessageBox.StandardButton.Yes]
    assert editor.delete_routine()
    assert current(editor) == changed  # Alpha, first in the list, with the work in it
    assert editor.is_dirty()


def cut_off_labels(view: QListWidget) -> list[str]:
    """The labels in ``view`` that do not show in full where the style draws them."""

    def whole(item: QListWidgetItem) -> bool:
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        delegate = view.itemDelegate()
        assert isinstance(delegate, QStyledItemDelegate)
        delegate.initStyleOption(option, view.indexFromItem(item))
        option.rect = view.visualItemRect(item)
        room = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view)
        # The style draws the text inside a margin on each side (as QCommonStyle does).
        margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        width = room.width() - 2 * margin
        need = option.fontMetrics.boundingRect(
            QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), item.text()
        )
        return need.width() <= width and need.height() <= room.height()

    return [view.item(row).text() for row in range(view.count()) if not whole(view.item(row))]


@pytest.mark.parametrize("size", [(1380, 860), (1024, 768)])
def test_zone_labels_show_in_full(
    qtbot: Any, editor: RoutineEditorWindow, size: tuple[int, int]
) -> None:
    editor.resize(*size)  # the editor's first size, and a small laptop or projector
    editor.show()
    qtbot.waitExposed(editor)
    labels = [editor.zone_list.item(row).text() for row in range(editor.zone_list.count())]
    assert "Shoulder blade, left (light only)" in labels
    qtbot.waitUntil(lambda: cut_off_labels(editor.zone_list) == [], timeout=2000)
    assert not editor.zone_list.horizontalScrollBar().isVisible()
    # The step form never scrolls sideways: its fields and the zone list are all in view.
    viewport = editor.step_form.parentWidget()
    assert viewport is not None
    scroll = viewport.parentWidget()
    assert isinstance(scroll, QScrollArea)
    assert not scroll.horizontalScrollBar().isVisible()


# -- files ----------------------------------------------------------------------------


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_refused_import_says_what_is_wrong_in_plain_words(
    editor: RoutineEditorWindow, library: ContentLibrary, messages: MessageLog, tmp_path: Path
) -> None:
    data = library.routines["lower-back-relief"].model_dump(mode="json")
    data["id"] = "from-a-friend"
    data["steps"][1]["duration_s"] = "two minutes"
    data["steps"][2]["colour"] = "blue"
    assert not editor.import_file(write_json(tmp_path / "friend.json", data))
    assert messages.warnings  # shown in a message box, as plain text
    shown = editor.last_message
    assert "friend.json: step 2, field 'duration_s' must be a whole number" in shown
    assert "step 3, field 'colour' is not a field steps have (a typo?)" in shown
    for jargon in ("Input should", "Extra inputs", "valid integer"):
        assert jargon not in shown
    assert "from-a-friend" not in editor.store.ids()


def test_a_hostile_import_shows_its_reason(
    editor: RoutineEditorWindow, library: ContentLibrary, messages: MessageLog, tmp_path: Path
) -> None:
    data = library.routines["lower-back-relief"].model_dump(mode="json")
    data["id"] = "../../evil"
    path = write_json(tmp_path / "evil.json", data)
    before = editor.store.ids()
    assert not editor.import_file(path)
    assert "evil.json: field 'id'" in editor.last_message
    assert "evil.json" in messages.warnings[-1]

    huge = tmp_path / "huge.json"
    huge.write_bytes(b"{" + b" " * MAX_FILE_BYTES + b"}")
    assert not editor.import_file(huge)
    assert "huge.json: the file is" in editor.last_message

    unsafe = library.routines["lower-back-relief"].model_dump(mode="json")
    unsafe["steps"][1]["zones"] = ["spine"]
    assert not editor.import_file(write_json(tmp_path / "unsafe.json", unsafe))
    assert "unsafe.json: breaks the safety rules" in editor.last_message
    assert "no-go zone" in editor.last_message

    future = library.routines["lower-back-relief"].model_dump(mode="json")
    future["schema_version"] = 7
    assert not editor.import_file(write_json(tmp_path / "future.json", future))
    assert "newer version" in editor.last_message
    assert editor.store.ids() == before


def test_an_import_with_markup_is_shown_as_plain_text(
    editor: RoutineEditorWindow, library: ContentLibrary, tmp_path: Path
) -> None:
    data = library.routines["lower-back-relief"].model_dump(mode="json")
    data["title"] = "<b>Bold</b> <img src='x.png'>"
    data["steps"][0]["instruction"] = "<script>alert(1)</script> Stroke gently."
    with_markup = write_json(tmp_path / "markup.json", data)
    assert editor.import_file(with_markup)
    routine = current(editor)
    assert routine.id == "b-bold-b-img-src-x-png"  # the built-in's id was taken
    assert routine.title == "<b>Bold</b> <img src='x.png'>"
    assert editor.title_edit.text() == routine.title
    assert editor.instruction_edit.toPlainText() == routine.steps[0].instruction
    texts = [editor.routine_list.item(r).text() for r in range(editor.routine_list.count())]
    assert any("<b>Bold</b>" in text for text in texts)
    assert editor.zone_message.textFormat() == Qt.TextFormat.PlainText
    assert editor.summary_label.textFormat() == Qt.TextFormat.PlainText


def test_an_old_file_is_migrated_on_import_and_export_round_trips(
    qtbot: Any, editor: RoutineEditorWindow, library: ContentLibrary, tmp_path: Path
) -> None:
    data = library.routines["lower-back-relief"].model_dump(mode="json")
    data.update(schema_version=0, id="old-share", name=data.pop("title"))
    for step in data["steps"]:
        step["duration_min"] = step.pop("duration_s") / 60
    with qtbot.waitSignal(editor.routines_changed) as signal:
        assert editor.import_file(write_json(tmp_path / "old.json", data))
    assert signal.args == ["old-share"]
    imported = current(editor)
    assert imported.steps == library.routines["lower-back-relief"].steps
    assert editor.store.load("old-share") == imported

    out = tmp_path / "shared" / "copy.json"
    assert editor.export_file(out)
    assert json.loads(out.read_text(encoding="utf-8"))["schema_version"] == 1
    assert Routine.model_validate_json(out.read_text(encoding="utf-8")) == imported


def test_import_and_export_menu_entries_use_file_dialogs(
    editor: RoutineEditorWindow,
    library: ContentLibrary,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QFileDialog

    source = tmp_path / "in.json"
    data = library.routines["lower-back-relief"].model_dump(mode="json")
    data["id"] = "from-a-friend"
    write_json(source, data)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(source), "Routine files (*.json)")
    )
    editor.import_action.trigger()
    assert current(editor).id == "from-a-friend"

    target = tmp_path / "out"  # no suffix: the editor adds .json
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    editor.export_action.trigger()
    assert (tmp_path / "out.json").is_file()


def test_export_asks_before_replacing_a_file_when_it_adds_json(
    editor: RoutineEditorWindow,
    messages: MessageLog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QFileDialog

    existing = tmp_path / "class routine.json"
    existing.write_text('{"my": "own file"}', encoding="utf-8")
    # The user typed "class routine": the dialog only checked that name, which is free.
    typed = tmp_path / "class routine"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(typed), ""))

    messages.answers = [QMessageBox.StandardButton.Cancel]
    editor.export_action.trigger()
    assert len(messages.questions) == 1
    assert "class routine.json already exists" in messages.questions[0]
    assert "Replace it?" in messages.questions[0]
    assert existing.read_text(encoding="utf-8") == '{"my": "own file"}'

    messages.answers = [QMessageBox.StandardButton.Yes]
    editor.export_action.trigger()
    assert json.loads(existing.read_text(encoding="utf-8"))["id"] == current(editor).id
    assert "Exported" in editor.last_message


def test_export_of_a_name_with_json_does_not_ask_again(
    editor: RoutineEditorWindow,
    messages: MessageLog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QFileDialog

    existing = tmp_path / "mine.json"
    existing.write_text("{}", encoding="utf-8")
    # The dialog itself asked about this very name and the user said yes.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(existing), ""))
    editor.export_action.trigger()
    assert messages.questions == []
    assert json.loads(existing.read_text(encoding="utf-8"))["id"] == current(editor).id


# -- closing and drafts ---------------------------------------------------------------


def test_closing_with_changes_asks_save_discard_or_cancel(
    qtbot: Any, library: ContentLibrary, settings: QSettings, messages: MessageLog
) -> None:
    editor = make_editor(qtbot, library, settings, show=True)
    editor.new_routine()
    routine_id = current(editor).id

    messages.answers = [QMessageBox.StandardButton.Cancel]
    assert not editor.close()
    assert editor.isVisible()
    assert editor.is_dirty()

    messages.answers = [QMessageBox.StandardButton.Save]
    assert editor.close()
    assert editor.store.exists(routine_id)

    other = make_editor(qtbot, library, settings, show=True)
    other.new_routine()
    other.autosave_now()
    new_id = current(other).id
    assert other.store.has_draft(new_id)
    messages.answers = [QMessageBox.StandardButton.Discard]
    assert other.close()
    assert not other.store.exists(new_id)
    assert not other.store.has_draft(new_id)
    assert len(messages.questions) == 3


def test_switching_routines_with_changes_asks_first(
    editor: RoutineEditorWindow, messages: MessageLog
) -> None:
    editor.new_routine()
    editor.save()
    editor.rename_routine("Changed")
    messages.answers = [QMessageBox.StandardButton.Cancel]
    assert not editor.open_routine("classic-home")
    assert current(editor).title == "Changed"
    messages.answers = [QMessageBox.StandardButton.Discard]
    assert editor.open_routine("classic-home")
    assert editor.read_only


def test_a_draft_is_offered_back_after_a_crash(
    qtbot: Any, library: ContentLibrary, settings: QSettings, messages: MessageLog
) -> None:
    crashed = RoutineEditorWindow(library, settings=settings, autosave_ms=60_000)
    crashed.new_routine()
    crashed.save()
    saved = current(crashed)
    crashed.rename_routine("Half-finished idea")
    crashed.autosave_now()
    draft = current(crashed)
    # The app dies here: no close, no prompt, the draft stays. Next start:

    messages.answers = [QMessageBox.StandardButton.Yes]
    again = make_editor(qtbot, library, settings, show=True)
    qtbot.waitUntil(lambda: again.routine == draft)
    assert "Half-finished idea" in messages.questions[0]
    assert again.is_dirty()
    again.undo_stack.undo()  # the restore is an edit: undo gives the saved version
    assert again.routine == saved
    again.undo_stack.redo()
    assert again.save()
    assert again.store.pending_drafts() == []
    crashed.undo_stack.blockSignals(True)  # the dead window must not touch the files
    forget_changes(crashed)
    crashed.deleteLater()


def test_a_refused_draft_is_thrown_away(editor: RoutineEditorWindow, messages: MessageLog) -> None:
    editor.new_routine()
    editor.autosave_now()
    routine_id = current(editor).id
    assert editor.store.has_draft(routine_id)
    messages.answers = [QMessageBox.StandardButton.No]
    assert not editor.recover_drafts()
    assert not editor.store.has_draft(routine_id)


def test_autosave_follows_the_edits(editor: RoutineEditorWindow) -> None:
    editor.new_routine()
    editor.save()
    routine_id = current(editor).id
    editor.rename_routine("Draft title")
    editor.autosave_now()
    assert editor.store.load_draft(routine_id).title == "Draft title"
    editor.undo_stack.undo()  # back to the saved state: the draft goes
    assert not editor.store.has_draft(routine_id)


# -- wiring in the main window --------------------------------------------------------


def test_the_main_window_opens_the_editor_and_lists_saved_routines(
    qtbot: Any,
    library: ContentLibrary,
    settings: QSettings,
    messages: MessageLog,
    fake_clock: Any,
) -> None:
    from massage_trainer.ui.main_window import MainWindow
    from massage_trainer.ui.routine_picker import USER_GROUP, RoutinePicker

    window = MainWindow(library, clock=fake_clock, settings=settings, speech_engine="mock")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    editor = window._routine_editor
    assert isinstance(editor, RoutineEditorWindow)
    qtbot.waitExposed(editor)

    editor.new_routine()
    editor.rename_routine("Evening class")
    assert editor.save()
    routine_id = current(editor).id
    assert routine_id in window.controller.library.routines
    picker = RoutinePicker(window.controller.library)
    qtbot.addWidget(picker)
    groups: dict[str, Any] = {}
    for i in range(picker.tree.topLevelItemCount()):
        item: Any = picker.tree.topLevelItem(i)
        groups[item.text(0)] = item
    own = groups[USER_GROUP]
    assert [own.child(i).text(0) for i in range(own.childCount())] == ["Evening class"]
    window.controller.load_routine(routine_id)
    assert window.controller.routine == current(editor)

    # Changed and saved again while loaded (not started): the session shows the new form.
    editor.select_step(0)
    editor.duration_spin.setValue(300)
    assert editor.save()
    assert window.controller.routine == current(editor)
    assert window.controller.step(0).duration_s == 300

    # Quitting with unsaved edits in the editor asks first; Cancel keeps everything open.
    editor.rename_routine("Evening class, longer")
    messages.answers = [QMessageBox.StandardButton.Cancel]
    assert not window.close()
    assert window.isVisible()
    assert editor.isVisible()
    messages.answers = [QMessageBox.StandardButton.Discard]
    assert window.close()


def test_typing_does_not_reload_the_diagram(qtbot: Any, editor: RoutineEditorWindow) -> None:
    editor.new_routine()
    reloads: list[None] = []
    editor.zone_source.routine_changed.connect(lambda: reloads.append(None))
    type_into(qtbot, editor.instruction_edit, "Slow strokes")
    assert current(editor).steps[0].instruction == "Slow strokes"
    assert reloads == []
    editor.choose_zone("hips")
    assert len(reloads) == 1


def list_texts(editor: RoutineEditorWindow) -> list[str]:
    return [editor.routine_list.item(r).text().strip() for r in range(editor.routine_list.count())]


def test_discarded_changes_are_gone_when_the_editor_is_opened_again(
    qtbot: Any, library: ContentLibrary, settings: QSettings, messages: MessageLog
) -> None:
    editor = make_editor(qtbot, library, settings, show=True)
    editor.new_routine()
    editor.save()
    saved = current(editor)
    editor.rename_routine("Not wanted after all")
    messages.answers = [QMessageBox.StandardButton.Discard]
    assert editor.close()

    editor.show()  # Ctrl+E again: the main window keeps the same editor
    assert current(editor) == saved
    assert editor.title_edit.text() == saved.title
    assert not editor.is_dirty()
    editor.undo_stack.redo()  # thrown away, but not beyond reach
    assert current(editor).title == "Not wanted after all"
    forget_changes(editor)


def test_a_discarded_new_routine_is_not_listed_as_yours(
    qtbot: Any, library: ContentLibrary, settings: QSettings, messages: MessageLog
) -> None:
    editor = make_editor(qtbot, library, settings, show=True)
    editor.new_routine()
    routine_id = current(editor).id
    messages.answers = [QMessageBox.StandardButton.Discard]
    assert editor.close()

    editor.show()
    assert current(editor).id != routine_id
    assert "New routine  (not saved)" not in list_texts(editor)
    assert not editor.store.has_draft(routine_id)


def test_work_kept_as_a_draft_stays_listed_and_opens_again(
    editor: RoutineEditorWindow, messages: MessageLog
) -> None:
    editor.new_routine()
    editor.rename_routine("Unfinished class")
    editor.select_step(1)
    editor.choose_zone("neck")
    pick(editor.pressure_combo, Pressure.FIRM.value)  # a safety error: cannot be saved
    unfinished = current(editor)
    messages.answers = [QMessageBox.StandardButton.Save]
    assert editor.open_routine("classic-home")
    assert "cannot be used in a session" in messages.warnings[-1]

    # Still in the list, as not saved, and it opens with the work in it.
    assert "Unfinished class  (not saved)" in list_texts(editor)
    assert editor.open_routine(unfinished.id)
    assert current(editor) == unfinished
    assert editor.is_dirty()
    assert "draft" in editor.last_message


def test_a_saved_routine_opens_with_its_draft_and_undo_gives_the_saved_version(
    editor: RoutineEditorWindow, messages: MessageLog
) -> None:
    editor.new_routine()
    editor.save()
    saved = current(editor)
    editor.rename_routine("Changed, with a safety error")
    editor.choose_zone("neck")
    pick(editor.pressure_combo, Pressure.FIRM.value)
    changed = current(editor)
    messages.answers = [QMessageBox.StandardButton.Save]
    assert editor.open_routine("classic-home")  # kept as a draft only

    assert editor.open_routine(saved.id)
    assert current(editor) == changed  # not the saved version: the work is back
    assert editor.is_dirty()
    assert "Undo" in editor.last_message
    editor.undo_stack.undo()
    assert current(editor) == saved
    assert not editor.is_dirty()
    editor.undo_stack.redo()
    assert current(editor) == changed
    editor.autosave_now()
    assert editor.store.load_draft(saved.id) == changed
    forget_changes(editor)
