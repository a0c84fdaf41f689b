"""How the app starts: the window paints at once, then fills itself in.

``app.start()`` is what the ``massage-trainer`` command runs before the event loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QSplitter, QWidget

from massage_trainer import app
from massage_trainer.domain.content import ContentError, ContentLibrary
from massage_trainer.domain.history import HistoryStore, StoreStatus
from massage_trainer.domain.paths import DATA_DIR_ENV
from massage_trainer.domain.screening import SessionMode
from massage_trainer.domain.session import FakeClock, SessionEngine, SessionState
from massage_trainer.ui import history_recorder, main_window
from massage_trainer.ui.controller import SessionController
from massage_trainer.ui.main_window import WELCOMED_KEY, MainWindow


@pytest.fixture(autouse=True)
def _settings_in_tmp(tmp_path: Path) -> Iterator[None]:
    """The started window uses the default QSettings: point them at a throwaway folder."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    # A returning user: the first-start guide would open a window over later tests.
    # (The window's settings are the default QSettings(), as in the app.)
    QSettings().setValue(WELCOMED_KEY, True)
    yield
    QSettings.setDefaultFormat(QSettings.Format.NativeFormat)


@pytest.fixture
def exits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Exit codes the start-up asked the event loop for (the tests run no event loop)."""
    codes: list[int] = []
    monkeypatch.setattr(QApplication, "exit", lambda code=0: codes.append(code))
    return codes


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every routine loaded into a session (a new engine for it), in order."""
    seen: list[str] = []
    load = SessionController._load

    def counted(controller: SessionController, routine_id: str, **kwargs: Any) -> None:
        seen.append(routine_id)
        load(controller, routine_id, **kwargs)

    monkeypatch.setattr(SessionController, "_load", counted)
    return seen


def _started(qtbot: Any, routine_id: str | None = None) -> MainWindow:
    window = app.start((), routine_id)
    qtbot.addWidget(window)
    return window


def test_the_window_paints_at_once_then_fills_itself_in(qtbot: Any) -> None:
    window = _started(qtbot)
    assert window.isVisible()
    assert not window.populated
    opening = window.centralWidget()
    assert isinstance(opening, main_window._OpeningView)
    assert "Opening the routines" in opening.accessibleName()
    with qtbot.waitSignal(window.first_painted, timeout=5000):
        pass
    qtbot.waitUntil(lambda: window.populated, timeout=5000)
    assert isinstance(window.centralWidget(), QSplitter)
    assert window.controller.routine is not None
    assert window.step_list.model().rowCount() == len(window.controller.routine.steps)
    assert window.windowTitle().endswith("Massage Trainer")


def test_the_first_start_opens_the_getting_started_guide_beside_the_window(
    qtbot: Any,
) -> None:
    QSettings().remove(WELCOMED_KEY)  # a first start
    window = _started(qtbot)
    qtbot.waitUntil(lambda: window.populated and window._guide is not None, timeout=5000)
    guide = window._guide
    assert guide is not None
    assert guide.isVisible()
    assert not guide.isModal()
    guide.close()


def test_a_routine_named_on_the_command_line_is_opened(qtbot: Any) -> None:
    window = _started(qtbot, "lower-back-relief")
    qtbot.waitUntil(lambda: window.populated, timeout=5000)
    routine = window.controller.routine
    assert routine is not None
    assert routine.id == "lower-back-relief"


@pytest.mark.parametrize(
    ("remembered", "named", "shown"),
    [
        (None, None, None),  # the very first start: the library's first routine
        ("lower-back-relief", None, "lower-back-relief"),
        ("lower-back-relief", "classic-home", "classic-home"),
        ("classic-home", "classic-home", "classic-home"),
        ("no-longer-there", "classic-home", "classic-home"),
    ],
)
def test_the_routine_shown_at_start_is_loaded_into_the_session_once(
    qtbot: Any, loads: list[str], remembered: str | None, named: str | None, shown: str | None
) -> None:
    # It used to be loaded up to three times: the library's first routine when the
    # controller was built, then the one used last, then the one named on the command line.
    if remembered is not None:
        QSettings().setValue(main_window._KEY_ROUTINE, remembered)
    window = _started(qtbot, named)
    qtbot.waitUntil(lambda: window.populated, timeout=5000)
    controller = window.controller
    shown = shown or next(iter(controller.library.routines))
    assert loads == [shown]
    assert controller.routine is not None
    assert controller.routine.id == shown
    assert window.step_list.model().rowCount() == len(controller.routine.steps)
    assert controller.state() is SessionState.READY
    assert not controller.mode_chosen
    assert QSettings().value(main_window._KEY_ROUTINE) == shown  # for the next start
    if remembered == "no-longer-there":  # still said, though another routine was named
        assert "(no-longer-there) is no longer available" in window.statusBar().currentMessage()


