"""The routine store: atomic saves, ids as file names, drafts, migration and hostile imports."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from massage_trainer.domain import routine_store as store_module
from massage_trainer.domain.content import (
    MAX_FILE_BYTES,
    MAX_JSON_DEPTH,
    ContentLibrary,
    check_routine,
    load_library,
)
from massage_trainer.domain.models import SCHEMA_VERSION, Pressure, Routine
from massage_trainer.domain.paths import user_data_dir
from massage_trainer.domain.routine_store import (
    ReadOnlyRoutineError,
    RoutineStore,
    RoutineStoreError,
    UnsafeRoutineError,
    atomic_write_text,
    builtin_routine_ids,
    check_routine_id,
    export_routine,
    import_routine,
    migrate,
    slugify,
    unique_id,
)

BUILTIN = "lower-back-relief"


@pytest.fixture
def store(library: ContentLibrary) -> RoutineStore:
    return RoutineStore(
        builtin_ids=library.builtin_ids, checker=lambda r: check_routine(r, library)
    )


def own_routine(
    library: ContentLibrary, routine_id: str = "my-back", title: str = "My back"
) -> Routine:
    data = library.routines[BUILTIN].model_dump(mode="json")
    data.update(id=routine_id, title=title)
    return Routine.model_validate(data)


def leftovers(folder: Path) -> list[str]:
    """Anything in the folder that is not a finished routine file (temporary files)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".json"))


# -- atomic writes --------------------------------------------------------------------


def test_save_writes_a_current_version_file_in_the_user_data_dir(
    store: RoutineStore, library: ContentLibrary
) -> None:
    routine = own_routine(library)
    path = store.save(routine)
    assert path == user_data_dir() / "routines" / "my-back.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION
    assert store.load("my-back") == routine
    assert store.ids() == ["my-back"]


