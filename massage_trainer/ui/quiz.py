"""The zone quiz window: questions on the back diagram, answered by click, key or button.

The diagram is the session window's :class:`BackDiagramView` on a private
:class:`SessionController` (as in the routine editor). That controller holds a made-up
routine with one step per zone (and one per left/right pair), so showing a zone is
previewing its step. While a question is open the diagram names no zone (its
``setNamesHidden`` switch: no hover tips, no zone names for a screen reader, no ``↑``/``↓``
stepping from zone to zone) and draws every zone alike (its ``setTiersHidden`` switch: no
tier colours, patterns or legend entries): either would give the answer away. The answer
and the score show the zones in their tiers' colours again. A click on the diagram
answers a "click the zone" question and otherwise does nothing.

Keys: 1–4 choose (or pick the numbered spot on the diagram), Y and N answer yes/no,
Enter goes on, Esc closes.
"""

from __future__ import annotations

import dataclasses
import html
import random
from types import MappingProxyType

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSettings, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPen,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.diagram import DiagramError
from massage_trainer.domain.models import Direction, Pressure, Routine, Step
from massage_trainer.domain.quiz import (
    DEFAULT_QUESTION_COUNT,
    AnswerResult,
    Question,
    Quiz,
    build_quiz,
)
from massage_trainer.domain.zone_geometry import ZoneGeometry, short_name
from massage_trainer.ui.controller import SessionController
from massage_trainer.ui.preferences import Preferences
from massage_trainer.ui.widgets import resize_to_fit

QUIZ_ROUTINE_ID = "zone-quiz"
_QUIZ_TECHNIQUE = "quiz-no-technique"  # not in the library: no movement marks are drawn
_NO_ZONE = "quiz-no-zone"

GOOD = QColor("#1f6b3d")
BAD = QColor("#a01c14")
MARKER = QColor("#1d4fd6")
_BUTTON_STYLE = "text-align: left; padding: 6px 10px;"
_RIGHT_STYLE = "border: 2px solid #1f6b3d; background: #dff2e5; font-weight: bold;"
_WRONG_STYLE = "border: 2px solid #a01c14; background: #f8e1df;"


def quiz_library(library: ContentLibrary) -> tuple[ContentLibrary, dict[tuple[str, ...], int]]:
    """The library with one made-up routine whose steps each show one zone (or pair).

    Returns the library and, for each tuple of zone ids, the step that shows them.
    """
    groups: dict[str, list[str]] = {}
    for zone in library.zones.values():
        groups.setdefault(short_name(zone.name), []).append(zone.id)
    # Step 0 names no real zone: with it current and nothing previewed, no zone is
    # highlighted (a step must name a zone, and the view ignores ids it cannot draw).
    shown: list[tuple[str, ...]] = [(_NO_ZONE,)]
    shown += [(zone_id,) for zone_id in library.zones]
    shown += [tuple(ids) for ids in groups.values() if len(ids) > 1]
    steps = tuple(
        Step(
            technique=_QUIZ_TECHNIQUE,
            zones=zone_ids,
            duration_s=5,
            pressure=Pressure.NONE,
            direction=Direction.STATIC,
            instruction="Quiz: the zone in question.",
        )
        for zone_ids in shown
    )
    routine = Routine(
        id=QUIZ_ROUTINE_ID,
        title="Zone quiz",
        audience="beginner",
        summary="The zones the quiz asks about.",
        steps=steps,
        source_notes="Made up by the quiz; never saved.",
    )
    replaced = dataclasses.replace(
        library,
        routines=MappingProxyType({routine.id: routine}),
        builtin_ids=frozenset(),
        problems=(),
        warnings=MappingProxyType({}),
    )
    return replaced, {zone_ids: index for index, zone_ids in enumerate(shown)}