def test_a_crashed_session_of_the_routine_used_last_resumes_with_one_load(
    qtbot: Any, loads: list[str], library: ContentLibrary
) -> None:
    routine = library.routines["lower-back-relief"]
    clock = FakeClock(0.0)
    engine = SessionEngine([float(s.duration_s) for s in routine.steps], clock, get_ready_s=0.0)
    store = HistoryStore()  # the user's: in this test's own data folder
    session_id = store.begin_session(routine, SessionMode.DRY_RUN)
    assert session_id is not None
    engine.start()
    clock.advance(routine.steps[0].duration_s + 20.0)
    engine.update()
    store.checkpoint(session_id, engine.snapshot(), engine.records())
    store.close()  # and the app "crashed": the session is still running in the file
    QSettings().setValue(main_window._KEY_ROUTINE, routine.id)
    answered: list[str] = []

    def resume(tries: int = 500) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            answered.append(box.windowTitle())
            next(b for b in box.buttons() if b.text().startswith("Resume")).click()
        elif tries:
            QTimer.singleShot(10, lambda: resume(tries - 1))

    QTimer.singleShot(0, resume)
    window = _started(qtbot)
    qtbot.waitUntil(lambda: window.populated and bool(answered), timeout=5000)
    qtbot.waitUntil(lambda: window.controller.state() is SessionState.PAUSED, timeout=5000)

    assert answered == ["Resume the last session?"]
    assert loads == [routine.id]  # no second load of the same routine to resume it
    controller = window.controller
    assert controller.current_index == 1
    assert controller.remaining_seconds() == routine.steps[1].duration_s - 20
    assert controller.dry_run
    assert window.history_recorder.session_id == session_id
    assert window.step_list.model().rowCount() == len(routine.steps)


