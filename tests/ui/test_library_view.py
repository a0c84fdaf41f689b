"""The library panel: search as you type, pages from results and the diagram, links."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import pytest
from PySide6.QtCore import QPointF, QRectF, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QImage, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QMessageBox,
    QStyle,
    QStyleOptionComboBox,
)

from massage_trainer.domain.content import ContentLibrary, aftercare_items
from massage_trainer.domain.models import TechniqueFamily
from massage_trainer.domain.session import FakeClock
from massage_trainer.ui.controller import SessionController
from massage_trainer.ui.library_view import (
    DIAGRAM_SIZE,
    LibraryPanel,
    SearchResultsModel,
    make_library_dock,
    render_diagram_image,
)
from massage_trainer.ui.main_window import MainWindow


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture
def controller(library: ContentLibrary, fake_clock: FakeClock) -> SessionController:
    return SessionController(library, clock=fake_clock, get_ready_s=0)


@pytest.fixture
def panel(qtbot: Any, controller: SessionController) -> LibraryPanel:
    widget = LibraryPanel(controller)
    qtbot.addWidget(widget)
    widget.resize(700, 900)
    return widget


def _result_links(panel: LibraryPanel) -> list[str]:
    model = panel.results_model
    return [
        str(model.data(model.index(row, 0), SearchResultsModel.LinkRole))
        for row in range(model.rowCount())
    ]


def test_typing_an_alias_lists_its_techniques_first(qtbot: Any, panel: LibraryPanel) -> None:
    qtbot.keyClicks(panel.search_field, "kneading")
    links = _result_links(panel)
    assert links[:3] == [
        "technique:kneading",
        "technique:middle-finger-kneading",
        "technique:skin-rolling",
    ]
    assert "results" in panel.status.text()

    panel.search_field.clear()
    qtbot.keyClicks(panel.search_field, "cupp")  # as you type: a prefix is enough
    assert _result_links(panel)[0] == "technique:cupping"


def test_enter_in_the_search_field_opens_the_best_match(
    qtbot: Any, panel: LibraryPanel, library: ContentLibrary
) -> None:
    qtbot.keyClicks(panel.search_field, "tapping")
    qtbot.keyClick(panel.search_field, Qt.Key.Key_Return)
    assert panel.current_page() == "technique:tapping"
    text = _flat(panel.page_text())
    for step in library.technique("tapping").how_to:
        assert _flat(step) in text


def test_activating_a_result_shows_the_technique_page(
    panel: LibraryPanel, library: ContentLibrary
) -> None:
    panel.search_field.setText("thumb circles")
    index = panel.results_model.index(0, 0)
    panel.results.activated.emit(index)
    technique = library.technique("thumb-circles")
    text = _flat(panel.page_text())
    assert panel.current_page() == "technique:thumb-circles"
    assert technique.name in text
    assert _flat(technique.purpose) in text
    assert technique.hand_part in text
    assert technique.direction.label in text
    for line in (*technique.how_to, *technique.mistakes):
        assert _flat(line) in text
    # Where it may and may not be used, and which routines use it.
    assert "Muscle strip beside the spine (left)" in text
    assert "Where it must not be used" in text
    assert "Spine" in text.split("Where it must not be used", 1)[1]
    assert library.routines["beginner-20"].title in text


def test_filters_narrow_the_results(panel: LibraryPanel) -> None:
    panel.family_filter.setCurrentIndex(
        panel.family_filter.findData(TechniqueFamily.TAPOTEMENT.value)
    )
    links = _result_links(panel)
    techniques = [link for link in links if link.startswith("technique:")]
    assert techniques == ["technique:tapping", "technique:cupping"]
    assert "zone:spine" not in links

    panel.family_filter.setCurrentIndex(0)
    panel.zone_filter.setCurrentIndex(panel.zone_filter.findData("shoulder-blade-left"))
    links = _result_links(panel)
    assert "technique:open-palm-stroking" in links
    assert "technique:kneading" not in links

    panel.zone_filter.setCurrentIndex(0)
    panel.pressure_filter.setCurrentIndex(panel.pressure_filter.findData("firm"))
    panel.search_field.setText("xylophone")
    assert _result_links(panel) == []
    assert "Nothing found" in panel.status.text()


def test_clicking_a_zone_on_the_diagram_opens_its_page(
    panel: LibraryPanel, controller: SessionController, library: ContentLibrary
) -> None:
    controller.select_zone("kidney-left")
    zone = library.zone("kidney-left")
    text = _flat(panel.page_text())
    assert panel.current_page() == "zone:kidney-left"
    assert "No-go zone" in text
    assert _flat(zone.reason) in text
    assert "No technique and no pressure" in text
    # Clearing the selection leaves the page as it is.
    controller.select_zone("")
    assert panel.current_page() == "zone:kidney-left"


def test_zone_page_lists_the_current_routines_steps_on_it(
    panel: LibraryPanel, controller: SessionController, library: ContentLibrary
) -> None:
    controller.load_routine("beginner-20")
    controller.select_zone("paraspinal-left")
    text = _flat(panel.page_text())
    routine = library.routines["beginner-20"]
    numbers = [i + 1 for i, s in enumerate(routine.steps) if "paraspinal-left" in s.zones]
    assert numbers
    for number in numbers:
        assert f"Step {number}:" in text
    # Another routine loaded: the open zone page follows it.
    controller.load_routine("lower-back-relief")
    text = _flat(panel.page_text())
    assert library.routines["lower-back-relief"].title in text


def test_a_zone_page_gives_the_everyday_words_it_is_found_by(panel: LibraryPanel) -> None:
    panel.show_zone("shoulder-blade-left")
    text = _flat(panel.page_text())
    assert "left side · also searched as: scapula, scapulae" in text


def test_internal_links_navigate_and_back_returns(panel: LibraryPanel) -> None:
    panel.show_technique("kneading")
    panel.page_view.anchorClicked.emit(QUrl("zone:spine"))
    assert panel.current_page() == "zone:spine"
    assert "Spine" in panel.page_text()
    assert panel.back_button.isEnabled()
    panel.back()
    assert panel.current_page() == "technique:kneading"


def test_routine_link_loads_the_routine_and_shows_its_overview(
    panel: LibraryPanel, controller: SessionController, library: ContentLibrary
) -> None:
    panel.show_technique("thumb-circles")
    assert "routine:lower-back-relief" in panel.page_view.toHtml()
    with_signal: list[bool] = []
    controller.routine_changed.connect(lambda: with_signal.append(True))
    panel.page_view.anchorClicked.emit(QUrl("routine:lower-back-relief"))
    assert controller.routine is not None
    assert controller.routine.id == "lower-back-relief"
    assert with_signal
    routine = library.routines["lower-back-relief"]
    text = _flat(panel.page_text())
    assert panel.current_page() == "routine:lower-back-relief"
    assert routine.title in text
    assert "Total" in text
    prep = {p.id: p for p in library.safety.preparation}
    for item_id in routine.preparation:
        assert prep[item_id].title in text
    # The same aftercare as the app gives at the end of a session, wind-down included.
    after = aftercare_items(routine, library.safety)
    assert len(after) > len(routine.aftercare)
    for item in after:
        assert item.title in text


def test_routine_link_asks_before_resetting_a_running_session(
    panel: LibraryPanel, controller: SessionController, monkeypatch: pytest.MonkeyPatch
) -> None:
    controller.load_routine("beginner-20")
    controller.start()
    asked: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", refuse)
    panel.open_link("routine:lower-back-relief")
    assert asked
    assert controller.routine is not None
    assert controller.routine.id == "beginner-20"


def test_external_links_need_confirmation(
    panel: LibraryPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []

    def fake_open(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", fake_open)
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Open]
    questions: list[str] = []

    def answer(*args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
        questions.append(str(args[2]))
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", answer)
    panel.show_zone("spine")
    panel.page_view.anchorClicked.emit(QUrl("https://example.org/massage"))
    assert opened == []
    assert "https://example.org/massage" in questions[0]
    assert panel.current_page() == "zone:spine"

    panel.page_view.anchorClicked.emit(QUrl("https://example.org/massage"))
    assert [url.toString() for url in opened] == ["https://example.org/massage"]


def test_other_link_schemes_are_never_opened(
    panel: LibraryPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []

    def fake_open(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", fake_open)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(str(a[2])))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Open)
    panel.open_link("file:///etc/passwd")
    assert opened == []
    assert told


def test_content_is_escaped_and_no_remote_resource_loads(
    qtbot: Any, library: ContentLibrary, fake_clock: FakeClock
) -> None:
    routine = library.routines["beginner-20"]
    hostile = routine.model_copy(
        update={"title": '<img src="http://example.org/x.png"><a href="https://x.test">x</a>'}
    )
    routines = dict(library.routines)
    routines[routine.id] = hostile
    changed = dataclasses.replace(library, routines=MappingProxyType(routines))
    controller = SessionController(changed, clock=fake_clock)
    panel = LibraryPanel(controller)
    qtbot.addWidget(panel)
    panel.show_routine(routine.id)
    assert '<img src="http://example.org/x.png">' in panel.page_text()
    assert "https://x.test" not in [
        QUrl(href).toString() for href in re.findall(r'href="([^"]+)"', panel.page_view.toHtml())
    ]
    resource = panel.page_view.loadResource(
        int(QTextDocument.ResourceType.ImageResource), QUrl("http://example.org/x.png")
    )
    assert resource is None


def _zone_tint(image: QImage, library: ContentLibrary, zone_id: str) -> float:
    """The average green-over-red excess of the zone's pixels in a rendered diagram."""
    from massage_trainer.ui.handout import diagram_geometry

    geometry = diagram_geometry()
    path = geometry.zones[zone_id]
    view = geometry.view
    target = QRectF(4, 4, DIAGRAM_SIZE.width() - 8, DIAGRAM_SIZE.height() - 8)
    scale = min(target.width() / view.width(), target.height() / view.height())
    off_x = target.left() + (target.width() - view.width() * scale) / 2
    off_y = target.top() + (target.height() - view.height() * scale) / 2
    ratio = image.devicePixelRatio()
    box = path.boundingRect()
    total, count = 0.0, 0
    for i in range(20):
        for j in range(20):
            point = QPointF(
                box.left() + box.width() * (i + 0.5) / 20, box.top() + box.height() * (j + 0.5) / 20
            )
            if not path.contains(point):
                continue
            x = (off_x + (point.x() - view.left()) * scale) * ratio
            y = (off_y + (point.y() - view.top()) * scale) * ratio
            colour = QColor(image.pixel(int(x), int(y)))
            total += colour.green() - colour.red()
            count += 1
    assert count > 0
    return total / count


