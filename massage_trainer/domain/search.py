"""Searching the technique, zone and routine library, as the user types.

A query is matched, ignoring case and extra spaces, against each technique's name,
aliases and family, each zone's name, side, tier and everyday words for that part
of the body (its ``aliases``: "backbone", "scapula", "lumbar"), and each routine's
title and audience ("beginner"), built-in or the user's own. Plurals match the
singular ("kidneys", "shoulder blades"). Results are ranked: an exact name or alias
first, then names that start with the query, then names with a later word that does,
then names that merely contain it, then names a small typo away ("efleurage",
"kneed"), and last the items that only mention the query in their longer texts
(purpose, how-to, reason, landmarks, a routine's summary). At the same rank techniques
come before zones and zones before routines. So "kneading" puts the petrissage techniques
first and "tapping" or "cupping" the tapotement ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.models import (
    Pressure,
    Routine,
    SafetyTier,
    Side,
    Step,
    Technique,
    TechniqueFamily,
    Zone,
)

MAX_QUERY_CHARS = 200
"""Longer queries are cut: nobody types more, and matching stays quick."""


class HitKind(StrEnum):
    TECHNIQUE = "technique"
    ZONE = "zone"
    ROUTINE = "routine"


class MatchRank(IntEnum):
    """How well an item matched; lower is better."""

    EXACT = 0
    """The query is the item's name or one of its aliases."""
    PREFIX = 1
    """The name, an alias or the family starts with the query."""
    WORD_PREFIX = 2
    """A later word of the name, an alias or the family starts with the query."""
    SUBSTRING = 3
    """The query appears inside a name, alias or family, or all its words do."""
    CLOSE = 4
    """Every word of the query is a small typo away from a word of a name or alias."""
    DESCRIPTION = 5
    """The query appears only in the item's longer texts."""
    ALL = 6
    """No query: every item that passes the filters, in library order."""


class _Field(IntEnum):
    """Which kind of text matched: a tie-break within one rank (name beats alias)."""

    NAME = 0
    ALIAS = 1
    FAMILY = 2
    TEXT = 3


@dataclass(frozen=True)
class SearchHit:
    """One search result: a technique, a zone or a routine, and why it matched."""

    kind: HitKind
    id: str
    title: str
    """What to show in a result list: the name (with the side for one-sided zones)."""
    subtitle: str
    """A short second line: the family and pressure, the tier and pressure, or the
    routine's length and audience."""
    rank: MatchRank
    matched: str
    """The text that matched ("" for no query), to show the user why it is there."""

    @property
    def link(self) -> str:
        """The item's internal link: ``technique:<id>``, ``zone:<id>`` or ``routine:<id>``."""
        return f"{self.kind.value}:{self.id}"


def normalise(text: str) -> str:
    """Lower case (casefold), hyphens as spaces, single spaces, trimmed."""
    text = text[:MAX_QUERY_CHARS].casefold().replace("-", " ")
    return re.sub(r"\s+", " ", text).strip()


def zone_title(zone: Zone) -> str:
    """The zone's short name, with its side for one of a pair: "Kidney area (left)".

    The explanation some names carry in brackets is left out so that the side stays
    visible in narrow lists; it is still searched.
    """
    name = zone.name.split("(", 1)[0].rstrip(" ,") or zone.name
    if zone.side in (Side.LEFT, Side.RIGHT):
        return f"{name} ({zone.side.value})"
    return name


def tier_label(tier: SafetyTier) -> str:
    """ "Safe", "Caution" or "No-go"."""
    return tier.value.capitalize()


def technique_allowed_on(technique: Technique, zone: Zone) -> bool:
    """Whether the zone's rules allow the technique: its family and the zone's tier."""
    return technique.family in zone.allowed_families and zone.tier in technique.allowed_tiers


