"""First painted main window and peak memory, against a bare QMainWindow.

Each measurement is a fresh process, timed from just before it is spawned to the moment
it reports that its window has been painted, so both sides pay the same interpreter
start. The floor process imports PySide6 and pydantic and shows an empty QMainWindow (a
second floor also builds one pydantic model first, for information);
the app process does what ``massage-trainer`` does (``app.start()``: the window paints
at once, then loads the content and fills itself in, then checks the history) with a
fresh data folder. Both moments are timed: the first paint, and the complete window
painted again with every panel in place. Peak memory is taken when the window is
complete. Runs alternate floor/app, and the median of each side is compared.

    python -m benchmarks.startup [--repeat N]
    python -m benchmarks._startup_child floor|app    one measured process
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from benchmarks._common import ROOT, Figure, child_env, emit, median
from benchmarks._startup_child import PAINTED, READY

TIME_LIMIT_RATIO = 1.2
MEMORY_LIMIT_MIB = 15.0


@dataclass
class Start:
    """One process: seconds to the first paint and to the complete window, peak MiB."""

    painted_s: float
    ready_s: float
    painted_mib: float
    ready_mib: float


def measure_once(kind: str) -> Start:
    with tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks._startup_child", kind],
            cwd=ROOT,
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        assert process.stdout is not None
        seen: dict[str, tuple[float, float]] = {}
        while READY not in seen and (line := process.stdout.readline()):
            what, _, mib = line.strip().partition(" ")
            if what in (PAINTED, READY):
                seen[what] = (time.perf_counter() - started, float(mib))
        process.stdout.read()
        process.wait(timeout=60)
        errors.seek(0)
        if len(seen) != 2 or process.returncode != 0:
            raise RuntimeError(f"{kind} process failed ({process.returncode}): {errors.read()}")
    (painted_s, painted_mib), (ready_s, ready_mib) = seen[PAINTED], seen[READY]
    return Start(painted_s, ready_s, painted_mib, ready_mib)


def run(repeat: int) -> list[Figure]:
    # One unmeasured run of each first, so neither side pays for a cold disk cache.
    measure_once("floor")
    measure_once("app")
    runs: dict[str, list[Start]] = {"floor": [], "floor-model": [], "app": []}
    for _ in range(repeat):
        for kind, starts in runs.items():
            starts.append(measure_once(kind))

    def med(kind: str, field: str) -> float:
        return median([getattr(start, field) for start in runs[kind]])

    floor_t, floor_m = med("floor", "painted_s"), med("floor", "ready_mib")
    model_floor_m = med("floor-model", "ready_mib")
    painted_t, ready_t = med("app", "painted_s"), med("app", "ready_s")
    painted_m, ready_m = med("app", "painted_mib"), med("app", "ready_mib")
    return [
        Figure(
            name="First painted main window",
            measured=f"{painted_t:.3f} s",
            floor=f"{floor_t:.3f} s",
            comparison=f"{painted_t / floor_t:.2f}×",
            target=f"≤ {TIME_LIMIT_RATIO}×",
            passed=painted_t / floor_t <= TIME_LIMIT_RATIO,
            note=f"median of {repeat} fresh processes each, spawn to first paint",
        ),
        Figure(
            name="Main window complete (content loaded, every panel painted)",
            measured=f"{ready_t:.3f} s",
            floor=f"{floor_t:.3f} s",
            comparison=f"{ready_t / floor_t:.2f}×",
            note="the same processes, spawn to the paint after the window is filled in",
        ),
        Figure(
            name="Peak memory, main window complete",
            measured=f"{ready_m:.0f} MiB",
            floor=f"{floor_m:.0f} MiB",
            comparison=f"+{ready_m - floor_m:.1f} MiB",
            target=f"≤ floor + {MEMORY_LIMIT_MIB:.0f} MiB",
            passed=ready_m - floor_m <= MEMORY_LIMIT_MIB,
            note="ru_maxrss, median",
        ),
        Figure(
            name="Peak memory, main window complete, against a floor that built one model",
            measured=f"{ready_m:.0f} MiB",
            floor=f"{model_floor_m:.0f} MiB",
            comparison=f"+{ready_m - model_floor_m:.1f} MiB",
            note="the floor also builds a one-field pydantic model: pydantic 2 imports most"
            " of itself then",
        ),
        Figure(
            name="Peak memory at first paint",
            measured=f"{painted_m:.0f} MiB",
            floor=f"{floor_m:.0f} MiB",
            comparison=f"+{painted_m - floor_m:.1f} MiB",
            note="ru_maxrss, median",
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args(argv)
    emit(run(3 if args.quick else args.repeat))


if __name__ == "__main__":
    main()