def test_a_crash_in_os_replace_leaves_the_old_file_and_no_temp_file(
    store: RoutineStore, library: ContentLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = own_routine(library)
    path = store.save(old)
    before = path.read_bytes()

    def crash(*_args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    changed = own_routine(library, title="Changed title")
    with pytest.raises(RoutineStoreError, match=r"my-back\.json: cannot be saved"):
        store.save(changed)
    assert path.read_bytes() == before
    assert leftovers(store.folder) == []
    assert [p.name for p in store.folder.iterdir()] == ["my-back.json"]


def test_a_crash_while_writing_leaves_the_old_file_and_no_temp_file(
    store: RoutineStore, library: ContentLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = store.save(own_routine(library))
    before = path.read_bytes()

    def crash(_fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(RoutineStoreError):
        store.save(own_routine(library, title="Changed title"))
    assert path.read_bytes() == before
    assert leftovers(store.folder) == []


def test_an_interrupt_mid_write_also_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "file.json"
    target.write_text("old", encoding="utf-8")

    def interrupted(*_args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.json"]


def test_export_is_atomic_and_reads_back(
    library: ContentLibrary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    routine = own_routine(library)
    target = tmp_path / "share" / "for-the-class.json"
    export_routine(routine, target)
    assert import_routine(target) == routine

    monkeypatch.setattr(os, "replace", lambda *_a: (_ for _ in ()).throw(OSError(13, "Denied")))
    with pytest.raises(RoutineStoreError, match=r"for-the-class\.json: cannot be written"):
        export_routine(own_routine(library, title="Other"), target)
    assert import_routine(target) == routine
    assert sorted(p.name for p in target.parent.iterdir()) == ["for-the-class.json"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_an_exported_file_can_be_read_by_others_as_the_umask_allows(
    library: ContentLibrary, tmp_path: Path
) -> None:
    old_mask = os.umask(0o022)
    try:
        shared = tmp_path / "for-the-class.json"
        export_routine(own_routine(library), shared)
        assert shared.stat().st_mode & 0o777 == 0o644  # not only its owner's

        shared.chmod(0o664)  # a class folder the group can write to
        export_routine(own_routine(library, title="Again"), shared)
        assert shared.stat().st_mode & 0o777 == 0o664  # kept when written over
    finally:
        os.umask(old_mask)


def test_a_routine_too_big_to_load_again_is_not_saved(
    store: RoutineStore, library: ContentLibrary
) -> None:
    base = own_routine(library)
    step = base.steps[1].model_dump(mode="json")
    step["instruction"] = "x" * 4000
    step["cautions"] = ["y" * 4000] * 2
    data = base.model_dump(mode="json")
    data["steps"] = (
        [base.steps[0].model_dump(mode="json")]
        + [step] * 198
        + [base.steps[-1].model_dump(mode="json")]
    )
    big = Routine.model_validate(data)
    with pytest.raises(RoutineStoreError, match=f"over the {MAX_FILE_BYTES:,}-byte limit"):
        store.save(big)
    assert not store.exists(big.id)


# -- ids ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_id",
    ["../escape", "..", "a/b", "a\\b", ".hidden", "", "UPPER", "x" * 65, "name.json", "a b"],
)
def test_ids_that_could_escape_the_folder_are_refused(store: RoutineStore, bad_id: str) -> None:
    with pytest.raises(RoutineStoreError, match="not a usable routine id"):
        store.path_for(bad_id)
    with pytest.raises(RoutineStoreError):
        check_routine_id(bad_id)


def test_unique_ids_from_titles() -> None:
    assert slugify("Neck & Shoulders!") == "neck-shoulders"
    assert slugify("???") == "routine"
    assert unique_id("My back", {"my-back", "my-back-2"}) == "my-back-3"
    long_taken = {slugify("a" * 100)}
    made = unique_id("a" * 100, long_taken)
    assert made not in long_taken
    check_routine_id(made)


def test_built_ins_are_read_only(store: RoutineStore, library: ContentLibrary) -> None:
    builtin = library.routines[BUILTIN]
    assert builtin_routine_ids() == library.builtin_ids
    assert store.is_read_only(BUILTIN)
    with pytest.raises(ReadOnlyRoutineError, match="duplicate it"):
        store.save(builtin)
    with pytest.raises(ReadOnlyRoutineError):
        store.delete(BUILTIN)
    with pytest.raises(ReadOnlyRoutineError):
        store.save_draft(builtin)
    assert not store.folder.exists() or store.ids() == []

    copy = store.duplicate(builtin, store.new_id("Lower-back relief"), "My lower back")
    assert copy.id == "lower-back-relief-2"
    assert copy.steps == builtin.steps
    store.save(copy)
    assert store.load(copy.id).title == "My lower back"


def test_duplicate_refuses_a_taken_id(store: RoutineStore, library: ContentLibrary) -> None:
    store.save(own_routine(library))
    with pytest.raises(RoutineStoreError, match="already used"):
        store.duplicate(library.routines[BUILTIN], "my-back", "Again")


def test_delete_removes_the_file_and_its_draft(
    store: RoutineStore, library: ContentLibrary
) -> None:
    routine = own_routine(library)
    store.save(routine)
    store.save_draft(own_routine(library, title="Half done"))
    store.delete("my-back")
    assert store.ids() == []
    assert store.pending_drafts() == []


def test_saving_a_routine_with_safety_errors_is_refused_but_a_draft_is_kept(
    store: RoutineStore, library: ContentLibrary
) -> None:
    data = own_routine(library).model_dump(mode="json")
    data["steps"][1]["zones"] = ["spine"]
    unsafe = Routine.model_validate(data)
    with pytest.raises(UnsafeRoutineError, match="no-go zone") as caught:
        store.save(unsafe)
    assert caught.value.problems[0].rule == "no-go-zone"
    assert not store.exists("my-back")
    store.save_draft(unsafe)
    assert store.load_draft("my-back") == unsafe


def test_the_library_sees_saved_routines(store: RoutineStore, library: ContentLibrary) -> None:
    store.save(own_routine(library))
    reloaded = load_library(user_routines=store.folder)
    assert "my-back" in reloaded.routines
    assert "my-back" not in reloaded.builtin_ids


def test_list_routines_reports_a_broken_file_and_keeps_the_rest(
    store: RoutineStore, library: ContentLibrary
) -> None:
    store.save(own_routine(library))
    (store.folder / "broken.json").write_text("{ nope", encoding="utf-8")
    routines, problems = store.list_routines()
    assert [r.id for r in routines] == ["my-back"]
    assert len(problems) == 1
    assert problems[0].file == "broken.json"
    assert "not valid JSON" in problems[0].message


# -- drafts ---------------------------------------------------------------------------


def test_drafts_round_trip_and_are_offered_after_a_crash(
    store: RoutineStore, library: ContentLibrary
) -> None:
    saved = own_routine(library)
    store.save(saved)
    draft = own_routine(library, title="Work in progress")
    path = store.save_draft(draft)
    assert path == user_data_dir() / "drafts" / "my-back.json"

    # A fresh store, as after a restart, finds the draft and what it was based on.
    pending = RoutineStore(builtin_ids=library.builtin_ids).pending_drafts()
    assert [(d.routine, d.has_saved_version) for d in pending] == [(draft, True)]

    store.save(draft)  # saving drops the draft
    assert store.pending_drafts() == []


def test_a_draft_of_a_never_saved_routine_is_offered(
    store: RoutineStore, library: ContentLibrary
) -> None:
    draft = own_routine(library, "brand-new", "Brand new")
    store.save_draft(draft)
    [pending] = store.pending_drafts()
    assert pending.routine == draft
    assert not pending.has_saved_version
    assert "brand-new" in store.taken_ids()


def test_a_draft_identical_to_the_saved_routine_is_not_offered(
    store: RoutineStore, library: ContentLibrary
) -> None:
    routine = own_routine(library)
    store.save(routine)
    store.save_draft(routine)
    assert store.pending_drafts() == []
    assert not store.has_draft("my-back")


def test_an_unreadable_draft_is_not_offered(store: RoutineStore) -> None:
    store.drafts_folder.mkdir(parents=True)
    (store.drafts_folder / "junk.json").write_bytes(b"\x00\x01")
    assert store.pending_drafts() == []


def test_draft_ids_list_the_drafts_on_disk(store: RoutineStore, library: ContentLibrary) -> None:
    assert store.draft_ids() == []
    store.save_draft(own_routine(library, "b-draft", "B"))
    store.save_draft(own_routine(library, "a-draft", "A"))
    (store.drafts_folder / "Not An Id.json").write_text("{}", encoding="utf-8")
    (store.drafts_folder / f"{BUILTIN}.json").write_text("{}", encoding="utf-8")
    assert store.draft_ids() == ["a-draft", "b-draft"]


# -- migration ------------------------------------------------------------------------


def legacy_file(library: ContentLibrary) -> dict[str, Any]:
    """The routine as a version-0 file: ``name`` for the title, step times in minutes."""
    data = library.routines[BUILTIN].model_dump(mode="json")
    data["schema_version"] = 0
    data["name"] = data.pop("title")
    for step in data["steps"]:
        step["duration_min"] = step.pop("duration_s") / 60
    return data


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_version_0_file_is_migrated(library: ContentLibrary, tmp_path: Path) -> None:
    path = write_json(tmp_path / "old.json", legacy_file(library))
    routine = import_routine(path, lambda r: check_routine(r, library))
    assert routine == library.routines[BUILTIN]


def test_migrate_reports_a_bad_legacy_field(library: ContentLibrary) -> None:
    data = legacy_file(library)
    data["steps"][1]["duration_min"] = "three"
    with pytest.raises(RoutineStoreError, match=r"old\.json: step 2, field 'duration_min'"):
        migrate(data, "old.json")


def test_a_current_file_is_not_touched_by_migrate(library: ContentLibrary) -> None:
    data = library.routines[BUILTIN].model_dump(mode="json")
    assert migrate(dict(data)) == data


@pytest.mark.parametrize("version", [2, 99])
def test_a_newer_version_is_refused_not_mangled(
    library: ContentLibrary, tmp_path: Path, version: int
) -> None:
    data = library.routines[BUILTIN].model_dump(mode="json")
    data["schema_version"] = version
    data["new_feature"] = {"x": 1}
    path = write_json(tmp_path / "future.json", data)
    with pytest.raises(RoutineStoreError) as caught:
        import_routine(path)
    message = str(caught.value)
    assert message.startswith("future.json: field 'schema_version'")
    assert f"schema_version {version}" in message
    assert "newer version" in message
    assert json.loads(path.read_text(encoding="utf-8")) == data  # the file is left as it was


@pytest.mark.parametrize("version", ["1", True, 1.5, -1, None])
def test_a_nonsense_version_is_refused(
    library: ContentLibrary, tmp_path: Path, version: object
) -> None:
    data = library.routines[BUILTIN].model_dump(mode="json")
    data["schema_version"] = version
    path = write_json(tmp_path / "odd.json", data)
    with pytest.raises(RoutineStoreError, match=r"odd\.json: field 'schema_version'"):
        import_routine(path)


# -- hostile imports ------------------------------------------------------------------


def test_an_oversized_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_bytes(b" " * (MAX_FILE_BYTES + 1))
    with pytest.raises(RoutineStoreError, match=r"huge\.json: the file is .* bytes; files over"):
        import_routine(path)


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(RoutineStoreError, match=r"deep\.json: the JSON is nested"):
        import_routine(path)
    shallow_but_too_deep = tmp_path / "deep2.json"
    value: Any = 1
    for _ in range(MAX_JSON_DEPTH + 2):
        value = {"a": value}
    write_json(shallow_but_too_deep, value)
    with pytest.raises(RoutineStoreError, match=r"deep2\.json: the JSON is nested"):
        import_routine(shallow_but_too_deep)


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(RoutineStoreError, match=r"photo\.json: this is a binary file"):
        import_routine(path)


def test_wrong_types_name_the_step_and_field(library: ContentLibrary, tmp_path: Path) -> None:
    data = library.routines[BUILTIN].model_dump(mode="json")
    data["steps"][2]["duration_s"] = "a long time"
    path = write_json(tmp_path / "typo.json", data)
    with pytest.raises(RoutineStoreError, match=r"typo\.json: step 3, field 'duration_s'"):
        import_routine(path)
    write_json(path, [1, 2, 3])
    with pytest.raises(RoutineStoreError, match=r"typo\.json: expected a JSON object"):
        import_routine(path)


@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [
        (
            ("steps", 2, "duration_s"),
            "a long time",
            "step 3, field 'duration_s' must be a whole number, not 'a long time'",
        ),
        (
            ("steps", 0, "duration_s"),
            90.5,
            "step 1, field 'duration_s' must be a whole number, not 90.5",
        ),
        (("steps", 0, "duration_s"), 7200, "step 1, field 'duration_s' must be at most 3,600"),
        (("colour",), "red", "field 'colour' is not a field routines have (a typo?)"),
        (
            ("steps", 1, "presure"),
            "light",
            "step 2, field 'presure' is not a field steps have (a typo?)",
        ),
        (("title",), "x" * 201, "field 'title' is too long (at most 200 characters)"),
        (("title",), "   ", "field 'title' must not be empty"),
        (("title",), None, "field 'title' must be text, not null"),
        (
            ("steps", 0, "pressure"),
            "hard",
            "step 1, field 'pressure' must be 'none', 'light', 'moderate' or 'firm', not 'hard'",
        ),
        (("steps",), [], "field 'steps' needs at least 1 entry"),
        (("steps", 0), "rub", "step 1 must be an object { … }, not 'rub'"),
    ],
)
def test_a_refused_import_says_what_is_wrong_in_plain_words(
    library: ContentLibrary, tmp_path: Path, where: tuple[Any, ...], value: Any, expected: str
) -> None:
    data = library.routines[BUILTIN].model_dump(mode="json")
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    path = write_json(tmp_path / "shared.json", data)
    with pytest.raises(RoutineStoreError) as caught:
        import_routine(path)
    assert str(caught.value) == f"shared.json: {expected}"


def test_a_missing_field_is_named_missing(library: ContentLibrary, tmp_path: Path) -> None:
    data = library.routines[BUILTIN].model_dump(mode="json")
    del data["summary"]
    with pytest.raises(RoutineStoreError) as caught:
        import_routine(write_json(tmp_path / "short.json", data))
    assert str(caught.value) == "short.json: field 'summary' is missing (it is required)"


def test_a_rarer_error_reads_as_words_about_the_field_too() -> None:
    import datetime

    from pydantic import BaseModel, ValidationError

    from massage_trainer.domain.content import format_validation_error

    class Note(BaseModel):
        day: datetime.date

    with pytest.raises(ValidationError) as caught:
        Note.model_validate({"day": "someday"})
    (line,) = format_validation_error(caught.value)
    assert line.startswith("field 'day' must be a valid date")
    assert "Input should" not in line


def test_a_path_in_the_id_is_refused(library: ContentLibrary, tmp_path: Path) -> None:
    data = library.routines[BUILTIN].model_dump(mode="json")
    data["id"] = "../../outside"
    path = write_json(tmp_path / "sneaky.json", data)
    with pytest.raises(RoutineStoreError, match=r"sneaky\.json: field 'id'"):
        import_routine(path)


def test_an_unsafe_routine_is_refused_with_its_rule(
    library: ContentLibrary, tmp_path: Path
) -> None:
    data = library.routines[BUILTIN].model_dump(mode="json")
    data["steps"][1]["zones"] = ["kidney-left"]
    data["steps"][1]["pressure"] = Pressure.FIRM.value
    path = write_json(tmp_path / "unsafe.json", data)
    with pytest.raises(UnsafeRoutineError, match=r"unsafe\.json: breaks the safety rules.*step 2"):
        import_routine(path, lambda r: check_routine(r, library))


def test_html_and_script_in_texts_are_kept_as_plain_text(
    library: ContentLibrary, tmp_path: Path
) -> None:
    data = library.routines[BUILTIN].model_dump(mode="json")
    script = '<script>alert("x")</script><img src="http://example.com/a.png"> & <b>bold</b>'
    data["title"] = "<b>Loud</b> title"
    data["steps"][0]["instruction"] = script
    path = write_json(tmp_path / "markup.json", data)
    routine = import_routine(path, lambda r: check_routine(r, library))
    assert routine.title == "<b>Loud</b> title"
    assert routine.steps[0].instruction == script
    # Exported again, the text is still exactly what was imported.
    again = tmp_path / "again.json"
    export_routine(routine, again)
    assert import_routine(again).steps[0].instruction == script


def test_an_unreadable_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RoutineStoreError, match=r"missing\.json: cannot be read"):
        import_routine(tmp_path / "missing.json")


def test_store_module_exports_exist() -> None:
    for name in store_module.__all__:
        assert hasattr(store_module, name), name


# -- fuzzing: any file gives a routine or a RoutineStoreError, never a traceback ------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def set_at(data: Any, path: list[Any], value: Any) -> None:
    """Put ``value`` where ``path`` leads in ``data``, as far as the path exists."""
    target = data
    for key in path[:-1]:
        try:
            target = target[key]
        except (KeyError, IndexError, TypeError):
            break
    last = path[-1] if path else "title"
    with contextlib.suppress(IndexError, TypeError):
        target[last] = value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path_in_file=st.lists(
        st.sampled_from(["steps", 0, 1, "zones", "duration_min", "name", "title"]), max_size=3
    ),
    value=json_values,
    version=st.sampled_from([0, 1, None]),
)
def test_mangled_files_give_a_routine_or_a_clear_refusal(
    library: ContentLibrary,
    tmp_path_factory: pytest.TempPathFactory,
    path_in_file: list[Any],
    value: Any,
    version: int | None,
) -> None:
    data: Any = (
        legacy_file(library) if version == 0 else library.routines[BUILTIN].model_dump(mode="json")
    )
    if version is None:
        data.pop("schema_version", None)
    set_at(data, path_in_file, value)
    path = tmp_path_factory.mktemp("fuzz") / "shared.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    outcome: Routine | str
    try:
        outcome = import_routine(path, lambda r: check_routine(r, library))
    except RoutineStoreError as exc:
        outcome = str(exc)
    if isinstance(outcome, str):
        assert outcome.startswith("shared.json: ")
    else:
        assert isinstance(outcome, Routine)


@pytest.mark.parametrize("minutes", [1e308, float("nan"), "2", None, [3]])
def test_absurd_legacy_times_are_refused(
    library: ContentLibrary, tmp_path: Path, minutes: Any
) -> None:
    data = legacy_file(library)
    data["steps"][0]["duration_min"] = minutes
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RoutineStoreError, match=r"odd\.json: step 1, field 'duration_(min|s)'"):
        import_routine(path)


def test_a_number_with_thousands_of_digits_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "digits.json"
    path.write_text('{"schema_version": 1, "id": ' + "9" * 5000 + "}", encoding="utf-8")
    with pytest.raises(RoutineStoreError, match=r"digits\.json: not valid JSON"):
        import_routine(path)
