"""One measured start-up process: the floor or the app, up to its first painted window.

Kept apart from the rest of the benchmarks so that both sides import nothing more than
the standard library's smallest pieces before they start.

    python -m benchmarks._startup_child floor|app

Prints ``painted`` the moment the window has been painted, then a JSON line with the
process's peak memory.
"""

from __future__ import annotations

import json
import resource
import sys
import time

PAINTED = "painted"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _wait_for_first_paint(window: object) -> None:
    """Process events until the window has been painted once (whole tree, one sync)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QWidget

    assert isinstance(window, QWidget)

    class PaintSpy(QObject):
        painted = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                self.painted = True
            return False

    spy = PaintSpy()
    window.installEventFilter(spy)
    window.show()
    deadline = time.monotonic() + 30
    # One backing-store sync paints the window and all its children before it returns.
    while not spy.painted and time.monotonic() < deadline:
        QApplication.processEvents()
    window.removeEventFilter(spy)
    if not spy.painted:
        raise RuntimeError("the window was never painted")


def child_floor() -> None:
    import pydantic  # noqa: F401  (the floor pays for importing pydantic too)
    from pydantic import BaseModel  # noqa: F401  (the lazy import makes this the real one)
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.setWindowTitle("floor")
    window.resize(1440, 900)
    _wait_for_first_paint(window)
    print(PAINTED, flush=True)
    print(json.dumps({"peak_rss_mib": peak_rss_mib()}), flush=True)
    del window, app


def child_app() -> None:
    from massage_trainer import app as app_module

    app_module._application(())
    library = app_module._load()
    from massage_trainer.ui.history_recorder import check_history_at_start
    from massage_trainer.ui.main_window import MainWindow

    window = MainWindow(library)
    _wait_for_first_paint(window)
    check_history_at_start(window, window.history_recorder)
    print(PAINTED, flush=True)
    print(json.dumps({"peak_rss_mib": peak_rss_mib()}), flush=True)
    window.close()


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else ""
    if kind not in ("floor", "app"):
        raise SystemExit("usage: python -m benchmarks._startup_child floor|app")
    (child_floor if kind == "floor" else child_app)()


if __name__ == "__main__":
    main()
