"""The step list: rows and roles, status marking, preview, jump, zone marking, keys."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QFontMetrics
from PySide6.QtWidgets import QStyleOptionViewItem

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.session import FakeClock, SessionState
from massage_trainer.ui.controller import GET_READY_S, SessionController, format_clock
from massage_trainer.ui.step_list import StepDelegate, StepListModel, StepListView, StepRole

ROUTINE = "classic-home"


@pytest.fixture
def controller(library: ContentLibrary, fake_clock: FakeClock) -> SessionController:
    controller = SessionController(library, fake_clock)
    controller.load_routine(ROUTINE)
    return controller


@pytest.fixture
def view(qtbot: Any, controller: SessionController) -> StepListView:
    view = StepListView(controller)
    qtbot.addWidget(view)
    view.resize(420, 700)
    view.show()
    qtbot.waitExposed(view)
    view.setFocus()
    return view


def role(model: StepListModel, row: int, which: StepRole) -> Any:
    return model.data(model.index(row), which)


def test_one_row_per_step_with_its_details(
    view: StepListView, controller: SessionController
) -> None:
    model = view.step_model
    routine = controller.routine
    assert routine is not None
    assert model.rowCount() == len(routine.steps)
    for row, step in enumerate(routine.steps):
        technique = controller.library.techniques[step.technique]
        assert role(model, row, StepRole.TECHNIQUE_NAME) == technique.name
        assert role(model, row, StepRole.STEP) == step
        assert role(model, row, StepRole.NUMBER) == row + 1
        assert role(model, row, StepRole.AMOUNT_TEXT).startswith(format_clock(step.duration_s))
        assert step.pressure.label in role(model, row, StepRole.PRESSURE_TEXT)
        zones_text = role(model, row, StepRole.ZONES_TEXT)
        assert zones_text
        assert model.data(model.index(row), Qt.ItemDataRole.DisplayRole).startswith(f"{row + 1}.")
        assert technique.name in model.data(model.index(row), Qt.ItemDataRole.ToolTipRole)
    assert b"technique_name" in model.roleNames().values()


def test_current_done_and_skipped_are_marked(
    view: StepListView, controller: SessionController, fake_clock: FakeClock
) -> None:
    model = view.step_model
    assert role(model, 0, StepRole.STATUS) == "current"
    assert role(model, 0, StepRole.STATUS_TEXT) == "Now"
    assert role(model, 0, StepRole.IS_CURRENT) is True
    controller.start()
    fake_clock.advance(GET_READY_S + controller.step(0).duration_s)
    controller.tick()  # step 1 ran its full time and moved on by itself: done
    controller.next_step()  # step 2 left at once: skipped
    assert [role(model, row, StepRole.STATUS) for row in range(3)] == [
        "done",
        "skipped",
        "current",
    ]
    assert [role(model, row, StepRole.STATUS_TEXT) for row in range(4)] == [
        "Done",
        "Skipped",
        "Now",
        "",
    ]
    assert "skipped" in model.data(model.index(1), Qt.ItemDataRole.AccessibleTextRole)
    # The selection follows the session, without turning into a preview.
    assert view.currentIndex().row() == 2
    assert controller.preview_index == -1


def test_selecting_a_step_previews_it(view: StepListView, controller: SessionController) -> None:
    model = view.step_model
    view.setCurrentIndex(model.index(3))
    assert controller.preview_index == 3
    assert controller.focus_zones() == controller.step(3).zones
    assert role(model, 3, StepRole.IS_PREVIEW) is True
    engine = controller.engine
    assert engine is not None
    assert engine.index == 0  # a preview does not move the session


def test_arrow_keys_move_the_preview(
    qtbot: Any, view: StepListView, controller: SessionController
) -> None:
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert controller.preview_index == 2
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert controller.preview_index == 1
    qtbot.keyClick(view, Qt.Key.Key_Up)  # back on the current step: no preview
    assert controller.preview_index == -1


def test_enter_jumps_the_session_there(
    qtbot: Any, view: StepListView, controller: SessionController
) -> None:
    controller.start()
    view.setCurrentIndex(view.step_model.index(4))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    engine = controller.engine
    assert engine is not None
    assert engine.index == 4
    assert engine.state is SessionState.RUNNING
    assert controller.preview_index == -1


def test_double_click_jumps_the_session_there(
    qtbot: Any, view: StepListView, controller: SessionController
) -> None:
    rect = view.visualRect(view.step_model.index(2))
    # A real double-click starts with a press and release, then the double-click.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert controller.preview_index == 2
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert controller.current_index == 2
    assert controller.preview_index == -1


def test_selecting_a_zone_marks_the_steps_on_it(
    qtbot: Any, view: StepListView, controller: SessionController
) -> None:
    model = view.step_model
    zone = controller.step(1).zones[0]
    expected = set(controller.steps_for_zone(zone))
    with qtbot.waitSignal(model.dataChanged, timeout=100):
        controller.select_zone(zone)
    marked = {row for row in range(model.rowCount()) if role(model, row, StepRole.ZONE_MATCH)}
    assert marked == expected
    assert 1 in marked
    row = min(marked)
    assert "selected zone" in model.data(model.index(row), Qt.ItemDataRole.AccessibleTextRole)
    controller.select_zone("")
    assert not any(role(model, r, StepRole.ZONE_MATCH) for r in range(model.rowCount()))


def test_loading_another_routine_resets_the_rows(
    view: StepListView, controller: SessionController, library: ContentLibrary
) -> None:
    controller.load_routine("lower-back-relief")
    assert view.step_model.rowCount() == len(library.routines["lower-back-relief"].steps)
    assert view.currentIndex().row() == 0


def test_rows_are_large_and_readable(view: StepListView) -> None:
    height = view.sizeHintForRow(0)
    assert height >= 3 * view.fontMetrics().height()
    assert view.accessibleName()


def test_a_preview_from_elsewhere_selects_its_row(
    view: StepListView, controller: SessionController
) -> None:
    controller.preview_step(5)  # e.g. from the diagram
    assert view.currentIndex().row() == 5
    assert controller.preview_index == 5
    controller.preview_step(-1)
    assert view.currentIndex().row() == controller.current_index


@pytest.mark.parametrize(
    ("name", "width_in_chars", "rest_in_chars", "expected"),
    [
        ("Kneading", 20, 20, ["Kneading"]),
        ("Thumb hold on tense points", 14, 14, ["Thumb hold on", "tense points"]),
        ("Heel-of-hand pressure", 10, 10, ["Heel-of-", "hand", "pressure"]),
        ("Heel-of-hand pressure", 14, 14, ["Heel-of-hand", "pressure"]),
        # Beside the step's time the first line is shorter than the ones below it.
        ("Reinforced middle-finger kneading", 12, 18, ["Reinforced", "middle-finger", "kneading"]),
        ("Thumb hold on tense points", 8, 20, ["Thumb", "hold on tense points"]),
        ("Herringbone stroking (Christmas tree)", 6, 10, ["Her…", "stroking", "(Christ…"]),
    ],
)
def test_a_long_technique_name_wraps_onto_at_most_three_lines(
    name: str, width_in_chars: int, rest_in_chars: int, expected: list[str]
) -> None:
    # A fixed-pitch font, so widths in characters are exact.
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    metrics = QFontMetrics(font)
    width = metrics.horizontalAdvance("x" * width_in_chars)
    rest = metrics.horizontalAdvance("x" * rest_in_chars)
    lines = StepDelegate.title_lines(metrics, name, width, rest)
    assert len(lines) == len(expected)
    for number, (line, wanted) in enumerate(zip(lines, expected, strict=True)):
        if wanted.endswith("…"):
            assert line.startswith(wanted[:-1])
            assert line.endswith("…")
        else:
            assert line == wanted
        assert metrics.horizontalAdvance(line) <= (rest if number else width)


def test_a_narrow_list_moves_the_time_rather_than_cut_a_word(
    qtbot: Any, view: StepListView
) -> None:
    delegate = view.itemDelegate()
    assert isinstance(delegate, StepDelegate)
    option = QStyleOptionViewItem()
    option.font = view.font()
    title, detail = delegate._fonts(option)
    metrics = QFontMetrics(title)
    names = [
        "Kneading",
        "Open-palm stroking",
        "Knuckle stripping",
        "Thumb hold on tense points",
        "Reinforced middle-finger kneading",
    ]
    moved = []
    for row_width in (400, 300, 230, 200):
        for name in names[:3] if row_width == 200 else names:
            lines, beside = delegate.title_layout(row_width, title, detail, name, "3:00")
            # No word of these names is cut at these widths: the time makes room.
            assert "…" not in "".join(lines), (row_width, name, lines)
            assert "".join(line if line.endswith("-") else line + " " for line in lines) == (
                name + " "
            )
            if not beside:
                moved.append((row_width, name))
    assert not any(width == 400 for width, _ in moved)  # a wide list keeps it beside
    assert (200, "Kneading") in moved  # the old layout cut it to "Kneadi…"
    for name in names:  # and the name's lines never run under the time beside them
        lines, beside = delegate.title_layout(230, title, detail, name, "3:00")
        if beside:
            room = 230 - 2 * delegate.PADDING - 14 - metrics.horizontalAdvance("00.") - 6
            assert (
                metrics.horizontalAdvance(lines[0]) + QFontMetrics(detail).horizontalAdvance("3:00")
                <= room
            )


def test_rows_grow_when_the_list_narrows_and_names_wrap(qtbot: Any, view: StepListView) -> None:
    view.resize(600, 700)
    view.show()
    qtbot.waitExposed(view)
    model = view.model()
    heights_wide = [
        view.visualRect(model.index(row, 0)).height() for row in range(model.rowCount())
    ]
    view.resize(250, 700)
    qtbot.waitUntil(
        lambda: (
            max(view.visualRect(model.index(r, 0)).height() for r in range(model.rowCount()))
            > max(heights_wide)
        )
    )
    delegate = view.itemDelegate()
    assert isinstance(delegate, StepDelegate)
    # Every row is as tall as its wrapped name needs: nothing is cut off at the bottom.
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        option = QStyleOptionViewItem()
        option.font = view.font()
        assert view.visualRect(index).height() == delegate.sizeHint(option, index).height()


def test_the_rows_width_follows_the_viewport(qtbot: Any, view: StepListView) -> None:
    # The delegate sizes rows from row_width, which is kept from the resize events
    # instead of read through viewport(): it must always be the viewport's width.
    assert view.row_width == view.viewport().width()
    for width in (250, 600, 330):
        view.resize(width, 700)
        assert view.row_width == view.viewport().width() < width
    # A short view shows the vertical scroll bar, which takes room from the rows.
    view.resize(420, 150)
    qtbot.waitUntil(lambda: view.verticalScrollBar().isVisible())
    assert view.row_width == view.viewport().width()
    view.resize(420, 2000)
    qtbot.waitUntil(lambda: not view.verticalScrollBar().isVisible())
    assert view.row_width == view.viewport().width()
