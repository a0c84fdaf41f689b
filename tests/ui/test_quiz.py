"""The zone quiz window: played through by keyboard and by clicks on the diagram."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.quiz import Question, QuestionKind
from massage_trainer.domain.zone_geometry import ZoneGeometry
from massage_trainer.ui.diagram import BackDiagramView
from massage_trainer.ui.main_window import MainWindow
from massage_trainer.ui.preferences import Preferences
from massage_trainer.ui.quiz import ZoneQuizDialog
from massage_trainer.ui.zone_shapes import load_back_shapes
from tests.ui.test_diagram_names import names_in, revealed_text, zone_names
from tests.ui.test_diagram_tiers import TIER_WORDS, tiers_look_alike, tiers_told_apart


def make_dialog(
    qtbot: Any, library: ContentLibrary, preferences: Preferences, seed: int
) -> ZoneQuizDialog:
    dialog = ZoneQuizDialog(library, preferences, rng=random.Random(seed))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    # Its keys are window shortcuts: they work once the quiz is the active window.
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    return dialog


@pytest.fixture
def geometry(library: ContentLibrary) -> ZoneGeometry:
    return ZoneGeometry.from_diagram(load_back_shapes().diagram, library.zones)


def right_key(question: Question) -> str:
    """The key a learner who knows the answer presses."""
    if question.answered_on_diagram:
        number = next(i for i, z in enumerate(question.candidates, 1) if z in question.correct)
        return str(number)
    if question.kind is QuestionKind.MAY_USE:
        return "Y" if "yes" in question.correct else "N"
    number = next(i for i, c in enumerate(question.choices, 1) if c.key in question.correct)
    return str(number)


def wrong_key(question: Question) -> str:
    if question.answered_on_diagram:
        number = next(i for i, z in enumerate(question.candidates, 1) if z not in question.correct)
        return str(number)
    if question.kind is QuestionKind.MAY_USE:
        return "N" if "yes" in question.correct else "Y"
    number = next(i for i, c in enumerate(question.choices, 1) if c.key not in question.correct)
    return str(number)


def press(qtbot: Any, dialog: ZoneQuizDialog, key: str) -> None:
    widget = QApplication.focusWidget() or dialog
    if key == "Enter":
        qtbot.keyClick(widget, Qt.Key.Key_Return)
    else:
        qtbot.keyClick(widget, key)


def test_the_quiz_played_by_keyboard_ends_with_a_score(
    qtbot: Any, library: ContentLibrary, preferences: Preferences
) -> None:
    dialog = make_dialog(qtbot, library, preferences, seed=11)
    kinds = set()
    wrong_given = 0
    number = 0
    while (question := dialog.current_question()) is not None:
        kinds.add(question.kind)
        assert dialog.progress_label.text().startswith(f"Question {number + 1} of 8")
        assert dialog.prompt_label.text() == question.prompt
        # Every third answer is wrong on purpose.
        key = wrong_key(question) if number % 3 == 2 else right_key(question)
        wrong_given += number % 3 == 2
        press(qtbot, dialog, key)
        result = dialog.last_result()
        assert result is not None
        assert result.correct is (number % 3 != 2)
        shown = dialog.feedback_label.accessibleDescription()
        assert shown.startswith(result.verdict)
        assert question.explanation in shown
        press(qtbot, dialog, "Enter")
        number += 1
    assert kinds == set(QuestionKind)
    assert number == 8
    assert dialog.quiz.score == 8 - wrong_given
    assert dialog.prompt_label.text() == f"Your score: {8 - wrong_given} of 8"
    assert dialog.detail_label.text().startswith(f"{8 - wrong_given} of 8 right.")
    assert dialog.again_button.isVisible()
    assert not dialog.next_button.isVisible()
    dialog.again_button.click()
    assert dialog.current_question() is not None
    assert dialog.quiz.score == 0


def test_enter_waits_for_an_answer_and_wrong_kinds_of_key_do_nothing(
    qtbot: Any, library: ContentLibrary, preferences: Preferences
) -> None:
    dialog = make_dialog(qtbot, library, preferences, seed=11)
    first = dialog.current_question()
    assert first is not None
    press(qtbot, dialog, "Enter")
    assert dialog.current_question() is first
    if first.choices and first.kind is not QuestionKind.MAY_USE:
        press(qtbot, dialog, "Y")
        assert dialog.last_result() is None


def find_dialog(
    qtbot: Any,
    library: ContentLibrary,
    preferences: Preferences,
    wanted: Callable[[Question], bool],
) -> tuple[ZoneQuizDialog, Question]:
    """A quiz that opens with a question ``wanted`` says yes to."""
    for seed in range(50):
        dialog = make_dialog(qtbot, library, preferences, seed)
        question = dialog.current_question()
        assert question is not None
        if wanted(question):
            return dialog, question
        dialog.close()
    raise AssertionError("no quiz opened with the question wanted")


def find_zone_dialog(
    qtbot: Any, library: ContentLibrary, preferences: Preferences
) -> tuple[ZoneQuizDialog, Question]:
    """A quiz that opens with a "click the zone" question."""
    return find_dialog(qtbot, library, preferences, lambda q: q.answered_on_diagram)


def test_a_zone_is_found_by_clicking_the_diagram(
    qtbot: Any, library: ContentLibrary, preferences: Preferences, geometry: ZoneGeometry
) -> None:
    dialog, question = find_zone_dialog(qtbot, library, preferences)
    view = dialog.view
    assert isinstance(view, BackDiagramView)
    assert view.highlighted_zones() == ()  # the answer is not shown before it is given
    assert len(dialog.marked_spots()) == 4
    zone_id = sorted(question.correct)[0]
    point = view.map_from_diagram(QPointF(*geometry.interior_point(zone_id))).toPoint()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point)
    result = dialog.last_result()
    assert result is not None
    assert result.correct
    assert set(view.highlighted_zones()) == set(question.correct)
    assert dialog.marked_spots() == []


def test_a_click_on_the_wrong_zone_says_which_it_was(
    qtbot: Any, library: ContentLibrary, preferences: Preferences, geometry: ZoneGeometry
) -> None:
    dialog, question = find_zone_dialog(qtbot, library, preferences)
    view = dialog.view
    assert isinstance(view, BackDiagramView)
    wrong = next(z for z in ("spine", "hips", "neck") if z not in question.correct)
    point = view.map_from_diagram(QPointF(*geometry.interior_point(wrong))).toPoint()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point)
    result = dialog.last_result()
    assert result is not None
    assert not result.correct
    assert dialog.quiz.zone_names[wrong] in result.verdict


def test_a_click_beside_the_body_is_no_zone(
    qtbot: Any, library: ContentLibrary, preferences: Preferences
) -> None:
    dialog, _question = find_zone_dialog(qtbot, library, preferences)
    view = dialog.view
    assert isinstance(view, BackDiagramView)
    qtbot.mouseClick(
        view, Qt.MouseButton.LeftButton, pos=view.map_from_diagram(QPointF(20, 500)).toPoint()
    )
    result = dialog.last_result()
    assert result is not None
    assert result.verdict.startswith("That was no zone.")


@pytest.mark.parametrize(
    "wanted",
    [
        pytest.param(lambda q: q.answered_on_diagram, id="click-the-zone"),
        pytest.param(lambda q: q.kind is QuestionKind.PRESSURE, id="pressure-of-a-zone"),
    ],
)
def test_while_a_question_is_open_the_diagram_names_no_zone(
    qtbot: Any,
    library: ContentLibrary,
    preferences: Preferences,
    wanted: Callable[[Question], bool],
) -> None:
    # Hover tips, the Up and Down keys (which step from zone to zone naming each) and
    # the description a screen reader reads would all give the answer away: the name
    # of the zone to click, or the rule of the zone highlighted.
    dialog, question = find_dialog(qtbot, library, preferences, wanted)
    view = dialog.view
    assert isinstance(view, BackDiagramView)
    assert view.names_hidden
    text = revealed_text(qtbot, view, library)
    assert names_in(text, library) == set()
    assert "pointed at" not in text
    assert "pressure" not in text  # no zone's rule either
    assert dialog.last_result() is None  # hovering and the keys answered nothing

    dialog.choose(1)  # answered: now the tips and keys may show the zones
    assert not view.names_hidden
    text = revealed_text(qtbot, view, library)
    assert names_in(text, library) == zone_names(library)
    # The quiz's steps are made up: the tips list no step numbers.
    assert "steps on this zone" not in text

    dialog.next_question()
    assert dialog.current_question() is not None
    assert view.names_hidden  # the next question hides them again


@pytest.mark.parametrize(
    "wanted",
    [
        pytest.param(lambda q: q.answered_on_diagram, id="click-the-zone"),
        pytest.param(lambda q: q.kind is QuestionKind.MAY_USE, id="may-use-here"),
        pytest.param(lambda q: q.kind is QuestionKind.PRESSURE, id="pressure-of-a-zone"),
    ],
)
def test_while_a_question_is_open_the_diagram_shows_no_tiers(
    qtbot: Any,
    library: ContentLibrary,
    preferences: Preferences,
    wanted: Callable[[Question], bool],
) -> None:
    # Red hatching on the zone asked about ("May you knead here?"), the legend's "Caution:
    # light only" ("What pressure is allowed over the neck?") or the red zones ("Click the
    # floating ribs") would all give the answer away.
    dialog, question = find_dialog(qtbot, library, preferences, wanted)
    view = dialog.view
    assert isinstance(view, BackDiagramView)
    assert view.tiers_hidden
    assert tiers_look_alike(view, library)
    legend = " ".join(view.legend_texts()).lower()
    assert not [word for word in TIER_WORDS if word in legend]
    assert "Asked about" in view.legend_texts()

    press(qtbot, dialog, wrong_key(question))
    assert dialog.last_result() is not None
    # Answered: the explanation's rule is seen in the zones' real colours.
    assert not view.tiers_hidden
    assert not tiers_look_alike(view, library)
    assert "No-go: never press" in view.legend_texts()

    press(qtbot, dialog, "Enter")
    assert dialog.current_question() is not None
    assert view.tiers_hidden  # the next question hides them again
    assert tiers_look_alike(view, library)


def test_the_score_shows_the_zones_in_their_tiers_colours(
    qtbot: Any, library: ContentLibrary, preferences: Preferences
) -> None:
    dialog = make_dialog(qtbot, library, preferences, seed=11)
    view = dialog.view
    assert isinstance(view, BackDiagramView)
    while (question := dialog.current_question()) is not None:
        assert view.tiers_hidden
        press(qtbot, dialog, right_key(question))
        assert not view.tiers_hidden
        press(qtbot, dialog, "Enter")
    assert dialog.again_button.isVisible()  # the score
    assert not view.tiers_hidden
    assert tiers_told_apart(view, library)
    dialog.again_button.click()
    assert view.tiers_hidden


def test_a_click_on_the_diagram_answers_only_a_click_question(
    qtbot: Any, library: ContentLibrary, preferences: Preferences, geometry: ZoneGeometry
) -> None:
    dialog, _question = find_dialog(qtbot, library, preferences, lambda q: bool(q.choices))
    view = dialog.view
    assert isinstance(view, BackDiagramView)
    point = view.map_from_diagram(QPointF(*geometry.interior_point("spine"))).toPoint()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point)
    assert dialog.last_result() is None
    assert view.selected_zone() == ""  # the black outline is only for a wrong click


def test_a_question_about_a_zone_highlights_it(
    qtbot: Any, library: ContentLibrary, preferences: Preferences
) -> None:
    for seed in range(50):
        dialog = make_dialog(qtbot, library, preferences, seed)
        question = dialog.current_question()
        assert question is not None
        if question.zone_id is not None:
            break
        dialog.close()
    else:
        raise AssertionError("no quiz opened with a zone question")
    view = dialog.view
    assert isinstance(view, BackDiagramView)
    assert view.highlighted_zones() == (question.zone_id,)
    assert question.detail in dialog.detail_label.text()
    # The outline is what the question asks about: the legend and the description say
    # so, not "This step" as in a session.
    assert "Asked about:" in view.accessibleDescription()
    assert "This step" not in view.accessibleDescription()
    assert ("focus", "Asked about") in view._legend_items()


def test_the_main_window_opens_the_quiz_with_its_keys(
    qtbot: Any, make_main_window: Callable[[], MainWindow]
) -> None:
    window = make_main_window()
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    assert window.zone_quiz_action.shortcuts()[0].toString() == "Ctrl+Shift+Q"
    qtbot.keyClick(
        window.step_list,
        Qt.Key.Key_Q,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialogs = window.findChildren(ZoneQuizDialog)
    assert len(dialogs) == 1
    assert dialogs[0].isVisible()
    assert dialogs[0].current_question() is not None
    dialogs[0].close()


def test_numbered_spots_lie_on_their_zones(
    qtbot: Any, library: ContentLibrary, preferences: Preferences, geometry: ZoneGeometry
) -> None:
    dialog, question = find_zone_dialog(qtbot, library, preferences)
    for spot, zone_id in zip(dialog.marked_spots(), question.candidates, strict=True):
        assert geometry.zone_at(spot.x(), spot.y()) == zone_id


def test_enter_presses_the_button_with_the_focus(
    qtbot: Any, library: ContentLibrary, preferences: Preferences
) -> None:
    dialog = make_dialog(qtbot, library, preferences, seed=11)
    question = dialog.current_question()
    assert question is not None
    assert question.choices  # seed 11 opens with a question to choose from
    # Tab to the right choice and press Enter: that answers with it.
    number = next(i for i, c in enumerate(question.choices) if c.key in question.correct)
    dialog.choice_buttons[number].setFocus(Qt.FocusReason.TabFocusReason)
    press(qtbot, dialog, "Enter")
    result = dialog.last_result()
    assert result is not None
    assert result.correct
    press(qtbot, dialog, "Enter")  # and Enter goes on, as before
    assert dialog.quiz.index == 1
    while (question := dialog.current_question()) is not None:
        press(qtbot, dialog, right_key(question))
        press(qtbot, dialog, "Enter")
    # The score: Play again has the focus, and Enter plays again.
    assert dialog.again_button.hasFocus()
    press(qtbot, dialog, "Enter")
    assert dialog.current_question() is not None
    assert dialog.quiz.index == 0
    assert dialog.quiz.results == []
