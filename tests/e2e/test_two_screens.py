"""Presenter mode on two real (offscreen) screens, in the real app.

Qt's offscreen platform takes its screens from a JSON file
(``offscreen:configfile=...``). From the plugin's source (``qoffscreenintegration.cpp``,
``qoffscreencommon.cpp``), checked against Qt 6.11: each screen accepts ``name``, ``x``,
``y``, ``width``, ``height``, ``logicalDpi``, ``logicalBaseDpi`` and ``dpr``, and nothing
else. The screens are added in the order of their *names*, not of the file, and the
first one added is the primary screen; all of them form one virtual desktop, so a window
belongs to the screen its geometry is on. A ``logicalDpi`` other than 96 scales the
screen's geometry, so both screens here keep 96.

The pytest process already has a QApplication on the default screen, so each test
runs the app (``massage_trainer.app.start()``, with its own settings and data folders)
in a child process. The child carries out a list of user actions (F5, Esc, dragging
the main window to a screen, Instructor → Presenter screen…) and prints what a user
would see after each one: where each window is, the status bar, the presenter's bottom
line and which window has the keyboard. The test asserts on that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from massage_trainer.ui.presenter import KEY_HELP

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _screen(name: str, x: int, width: int, height: int) -> dict[str, Any]:
    return {
        "name": name,
        "x": x,
        "y": 0,
        "width": width,
        "height": height,
        "logicalDpi": 96,
        "logicalBaseDpi": 96,
        "dpr": 1,
    }


LAPTOP = _screen("A", 0, 1440, 900)
"""The instructor's screen: first by name, so the primary one, at the origin."""
PROJECTOR = _screen("B", 1440, 1920, 1080)
A_RECT = [0, 0, 1440, 900]
B_RECT = [1440, 0, 1920, 1080]

