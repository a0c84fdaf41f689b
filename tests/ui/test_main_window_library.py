"""The library and handouts inside the main window: built on first use, opened from the
diagram, searched with Ctrl+F, and exported from the File menu."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from massage_trainer.cli import main
from massage_trainer.domain.content import ContentLibrary
from massage_trainer.ui.library_view import LibraryPanel
from massage_trainer.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: Any, make_main_window: Callable[[], MainWindow]) -> MainWindow:
    window = make_main_window()
    window.controller.load_routine("beginner-20")
    window.show()
    qtbot.waitExposed(window)
    return window


def panel_of(window: MainWindow) -> LibraryPanel:
    panel = window.library_dock(show=False).widget()
    assert isinstance(panel, LibraryPanel)
    return panel


def test_the_library_is_not_built_at_start(window: MainWindow) -> None:
    assert window.findChild(LibraryPanel) is None


def test_clicking_a_zone_on_the_diagram_opens_its_page(qtbot: Any, window: MainWindow) -> None:
    diagram = window.diagram
    centre = diagram.zone_path("kidney-left")
    assert centre is not None
    point = diagram.map_from_diagram(centre.boundingRect().center())
    qtbot.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=point.toPoint())
    panel = panel_of(window)
    assert panel.isVisible()
    assert panel.current_page() == "zone:kidney-left"
    assert "kidney" in panel.page_text().lower()
    # Later clicks follow in the same panel.
    spine = diagram.zone_path("spine")
    assert spine is not None
    QApplication.processEvents()  # the dock took its place; the diagram was resized
    point = diagram.map_from_diagram(spine.boundingRect().center())
    qtbot.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=point.toPoint())
    assert panel.current_page() == "zone:spine"


def test_ctrl_f_puts_the_cursor_in_the_library_search(qtbot: Any, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(window.step_list, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    panel = panel_of(window)
    qtbot.waitUntil(lambda: panel.search_field.hasFocus(), timeout=2000)
    qtbot.keyClicks(panel.search_field, "cupping")
    assert "cupping" in panel.search_field.text()


def test_file_export_handout_writes_a_pdf(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "handout"
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        lambda *args, **kwargs: (str(target), "PDF, US Letter (*.pdf)"),
    )
    window.export_handout_action.trigger()
    written = tmp_path / "handout.pdf"
    assert written.read_bytes().startswith(b"%PDF")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_handout_command_writes_every_step(library: ContentLibrary, tmp_path: Path) -> None:
    output = tmp_path / "card.pdf"
    assert main(["handout", "lower-back-relief", "-o", str(output)]) == 0
    text = subprocess.run(
        ["pdftotext", "-layout", str(output), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for step in library.routines["lower-back-relief"].steps:
        assert library.techniques[step.technique].name in flat


def test_the_handout_command_names_an_unknown_routine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["handout", "no-such", "-o", str(tmp_path / "x.pdf")]) == 1
    assert "no-such" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
