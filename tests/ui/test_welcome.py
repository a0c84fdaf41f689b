"""Getting started: the guide at the first start and in the Help menu."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.ui.main_window import MainWindow
from massage_trainer.ui.welcome import GettingStartedDialog


def test_the_guide_covers_a_safe_first_session(qtbot: Any, library: ContentLibrary) -> None:
    dialog = GettingStartedDialog()
    qtbot.addWidget(dialog)
    text = dialog.guide_text()
    for words in (
        "never pressed",
        "the spine, the kidney areas, the floating ribs and the armpits",
        "Press Space",
        "health questions",
        "no massage today",
        "press P",
        "Practice mode",
        "Zone quiz",
        "Presenter mode",
    ):
        assert words in text, words
    # The routine it recommends exists, under that title.
    titles = {routine.title for routine in library.routines.values()}
    assert "First 20 minutes: a beginner's back massage" in titles
    assert "“First 20 minutes: a beginner's back massage”" in text


def test_the_keys_the_guide_names_are_the_windows_keys(
    make_main_window: Callable[[], MainWindow],
) -> None:
    window = make_main_window()
    text = GettingStartedDialog(window).guide_text()
    for action, keys in (
        (window.choose_routine_action, "Ctrl+O"),
        (window.library_action, "Ctrl+L"),
        (window.presenter_action, "F5"),
        (window.routine_editor_action, "Ctrl+E"),
        (window.pain_action, "P"),
        (window.auto_advance_action, "A"),
        (window.start_pause_action, "Space"),
    ):
        assert keys in text
        assert keys in [key.toString() for key in action.shortcuts()], action.text()


def test_it_opens_by_itself_at_the_first_start_only(
    qtbot: Any, make_main_window: Callable[[], MainWindow]
) -> None:
    first = make_main_window()
    first.show()
    assert first.welcome_if_new()
    guide = first._guide
    assert isinstance(guide, GettingStartedDialog)
    assert guide.isVisible()
    assert not guide.isModal()  # the session window stays usable beside it
    assert not first.welcome_if_new()  # once
    first.settings.sync()
    again = make_main_window()
    assert not again.welcome_if_new()  # and not at the next start
    assert again._guide is None
    guide.close()


def test_help_opens_it_and_a_second_time_raises_the_same_one(
    qtbot: Any, make_main_window: Callable[[], MainWindow]
) -> None:
    window = make_main_window()
    window.show()
    window.guide_action.trigger()
    guide = window._guide
    assert guide is not None
    assert guide.isVisible()
    window.guide_action.trigger()
    assert window._guide is guide
    guide.close()  # closing deletes it; the next time opens a new one
    qtbot.waitUntil(lambda: window._guide is None)
    reopened = window.show_getting_started()
    assert reopened is not guide
    reopened.close()
