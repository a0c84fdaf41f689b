"""The library as a user drives it: keys, clear messages, reasons, places kept."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.search import MatchRank
from massage_trainer.domain.session import FakeClock
from massage_trainer.ui.controller import SessionController
from massage_trainer.ui.library_view import LibraryPanel, SearchResultsModel


@pytest.fixture
def controller(library: ContentLibrary, fake_clock: FakeClock) -> SessionController:
    return SessionController(library, clock=fake_clock, get_ready_s=0)


@pytest.fixture
def panel(qtbot: Any, controller: SessionController) -> LibraryPanel:
    widget = LibraryPanel(controller)
    qtbot.addWidget(widget)
    widget.resize(420, 700)
    return widget


def _shown(qtbot: Any, panel: LibraryPanel) -> None:
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()


def test_down_arrow_goes_from_the_search_into_the_results_and_up_comes_back(
    qtbot: Any, panel: LibraryPanel
) -> None:
    _shown(qtbot, panel)
    panel.focus_search()
    qtbot.waitUntil(panel.search_field.hasFocus)
    qtbot.keyClicks(panel.search_field, "kidney")
    qtbot.keyClick(panel.search_field, Qt.Key.Key_Down)
    qtbot.waitUntil(panel.results.hasFocus)
    assert panel.results.currentIndex().row() == 0
    qtbot.keyClick(panel.results, Qt.Key.Key_Down)
    assert panel.results.currentIndex().row() == 1
    qtbot.keyClick(panel.results, Qt.Key.Key_Return)
    assert panel.current_page() == "zone:kidney-right"
    qtbot.keyClick(panel.results, Qt.Key.Key_Up)
    assert panel.results.currentIndex().row() == 0
    qtbot.keyClick(panel.results, Qt.Key.Key_Up)
    qtbot.waitUntil(panel.search_field.hasFocus)
    assert panel.search_field.text() == "kidney"


def test_filters_that_hide_every_match_say_so(panel: LibraryPanel) -> None:
    panel.pressure_filter.setCurrentIndex(panel.pressure_filter.findData("firm"))
    panel.search_field.setText("cupping")  # a moderate technique
    assert panel.results_model.rowCount() == 0
    status = panel.status.text()
    assert "with these filters" in status
    assert "3 results with any family, pressure and zone" in status
    # Without filters a real miss stays a plain miss.
    panel.pressure_filter.setCurrentIndex(0)
    panel.search_field.setText("xylophone")
    assert panel.status.text() == "Nothing found for “xylophone”"


def test_a_result_found_only_in_its_text_says_where(panel: LibraryPanel) -> None:
    panel.search_field.setText("oil")
    model = panel.results_model
    rows = [row for row in range(model.rowCount()) if model.hit(row).rank is MatchRank.DESCRIPTION]
    assert rows
    for row in rows:
        second_line = str(model.data(model.index(row, 0), SearchResultsModel.SubtitleRole))
        assert second_line.startswith("Mentions: ")
        assert "oil" in second_line.lower()
    # Name matches keep their family and pressure line.
    panel.search_field.setText("cupping")
    assert "Tapotement" in str(model.data(model.index(0, 0), SearchResultsModel.SubtitleRole))


def test_the_start_page_lists_every_zone(panel: LibraryPanel, library: ContentLibrary) -> None:
    html = panel.page_view.toHtml()
    for zone_id in library.zones:
        assert f'href="zone:{zone_id}"' in html
    assert "No-go zones:" in panel.page_text()
    panel.page_view.anchorClicked.emit(QUrl("zone:hips"))
    assert panel.current_page() == "zone:hips"


def test_back_returns_to_the_place_on_the_page(qtbot: Any, panel: LibraryPanel) -> None:
    _shown(qtbot, panel)
    panel.show_technique("kneading")
    bar = panel.page_view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 200)
    bar.setValue(bar.maximum() - 10)
    where = bar.value()
    panel.page_view.anchorClicked.emit(QUrl("zone:spine"))
    assert bar.value() == 0
    panel.back()
    assert panel.current_page() == "technique:kneading"
    assert bar.value() == where


def test_a_new_routine_shows_on_an_open_page_without_losing_the_place(
    qtbot: Any, panel: LibraryPanel, controller: SessionController, library: ContentLibrary
) -> None:
    _shown(qtbot, panel)
    panel.show_technique("thumb-circles")
    bar = panel.page_view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 200)
    bar.setValue(bar.maximum())
    where = bar.value()
    copy = library.routines["beginner-20"].model_copy(
        update={"id": "my-evening", "title": "My evening routine"}
    )
    routines = dict(library.routines)
    routines[copy.id] = copy
    controller.set_library(dataclasses.replace(library, routines=MappingProxyType(routines)))
    assert "My evening routine" in panel.page_text()
    assert panel.current_page() == "technique:thumb-circles"
    assert bar.value() == where


def test_a_routine_page_whose_routine_was_deleted_says_so(
    panel: LibraryPanel, controller: SessionController, library: ContentLibrary
) -> None:
    panel.show_routine("lower-back-relief")
    routines = {k: v for k, v in library.routines.items() if k != "lower-back-relief"}
    controller.set_library(dataclasses.replace(library, routines=MappingProxyType(routines)))
    text = panel.page_text()
    assert "Routine not found" in text
    assert "deleted or renamed" in text
    assert library.routines["lower-back-relief"].title not in text


def test_a_routine_page_follows_the_routine_loaded_elsewhere(
    panel: LibraryPanel, controller: SessionController
) -> None:
    panel.show_routine("lower-back-relief")
    assert "Open this routine for practice" in panel.page_text()
    controller.load_routine("lower-back-relief")  # from the routine picker, say
    assert "Open this routine for practice" not in panel.page_text()


def _result_links(panel: LibraryPanel) -> list[str]:
    model = panel.results_model
    return [
        str(model.data(model.index(row, 0), SearchResultsModel.LinkRole))
        for row in range(model.rowCount())
    ]


def test_a_routine_is_found_by_its_title_or_audience_and_opens_its_page(
    qtbot: Any, panel: LibraryPanel, controller: SessionController, library: ContentLibrary
) -> None:
    controller.load_routine("classic-home")
    qtbot.keyClicks(panel.search_field, "beginner")
    assert _result_links(panel)[0] == "routine:beginner-20"
    model = panel.results_model
    second_line = str(model.data(model.index(0, 0), SearchResultsModel.SubtitleRole))
    assert second_line == "Routine · 20 min · For beginners"
    qtbot.keyClick(panel.search_field, Qt.Key.Key_Return)
    # The routine's page, with a way to open it; the session keeps its routine.
    assert panel.current_page() == "routine:beginner-20"
    text = panel.page_text()
    assert library.routines["beginner-20"].title in text
    assert "Open this routine for practice" in text
    assert controller.routine is not None
    assert controller.routine.id == "classic-home"
    panel.page_view.anchorClicked.emit(QUrl("routine:beginner-20"))
    assert controller.routine.id == "beginner-20"

    panel.search_field.clear()
    qtbot.keyClicks(panel.search_field, "lower back relief")
    assert _result_links(panel)[0] == "routine:lower-back-relief"


def test_the_users_own_routine_is_found_by_its_title(
    qtbot: Any, panel: LibraryPanel, controller: SessionController, library: ContentLibrary
) -> None:
    mine = library.routines["beginner-20"].model_copy(
        update={"id": "my-evening", "title": "My evening unwind"}
    )
    routines = dict(library.routines)
    routines[mine.id] = mine
    controller.set_library(dataclasses.replace(library, routines=MappingProxyType(routines)))
    qtbot.keyClicks(panel.search_field, "evening")
    assert _result_links(panel) == ["routine:my-evening"]
    panel.results.clicked.emit(panel.results_model.index(0, 0))
    assert "My evening unwind" in panel.page_text()


def test_arrow_keys_in_the_results_show_each_page_and_keep_the_focus(
    qtbot: Any, panel: LibraryPanel, library: ContentLibrary
) -> None:
    _shown(qtbot, panel)
    panel.show_zone("hips")  # a page opened before the search, say from the diagram
    panel.focus_search()
    qtbot.waitUntil(panel.search_field.hasFocus)
    qtbot.keyClicks(panel.search_field, "kneading")
    links = _result_links(panel)
    assert len(links) >= 4
    qtbot.keyClick(panel.search_field, Qt.Key.Key_Down)
    qtbot.waitUntil(panel.results.hasFocus)
    assert panel.current_page() == links[0]
    for row in range(1, 4):
        qtbot.keyClick(panel.results, Qt.Key.Key_Down)
        assert panel.current_page() == links[row]
        assert panel.results.hasFocus()
    technique = library.technique(links[3].removeprefix("technique:"))
    assert technique.name in panel.page_text()
    # Back does not walk through every result seen: it goes to the page before them.
    panel.back()
    assert panel.current_page() == "zone:hips"
    panel.back()
    assert panel.current_page() == ""
    assert not panel.back_button.isEnabled()


def test_back_from_a_link_on_a_browsed_result_returns_to_that_result(
    qtbot: Any, panel: LibraryPanel
) -> None:
    _shown(qtbot, panel)
    panel.search_field.setText("kidney")
    panel.results.setFocus()
    panel.results.setCurrentIndex(panel.results_model.index(0, 0))
    qtbot.keyClick(panel.results, Qt.Key.Key_Down)
    browsed = panel.current_page()
    assert browsed == "zone:kidney-right"
    panel.page_view.anchorClicked.emit(QUrl("zone:spine"))
    assert panel.current_page() == "zone:spine"
    panel.back()
    assert panel.current_page() == browsed
    panel.back()
    assert panel.current_page() == ""  # the start page, where the panel opened
    assert not panel.back_button.isEnabled()
