"""Routine handouts: a PDF whose text holds every step, on A4 and Letter, greyscale-safe."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

from massage_trainer.domain.content import ContentLibrary, aftercare_items
from massage_trainer.domain.models import Routine
from massage_trainer.ui.controller import step_duration_text
from massage_trainer.ui.handout import (
    MARGIN_MM,
    DiagramStyle,
    UnknownPageSize,
    diagram_geometry,
    export_handout_pdf,
    handout_command,
    page_size_id,
    paint_back_diagram,
    print_handout,
    render_handout,
)

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="poppler-utils (pdftotext, pdfinfo) is not installed",
)


def _squeeze(text: str) -> str:
    # Line breaks may fall anywhere (even after a hyphen): compare without whitespace.
    return re.sub(r"\s+", "", text)


def _pdf_text(path: Path) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _pdf_info(path: Path) -> dict[str, str]:
    result = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    info = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def _assert_whole_routine(text: str, library: ContentLibrary, routine: Routine) -> None:
    flat = _squeeze(text)
    assert _squeeze(routine.title) in flat
    for number, step in enumerate(routine.steps, start=1):
        name = library.technique(step.technique).name
        assert _squeeze(name) in flat, f"step {number}: technique name missing"
        assert _squeeze(step.instruction) in flat, f"step {number}: instruction missing"
        for caution in step.cautions:
            assert _squeeze(caution) in flat, f"step {number}: caution missing"
    for item in library.safety.contraindications:
        assert _squeeze(item.name) in flat
        assert _squeeze(item.advice) in flat
    preparation = {p.id: p for p in library.safety.preparation}
    for item_id in routine.preparation:
        assert _squeeze(preparation[item_id].title) in flat
    for mistake in library.safety.mistakes:
        assert _squeeze(mistake.title) in flat, f"mistake {mistake.id} missing"
        assert _squeeze(mistake.instead) in flat, f"mistake {mistake.id}: what to do instead"
    # The same aftercare as the app gives at the end of a session, wind-down included.
    for aftercare in aftercare_items(routine, library.safety):
        assert _squeeze(aftercare.detail) in flat, f"aftercare {aftercare.id} missing"


@needs_poppler
@pytest.mark.parametrize(
    ("page_size", "points"), [("A4", "595 x 842 pts (A4)"), ("Letter", "612 x 792 pts (letter)")]
)
def test_pdf_holds_every_step_on_the_right_paper(
    qtbot: Any, library: ContentLibrary, tmp_path: Path, page_size: str, points: str
) -> None:
    routine = library.routines["beginner-20"]
    path = tmp_path / f"handout-{page_size}.pdf"
    export_handout_pdf(path, library, routine, page_size)
    info = _pdf_info(path)
    assert info["Page size"] == points
    pages = int(info["Pages"])
    assert pages >= 2
    text = _pdf_text(path)
    _assert_whole_routine(text, library, routine)
    # The numbered steps carry their times, in order.
    lines = [line.strip() for line in text.splitlines()]
    for step in routine.steps:
        assert step_duration_text(step.duration_s) in lines
    assert f"Page {pages} of {pages}" in text
    assert "Routine handout".upper() in text


@needs_poppler
@pytest.mark.parametrize("routine_id", ["professional-classic", "lower-back-relief"])
def test_every_built_in_routine_prints_completely(
    qtbot: Any, library: ContentLibrary, tmp_path: Path, routine_id: str
) -> None:
    routine = library.routines[routine_id]
    path = tmp_path / "handout.pdf"
    export_handout_pdf(path, library, routine, "Letter")
    _assert_whole_routine(_pdf_text(path), library, routine)


@needs_poppler
def test_a_long_routine_breaks_over_more_pages(
    qtbot: Any, library: ContentLibrary, tmp_path: Path
) -> None:
    base = library.routines["beginner-20"]
    long = base.model_copy(update={"steps": base.steps * 5})
    short_path, long_path = tmp_path / "short.pdf", tmp_path / "long.pdf"
    export_handout_pdf(short_path, library, base)
    export_handout_pdf(long_path, library, long)
    short_pages = int(_pdf_info(short_path)["Pages"])
    long_pages = int(_pdf_info(long_path)["Pages"])
    assert long_pages >= short_pages + 3
    text = _pdf_text(long_path)
    assert _squeeze(base.steps[-1].instruction) in _squeeze(text)
    # Each step keeps its number: the fortieth is there.
    assert "\n40\n" in f"\n{text}\n"


@needs_poppler
def test_fonts_are_embedded(qtbot: Any, library: ContentLibrary, tmp_path: Path) -> None:
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts is not installed")
    path = tmp_path / "handout.pdf"
    export_handout_pdf(path, library, library.routines["classic-home"])
    result = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = result.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        # Columns: name type encoding emb sub uni object ID
        assert " yes " in row, row


def test_unknown_page_size_is_refused(library: ContentLibrary, tmp_path: Path) -> None:
    with pytest.raises(UnknownPageSize, match="A4, Letter"):
        export_handout_pdf(tmp_path / "x.pdf", library, library.routines["beginner-20"], "A5")
    assert not (tmp_path / "x.pdf").exists()


def test_unwritable_target_raises_oserror(
    qtbot: Any, library: ContentLibrary, tmp_path: Path
) -> None:
    with pytest.raises(OSError, match="cannot write"):
        export_handout_pdf(
            tmp_path / "missing-folder" / "x.pdf", library, library.routines["beginner-20"]
        )


def _region_stats(image: QImage, points: list[tuple[int, int]]) -> tuple[float, float]:
    values = [QColor(image.pixel(x, y)).lightness() for x, y in points]
    mean = sum(values) / len(values)
    spread = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
    return mean, spread


def test_zone_patterns_read_in_greyscale(qtbot: Any, library: ContentLibrary) -> None:
    """No-go (hatched), caution (dotted) and safe (plain) zones differ without colour."""
    geometry = diagram_geometry()
    size = 800
    view = geometry.view
    scale = size / view.height()
    image = QImage(round(view.width() * scale), size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    paint_back_diagram(
        painter,
        QRectF(0, 0, image.width(), image.height()),
        library,
        DiagramStyle(worked=frozenset({"upper-back", "neck"})),
    )
    painter.end()
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)

    def inside(zone_id: str) -> list[tuple[int, int]]:
        path = geometry.zones[zone_id]
        box = path.boundingRect()
        found = []
        for i in range(60):
            for j in range(60):
                x = box.left() + box.width() * (i + 0.5) / 60
                y = box.top() + box.height() * (j + 0.5) / 60
                # Keep well inside so the outline does not count.
                if all(
                    path.contains(type(box.center())(x + dx, y + dy))
                    for dx, dy in ((1.5, 0), (-1.5, 0), (0, 1.5), (0, -1.5))
                ):
                    found.append((int((x - view.left()) * scale), int((y - view.top()) * scale)))
        assert len(found) > 20, zone_id
        return found

    _, safe_spread = _region_stats(grey, inside("upper-back"))
    no_go_mean, no_go_spread = _region_stats(grey, inside("kidney-left"))
    caution_mean, caution_spread = _region_stats(grey, inside("shoulder-blade-left"))
    # Safe zones are an even tone; the others carry a visible pattern.
    assert safe_spread < 6
    assert no_go_spread > 15
    assert caution_spread > 15
    # And the two patterns differ in how much ink they lay down.
    assert abs(no_go_mean - caution_mean) > 5 or abs(no_go_spread - caution_spread) > 5


def test_handout_command_unknown_routine(
    qtbot: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.pdf"
    assert handout_command("no-such-routine", out, "A4") == 1
    err = capsys.readouterr().err
    assert "no-such-routine" in err
    assert "beginner-20" in err  # says which ids exist
    assert not out.exists()


def test_handout_command_bad_page_size(
    qtbot: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert handout_command("beginner-20", tmp_path / "x.pdf", "A3") == 2
    assert "A3" in capsys.readouterr().err


@needs_poppler
def test_handout_command_writes_the_pdf(
    qtbot: Any, tmp_path: Path, library: ContentLibrary, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "card.pdf"
    assert handout_command("lower-back-relief", out, "Letter") == 0
    assert "Wrote" in capsys.readouterr().out
    assert _pdf_info(out)["Page size"].startswith("612 x 792")
    _assert_whole_routine(_pdf_text(out), library, library.routines["lower-back-relief"])


@pytest.mark.slow
def test_handout_command_needs_no_display_and_loads_no_print_support(tmp_path: Path) -> None:
    out = tmp_path / "card.pdf"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env["WAYLAND_DISPLAY"] = ""
    code = (
        "import sys\n"
        "import massage_trainer.ui.library_view\n"
        "from massage_trainer.ui.handout import handout_command\n"
        f"rc = handout_command('beginner-20', {str(out)!r}, 'A4')\n"
        "assert 'PySide6.QtPrintSupport' not in sys.modules, 'print support loaded'\n"
        "assert 'PySide6.QtPdf' not in sys.modules, 'QtPdf loaded'\n"
        "raise SystemExit(rc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 10_000


@needs_poppler
def test_print_uses_the_same_renderer(
    qtbot: Any, library: ContentLibrary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6 import QtPrintSupport

    target = tmp_path / "printed.pdf"
    real_dialog = QtPrintSupport.QPrintDialog

    class FakePrintDialog:
        DialogCode = real_dialog.DialogCode

        def __init__(self, printer: Any, parent: Any = None) -> None:
            # A "printer" that prints to a file, chosen as a user would in the dialog.
            printer.setOutputFormat(QtPrintSupport.QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(target))

        def setWindowTitle(self, title: str) -> None:
            pass

        def exec(self) -> Any:
            return real_dialog.DialogCode.Accepted

    monkeypatch.setattr(QtPrintSupport, "QPrintDialog", FakePrintDialog)
    routine = library.routines["classic-full-back"]
    assert print_handout(None, library, routine) is True
    _assert_whole_routine(_pdf_text(target), library, routine)


def test_print_cancelled_prints_nothing(
    qtbot: Any, library: ContentLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6 import QtPrintSupport

    real_dialog = QtPrintSupport.QPrintDialog

    class CancelledDialog:
        DialogCode = real_dialog.DialogCode

        def __init__(self, printer: Any, parent: Any = None) -> None:
            pass

        def setWindowTitle(self, title: str) -> None:
            pass

        def exec(self) -> Any:
            return real_dialog.DialogCode.Rejected

    monkeypatch.setattr(QtPrintSupport, "QPrintDialog", CancelledDialog)
    assert print_handout(None, library, library.routines["beginner-20"]) is False


class _Line(NamedTuple):
    left: float
    top: float
    right: float
    bottom: float
    text: str


@dataclass(frozen=True)
class _Page:
    width: float
    top: float
    """Where the text area starts: under the running header (on page 1, the first line)."""
    bottom: float
    """Where the text area ends: above the footer."""
    lines: list[_Line]
    """The text lines between the running header and the footer."""
    frame: list[_Line]
    """The running header and the footer lines."""

    def filled(self) -> float:
        """How far down its text area the page's text reaches, from 0 to 1."""
        reach = max((line.bottom for line in self.lines), default=self.top)
        return (reach - self.top) / (self.bottom - self.top)


