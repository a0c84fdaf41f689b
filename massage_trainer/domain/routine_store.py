"""The user's own routines: versioned JSON files, saved atomically, with drafts and sharing.

Layout under :func:`~massage_trainer.domain.paths.user_data_dir`::

    routines/<id>.json   saved routines (``load_library(user_routines=...)`` reads these)
    drafts/<id>.json     the editor's autosaved work in progress, offered back after a crash

Every file is written to a temporary file in the same folder, flushed and fsynced, then
moved over the old one with :func:`os.replace`, so a crash leaves either the old file or
the new one, never half of one. File names come from routine ids only: an id is checked
against the id pattern (no separators, no dots) and the final path must stay inside its
folder.

Imported files are data from someone else: they are size-capped and depth-capped by
:func:`~massage_trainer.domain.content.read_json_file`, migrated from older schema
versions by :func:`migrate`, validated with the content models and the safety rules,
and refused with a message naming the file and the field. Their texts are kept exactly
as written; the UI shows them as plain text.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from massage_trainer.domain.content import (
    MAX_FILE_BYTES,
    ContentError,
    LoadProblem,
    format_validation_error,
    read_json_file,
)
from massage_trainer.domain.models import ID_PATTERN, SCHEMA_VERSION, Routine
from massage_trainer.domain.paths import (
    DRAFTS_FOLDER,
    ROUTINES_FOLDER,
    assets_dir,
    user_data_dir,
)
from massage_trainer.domain.safety import Problem, Severity

__all__ = [
    "MIGRATIONS",
    "OLDEST_SCHEMA_VERSION",
    "Draft",
    "ReadOnlyRoutineError",
    "RoutineStore",
    "RoutineStoreError",
    "UnsafeRoutineError",
    "atomic_write_text",
    "builtin_routine_ids",
    "check_routine_id",
    "export_routine",
    "import_routine",
    "migrate",
    "routine_to_json",
    "slugify",
    "unique_id",
]


OLDEST_SCHEMA_VERSION = 0
"""The oldest routine file version that can still be imported (and is migrated)."""

_ID_PATTERN = re.compile(ID_PATTERN)
_MAX_ID_LENGTH = 64

RoutineChecker = Callable[[Routine], Sequence[Problem]]
"""Returns the safety problems of a routine (for example ``check_routine`` with a library)."""


class RoutineStoreError(ContentError):
    """A routine cannot be saved, loaded, imported or exported. The message says why."""


class ReadOnlyRoutineError(RoutineStoreError):
    """The routine is built in: it cannot be changed or deleted, only duplicated."""


class UnsafeRoutineError(RoutineStoreError):
    """The routine breaks a safety rule, so it cannot be saved for use (only as a draft)."""

    def __init__(self, message: str, problems: Sequence[Problem]) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


# -- ids and file names ---------------------------------------------------------------


def check_routine_id(routine_id: object) -> str:
    """Return ``routine_id`` if it is safe as a file name; raise RoutineStoreError if not.

    A safe id is the content id pattern: lower-case letters, digits, ``-`` and ``_``,
    starting with a letter or digit, at most 64 characters. That rules out path
    separators, ``..``, hidden files and anything a file system treats specially.
    """
    if not isinstance(routine_id, str) or not _ID_PATTERN.fullmatch(routine_id):
        shown = repr(routine_id)[:80]
        raise RoutineStoreError(
            f"{shown} is not a usable routine id: use lower-case letters, digits, '-' and '_' "
            "only (no slashes or dots), at most 64 characters"
        )
    return routine_id


def slugify(text: str) -> str:
    """A routine id made from a title: "Neck & shoulders!" -> "neck-shoulders"."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    slug = slug[:48].rstrip("-")
    return slug or "routine"


def unique_id(base: str, taken: Iterable[str]) -> str:
    """An id made from ``base`` (a title or an id) that is not in ``taken``.

    The slug of ``base`` is used as is when free, else ``-2``, ``-3``, ... is added.
    """
    used = set(taken)
    stem = slugify(base)
    if stem not in used:
        return stem
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = stem[: _MAX_ID_LENGTH - len(suffix)].rstrip("-") + suffix
        if candidate not in used:
            return candidate
        number += 1


def builtin_routine_ids(assets: Path | None = None) -> frozenset[str]:
    """The ids of the shipped routines (their files are ``assets/routines/<id>.json``)."""
    folder = (assets if assets is not None else assets_dir()) / "routines"
    if not folder.is_dir():
        return frozenset()
    return frozenset(path.stem for path in folder.glob("*.json"))


def _path_in(folder: Path, routine_id: str) -> Path:
    name = check_routine_id(routine_id) + ".json"
    path = folder / name
    # The pattern already rules out escapes; this keeps the promise if it ever changes.
    if path.resolve().parent != folder.resolve():
        raise RoutineStoreError(f"{routine_id!r} would be stored outside {folder.name}/")
    return path