def search(
    library: ContentLibrary,
    query: str,
    *,
    family: TechniqueFamily | None = None,
    pressure: Pressure | None = None,
    zone: str | None = None,
) -> list[SearchHit]:
    """Techniques, zones and routines matching ``query``, best first, narrowed by the
    filters.

    - ``family``: techniques of that family; zones that allow it; routines with a step
      using it.
    - ``pressure``: techniques whose usual pressure it is; zones whose top pressure it
      is; routines with a step at that pressure.
    - ``zone`` (an id): techniques allowed on that zone; that zone itself; routines
      with a step on it.

    An empty query lists everything that passes the filters: techniques, zones, then
    routines.
    """
    needle = normalise(query)
    zone_filter = library.zones.get(zone) if zone else None
    if zone and zone_filter is None:
        return []
    scored: list[tuple[tuple[int, int, int, int], SearchHit]] = []
    for order, technique in enumerate(library.techniques.values()):
        if not _technique_passes(technique, family, pressure, zone_filter):
            continue
        match = _match_technique(technique, needle)
        if match is None:
            continue
        rank, field, text = match
        hit = SearchHit(
            kind=HitKind.TECHNIQUE,
            id=technique.id,
            title=technique.name,
            subtitle=f"{technique.family.label} · {technique.pressure.label} pressure",
            rank=rank,
            matched=text,
        )
        scored.append(((rank, field, 0, order), hit))
    for order, item in enumerate(library.zones.values()):
        if not _zone_passes(item, family, pressure, zone_filter):
            continue
        match = _match_zone(item, needle)
        if match is None:
            continue
        rank, field, text = match
        top = (
            "no pressure"
            if item.max_pressure is Pressure.NONE
            else f"up to {item.max_pressure.value}"
        )
        hit = SearchHit(
            kind=HitKind.ZONE,
            id=item.id,
            title=zone_title(item),
            subtitle=f"Zone · {tier_label(item.tier)} · {top}",
            rank=rank,
            matched=text,
        )
        scored.append(((rank, field, 1, order), hit))
    for order, routine in enumerate(library.routines.values()):
        if not _routine_passes(library, routine, family, pressure, zone_filter):
            continue
        match = _match_routine(routine, needle)
        if match is None:
            continue
        rank, field, text = match
        hit = SearchHit(
            kind=HitKind.ROUTINE,
            id=routine.id,
            title=routine.title,
            # Short enough for a narrow dock; the routine's page gives the steps.
            subtitle=(
                f"Routine · {duration_text(routine.total_seconds)} · {routine.audience.label}"
            ),
            rank=rank,
            matched=text,
        )
        scored.append(((rank, field, 2, order), hit))
    scored.sort(key=lambda pair: pair[0])
    return [hit for _, hit in scored]


def duration_text(seconds: int) -> str:
    """A routine's length in round minutes ("20 min"), or seconds under a minute."""
    if seconds < 60:
        return f"{seconds} s"
    return f"{round(seconds / 60)} min"


def routines_using(library: ContentLibrary, technique_id: str) -> list[Routine]:
    """The routines with at least one step using the technique, in library order."""
    return [
        routine
        for routine in library.routines.values()
        if any(step.technique == technique_id for step in routine.steps)
    ]


def steps_on_zone(routine: Routine | None, zone_id: str) -> list[tuple[int, Step]]:
    """The routine's steps that work on the zone, with their 0-based index."""
    if routine is None:
        return []
    return [(index, step) for index, step in enumerate(routine.steps) if zone_id in step.zones]


def allowed_zones(library: ContentLibrary, technique: Technique) -> list[Zone]:
    """The zones whose rules allow the technique, in library order."""
    return [z for z in library.zones.values() if technique_allowed_on(technique, z)]


def techniques_allowed_on(library: ContentLibrary, zone: Zone) -> list[Technique]:
    """The techniques the zone's rules allow, in library order."""
    return [t for t in library.techniques.values() if technique_allowed_on(t, zone)]


# -- filters ----------------------------------------------------------------------------


def _technique_passes(
    technique: Technique,
    family: TechniqueFamily | None,
    pressure: Pressure | None,
    zone: Zone | None,
) -> bool:
    if family is not None and technique.family is not family:
        return False
    if pressure is not None and technique.pressure is not pressure:
        return False
    return zone is None or technique_allowed_on(technique, zone)


def _zone_passes(
    item: Zone,
    family: TechniqueFamily | None,
    pressure: Pressure | None,
    zone: Zone | None,
) -> bool:
    if family is not None and family not in item.allowed_families:
        return False
    if pressure is not None and item.max_pressure is not pressure:
        return False
    return zone is None or item.id == zone.id


def _routine_passes(
    library: ContentLibrary,
    routine: Routine,
    family: TechniqueFamily | None,
    pressure: Pressure | None,
    zone: Zone | None,
) -> bool:
    # A routine passes when one of its steps does: a step of that family, at that
    # pressure, on that zone (all three in the same step when several filters are set).
    for step in routine.steps:
        if family is not None:
            technique = library.techniques.get(step.technique)
            if technique is None or technique.family is not family:
                continue
        if pressure is not None and step.pressure is not pressure:
            continue
        if zone is not None and zone.id not in step.zones:
            continue
        return True
    return False


# -- matching ---------------------------------------------------------------------------

_Match = tuple[MatchRank, int, str]


def _match_technique(technique: Technique, needle: str) -> _Match | None:
    if not needle:
        return MatchRank.ALL, _Field.NAME, ""
    fields = [(_Field.NAME, technique.name), (_Field.NAME, technique.id)]
    fields += [(_Field.ALIAS, alias) for alias in technique.aliases]
    fields.append((_Field.FAMILY, technique.family.value))
    texts = [technique.purpose, technique.hand_part, *technique.how_to, *technique.mistakes]
    return _best_match(needle, fields, texts)


