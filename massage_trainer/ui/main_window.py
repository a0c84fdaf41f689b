"""The main window: assembles the diagram, step list and timer panel around one controller.

The window creates the :class:`SessionController`, the :class:`Preferences` and the
:class:`CuePlayer`, hands them to the widgets and wires the few window-level things:
actions with their shortcuts, menus, toolbar, status bar and saved settings. The
widgets never talk to each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6 import QtGui
from PySide6.QtCore import QByteArray, QRect, QSettings, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from massage_trainer import __version__
from massage_trainer.ui.widgets import resize_to_fit

if TYPE_CHECKING:
    # Imported where they are used, not here: the window paints before the content, its
    # models and the session widgets are loaded (see MainWindow.populate).
    from massage_trainer.domain.content import ContentLibrary
    from massage_trainer.domain.history import HistoryStore
    from massage_trainer.domain.session import Clock
    from massage_trainer.ui.controller import SessionController
    from massage_trainer.ui.cues import CuePlayer
    from massage_trainer.ui.history_recorder import SessionRecorder
    from massage_trainer.ui.practice import PracticeMode
    from massage_trainer.ui.preferences import Preferences
    from massage_trainer.ui.presenter import PresenterWindow

APP_TITLE = "Massage Trainer"
DEFAULT_SIZE = (1440, 900)
BASE_POINT_SIZE = 12.0
"""The window's base font size: large enough to read from a couple of metres."""

HISTORY_MARKS = {
    "read-only": "History: view only, nothing new saved",
    "unavailable": "History off: practice is not saved",
}
"""The status bar's lasting mark per history status (StoreStatus values); its tooltip
says why."""

WELCOMED_KEY = "help/welcomed"
"""QSettings key: true once the getting-started guide has been shown at a start (kept
here, so a returning user's start never loads the guide's module)."""

_KEY_GEOMETRY = "window/geometry"
_KEY_STATE = "window/state"
_KEY_SPLITTER = "window/splitter"
_KEY_ROUTINE = "session/routine"
_KEY_AUTO_ADVANCE = "session/auto_advance"


class ShortcutsDialog(QDialog):
    """Every window action that has a keyboard shortcut, with its keys."""

    def __init__(
        self,
        actions: Sequence[QAction],
        parent: QWidget | None = None,
        *,
        more: Sequence[tuple[str, str]] = (),
    ) -> None:
        """``more``: rows of keys that belong to no window action (command, keys)."""
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        resize_to_fit(self, 560, 560)
        rows = [
            (action_label(action), shortcut_text(action))
            for action in actions
            if action.shortcuts()
        ]
        rows.extend(more)
        self.table = QTableWidget(len(rows), 2)
        self.table.setAccessibleName("Shortcuts")
        self.table.setHorizontalHeaderLabels(["Command", "Keys"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        for row, (label, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(label))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("These keys work wherever the focus is in the main window."))
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    def rows(self) -> list[tuple[str, str]]:
        """The table's contents, for tests and for reading aloud."""
        return [
            (_cell_text(self.table, row, 0), _cell_text(self.table, row, 1))
            for row in range(self.table.rowCount())
        ]


def _cell_text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def action_label(action: QAction) -> str:
    """An action's text without mnemonics or trailing dots."""
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".…")