# -- writing --------------------------------------------------------------------------


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a crash leaves the old file or the new, never half.

    The text goes to a temporary file in the same folder (so the final rename cannot
    cross file systems), is flushed and fsynced, then replaces ``path`` in one
    :func:`os.replace`. On any failure the temporary file is removed and the error is
    raised; ``path`` is untouched. The file keeps the permissions of the one it replaces;
    a new file gets the usual ones (what the umask allows), as with a plain write.
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    mode = _file_mode(path)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    temp = Path(temp_name)
    try:
        if mode is not None:
            # mkstemp makes the file readable by its owner only: a shared file would be
            # unreadable by the rest of the class.
            os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_folder(folder)


def _file_mode(path: Path) -> int | None:
    """The permission bits ``path`` should be written with; None where modes do not apply."""
    if os.name != "posix":
        return None
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        pass
    umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open folders, so skip there.
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def routine_to_json(routine: Routine) -> str:
    """The routine as the text of a current-version routine file."""
    data = routine.model_dump(mode="json")
    data["schema_version"] = SCHEMA_VERSION
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _checked_text(routine: Routine) -> str:
    text = routine_to_json(routine)
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise RoutineStoreError(
            f"{routine.id}.json: the routine would be {size:,} bytes, over the "
            f"{MAX_FILE_BYTES:,}-byte limit for routine files; shorten its texts"
        )
    return text


def export_routine(routine: Routine, path: Path) -> None:
    """Write ``routine`` to ``path`` (a file the user chose) atomically, as the current version."""
    text = _checked_text(routine)
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise RoutineStoreError(f"{path.name}: cannot be written ({exc.strerror or exc})") from None


# -- reading and migrating ------------------------------------------------------------


def _migrate_0_to_1(data: dict[str, Any], name: str) -> dict[str, Any]:
    """Version 0 named the title ``name`` and gave step times in minutes (``duration_min``)."""
    out = dict(data)
    if "name" in out:
        if "title" in out:
            raise RoutineStoreError(
                f"{name}: field 'name': a version-0 file has 'name' and no 'title', "
                "but this one has both"
            )
        out["title"] = out.pop("name")
    steps = out.get("steps")
    if isinstance(steps, list):
        new_steps: list[Any] = []
        for number, step in enumerate(steps, start=1):
            if isinstance(step, dict) and "duration_min" in step:
                step = dict(step)
                minutes = step.pop("duration_min")
                seconds = _minutes_to_seconds(minutes)
                if seconds is None:
                    raise RoutineStoreError(
                        f"{name}: step {number}, field 'duration_min' must be a number of minutes"
                    )
                if "duration_s" in step:
                    raise RoutineStoreError(
                        f"{name}: step {number}, field 'duration_min': a step has either "
                        "'duration_min' (version 0) or 'duration_s', not both"
                    )
                step["duration_s"] = seconds
            new_steps.append(step)
        out["steps"] = new_steps
    out["schema_version"] = 1
    return out


def _minutes_to_seconds(minutes: object) -> int | None:
    """Whole seconds for a number of minutes; None for anything that is not a sane number."""
    if isinstance(minutes, bool) or not isinstance(minutes, int | float):
        return None
    seconds = float(minutes) * 60 if isinstance(minutes, float) else minutes * 60
    if isinstance(seconds, float) and not math.isfinite(seconds):
        return None
    # Far outside any step's range, but a whole number: the model then names the limit.
    return round(seconds)


MIGRATIONS: Mapping[int, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    0: _migrate_0_to_1,
}
"""``MIGRATIONS[v]`` turns a version-``v`` routine into version ``v + 1``."""


def migrate(data: dict[str, Any], name: str = "routine") -> dict[str, Any]:
    """Bring a routine file's data to the current schema version, one step at a time.

    A missing ``schema_version`` is read as the current version (as the loader does).
    A newer version is refused rather than guessed at; ``name`` (the file name) starts
    every message.
    """
    version = data.get("schema_version", SCHEMA_VERSION)
    if isinstance(version, bool) or not isinstance(version, int):
        raise RoutineStoreError(
            f"{name}: field 'schema_version' must be a whole number, not {version!r:.40}"
        )
    if version > SCHEMA_VERSION:
        raise RoutineStoreError(
            f"{name}: field 'schema_version': the file was written by a newer version of "
            f"the app (schema_version {version}); this version reads versions "
            f"{OLDEST_SCHEMA_VERSION} to {SCHEMA_VERSION}. Update the app to open it."
        )
    if version < OLDEST_SCHEMA_VERSION:
        raise RoutineStoreError(
            f"{name}: field 'schema_version': {version} is not a routine file version"
        )
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data, name)
        version += 1
    return data


