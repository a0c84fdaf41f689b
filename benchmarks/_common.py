"""Shared pieces: the result row, child processes, CPU load and machine facts."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULT_PREFIX = "BENCHMARK-RESULT "
"""A child process prints its figures as one JSON line starting with this."""


@dataclass
class Figure:
    """One row of the table: a measured value against its floor and its target."""

    name: str
    measured: str
    """The measured value as shown, with its unit."""
    floor: str = "—"
    """The floor measured in the same run, as shown ("—" when the target is absolute)."""
    comparison: str = "—"
    """Measured against the floor or the limit: "1.12×", "+9 MiB", "48 % of limit"."""
    target: str = "—"
    passed: bool | None = None
    """True/False against the target; None when there is no target (information only)."""
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return "info"
        return "pass" if self.passed else "FAIL"


def emit(figures: Sequence[Figure]) -> None:
    """Print the figures for the parent process (the last line of a child's output)."""
    print(RESULT_PREFIX + json.dumps([asdict(f) for f in figures]), flush=True)


OFFSCREEN_SCREEN = {
    "name": "benchmark",
    "x": 0,
    "y": 0,
    "width": 1920,
    "height": 1080,
    "logicalDpi": 96,
    "logicalBaseDpi": 96,
    "dpr": 1,
}


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Offscreen Qt on a 1920x1080 screen, and user data and settings in throwaway
    folders."""
    env = dict(os.environ)
    scratch = tempfile.mkdtemp(prefix="massage-trainer-bench-")
    # Qt's offscreen screen is 800x800 by default, and the app sizes its first window to
    # fit the screen: a full-HD screen lets it open at its default 1440x900, the size
    # the floor's window has.
    screens = Path(scratch) / "offscreen.json"
    screens.write_text(json.dumps({"screens": [OFFSCREEN_SCREEN]}), encoding="utf-8")
    env["QT_QPA_PLATFORM"] = f"offscreen:configfile={screens}"
    env["MASSAGE_TRAINER_DATA_DIR"] = str(Path(scratch) / "data")
    env["XDG_CONFIG_HOME"] = str(Path(scratch) / "config")
    _as_returning_user(Path(scratch) / "config")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    # An installed app has its bytecode compiled (pip does it); measure that, not the
    # compiler: let the warm-up runs write __pycache__ even where the shell forbids it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # Qt's warnings about the missing audio and speech devices are expected here.
    env.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false;qt.speech*=false")
    if extra:
        env.update(extra)
    return env


def _as_returning_user(config_home: Path) -> None:
    """Settings of someone who has started the app before: the getting-started guide,
    shown once at the very first start (a window of its own, about 3.4 MiB), is not part
    of the usual start that the benchmarks measure."""
    from massage_trainer.app import APPLICATION, ORGANIZATION
    from massage_trainer.ui.main_window import WELCOMED_KEY

    section, _, key = WELCOMED_KEY.partition("/")
    settings = config_home / ORGANIZATION / f"{APPLICATION}.conf"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(f"[{section}]\n{key}=true\n", encoding="utf-8")


def run_module(module: str, *args: str, timeout: float = 900) -> list[Figure]:
    """Run ``python -m benchmarks.<module> ARGS`` and return the figures it printed."""
    completed = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *args],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return [Figure(**item) for item in json.loads(line.removeprefix(RESULT_PREFIX))]
    tail = (completed.stderr or completed.stdout).strip().splitlines()[-8:]
    return [
        Figure(
            name=module,
            measured="error",
            passed=False,
            note=f"the benchmark failed (exit {completed.returncode}): " + " | ".join(tail),
        )
    ]


def read_json_line(text: str) -> dict[str, Any]:
    """The JSON object a helper process printed as its last line starting with '{'."""
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            value = json.loads(line)
            if isinstance(value, dict):
                return value
    raise ValueError(f"no JSON result in the output: {text[-400:]!r}")


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def cpu_seconds() -> float:
    """CPU time (user + system) this process has used so far, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mib() -> float:
    """This process's peak resident memory (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def cpu_load(processes: int | None = None) -> Iterator[int]:
    """Keep every core busy with spinning subprocesses while the block runs."""
    count = processes if processes is not None else max(1, os.cpu_count() or 1)
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield count
    finally:
        for spinner in spinners:
            spinner.kill()
        for spinner in spinners:
            spinner.wait()


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    try:
        import PySide6
        from PySide6 import QtCore

        qt = f"PySide6 {PySide6.__version__}, Qt {QtCore.qVersion()}"
    except ImportError:
        qt = "PySide6 not installed"
    import pydantic

    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "qt": qt,
        "pydantic": pydantic.VERSION,
        "display": "none (Qt offscreen platform)",
    }


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


def fmt_us(seconds: float) -> str:
    return f"{seconds * 1e6:.2f} µs"
