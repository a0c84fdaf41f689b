"""The Progress window: session table, filter, totals, detail, charts and CSV export."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.history import SCHEMA_VERSION, HistoryStore, StoreStatus
from massage_trainer.domain.screening import SessionMode
from massage_trainer.domain.session import FakeClock, SessionEngine
from massage_trainer.ui.controller import GET_READY_S, SessionController
from massage_trainer.ui.history_recorder import SessionRecorder, show_progress_window
from massage_trainer.ui.progress_view import (
    ProgressWindow,
    SessionTableModel,
    date_text,
    duration_text,
)

ROUTINE = "classic-home"
OTHER = "lower-back-relief"


class WallClock:
    def __init__(self) -> None:
        today = datetime.now().astimezone().replace(hour=19, minute=0, second=0, microsecond=0)
        self.moment = today - timedelta(days=3)

    def __call__(self) -> datetime:
        return self.moment


def record(
    store: HistoryStore,
    wall: WallClock,
    routine_id: str,
    library: ContentLibrary,
    seconds: float,
    *,
    scores: tuple[float, ...] = (),
    pain: bool = False,
    mode: SessionMode = SessionMode.PARTNER,
) -> int:
    """A finished session of ``seconds`` practice, with scores and pain reports if asked."""
    routine = library.routines[routine_id]
    clock = FakeClock()
    engine = SessionEngine([float(s.duration_s) for s in routine.steps], clock, get_ready_s=0.0)
    session_id = store.begin_session(routine, mode)
    assert session_id is not None
    engine.start()
    clock.advance(seconds)
    engine.update()
    for score in scores:
        store.record_score(routine.steps[0].technique, score, session_id=session_id, step_index=0)
    if pain:
        store.record_pain(session_id, engine.index, note="sore")
    engine.finish()
    store.finish_session(session_id, engine.snapshot(), engine.records())
    return session_id


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def store(tmp_path: Path, wall: WallClock, library: ContentLibrary) -> Iterator[HistoryStore]:
    opened = HistoryStore(tmp_path / "history.sqlite3", now=wall)
    record(opened, wall, ROUTINE, library, 600.0, scores=(40.0, 60.0))
    wall.moment += timedelta(days=1)
    record(opened, wall, OTHER, library, 120.0, pain=True, mode=SessionMode.DRY_RUN)
    wall.moment += timedelta(days=1)
    record(opened, wall, ROUTINE, library, 900.0, scores=(80.0,))
    yield opened
    opened.close()


@pytest.fixture
def window(qtbot: Any, store: HistoryStore, library: ContentLibrary) -> ProgressWindow:
    view = ProgressWindow(store, library)
    qtbot.addWidget(view)
    return view


def column_texts(window: ProgressWindow, column: int) -> list[str]:
    proxy = window.proxy
    return [str(proxy.index(row, column).data()) for row in range(proxy.rowCount())]


def test_the_table_lists_sessions_newest_first(window: ProgressWindow, store: HistoryStore) -> None:
    ids = [row.id for row in store.sessions()]
    assert window.visible_sessions() == ids
    assert column_texts(window, SessionTableModel.ROUTINE) == [
        "Classic home back massage",
        "Lower-back relief",
        "Classic home back massage",
    ]
    assert column_texts(window, SessionTableModel.PRACTISED) == ["15:00", "2:00", "10:00"]
    assert column_texts(window, SessionTableModel.MODE) == ["Partner", "Dry run", "Partner"]
    assert column_texts(window, SessionTableModel.PAIN) == ["–", "1", "–"]
    assert column_texts(window, SessionTableModel.SCORE) == ["80", "–", "50"]
    assert column_texts(window, SessionTableModel.OUTCOME) == ["Finished"] * 3


def test_sorting_uses_the_real_values(window: ProgressWindow) -> None:
    window.table.sortByColumn(SessionTableModel.PRACTISED, Qt.SortOrder.AscendingOrder)
    # "10:00" sorts after "2:00" as time, not as text.
    assert column_texts(window, SessionTableModel.PRACTISED) == ["2:00", "10:00", "15:00"]
    window.table.sortByColumn(SessionTableModel.DATE, Qt.SortOrder.AscendingOrder)
    assert column_texts(window, SessionTableModel.PRACTISED) == ["10:00", "2:00", "15:00"]


def test_filtering_by_routine_narrows_the_table_and_the_totals(window: ProgressWindow) -> None:
    assert window.routine_filter.count() == 3  # all, and the two routines practised
    assert window.sessions_tile.value_label.text() == "3"
    window.set_routine(OTHER)
    assert column_texts(window, SessionTableModel.ROUTINE) == ["Lower-back relief"]
    assert window.sessions_tile.value_label.text() == "1"
    assert window.time_tile.value_label.text() == "2 min"
    window.set_routine(None)
    assert window.proxy.rowCount() == 3


def test_totals_and_streaks_are_shown(window: ProgressWindow) -> None:
    assert window.time_tile.value_label.text() == "27 min"
    assert window.days_tile.value_label.text() == "3"
    # Practised three days running, up to yesterday: the streak is still alive.
    assert window.streak_tile.value_label.text() == "3 days"
    assert window.longest_tile.value_label.text() == "3 days"


def test_selecting_a_session_shows_its_detail(
    window: ProgressWindow, store: HistoryStore, library: ContentLibrary
) -> None:
    newest = store.sessions()[0]
    assert window.selected_session_id() == newest.id  # the newest is selected at first
    window.table.selectRow(1)
    detail = window.detail
    assert detail.title_label.text() == "Lower-back relief"
    routine = library.routines[OTHER]
    assert detail.steps_table.rowCount() == len(routine.steps)
    first_technique = library.techniques[routine.steps[0].technique].name
    item = detail.steps_table.item(0, 1)
    assert item is not None
    assert item.text() == first_technique
    assert "Dry run" in detail.facts_label.text()
    assert "Pain reported" in detail.events_label.text()


def test_the_window_opens_on_the_session_list_so_arrow_keys_browse_sessions(
    qtbot: Any, store: HistoryStore, library: ContentLibrary
) -> None:
    controller = SessionController(library, FakeClock(), get_ready_s=0.0)
    window = show_progress_window(None, SessionRecorder(controller, store))
    qtbot.addWidget(window)
    assert isinstance(window, ProgressWindow)
    focused = window.focusWidget()
    assert focused is window.table
    newest, older = store.sessions()[:2]
    assert window.selected_session_id() == newest.id
    qtbot.keyClick(focused, Qt.Key.Key_Down)
    assert window.selected_session_id() == older.id
    assert window.detail.title_label.text() == older.routine_title


def test_charts_show_time_per_technique_and_scores(
    window: ProgressWindow, store: HistoryStore, library: ContentLibrary
) -> None:
    from PySide6.QtCharts import QBarSeries, QHorizontalBarSeries, QLineSeries, QScatterSeries

    assert window.technique_panel.showing_chart
    chart = window.technique_panel.view.chart()
    bars = [s for s in chart.series() if isinstance(s, QHorizontalBarSeries | QBarSeries)][0]
    values = [bars.barSets()[0].at(i) for i in range(bars.barSets()[0].count())]
    expected = [round(item.seconds / 60, 1) for item in store.practice_time_by_technique()]
    assert values == list(reversed(expected))  # the most practised at the top
    assert chart.title().startswith("Practice time per technique")

    assert window.scores_panel.showing_chart
    series = window.scores_panel.view.chart().series()
    dots = next(s for s in series if isinstance(s, QScatterSeries))
    daily = next(s for s in series if isinstance(s, QLineSeries))
    assert sorted(p.y() for p in dots.points()) == [40.0, 60.0, 80.0]
    assert [p.y() for p in daily.points()] == [50.0, 80.0]  # one average per day


def test_a_session_that_ended_on_a_later_day_shows_both_dates(
    qtbot: Any, tmp_path: Path, library: ContentLibrary
) -> None:
    wall = WallClock()
    wall.moment = wall.moment.replace(hour=23, minute=39)
    started = wall.moment
    store = HistoryStore(tmp_path / "history.sqlite3", now=wall)
    evening = record(store, wall, OTHER, library, 60.0)  # over the same evening
    # Started late, the app crashed, and it was resumed and finished the next morning.
    routine = library.routines[OTHER]
    clock = FakeClock()
    engine = SessionEngine([float(s.duration_s) for s in routine.steps], clock, get_ready_s=0.0)
    overnight = store.begin_session(routine, SessionMode.PARTNER)
    assert overnight is not None
    engine.start()
    clock.advance(60.0)
    engine.update()
    store.checkpoint(overnight, engine.snapshot(), engine.records())
    wall.moment = started.replace(hour=9, minute=30) + timedelta(days=1)
    store.reopen_session(overnight)
    engine.finish()
    store.finish_session(overnight, engine.snapshot(), engine.records())
    view = ProgressWindow(store, library)
    qtbot.addWidget(view)

    def first_line(session_id: int) -> str:
        view._select_session(session_id)
        return view.detail.facts_label.text().splitlines()[0]

    end = wall.moment
    year = "" if end.year == datetime.now().year else f" {end.year}"
    assert first_line(overnight) == (
        f"{date_text(started)} – {end:%a} {end.day} {end:%b}{year}, 09:30"
    )
    assert first_line(evening) == f"{date_text(started)}–23:39"  # one day: the time only
    store.close()


def test_an_empty_history_explains_the_empty_charts(
    qtbot: Any, tmp_path: Path, library: ContentLibrary
) -> None:
    store = HistoryStore(tmp_path / "empty.sqlite3")
    view = ProgressWindow(store, library)
    qtbot.addWidget(view)
    assert view.proxy.rowCount() == 0
    assert not view.technique_panel.showing_chart
    assert "No practice time yet" in view.technique_panel.empty_label.text()
    assert "No practice scores yet" in view.scores_panel.empty_label.text()
    # Not "pick a session in the list": the list is empty, and says how it fills in.
    assert view.detail.title_label.text() == "No sessions yet"
    assert "Practise a routine" in view.detail.facts_label.text()
    assert view.banner.isHidden()
    store.close()


def test_with_the_history_off_the_empty_charts_say_nothing_is_recorded_and_why(
    qtbot: Any, tmp_path: Path, library: ContentLibrary
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    store = HistoryStore(blocker / "history.sqlite3")  # its folder cannot be created
    assert store.status is StoreStatus.UNAVAILABLE
    view = ProgressWindow(store, library)
    qtbot.addWidget(view)
    assert view.detail.title_label.text() == "No sessions yet"
    assert "nothing is being recorded" in view.detail.facts_label.text()
    panels = ((view.technique_panel, "practice time"), (view.scores_panel, "practice scores"))
    for panel, what in panels:
        text = panel.empty_label.text()
        assert not panel.showing_chart
        assert "yet" not in text  # it will not fill in
        assert text.startswith(f"No {what} to show")
        assert "nothing is being recorded" in text
        assert "could not be opened (the note at the top says why)" in text
    assert not view.banner.isHidden()
    assert "cannot be created" in view.banner.text()


def test_a_read_only_history_says_nothing_new_is_recorded_under_empty_charts(
    qtbot: Any, tmp_path: Path, library: ContentLibrary
) -> None:
    path = tmp_path / "history.sqlite3"
    HistoryStore(path).close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    store = HistoryStore(path)  # saved by a newer version: shown, never written
    assert store.status is StoreStatus.READ_ONLY
    view = ProgressWindow(store, library)
    qtbot.addWidget(view)
    text = view.technique_panel.empty_label.text()
    assert "yet" not in text
    assert "nothing new is being recorded" in text
    assert "can be read but not written to" in text
    store.close()


def test_export_button_writes_the_csv(
    window: ProgressWindow,
    library: ContentLibrary,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "mine"
    monkeypatch.setattr(
        "massage_trainer.ui.history_recorder.QFileDialog.getSaveFileName",
        lambda *_args, **_kwargs: (str(target), "CSV files (*.csv)"),
    )
    window.export_button.click()
    written = target.with_suffix(".csv")
    with written.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["routine_id"] for row in rows} == {ROUTINE, OTHER}
    # The window's content library names each step's technique and zones for people.
    for row in rows:
        assert row["technique"] == library.techniques[row["technique_id"]].name
        assert row["zone_names"] == "; ".join(library.zones[z].name for z in row["zones"].split())
    assert window.export_status.text() == "Saved to mine.csv"


def mnemonic(text: str) -> str | None:
    """The letter after a single '&' in a label ("&&" is a literal ampersand)."""
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].casefold() if 0 <= at < len(plain) - 1 else None


def test_export_csv_has_its_own_alt_key(
    qtbot: Any, window: ProgressWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLabel

    texts = [b.text() for b in window.findChildren(QAbstractButton)]
    texts += [label.text() for label in window.findChildren(QLabel) if label.buddy()]
    texts += [window.tabs.tabText(i) for i in range(window.tabs.count())]
    letters = [m for m in map(mnemonic, texts) if m is not None]
    assert mnemonic(window.export_button.text()) == "e"
    assert len(letters) == len(set(letters)), letters  # no two share a letter
    asked: list[bool] = []

    def cancelled_save_dialog(*_args: object, **_kwargs: object) -> tuple[str, str]:
        asked.append(True)
        return "", ""

    monkeypatch.setattr(
        "massage_trainer.ui.history_recorder.QFileDialog.getSaveFileName", cancelled_save_dialog
    )
    window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    assert window.export_button.isDown()  # a mnemonic shows the press, then clicks
    qtbot.waitUntil(lambda: asked == [True])  # Alt+E asked where to save


def test_a_newer_history_is_shown_with_a_notice(
    qtbot: Any, store: HistoryStore, library: ContentLibrary
) -> None:
    path = store.path
    store.close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    newer = HistoryStore(path)
    view = ProgressWindow(newer, library)
    qtbot.addWidget(view)
    assert not view.banner.isHidden()
    assert "newer version" in view.banner.text()
    assert view.proxy.rowCount() == 3
    newer.close()


def test_the_window_follows_sessions_as_they_are_recorded(
    qtbot: Any, store: HistoryStore, library: ContentLibrary
) -> None:
    controller = SessionController(library, FakeClock(), get_ready_s=0.0)
    controller.load_routine(OTHER)
    recorder = SessionRecorder(controller, store)
    window = show_progress_window(None, recorder)
    qtbot.addWidget(window)
    assert isinstance(window, ProgressWindow)
    assert show_progress_window(None, recorder) is window  # one window, raised again
    controller.start()
    controller.finish()
    assert window.proxy.rowCount() == 4


def test_duration_text() -> None:
    assert duration_text(42) == "42 s"
    assert duration_text(600) == "10 min"
    assert duration_text(3900) == "1 h 05 min"


def test_dates_in_the_table_are_local_and_short() -> None:
    from massage_trainer.ui.progress_view import date_text

    moment = datetime(2025, 3, 10, 19, 5, tzinfo=UTC)
    assert date_text(moment, this_year=2025) == "Mon 10 Mar, 19:05"
    assert date_text(moment, this_year=2026) == "Mon 10 Mar 2025, 19:05"


# -- wiring into the main window ----------------------------------------------------------


def test_the_main_window_records_sessions_and_opens_progress_with_ctrl_h(
    qtbot: Any, library: ContentLibrary, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings

    from massage_trainer.domain.history import RunState
    from massage_trainer.ui.main_window import MainWindow, action_label

    clock = FakeClock()
    store = HistoryStore(tmp_path / "window-history.sqlite3")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(
        library, clock=clock, settings=settings, speech_engine="mock", history=store
    )
    qtbot.addWidget(window)
    menus = [action.text() for action in window.menuBar().actions()]
    assert "Histor&y" in menus
    assert menus.index("Histor&y") < menus.index("&Help")
    assert window.progress_action.shortcut().toString() == "Ctrl+H"
    assert "Progress" in [action_label(a) for a in window.session_actions()]

    window.controller.load_routine(OTHER)
    window.controller.set_mode("dry-run")  # no safety dialogs before the start
    window.controller.start()
    clock.advance(30.0)
    window.controller.tick()
    window.progress_action.trigger()
    progress = window.history_recorder._progress_window
    assert isinstance(progress, ProgressWindow)
    assert progress.isVisible()
    assert progress.proxy.rowCount() == 1

    window.close()  # mid-session: kept as stopped, not offered for resume next time
    row = store.sessions()[0]
    assert row.state is RunState.STOPPED
    assert row.actual_s == pytest.approx(30.0 - GET_READY_S)  # the countdown is not practice
    store.close()


def test_start_up_loads_neither_the_progress_view_nor_qtcharts(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from massage_trainer.domain.content import load_library\n"
        "from massage_trainer.ui.main_window import MainWindow\n"
        "window = MainWindow(load_library())\n"
        "window.show()\n"
        "app.processEvents()\n"
        "print(sorted(m for m in sys.modules if 'QtCharts' in m or 'progress_view' in m))\n"
        "window.show_progress()\n"
        "print('PySide6.QtCharts' in sys.modules)\n"
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "MASSAGE_TRAINER_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "True"]
