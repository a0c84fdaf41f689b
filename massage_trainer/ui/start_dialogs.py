"""The dialogs of the safety steps before a session, opened by ``SafetyFlow``.

Who is on the table (``ModeDialog``), the health questions (``ScreeningDialog``), the
kind stop when one is answered "yes" (``BlockedDialog``), the last answers read-only
(``ScreeningReviewDialog``) and the preparation checklist (``ChecklistDialog``). They
load only when a session is first started, not with the main window.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from massage_trainer.domain.models import (
    Contraindication,
    ContraindicationGroup,
    PreparationCategory,
    PreparationItem,
)
from massage_trainer.domain.screening import (
    ScreeningOutcome,
    ScreeningRecord,
    SessionMode,
    screen,
)
from massage_trainer.ui.safety_view import (
    lay_out_reading_dialog,
    take_window_font,
)
from massage_trainer.ui.widgets import add_group_heading, is_plain_key, resize_to_fit

CATEGORY_TITLES = {
    PreparationCategory.ROOM: "The room",
    PreparationCategory.MATERIALS: "Things to have ready",
    PreparationCategory.RECEIVER: "Your partner",
    PreparationCategory.GIVER: "You",
}

_ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _scaled_font(widget: QWidget, scale: float, *, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    base = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
    font.setPointSizeF(base * scale)
    font.setBold(bold)
    return font


def _heading(text: str, widget_for_font: QWidget) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setFont(_scaled_font(widget_for_font, 1.35, bold=True))
    return label


# -- who is on the table ------------------------------------------------------------


class ChoiceButton(QPushButton):
    """A large button with a bold title line and a wrapped explanation under it."""

    def __init__(self, title: str, description: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = QLabel(title)
        self.title_label.setFont(_scaled_font(self, 1.3, bold=True))
        self.description_label = QLabel(description)
        self.description_label.setWordWrap(True)
        self.description_label.setFont(_scaled_font(self, 1.0))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.setSpacing(4)
        for label in (self.title_label, self.description_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
            # Clicks go to the button underneath.
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(label)
        self.setAccessibleName(title)
        self.setAccessibleDescription(description)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    def sizeHint(self) -> QSize:  # noqa: N802
        layout = self.layout()
        hint = layout.sizeHint() if layout is not None else super().sizeHint()
        return hint.expandedTo(QSize(420, 80))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()


class ModeDialog(QDialog):
    """Practising on a partner, or a dry run? P and D choose, arrows and Enter too.

    With ``kept_answers`` (health questions cancelled part-way, earlier in this run of
    the app) the partner choice comes in two: the same partner (P), who goes back to
    the questions with those answers kept, or another partner (A), who starts afresh.
    """

    def __init__(
        self,
        routine_title: str,
        preselect: SessionMode = SessionMode.PARTNER,
        parent: QWidget | None = None,
        *,
        kept_answers: int = 0,
        kept_at: datetime | None = None,
    ) -> None:
        super().__init__(parent)
        take_window_font(self, parent)
        self._chosen: SessionMode | None = None
        self._new_partner = False
        self.setWindowTitle("Who is on the table?")
        self.setAccessibleName("Who is on the table?")
        self.setMinimumWidth(680)

        heading = _heading(f"Before \u201c{routine_title}\u201d starts: who is on the table?", self)
        self.new_partner_button: ChoiceButton | None = None
        if kept_answers:
            when = f" at {kept_at.strftime('%H:%M')}" if kept_at is not None else ""
            given = "1 answer given" if kept_answers == 1 else f"{kept_answers} answers given"
            verb = "is" if kept_answers == 1 else "are"
            self.partner_button = ChoiceButton(
                "The same partner   [P]",
                f"Back to the health questions: the {given}{when} {verb} kept, for you "
                "to check and finish.",
                self,
            )
            self.partner_button.setAccessibleName("Practising on the same partner")
            self.new_partner_button = ChoiceButton(
                "Another partner   [A]",
                "Someone else is lying in front of you now. The earlier answers are "
                "cleared and every health question is asked afresh.",
                self,
            )
            self.new_partner_button.setAccessibleName("Practising on another partner")
            self.new_partner_button.clicked.connect(self._choose_new_partner)
        else:
            self.partner_button = ChoiceButton(
                "On a partner   [P]",
                "Someone is lying in front of you. A few health questions and a short "
                "preparation checklist come first.",
                self,
            )
            self.partner_button.setAccessibleName(SessionMode.PARTNER.label)
        self.partner_button.clicked.connect(lambda _checked=False: self.choose(SessionMode.PARTNER))
        self.dry_run_button = ChoiceButton(
            "Dry run, no one on the table   [D]",
            "A demonstration, or walking through the routine on your own. No questions; "
            "the screen says \u201cDry run\u201d for the whole session.",
            self,
        )
        self.dry_run_button.setAccessibleName(SessionMode.DRY_RUN.label)
        self.dry_run_button.clicked.connect(lambda _checked=False: self.choose(SessionMode.DRY_RUN))
        self._choices = tuple(
            button
            for button in (self.partner_button, self.new_partner_button, self.dry_run_button)
            if button is not None
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Not now")
        cancel.setAutoDefault(False)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(heading)
        for button in self._choices:
            layout.addWidget(button)
        layout.addWidget(buttons)
        for before, after in zip(self._choices, self._choices[1:], strict=False):
            QWidget.setTabOrder(before, after)
        first = self.dry_run_button if preselect is SessionMode.DRY_RUN else self.partner_button
        first.setDefault(True)
        first.setFocus()

    @property
    def chosen(self) -> SessionMode | None:
        """The mode chosen, None while undecided or after Cancel."""
        return self._chosen

    @property
    def new_partner(self) -> bool:
        """True when "Another partner" was chosen: the kept answers are not theirs."""
        return self._new_partner

    def choose(self, mode: SessionMode) -> None:
        self._chosen = mode
        self.accept()

    def _choose_new_partner(self) -> None:
        self._new_partner = True
        self.choose(SessionMode.PARTNER)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key == Qt.Key.Key_P:
            self.choose(SessionMode.PARTNER)
        elif key == Qt.Key.Key_A and self.new_partner_button is not None:
            self._choose_new_partner()
        elif key == Qt.Key.Key_D:
            self.choose(SessionMode.DRY_RUN)
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Left, Qt.Key.Key_Down, Qt.Key.Key_Right):
            step = -1 if key in (Qt.Key.Key_Up, Qt.Key.Key_Left) else 1
            focused = self.focusWidget()
            at = self._choices.index(focused) if focused in self._choices else 0
            self._choices[max(0, min(len(self._choices) - 1, at + step))].setFocus()
        else:
            super().keyPressEvent(event)
            return
        event.accept()


# -- screening ----------------------------------------------------------------------

ANSWER_MIN_SIZE = QSize(88, 38)
"""The least size of a Yes or No target: easy to hit with a mouse or a finger."""

_ANSWER_STYLE = """
AnswerButton {
    border: 2px solid #b4c3c6; border-radius: 7px; padding: 4px 14px 4px 10px;
    background: palette(base);
}
AnswerButton:hover { border-color: #1d6f7a; background: #eef7f8; }
AnswerButton:checked { border-color: #1d6f7a; background: #cde9ed; }
AnswerButton:focus { border-color: #0b3f46; border-style: dashed; }
AnswerButton:checked:focus { border-style: solid; border-color: #0b3f46; }
"""

_KEPT_NOTE_STYLE = (
    "#keptNote { background: #fff4d6; border-left: 4px solid #b07800; }"
    " #keptNote QLabel { background: transparent; }"
)


class AnswerButton(QRadioButton):
    """A Yes or No answer drawn as a box: a click anywhere in the box answers, not only
    on the small circle and its word."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setMinimumSize(ANSWER_MIN_SIZE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def hitButton(self, pos: QPoint) -> bool:  # noqa: N802
        return self.rect().contains(pos)


class ScreeningDialog(QDialog):
    """Every contraindication as a yes/no question, grouped, with no answer preset.

    Continue is possible only when every question has an answer. Y and N answer the
    question that has the keyboard focus (or the first unanswered one) and move on.
    ``kept`` brings back the answers given to these questions before they were
    cancelled, earlier in this run of the app, for the same partner: a line says so, and
    *Clear answers* takes them away. The flow never passes them on a first asking.
    """

    def __init__(
        self,
        contraindications: Sequence[Contraindication],
        previous: ScreeningRecord | None = None,
        parent: QWidget | None = None,
        *,
        kept: Mapping[str, bool] | None = None,
        kept_at: datetime | None = None,
    ) -> None:
        super().__init__(parent)
        take_window_font(self, parent)
        # In the order shown (by group), so Y and N walk down the screen.
        order = list(ContraindicationGroup)
        self._items = tuple(sorted(contraindications, key=lambda c: order.index(c.group)))
        self._rows: dict[str, QWidget] = {}
        self._highlighted = ""
        self._previous = previous if previous is not None and previous.outcome.cleared else None
        self._groups: dict[str, QButtonGroup] = {}
        self._yes: dict[str, QRadioButton] = {}
        self._no: dict[str, QRadioButton] = {}
        self._outcome: ScreeningOutcome | None = None
        self._reused = False
        self.setWindowTitle("Health questions")
        self.setAccessibleName("Health questions")
        resize_to_fit(self, 820, 760)

        heading = _heading("Before you touch your partner's back: a few health questions", self)
        intro = QLabel(
            "Ask your partner each question and tick the answer. If any answer is yes, "
            "this app will not guide a massage today, and it will say why and what to do "
            "instead. Keys: Y for yes, N for no, \u2191 and \u2193 to go back or on."
        )
        intro.setWordWrap(True)
        intro.setObjectName("screeningIntro")

        questions = QWidget()
        questions.setStyleSheet(_ANSWER_STYLE)
        questions_layout = QVBoxLayout(questions)
        questions_layout.setSpacing(12)
        by_group: dict[ContraindicationGroup, list[Contraindication]] = {}
        for item in self._items:
            by_group.setdefault(item.group, []).append(item)
        for group in sorted(by_group, key=order.index):
            box = QGroupBox(group.label)
            box.setFont(_scaled_font(self, 1.05, bold=True))
            box_layout = QVBoxLayout(box)
            box_layout.setSpacing(6)
            for item in by_group[group]:
                box_layout.addWidget(self._question_row(item))
            questions_layout.addWidget(box)
        questions_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(questions)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.status_label = QLabel()
        self.status_label.setAccessibleName("Questions answered")
        self.status_label.setFont(_scaled_font(self, 1.0, bold=True))

        self.buttons = QDialogButtonBox()
        self.continue_button = QPushButton("Continue")
        self.continue_button.setAutoDefault(False)
        self.continue_button.clicked.connect(self._on_continue_clicked)
        self.buttons.addButton(self.continue_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.same_partner_button: QPushButton | None = None
        if self._previous is not None:
            when = self._previous.at.strftime("%H:%M")
            self.same_partner_button = QPushButton(f"Same partner, nothing changed since {when}")
            self.same_partner_button.setAutoDefault(False)
            self.same_partner_button.setToolTip(
                f"Your partner answered no to every question at {when}. Use this only if it "
                "is the same person and nothing about their health has changed."
            )
            self.same_partner_button.clicked.connect(self._on_same_partner_clicked)
            self.buttons.addButton(self.same_partner_button, QDialogButtonBox.ButtonRole.ActionRole)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)

        # The answers kept from questions cancelled earlier, for the same partner.
        self.kept_note = QWidget()
        self.kept_note.setObjectName("keptNote")
        self.kept_note.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.kept_note.setStyleSheet(_KEPT_NOTE_STYLE)
        self.kept_label = QLabel()
        self.kept_label.setWordWrap(True)
        self.kept_label.setTextFormat(Qt.TextFormat.PlainText)
        self.kept_label.setAccessibleName("Earlier answers")
        self.clear_button = QPushButton("Clear answers")
        self.clear_button.setAutoDefault(False)
        self.clear_button.setToolTip("Untick every answer and ask every question afresh.")
        self.clear_button.clicked.connect(self.clear_answers)
        note_layout = QHBoxLayout(self.kept_note)
        note_layout.setContentsMargins(10, 4, 6, 4)
        note_layout.addWidget(self.kept_label, 1)
        note_layout.addWidget(self.clear_button)
        for item_id, yes in (kept or {}).items():
            if item_id in self._yes:
                self.set_answer(item_id, yes)
        given = len(self.answers())
        if given:
            noun = "answer" if given == 1 else "answers"
            when = f" at {kept_at.strftime('%H:%M')}" if kept_at is not None else ""
            self.kept_label.setText(
                f"Kept from before you cancelled{when}: {given} {noun}. Check them with "
                "your partner as you go."
            )
        else:
            self.kept_note.hide()

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.kept_note)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self._refresh()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_application_focus_changed)
        self._focus_first_unanswered()

    # -- public -------------------------------------------------------------------

    def questions(self) -> tuple[Contraindication, ...]:
        return self._items

    def answers(self) -> dict[str, bool]:
        """The answers given so far: contraindication id -> True for yes."""
        found: dict[str, bool] = {}
        for item in self._items:
            if self._yes[item.id].isChecked():
                found[item.id] = True
            elif self._no[item.id].isChecked():
                found[item.id] = False
        return found

    def set_answer(self, contraindication_id: str, yes: bool) -> None:
        """Answer one question (as a click on Yes or No would)."""
        button = self._yes[contraindication_id] if yes else self._no[contraindication_id]
        button.setChecked(True)

    def clear_answers(self) -> None:
        """Untick every answer (kept ones too) and go back to the first question."""
        if not self.kept_note.isHidden():
            self.kept_label.setText("Earlier answers cleared: every question is unanswered.")
            self.clear_button.hide()
        for item in self._items:
            group = self._groups[item.id]
            # An exclusive group keeps one button checked: let go of it for a moment.
            group.setExclusive(False)
            self._yes[item.id].setChecked(False)
            self._no[item.id].setChecked(False)
            group.setExclusive(True)
        self._focus_first_unanswered()

    def radio(self, contraindication_id: str, yes: bool) -> QRadioButton:
        return self._yes[contraindication_id] if yes else self._no[contraindication_id]

    def unanswered_count(self) -> int:
        return len(self._items) - len(self.answers())

    @property
    def outcome(self) -> ScreeningOutcome | None:
        """The outcome once Continue was pressed; None before."""
        return self._outcome

    @property
    def reused(self) -> bool:
        return self._reused

    # -- internals ----------------------------------------------------------------

    def _focus_first_unanswered(self) -> None:
        """Put the keys on the first question without an answer (the first question when
        all are answered), highlighted and in view."""
        if not self._items:
            return
        answers = self.answers()
        target = next((c.id for c in self._items if c.id not in answers), self._items[0].id)
        self._focus_question(target)
        self._highlight(target)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        # Only now are the rows laid out: from the top (kept answers in sight), scroll as
        # little as brings the question the keys are on into view.
        row = self._rows.get(self._highlighted)
        if row is not None:
            self.scroll_area.verticalScrollBar().setValue(0)
            self.scroll_area.ensureWidgetVisible(row, 0, 60)

    def _on_application_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        target = new.property("contraindication") if new is not None else None
        if isinstance(target, str) and target in self._rows:
            self._highlight(target)

    def _highlight(self, contraindication_id: str) -> None:
        """Mark the question the keys answer now."""
        if contraindication_id == self._highlighted:
            return
        old = self._rows.get(self._highlighted)
        if old is not None:
            old.setStyleSheet("")
        self._highlighted = contraindication_id
        self._rows[contraindication_id].setStyleSheet(
            "#questionRow { background: #dff1f3; border-left: 4px solid #1d6f7a; }"
        )

    def _question_row(self, item: Contraindication) -> QWidget:
        row = QWidget()
        row.setObjectName("questionRow")
        # A plain QWidget paints a style-sheet background only with this attribute.
        row.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._rows[item.id] = row
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(4, 2, 4, 2)
        label = QLabel(item.question)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        # Not bold, although the group box's title is: the questions are body text.
        plain = QFont(self.font())
        plain.setBold(False)
        label.setFont(plain)
        yes = AnswerButton("Yes")
        no = AnswerButton("No")
        group = QButtonGroup(row)
        group.setExclusive(True)
        for button in (yes, no):
            button.setFont(plain)
            button.setProperty("contraindication", item.id)
            button.installEventFilter(self)
            button.setAccessibleName(f"{button.text()}: {item.question}")
            group.addButton(button)
            button.toggled.connect(self._refresh)
        label.setBuddy(yes)
        row_layout.addWidget(label, 1)
        row_layout.addSpacing(12)
        row_layout.addWidget(yes)
        row_layout.addWidget(no)
        self._groups[item.id] = group
        self._yes[item.id] = yes
        self._no[item.id] = no
        return row

    def _refresh(self, *_args: object) -> None:
        left = self.unanswered_count()
        total = len(self._items)
        self.continue_button.setEnabled(left == 0)
        if left:
            self.status_label.setText(f"{total - left} of {total} questions answered")
        elif any(self.answers().values()):
            self.status_label.setText("All answered. At least one answer is yes.")
        else:
            self.status_label.setText("All answered, every answer no.")
        self.continue_button.setDefault(left == 0)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key in (Qt.Key.Key_Y, Qt.Key.Key_N) and is_plain_key(event):
            self._answer_by_key(key == Qt.Key.Key_Y)
            event.accept()
            return
        if self._is_move_key(event):
            self._move_by_key(-1 if key == Qt.Key.Key_Up else 1)
            event.accept()
            return
        super().keyPressEvent(event)

    @staticmethod
    def _is_move_key(event: QKeyEvent) -> bool:
        return event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and is_plain_key(event, shift=False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # The answer buttons would hand Up and Down to the scroll area, which only
        # scrolls; here they move from question to question instead.
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and self._is_move_key(event)
        ):
            self._move_by_key(-1 if event.key() == Qt.Key.Key_Up else 1)
            return True
        return super().eventFilter(watched, event)

    def _move_by_key(self, step: int) -> None:
        """Up and Down go from question to question, to go back and change an answer."""
        ids = [c.id for c in self._items]
        if not ids:
            return
        focused = self.focusWidget()
        target = focused.property("contraindication") if focused is not None else None
        if isinstance(target, str) and target in self._yes:
            position = ids.index(target) + step
        elif focused is self.continue_button and step < 0:
            position = len(ids) - 1
        else:
            return
        if position >= len(ids):
            if self.continue_button.isEnabled():
                self.continue_button.setFocus()
            return
        self._focus_question(ids[max(0, position)])

    def _focus_question(self, contraindication_id: str) -> None:
        """Put the keys on a question (its answer, if any) and scroll it into view."""
        no = self._no[contraindication_id]
        button = no if no.isChecked() else self._yes[contraindication_id]
        button.setFocus()
        row = button.parentWidget()
        self.scroll_area.ensureWidgetVisible(row if row is not None else button, 0, 60)

    def _answer_by_key(self, yes: bool) -> None:
        focused = self.focusWidget()
        target = focused.property("contraindication") if focused is not None else None
        answers = self.answers()
        if not isinstance(target, str) or target not in self._yes:
            target = next((c.id for c in self._items if c.id not in answers), None)
        if target is None:
            return
        self.set_answer(target, yes)
        ids = [c.id for c in self._items]
        answers = self.answers()
        following = ids[ids.index(target) + 1 :] + ids[: ids.index(target)]
        next_id = next((i for i in following if i not in answers), None)
        if next_id is None:
            self.continue_button.setFocus()
            return
        self._focus_question(next_id)

    def _on_continue_clicked(self) -> None:
        if self.unanswered_count():
            return
        self._outcome = screen(self._items, self.answers())
        self.accept()

    def _on_same_partner_clicked(self) -> None:
        if self._previous is None:
            return
        self._reused = True
        for item_id, yes in self._previous.answers.items():
            if item_id in self._yes:
                self.set_answer(item_id, yes)
        self._outcome = screen(self._items, self.answers())
        self.accept()


class BlockedDialog(QDialog):
    """A "yes" in the screening: no massage today, why, and who can help. Close only."""

    def __init__(self, stops: Sequence[Contraindication], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        take_window_font(self, parent)
        self._stops = tuple(stops)
        self.setWindowTitle("No massage today")
        self.setAccessibleName("No massage today")
        resize_to_fit(self, 720, 500)
        heading = _heading("Thank you for checking. No massage today.", self)
        self.text = lay_out_reading_dialog(
            self, heading, "Why not, and what to do instead", self._html()
        )

    @property
    def stops(self) -> tuple[Contraindication, ...]:
        return self._stops

    def plain_text(self) -> str:
        return self.text.toPlainText()

    def _html(self) -> str:
        count = len(self._stops)
        which = "this answer" if count == 1 else "these answers"
        parts = [
            f"<p>Because of {which}, the app will not guide a massage on your partner "
            "today. That is not a verdict on anyone: it is how a caring beginner keeps "
            "someone safe.</p>"
        ]
        for item in self._stops:
            parts.append(
                f"<h3>{html.escape(item.name)}</h3>"
                f"<p><b>Why:</b> {html.escape(item.reason)}</p>"
                f"<p><b>What to do:</b> {html.escape(item.advice)}</p>"
            )
        parts.append(
            "<p>A doctor, a physiotherapist or a trained massage therapist can say when, "
            "and how, massage will be right for your partner. Meanwhile you can still "
            "learn the routine as a dry run, with no one on the table: press Start again "
            "and choose <b>Dry run</b> (D).</p>"
        )
        return "".join(parts)


class WrappingItemDelegate(QStyledItemDelegate):
    """Measures an item at its column's width, so a long question wraps onto more lines
    instead of being cut off with "…" (a tree view measures items without a width)."""

    def __init__(self, view: QTreeWidget) -> None:
        super().__init__(view)
        self._view = view
        view.header().sectionResized.connect(self._on_header_section_resized)

    def sizeHint(  # noqa: N802
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        opt = QStyleOptionViewItem(option)
        # The style wraps only within a valid rectangle: it needs a height too.
        opt.rect = QRect(0, 0, self._view.columnWidth(index.column()), 1)
        return super().sizeHint(opt, index)

    def _on_header_section_resized(self, *_args: object) -> None:
        self._view.doItemsLayout()


class ScreeningReviewDialog(QDialog):
    """The last answers to the health questions, read-only."""

    def __init__(
        self,
        record: ScreeningRecord | None,
        contraindications: Sequence[Contraindication],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        take_window_font(self, parent)
        self.setWindowTitle("Review screening")
        self.setAccessibleName("Review screening")
        resize_to_fit(self, 1000, 680)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setFont(_scaled_font(self, 1.1, bold=True))
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Questions and answers")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Question", "Answer"])
        self.tree.setWordWrap(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setItemDelegate(WrappingItemDelegate(self.tree))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)

        if record is None:
            self.summary_label.setText(
                "No health questions have been answered since the app started. They are "
                "asked when a session on a partner starts."
            )
            self.tree.hide()
            resize_to_fit(self, 600, 180)
            return
        when = record.at.strftime("%H:%M")
        if record.outcome.cleared:
            how = " (confirmed as the same partner)" if record.reused else ""
            self.summary_label.setText(f"Answered at {when}{how}: every answer no.")
        else:
            names = ", ".join(item.name for item in record.outcome.stops)
            self.summary_label.setText(f"Answered at {when}: no massage because of: {names}.")
        order = list(ContraindicationGroup)
        for group in sorted({c.group for c in contraindications}, key=order.index):
            add_group_heading(self.tree, group.label, "")
            for item in (c for c in contraindications if c.group is group):
                answer = record.answers.get(item.id)
                text = "Yes" if answer is True else "No" if answer is False else "Not answered"
                row = QTreeWidgetItem([item.question, text])
                row.setToolTip(0, item.question)
                row.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if answer is True:
                    bold = row.font(1)
                    bold.setBold(True)
                    row.setFont(1, bold)
                    row.setFont(0, bold)
                self.tree.addTopLevelItem(row)

    def rows(self) -> list[tuple[str, str]]:
        """(question, answer) for every question row."""
        found = []
        for position in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(position)
            if item is not None and item.text(1):
                found.append((item.text(0), item.text(1)))
        return found


# -- preparation ----------------------------------------------------------------------


def _title_and_detail(text: str) -> tuple[str, str]:
    # The item view hands the text over with Unicode line separators for newlines.
    title, _, detail = text.replace("\u2028", "\n").partition("\n")
    return title, detail


class TitleDetailDelegate(QStyledItemDelegate):
    """Paints an item's text "title\\ndetail" as a bold title over a wrapped detail; a
    click anywhere on a checkable item ticks or unticks it, not only on its small box."""

    PADDING = 6

    def __init__(self, view: QListWidget) -> None:
        super().__init__(view)
        self._view = view

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        title = QFont(option.font)
        title.setBold(True)
        return title, QFont(option.font)

    def _text_width(self, option: QStyleOptionViewItem) -> int:
        check = self._view.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) + 16
        return max(120, self._view.viewport().width() - check - 2 * self.PADDING)

    def sizeHint(  # noqa: N802
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title, detail = _title_and_detail(opt.text)
        if not detail:
            return super().sizeHint(option, index)
        title_font, detail_font = self._fonts(opt)
        width = self._text_width(opt)
        flags = int(Qt.TextFlag.TextWordWrap)
        height = QFontMetrics(title_font).boundingRect(0, 0, width, 10_000, flags, title).height()
        height += (
            QFontMetrics(detail_font).boundingRect(0, 0, width, 10_000, flags, detail).height()
        )
        return QSize(width, height + 2 * self.PADDING + 2)

    def editorEvent(  # noqa: N802
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        flags = index.flags()
        checkable = bool(flags & Qt.ItemFlag.ItemIsUserCheckable) and bool(
            flags & Qt.ItemFlag.ItemIsEnabled
        )
        if checkable and isinstance(event, QMouseEvent):
            if event.button() != Qt.MouseButton.LeftButton:
                return False
            if event.type() == QEvent.Type.MouseButtonRelease and option.rect.contains(
                event.position().toPoint()
            ):
                checked = index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
                new = Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked
                return model.setData(index, new, Qt.ItemDataRole.CheckStateRole)
            # The second click of a double click is a click of its own: no extra toggle.
            return event.type() == QEvent.Type.MouseButtonDblClick
        return super().editorEvent(event, model, option, index)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title, detail = _title_and_detail(opt.text)
        if not detail:
            super().paint(painter, option, index)
            return
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        opt.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        rect = rect.adjusted(self.PADDING, self.PADDING, -self.PADDING, -self.PADDING)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        title_font, detail_font = self._fonts(opt)
        flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft)
        painter.save()
        painter.setPen(opt.palette.color(role))
        painter.setFont(title_font)
        used = painter.boundingRect(rect, flags, title)
        painter.drawText(rect, flags, title)
        painter.setFont(detail_font)
        painter.drawText(rect.adjusted(0, used.height(), 0, 0), flags, detail)
        painter.restore()


class ChecklistDialog(QDialog):
    """The preparation checklist: Space ticks, arrows move. Advice: it never blocks."""

    def __init__(
        self,
        items: Sequence[PreparationItem],
        ticked: frozenset[str] = frozenset(),
        routine_title: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        take_window_font(self, parent)
        self._items = tuple(items)
        self.setWindowTitle("Preparation checklist")
        self.setAccessibleName("Preparation checklist")
        resize_to_fit(self, 780, 780)
        title = f"Ready for \u201c{routine_title}\u201d?" if routine_title else "Ready to start?"
        heading = _heading(title, self)
        intro = QLabel(
            "Tick what is ready: click an item, or press Space on the highlighted one (the "
            "arrow keys move). Your ticks are kept until you close the app."
        )
        intro.setWordWrap(True)

        self.list = QListWidget()
        self.list.setAccessibleName("Preparation items")
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setItemDelegate(TitleDetailDelegate(self.list))
        order = list(PreparationCategory)
        by_category: dict[PreparationCategory, list[PreparationItem]] = {}
        for item in self._items:
            by_category.setdefault(item.category, []).append(item)
        first: QListWidgetItem | None = None
        for category in sorted(by_category, key=order.index):
            heading_item = QListWidgetItem(CATEGORY_TITLES[category])
            heading_item.setFlags(Qt.ItemFlag.NoItemFlags)
            heading_item.setFont(_scaled_font(self, 1.1, bold=True))
            # A heading, not a greyed-out item: the colour overrides the disabled look.
            heading_item.setForeground(QColor("#1d6f7a"))
            self.list.addItem(heading_item)
            for item in by_category[category]:
                row = QListWidgetItem(f"{item.title}\n{item.detail}")
                row.setData(_ITEM_ID_ROLE, item.id)
                row.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable
                    | Qt.ItemFlag.ItemIsUserCheckable
                )
                row.setCheckState(
                    Qt.CheckState.Checked if item.id in ticked else Qt.CheckState.Unchecked
                )
                row.setToolTip(item.detail)
                self.list.addItem(row)
                first = first or row
        self.list.itemChanged.connect(self._refresh)

        self.remaining_label = QLabel()
        self.remaining_label.setAccessibleName("Items not ticked")
        self.remaining_label.setFont(_scaled_font(self, 1.05, bold=True))
        self.remaining_label.setWordWrap(True)

        self.buttons = QDialogButtonBox()
        self.start_button = QPushButton("Start the session")
        self.start_button.setMinimumHeight(40)
        self.start_button.setAutoDefault(False)
        self.start_button.clicked.connect(self.accept)
        self.buttons.addButton(self.start_button, QDialogButtonBox.ButtonRole.AcceptRole)
        not_yet = self.buttons.addButton("Not yet", QDialogButtonBox.ButtonRole.RejectRole)
        not_yet.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.remaining_label)
        layout.addWidget(self.buttons)
        if first is not None:
            self.list.setCurrentItem(first)
        self.list.setFocus()
        self._refresh()

    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self._items)

    def ticked(self) -> frozenset[str]:
        """The ids of the ticked items."""
        found = set()
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(_ITEM_ID_ROLE) and item.checkState() is Qt.CheckState.Checked:
                found.add(str(item.data(_ITEM_ID_ROLE)))
        return frozenset(found)

    def set_ticked(self, item_id: str, on: bool = True) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(_ITEM_ID_ROLE) == item_id:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def unticked_count(self) -> int:
        return len(self._items) - len(self.ticked())

    def _refresh(self, *_args: object) -> None:
        left = self.unticked_count()
        if left == 0:
            self.remaining_label.setText("Everything is ready.")
        else:
            noun = "item is" if left == 1 else "items are"
            self.remaining_label.setText(
                f"{left} {noun} not ticked. You can still start: the list is advice, but "
                "each item makes the massage safer or more pleasant."
            )
        self.start_button.setDefault(True)


START_DIALOGS = (ModeDialog, ScreeningDialog, BlockedDialog, ChecklistDialog)
"""The dialogs that stand between Start and the session."""

__all__ = [
    "START_DIALOGS",
    "BlockedDialog",
    "ChecklistDialog",
    "ModeDialog",
    "ScreeningDialog",
    "ScreeningReviewDialog",
]
