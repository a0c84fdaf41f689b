"""Loading all content: zones, techniques, safety texts and every routine, validated.

The floor reads and parses the same JSON files with the standard library only, so the
ratio is what validation (pydantic models and the safety rules) adds.

    python -m benchmarks.content_load
"""

from __future__ import annotations

import argparse
import json
import time

from benchmarks._common import Figure, emit, fmt_ms, median


def run(quick: bool) -> list[Figure]:
    from massage_trainer.domain.content import load_library
    from massage_trainer.domain.paths import assets_dir

    started = time.perf_counter()
    library = load_library()
    first = time.perf_counter() - started
    files = sorted((assets_dir() / "content").glob("*.json")) + sorted(
        (assets_dir() / "routines").glob("*.json")
    )
    repeat = 10 if quick else 30
    samples, floor_samples = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        load_library()
        samples.append(time.perf_counter() - started)
        started = time.perf_counter()
        for path in files:
            json.loads(path.read_bytes())
        floor_samples.append(time.perf_counter() - started)
    loaded, floor = median(samples), median(floor_samples)
    return [
        Figure(
            name="Loading all content",
            measured=fmt_ms(loaded),
            floor=fmt_ms(floor),
            comparison=f"{loaded / floor:.1f}×",
            note=(
                f"{len(library.zones)} zones, {len(library.techniques)} techniques, "
                f"{len(library.routines)} routines, validated; first load in the process "
                f"{fmt_ms(first)}; floor: json.loads of the same {len(files)} files"
            ),
        )
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    emit(run(parser.parse_args(argv).quick))


if __name__ == "__main__":
    main()
