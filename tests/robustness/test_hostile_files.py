"""Hostile shared routine files: refused with a clear reason, or shown as plain text.

A shared file is data from a stranger. Oversized, deeply nested, binary, badly encoded
and wrongly typed files are refused with the file and the field named; ids that would
make a path outside the routines folder are refused; markup in text fields is kept
exactly as written and every widget that shows it shows the tags as text, never as
formatting, images, scripts or links.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import Qt
from PySide6.QtWidgets import QLabel, QTextEdit, QWidget

from massage_trainer.domain.content import MAX_FILE_BYTES, ContentLibrary, check_routine
from massage_trainer.domain.history import HistoryStore
from massage_trainer.domain.models import Routine
from massage_trainer.domain.routine_store import (
    RoutineStore,
    RoutineStoreError,
    import_routine,
)

MARKUP = (
    '<b>bold</b><img src="https://example.invalid/pixel.png">'
    "<script>alert(1)</script>"
    '<a href="https://example.invalid/">click me</a> &amp; <i>more</i>'
)
SENTINEL = "alert(1)"


def _nested_list(depth: int) -> object:
    value: object = "deep"
    for _ in range(depth):
        value = [value]
    return value


def _builtin_data(library: ContentLibrary) -> dict[str, Any]:
    routine = next(iter(library.routines.values()))
    data = routine.model_dump(mode="json")
    data["schema_version"] = 1
    data["id"] = "shared-routine"
    return data


def _step(**fields: object) -> dict[str, object]:
    return {"technique": "kneading", "zones": ["upper-back"], "duration_s": 60, **fields}


def _import(tmp_path: Path, library: ContentLibrary, content: bytes | str) -> Routine:
    path = tmp_path / "shared.json"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return import_routine(path, lambda routine: check_routine(routine, library))


def _refused(tmp_path: Path, library: ContentLibrary, content: bytes | str) -> str:
    with pytest.raises(RoutineStoreError) as caught:
        _import(tmp_path, library, content)
    message = str(caught.value)
    assert message.startswith("shared.json"), message
    return message


# -- refused --------------------------------------------------------------------------


def test_an_oversized_file_is_refused_before_it_is_parsed(
    tmp_path: Path, library: ContentLibrary
) -> None:
    data = _builtin_data(library)
    data["summary"] = "x" * (MAX_FILE_BYTES + 10)
    message = _refused(tmp_path, library, json.dumps(data))
    assert "bytes" in message


@pytest.mark.parametrize(
    "content",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        json.dumps(
            {
                "steps": [
                    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
                ]
            }
        ),
    ],
    ids=["arrays-100k-deep", "objects-50k-deep", "just-over-the-limit"],
)
def test_deeply_nested_files_are_refused(
    tmp_path: Path, library: ContentLibrary, content: str
) -> None:
    assert "nested" in _refused(tmp_path, library, content)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "binary"),
        ('{"title": "caf\u00e9"}'.encode("latin-1"), "UTF-8"),
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (b"<html><script>alert(1)</script></html>", "JSON"),
        (b'{"id": 1' + b"1" * 6000 + b"}", "JSON"),
    ],
    ids=["png", "elf", "latin-1", "empty", "blank", "html", "huge-number"],
)
def test_binary_badly_encoded_and_non_json_files_are_refused(
    tmp_path: Path, library: ContentLibrary, content: bytes, reason: str
) -> None:
    assert reason in _refused(tmp_path, library, content)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": 5}, "title"),
        ({"title": ["a", "list"]}, "title"),
        ({"steps": "all of them"}, "steps"),
        (
            {"steps": [{"technique": "kneading", "zones": "upper-back", "duration_s": "ten"}]},
            "zones",
        ),
        (
            {"steps": [{"technique": "kneading", "zones": ["upper-back"], "duration_s": 1e308}]},
            "duration_s",
        ),
        (
            {"steps": [{"technique": "kneading", "zones": ["upper-back"], "duration_s": -60}]},
            "duration_s",
        ),
        ({"schema_version": "one"}, "schema_version"),
        ({"schema_version": 99}, "schema_version"),
    ],
    ids=[
        "title-int",
        "title-list",
        "steps-str",
        "zones-str",
        "duration-huge",
        "duration-neg",
        "version-str",
        "version-newer",
    ],
)
def test_wrong_types_are_refused_naming_the_field(
    tmp_path: Path, library: ContentLibrary, change: dict[str, Any], field: str
) -> None:
    data = _builtin_data(library)
    data.update(change)
    assert field in _refused(tmp_path, library, json.dumps(data))


@pytest.mark.parametrize(
    "bad_id",
    [
        "../../outside",
        "a/b",
        "..",
        ".hidden",
        "/etc/passwd",
        "C:\\evil",
        "evil\u0000.json",
        "x" * 65,
        "Upper",
        "",
    ],
)
def test_ids_that_would_escape_the_routines_folder_are_refused(
    tmp_path: Path, library: ContentLibrary, bad_id: str
) -> None:
    data = _builtin_data(library)
    data["id"] = bad_id
    assert "id" in _refused(tmp_path, library, json.dumps(data))
    store = RoutineStore(tmp_path / "data", builtin_ids=())
    with pytest.raises(RoutineStoreError):
        store.path_for(bad_id)
    assert not (tmp_path / "outside.json").exists()


def test_zone_and_technique_ids_with_paths_are_refused(
    tmp_path: Path, library: ContentLibrary
) -> None:
    data = _builtin_data(library)
    data["steps"][0]["zones"] = ["../../spine"]
    assert "zones" in _refused(tmp_path, library, json.dumps(data))
    data = _builtin_data(library)
    data["steps"][0]["technique"] = "../kneading"
    assert "technique" in _refused(tmp_path, library, json.dumps(data))


# -- kept as plain text ---------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path: Path, library: ContentLibrary) -> Routine:
    """A shared routine, safe by the zone rules, with markup in every text field."""
    data = _builtin_data(library)
    data["title"] = f"Evening {MARKUP}"[:200]
    data["summary"] = f"Summary {MARKUP}"
    for step in data["steps"]:
        step["instruction"] = f"Do this {MARKUP}"
        step["cautions"] = [f"Careful {MARKUP}"]
    routine = _import(tmp_path, library, json.dumps(data))
    # Kept exactly as written: nothing stripped or escaped in the data itself.
    assert routine.title == data["title"]
    assert routine.steps[0].instruction == f"Do this {MARKUP}"
    return routine


def _describe(widget: QWidget) -> str:
    parent = widget.parentWidget()
    where = type(parent).__name__ if parent is not None else "top level"
    name = widget.objectName() or widget.accessibleName() or "(unnamed)"
    return f"{type(widget).__name__} {name!r} in {where}"


def _assert_shown_as_text(root: QWidget) -> int:
    """Every place in ``root`` showing the sentinel shows the markup as text. Returns how
    many places showed it (so a check that saw nothing is caught)."""
    seen = 0
    offenders = []
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLabel) and SENTINEL in widget.text():
            seen += 1
            text = widget.text()
            rich = widget.textFormat() == Qt.TextFormat.RichText or (
                widget.textFormat() == Qt.TextFormat.AutoText and Qt.mightBeRichText(text)
            )
            if rich and ("&lt;script&gt;" not in text or 'src="https://example' in text):
                offenders.append(f"{_describe(widget)} renders the markup: {text[:60]!r}")
        if isinstance(widget, QTextEdit) and SENTINEL in widget.toPlainText():
            seen += 1
            if "<script>alert(1)</script>" not in widget.toPlainText() or (
                'src="https://example.invalid' in widget.document().toHtml()
            ):
                offenders.append(f"{_describe(widget)} renders the markup")
        tip = widget.toolTip()
        if SENTINEL in tip:
            seen += 1
            if Qt.mightBeRichText(tip) and "&lt;script&gt;" not in tip:
                offenders.append(f"{_describe(widget)} has a tooltip rendering the markup")
    assert not offenders, "\n".join(offenders)
    return seen


def _library_with(library: ContentLibrary, routine: Routine) -> ContentLibrary:
    return dataclasses.replace(
        library, routines={**library.routines, routine.id: routine}, warnings={}
    )


def test_markup_in_a_shared_routine_is_shown_as_text_in_the_session_window(
    qtbot: Any, tmp_path: Path, library: ContentLibrary, hostile: Routine
) -> None:
    from massage_trainer.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(
        _library_with(library, hostile),
        settings=settings,
        history=HistoryStore(tmp_path / "history.sqlite3"),
    )
    qtbot.addWidget(window)
    window.controller.load_routine(hostile.id)
    window.show()
    seen = 0
    for index in range(min(3, len(hostile.steps))):
        window.controller.select_step(index)
        qtbot.wait(1)
        seen += _assert_shown_as_text(window)
    assert seen, "no widget showed the routine's texts, so nothing was checked"
    assert SENTINEL not in window.windowTitle() or "<script>" in window.windowTitle()


def test_markup_is_shown_as_text_in_the_library_picker_and_presenter(
    qtbot: Any, tmp_path: Path, library: ContentLibrary, hostile: Routine
) -> None:
    from massage_trainer.ui.controller import SessionController
    from massage_trainer.ui.library_view import LibraryPanel
    from massage_trainer.ui.preferences import Preferences
    from massage_trainer.ui.presenter import PresenterWindow
    from massage_trainer.ui.routine_picker import RoutinePicker

    combined = _library_with(library, hostile)
    controller = SessionController(combined)
    controller.load_routine(hostile.id)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)

    panel = LibraryPanel(controller)
    qtbot.addWidget(panel)
    panel.show_routine(hostile.id)
    assert _assert_shown_as_text(panel), "the library page did not show the routine"

    picker = RoutinePicker(combined, hostile.id)
    qtbot.addWidget(picker)
    _assert_shown_as_text(picker)

    presenter = PresenterWindow(controller, Preferences(settings), settings)
    qtbot.addWidget(presenter)
    presenter.show()
    qtbot.wait(1)
    assert _assert_shown_as_text(presenter), "the presenter did not show the step"
