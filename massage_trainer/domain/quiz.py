"""The zone quiz: questions drawn at random from the content, answers explained.

Four kinds of question, all built from the zones, techniques and routines the app
teaches (nothing is written twice):

* find a zone: "Click the floating ribs" (answered on the diagram);
* may you use a technique on a zone: "May you knead here?" (yes or no);
* which technique opens a routine (a choice);
* what pressure a zone allows: "What pressure is allowed over the neck?" (a choice).

Every answer comes with the reason: the zone's rule and why, or what the opening
strokes are for. The random source is injected, so a test can play a known quiz.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from massage_trainer.domain.models import (
    Pressure,
    Routine,
    SafetyTier,
    Side,
    Technique,
    TechniqueFamily,
    Zone,
)
from massage_trainer.domain.zone_geometry import short_name

DEFAULT_QUESTION_COUNT = 8


class QuestionKind(StrEnum):
    FIND_ZONE = "find-zone"
    MAY_USE = "may-use"
    OPENER = "opener"
    PRESSURE = "pressure"


@dataclass(frozen=True)
class Choice:
    """One answer to pick: a key (what is checked) and the words shown."""

    key: str
    text: str


YES = Choice("yes", "Yes")
NO = Choice("no", "No")

FAMILY_WORDS: Mapping[TechniqueFamily, tuple[str, str]] = {
    TechniqueFamily.EFFLEURAGE: ("stroke (effleurage)", "Effleurage: long gliding strokes"),
    TechniqueFamily.FRICTION: ("rub (friction)", "Friction: small rubbing movements"),
    TechniqueFamily.PETRISSAGE: ("knead", "Petrissage: kneading"),
    TechniqueFamily.TAPOTEMENT: ("tap (percussion)", "Tapotement: tapping"),
    TechniqueFamily.VIBRATION: ("use vibration", "Vibration: quick trembling"),
    TechniqueFamily.COMPRESSION: ("press and hold", "Compression: press and hold"),
    TechniqueFamily.STRIPPING: ("strip along the muscle", "Stripping: a slow knuckle glide"),
    TechniqueFamily.REST: ("rest your hands", "Resting hands"),
}
"""A family as a verb for "May you … here?" and as a choice."""

PRESSURE_CHOICES: tuple[Choice, ...] = (
    Choice(Pressure.NONE.value, "None: never press there"),
    Choice(Pressure.LIGHT.value, "Light only"),
    Choice(Pressure.MODERATE.value, "Up to moderate"),
    Choice(Pressure.FIRM.value, "Up to firm"),
)


@dataclass(frozen=True)
class Question:
    """One quiz question and how to check and explain its answer."""

    kind: QuestionKind
    prompt: str
    choices: tuple[Choice, ...]
    """What to choose from; empty when the answer is a click on the diagram."""
    correct: frozenset[str]
    """The keys (or zone ids, for a click) that count as right."""
    explanation: str
    """Why the right answer is right, shown after any answer."""
    zone_id: str | None = None
    """The zone the question shows on the diagram (None: nothing highlighted)."""
    detail: str = ""
    """A second line under the prompt (e.g. the highlighted zone's name)."""
    answer_text: str = ""
    """The right answer in words."""
    candidates: tuple[str, ...] = ()
    """For a click question: zones marked 1-4 so the keyboard can answer too."""

    @property
    def answered_on_diagram(self) -> bool:
        return self.kind is QuestionKind.FIND_ZONE

    def is_correct(self, answer: str) -> bool:
        return answer in self.correct


@dataclass(frozen=True)
class AnswerResult:
    """What came of one answer."""

    question: Question
    answer: str
    correct: bool
    given_text: str
    """The answer in words ("Kidney area", "Yes", "Light only"); "" for no answer."""

    @property
    def verdict(self) -> str:
        if self.correct:
            return "Right."
        if not self.answer:
            return f"That was no zone. The answer: {self.question.answer_text}."
        return f"Not quite: you chose {self.given_text}. The answer: {self.question.answer_text}."


@dataclass
class Quiz:
    """A run of questions: answer the current one, move on, read the score at the end."""

    questions: tuple[Question, ...]
    zone_names: Mapping[str, str] = field(default_factory=dict)
    """Zone id -> name, to say which zone was clicked."""
    results: list[AnswerResult] = field(default_factory=list)
    _index: int = 0

    @property
    def index(self) -> int:
        """The current question's position (0-based); ``len(questions)`` when finished."""
        return self._index

    @property
    def finished(self) -> bool:
        return self._index >= len(self.questions)

    @property
    def current(self) -> Question | None:
        return None if self.finished else self.questions[self._index]

    @property
    def answered(self) -> bool:
        """Whether the current question has been answered (and waits for :meth:`next`)."""
        return len(self.results) > self._index

    @property
    def score(self) -> int:
        return sum(result.correct for result in self.results)

    @property
    def total(self) -> int:
        return len(self.questions)

    def answer(self, answer: str) -> AnswerResult:
        """Answer the current question (a choice key, or a zone id for a click; "" for
        a click on no zone). A second answer to the same question is refused."""
        question = self.current
        if question is None:
            raise RuntimeError("the quiz is over")
        if self.answered:
            raise RuntimeError("this question is already answered")
        given = next((c.text for c in question.choices if c.key == answer), "")
        if not given and answer:
            given = self.zone_names.get(answer, answer)
        result = AnswerResult(question, answer, question.is_correct(answer), given)
        self.results.append(result)
        return result

    def next(self) -> Question | None:
        """Move on (after answering); the next question, or None at the end."""
        if not self.answered:
            raise RuntimeError("answer the question first")
        self._index += 1
        return self.current

    def summary(self) -> str:
        """The score in words."""
        score, total = self.score, self.total
        if total and score == total:
            praise = "Every answer right."
        elif total and score >= total * 0.75:
            praise = "Well done."
        else:
            praise = "Read the explanations and try again: the zones are worth knowing by heart."
        return f"{score} of {total} right. {praise}"


# -- building questions ----------------------------------------------------------------


def zone_title(zone: Zone) -> str:
    """The zone's short name with its side: "Kidney area (left)", "Spine"."""
    name = short_name(zone.name)
    if zone.side in (Side.LEFT, Side.RIGHT):
        return f"{name} ({zone.side.value})"
    return name


def zone_rule(zone: Zone) -> str:
    """The zone's rule in a few words."""
    if zone.tier is SafetyTier.NO_GO:
        return "a no-go zone: no pressure and no technique"
    families = ", ".join(f.label.lower() for f in zone.allowed_families)
    if zone.tier is SafetyTier.CAUTION:
        return f"a caution zone: light pressure only; allowed: {families}"
    return f"a safe zone: up to {zone.max_pressure.label.lower()} pressure; allowed: {families}"


def first_sentence(text: str, limit: int = 260) -> str:
    """The first sentence of a text, cut at ``limit`` characters."""
    words = " ".join(text.split())
    for end in (". ", "! ", "? "):
        position = words.find(end, 20)
        if position != -1:
            words = words[: position + 1]
            break
    if len(words) > limit:
        words = words[: limit - 1].rsplit(" ", 1)[0] + "…"
    return words


def place_words(name: str) -> str:
    """A zone name to put after a verb: "the spine", but "between the shoulder blades"."""
    lower = name[:1].lower() + name[1:]
    if lower.split(" ", 1)[0] in ("between", "beside", "below", "above"):
        return lower
    return f"the {lower}"


_ONE_SIDE = (
    # Longest first: "on the left side of the back" becomes "on each side of the back".
    (re.compile(r"\bthe (left|right) side\b"), "each side"),
    (re.compile(r"\bon the (left|right) of\b"), "on each side of"),
    (re.compile(r"\bon the (left|right)\b"), "on each side"),
    (re.compile(r"\bthe (left|right)\b"), "each"),
)


def either_side(text: str) -> str:
    """One side's description said of both: "on the left side of the lower back" becomes
    "on each side of the lower back" (for a left/right pair asked about as one place)."""
    for pattern, replacement in _ONE_SIDE:
        text = pattern.sub(replacement, text)
    return text[:1].upper() + text[1:]


def _groups(zones: Mapping[str, Zone]) -> dict[str, tuple[Zone, ...]]:
    """Zones by short name: a left/right pair is one place to find."""
    groups: dict[str, list[Zone]] = {}
    for zone in zones.values():
        groups.setdefault(short_name(zone.name), []).append(zone)
    return {name: tuple(members) for name, members in groups.items()}


def find_zone_question(
    name: str, members: Sequence[Zone], zones: Mapping[str, Zone], rng: random.Random
) -> Question:
    """ "Click the <zone>" on the diagram; either side counts."""
    zone = members[0]
    sides = " (either side)" if len(members) > 1 else ""
    place = place_words(name)  # "Click between the shoulder blades", "Click the spine"
    where = first_sentence(zone.description)
    if len(members) > 1:
        where = f"There is one on each side. {either_side(where)}"
    others = [z.id for z in zones.values() if short_name(z.name) != name]
    candidates = [rng.choice(members).id, *rng.sample(others, k=min(3, len(others)))]
    rng.shuffle(candidates)
    return Question(
        kind=QuestionKind.FIND_ZONE,
        prompt=f"Click {place}{sides}",
        detail="Click the zone, or press the number of the marked spot (1–4).",
        choices=(),
        correct=frozenset(z.id for z in members),
        explanation=f"{where} It is {zone_rule(zone)}.",
        answer_text=place,
        candidates=tuple(candidates),
    )


def may_use_question(zone: Zone, family: TechniqueFamily) -> Question:
    """A zone highlighted: "May you <technique> here?"."""
    allowed = zone.tier is not SafetyTier.NO_GO and family in zone.allowed_families
    verb = FAMILY_WORDS[family][0]
    answer = YES if allowed else NO
    if allowed:
        why = f"{zone_title(zone)} is {zone_rule(zone)}."
    elif zone.tier is SafetyTier.NO_GO:
        why = f"{zone_title(zone)} is {zone_rule(zone)}. {first_sentence(zone.reason)}"
    else:
        why = (
            f"No {family.label.lower()} here: {zone_title(zone)} is {zone_rule(zone)}. "
            f"{first_sentence(zone.reason)}"
        )
    return Question(
        kind=QuestionKind.MAY_USE,
        prompt=f"May you {verb} here?",
        detail=f"The highlighted zone: {zone_title(zone)}",
        choices=(YES, NO),
        correct=frozenset({answer.key}),
        explanation=why,
        zone_id=zone.id,
        answer_text=answer.text.lower(),
    )


def pressure_question(zone: Zone) -> Question:
    """ "What pressure is allowed over <zone>?"."""
    correct = next(c for c in PRESSURE_CHOICES if c.key == zone.max_pressure.value)
    return Question(
        kind=QuestionKind.PRESSURE,
        prompt=f"What pressure is allowed over {place_words(short_name(zone.name))}?",
        detail=f"The highlighted zone: {zone_title(zone)}",
        choices=PRESSURE_CHOICES,
        correct=frozenset({correct.key}),
        explanation=f"{zone_title(zone)} is {zone_rule(zone)}. {first_sentence(zone.reason)}",
        zone_id=zone.id,
        answer_text=correct.text.lower(),
    )


def opener_question(
    routines: Sequence[Routine],
    techniques: Mapping[str, Technique],
    rng: random.Random,
) -> Question | None:
    """ "Which technique opens a routine?": the family every routine starts with.

    When the routines do not agree, the question is about one routine by name.
    """
    openers = [
        techniques[r.steps[0].technique] for r in routines if r.steps[0].technique in techniques
    ]
    if not openers:
        return None
    families = {t.family for t in openers}
    if len(families) == 1:
        family = openers[0].family
        prompt = "Which kind of technique opens a routine?"
        why = (
            f"Every routine here opens with {family.label.lower()}. "
            f"{first_sentence(openers[0].purpose)}"
        )
    else:
        routine = rng.choice([r for r in routines if r.steps[0].technique in techniques])
        opener = techniques[routine.steps[0].technique]
        family = opener.family
        prompt = f"Which kind of technique opens the routine “{routine.title}”?"
        why = f"It opens with {opener.name.lower()}. {first_sentence(opener.purpose)}"
    wrong = [f for f in FAMILY_WORDS if f is not family and f is not TechniqueFamily.REST]
    options = [family, *rng.sample(wrong, k=3)]
    rng.shuffle(options)
    choices = tuple(Choice(f.value, FAMILY_WORDS[f][1]) for f in options)
    return Question(
        kind=QuestionKind.OPENER,
        prompt=prompt,
        choices=choices,
        correct=frozenset({family.value}),
        explanation=why,
        answer_text=FAMILY_WORDS[family][1],
    )


def build_quiz(
    zones: Mapping[str, Zone],
    techniques: Mapping[str, Technique],
    routines: Mapping[str, Routine] | Sequence[Routine],
    *,
    rng: random.Random | None = None,
    count: int = DEFAULT_QUESTION_COUNT,
    zone_ids: Sequence[str] | None = None,
) -> Quiz:
    """A quiz of ``count`` questions (at least one of each kind when ``count`` ≥ 4).

    ``zone_ids`` limits the zones asked about (to those the diagram can show).
    """
    rng = rng if rng is not None else random.Random()
    usable = {
        zone_id: zone
        for zone_id, zone in zones.items()
        if zone_ids is None or zone_id in set(zone_ids)
    }
    routine_list = list(routines.values()) if isinstance(routines, Mapping) else list(routines)
    if not usable:
        raise ValueError("the quiz needs at least one zone")
    groups = _groups(usable)
    families = sorted({t.family for t in techniques.values()} - {TechniqueFamily.REST})

    def find() -> Question:
        name = rng.choice(sorted(groups))
        return find_zone_question(name, groups[name], usable, rng)

    def may_use() -> Question:
        zone = usable[rng.choice(sorted(usable))]
        allowed = [f for f in families if f in zone.allowed_families]
        refused = [f for f in families if f not in zone.allowed_families]
        # Half the questions have "yes" for an answer where the zone allows anything.
        if allowed and (not refused or rng.random() < 0.5):
            return may_use_question(zone, rng.choice(allowed))
        return may_use_question(zone, rng.choice(refused or families))

    def pressure() -> Question:
        # The neck comes up more often: its light-only rule is the one most often missed.
        names = sorted(usable)
        weights = [3.0 if zone_id == "neck" else 1.0 for zone_id in names]
        return pressure_question(usable[rng.choices(names, weights)[0]])

    def opener() -> Question | None:
        return opener_question(routine_list, techniques, rng)

    makers = [find, may_use, opener, pressure]
    plan = makers[: min(count, 4)]
    # One opener question is enough: it has a single right answer.
    mix = [find, find, may_use, may_use, may_use, pressure, pressure]
    while len(plan) < count:
        plan.append(rng.choice(mix))
    rng.shuffle(plan)
    questions: list[Question] = []
    seen: set[tuple[str, str]] = set()
    for maker in plan:
        for _attempt in range(12):
            question = maker() or find()
            key = (question.prompt, question.detail)
            if key not in seen:
                break
        seen.add(key)
        questions.append(question)
    names = {zone_id: zone_title(zone) for zone_id, zone in zones.items()}
    return Quiz(tuple(questions), zone_names=names)


__all__ = [
    "DEFAULT_QUESTION_COUNT",
    "FAMILY_WORDS",
    "NO",
    "PRESSURE_CHOICES",
    "YES",
    "AnswerResult",
    "Choice",
    "Question",
    "QuestionKind",
    "Quiz",
    "build_quiz",
    "find_zone_question",
    "first_sentence",
    "may_use_question",
    "opener_question",
    "place_words",
    "pressure_question",
    "zone_rule",
    "zone_title",
]