def test_technique_diagram_fills_allowed_zones(library: ContentLibrary) -> None:
    allowed = {"upper-back", "between-shoulder-blades", "lower-back", "hips"}
    image = render_diagram_image(
        library, worked=allowed, movement_on=allowed, technique=library.technique("tapping")
    )
    strong = _zone_tint(image, library, "upper-back")
    pale = _zone_tint(image, library, "shoulder-girdle-left")
    no_go = _zone_tint(image, library, "spine")
    assert strong > pale + 20
    assert no_go < 0  # red, hatched


def test_technique_page_embeds_its_diagram(panel: LibraryPanel) -> None:
    panel.show_technique("tapping")
    html_text = panel.page_view.toHtml()
    sources = re.findall(r'<img src="([^"]+)"', html_text)
    assert sources == ["library-image:technique/tapping"]
    image = panel.page_view.loadResource(
        int(QTextDocument.ResourceType.ImageResource), QUrl(sources[0])
    )
    assert isinstance(image, QImage)
    assert not image.isNull()


def test_dock_and_focus_search(qtbot: Any, controller: SessionController) -> None:
    dock = make_library_dock(controller)
    qtbot.addWidget(dock)
    assert isinstance(dock, QDockWidget)
    assert dock.objectName() == "library-dock"
    panel = dock.widget()
    assert isinstance(panel, LibraryPanel)
    dock.show()
    qtbot.waitExposed(dock)
    dock.activateWindow()
    panel.search_field.setText("spine")
    panel.focus_search()
    qtbot.waitUntil(panel.search_field.hasFocus)
    assert panel.search_field.selectedText() == "spine"


