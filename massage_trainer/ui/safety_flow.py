"""The safety steps before a session, and what follows a pain report or the finish.

``SafetyFlow`` installs itself as the controller's start gate. When a session is about
to start from the beginning it asks who is on the table (``ModeDialog``). A partner
session goes through the health questions (``ScreeningDialog``): any "yes" ends it there
with a kind explanation (``BlockedDialog``) and nothing lets it start anyway. Then comes
the preparation checklist (``ChecklistDialog``), which advises but never blocks. A dry
run skips both and the window says so for as long as it lasts.

Health questions cancelled part-way keep their answers in memory (never on disk) for
the rest of the app's run. The next start asks who is on the table: the same partner
gets the questions back with those answers, another partner starts afresh.

Every dialog is opened window-modal with ``open()``, not ``exec()``: the flow goes on
from the dialogs' ``finished`` signals, so tests drive the dialogs directly and no
nested event loop runs. The dialogs' modules load when they are first needed, not
with the main window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from massage_trainer.domain.content import aftercare_items, preparation_items
from massage_trainer.domain.screening import ScreeningRecord, SessionMode
from massage_trainer.domain.session import SessionState
from massage_trainer.ui.controller import SessionController

if TYPE_CHECKING:
    from massage_trainer.domain.models import Routine
    from massage_trainer.ui.safety_view import PainDialog, ZoneRulesDialog
    from massage_trainer.ui.start_dialogs import (
        ChecklistDialog,
        ModeDialog,
        ScreeningDialog,
        ScreeningReviewDialog,
    )


# -- the flow -----------------------------------------------------------------------

HEALTH_CHECK_ITEM = "health-check"
"""The preparation item that asks for the health questions, which the flow itself asks."""


def _is_start_step(dialog: QDialog) -> bool:
    """Whether ``dialog`` is one of the steps between Start and the session."""
    from massage_trainer.ui.start_dialogs import START_DIALOGS

    return isinstance(dialog, START_DIALOGS)


@dataclass
class _Pending:
    """A start waiting for the safety steps."""

    routine_id: str
    proceed: Callable[[], None]


@dataclass(frozen=True)
class _KeptAnswers:
    """The answers of health questions cancelled before they were finished."""

    answers: dict[str, bool]
    at: datetime


class SafetyFlow(QObject):
    """Runs the safety steps before a session, and the pain and aftercare dialogs.

    Construct it with the controller and the window the dialogs belong to; it installs
    itself as the controller's start gate.
    """

    dialog_opened = Signal(object)
    """The QDialog the flow just opened (tests and screenshots use it)."""
    screening_done = Signal(bool)
    """The health questions were answered: True when the session may go on."""

    def __init__(self, controller: SessionController, window: QWidget) -> None:
        super().__init__(window)
        self._controller = controller
        self._window = window
        self._dialog: QDialog | None = None
        # The window that had the keyboard when a dialog took it (the main window, or
        # the presenter's full-screen view): it gets the keys back when the flow is over.
        self._keys_owner: QWidget | None = None
        self._pending: _Pending | None = None
        self._screening: ScreeningRecord | None = None
        self._screening_valid = False
        # Answers of cancelled health questions, for the same partner only (memory only).
        self._kept: _KeptAnswers | None = None
        # The who-is-on-the-table choice: the same partner (the kept answers come back)...
        self._keep_answers = False
        # ... or another partner: neither the kept answers nor an earlier all-clear
        # (the "same partner, nothing changed" shortcut) are theirs.
        self._other_partner = False
        self._ask_mode_again = False
        self._dry_run_started = False
        self._ticks: dict[str, frozenset[str]] = {}
        self._zone_rules: ZoneRulesDialog | None = None
        controller.set_start_gate(self.request_start)
        controller.pain_reported.connect(self._on_controller_pain_reported)
        controller.state_changed.connect(self._on_controller_state_changed)
        controller.routine_changed.connect(self._on_controller_routine_changed)
        controller.mode_changed.connect(self._on_controller_mode_changed)

    # -- public -------------------------------------------------------------------

    @property
    def current_dialog(self) -> QDialog | None:
        """The flow's dialog on screen now, if any."""
        dialog = self._dialog
        return dialog if dialog is not None and dialog.isVisible() else None

    @property
    def last_screening(self) -> ScreeningRecord | None:
        return self._screening

    def ticked(self, routine_id: str) -> frozenset[str]:
        """The preparation items ticked for a routine in this app session."""
        return self._ticks.get(routine_id, frozenset())

    def request_start(self, proceed: Callable[[], None]) -> None:
        """The start gate: run the safety steps, then call ``proceed``."""
        routine = self._controller.routine
        if routine is None:
            return
        current = self.current_dialog
        if current is not None and _is_start_step(current):
            # A step is already on screen (a second press of Start): keep to it.
            current.raise_()
            current.activateWindow()
            return
        if current is not None:
            current.close()  # the last session's aftercare, say
        self._pending = _Pending(routine.id, proceed)
        # A dry run skips every check, so starting one over asks again (Enter or D keeps
        # it): someone may be lying on the table by now. After a "yes" or cancelled
        # questions it is asked again too, so a dry run can be chosen instead.
        if (
            not self._controller.mode_chosen
            or self._ask_mode_again
            or (self._controller.dry_run and self._dry_run_started)
        ):
            self._ask_mode()
        else:
            self._after_mode()

    def show_zone_rules(self) -> ZoneRulesDialog:
        """Open (or raise) the zone rules window; it follows the session."""
        if self._zone_rules is None:
            from massage_trainer.ui.safety_view import ZoneRulesDialog

            self._zone_rules = ZoneRulesDialog(self._controller, self._window)
            self._zone_rules.setModal(False)
        self._zone_rules.show()
        self._zone_rules.raise_()
        self._zone_rules.activateWindow()
        return self._zone_rules

    def show_checklist(self) -> ChecklistDialog | None:
        """Open the loaded routine's checklist on its own (it does not start anything)."""
        routine = self._controller.routine
        if routine is None or self.current_dialog is not None:
            return None
        dialog = self._checklist_dialog(routine)
        dialog.start_button.setText("Done")
        dialog.finished.connect(lambda _result: self._store_ticks(routine.id, dialog))
        self._open(dialog)
        return dialog

    def review_screening(self) -> ScreeningReviewDialog:
        """Show the last answers to the health questions, read-only."""
        from massage_trainer.ui.start_dialogs import ScreeningReviewDialog

        dialog = ScreeningReviewDialog(
            self._screening, self._controller.library.safety.contraindications, self._window
        )
        self._open(dialog, track=False)
        return dialog

    # -- the steps ------------------------------------------------------------------

    def _ask_mode(self) -> None:
        from massage_trainer.ui.start_dialogs import ModeDialog

        routine = self._controller.routine
        title = routine.title if routine is not None else ""
        kept = self._kept
        dialog = ModeDialog(
            title,
            self._controller.mode,
            self._window,
            kept_answers=len(kept.answers) if kept is not None else 0,
            kept_at=kept.at if kept is not None else None,
        )
        dialog.finished.connect(lambda _result: self._on_mode_dialog_finished(dialog))
        self._open(dialog)

    def _on_mode_dialog_finished(self, dialog: ModeDialog) -> None:
        chosen = dialog.chosen
        if chosen is None or self._pending is None:
            self._pending = None
            return
        self._ask_mode_again = False
        if chosen is SessionMode.PARTNER:
            # Whoever is on the table now answers for themselves.
            self._screening_valid = False
            if dialog.new_partner:
                self._kept = None
                self._other_partner = True
            self._keep_answers = self._kept is not None
        self._controller.set_mode(chosen)
        self._after_mode()

    def _after_mode(self) -> None:
        if self._controller.mode is SessionMode.DRY_RUN:
            self._go()
        elif self._screening_valid:
            self._after_screening()
        else:
            self._ask_screening()

    def _ask_screening(self) -> None:
        from massage_trainer.ui.start_dialogs import ScreeningDialog

        kept = self._kept if self._keep_answers else None
        self._keep_answers = False
        dialog = ScreeningDialog(
            self._controller.library.safety.contraindications,
            None if self._other_partner else self._screening,
            self._window,
            kept=kept.answers if kept is not None else None,
            kept_at=kept.at if kept is not None else None,
        )
        dialog.finished.connect(lambda _result: self._on_screening_dialog_finished(dialog))
        self._open(dialog)

    def _on_screening_dialog_finished(self, dialog: ScreeningDialog) -> None:
        outcome = dialog.outcome
        if outcome is None or self._pending is None:
            self._pending = None
            # Perhaps "partner" was the wrong choice: the next start asks again.
            self._ask_mode_again = True
            # Kept for the same partner, so they need not answer everything again.
            answers = dict(dialog.answers())
            self._kept = _KeptAnswers(answers, datetime.now().astimezone()) if answers else None
            return
        # Finished: a "yes" must be answered afresh next time, an all-clear is offered
        # as "same partner, nothing changed". Either way no answer is kept.
        self._kept = None
        self._other_partner = False
        self._screening = ScreeningRecord(
            answers=dict(dialog.answers()),
            at=datetime.now().astimezone(),
            outcome=outcome,
            reused=dialog.reused,
        )
        self._screening_valid = outcome.cleared
        self.screening_done.emit(outcome.cleared)
        if not outcome.cleared:
            self._pending = None
            self._ask_mode_again = True
            from massage_trainer.ui.start_dialogs import BlockedDialog

            blocked = BlockedDialog(outcome.stops, self._window)
            self._open(blocked)
            return
        self._after_screening()

    def _after_screening(self) -> None:
        routine = self._controller.routine
        pending = self._pending
        if routine is None or pending is None:
            return
        items = preparation_items(routine, self._controller.library.safety)
        if {item.id for item in items} <= self._ticks_now(routine.id):
            self._go()
            return
        dialog = self._checklist_dialog(routine)
        dialog.finished.connect(lambda result: self._on_checklist_dialog_finished(dialog, result))
        self._open(dialog)

    def _ticks_now(self, routine_id: str) -> frozenset[str]:
        """The routine's ticks, with the health questions ticked once they are cleared:
        the user has just answered them and should not have to say so twice."""
        ticks = self.ticked(routine_id)
        if self._screening_valid and not self._controller.dry_run:
            ticks |= {HEALTH_CHECK_ITEM}
        return ticks

    def _checklist_dialog(self, routine: Routine) -> ChecklistDialog:
        from massage_trainer.ui.start_dialogs import ChecklistDialog

        return ChecklistDialog(
            preparation_items(routine, self._controller.library.safety),
            self._ticks_now(routine.id),
            routine.title,
            self._window,
        )

    def _on_checklist_dialog_finished(self, dialog: ChecklistDialog, result: int) -> None:
        pending = self._pending
        if pending is not None:
            self._store_ticks(pending.routine_id, dialog)
        if result != QDialog.DialogCode.Accepted.value:
            self._pending = None
            return
        self._go()

    def _store_ticks(self, routine_id: str, dialog: ChecklistDialog) -> None:
        self._ticks[routine_id] = dialog.ticked()

    def _go(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            self._dry_run_started = self._controller.dry_run
            pending.proceed()

    def _open(self, dialog: QDialog, *, track: bool = True) -> None:
        active = QApplication.activeWindow()
        if active is not None and not isinstance(active, QDialog):
            # Not one of the flow's own dialogs (the next of a series takes over).
            self._set_keys_owner(active)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if track:
            self._dialog = dialog
            dialog.finished.connect(lambda _result: self._forget(dialog))
        dialog.open()
        # In front of everything, the presenter's full-screen window included: a start
        # from the presenter's keys must show its questions where they can be seen.
        dialog.raise_()
        dialog.activateWindow()
        self.dialog_opened.emit(dialog)

    def _forget(self, dialog: QDialog) -> None:
        if self._dialog is dialog:
            self._dialog = None
            # Once the flow is over, the session keys must work at once (hands are
            # busy): give the keyboard back to the window, unless a new step opened.
            QTimer.singleShot(0, self._give_back_keyboard)

    def _give_back_keyboard(self) -> None:
        if self.current_dialog is not None:
            return
        owner = self._keys_owner
        if owner is None or not owner.isVisible():
            owner = self._window
        if owner.isVisible():
            # Raised too: a window manager may have put the main window over a
            # full-screen presenter when the dialog, which belongs to it, closed.
            owner.raise_()
            owner.activateWindow()

    def _set_keys_owner(self, window: QWidget) -> None:
        if window is self._keys_owner:
            return
        self._keys_owner = window
        window.destroyed.connect(self._on_keys_owner_destroyed)

    def _on_keys_owner_destroyed(self) -> None:
        self._keys_owner = None

    # -- after the start -------------------------------------------------------------

    def _on_controller_pain_reported(self, note: str) -> None:
        if self.current_dialog is not None:
            self.current_dialog.close()
        from massage_trainer.ui.safety_view import PainDialog

        dialog = PainDialog(note, self._window)
        dialog.finished.connect(lambda _result: self._on_pain_dialog_finished(dialog))
        self._open(dialog)

    def _on_pain_dialog_finished(self, dialog: PainDialog) -> None:
        if dialog.choice == "continue":
            self._controller.start()
        elif dialog.choice == "stop":
            self._controller.finish()

    def _on_controller_state_changed(self, state: str) -> None:
        if state != SessionState.FINISHED.value:
            return
        controller = self._controller
        engine = controller.engine
        routine = controller.routine
        if engine is None or routine is None:
            return
        summary = engine.summary()
        if summary.actual_s <= 0 and not summary.done and not controller.pain_reports():
            return  # finished without ever running: nothing to care for
        from massage_trainer.ui.safety_view import AftercareDialog, SessionReport

        report = SessionReport(
            routine_title=routine.title,
            summary=summary,
            step_count=len(routine.steps),
            pain_reports=controller.pain_reports(),
            dry_run=controller.dry_run,
        )
        dialog = AftercareDialog(
            aftercare_items(routine, controller.library.safety), report, self._window
        )
        if self.current_dialog is not None:
            self.current_dialog.close()
        self._open(dialog)

    def _on_controller_routine_changed(self) -> None:
        # A start waiting for another routine's checks must not start this one.
        if self._pending is not None and (
            self._controller.routine is None
            or self._controller.routine.id != self._pending.routine_id
        ):
            self._pending = None

    def _on_controller_mode_changed(self, mode: str) -> None:
        if not mode:  # another routine: its first start asks anyway
            self._dry_run_started = False


__all__ = ["SafetyFlow"]