class _QuizZoneSource(SessionController):
    """The quiz's own controller: its steps are made up, so no zone is "on" any of them
    (the diagram's hover tips would otherwise list step numbers that mean nothing).

    A click on the diagram selects nothing here (the diagram's ``zone_clicked`` answers
    instead): the selection outline is the quiz's own, set with :meth:`mark_zone`, for
    the zone a wrong answer clicked."""

    def steps_for_zone(self, zone_id: str) -> tuple[int, ...]:
        return ()

    def select_zone(self, zone_id: str) -> None:
        """The diagram's clicks and Enter: they select nothing in the quiz."""

    def mark_zone(self, zone_id: str) -> None:
        """Outline ``zone_id`` as the one clicked; "" clears."""
        super().select_zone(zone_id)


class _SpotMarkers(QWidget):
    """Numbered spots over the diagram, for answering a "click the zone" by key."""

    def __init__(self, view: QWidget) -> None:
        super().__init__(view)
        self._view = view
        self._spots: list[QPointF] = []
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setGeometry(view.rect())
        view.installEventFilter(self)

    def set_spots(self, spots: list[QPointF]) -> None:
        """Diagram points to number 1, 2, …; [] hides them."""
        self._spots = spots
        self.setVisible(bool(spots))
        self.raise_()
        self.update()

    def spots(self) -> list[QPointF]:
        return list(self._spots)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self._view and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._view.rect())
        return super().eventFilter(watched, event)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        map_from = getattr(self._view, "map_from_diagram", None)
        if map_from is None:
            return
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            radius = max(10.0, min(16.0, self.width() / 30))
            font = QFont(self.font())
            font.setPixelSize(round(radius * 1.2))
            font.setBold(True)
            painter.setFont(font)
            for number, spot in enumerate(self._spots, start=1):
                centre = map_from(spot)
                painter.setPen(QPen(QColor("white"), 2.5))
                painter.setBrush(MARKER)
                painter.drawEllipse(centre, radius, radius)
                painter.setPen(QColor("white"))
                painter.drawText(
                    QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius),
                    int(Qt.AlignmentFlag.AlignCenter),
                    str(number),
                )
        finally:
            painter.end()


