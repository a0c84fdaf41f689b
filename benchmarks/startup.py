"""First painted main window and peak memory, against a bare QMainWindow.

Each measurement is a fresh process, timed from just before it is spawned to the moment
it reports that its window has been painted, so both sides pay the same interpreter
start. The floor process imports PySide6 and pydantic and shows an empty QMainWindow;
the app process does what ``massage-trainer`` does (application, content, main window,
history check) with a fresh data folder. Runs alternate floor/app, and the median of
each side is compared.

    python -m benchmarks.startup [--repeat N]
    python -m benchmarks._startup_child floor|app    one measured process
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

from benchmarks._common import ROOT, Figure, child_env, emit, median, read_json_line
from benchmarks._startup_child import PAINTED

TIME_LIMIT_RATIO = 1.2
MEMORY_LIMIT_MIB = 15.0


def measure_once(kind: str) -> tuple[float, float]:
    """Seconds from spawn to first paint, and peak memory in MiB, of one process."""
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
        painted_after = None
        while line := process.stdout.readline():
            if line.strip() == PAINTED:
                painted_after = time.perf_counter() - started
                break
        rest = process.stdout.read()
        process.wait(timeout=60)
        errors.seek(0)
        if painted_after is None or process.returncode != 0:
            raise RuntimeError(f"{kind} process failed ({process.returncode}): {errors.read()}")
    return painted_after, float(read_json_line(rest)["peak_rss_mib"])


def run(repeat: int) -> list[Figure]:
    # One unmeasured run of each first, so neither side pays for a cold disk cache.
    measure_once("floor")
    measure_once("app")
    floor_times: list[float] = []
    app_times: list[float] = []
    floor_mem: list[float] = []
    app_mem: list[float] = []
    for _ in range(repeat):
        for kind, times, mems in (
            ("floor", floor_times, floor_mem),
            ("app", app_times, app_mem),
        ):
            seconds, mib = measure_once(kind)
            times.append(seconds)
            mems.append(mib)
    floor_t, app_t = median(floor_times), median(app_times)
    floor_m, app_m = median(floor_mem), median(app_mem)
    ratio = app_t / floor_t
    extra = app_m - floor_m
    return [
        Figure(
            name="First painted main window",
            measured=f"{app_t:.3f} s",
            floor=f"{floor_t:.3f} s",
            comparison=f"{ratio:.2f}×",
            target=f"≤ {TIME_LIMIT_RATIO}×",
            passed=ratio <= TIME_LIMIT_RATIO,
            note=f"median of {repeat} fresh processes each, spawn to first paint",
        ),
        Figure(
            name="Peak memory at first paint",
            measured=f"{app_m:.0f} MiB",
            floor=f"{floor_m:.0f} MiB",
            comparison=f"+{extra:.1f} MiB",
            target=f"≤ floor + {MEMORY_LIMIT_MIB:.0f} MiB",
            passed=extra <= MEMORY_LIMIT_MIB,
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
