"""CPU used by a running session, against a bare Qt app with a 1 Hz timer.

Three processes run side by side (they are idle most of the time, so they barely meet):

* the floor: a QMainWindow with a label that a 1 Hz QTimer rewrites (a minimal countdown);
* the app's main window running a session with reduced motion (static marks);
* the same with the movement animation on.

Each shows a 1440×900 window offscreen, lets the get-ready countdown pass, then counts
its own CPU time (user + system, all threads) over the measured span.

    python -m benchmarks.session_cpu [--seconds 20]
    python -m benchmarks.session_cpu child floor|reduced|animated SECONDS
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable

from benchmarks._common import ROOT, Figure, child_env, cpu_seconds, emit, read_json_line

REDUCED_LIMIT_RATIO = 5.0
ANIMATED_LIMIT_SHARE = 0.01
SETTLE_S = 6.0
"""Past the 5 s get-ready countdown, so the steady state is measured."""
SIZE = (1440, 900)


def _measure_loop(
    seconds: float, probe: Callable[[], dict[str, float]] | None = None
) -> dict[str, float]:
    """Run the event loop: settle, then count CPU over ``seconds``; ``probe`` reads the
    state at the end (before quitting, which closes the windows)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert app is not None
    marks: dict[str, float] = {}

    def begin() -> None:
        marks["cpu0"], marks["t0"] = cpu_seconds(), time.monotonic()
        QTimer.singleShot(round(seconds * 1000), end)

    def end() -> None:
        marks["cpu1"], marks["t1"] = cpu_seconds(), time.monotonic()
        if probe is not None:
            marks.update(probe())
        app.quit()

    QTimer.singleShot(round(SETTLE_S * 1000), begin)
    app.exec()
    result = {
        "cpu_s": marks.pop("cpu1") - marks.pop("cpu0"),
        "wall_s": marks.pop("t1") - marks.pop("t0"),
    }
    result.update(marks)
    return result


def child_floor(seconds: float) -> dict[str, float]:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    # A large countdown label, centred: only the label's own area is repainted.
    label = QLabel("20:00")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    font = QFont(label.font())
    font.setPointSize(48)
    label.setFont(font)
    central = QWidget()
    layout = QVBoxLayout(central)
    layout.addWidget(label, 0, Qt.AlignmentFlag.AlignCenter)
    window.setCentralWidget(central)
    window.resize(*SIZE)
    window.show()
    remaining = [1200]

    def tick() -> None:
        remaining[0] -= 1
        minutes, secs = divmod(remaining[0], 60)
        label.setText(f"{minutes}:{secs:02d}")

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(1000)
    result = _measure_loop(seconds)
    del app
    return result


def child_app(seconds: float, *, animated: bool) -> dict[str, float]:
    from massage_trainer import app as app_module

    app_module._application(())
    library = app_module._load()
    from massage_trainer.ui.main_window import MainWindow

    window = MainWindow(library)
    window.preferences.set_reduced_motion(not animated)
    # No one answers the safety dialogs here; a dry run needs no check-ins either.
    controller = window.controller
    controller.set_start_gate(None)
    controller.set_mode("dry-run")
    window.resize(*SIZE)
    window.show()
    controller.start()

    def probe() -> dict[str, float]:
        animating = getattr(window.diagram, "is_animating", lambda: False)()
        return {
            "animating": float(bool(animating)),
            "running": float(controller.state().value == "running"),
        }

    return _measure_loop(seconds, probe)


def _spawn(kind: str, seconds: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.session_cpu", "child", kind, str(seconds)],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def run(seconds: float) -> list[Figure]:
    processes = {kind: _spawn(kind, seconds) for kind in ("floor", "reduced", "animated")}
    results = {}
    for kind, process in processes.items():
        out, _ = process.communicate(timeout=seconds + 120)
        results[kind] = read_json_line(out)
    floor = results["floor"]["cpu_s"]
    reduced = results["reduced"]["cpu_s"]
    animated = results["animated"]["cpu_s"]
    span = results["animated"]["wall_s"]
    share = animated / span
    ratio = reduced / floor if floor > 0 else float("inf")
    per_20 = 20.0 / seconds
    note_anim = "" if results["animated"].get("animating") else " (the diagram did NOT animate)"
    return [
        Figure(
            name=f"Session CPU over {seconds:.0f} s, reduced motion",
            measured=f"{reduced * per_20:.3f} s per 20 s",
            floor=f"{floor * per_20:.3f} s per 20 s",
            comparison=f"{ratio:.1f}×",
            target=f"≤ {REDUCED_LIMIT_RATIO:.0f}× floor",
            passed=ratio <= REDUCED_LIMIT_RATIO,
            note="floor: bare QMainWindow + label rewritten by a 1 Hz QTimer; 1440×900",
        ),
        Figure(
            name=f"Session CPU over {seconds:.0f} s, movement animation",
            measured=f"{share * 100:.2f} % of a core",
            floor=f"{floor / span * 100:.2f} %",
            comparison=f"{share / ANIMATED_LIMIT_SHARE * 100:.0f} % of limit",
            target=f"≤ {ANIMATED_LIMIT_SHARE * 100:.0f} % of a core",
            passed=share <= ANIMATED_LIMIT_SHARE and bool(results["animated"].get("animating")),
            note=f"{animated * per_20:.3f} s per 20 s{note_anim}",
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", nargs="?", default="group", choices=["group", "child"])
    parser.add_argument("kind", nargs="?", choices=["floor", "reduced", "animated"])
    parser.add_argument("child_seconds", nargs="?", type=float)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--quick", action="store_true", help="10 s instead of 20 s")
    args = parser.parse_args(argv)
    if args.mode == "child":
        if args.kind == "floor":
            result = child_floor(args.child_seconds)
        else:
            result = child_app(args.child_seconds, animated=args.kind == "animated")
        print(json.dumps(result), flush=True)
        return
    emit(run(10.0 if args.quick else args.seconds))


if __name__ == "__main__":
    main()