def _routine_from_data(data: Any, name: str) -> Routine:
    if not isinstance(data, dict):
        raise RoutineStoreError(f"{name}: expected a JSON object at the top level")
    data = migrate(data, name)
    try:
        return Routine.model_validate(data)
    except ValidationError as exc:
        raise RoutineStoreError(f"{name}: " + "; ".join(format_validation_error(exc))) from None


def read_routine(path: Path) -> Routine:
    """Read a routine file of any supported version; RoutineStoreError names file and field."""
    try:
        data = read_json_file(path)
    except ContentError as exc:
        raise RoutineStoreError(str(exc)) from None
    except ValueError as exc:
        # json.loads refuses numbers with thousands of digits with a bare ValueError.
        raise RoutineStoreError(f"{path.name}: not valid JSON ({exc})") from None
    return _routine_from_data(data, path.name)


def _read_routine_named(path: Path, routine_id: str, kind: str) -> Routine:
    """Read ``path``, refusing it unless it holds the routine ``routine_id``; ``kind``
    ("file" or "draft") names what was read in the message."""
    routine = read_routine(path)
    if routine.id != routine_id:
        raise RoutineStoreError(
            f"{path.name}: field 'id': the {kind} holds '{routine.id}', not '{routine_id}'"
        )
    return routine


def import_routine(path: Path, checker: RoutineChecker | None = None) -> Routine:
    """Read a shared routine file: capped, migrated, validated and safety-checked.

    With ``checker`` given, a routine that breaks a safety rule is refused with
    :class:`UnsafeRoutineError` (its message lists the broken rules with their steps).
    The routine keeps the id written in the file; the caller decides what to do if
    that id is taken (see :func:`unique_id`).
    """
    routine = read_routine(path)
    if checker is not None:
        _refuse_errors(routine, checker, path.name)
    return routine


