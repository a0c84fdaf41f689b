"""Render the app icon's PNG sizes from packaging/icons/massage-trainer.svg with Qt.

Run after editing the SVG, then commit the results:

    .venv/bin/python packaging/render_icons.py

Writes ``packaging/icons/hicolor/<N>x<N>/apps/massage-trainer.png`` for each size (the
freedesktop icon-theme layout, so installing is one copy), copies the SVG to
``hicolor/scalable``, and copies the PNGs to ``assets/icons/massage-trainer-<N>.png``:
the window icon the app itself loads (PNGs, so start-up needs no SVG library).
``--check`` only compares and exits 1 if anything is stale.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

SIZES = (32, 48, 64, 128, 256)
NAME = "massage-trainer"
HERE = Path(__file__).resolve().parent
SOURCE = HERE / "icons" / f"{NAME}.svg"
THEME = HERE / "icons" / "hicolor"
APP_ICONS = HERE.parent / "assets" / "icons"


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    """The icon at ``size`` x ``size`` pixels as PNG bytes (transparent corners)."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # The stubs ask for bytes here, but PySide6 6.11 accepts only str at run time.
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    buffer.close()
    return bytes(data.data())


def outputs() -> dict[Path, bytes]:
    """Every file this script writes, with its contents."""
    svg = SOURCE.read_bytes()
    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE.name}: Qt cannot read this SVG")
    files: dict[Path, bytes] = {}
    for n in SIZES:
        png = render_png(renderer, n)
        files[THEME / f"{n}x{n}" / "apps" / f"{NAME}.png"] = png
        files[APP_ICONS / f"{NAME}-{n}.png"] = png
    files[THEME / "scalable" / "apps" / f"{NAME}.svg"] = svg
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    _app = QGuiApplication.instance() or QGuiApplication([])  # QImage text/fonts need one
    stale = []
    for path, content in outputs().items():
        if path.is_file() and path.read_bytes() == content:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    for path in stale:
        verb = "stale" if args.check else "wrote"
        print(f"{verb}: {path.relative_to(HERE.parent)}")  # noqa: T201 (a command-line tool)
    del _app
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