STATE = "STATE "
CHILD = r"""
import json, sys, time
from PySide6.QtCore import QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from massage_trainer import app
from massage_trainer.ui.presenter import SCREEN_KEY, ScreenChoiceDialog
from massage_trainer.ui.main_window import WELCOMED_KEY

actions, saved = json.loads(sys.argv[1]), json.loads(sys.argv[2])
settings = QSettings(app.ORGANIZATION, app.APPLICATION)
# An instructor who has used the app before: no getting-started guide at this start.
settings.setValue(WELCOMED_KEY, True)
if saved is not None:  # chosen in an earlier run, on another setup
    settings.setValue(SCREEN_KEY, saved)
settings.sync()

DEADLINE_S = 10.0


def wait_until(condition, what):
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            sys.exit(f"gave up waiting: {what}")
        QApplication.processEvents()


def rect(widget):
    g = widget.geometry()
    return [g.x(), g.y(), g.width(), g.height()]


def screen_named(name):
    return next(s for s in QGuiApplication.screens() if s.name() == name)


window = app.start()
wait_until(lambda: window.populated, "the main window filled in")
wait_until(lambda: QApplication.activeWindow() is window, "the main window active")
dialog_items = []


def report(action):
    presenter = window._presenter
    active = QApplication.activeWindow()
    state = {
        "action": action,
        "screens": [[s.name(), s is QGuiApplication.primaryScreen()]
                    for s in QGuiApplication.screens()],
        "main_screen": window.screen().name(),
        "main_rect": rect(window),
        "main_visible": window.isVisible(),
        "main_full_screen": window.isFullScreen(),
        "status": window.statusBar().currentMessage(),
        "active": ("main" if active is window else "presenter"
                   if active is not None and active is presenter else repr(active)),
        "dialog": list(dialog_items),
    }
    if presenter is not None:
        state.update(
            presenter_visible=presenter.isVisible(),
            presenter_full_screen=presenter.isFullScreen(),
            presenter_screen=presenter.screen().name(),
            presenter_rect=rect(presenter),
            footer=presenter.footer_label.text(),
        )
    print("STATE " + json.dumps(state), flush=True)


def pick(name, deadline):
    dialog = QApplication.activeModalWidget()
    if not isinstance(dialog, ScreenChoiceDialog):
        if time.monotonic() > deadline:
            sys.exit("the Presenter screen dialog did not open")
        QTimer.singleShot(10, lambda: pick(name, deadline))
        return
    dialog_items[:] = [dialog.list.item(row).text() for row in range(dialog.list.count())]
    for row in range(dialog.list.count()):
        if dialog.list.item(row).data(Qt.ItemDataRole.UserRole) == name:
            dialog.list.setCurrentRow(row)
            break
    else:
        dialog.reject()
        return
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()


report("start")
for action in actions:
    verb, _, name = action.partition(":")
    dialog_items.clear()
    if verb == "f5":
        # F5 is a window shortcut, so the main window needs the keyboard. Offscreen has no
        # window manager to hand it back after Esc; the user's click on it does that.
        window.activateWindow()
        wait_until(lambda: QApplication.activeWindow() is window, "the main window active")
        QTest.keyClick(window, Qt.Key.Key_F5)
        wait_until(
            lambda: window._presenter is not None and window._presenter.isVisible()
            and QApplication.activeWindow() is window._presenter,
            "the presenter shown and taking the keys",
        )
    elif verb == "esc":
        QTest.keyClick(window._presenter, Qt.Key.Key_Escape)
        wait_until(lambda: not window._presenter.isVisible(), "the presenter closed")
    elif verb == "move":
        # The user drags the main window onto the named screen.
        window.move(screen_named(name).geometry().topLeft() + QPoint(60, 40))
        wait_until(lambda: window.screen().name() == name, f"the main window on {name}")
    elif verb == "choose":
        # Instructor -> Presenter screen...: pick the screen ("" is Automatic), OK.
        QTimer.singleShot(0, lambda: pick(name, time.monotonic() + DEADLINE_S))
        window.presenter_screen_action.trigger()
        presenter = window._presenter
        wait_until(
            lambda: presenter is None or not presenter.isVisible()
            or QApplication.activeWindow() is presenter,
            "the open presenter taking the keys again",
        )
    else:
        sys.exit(f"unknown action {action!r}")
    report(action)

window.close()  # saves the settings, as quitting does
QApplication.processEvents()
print("END", flush=True)
"""