def test_a_screenshot_of_a_named_routine_loads_it_once(
    tmp_path: Path, loads: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert app.screenshot(tmp_path / "shot.png", "classic-home", 3, "800x600") == 0
    assert loads == ["classic-home"]
    with pytest.raises(SystemExit, match="no routine 'no-such-routine'"):
        app.screenshot(tmp_path / "other.png", "no-such-routine", None, "800x600")
    assert loads == ["classic-home"]
    assert not (tmp_path / "other.png").exists()


def test_an_unknown_routine_ends_the_start_naming_the_known_ones(
    qtbot: Any,
    exits: list[int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    window = _started(qtbot, "no-such-routine")
    qtbot.waitUntil(lambda: exits == [1], timeout=5000)
    assert not window.populated
    error = capsys.readouterr().err
    assert "no routine 'no-such-routine'" in error
    assert "lower-back-relief" in error
    # Started from a launcher, there is no terminal: the window says it too.
    assert len(shown) == 1
    assert "no routine 'no-such-routine'" in shown[0]


def test_content_that_cannot_load_is_explained_and_ends_with_1(
    qtbot: Any, exits: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise ContentError("zones.json: line 3: expected a list of zones")

    shown: list[str] = []
    monkeypatch.setattr(app, "_load", broken)
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    window = _started(qtbot)
    qtbot.waitUntil(lambda: exits == [1], timeout=5000)
    assert shown == ["zones.json: line 3: expected a list of zones"]
    assert not window.populated


@pytest.mark.parametrize("where", ["_load", "populate"])
def test_an_unexpected_failure_while_opening_is_explained_and_ends_with_1(
    qtbot: Any,
    exits: list[int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    where: str,
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("the disk went away")

    if where == "_load":
        monkeypatch.setattr(app, "_load", broken)
    else:
        monkeypatch.setattr(MainWindow, "populate", broken)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    _started(qtbot)
    # Not left at "Opening the routines..." for ever: told why, and the app ends.
    qtbot.waitUntil(lambda: exits == [1], timeout=5000)
    assert len(shown) == 1
    assert "RuntimeError: the disk went away" in shown[0]
    assert "Nothing you saved was changed" in shown[0]
    assert "the disk went away" in capsys.readouterr().err


def test_a_data_folder_that_cannot_be_created_still_opens_with_the_built_in_routines(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    monkeypatch.setenv(DATA_DIR_ENV, str(in_the_way))
    told: list[str] = []
    monkeypatch.setattr(
        history_recorder,
        "check_history_at_start",
        lambda _window, recorder: told.append(recorder.store.open_result.notice),
    )
    failures: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda _parent, _title, text: failures.append(text)
    )
    window = _started(qtbot)
    qtbot.waitUntil(lambda: (window.populated and bool(told)) or bool(failures), timeout=5000)
    assert failures == []
    assert window.controller.routine is not None
    assert set(window.controller.library.routines) >= {"beginner-20", "classic-home"}
    assert not window.history_recorder.store.recording
    assert "cannot be created" in window.history_recorder.store.message
    assert str(in_the_way) in told[0]  # the start-up dialog names the folder


def test_without_a_paint_the_window_still_fills_in(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A window started minimised may never be painted: a timer fills it in anyway.
    monkeypatch.setattr(main_window._OpeningView, "paintEvent", QWidget.paintEvent)
    monkeypatch.setattr(app, "OPENING_FALLBACK_MS", 0)  # no real waiting in the test
    window = _started(qtbot)
    qtbot.waitUntil(lambda: window.populated, timeout=5000)
    assert window.controller.routine is not None


def test_closing_while_opening_keeps_the_geometry_and_loads_nothing(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app, "OPENING_FALLBACK_MS", 0)
    window = _started(qtbot)
    window.resize(700, 500)
    qtbot.waitUntil(lambda: window.size().width() == 700)
    window.close()
    for _ in range(5):  # the first paint's call and the fallback timer both come and go
        QApplication.processEvents()
    assert not window.populated
    again = MainWindow(None)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (700, 500)


def test_populating_twice_is_refused(qtbot: Any, library: Any) -> None:
    window = _started(qtbot)
    qtbot.waitUntil(lambda: window.populated, timeout=5000)
    with pytest.raises(RuntimeError, match="already populated"):
        window.populate(library)


def test_the_app_icon_comes_at_every_size() -> None:
    icon = app.window_icon()
    assert {size.width() for size in icon.availableSizes()} == {32, 48, 64, 128, 256}
    assert not icon.pixmap(48, 48).isNull()


def test_run_opens_the_window_and_returns_the_loops_exit_code(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    hook = builtins.__import__
    seen: list[MainWindow] = []

    def event_loop() -> int:
        # Stands in for QApplication.exec(): run until the window is complete.
        windows = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, MainWindow) and w.isVisible() and not w.populated
        ]
        assert len(windows) == 1  # the one run() has just shown
        window = windows[0]
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: window.populated, timeout=5000)
        # While the app runs, imports skip PySide6's source scan (ui/import_scan.py).
        assert builtins.__import__ is not hook
        seen.append(window)
        return 7

    monkeypatch.setattr(QApplication, "exec", event_loop)
    assert app.run() == 7
    assert seen
    assert builtins.__import__ is hook  # and everything is as before afterwards


def test_closing_the_app_closes_the_history_so_the_next_start_takes_the_quick_check(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept: list[MainWindow] = []  # alive after run(), as a leaked reference would keep it

    def event_loop() -> int:
        (window,) = (
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, MainWindow) and w.isVisible() and not w.populated
        )
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: window.populated, timeout=5000)
        window.close()
        kept.append(window)
        return 0

    monkeypatch.setattr(QApplication, "exec", event_loop)
    assert app.run() == 0
    store = kept[0].history_recorder.store
    assert store.status is StoreStatus.UNAVAILABLE  # closed
    assert store.path.exists()
    # SQLite folded the WAL into the file: only a crash, a kill or a power cut leaves one.
    assert not store.path.with_name(store.path.name + "-wal").exists()


@pytest.mark.parametrize(("name", "magic"), [("shot.png", b"\x89PNG"), ("shot.jpg", b"\xff\xd8")])
def test_a_screenshot_is_written_in_the_format_its_name_asks_for(
    qtbot: Any, tmp_path: Path, name: str, magic: bytes
) -> None:
    path = tmp_path / name
    assert app.screenshot(path, None, None, "800x600") == 0
    assert path.read_bytes().startswith(magic)