def _refuse_errors(routine: Routine, checker: RoutineChecker, name: str) -> None:
    errors = [p for p in checker(routine) if p.severity is Severity.ERROR]
    if errors:
        listed = "; ".join(p.message for p in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise UnsafeRoutineError(
            f"{name}: breaks the safety rules: {listed}{more}",
            errors,
        )


# -- the store ------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """An autosaved draft that was not saved as a routine or thrown away."""

    routine: Routine
    path: Path
    saved_at: datetime
    """When the draft was last written (UTC)."""
    has_saved_version: bool
    """Whether a saved routine with the same id exists (else the draft is all there is)."""


class RoutineStore:
    """The user's routines and drafts in a data folder (by default the user's data dir).

    Built-in routine ids are read-only: saving or deleting one raises
    :class:`ReadOnlyRoutineError`. With ``checker`` given, :meth:`save` refuses a
    routine with safety errors (drafts are always allowed).
    """

    def __init__(
        self,
        root: Path | None = None,
        *,
        builtin_ids: Iterable[str] | None = None,
        checker: RoutineChecker | None = None,
    ) -> None:
        self._root = root
        self._builtin = frozenset(builtin_ids) if builtin_ids is not None else builtin_routine_ids()
        self._checker = checker

    # -- places -----------------------------------------------------------------------

    @property
    def root(self) -> Path:
        return self._root if self._root is not None else user_data_dir()

    @property
    def folder(self) -> Path:
        """Where saved routines live; pass this to ``load_library(user_routines=...)``."""
        return self.root / ROUTINES_FOLDER

    @property
    def drafts_folder(self) -> Path:
        return self.root / DRAFTS_FOLDER

    @property
    def builtin_ids(self) -> frozenset[str]:
        return self._builtin

    def path_for(self, routine_id: str) -> Path:
        """The file of the saved routine ``routine_id`` (RoutineStoreError for a bad id)."""
        return _path_in(self.folder, routine_id)

    def draft_path_for(self, routine_id: str) -> Path:
        return _path_in(self.drafts_folder, routine_id)

    def is_read_only(self, routine_id: str) -> bool:
        """True for the built-in routines, which can only be duplicated."""
        return routine_id in self._builtin

    # -- routines ---------------------------------------------------------------------

    def exists(self, routine_id: str) -> bool:
        return self.path_for(routine_id).is_file()

    def ids(self) -> list[str]:
        """The ids of the saved routines, in file-name order."""
        folder = self.folder
        if not folder.is_dir():
            return []
        return sorted(
            path.stem for path in folder.glob("*.json") if _ID_PATTERN.fullmatch(path.stem)
        )

    def taken_ids(self) -> set[str]:
        """Every id a new routine must not use: saved, drafted and built-in."""
        taken = set(self.ids()) | set(self._builtin)
        if self.drafts_folder.is_dir():
            taken |= {path.stem for path in self.drafts_folder.glob("*.json")}
        return taken

    def list_routines(self) -> tuple[list[Routine], list[LoadProblem]]:
        """Every saved routine that loads, and a problem for each file that does not."""
        routines: list[Routine] = []
        problems: list[LoadProblem] = []
        for routine_id in self.ids():
            try:
                routines.append(self.load(routine_id))
            except RoutineStoreError as exc:
                problems.append(LoadProblem(f"{routine_id}.json", str(exc)))
        return routines, problems

    def load(self, routine_id: str) -> Routine:
        """Load a saved routine; RoutineStoreError naming file and field if it is broken."""
        return _read_routine_named(self.path_for(routine_id), routine_id, "file")

    def save(self, routine: Routine) -> Path:
        """Save atomically as ``routines/<id>.json`` and drop its draft; returns the path."""
        self._refuse_read_only(routine.id, "changed")
        path = self.path_for(routine.id)
        if self._checker is not None:
            _refuse_errors(routine, self._checker, path.name)
        text = _checked_text(routine)
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            raise RoutineStoreError(
                f"{path.name}: cannot be saved ({exc.strerror or exc})"
            ) from None
        self.discard_draft(routine.id)
        return path

    def delete(self, routine_id: str) -> None:
        """Delete a saved routine and its draft (nothing happens if there is neither)."""
        self._refuse_read_only(routine_id, "deleted")
        for path in (self.path_for(routine_id), self.draft_path_for(routine_id)):
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise RoutineStoreError(
                    f"{path.name}: cannot be deleted ({exc.strerror or exc})"
                ) from None

    def duplicate(self, routine: Routine, new_id: str, new_title: str) -> Routine:
        """A copy of ``routine`` under a new id and title (not saved: call :meth:`save`)."""
        check_routine_id(new_id)
        if new_id in self.taken_ids():
            raise RoutineStoreError(f"the routine id '{new_id}' is already used")
        data = routine.model_dump(mode="json")
        data.update(id=new_id, title=new_title)
        try:
            return Routine.model_validate(data)
        except ValidationError as exc:
            raise RoutineStoreError(
                "the copy: " + "; ".join(format_validation_error(exc))
            ) from None

    def new_id(self, title: str) -> str:
        """A free id made from ``title``."""
        return unique_id(title, self.taken_ids())

    def _refuse_read_only(self, routine_id: str, verb: str) -> None:
        if self.is_read_only(routine_id):
            raise ReadOnlyRoutineError(
                f"'{routine_id}' is a built-in routine and cannot be {verb}; "
                "duplicate it to make your own version"
            )

    # -- drafts -----------------------------------------------------------------------

    def save_draft(self, routine: Routine) -> Path:
        """Autosave work in progress (safety errors allowed) as ``drafts/<id>.json``."""
        self._refuse_read_only(routine.id, "drafted")
        path = self.draft_path_for(routine.id)
        try:
            atomic_write_text(path, _checked_text(routine))
        except OSError as exc:
            raise RoutineStoreError(
                f"{path.name}: the draft cannot be saved ({exc.strerror or exc})"
            ) from None
        return path

    def load_draft(self, routine_id: str) -> Routine:
        return _read_routine_named(self.draft_path_for(routine_id), routine_id, "draft")

    def has_draft(self, routine_id: str) -> bool:
        return self.draft_path_for(routine_id).is_file()

    def draft_ids(self) -> list[str]:
        """The ids of the drafts on disk, in file-name order (built-ins never have one)."""
        folder = self.drafts_folder
        if not folder.is_dir():
            return []
        return sorted(
            path.stem
            for path in folder.glob("*.json")
            if _ID_PATTERN.fullmatch(path.stem) and not self.is_read_only(path.stem)
        )

    def discard_draft(self, routine_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.draft_path_for(routine_id).unlink()

    def pending_drafts(self) -> list[Draft]:
        """Drafts left behind (after a crash) that differ from the saved routine.

        A draft identical to its saved routine is removed instead of offered; a draft
        that cannot be read is left alone and not offered.
        """
        folder = self.drafts_folder
        if not folder.is_dir():
            return []
        drafts: list[Draft] = []
        for path in sorted(folder.glob("*.json")):
            routine_id = path.stem
            if not _ID_PATTERN.fullmatch(routine_id) or self.is_read_only(routine_id):
                continue
            try:
                routine = self.load_draft(routine_id)
            except RoutineStoreError:
                continue
            saved: Routine | None = None
            if self.exists(routine_id):
                with contextlib.suppress(RoutineStoreError):
                    saved = self.load(routine_id)
            if saved is not None and saved == routine:
                self.discard_draft(routine_id)
                continue
            saved_at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
            drafts.append(Draft(routine, path, saved_at, self.exists(routine_id)))
        return drafts
