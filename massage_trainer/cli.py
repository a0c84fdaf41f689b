"""The ``massage-trainer`` command: opens the app, or runs one of the text commands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from massage_trainer import __version__

if TYPE_CHECKING:
    pass

QT_FLAG_OPTIONS = frozenset({"reverse", "widgetcount", "nograb", "dograb", "sync"})
QT_VALUE_OPTIONS = frozenset(
    {
        "platform",
        "platformpluginpath",
        "platformtheme",
        "plugin",
        "qwindowgeometry",
        "qwindowicon",
        "qwindowtitle",
        "qmljsdebugger",
        "session",
        "style",
        "stylesheet",
        "display",
        "geometry",
        "name",
        "title",
    }
)
"""Qt's own command-line options (one dash or two), handed to the window's QApplication.
A session manager restores the app with ``-session ID``, so values may follow a space."""

DEFAULT_SIZE = "1440x900"
MAX_SIDE = 16384
"""The largest --size side: a 16384 x 16384 screenshot takes about 3 GB and 12 s."""


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
    parser.add_argument(
        "--routine", metavar="ID", help="the routine to open (an id from: massage-trainer routines)"
    )
    parser.add_argument(
        "--step", metavar="N", type=int, help="with --screenshot: show step N (1 = first)"
    )
    parser.add_argument(
        "--size",
        metavar="WxH",
        type=_window_size,
        help=f"with --screenshot: window size in pixels (default {DEFAULT_SIZE})",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("routines", help="list the routines: id, title, steps, minutes")
    validate = sub.add_parser(
        "validate",
        help="check routine files against the schema and the safety rules",
        description="Check routine files against the schema and the safety rules: one line "
        "per problem, naming the file, the step and the field. Exit status 0 when every file "
        "is valid (warnings allowed), 1 when any is refused.",
    )
    validate.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="a routine file (.json), or a folder: every .json file in it",
    )
    sub.add_parser("schema", help="print the routine file's JSON Schema")
    handout = sub.add_parser(
        "handout",
        help="write a routine's printable handout as a PDF",
        description="Write a routine's printable handout as a PDF. Exit status 0 when it is "
        "written, 1 for an unknown routine or a file that cannot be written, 2 for an "
        "unknown page size.",
    )
    handout.add_argument(
        "routine_id", metavar="ROUTINE_ID", help="an id from: massage-trainer routines"
    )
    handout.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="FILE.pdf",
        help="the PDF to write (a file of that name is replaced)",
    )
    handout.add_argument(
        "--page-size", default="A4", metavar="A4|Letter", help="paper size (default A4)"
    )
    return parser


def _window_size(text: str) -> str:
    """``--size``: two whole numbers joined by x, each 1 to MAX_SIDE."""
    width, _, height = text.lower().partition("x")
    sides = [int(side) for side in (width, height) if side.isdecimal()]
    if len(sides) != 2 or not all(1 <= side <= MAX_SIDE for side in sides):
        raise argparse.ArgumentTypeError(
            f"must be a width and a height in pixels, each 1 to {MAX_SIDE}, "
            f"like {DEFAULT_SIZE}; not {text!r}"
        )
    return f"{sides[0]}x{sides[1]}"


def split_qt_args(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """The arguments for this command, and Qt's own options (with their values)."""
    ours: list[str] = []
    qt: list[str] = []
    rest = iter(argv)
    for arg in rest:
        if arg == "--":
            ours += [arg, *rest]
            break
        name, equals, _ = arg.removeprefix("-").removeprefix("-").partition("=")
        if not arg.startswith("-") or arg == "-":
            ours.append(arg)
        elif name in QT_FLAG_OPTIONS and not equals:
            qt.append(arg)
        elif name in QT_VALUE_OPTIONS:
            qt.append(arg)
            if not equals:
                qt += [value for value in [next(rest, None)] if value is not None]
        else:
            ours.append(arg)
    return ours, qt


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except BrokenPipeError:
        # The reader went away (`massage-trainer schema | head`): stop quietly, as cat
        # does; what is still buffered goes nowhere instead of failing again at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: Sequence[str]) -> int:
    parser = build_parser()
    ours, qt_args = split_qt_args(argv)
    args, unknown = parser.parse_known_args(ours)
    if unknown:
        # Without this, a mistyped option (--verison, -v) would silently open the window.
        hint = _did_you_mean(parser, unknown[0])
        parser.error(f"unrecognised arguments: {' '.join(unknown)}{hint}")
    if args.command is not None and qt_args:
        parser.error(f"unrecognised arguments: {' '.join(qt_args)}")
    if args.screenshot is None and (args.step is not None or args.size is not None):
        parser.error("--step and --size work only with --screenshot FILE")
    if args.command == "routines":
        return _list_routines()
    if args.command == "validate":
        return _validate(args.files)
    if args.command == "schema":
        return _print_schema()
    if args.command == "handout":
        problem = _unwritable(args.output)
        if problem:
            print(f"error: cannot write {args.output}: {problem}", file=sys.stderr)
            return 1
        from massage_trainer.ui.handout import handout_command

        return handout_command(args.routine_id, args.output, args.page_size)

    from massage_trainer import app  # Qt is imported only for the window.

    if args.smoke_test:
        return app.smoke_test()
    if args.screenshot is not None:
        return app.screenshot(args.screenshot, args.routine, args.step, args.size or DEFAULT_SIZE)
    return app.run(qt_args, routine_id=args.routine)


def _unwritable(path: Path) -> str:
    """Why a file cannot be written at ``path`` before trying ("" when it may be)."""
    if path.is_dir():
        return "it is a folder; give a file name, such as handout.pdf"
    folder = path.parent
    if not folder.is_dir():
        return (
            f"there is no folder {folder}" if not folder.exists() else f"{folder} is not a folder"
        )
    return ""


def _did_you_mean(parser: argparse.ArgumentParser, unknown: str) -> str:
    """The hint for a mistyped option, such as " (did you mean --version?)", or ""."""
    import difflib

    options = [name for action in parser._actions for name in action.option_strings]
    name = unknown.split("=", 1)[0]
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


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
    for path in _routine_files(files):
        if path.is_dir():
            print(f"{path}: a folder with no .json files in it")
            failed = True
            continue
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
                f"{problem.text or problem.message}"
            )
            failed = failed or problem.severity is Severity.ERROR
        if not any(problem.severity is Severity.ERROR for problem in problems):
            warnings = {0: "", 1: ", 1 warning"}.get(len(problems), f", {len(problems)} warnings")
            print(f"{path}: valid ({routine.title}, {len(routine.steps)} steps{warnings})")
    return 1 if failed else 0


def _routine_files(paths: Sequence[Path]) -> list[Path]:
    """The paths, with a folder replaced by the .json files in it (a folder with none
    stays, to be reported)."""
    files: list[Path] = []
    for path in paths:
        inside = sorted(path.glob("*.json")) if path.is_dir() else []
        files += inside or [path]
    return files


def _print_schema() -> int:
    import json

    from massage_trainer.domain.models import Routine

    print(json.dumps(Routine.model_json_schema(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
