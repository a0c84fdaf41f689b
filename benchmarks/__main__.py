"""``python -m benchmarks``: run every benchmark group and print one table.

Columns: figure, measured, floor (measured in the same run), measured against the floor
or the limit, target, and the verdict (pass, FAIL, or info for figures without a
target). ``--quick`` shortens the real-time runs (timer 10 s instead of 60 s, session
CPU 10 s instead of 20 s) and repeats less. ``--markdown`` prints the table as Markdown
for the README. The results are also written to ``benchmarks/results/latest.json``.
The exit status is 0 even when a figure misses its target: these are measurements.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from benchmarks._common import ROOT, Figure, machine, run_module

GROUPS = {
    "startup": "first painted window and peak memory",
    "timer_accuracy": "shown time vs truth under CPU load",
    "session_cpu": "CPU of a running session",
    "diagram_paint": "diagram frame, re-render and hit-test",
    "strokes": "stroke analysis",
    "content_load": "loading all content",
}

COLUMNS = ("figure", "measured", "floor", "vs floor / limit", "target", "result")


def _rows(figures: Sequence[Figure]) -> list[tuple[str, ...]]:
    return [(f.name, f.measured, f.floor, f.comparison, f.target, f.verdict) for f in figures]


def format_table(figures: Sequence[Figure]) -> str:
    rows = [COLUMNS, *_rows(figures)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = []
    for number, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    notes = [f"- {f.name}: {f.note}" for f in figures if f.note]
    return "\n".join(lines) + ("\n\nNotes:\n" + "\n".join(notes) if notes else "")


def format_markdown(figures: Sequence[Figure]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in _rows(figures):
        cells = [cell.replace("|", "\\|") for cell in row]
        if cells[-1] == "FAIL":
            cells[-1] = "**FAIL**"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shorter real-time runs")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument(
        "--only", choices=sorted(GROUPS), action="append", help="run only these groups"
    )
    args = parser.parse_args(argv)

    facts = machine()
    print("Machine: " + "; ".join(f"{key} {value}" for key, value in facts.items()))
    figures: list[Figure] = []
    started = time.monotonic()
    for group, title in GROUPS.items():
        if args.only and group not in args.only:
            continue
        print(f"... {title}", file=sys.stderr, flush=True)
        figures.extend(run_module(group, *(["--quick"] if args.quick else [])))
    elapsed = time.monotonic() - started

    print()
    print(format_markdown(figures) if args.markdown else format_table(figures))
    if args.markdown:
        print()
        for figure in figures:
            if figure.note:
                print(f"- {figure.name}: {figure.note}")
    print(f"\n{len(figures)} figures in {elapsed:.0f} s" + (" (--quick)" if args.quick else ""))

    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.json").write_text(
        json.dumps(
            {
                "when": datetime.now().astimezone().isoformat(timespec="seconds"),
                "quick": args.quick,
                "machine": facts,
                "figures": [asdict(f) for f in figures],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
