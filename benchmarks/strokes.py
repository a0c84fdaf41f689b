"""Stroke analysis throughput: points per second through the domain's stroke analysis.

Only when ``massage_trainer/domain/strokes.py`` exists; until then the row says so.

    python -m benchmarks.strokes
"""

from __future__ import annotations

import argparse
import importlib.util
import time

from benchmarks._common import Figure, emit

POINTS_PER_S_TARGET = 10_000


def _measure(quick: bool) -> tuple[float, int]:
    """Points per second through LiveStrokeAnalyser (point by point, as a pen feeds it),
    and the number of points analysed."""
    import math

    from massage_trainer.domain.content import load_library
    from massage_trainer.domain.diagram import load_diagram
    from massage_trainer.domain.strokes import LiveStrokeAnalyser, StrokePoint
    from massage_trainer.domain.zone_geometry import ZoneGeometry

    library = load_library()
    geometry = ZoneGeometry.from_diagram(load_diagram(), library.zones)
    left, top, width, height = geometry.view_box
    routine = next(iter(library.routines.values()))
    # Synthetic 1 kHz pen strokes: a wavy line up the back, crossing zones and the spine.
    count = 2_000 if quick else 5_000
    strokes = []
    for number, step in enumerate(routine.steps):
        points = [
            StrokePoint(
                t=i / 1000,
                x=left + width * (0.5 + 0.3 * math.sin(i / 90 + number)),
                y=top + height * (0.85 - 0.6 * i / count),
                pressure=0.5,
            )
            for i in range(count)
        ]
        strokes.append((step, library.techniques[step.technique], points))
    analysed = 0
    started = time.perf_counter()
    for step, technique, points in strokes:
        analyser = LiveStrokeAnalyser(step, technique, geometry, input_kind="pen")
        for point in points:
            analyser.add(point)
        analyser.finish()
        analysed += len(points)
    elapsed = time.perf_counter() - started
    return analysed / elapsed, analysed


def run(quick: bool) -> list[Figure]:
    name = "Stroke analysis"
    target = f"≥ {POINTS_PER_S_TARGET:,} points/s"
    if importlib.util.find_spec("massage_trainer.domain.strokes") is None:
        return [Figure(name=name, measured="not built yet", target=target)]
    try:
        rate, analysed = _measure(quick)
    except (ImportError, AttributeError, TypeError) as exc:
        return [
            Figure(
                name=name,
                measured="not measured",
                target=target,
                note=f"the stroke analysis API changed ({type(exc).__name__}: {exc})",
            )
        ]
    return [
        Figure(
            name=name,
            measured=f"{rate:,.0f} points/s",
            comparison=f"{rate / POINTS_PER_S_TARGET:.1f}× the target",
            target=target,
            passed=rate >= POINTS_PER_S_TARGET,
            note=(
                f"{analysed:,} points of synthetic 1 kHz pen strokes, one step of the first "
                "routine each, fed point by point to LiveStrokeAnalyser, then finished"
            ),
        )
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    emit(run(parser.parse_args(argv).quick))


if __name__ == "__main__":
    main()