def test_a_library_built_with_a_zone_selected_opens_on_that_zone(
    qtbot: Any, controller: SessionController
) -> None:
    controller.select_zone("kidney-left")
    built = LibraryPanel(controller)
    qtbot.addWidget(built)
    assert built.current_page() == "zone:kidney-left"


def _cut_entries(combo: QComboBox) -> list[str]:
    """The combo box's entries too wide for its text field (shown cut: "Any pressu…")."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    metrics = combo.fontMetrics()
    texts = [combo.itemText(i) for i in range(combo.count())]
    return [text for text in texts if metrics.horizontalAdvance(text) > field.width()]


def test_the_filters_are_readable_at_the_docks_default_width(
    qtbot: Any, make_main_window: Callable[[], MainWindow]
) -> None:
    window = make_main_window()
    window.resize(1440, 900)
    window.show()
    qtbot.waitExposed(window)
    dock = window.library_dock()
    panel = dock.widget()
    assert isinstance(panel, LibraryPanel)
    # The main window lays the new dock out in a few posted steps.
    qtbot.waitUntil(lambda: panel.width() >= panel.sizeHint().width())
    # The dock stays a side panel, and every filter entry reads in full.
    assert dock.width() < window.width() // 3
    for combo in (panel.family_filter, panel.pressure_filter, panel.zone_filter):
        assert _cut_entries(combo) == [], combo.accessibleName()