def shortcut_text(action: QAction) -> str:
    """The action's keys as the user would read them, e.g. "Right or PgDown"."""
    return " or ".join(
        key.toString(QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts()
    )


class _OpeningView(QWidget):
    """What the window shows for the moment between its first paint and its contents:
    the app's icon and name, and that the routines are on their way."""

    painted = Signal()
    TEXT = "Opening the routines…"

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName(f"{APP_TITLE}: {self.TEXT}")
        self._painted = False

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        icon = QGuiApplication.windowIcon()
        side = 96
        middle = self.rect().center()
        if not icon.isNull():
            painter.drawPixmap(middle.x() - side // 2, middle.y() - side - 24, icon.pixmap(side))
        title = QFont(self.font())
        title.setPointSizeF(title.pointSizeF() * 1.6)
        title.setBold(True)
        painter.setFont(title)
        line = QFontMetrics(title).height()
        painter.drawText(
            QRect(0, middle.y() - 16, self.width(), line), Qt.AlignmentFlag.AlignHCenter, APP_TITLE
        )
        painter.setFont(self.font())
        painter.drawText(
            QRect(0, middle.y() - 16 + line + 4, self.width(), line),
            Qt.AlignmentFlag.AlignHCenter,
            self.TEXT,
        )
        painter.end()
        if not self._painted:
            self._painted = True
            self.painted.emit()


class MainWindow(QMainWindow):
    """The guided-session window: back diagram, step list and timer panel.

    ``MainWindow(library)`` builds everything at once. ``MainWindow(None)`` is how the app
    starts: the window paints straight away, saying it is opening, and
    :meth:`populate` fills it in once the content is loaded (:attr:`first_painted`
    says when that first paint has happened).
    """

    first_painted = Signal()
    """The window has been painted for the first time (only for ``MainWindow(None)``)."""

    def __init__(
        self,
        library: ContentLibrary | None,
        *,
        clock: Clock | None = None,
        settings: QSettings | None = None,
        speech_engine: str | None = None,
        history: HistoryStore | None = None,
        routine_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings if settings is not None else QSettings()
        self._clock = clock
        self._speech_engine = speech_engine
        self._history = history
        self._populated = False
        self._cue_problems: list[str] = []
        self._cue_notice = ""
        self._notices: list[tuple[str, int]] = []  # waiting for the status bar, see _notify
        self._shown_once = False
        self._routine_editor: QMainWindow | None = None
        self._presenter: PresenterWindow | None = None
        self._library_dock: QDockWidget | None = None
        self._practice: PracticeMode | None = None
        self._guide: QDialog | None = None
        self.setWindowTitle(APP_TITLE)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), BASE_POINT_SIZE))
        self.setFont(font)
        self._restore_geometry()
        if library is None:
            opening = _OpeningView()
            opening.painted.connect(self.first_painted)
            self.setCentralWidget(opening)
        else:
            self.populate(library, routine_id)

    @property
    def populated(self) -> bool:
        """Whether the session widgets are in place (always, unless built with None)."""
        return self._populated

    def populate(self, library: ContentLibrary, routine_id: str | None = None) -> None:
        """Build the controller, the session widgets, the actions and the menus, showing
        ``routine_id`` (known to be in ``library``), else the routine used last."""
        if self._populated:
            raise RuntimeError("the main window is already populated")
        from massage_trainer.domain.history import HistoryStore
        from massage_trainer.ui.controller import SessionController
        from massage_trainer.ui.cues import CuePlayer
        from massage_trainer.ui.diagram import BackDiagramView
        from massage_trainer.ui.history_recorder import SessionRecorder
        from massage_trainer.ui.preferences import Preferences
        from massage_trainer.ui.safety_flow import SafetyFlow
        from massage_trainer.ui.step_list import StepListView
        from massage_trainer.ui.timer_panel import TimerPanel

        self._preferences = Preferences(self._settings, self)
        remembered = self._settings.value(_KEY_ROUTINE)
        showing = routine_id or (remembered if isinstance(remembered, str) else None)
        # Built with the routine to show, so it is loaded into the session once.
        self._controller = SessionController(library, self._clock, self, routine_id=showing)
        # The history opens fast (no charts); a failure there never stops the session.
        history = self._history
        self._history_recorder = SessionRecorder(
            self._controller, history if history is not None else HistoryStore(), self
        )
        self._cue_player = CuePlayer(
            self._controller, self._preferences, speech_engine=self._speech_engine, parent=self
        )
        # After the recorder, so a pain report is recorded before its dialog opens.
        self.safety_flow = SafetyFlow(self._controller, self)

        self.diagram = BackDiagramView(self._controller, self._preferences)
        self.step_list = StepListView(self._controller)
        self.timer_panel = TimerPanel(self._controller, self._preferences)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.diagram)
        self.splitter.addWidget(self.timer_panel)
        self.splitter.addWidget(self.step_list)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([560, 480, 400])
        self.setCentralWidget(self.splitter)

        self.statusBar().messageChanged.connect(self._on_status_bar_message_changed)
        self._routine_label = QLabel()
        # Titles can come from shared files: always plain text, never markup.
        self._routine_label.setTextFormat(Qt.TextFormat.PlainText)
        self._routine_label.setAccessibleName("Current routine")
        self._mode_label = QLabel()
        self._mode_label.setAccessibleName("Session mode")
        self._mode_label.setStyleSheet("font-weight: bold;")
        self._history_label = QLabel()
        self._history_label.setAccessibleName("Practice history")
        self._history_label.setStyleSheet("color: #8a4b00; font-weight: bold;")
        self._history_label.hide()
        for label in (self._history_label, self._mode_label, self._routine_label):
            label.setContentsMargins(8, 0, 8, 0)  # the marks never run into each other
            self.statusBar().addPermanentWidget(label)

        self._create_actions()
        self._create_menus()
        self._create_toolbar()
        self._set_tab_order()

        controller = self._controller
        controller.routine_changed.connect(self._on_controller_routine_changed)
        controller.state_changed.connect(self._on_controller_state_changed)
        controller.auto_advance_changed.connect(self._on_controller_auto_advance_changed)
        controller.mode_changed.connect(self._on_controller_mode_changed)
        controller.zone_selected.connect(self._on_controller_zone_selected)
        self._cue_player.flash_requested.connect(self.timer_panel.flash)
        self._cue_player.unavailable.connect(self._on_cue_player_unavailable)
        self._preferences.reduced_motion_changed.connect(self.reduced_motion_action.setChecked)
        self._preferences.chime_changed.connect(self.chime_action.setChecked)
        self._preferences.speech_changed.connect(self.speech_action.setChecked)
        self._preferences.flash_changed.connect(self.flash_action.setChecked)

        self._populated = True
        self._restore_settings()
        self._on_controller_routine_changed()
        self._on_controller_state_changed(controller.state().value)
        self._on_controller_mode_changed()
        self._report_load_problems()
        self._history_recorder.notice.connect(self._on_history_recorder_notice)
        self._history_recorder.announce_open_result()
        self._update_history_label()
        self._announce_pending_drafts()
        self.step_list.setFocus()

    # -- public -----------------------------------------------------------------------

    @property
    def controller(self) -> SessionController:
        return self._controller

    @property
    def preferences(self) -> Preferences:
        return self._preferences

    @property
    def cue_player(self) -> CuePlayer:
        return self._cue_player

    @property
    def settings(self) -> QSettings:
        return self._settings

    @property
    def history_recorder(self) -> SessionRecorder:
        return self._history_recorder

    def show_progress(self) -> None:
        """Open the Progress window (its module and QtCharts load on first use)."""
        from massage_trainer.ui.history_recorder import show_progress_window

        show_progress_window(self, self._history_recorder)

    def export_history(self) -> None:
        """Ask for a file and save the practice history to it as CSV."""
        from massage_trainer.ui.history_recorder import export_history_csv

        recorder = self._history_recorder
        export = export_history_csv(self, recorder.store, library=recorder.controller.library)
        if export is not None:  # the file dialog has gone: say where it went
            self.statusBar().showMessage(export.summary, 15000)

    def session_actions(self) -> list[QAction]:
        """Every action of the window, in menu order (the shortcuts dialog lists these)."""
        return list(self._all_actions)

    def shortcuts_dialog(self) -> ShortcutsDialog:
        """A new keyboard-shortcuts dialog generated from the window's actions, with the
        keys of the diagram and of practice mode (which only work there)."""
        from massage_trainer.ui.practice import CLEAR_KEY, REPLAY_KEY

        def native(keys: str) -> str:
            return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)

        more = [
            ("Diagram: go from zone to zone, then select one", "Up or Down, then Enter"),
            ("Practice mode: replay the last stroke", native(REPLAY_KEY)),
            ("Practice mode: clear the trace", native(CLEAR_KEY)),
        ]
        return ShortcutsDialog(self.session_actions(), self, more=more)

    def choose_routine(self) -> None:
        """Ask for a routine and load it (nothing changes on cancel)."""
        from massage_trainer.ui.routine_picker import choose_routine

        current = self._controller.routine.id if self._controller.routine is not None else None
        chosen = choose_routine(self._controller.library, current, self)
        if chosen is not None:
            self._controller.load_routine(chosen)

    def library_dock(self, *, show: bool = True) -> QDockWidget:
        """The technique and zone library, built on first use (not at start-up)."""
        if self._library_dock is None:
            from massage_trainer.ui.library_view import make_library_dock

            dock = make_library_dock(self._controller, self)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            if not self.restoreDockWidget(dock) and not show:
                dock.hide()
            self._library_dock = dock
        if show:
            self._library_dock.show()
            self._library_dock.raise_()
        return self._library_dock

    def show_library(self) -> None:
        self.library_dock()

    def search_library(self) -> None:
        from massage_trainer.ui.library_view import LibraryPanel

        panel = self.library_dock().widget()
        if isinstance(panel, LibraryPanel):
            panel.focus_search()

    def export_handout(self) -> None:
        routine = self._controller.routine
        if routine is None:
            return
        from massage_trainer.ui.handout import export_handout_dialog

        path = export_handout_dialog(self, self._controller.library, routine)
        if path is not None:
            self.statusBar().showMessage(f"Handout saved: {path}", 10000)

    def print_handout(self) -> None:
        routine = self._controller.routine
        if routine is None:
            return
        from massage_trainer.ui.handout import print_handout

        print_handout(self, self._controller.library, routine)

    def set_practice_mode(self, on: bool) -> None:
        """Trace strokes on the diagram for feedback (on), or use it as usual (off).

        Practice mode is built the first time it is switched on, not at start-up.
        """
        if self._practice is None:
            if not on:
                return
            from massage_trainer.ui.practice import PracticeMode

            self._practice = PracticeMode(
                self,
                self.diagram,
                self._controller,
                preferences=self._preferences,
                recorder=self._history_recorder,
            )
        if not self._practice.set_active(on) and self.practice_action.isChecked():
            self.practice_action.setChecked(False)

    def show_zone_quiz(self) -> None:
        """Open the zone quiz (its module loads on first use)."""
        from massage_trainer.ui.quiz import show_zone_quiz

        show_zone_quiz(self, self._controller.library, self._preferences)

    def show_routine_editor(self) -> None:
        """Open the routine editor (its module loads on first use, not at start-up)."""
        if self._routine_editor is None:
            from massage_trainer.ui.routine_editor import RoutineEditorWindow

            editor = RoutineEditorWindow(
                self._controller.library,
                preferences=self._preferences,
                settings=self._settings,
                parent=self,
            )
            editor.routines_changed.connect(self._on_routine_editor_routines_changed)
            self._routine_editor = editor
        self._routine_editor.show()
        self._routine_editor.raise_()
        self._routine_editor.activateWindow()

    def show_presenter(self) -> None:
        """Open presenter mode full screen on the chosen (or the second) screen."""
        from massage_trainer.ui.presenter import PresenterWindow

        if self._presenter is None:
            presenter = PresenterWindow(
                self._controller, self._preferences, self._settings, parent=self
            )
            presenter.status_message.connect(lambda text: self.statusBar().showMessage(text, 15000))
            self._presenter = presenter
        self._presenter.present()

    def choose_presenter_screen(self) -> None:
        """Ask which screen presenter mode uses; remembered for next time."""
        from massage_trainer.ui.presenter import ScreenChoiceDialog

        dialog = ScreenChoiceDialog(self._settings, self)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        presenter = self._presenter
        if accepted and presenter is not None and presenter.isVisible():
            presenter.present()

    def reload_library(self, library: ContentLibrary | None = None) -> None:
        """Reload the content and the user's routines, so the routine picker lists new ones.

        A routine that was changed while loaded but not started is loaded again in its
        new form; a session under way keeps the version it started with.
        """
        from massage_trainer.domain.content import ContentError, load_user_library
        from massage_trainer.domain.session import SessionState

        if library is None:
            try:
                library = load_user_library()
            except ContentError as exc:
                self.statusBar().showMessage(f"The content could not be reloaded: {exc}", 30000)
                return
        loaded = self._controller.routine
        self._controller.set_library(library)
        changed = loaded is not None and library.routines.get(loaded.id, loaded) != loaded
        if loaded is not None and changed and self._controller.state() is SessionState.READY:
            self._controller.load_routine(loaded.id)

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()
        self.full_screen_action.setChecked(self.isFullScreen())

    def _leave_full_screen(self) -> None:
        if self.isFullScreen():
            self.toggle_full_screen()

    # -- actions ----------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: Callable[..., object] | None,
        keys: Sequence[QKeySequence | QKeySequence.StandardKey | Qt.Key | str] = (),
        *,
        tip: str = "",
        checkable: bool = False,
    ) -> QAction:
        from massage_trainer.ui.widgets import window_action

        action = window_action(self, text, slot, keys, tip=tip, checkable=checkable)
        self._all_actions.append(action)
        return action

    def _create_actions(self) -> None:
        from massage_trainer.ui.controller import ADJUST_STEP_S

        self._all_actions: list[QAction] = []
        controller = self._controller
        self.start_pause_action = self._action(
            "Start / Pause", controller.toggle, [Qt.Key.Key_Space], tip="Start or pause"
        )
        self.next_action = self._action(
            "Next step",
            controller.next_step,
            [Qt.Key.Key_Right, Qt.Key.Key_PageDown],
            tip="Go to the next step",
        )
        self.previous_action = self._action(
            "Previous step",
            controller.previous_step,
            [Qt.Key.Key_Left, Qt.Key.Key_PageUp],
            tip="Go back to the previous step",
        )
        self.restart_action = self._action(
            "Restart step", controller.restart_step, [Qt.Key.Key_R], tip="Start this step over"
        )
        self.more_time_action = self._action(
            f"{ADJUST_STEP_S} seconds more",
            lambda: controller.adjust(ADJUST_STEP_S),
            [Qt.Key.Key_Plus, Qt.Key.Key_Equal],
            tip=f"Give this step {ADJUST_STEP_S} more seconds",
        )
        self.less_time_action = self._action(
            f"{ADJUST_STEP_S} seconds less",
            lambda: controller.adjust(-ADJUST_STEP_S),
            [Qt.Key.Key_Minus],
            tip=f"Take {ADJUST_STEP_S} seconds from this step",
        )
        self.auto_advance_action = self._action(
            "Move on by itself",
            controller.set_auto_advance,
            [Qt.Key.Key_A],
            tip="Start the next step when the time is up",
            checkable=True,
        )
        self.finish_action = self._action(
            "Finish session", controller.finish, tip="End the session now"
        )
        self.reset_action = self._action(
            "Start routine over", controller.reset, tip="Back to the first step, timer stopped"
        )
        self.choose_routine_action = self._action(
            "Choose routine…",
            self.choose_routine,
            ["Ctrl+O"],
            tip="Pick another routine",
        )
        self.library_action = self._action(
            "Library",
            self.show_library,
            ["Ctrl+L"],
            tip="Every technique and zone, with how-to, pressure and rules",
        )
        self.search_library_action = self._action(
            "Search the library…",
            self.search_library,
            [QKeySequence.StandardKey.Find],
            tip="Find a technique or zone by name, alias or family",
        )
        self.export_handout_action = self._action(
            "Export handout…",
            self.export_handout,
            ["Ctrl+Shift+E"],
            tip="Save this routine as a printable PDF handout",
        )
        self.print_handout_action = self._action(
            "Print handout…",
            self.print_handout,
            [QKeySequence.StandardKey.Print],
            tip="Print this routine's handout",
        )
        self.quit_action = self._action("Quit", self.close, ["Ctrl+Q"], tip="Close the app")
        self.full_screen_action = self._action(
            "Full screen", self.toggle_full_screen, [Qt.Key.Key_F11], tip="Fill the screen"
        )
        self.full_screen_action.setCheckable(True)
        self.leave_full_screen_action = self._action(
            "Leave full screen",
            self._leave_full_screen,
            [Qt.Key.Key_Escape],
            tip="Back to a normal window",
        )
        prefs = self._preferences
        self.reduced_motion_action = self._action(
            "Reduced motion",
            prefs.set_reduced_motion,
            tip="Show still arrows instead of moving ones",
            checkable=True,
        )
        self.chime_action = self._action(
            "Chimes", prefs.set_chime_enabled, tip="A soft chime at each change", checkable=True
        )
        self.speech_action = self._action(
            "Spoken cues",
            prefs.set_speech_enabled,
            tip="Read the next step aloud",
            checkable=True,
        )
        self.flash_action = self._action(
            "Flash on change",
            prefs.set_flash_enabled,
            tip="Flash the timer at each change",
            checkable=True,
        )
        self.reduced_motion_action.setChecked(prefs.reduced_motion)
        self.chime_action.setChecked(prefs.chime_enabled)
        self.speech_action.setChecked(prefs.speech_enabled)
        self.flash_action.setChecked(prefs.flash_enabled)
        self.shortcuts_action = self._action(
            "Keyboard shortcuts",
            self._show_shortcuts,
            [QKeySequence.StandardKey.HelpContents],
            tip="List the keyboard shortcuts",
        )
        self.guide_action = self._action(
            "Getting started",
            self.show_getting_started,
            tip="A short guide: the window, a safe start, and where the other tools are",
        )
        self.about_action = self._action(f"About {APP_TITLE}", self._show_about)
        self.routine_editor_action = self._action(
            "Routine editor…",
            self.show_routine_editor,
            ["Ctrl+E"],
            tip="Write, check and share your own routines",
        )
        self.presenter_action = self._action(
            "Presenter mode",
            self.show_presenter,
            [Qt.Key.Key_F5],
            tip="Show the session full screen for a class (on a second screen if there is one)",
        )
        self.presenter_screen_action = self._action(
            "Presenter screen…",
            self.choose_presenter_screen,
            tip="Choose the screen presenter mode uses",
        )
        self.progress_action = self._action(
            "Progress…",
            self.show_progress,
            ["Ctrl+H"],
            tip="Past sessions, time practised, streaks and scores",
        )
        self.export_history_action = self._action(
            "Export CSV…",
            self.export_history,
            tip="Save the practice history as a spreadsheet file",
        )
        flow = self.safety_flow
        self.pain_action = self._action(
            "Partner reports pain",
            lambda: controller.report_pain(),
            [Qt.Key.Key_P],
            tip="Pause at once and see what to do when it hurts",
        )
        self.zone_rules_action = self._action(
            "Zone rules…",
            flow.show_zone_rules,
            tip="Every area of the back: where to work, how hard, and where never to press",
        )
        self.checklist_action = self._action(
            "Preparation checklist…",
            flow.show_checklist,
            tip="What to prepare before a session on a partner",
        )
        self.review_screening_action = self._action(
            "Review screening…",
            flow.review_screening,
            tip="The last answers to the health questions",
        )
        self.practice_action = self._action(
            "Practice mode",
            self.set_practice_mode,
            [Qt.Key.Key_T],
            tip="Trace the step's stroke on the diagram (mouse, touch or pen) and get a score",
            checkable=True,
        )
        self.zone_quiz_action = self._action(
            "Zone quiz…",
            self.show_zone_quiz,
            ["Ctrl+Shift+Q"],
            tip="Questions on where to work, where never to press and how hard",
        )

    def _create_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.export_handout_action, self.print_handout_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        session = bar.addMenu("&Session")
        session.addActions(
            [
                self.start_pause_action,
                self.previous_action,
                self.next_action,
                self.restart_action,
                self.more_time_action,
                self.less_time_action,
                self.auto_advance_action,
            ]
        )
        session.addSeparator()
        session.addActions([self.finish_action, self.reset_action])
        session.addSeparator()
        session.addAction(self.choose_routine_action)
        safety = bar.addMenu("S&afety")
        safety.addAction(self.pain_action)
        safety.addSeparator()
        safety.addActions(
            [self.zone_rules_action, self.checklist_action, self.review_screening_action]
        )
        view = bar.addMenu("&View")
        view.addActions([self.library_action, self.search_library_action])
        view.addSeparator()
        view.addActions([self.full_screen_action, self.leave_full_screen_action])
        view.addSeparator()
        view.addActions(
            [self.reduced_motion_action, self.chime_action, self.speech_action, self.flash_action]
        )
        practice = bar.addMenu("&Practice")
        practice.addActions([self.practice_action, self.zone_quiz_action])
        instructor = bar.addMenu("&Instructor")
        instructor.addActions(
            [self.routine_editor_action, self.presenter_action, self.presenter_screen_action]
        )
        history = bar.addMenu("Histor&y")
        history.addActions([self.progress_action, self.export_history_action])
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.guide_action, self.shortcuts_action, self.about_action])

    def _create_toolbar(self) -> None:
        toolbar = QToolBar("Session")
        toolbar.setObjectName("sessionToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.setAccessibleName("Session toolbar")
        toolbar.addActions(
            [
                self.choose_routine_action,
                self.previous_action,
                self.start_pause_action,
                self.next_action,
                self.restart_action,
            ]
        )
        toolbar.addSeparator()
        toolbar.addAction(self.full_screen_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar
        # Toolbar buttons never take the focus: keys stay with the session shortcuts.
        # Found as QToolButtons, not via widgetForAction(): a plain QWidget result makes
        # PySide build the types of every QWidget subclass first (about 5 ms at start-up).
        actions = set(toolbar.actions())
        for button in toolbar.findChildren(QToolButton):
            action = button.defaultAction()
            if action is not None and action in actions:
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                button.setAccessibleName(action_label(action))

    def _set_tab_order(self) -> None:
        panel = self.timer_panel
        chain: list[QWidget] = [
            self.step_list,
            panel.start_button,
            panel.previous_button,
            panel.next_button,
            panel.restart_button,
            panel.less_button,
            panel.more_button,
            panel.auto_advance_box,
            panel.pain_button,
        ]
        if self.diagram.focusPolicy() != Qt.FocusPolicy.NoFocus:
            chain.append(self.diagram)
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # -- slots ------------------------------------------------------------------------

    def _update_title(self) -> None:
        routine = self._controller.routine
        parts = [routine.title] if routine is not None else []
        if self._controller.dry_run:
            parts.append("Dry run")
        self.setWindowTitle(" — ".join([*parts, APP_TITLE]))

    def _on_controller_mode_changed(self, _mode: str = "") -> None:
        from massage_trainer.ui.timer_panel import DRY_RUN_TEXT

        self._update_title()
        dry_run = self._controller.dry_run
        # Short: the timer panel's banner says it in full, and the bar needs its room
        # for notices.
        self._mode_label.setText("Dry run" if dry_run else "")
        self._mode_label.setToolTip(DRY_RUN_TEXT if dry_run else "")
        self._mode_label.setVisible(dry_run)
        self._update_pain_action()

    def _update_pain_action(self) -> None:
        from massage_trainer.domain.session import SessionState

        controller = self._controller
        in_session = controller.state() in (SessionState.RUNNING, SessionState.PAUSED)
        self.pain_action.setEnabled(in_session and not controller.dry_run)

    def _on_controller_routine_changed(self) -> None:
        from massage_trainer.ui.controller import minutes_text

        routine = self._controller.routine
        self._update_title()
        if routine is None:
            self._routine_label.setText("No routine")
            return
        self._routine_label.setText(f"{routine.title}  ·  {minutes_text(routine.total_seconds)}")
        self._routine_label.setToolTip(
            QtGui.Qt.convertFromPlainText(f"{len(routine.steps)} steps. {routine.summary}")
        )
        self._settings.setValue(_KEY_ROUTINE, routine.id)

    def _on_controller_state_changed(self, state: str) -> None:
        from massage_trainer.domain.session import SessionState

        self._update_pain_action()
        running = state == SessionState.RUNNING.value
        self.start_pause_action.setText("Pause" if running else "Start")
        self.start_pause_action.setToolTip("Pause the session" if running else "Start the session")
        if state == SessionState.FINISHED.value:
            message = (
                "Dry run complete."
                if self._controller.dry_run
                else "Routine complete. Cover your partner and let them rest for 15 minutes."
            )
            self.statusBar().showMessage(message, 15000)

    def _on_controller_auto_advance_changed(self, on: bool) -> None:
        if self.auto_advance_action.isChecked() != on:
            self.auto_advance_action.setChecked(on)
        self._settings.setValue(_KEY_AUTO_ADVANCE, on)

    def _on_controller_zone_selected(self, zone_id: str) -> None:
        # The first zone click builds the library, which opens on the selected zone and
        # follows later clicks itself; a library the user has closed stays closed.
        if zone_id and self._library_dock is None:
            self.library_dock()

    def _on_routine_editor_routines_changed(self, _routine_id: str) -> None:
        self.reload_library()

    def _on_history_recorder_notice(self, message: str) -> None:
        self._notify(message, 30000)
        self._update_history_label()

    def _update_history_label(self) -> None:
        """A lasting mark in the status bar while practice is not being saved (the
        notice saying why goes after 30 seconds; the mark's tooltip keeps it)."""
        store = self._history_recorder.store
        text = HISTORY_MARKS.get(store.status, "")
        self._history_label.setText(text)
        self._history_label.setToolTip(store.message if text else "")
        self._history_label.setVisible(bool(text))

    def _on_cue_player_unavailable(self, message: str) -> None:
        # Each missing feature is reported once; keep earlier reports in view too, and
        # never push aside a notice still waiting its turn.
        shown = self._cue_notice
        self._cue_problems.append(message)
        self._cue_notice = "  ".join(self._cue_problems) + "  Visual cues go on."
        if shown and self.statusBar().currentMessage() == shown:
            self.statusBar().showMessage(self._cue_notice, 30000)
        else:
            self._notify(self._cue_notice, 30000)
        # A full-screen presenter hides the status bar: the instructor reads it there.
        presenter = self._presenter
        if presenter is not None and presenter.isVisible():
            presenter.show_note(f"{message}  Visual cues go on.")

    def show_getting_started(self) -> QDialog:
        """Open (or raise) the getting-started guide; it does not block the window."""
        if self._guide is None:
            from massage_trainer.ui.welcome import GettingStartedDialog

            guide = GettingStartedDialog(self)
            guide.destroyed.connect(self._forget_guide)
            self._guide = guide
        self._guide.show()
        self._guide.raise_()
        self._guide.activateWindow()
        return self._guide

    def _forget_guide(self) -> None:
        self._guide = None

    def welcome_if_new(self) -> bool:
        """At the very first start, open the getting-started guide (once, ever)."""
        if str(self._settings.value(WELCOMED_KEY, "false")).lower() in {"true", "1"}:
            return False
        self._settings.setValue(WELCOMED_KEY, True)
        self.show_getting_started()
        return True

    def _show_shortcuts(self) -> None:
        dialog = self.shortcuts_dialog()
        dialog.exec()
        dialog.deleteLater()

    def _show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_TITLE}",
            f"<h3>{APP_TITLE} {__version__}</h3>"
            "<p>A practice trainer for back massage: where to work, where never to press, "
            "how hard, which way and for how long.</p>"
            "<p>It teaches relaxing massage between partners. It is not medical advice: "
            "with pain, illness, injury or pregnancy, ask a doctor first.</p>"
            "<p>Everything works offline; nothing is ever sent anywhere.</p>",
        )

    # -- settings ---------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self._settings.value(_KEY_GEOMETRY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
            return
        resize_to_fit(self, *DEFAULT_SIZE)  # first start

    def _restore_settings(self) -> None:
        settings = self._settings
        state = settings.value(_KEY_STATE)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        splitter = settings.value(_KEY_SPLITTER)
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        auto_advance = settings.value(_KEY_AUTO_ADVANCE)
        if auto_advance is not None:
            on = str(auto_advance).lower() in {"true", "1"}
            self._controller.set_auto_advance(on)
        else:
            snapshot = self._controller.snapshot()
            self.auto_advance_action.setChecked(snapshot is None or snapshot.auto_advance)
        # The routine used last was loaded with the controller (see populate), if it is
        # still there.
        routine_id = settings.value(_KEY_ROUTINE)
        if routine_id and routine_id not in self._controller.library.routines:
            self._notify(f"The routine you used last ({routine_id}) is no longer available.", 15000)

    def _announce_pending_drafts(self) -> None:
        """Say so when the routine editor left unsaved work behind (after a crash): the
        editor offers it back when it opens."""
        from massage_trainer.domain.paths import DRAFTS_FOLDER, user_data_dir

        try:
            if not any((user_data_dir() / DRAFTS_FOLDER).glob("*.json")):
                return  # the usual case, without loading the routine store
            from massage_trainer.domain.routine_store import RoutineStore

            drafts = RoutineStore().pending_drafts()
        except OSError:
            return
        if not drafts:
            return
        titles = " and ".join(f"“{draft.routine.title}”" for draft in drafts[:2])
        more = f" and {len(drafts) - 2} more" if len(drafts) > 2 else ""
        text = (
            f"Unsaved work on {titles}{more} is kept as a draft: "
            "Instructor → Routine editor… (Ctrl+E) offers it back."
        )
        self._notify(text, 30000)

    def _notify(self, text: str, timeout_ms: int) -> None:
        """Show a notice in the status bar now, or after the message on show and the
        notices already waiting have gone: the bar has room for one line, and notices
        that replace each other at start-up would never be read."""
        if self.statusBar().currentMessage() or self._notices:
            self._notices.append((text, timeout_ms))
        else:
            self.statusBar().showMessage(text, timeout_ms)

    def _on_status_bar_message_changed(self, message: str) -> None:
        if not message and self._notices:
            self.statusBar().showMessage(*self._notices.pop(0))
            return
        # A notice longer than the bar is cut off at its edge: hovering shows it whole.
        self.statusBar().setToolTip(message)

    def _report_load_problems(self) -> None:
        problems = self._controller.library.problems
        if not problems:
            return
        count = len(problems)
        noun = "routine file was" if count == 1 else "routine files were"
        self._notify(
            f"{count} {noun} not loaded: " + "; ".join(p.message for p in problems[:2]), 30000
        )

    def save_settings(self) -> None:
        """Store the window geometry, toolbar state and splitter sizes."""
        self._settings.setValue(_KEY_GEOMETRY, self.saveGeometry())
        if not self._populated:  # closed while opening: only the geometry is there yet
            self._settings.sync()
            return
        self._settings.setValue(_KEY_STATE, self.saveState())
        self._settings.setValue(_KEY_SPLITTER, self.splitter.saveState())
        self._settings.sync()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            # Take the keyboard at once, so Space works before anyone clicks.
            self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._populated:
            self.save_settings()
            super().closeEvent(event)
            return
        # The editor asks about unsaved changes first; Cancel there keeps the app open.
        editor = self._routine_editor
        if editor is not None and editor.isVisible() and not editor.close():
            event.ignore()
            return
        if self._presenter is not None:
            self._presenter.close()
        self.save_settings()
        self._controller.pause()
        if self._practice is not None:
            self._practice.set_active(False)  # records the step's practice score
        self._history_recorder.close_session()
        super().closeEvent(event)
