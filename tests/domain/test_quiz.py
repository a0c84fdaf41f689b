"""The zone quiz: questions from the content, right answers, explanations, a score."""

from __future__ import annotations

import random

import pytest

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.models import SafetyTier, TechniqueFamily
from massage_trainer.domain.quiz import (
    QuestionKind,
    Quiz,
    build_quiz,
    find_zone_question,
    may_use_question,
    opener_question,
    pressure_question,
)


def make_quiz(library: ContentLibrary, seed: int = 1, count: int = 8) -> Quiz:
    return build_quiz(
        library.zones, library.techniques, library.routines, rng=random.Random(seed), count=count
    )


def test_a_seeded_quiz_is_repeatable_and_mixes_every_kind(library: ContentLibrary) -> None:
    first = make_quiz(library, seed=5)
    again = make_quiz(library, seed=5)
    assert first.questions == again.questions
    assert len(first.questions) == 8
    assert {q.kind for q in first.questions} == set(QuestionKind)
    other = make_quiz(library, seed=6)
    assert other.questions != first.questions


def test_every_question_can_be_answered_and_explains_itself(library: ContentLibrary) -> None:
    for seed in range(20):
        for question in make_quiz(library, seed=seed).questions:
            assert question.prompt
            assert question.explanation
            assert question.correct
            if question.answered_on_diagram:
                assert question.correct <= set(library.zones)
                assert len(question.candidates) == 4
                assert len(question.correct & set(question.candidates)) == 1
                assert question.choices == ()
            else:
                assert question.correct <= {choice.key for choice in question.choices}
                assert 2 <= len(question.choices) <= 4


def test_a_quiz_played_right_scores_full_marks(library: ContentLibrary) -> None:
    quiz = make_quiz(library, seed=2)
    while (question := quiz.current) is not None:
        result = quiz.answer(sorted(question.correct)[0])
        assert result.correct
        assert result.verdict == "Right."
        quiz.next()
    assert quiz.finished
    assert quiz.score == quiz.total == 8
    assert quiz.summary().startswith("8 of 8 right.")


def test_wrong_answers_say_what_was_chosen_and_what_is_right(library: ContentLibrary) -> None:
    quiz = make_quiz(library, seed=3)
    question = quiz.current
    assert question is not None
    wrong = next(
        (c.key for c in question.choices if c.key not in question.correct),
        next(z for z in library.zones if z not in question.correct),
    )
    result = quiz.answer(wrong)
    assert not result.correct
    assert result.verdict.startswith("Not quite: you chose ")
    assert question.answer_text in result.verdict
    with pytest.raises(RuntimeError, match="already answered"):
        quiz.answer(wrong)
    quiz.next()
    with pytest.raises(RuntimeError, match="answer the question first"):
        quiz.next()
    assert quiz.score == 0


def test_a_click_on_no_zone_is_wrong(library: ContentLibrary) -> None:
    quiz = make_quiz(library, seed=4)
    while quiz.current is not None and not quiz.current.answered_on_diagram:
        quiz.answer(sorted(quiz.current.correct)[0])
        quiz.next()
    assert quiz.current is not None
    result = quiz.answer("")
    assert not result.correct
    assert result.verdict.startswith("That was no zone.")


def test_may_you_knead_here_follows_the_zone_rules(library: ContentLibrary) -> None:
    zones = library.zones
    kidney = may_use_question(zones["kidney-left"], TechniqueFamily.PETRISSAGE)
    assert kidney.prompt == "May you knead here?"
    assert kidney.correct == {"no"}
    assert "no-go" in kidney.explanation
    strip = may_use_question(zones["paraspinal-left"], TechniqueFamily.PETRISSAGE)
    assert strip.correct == {"yes"}
    neck = may_use_question(zones["neck"], TechniqueFamily.TAPOTEMENT)
    assert neck.correct == {"no"}
    assert "light pressure only" in neck.explanation
    for zone in zones.values():
        for family in TechniqueFamily:
            question = may_use_question(zone, family)
            allowed = zone.tier is not SafetyTier.NO_GO and family in zone.allowed_families
            assert question.correct == {"yes" if allowed else "no"}


def test_the_neck_allows_light_pressure_only(library: ContentLibrary) -> None:
    question = pressure_question(library.zones["neck"])
    assert question.prompt == "What pressure is allowed over the neck?"
    assert question.correct == {"light"}
    assert question.zone_id == "neck"
    assert pressure_question(library.zones["spine"]).correct == {"none"}
    between = pressure_question(library.zones["between-shoulder-blades"])
    assert between.prompt == "What pressure is allowed over between the shoulder blades?"


def test_every_routine_opens_with_effleurage(library: ContentLibrary) -> None:
    question = opener_question(list(library.routines.values()), library.techniques, random.Random())
    assert question is not None
    assert question.correct == {"effleurage"}
    assert "effleurage" in question.explanation.lower()
    assert len({choice.key for choice in question.choices}) == 4


def test_the_zones_asked_about_can_be_limited(library: ContentLibrary) -> None:
    quiz = build_quiz(
        library.zones,
        library.techniques,
        library.routines,
        rng=random.Random(9),
        zone_ids=["spine", "neck"],
        count=12,
    )
    for question in quiz.questions:
        if question.zone_id is not None:
            assert question.zone_id in {"spine", "neck"}
        if question.answered_on_diagram:
            assert question.correct <= {"spine", "neck"}


def test_a_pair_asked_about_as_one_place_is_never_described_as_one_side(
    library: ContentLibrary,
) -> None:
    # "Click the kidney area (either side)" must not explain it as "on the left side".
    pairs = {
        zone.id.removesuffix("-left"): (zone, library.zones[zone.id.replace("-left", "-right")])
        for zone in library.zones.values()
        if zone.id.endswith("-left")
    }
    assert len(pairs) >= 5
    for left, right in pairs.values():
        name = left.name.replace(" (left)", "")
        question = find_zone_question(name, (left, right), library.zones, random.Random(1))
        assert question.correct == {left.id, right.id}
        assert "either side" in question.prompt
        words = question.explanation.lower().replace(",", " ").replace(".", " ").split()
        assert "left" not in words, question.explanation
        assert "right" not in words, question.explanation
        assert "each" in words
