"""The Qt-free core: content models, safety rules, content loading and the session engine.

Nothing in this package may import PySide6 (a ruff rule enforces it), so it can be
tested and reused without a display.
"""
