"""Start-up: the QApplication, loading content, and the main window."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from massage_trainer import __version__

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QWidget

    from massage_trainer.domain.content import ContentLibrary
    from massage_trainer.ui.main_window import MainWindow

_keep: list[object] = []

ORGANIZATION = "MassageTrainer"
APPLICATION = "massage-trainer"


OPENING_FALLBACK_MS = 300
"""Fill the window in after this long even if no paint has come (e.g. started minimised)."""


def _load() -> ContentLibrary:
    from massage_trainer.domain.content import load_user_library

    return load_user_library()


def window_icon() -> QIcon:
    """The app's icon at every size it ships (PNGs rendered from the SVG by
    packaging/render_icons.py, so start-up never loads Qt's SVG library)."""
    from PySide6.QtGui import QIcon

    from massage_trainer.domain.paths import assets_dir

    icon = QIcon()
    for png in sorted((assets_dir() / "icons").glob("massage-trainer-*.png")):
        icon.addFile(str(png))
    return icon


def _application(argv: Sequence[str]) -> None:
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is not None:
        return
    app = QApplication([sys.argv[0] if sys.argv else APPLICATION, *argv])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Massage Trainer")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(window_icon())
    # Wayland matches windows to packaging/<this id>.desktop for their icon and name.
    app.setDesktopFileName("io.github.massage_trainer.MassageTrainer")
    _keep.append(app)  # the application must outlive this function


def start(qt_args: Sequence[str] = (), routine_id: str | None = None) -> MainWindow:
    """Show the main window at once; fill it in as soon as it has been painted.

    The content, its models and the session widgets load after the first paint, so the
    window appears as fast as an empty one would. Content that cannot be loaded, or an
    unknown ``routine_id``, ends the event loop with exit code 1 and says why. The app
    calls this, and runs its event loop, inside ``without_source_scan()`` (see
    :func:`run`).
    """
    from PySide6.QtCore import Qt, QTimer

    _application(qt_args)
    from massage_trainer.ui.main_window import MainWindow

    window = MainWindow(None)
    attempted = False

    def fill_in() -> None:
        nonlocal attempted
        if attempted or not window.isVisible():
            return  # once only (the paint and the fallback both call), not once closed
        attempted = True
        from massage_trainer.domain.content import ContentError

        try:
            library = _load()
        except ContentError as exc:
            _cannot_start(window, str(exc))
            return
        except Exception as exc:  # never leave the window at "Opening the routines..."
            _cannot_start(window, _unexpected(exc))
            return
        problem = _unknown_routine(library, routine_id) if routine_id else None
        if problem is not None:
            print(problem, file=sys.stderr)  # for the terminal that named the routine
            _cannot_start(window, problem)  # and for a launcher or a script's window
            return
        try:
            window.populate(library, routine_id)
        except Exception as exc:
            _cannot_start(window, _unexpected(exc))
            return
        from massage_trainer.ui.history_recorder import check_history_at_start

        # Only here, never in --smoke-test or --screenshot: it may ask a question.
        check_history_at_start(window, window.history_recorder)
        # After its questions, if any, the session keys must work at once; at the very
        # first start, the getting-started guide opens beside the window.
        window.activateWindow()
        window.welcome_if_new()

    # Queued: the paint finishes and reaches the screen before the loading starts.
    window.first_painted.connect(fill_in, Qt.ConnectionType.QueuedConnection)
    QTimer.singleShot(OPENING_FALLBACK_MS, window, fill_in)
    window.show()
    return window


def _image_format(path: Path) -> str:
    """The image format the file's name asks for (".jpg" a JPEG), PNG when it names
    none that Qt can write."""
    from PySide6.QtGui import QImageWriter

    wanted = path.suffix.lstrip(".").lower()
    writable = {
        bytes(name.data()).decode().lower() for name in QImageWriter.supportedImageFormats()
    }
    return wanted.upper() if wanted in writable else "PNG"