def _match_zone(zone: Zone, needle: str) -> _Match | None:
    if not needle:
        return MatchRank.ALL, _Field.NAME, ""
    fields = [
        (_Field.NAME, zone.name),
        (_Field.NAME, zone_title(zone)),
        (_Field.NAME, zone.id),
    ]
    fields += [(_Field.ALIAS, word) for word in zone.aliases]
    fields.append((_Field.FAMILY, zone.tier.value))
    return _best_match(needle, fields, [zone.reason, zone.description])


def _match_routine(routine: Routine, needle: str) -> _Match | None:
    if not needle:
        return MatchRank.ALL, _Field.NAME, ""
    fields = [
        (_Field.NAME, routine.title),
        (_Field.NAME, routine.id),
        (_Field.FAMILY, routine.audience.value),
        (_Field.FAMILY, routine.audience.label),
    ]
    return _best_match(needle, fields, [routine.summary])


def _best_match(
    needle: str, fields: Sequence[tuple[_Field, str]], texts: Iterable[str]
) -> _Match | None:
    best: _Match | None = None
    stemmed = _stems(needle)
    for field, text in fields:
        haystack = normalise(text)
        rank = _rank(needle, haystack)
        # "kidneys" finds "Kidney area", "shoulder blades" the "Shoulder blade".
        by_stem = _rank(stemmed, _stems(haystack))
        if by_stem is not None and (rank is None or by_stem < rank):
            rank = by_stem
        if rank is None:
            continue
        candidate = (rank, int(field), text)
        if best is None or candidate[:2] < best[:2]:
            best = candidate
    if best is not None:
        return best
    for field, text in fields:
        if _close(stemmed, _stems(normalise(text))):
            candidate = (MatchRank.CLOSE, int(field), text)
            if best is None or candidate[:2] < best[:2]:
                best = candidate
    if best is not None:
        return best
    for text in texts:
        if needle in normalise(text):
            return MatchRank.DESCRIPTION, _Field.TEXT, _excerpt(text, needle)
    return None


def _rank(needle: str, haystack: str) -> MatchRank | None:
    if haystack == needle:
        return MatchRank.EXACT
    if haystack.startswith(needle):
        return MatchRank.PREFIX
    if f" {needle}" in haystack:
        return MatchRank.WORD_PREFIX
    if needle in haystack:
        return MatchRank.SUBSTRING
    # "thumb circ" still finds "thumb circles", and "circles thumb" too: every word of
    # the query starts a word of the text.
    words = haystack.split(" ")
    tokens = needle.split(" ")
    if len(tokens) > 1 and all(any(w.startswith(t) for w in words) for t in tokens):
        return MatchRank.SUBSTRING
    return None


def _stem(word: str) -> str:
    """A word without its plural ending: "kidneys" -> "kidney", "bodies" -> "body"."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _stems(text: str) -> str:
    return " ".join(_stem(word) for word in text.split(" "))


def _close(needle: str, haystack: str) -> bool:
    """Whether every word of the query is a typo away from (the start of) a word.

    Words of four letters or fewer must be typed right (too many short words are one
    letter apart); longer ones may have one slip, and ten letters or more two, but not
    in the first letter ("light" is not "right"). The last word may be unfinished, so
    it may match the start of a word too.
    """
    words = haystack.split(" ")
    tokens = needle.split(" ")
    for position, token in enumerate(tokens):
        last = position == len(tokens) - 1
        if len(token) <= 4:
            if not any(w == token or (last and w.startswith(token)) for w in words):
                return False
            continue
        limit = 1 if len(token) < 10 else 2
        if not any(_near(token, w, limit, prefix=last) for w in words):
            return False
    return True


def _near(token: str, word: str, limit: int, *, prefix: bool) -> bool:
    if not word.startswith(token[0]):
        return False
    if abs(len(token) - len(word)) <= limit and _distance(token, word, limit) <= limit:
        return True
    if not prefix or len(word) <= len(token):
        return False
    # An unfinished word: compare with the word's starts of about the same length.
    return any(
        _distance(token, word[:length], limit) <= limit
        for length in range(max(1, len(token) - limit), min(len(word), len(token) + limit) + 1)
    )


def _distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, change, swap two letters) from ``a`` to ``b``; stops at
    ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _excerpt(text: str, needle: str, width: int = 60) -> str:
    """A short piece of ``text`` around the first place the query appears."""
    flat = re.sub(r"\s+", " ", text).strip()
    at = normalise(flat).find(needle)
    if at < 0 or len(flat) <= width:
        return flat[:width]
    start = max(0, at - width // 3)
    end = min(len(flat), start + width)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    return f"{prefix}{flat[start:end].strip()}{suffix}"