def run_app(
    tmp_path: Path,
    actions: list[str],
    screens: list[dict[str, Any]] | None = None,
    saved: str | None = None,
) -> list[dict[str, Any]]:
    """Run the app with ``screens`` (A and B by default), do ``actions``, return what it
    showed at the start and after each action. User data and settings live in
    ``tmp_path``, so two runs with the same ``tmp_path`` are a restart."""
    config = tmp_path / "screens.json"
    config.write_text(json.dumps({"screens": screens or [LAPTOP, PROJECTOR]}), encoding="utf-8")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "MASSAGE_TRAINER_DATA_DIR": str(tmp_path / "user-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(actions), json.dumps(saved)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = done.stdout.splitlines()
    if done.returncode != 0 or lines[-1:] != ["END"]:
        pytest.fail(
            f"the app run failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    states = [json.loads(line[len(STATE) :]) for line in lines if line.startswith(STATE)]
    assert [state["action"] for state in states] == ["start", *actions]
    return states


def assert_presenting_on(state: dict[str, Any], name: str, rect: list[int]) -> None:
    """The presenter fills screen ``name`` exactly and has the keyboard (the clicker)."""
    assert state["presenter_visible"]
    assert state["presenter_full_screen"]
    assert state["presenter_screen"] == name
    assert state["presenter_rect"] == rect
    assert state["active"] == "presenter"


def test_the_presenter_takes_the_screen_without_the_controls(tmp_path: Path) -> None:
    start, f5, esc, moved, f5_again, esc_again = run_app(
        tmp_path, ["f5", "esc", "move:B", "f5", "esc"]
    )
    assert start["screens"] == [["A", True], ["B", False]]
    assert start["main_screen"] == "A"
    assert not start["main_full_screen"]

    assert_presenting_on(f5, "B", B_RECT)
    assert f5["status"] == "Presenter view on B, 1920 × 1080; the controls stay here."
    assert f5["footer"] == f5["status"]  # the class sees it for a few seconds
    # The controls stay on their screen, as they were.
    assert f5["main_screen"] == "A"
    assert f5["main_rect"] == start["main_rect"]
    assert f5["main_visible"]
    assert not f5["main_full_screen"]

    assert not esc["presenter_visible"]
    assert esc["main_screen"] == "A"
    assert esc["main_rect"] == start["main_rect"]

    # The controls dragged to the projector: the presenter goes to the laptop instead.
    assert moved["main_screen"] == "B"
    assert_presenting_on(f5_again, "A", A_RECT)
    assert "Presenter view on A, 1440 × 900 (main screen)" in f5_again["status"]
    assert f5_again["main_screen"] == "B"
    assert f5_again["main_rect"] == moved["main_rect"]
    assert not f5_again["main_full_screen"]
    assert esc_again["main_screen"] == "B"


def test_a_chosen_screen_is_honoured_and_remembered(tmp_path: Path) -> None:
    _start, chosen, moved, f5, _esc, _back = run_app(
        tmp_path, ["choose:B", "move:B", "f5", "esc", "move:A"]
    )
    assert chosen["dialog"] == [
        "Automatic: a second screen if there is one",
        "A, 1440 × 900 (main screen)",
        "B, 1920 × 1080",
    ]
    # Automatic would take A, the screen without the controls; B was chosen.
    assert moved["main_screen"] == "B"
    assert_presenting_on(f5, "B", B_RECT)
    assert f5["status"] == (
        "Presenter view on B, 1920 × 1080, as chosen (Instructor → Presenter screen…)."
    )
    assert f5["main_screen"] == "B"
    assert f5["main_rect"] == moved["main_rect"]

    # The next day: the app starts again with the same settings.
    start, f5 = run_app(tmp_path, ["f5"])
    assert start["main_screen"] == "A"
    assert_presenting_on(f5, "B", B_RECT)
    assert "as chosen" in f5["status"]
    assert f5["footer"] == KEY_HELP
    assert f5["main_screen"] == "A"
    assert f5["main_rect"] == start["main_rect"]


def test_changing_the_screen_while_presenting_moves_it_and_its_note(tmp_path: Path) -> None:
    _start, f5, on_a, automatic = run_app(tmp_path, ["f5", "choose:A", "choose:"])
    assert_presenting_on(f5, "B", B_RECT)
    assert "Presenter view on B" in f5["footer"]

    # Moved to A as asked; nothing on either screen still says it is on B.
    assert_presenting_on(on_a, "A", A_RECT)
    assert on_a["footer"] == KEY_HELP
    assert on_a["status"] == (
        "Presenter view on A, 1440 × 900 (main screen), as chosen (Instructor → Presenter screen…)."
    )
    assert on_a["main_screen"] == "A"
    assert not on_a["main_full_screen"]

    # Back to Automatic: the screen without the controls again.
    assert_presenting_on(automatic, "B", B_RECT)
    assert automatic["status"] == "Presenter view on B, 1920 × 1080; the controls stay here."
    assert automatic["footer"] == automatic["status"]


def test_a_chosen_screen_that_is_gone_falls_back_and_says_so(tmp_path: Path) -> None:
    start, f5 = run_app(tmp_path, ["f5"], saved="HDMI-2")
    assert start["main_screen"] == "A"
    assert_presenting_on(f5, "B", B_RECT)
    assert f5["status"] == (
        "The screen chosen before (HDMI-2) is not connected. "
        "Presenter view on B, 1920 × 1080; the controls stay here."
    )
    assert f5["footer"] == f5["status"]
    assert f5["main_screen"] == "A"
    assert f5["main_rect"] == start["main_rect"]
    assert not f5["main_full_screen"]