def _cannot_start(window: QWidget, message: str) -> None:
    """Say why the window cannot be filled in, then end the event loop with exit code 1."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    QMessageBox.critical(window, "Massage Trainer cannot start", message)
    QApplication.exit(1)


def _unexpected(exc: Exception) -> str:
    """The message for a failure nobody planned for; the details go to standard error."""
    import traceback

    traceback.print_exception(exc, file=sys.stderr)
    return (
        f"Something went wrong while opening: {type(exc).__name__}: {exc}\n\n"
        "Nothing you saved was changed. Details were written to the terminal; please "
        "include them if you report this."
    )


def run(qt_args: Sequence[str] = (), routine_id: str | None = None) -> int:
    """Open the main window and run until it is closed."""
    from PySide6.QtWidgets import QApplication

    from massage_trainer.ui.import_scan import without_source_scan

    # Every import from here on (the content, the widgets, features opened later) skips
    # PySide6's scan of each imported module's source: see ui/import_scan.py.
    with without_source_scan():
        window = start(qt_args, routine_id)
        code = QApplication.exec()
    if window.populated:
        # Closed, not crashed: closing the history folds its WAL into the file and
        # removes it, so the next start takes the quick check (see domain/history.py).
        window.history_recorder.store.close()
    del window
    return code


def _unknown_routine(library: ContentLibrary, routine_id: str) -> str | None:
    """What to say when ``routine_id`` names no routine (None when it names one)."""
    if routine_id in library.routines:
        return None
    known = ", ".join(library.routines)
    return f"massage-trainer: no routine '{routine_id}' (known: {known})"


def _offscreen_window(settings_dir: str, routine_id: str | None = None) -> MainWindow:
    """The main window, offscreen, showing ``routine_id`` (SystemExit naming the known
    routines when there is no such routine)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    _application(())
    from massage_trainer.domain.history import HistoryStore
    from massage_trainer.ui.main_window import MainWindow

    library = _load()
    problem = _unknown_routine(library, routine_id) if routine_id else None
    if problem is not None:
        raise SystemExit(problem)
    settings = QSettings(str(Path(settings_dir) / "settings.ini"), QSettings.Format.IniFormat)
    # A throwaway history too: smoke tests and screenshots never touch the user's.
    history = HistoryStore(Path(settings_dir) / "history.sqlite3")
    return MainWindow(library, settings=settings, history=history, routine_id=routine_id)


def smoke_test() -> int:
    """Load all content and build the main window offscreen. 0 when all is well."""
    import tempfile
    import traceback

    try:
        with tempfile.TemporaryDirectory() as tmp:
            window = _offscreen_window(tmp)
            library = window.controller.library
            window.show()
            from PySide6.QtWidgets import QApplication

            QApplication.processEvents()
            window.close()
    except Exception as exc:  # report anything, exit 1
        print(f"smoke test failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        traceback.print_exc(limit=3, file=sys.stderr)
        return 1
    for problem in library.problems:
        print(f"warning: a routine file was not loaded: {problem.message}", file=sys.stderr)
    print(
        f"smoke test passed: {len(library.zones)} zones, {len(library.techniques)} techniques, "
        f"{len(library.routines)} routines"
    )
    return 0


def screenshot(path: Path, routine_id: str | None, step: int | None, size: str) -> int:
    """Render the main window offscreen to an image file (PNG unless its name says
    otherwise, e.g. ".jpg")."""
    try:
        width, height = (int(v) for v in size.lower().split("x"))
    except ValueError:
        print(f"massage-trainer: --size must look like 1440x900, not {size!r}", file=sys.stderr)
        return 2
    import tempfile

    from massage_trainer.domain.content import ContentError

    with tempfile.TemporaryDirectory() as tmp:
        try:
            window = _offscreen_window(tmp, routine_id)
        except ContentError as exc:
            print(f"massage-trainer: {exc}", file=sys.stderr)
            return 1
        if step is not None:
            controller = window.controller
            routine = controller.routine
            count = len(routine.steps) if routine is not None else 0
            if not 1 <= step <= count:
                print(f"massage-trainer: --step must be 1 to {count}", file=sys.stderr)
                return 2
            controller.select_step(step - 1)
        window.resize(width, height)
        window.show()
        from PySide6.QtWidgets import QApplication

        for _ in range(3):
            QApplication.processEvents()
        image = window.grab()
        if not image.save(str(path), _image_format(path)):
            print(f"massage-trainer: could not write {path}", file=sys.stderr)
            return 1
        window.close()
    print(f"saved {path}")
    return 0
