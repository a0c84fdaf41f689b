"""Fixtures shared by the widget tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.history import HistoryStore
from massage_trainer.domain.session import FakeClock
from massage_trainer.ui.controller import SessionController
from massage_trainer.ui.diagram import BackDiagramView
from massage_trainer.ui.main_window import MainWindow
from massage_trainer.ui.preferences import Preferences


@pytest.fixture
def preferences(tmp_path: Path) -> Preferences:
    """UI preferences kept in a throwaway ini file, never the user's settings."""
    return Preferences(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def diagram_view(
    qtbot: Any, controller: SessionController, preferences: Preferences
) -> BackDiagramView:
    """The back diagram, 480x640 and shown, on the test module's own ``controller``."""
    view = BackDiagramView(controller, preferences)
    qtbot.addWidget(view)
    view.resize(480, 640)
    view.show()
    qtbot.waitExposed(view)
    return view


@pytest.fixture
def make_main_window(
    qtbot: Any, library: ContentLibrary, fake_clock: FakeClock, tmp_path: Path
) -> Callable[[], MainWindow]:
    """Builds a main window on the fake clock, with settings and history in tmp_path and
    Qt's mock speech engine; the test owns what happens next."""

    def make() -> MainWindow:
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(
            library,
            clock=fake_clock,
            settings=settings,
            speech_engine="mock",
            history=HistoryStore(tmp_path / "history.sqlite3"),
        )
        qtbot.addWidget(window)
        return window

    return make
