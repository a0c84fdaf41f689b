"""One measured start-up process: the floor or the app, up to its painted window.

Kept apart from the rest of the benchmarks so that both sides import nothing more than
the standard library's smallest pieces before they start.

    python -m benchmarks._startup_child floor|floor-model|app

Prints ``painted <peak MiB>`` the moment the window has first been painted, then
``ready <peak MiB>`` once it is complete and painted again: every panel built, content
loaded. An empty QMainWindow is complete at its first paint.
"""

from __future__ import annotations

import importlib
import resource
import sys
import time
from collections.abc import Callable

PAINTED = "painted"
READY = "ready"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report(what: str) -> None:
    print(f"{what} {peak_rss_mib():.3f}", flush=True)


def _wait_for_paint(window: object, done: Callable[[], bool] = lambda: True) -> None:
    """Process events until the window has been painted at a moment when ``done()`` held.

    One backing-store sync paints the window and all its children before it returns.
    """
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QWidget

    assert isinstance(window, QWidget)

    class PaintSpy(QObject):
        painted = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and done():
                self.painted = True
            return False

    spy = PaintSpy()
    window.installEventFilter(spy)
    window.show()
    deadline = time.monotonic() + 30
    while not spy.painted and time.monotonic() < deadline:
        QApplication.processEvents()
    window.removeEventFilter(spy)
    if not spy.painted:
        raise RuntimeError("the window was never painted")


def child_floor(build_model: bool = False) -> None:
    import pydantic  # noqa: F401  (the floor pays for importing pydantic too)
    from pydantic import BaseModel  # (the lazy import makes this the real one)
    from PySide6.QtWidgets import QApplication, QMainWindow

    if build_model:
        # pydantic 2 imports most of itself only when the first model class is built
        # (fields, types, the plugin loader): a floor that has used pydantic once.
        class One(BaseModel):
            value: int

        One(value=1)

    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.setWindowTitle("floor")
    window.resize(1440, 900)
    _wait_for_paint(window)
    _report(PAINTED)
    _report(READY)
    del window, app


def child_app() -> None:
    # What the massage-trainer command runs (cli.main -> app.run), with the event loop
    # replaced by the two waits.
    from massage_trainer import app as app_module
    from massage_trainer import cli  # noqa: F401
    from massage_trainer.ui.import_scan import without_source_scan

    importlib.import_module("PySide6.QtWidgets")  # app.run imports it before the rest
    with without_source_scan():
        window = app_module.start(())
        _wait_for_paint(window)
        _report(PAINTED)
        _wait_for_paint(window, lambda: window.populated)
        _report(READY)
        window.close()


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else ""
    if kind == "app":
        child_app()
    elif kind in ("floor", "floor-model"):
        child_floor(build_model=kind == "floor-model")
    else:
        raise SystemExit("usage: python -m benchmarks._startup_child floor|floor-model|app")


if __name__ == "__main__":
    main()
