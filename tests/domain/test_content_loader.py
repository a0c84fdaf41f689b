"""Loading content: everything loads, and every kind of broken file gets a clear error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from massage_trainer.domain.content import (
    MAX_FILE_BYTES,
    ContentError,
    load_library,
    load_routine_file,
)
from massage_trainer.domain.paths import assets_dir

BUILT_IN = {
    "classic-home",
    "beginner-20",
    "professional-classic",
    "classic-full-back",
    "lower-back-relief",
}


def _error_of(path: Path) -> str | None:
    """The loader's message for a file, or None when it loaded. Anything else escapes."""
    try:
        load_routine_file(path)
    except ContentError as exc:
        return str(exc)
    return None


def _a_routine() -> Any:
    return json.loads((assets_dir() / "routines" / "lower-back-relief.json").read_text())


def test_all_content_loads_without_problems() -> None:
    library = load_library()
    assert set(library.routines) == BUILT_IN
    assert library.builtin_ids == BUILT_IN
    assert library.problems == ()
    assert len(library.zones) == 20
    assert len(library.techniques) >= 14
    for routine in library.routines.values():
        for step in routine.steps:
            assert step.technique in library.techniques
            assert all(zone in library.zones for zone in step.zones)


def test_a_broken_user_routine_is_listed_and_the_rest_still_loads(tmp_path: Path) -> None:
    bad = _a_routine()
    bad["id"] = "mine"
    bad["steps"][1]["pressure"] = "crushing"
    (tmp_path / "mine.json").write_text(json.dumps(bad))
    library = load_library(user_routines=tmp_path)
    assert set(library.routines) == BUILT_IN
    (problem,) = library.problems
    assert problem.file == "mine.json"
    assert "step 2" in problem.message
    assert "pressure" in problem.message


def test_a_user_routine_with_a_no_go_step_is_refused_with_its_reason(tmp_path: Path) -> None:
    bad = _a_routine()
    bad["id"] = "unsafe"
    bad["steps"][0]["zones"] = ["spine"]
    (tmp_path / "unsafe.json").write_text(json.dumps(bad))
    library = load_library(user_routines=tmp_path)
    assert "unsafe" not in library.routines
    (problem,) = library.problems
    assert "step 1" in problem.message.lower()
    assert "spine" in problem.message.lower()
    # The message names the file, as for a file that cannot be read at all.
    assert problem.message.startswith("unsafe.json: ")


def test_a_valid_user_routine_loads_after_the_built_ins(tmp_path: Path) -> None:
    mine = _a_routine()
    mine["id"] = "my-relief"
    (tmp_path / "my-relief.json").write_text(json.dumps(mine))
    library = load_library(user_routines=tmp_path)
    assert list(library.routines)[-1] == "my-relief"
    assert "my-relief" not in library.builtin_ids


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"\xff\xfe\xfa not utf-8", "UTF-8"),
        (b"{not json", "not valid JSON (line 1"),
        (b"[1, 2, 3]", "JSON object"),
        (b"[" * 5000 + b"]" * 5000, "nested"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, "nested"),
        (b'{"schema_version": 7}', "newer version"),
        (b'{"schema_version": ' + b"9" * 5000 + b"}", "not valid JSON ("),
        (b'{"schema_version": 1, "id": "x"}', "field 'title'"),
    ],
)
def test_broken_routine_files_get_a_clear_message(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(ContentError) as caught:
        load_routine_file(path)
    assert str(caught.value).startswith("broken.json: ")
    assert expected in str(caught.value)


def test_an_oversized_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_bytes(b" " * (MAX_FILE_BYTES + 1))
    with pytest.raises(ContentError, match=r"huge\.json: .*refused"):
        load_routine_file(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"gone\.json: cannot be read"):
        load_routine_file(tmp_path / "gone.json")


def test_broken_core_content_names_the_file_and_field(tmp_path: Path) -> None:
    copy = tmp_path / "assets"
    shutil.copytree(assets_dir(), copy)
    zones_path = copy / "content" / "zones.json"
    zones = json.loads(zones_path.read_text())
    zones["zones"][0]["tier"] = "sometimes"
    zones_path.write_text(json.dumps(zones))
    with pytest.raises(ContentError, match=r"zones\.json: .*zones\[1\]\.tier"):
        load_library(copy)


def test_duplicate_ids_in_core_content_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "assets"
    shutil.copytree(assets_dir(), copy)
    path = copy / "content" / "techniques.json"
    data = json.loads(path.read_text())
    data["techniques"].append(data["techniques"][0])
    path.write_text(json.dumps(data))
    with pytest.raises(ContentError, match="used twice"):
        load_library(copy)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=400))
def test_any_bytes_give_a_clear_error_or_a_routine(tmp_path: Path, blob: bytes) -> None:
    path = tmp_path / "fuzz.json"
    path.write_bytes(blob)
    message = _error_of(path)
    assert message is None or message.startswith("fuzz.json: ")


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    key=st.sampled_from(["title", "audience", "steps", "id", "summary", "source_notes"]),
    value=st.one_of(
        st.none(), st.integers(), st.text(max_size=30), st.lists(st.integers(), max_size=3)
    ),
)
def test_mutated_routines_give_a_clear_error_or_a_routine(
    tmp_path: Path, key: str, value: object
) -> None:
    data = _a_routine()
    data[key] = value
    path = tmp_path / "mutated.json"
    path.write_text(json.dumps(data))
    message = _error_of(path)
    assert message is None or message.startswith("mutated.json: ")
