"""The handout as a user meets it: nothing overwritten unasked, failures explained, no
step lost off the page."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.ui import handout
from massage_trainer.ui.handout import export_handout_dialog, export_handout_pdf, print_handout


@pytest.fixture(autouse=True)
def _fresh_folder_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handout, "_last_export_folder", None, raising=False)


def _save_as(monkeypatch: pytest.MonkeyPatch, name: Path, seen: list[str] | None = None) -> None:
    def fake(parent: Any, title: str, start: str, filters: str, chosen: str) -> tuple[str, str]:
        if seen is not None:
            seen.append(start)
        return str(name), "PDF, A4 (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake)


def test_a_name_typed_without_pdf_does_not_replace_a_file_unasked(
    qtbot: Any, library: ContentLibrary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing = tmp_path / "class notes.pdf"
    existing.write_bytes(b"%PDF-1.4 the notes I wrote for my class")
    _save_as(monkeypatch, tmp_path / "class notes")  # the dialog checked this name only
    asked: list[str] = []

    def keep(*args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", keep)
    routine = library.routines["beginner-20"]
    assert export_handout_dialog(None, library, routine) is None
    assert asked
    assert "class notes.pdf already exists" in asked[0]
    assert existing.read_bytes() == b"%PDF-1.4 the notes I wrote for my class"

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert export_handout_dialog(None, library, routine) == existing
    assert existing.read_bytes().startswith(b"%PDF")
    assert existing.stat().st_size > 10_000


def test_the_next_export_starts_in_the_folder_of_the_last(
    qtbot: Any, library: ContentLibrary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "handouts"
    folder.mkdir()
    starts: list[str] = []
    _save_as(monkeypatch, folder / "first.pdf", starts)
    routine = library.routines["beginner-20"]
    assert export_handout_dialog(None, library, routine) == folder / "first.pdf"
    # The first time: Documents (or home), not wherever the app was started from.
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert Path(starts[0]).parent in {Path(documents), Path.home()}
    assert Path(starts[0]).name == "beginner-20-handout.pdf"
    assert export_handout_dialog(None, library, routine) is not None
    assert Path(starts[1]) == folder / "beginner-20-handout.pdf"


def test_a_printer_that_cannot_start_is_explained_not_a_crash(
    qtbot: Any, library: ContentLibrary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6 import QtPrintSupport

    real_dialog = QtPrintSupport.QPrintDialog
    unwritable = tmp_path / "no-such-folder" / "handout.pdf"

    class PrintToAMissingFolder:
        DialogCode = real_dialog.DialogCode

        def __init__(self, printer: Any, parent: Any = None) -> None:
            printer.setOutputFormat(QtPrintSupport.QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(unwritable))

        def setWindowTitle(self, title: str) -> None:
            pass

        def exec(self) -> Any:
            return real_dialog.DialogCode.Accepted

    warnings: list[str] = []

    def warning(*args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
        warnings.append(str(args[2]))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QtPrintSupport, "QPrintDialog", PrintToAMissingFolder)
    monkeypatch.setattr(QMessageBox, "warning", warning)
    assert print_handout(None, library, library.routines["beginner-20"]) is False
    assert warnings
    assert "was not printed" in warnings[0]
    assert "export the handout as a PDF" in warnings[0]
    assert not unwritable.exists()


def _words_by_page(path: Path) -> list[tuple[float, list[tuple[str, float, float]]]]:
    """Each page's height and its words as (text, top, bottom), from pdftotext -bbox."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for height, body in re.findall(r'<page width="[^"]+" height="([^"]+)">(.*?)</page>', out, re.S):
        words = [
            (text, float(top), float(bottom))
            for top, bottom, text in re.findall(
                r'<word xMin="[^"]+" yMin="([^"]+)" xMax="[^"]+" yMax="([^"]+)">([^<]*)</word>',
                body,
            )
        ]
        pages.append((float(height), words))
    return pages


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_a_long_routines_timeline_runs_on_instead_of_off_the_page(
    qtbot: Any, library: ContentLibrary, tmp_path: Path
) -> None:
    base = library.routines["beginner-20"]
    long = base.model_copy(update={"steps": base.steps * 5})  # 40 steps, 100 minutes
    target = tmp_path / "long.pdf"
    export_handout_pdf(target, library, long)
    pages = _words_by_page(target)
    for number, (height, words) in enumerate(pages, start=1):
        footer = min(top for text, top, _ in words if text == "Page")
        for text, top, bottom in words:
            assert bottom <= height, f"page {number}: {text!r} runs off the page"
            if abs(top - footer) > 2:
                assert bottom < footer, f"page {number}: {text!r} runs into the footer"
    text = " ".join(word for _, words in pages for word, _, _ in words)
    assert "99:30–100:00" in text  # the last step's row
    assert "Total" in text
    assert text.count("Clock") >= 2  # the table's header again on the next page
