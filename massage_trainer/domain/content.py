"""Loading the app's content: zones, techniques, safety texts and routines.

Core content (zones, techniques, safety texts) must load or the app cannot teach safely,
so a broken core file raises :class:`ContentError`. A broken or refused routine file is
only a :class:`LoadProblem`: it is listed with its reason and everything else still works.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from massage_trainer.domain.models import (
    ID_PATTERN,
    AftercareItem,
    PreparationItem,
    Routine,
    SafetyFile,
    Technique,
    TechniqueFile,
    Zone,
    ZoneFile,
)
from massage_trainer.domain.paths import ROUTINES_FOLDER, assets_dir, user_data_dir
from massage_trainer.domain.safety import Problem, Severity, validate_routine

MAX_FILE_BYTES = 1_000_000
"""Content and routine files are small; anything larger is refused unread."""

MAX_JSON_DEPTH = 32
"""Deeper nesting than any real routine needs is refused before validation."""

_M = TypeVar("_M", bound=BaseModel)


class ContentError(Exception):
    """A content or routine file cannot be used. The message names the file and field."""


@dataclass(frozen=True)
class LoadProblem:
    """A routine file that was not loaded, or was refused by the safety rules."""

    file: str
    message: str


@dataclass(frozen=True)
class ContentLibrary:
    """Everything the app teaches, loaded and validated."""

    zones: Mapping[str, Zone]
    techniques: Mapping[str, Technique]
    routines: Mapping[str, Routine]
    """Built-in routines first, then the user's own, each in file-name order."""
    safety: SafetyFile
    problems: tuple[LoadProblem, ...] = ()
    warnings: Mapping[str, tuple[Problem, ...]] = field(default_factory=dict)
    """Safety warnings per routine id: shown, but they do not block."""
    builtin_ids: frozenset[str] = frozenset()

    def zone(self, zone_id: str) -> Zone:
        return self.zones[zone_id]

    def technique(self, technique_id: str) -> Technique:
        return self.techniques[technique_id]


def format_validation_error(error: ValidationError, *, limit: int = 8) -> list[str]:
    """One plain line per problem: where it is (step number, field) and what is wrong."""
    lines = []
    for item in error.errors()[:limit]:
        where = _describe_location(item["loc"])
        lines.append(f"{where} {describe_error(item, error.title)}")
    if error.error_count() > limit:
        lines.append(f"... and {error.error_count() - limit} more problems")
    return lines


def describe_error(item: ErrorDetails, model: str = "") -> str:
    """What is wrong, in plain words, to follow the name of the field it is about.

    ``item`` is one of pydantic's errors; ``model`` is the name of the model that was
    validated (``ValidationError.title``), which names what a stray field is not part
    of. "must be a whole number, not "ten"", not "Input should be a valid integer".
    """
    kind = item["type"]
    ctx = item.get("ctx") or {}
    found = _shown_input(item.get("input"))
    if kind in _TYPE_WORDS:
        return f"must be {_TYPE_WORDS[kind]}" + (f", not {found}" if found else "")
    if kind == "missing":
        return "is missing (it is required)"
    if kind == "extra_forbidden":
        return f"is not a field {_owner_noun(item['loc'], model)} have (a typo?)"
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        if least == 1:
            return "must not be empty"
        return f"is too short (at least {_number(least)} characters)"
    if kind == "string_too_long":
        return f"is too long (at most {_number(ctx.get('max_length'))} characters)"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == ID_PATTERN:
            return (
                "may only use lower-case letters, digits, '-' and '_', starting with a "
                "letter or digit, at most 64 characters"
            ) + (f" (not {found})" if found else "")
        return "is not written the way it should be" + (f" (not {found})" if found else "")
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return f"needs at least {_number(least)} {'entry' if least == 1 else 'entries'}"
    if kind == "too_long":
        return f"has too many entries (at most {_number(ctx.get('max_length'))})"
    if kind in {"enum", "literal_error"}:
        return f"must be {ctx.get('expected', 'one of the allowed values')}" + (
            f", not {found}" if found else ""
        )
    if kind in _LIMIT_WORDS:
        words, key = _LIMIT_WORDS[kind]
        return f"must be {words} {_number(ctx.get(key))}"
    if kind in {"value_error", "assertion_error"}:
        reason = str(ctx.get("error") or item["msg"])
        for prefix in ("Value error, ", "Assertion failed, "):
            reason = reason.removeprefix(prefix)
        return f"is not allowed: {reason}"
    # Anything rarer: pydantic's own words, made to follow the field's name.
    message = item["msg"]
    for start, plain in (("Input should be ", "must be "), ("Input should ", "must ")):
        if message.startswith(start):
            return plain + message[len(start) :]
    return "is not valid: " + message[:1].lower() + message[1:]