MARGIN_PT = MARGIN_MM * 72 / 25.4


def _pages(path: Path) -> list[_Page]:
    """Each page of the PDF with its text lines, as pdftotext finds them."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    pages = []
    for page in result.stdout.split("<page ")[1:]:
        size = re.search(r'width="([\d.]+)"', page)
        assert size is not None
        lines = [
            _Line(
                float(left),
                float(top),
                float(right),
                float(bottom),
                " ".join(re.sub(r"<[^>]+>", " ", words).split()),
            )
            for left, top, right, bottom, words in re.findall(
                r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                r"(.*?)</line>",
                page,
                re.S,
            )
        ]
        footer = [ln for ln in lines if "practice aid" in ln.text or ln.text.startswith("Page ")]
        header = [ln for ln in lines if ln.text.endswith("· handout")]
        body = [ln for ln in lines if ln not in footer and ln not in header]
        pages.append(
            _Page(
                width=float(size.group(1)),
                top=header[0].bottom if header else min(ln.top for ln in body),
                bottom=min(ln.top for ln in footer),
                lines=body,
                frame=header + footer,
            )
        )
    return pages


def _export(
    path: Path, library: ContentLibrary, routine: Routine, page_size: str, orientation: str
) -> list[_Page]:
    """The handout as a PDF file; "landscape" as printed on paper turned sideways."""
    if orientation == "portrait":
        export_handout_pdf(path, library, routine, page_size)
    else:
        writer = QPdfWriter(str(path))
        writer.setPageSize(QPageSize(page_size_id(page_size)))
        writer.setPageOrientation(QPageLayout.Orientation.Landscape)
        # As print_handout does: the printer's paper and orientation are kept.
        render_handout(writer, library, routine, page_size=None)
        del writer
    return _pages(path)


BUILT_IN_ROUTINES = [
    "beginner-20",
    "classic-full-back",
    "classic-home",
    "lower-back-relief",
    "professional-classic",
]

every_layout = pytest.mark.parametrize(
    ("routine_id", "page_size", "orientation"),
    [
        (routine_id, page_size, orientation)
        for routine_id in BUILT_IN_ROUTINES
        for page_size in ("A4", "Letter")
        for orientation in ("portrait", "landscape")
    ],
)


def test_every_built_in_routine_is_checked(library: ContentLibrary) -> None:
    assert sorted(library.routines) == BUILT_IN_ROUTINES


@needs_poppler
@every_layout
def test_no_page_is_nearly_empty(
    qtbot: Any,
    library: ContentLibrary,
    tmp_path: Path,
    routine_id: str,
    page_size: str,
    orientation: str,
) -> None:
    """Not even the last: the Letter full-back handout once ended on its aftercare alone,
    a third of a page, because that section is kept whole and closer spacing could not
    pull it back onto the page before."""
    routine = library.routines[routine_id]
    path = tmp_path / "handout.pdf"
    pages = _export(path, library, routine, page_size, orientation)
    if len(pages) > 1:
        for number, page in enumerate(pages, start=1):
            assert page.filled() > 1 / 3, (number, [line.text for line in page.lines])
    # The closing section is read as one: its heading and every item on one page.
    closing = [page for page in pages if any(ln.text == "Afterwards" for ln in page.lines)]
    assert len(closing) == 1
    text = _squeeze(" ".join(line.text for line in closing[0].lines))
    for item in aftercare_items(routine, library.safety):
        assert _squeeze(item.detail) in text, item.id
    # Nothing was left out to get there.
    _assert_whole_routine(_pdf_text(path), library, routine)


@needs_poppler
@every_layout
def test_headings_stay_with_their_text_and_nothing_is_cut_or_overlaps(
    qtbot: Any,
    library: ContentLibrary,
    tmp_path: Path,
    routine_id: str,
    page_size: str,
    orientation: str,
) -> None:
    headings = {"The steps", "When not to massage", "Before you start", "Common mistakes"}
    headings |= {"Afterwards", "Zone rules", "Timeline"}
    headings |= {item.group.label for item in library.safety.contraindications}
    pages = _export(
        tmp_path / "handout.pdf", library, library.routines[routine_id], page_size, orientation
    )
    seen = set()
    for number, page in enumerate(pages, start=1):
        for line in page.lines:
            if line.text in headings:
                seen.add(line.text)
                # Never at the foot of a page with its text on the next.
                below = [other for other in page.lines if other.top >= line.bottom - 0.5]
                assert len(below) >= 2, (number, line.text)
        # Every line inside the margins and above the footer: none runs off its cell.
        for line in page.lines + page.frame:
            assert line.left >= MARGIN_PT - 0.5, (number, line.text)
            assert line.right <= page.width - MARGIN_PT + 0.5, (number, line.text)
        for line in page.lines:
            assert line.bottom <= page.bottom, (number, line.text)
        # And no two lines on top of each other.
        for i, first in enumerate(page.lines):
            for second in page.lines[i + 1 :]:
                apart = (
                    first.right <= second.left + 0.5
                    or second.right <= first.left + 0.5
                    or first.bottom <= second.top + 1
                    or second.bottom <= first.top + 1
                )
                assert apart, (number, first.text, second.text)
    assert seen == headings