class ZoneQuizDialog(QDialog):
    """A quiz of :data:`DEFAULT_QUESTION_COUNT` questions on the zones and the routines."""

    def __init__(
        self,
        library: ContentLibrary,
        preferences: Preferences | None = None,
        *,
        rng: random.Random | None = None,
        count: int = DEFAULT_QUESTION_COUNT,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Zone quiz")
        self.setAccessibleName("Zone quiz")
        self._library = library
        self._rng = rng if rng is not None else random.Random()
        self._count = count
        self._result: AnswerResult | None = None

        source_library, self._zone_steps = quiz_library(library)
        self.zone_source = _QuizZoneSource(source_library, parent=self)
        self._geometry: ZoneGeometry | None = None
        self.view = self._make_diagram(preferences, settings)
        drawn = getattr(self.view, "zone_ids", None)
        self._drawable = tuple(drawn()) if callable(drawn) else ()
        self._markers = _SpotMarkers(self.view)
        self._markers.hide()

        self.progress_label = QLabel()
        self.progress_label.setAccessibleName("Progress")
        self.prompt_label = QLabel()
        self.prompt_label.setAccessibleName("Question")
        self.prompt_label.setWordWrap(True)
        prompt_font = QFont(self.font())
        prompt_font.setPointSizeF(max(16.0, prompt_font.pointSizeF() * 1.5))
        prompt_font.setBold(True)
        self.prompt_label.setFont(prompt_font)
        self.detail_label = QLabel()
        self.detail_label.setAccessibleName("Details")
        self.detail_label.setWordWrap(True)
        self.feedback_label = QLabel()
        self.feedback_label.setAccessibleName("Answer")
        self.feedback_label.setWordWrap(True)
        self.feedback_label.setTextFormat(Qt.TextFormat.RichText)
        self.feedback_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.feedback_label.setSizePolicy(
            QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred
        )
        feedback_font = QFont(self.font())
        feedback_font.setPointSizeF(feedback_font.pointSizeF() * 1.15)
        self.feedback_label.setFont(feedback_font)
        self.choice_buttons: list[QPushButton] = []
        for number in range(1, 5):
            button = QPushButton()
            button.setAutoDefault(False)
            button.setMinimumHeight(44)
            button.setStyleSheet(_BUTTON_STYLE)
            button.clicked.connect(lambda _checked=False, n=number: self.choose(n))
            self.choice_buttons.append(button)
        self.next_button = QPushButton("Next (Enter)")
        self.next_button.setAccessibleName("Next question")
        self.next_button.setAutoDefault(False)
        self.next_button.clicked.connect(self.next_question)
        self.again_button = QPushButton("Play again")
        self.again_button.setAccessibleName("Play again")
        self.again_button.setAutoDefault(False)
        self.again_button.clicked.connect(self.restart)
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close the quiz")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)

        side = QVBoxLayout()
        side.addWidget(self.progress_label)
        side.addWidget(self.prompt_label)
        side.addWidget(self.detail_label)
        for button in self.choice_buttons:
            side.addWidget(button)
        side.addSpacing(8)
        side.addWidget(self.feedback_label)
        side.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.again_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.next_button)
        side.addLayout(buttons)
        row = QHBoxLayout(self)
        row.addWidget(self.view, 5)
        row.addLayout(side, 6)
        resize_to_fit(self, 1100, 760)

        keys = {
            "1": lambda: self.choose(1),
            "2": lambda: self.choose(2),
            "3": lambda: self.choose(3),
            "4": lambda: self.choose(4),
            "Y": lambda: self.answer_key("yes"),
            "N": lambda: self.answer_key("no"),
            "Return": self._on_enter,
            "Enter": self._on_enter,
        }
        self._shortcuts = []
        for key, slot in keys.items():
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
            self._shortcuts.append(shortcut)

        self.quiz = self._new_quiz()
        self._show_question()

    # -- public -----------------------------------------------------------------------

    def current_question(self) -> Question | None:
        return self.quiz.current

    def last_result(self) -> AnswerResult | None:
        """The answer to the question on show, once it is answered."""
        return self._result

    def marked_spots(self) -> list[QPointF]:
        """The numbered spots on the diagram (diagram units)."""
        return self._markers.spots() if self._markers.isVisible() else []

    def choose(self, number: int) -> None:
        """Answer with choice ``number`` (1-4), or the numbered spot on the diagram."""
        question = self.quiz.current
        if question is None or self.quiz.answered:
            return
        if question.answered_on_diagram:
            if 1 <= number <= len(question.candidates):
                self.answer_key(question.candidates[number - 1])
            return
        if 1 <= number <= len(question.choices):
            self.answer_key(question.choices[number - 1].key)

    def answer_key(self, key: str) -> None:
        """Answer with a choice key ("yes", "light", …) or a zone id for a click."""
        question = self.quiz.current
        if question is None or self.quiz.answered:
            return
        if question.choices and key not in {c.key for c in question.choices}:
            return  # e.g. Y pressed for a multiple-choice question
        if not question.choices and key in {"yes", "no"}:
            return
        self._result = self.quiz.answer(key)
        self._show_answer(self._result)

    def click_zone(self, zone_id: str) -> None:
        """What a click on the diagram does: answers a "click the zone" question."""
        question = self.quiz.current
        if question is not None and question.answered_on_diagram and not self.quiz.answered:
            self.answer_key(zone_id)

    def next_question(self) -> None:
        """Go on after an answer (Enter); after the last one, show the score."""
        if self.quiz.finished or not self.quiz.answered:
            return
        self.quiz.next()
        self._result = None
        if self.quiz.finished:
            self._show_score()
        else:
            self._show_question()

    def _on_enter(self) -> None:
        """Enter goes on after an answer; before one, or once the score is shown, it
        presses the button that has the keyboard focus (a choice reached with Tab, Play
        again, Close), as Enter does on a button elsewhere."""
        focused = self.focusWidget()
        if not self.quiz.answered or self.quiz.finished:
            if isinstance(focused, QPushButton) and focused.isVisible() and focused.isEnabled():
                focused.click()
            return
        self.next_question()

    def restart(self) -> None:
        """A fresh quiz with new questions."""
        self.quiz = self._new_quiz()
        self._result = None
        self._show_question()

    # -- internals --------------------------------------------------------------------

    def _make_diagram(self, preferences: Preferences | None, settings: QSettings | None) -> QWidget:
        try:
            from massage_trainer.ui.diagram import BackDiagramView
            from massage_trainer.ui.zone_shapes import load_back_shapes

            shapes = load_back_shapes()
            self._geometry = ZoneGeometry.from_diagram(shapes.diagram, self._library.zones)
        except (ImportError, DiagramError):
            label = QLabel(
                "The back diagram could not be loaded: only the questions to choose from are asked."
            )
            label.setWordWrap(True)
            return label
        preferences = preferences or Preferences(settings or QSettings(), self)
        # The outlined zone is the one a question asks about, not a step's.
        view = BackDiagramView(self.zone_source, preferences, focus_label="Asked about")
        view.setMinimumSize(300, 400)
        view.setAccessibleName("Back diagram: click the zone the question asks for")
        # Its hover tips, key-by-key zone names and description would give answers away,
        # and so would its tier colours and legend.
        view.setNamesHidden(True)
        view.setTiersHidden(True)
        view.zone_clicked.connect(self.click_zone)
        return view

    def _hide_answers(self, hidden: bool) -> None:
        """Keep the diagram from naming zones and showing their tiers (while a question
        is open), or let it."""
        for name in ("setNamesHidden", "setTiersHidden"):
            hide = getattr(self.view, name, None)
            if callable(hide):
                hide(hidden)

    def _new_quiz(self) -> Quiz:
        zone_ids = self._drawable or None
        quiz = build_quiz(
            self._library.zones,
            self._library.techniques,
            self._library.routines,
            rng=self._rng,
            count=self._count,
            zone_ids=zone_ids,
        )
        if self._geometry is None:
            # Without a diagram, questions that need one are left out.
            kept = tuple(q for q in quiz.questions if q.kind.value in ("opener", "pressure"))
            quiz = Quiz(kept or quiz.questions[:0], zone_names=quiz.zone_names)
        return quiz

    def _highlight(self, zone_ids: tuple[str, ...] | None) -> None:
        index = self._zone_steps.get(zone_ids, 0) if zone_ids else 0
        self.zone_source.preview_step(index)

    def _show_question(self) -> None:
        quiz = self.quiz
        question = quiz.current
        if question is None:
            self._show_score()
            return
        self.progress_label.setText(
            f"Question {quiz.index + 1} of {quiz.total}   ·   {quiz.score} right so far"
        )
        self.prompt_label.setText(question.prompt)
        self.detail_label.setText(question.detail)
        self.detail_label.setVisible(bool(question.detail))
        self.feedback_label.setText("")
        self.feedback_label.setAccessibleDescription("")
        self._hide_answers(True)
        self.zone_source.mark_zone("")
        self._highlight((question.zone_id,) if question.zone_id else None)
        if question.answered_on_diagram and self._geometry is not None:
            spots = [
                QPointF(*self._geometry.interior_point(zone_id))
                for zone_id in question.candidates
                if zone_id in self._geometry.zone_ids
            ]
            self._markers.set_spots(spots)
        else:
            self._markers.set_spots([])
        for number, button in enumerate(self.choice_buttons, start=1):
            if number <= len(question.choices):
                choice = question.choices[number - 1]
                key_hint = {"yes": "Y", "no": "N"}.get(choice.key, str(number))
                button.setText(f"{key_hint}.  {choice.text}")
                button.setAccessibleName(choice.text)
                button.setStyleSheet(_BUTTON_STYLE)
                button.setVisible(True)
            else:
                button.setVisible(False)
        self.next_button.setVisible(True)
        self.next_button.setEnabled(False)
        self.next_button.setText("Next (Enter)")
        self.again_button.setVisible(False)

    def _show_answer(self, result: AnswerResult) -> None:
        question = result.question
        colour = GOOD if result.correct else BAD
        self.feedback_label.setText(
            f"<p style='font-size:large'><b style='color:{colour.name()}'>"
            f"{html.escape(result.verdict)}</b></p><p>{html.escape(question.explanation)}</p>"
        )
        self.feedback_label.setAccessibleDescription(f"{result.verdict} {question.explanation}")
        for number, button in enumerate(self.choice_buttons, start=1):
            if number > len(question.choices):
                continue
            choice = question.choices[number - 1]
            # Marked in words and colour; the buttons stay readable (not greyed out),
            # and further presses are ignored until the next question.
            if choice.key in question.correct:
                button.setText(f"✔  {choice.text} (right)")
                button.setStyleSheet(_BUTTON_STYLE + _RIGHT_STYLE)
            elif choice.key == result.answer:
                button.setText(f"✘  {choice.text} (your answer)")
                button.setStyleSheet(_BUTTON_STYLE + _WRONG_STYLE)
        if question.answered_on_diagram:
            self._markers.set_spots([])
            self._highlight(tuple(sorted(question.correct, key=self._zone_order)))
            # The zone clicked gets the selection outline, beside the right one highlighted.
            if not result.correct and result.answer in self._library.zones:
                self.zone_source.mark_zone(result.answer)
        # Answered: the tips, keys and tier colours may help now.
        self._hide_answers(False)
        self.progress_label.setText(
            f"Question {self.quiz.index + 1} of {self.quiz.total}   ·   "
            f"{self.quiz.score} right so far"
        )
        last = self.quiz.index + 1 >= self.quiz.total
        self.next_button.setText("See the score (Enter)" if last else "Next (Enter)")
        self.next_button.setEnabled(True)
        self.next_button.setFocus()

    def _zone_order(self, zone_id: str) -> int:
        return list(self._library.zones).index(zone_id)

    def _show_score(self) -> None:
        quiz = self.quiz
        self._markers.set_spots([])
        self.zone_source.mark_zone("")
        self._highlight(None)
        self._hide_answers(False)
        self.progress_label.setText("The end")
        self.prompt_label.setText(f"Your score: {quiz.score} of {quiz.total}")
        self.detail_label.setText(quiz.summary())
        self.detail_label.setVisible(True)
        rows = []
        for number, result in enumerate(quiz.results, start=1):
            mark = "✔" if result.correct else "✘"
            colour = GOOD if result.correct else BAD
            rows.append(
                f"<div><span style='color:{colour.name()}'>{mark}</span> {number}. "
                f"{html.escape(result.question.prompt)}"
                + ("" if result.correct else f" — {html.escape(result.question.answer_text)}")
                + "</div>"
            )
        self.feedback_label.setText("".join(rows))
        self.feedback_label.setAccessibleDescription(quiz.summary())
        for button in self.choice_buttons:
            button.setVisible(False)
        self.next_button.setVisible(False)
        self.again_button.setVisible(True)
        self.again_button.setFocus()


def show_zone_quiz(
    parent: QWidget | None, library: ContentLibrary, preferences: Preferences | None = None
) -> ZoneQuizDialog:
    """Open the zone quiz (window-modal); it deletes itself when closed."""
    dialog = ZoneQuizDialog(library, preferences, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.open()
    return dialog


__all__ = ["QUIZ_ROUTINE_ID", "ZoneQuizDialog", "quiz_library", "show_zone_quiz"]