_TYPE_WORDS = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "tuple_type": "a list [ … ]",
    "list_type": "a list [ … ]",
    "dict_type": "an object { … }",
    "model_type": "an object { … }",
    "model_attributes_type": "an object { … }",
}
"""Errors about the kind of value, and the kind that was expected."""

_LIMIT_WORDS = {
    "greater_than_equal": ("at least", "ge"),
    "greater_than": ("more than", "gt"),
    "less_than_equal": ("at most", "le"),
    "less_than": ("less than", "lt"),
}


def _number(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _shown_input(value: object) -> str:
    """The value a file had, as JSON would write it, when it is short enough to quote."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str) and not any(c in value for c in "'\"\\") and value.isprintable():
        text = f"'{value}'"  # quoted as the allowed values and field names are
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            return ""
    return text if len(text) <= 40 else ""


def _owner_noun(loc: tuple[int | str, ...], model: str) -> str:
    """What the field with a stray name sits in, as a plural: "routines", "steps"."""
    if len(loc) >= 3 and isinstance(loc[-2], int) and isinstance(loc[-3], str):
        container = loc[-3]
        return container if container.endswith("s") else f"{container} items"
    words = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", model) or ["object"]
    return " ".join(word.lower() for word in words) + "s"


def _describe_location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    i = 0
    while i < len(loc):
        key = loc[i]
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        if key == "steps" and isinstance(nxt, int):
            parts.append(f"step {nxt + 1}")
            i += 2
            continue
        if isinstance(nxt, int) and isinstance(key, str):
            parts.append(f"{key}[{nxt + 1}]")
            i += 2
            continue
        parts.append(str(key))
        i += 1
    if not parts:
        return "file"
    fields = [p for p in parts if not p.startswith("step ")]
    steps = [p for p in parts if p.startswith("step ")]
    where = steps[:1] + ([f"field '{'.'.join(fields)}'"] if fields else [])
    return ", ".join(where)


def read_json_file(path: Path) -> Any:
    """Read a small JSON file safely, with a clear error for every way it can be wrong."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ContentError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if size > MAX_FILE_BYTES:
        raise ContentError(
            f"{name}: the file is {size:,} bytes; files over {MAX_FILE_BYTES:,} bytes are refused"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise ContentError(f"{name}: the file is empty")
    if b"\x00" in raw:
        raise ContentError(f"{name}: this is a binary file, not a JSON text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContentError(f"{name}: not UTF-8 text (bad byte at position {exc.start})") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise ContentError(f"{name}: the JSON is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ContentError(
            f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except ValueError as exc:  # e.g. a number with thousands of digits
        raise ContentError(f"{name}: not valid JSON ({exc})") from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise ContentError(f"{name}: the JSON is nested more than {MAX_JSON_DEPTH} levels deep")
    return data


def _depth(value: Any) -> int:
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def load_model(path: Path, model: type[_M]) -> _M:
    """Read ``path`` and validate it as ``model``; raise ContentError naming file and field."""
    data = read_json_file(path)
    if not isinstance(data, dict):
        raise ContentError(f"{path.name}: expected a JSON object at the top level")
    version = data.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > 1:
        raise ContentError(
            f"{path.name}: written by a newer version of the app (schema_version {version}); "
            "this version reads schema_version 1"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = format_validation_error(exc)
        raise ContentError(f"{path.name}: " + "; ".join(lines)) from None


def load_routine_file(path: Path) -> Routine:
    """Load one routine file (structure only; see :func:`check_routine` for safety)."""
    return load_model(path, Routine)


def check_routine(routine: Routine, library: ContentLibrary) -> list[Problem]:
    """The safety problems of a routine: errors refuse it, warnings are shown."""
    return validate_routine(routine, library.zones, library.techniques, library.safety)


WIND_DOWN = frozenset({"lighten-pressure", "opening-strokes", "rest-hands"})
"""Aftercare items about ending the massage itself, shown with every routine."""


def preparation_items(routine: Routine | None, safety: SafetyFile) -> tuple[PreparationItem, ...]:
    """The routine's preparation items in its order; every item when it names none."""
    by_id = {item.id: item for item in safety.preparation}
    if routine is not None and routine.preparation:
        chosen = tuple(by_id[item_id] for item_id in routine.preparation if item_id in by_id)
        if chosen:
            return chosen
    return tuple(safety.preparation)


def aftercare_items(routine: Routine | None, safety: SafetyFile) -> tuple[AftercareItem, ...]:
    """The routine's aftercare items, in its order; every item when it names none."""
    by_id = {item.id: item for item in safety.aftercare}
    if routine is not None and routine.aftercare:
        chosen = tuple(by_id[item_id] for item_id in routine.aftercare if item_id in by_id)
        if chosen:
            # The wind-down items always come first, even when a routine leaves them
            # out: they are how any massage should end.
            closing = tuple(
                item for item in safety.aftercare if item.id in WIND_DOWN and item not in chosen
            )
            return closing + chosen
    return tuple(safety.aftercare)


def load_user_library() -> ContentLibrary:
    """The built-in content plus the user's saved routines: what the app works with."""
    return load_library(user_routines=user_data_dir() / ROUTINES_FOLDER)


def load_library(assets: Path | None = None, user_routines: Path | None = None) -> ContentLibrary:
    """Load all content. Raises ContentError when the core content is unusable."""
    root = assets if assets is not None else assets_dir()
    content = root / "content"
    zone_file = load_model(content / "zones.json", ZoneFile)
    technique_file = load_model(content / "techniques.json", TechniqueFile)
    safety = load_model(content / "safety.json", SafetyFile)
    _check_unique([z.id for z in zone_file.zones], "zones.json", "zone")
    _check_unique([t.id for t in technique_file.techniques], "techniques.json", "technique")
    zones = {z.id: z for z in zone_file.zones}
    techniques = {t.id: t for t in technique_file.techniques}

    routines: dict[str, Routine] = {}
    warnings: dict[str, tuple[Problem, ...]] = {}
    problems: list[LoadProblem] = []
    builtin: set[str] = set()
    folders = [(root / "routines", True)]
    if user_routines is not None:
        folders.append((user_routines, False))
    for folder, is_builtin in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.json")):
            try:
                routine = load_routine_file(path)
            except ContentError as exc:
                problems.append(LoadProblem(path.name, str(exc)))
                continue
            if routine.id in routines:
                problems.append(
                    LoadProblem(
                        path.name,
                        f"{path.name}: a routine with id '{routine.id}' "
                        "is already loaded; this copy was skipped",
                    )
                )
                continue
            found = validate_routine(routine, zones, techniques, safety)
            errors = [p for p in found if p.severity is Severity.ERROR]
            if errors:
                # Named like the other problems: the file first, then what is wrong.
                rules = "; ".join(p.message for p in errors)
                problems.append(
                    LoadProblem(path.name, f"{path.name}: breaks a safety rule: {rules}")
                )
                continue
            routines[routine.id] = routine
            warnings[routine.id] = tuple(found)
            if is_builtin:
                builtin.add(routine.id)
    return ContentLibrary(
        zones=MappingProxyType(zones),
        techniques=MappingProxyType(techniques),
        routines=MappingProxyType(routines),
        safety=safety,
        problems=tuple(problems),
        warnings=MappingProxyType(warnings),
        builtin_ids=frozenset(builtin),
    )


def _check_unique(ids: list[str], file: str, kind: str) -> None:
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise ContentError(f"{file}: the {kind} id '{item_id}' is used twice")
        seen.add(item_id)
