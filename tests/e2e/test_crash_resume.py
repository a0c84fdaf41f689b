"""Kill the app mid-session with SIGKILL, start again, resume: at most 5 s are lost.

A child process runs a real session (the real controller on the real monotonic clock,
its QTimer, the recorder and the history file) and reports where it is four times a
second. The test kills it without warning, then opens the same history the way the next
start would, resumes, and compares the restored position with the one at the kill.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.history import HistoryStore, RunState
from massage_trainer.domain.session import FakeClock, SessionState
from massage_trainer.ui.controller import SessionController
from massage_trainer.ui.history_recorder import ResumeChoice, SessionRecorder, offer_resume

pytestmark = pytest.mark.slow

ROUTINE = "lower-back-relief"
MAX_LOSS_S = 5.0
RUN_BEFORE_KILL_S = 6.5
"""Long enough to pass a step change (at 2 s) and a timed checkpoint (every 4 s)."""

CHILD = r"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from massage_trainer.domain.content import load_library
from massage_trainer.domain.history import HistoryStore
from massage_trainer.ui.controller import SessionController
from massage_trainer.ui.history_recorder import SessionRecorder

app = QApplication([])
controller = SessionController(load_library(), get_ready_s=0.0)
controller.load_routine(sys.argv[1])
store = HistoryStore()
recorder = SessionRecorder(controller, store)

def report():
    snapshot = controller.snapshot()
    print(f"{time.monotonic()!r} {snapshot.total_elapsed_s!r} {snapshot.index}", flush=True)

reporter = QTimer()
reporter.timeout.connect(report)
reporter.start(250)
QTimer.singleShot(2000, controller.next_step)
controller.start()
print("started", store.status.value, flush=True)
app.exec()
"""


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line.strip())


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_session_resumes_within_five_seconds(
    tmp_path: Path, library: ContentLibrary, qtbot: object
) -> None:
    data_dir = tmp_path / "user-data"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "MASSAGE_TRAINER_DATA_DIR": str(data_dir),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, ROUTINE],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(child.stdout, lines), daemon=True).start()
    deadline = time.monotonic() + 14.0
    last: tuple[float, float, int] | None = None
    try:
        started = lines.get(timeout=12.0)
        assert started == "started recording", started
        while time.monotonic() < deadline:
            stamp, total, index = lines.get(timeout=3.0).split()
            last = (float(stamp), float(total), int(index))
            if last[1] >= RUN_BEFORE_KILL_S:
                break
        assert last is not None
        killed_at = time.monotonic()
        child.send_signal(signal.SIGKILL)
    except queue.Empty:
        child.kill()
        _out, errors = child.communicate(timeout=10)
        pytest.fail(f"the session process stopped reporting:\n{errors[-3000:]}")
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    # Where the session was at the kill: the last report plus the time since it.
    at_kill = last[1] + (killed_at - last[0])
    assert last[2] == 1  # on the second step: the step change happened

    store = HistoryStore(data_dir / "history.sqlite3")
    assert [row.state for row in store.unfinished_sessions()] == [RunState.RUNNING]
    controller = SessionController(library, FakeClock(), get_ready_s=0.0)
    recorder = SessionRecorder(controller, store)

    assert offer_resume(None, recorder, ask=lambda _row: True) is ResumeChoice.RESUMED

    snapshot = controller.snapshot()
    assert snapshot is not None
    assert controller.routine is not None
    assert controller.routine.id == ROUTINE
    assert snapshot.state is SessionState.PAUSED
    assert snapshot.index == 1
    lost = at_kill - snapshot.total_elapsed_s
    assert 0.0 <= lost <= MAX_LOSS_S, f"lost {lost:.2f} s (at kill {at_kill:.2f} s)"
    # Step 1 was left at 2 s by hand, so the rest is time in step 2's visit.
    assert snapshot.elapsed_s == pytest.approx(snapshot.total_elapsed_s - 2.0, abs=0.3)
    store.close()
