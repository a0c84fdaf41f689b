"""The ``massage-trainer`` command: opens the app, or runs one of the text commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from massage_trainer import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="massage-trainer",
        description="A practice trainer for back massage. Without a command it opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"massage-trainer {__version__}")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="load all content and build the main window offscreen, then exit (0 = all well)",
    )
    parser.add_argument(
        "--screenshot", metavar="FILE", type=Path, help="render the window offscreen to a PNG"
    )
    parser.add_argument("--routine", metavar="ID", help="the routine to open")
    parser.add_argument(
        "--step", metavar="N", type=int, help="with --screenshot: show step N (1 = first)"
    )
    parser.add_argument(
        "--size",
        metavar="WxH",
        default="1440x900",
        help="with --screenshot: window size in pixels (default 1440x900)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("routines", help="list the routines: id, title, steps, minutes")
    validate = sub.add_parser(
        "validate", help="check routine files against the schema and the safety rules"
    )
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    sub.add_parser("schema", help="print the routine file's JSON Schema")
    handout = sub.add_parser("handout", help="write a routine's printable handout as a PDF")
    handout.add_argument("routine_id", metavar="ROUTINE_ID")
    handout.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.pdf")
    handout.add_argument(
        "--page-size", default="A4", metavar="A4|Letter", help="paper size (default A4)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args, qt_args = build_parser().parse_known_args(argv)
    if args.command is not None and qt_args:
        build_parser().error(f"unrecognised arguments: {' '.join(qt_args)}")
    if args.command == "routines":
        return _list_routines()
    if args.command == "validate":
        return _validate(args.files)
    if args.command == "schema":
        return _print_schema()
    if args.command == "handout":
        from massage_trainer.ui.handout import handout_command

        return handout_command(args.routine_id, args.output, args.page_size)

    from massage_trainer import app  # Qt is imported only for the window.

    if args.smoke_test:
        return app.smoke_test()
    if args.screenshot is not None:
        return app.screenshot(args.screenshot, args.routine, args.step, args.size)
    return app.run(qt_args, routine_id=args.routine)


def _list_routines() -> int:
    from massage_trainer.domain.content import ContentError, load_user_library

    try:
        library = load_user_library()
    except ContentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    rows = [
        (r.id, r.title, str(len(r.steps)), f"{r.total_seconds / 60:.0f}")
        for r in library.routines.values()
    ]
    header = ("ID", "TITLE", "STEPS", "MINUTES")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print(
            f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  "
            f"{row[2]:>{widths[2]}}  {row[3]:>{widths[3]}}"
        )
    for problem in library.problems:
        print(f"not loaded: {problem.message}", file=sys.stderr)
    return 0


def _validate(files: Sequence[Path]) -> int:
    from massage_trainer.domain.content import (
        ContentError,
        check_routine,
        load_library,
        load_routine_file,
    )
    from massage_trainer.domain.safety import Severity

    try:
        library = load_library()
    except ContentError as exc:
        print(f"error: the app's own content is broken: {exc}", file=sys.stderr)
        return 1
    failed = False
    for path in files:
        try:
            routine = load_routine_file(path)
        except ContentError as exc:
            print(f"{path}: {str(exc).removeprefix(path.name + ': ')}")
            failed = True
            continue
        problems = check_routine(routine, library)
        for problem in problems:
            where = f"step {problem.step}, " if problem.step is not None else ""
            label = "error" if problem.severity is Severity.ERROR else "warning"
            print(
                f"{path}: {where}field '{problem.field}': {label} [{problem.rule}]: "
                f"{problem.message}"
            )
            failed = failed or problem.severity is Severity.ERROR
        if not problems:
            print(f"{path}: valid ({routine.title}, {len(routine.steps)} steps)")
    return 1 if failed else 0


def _print_schema() -> int:
    import json

    from massage_trainer.domain.models import Routine

    print(json.dumps(Routine.model_json_schema(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
