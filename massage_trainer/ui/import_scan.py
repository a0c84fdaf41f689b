"""Importing many modules after PySide6 without PySide6 reading each one's source.

Once PySide6 is imported, it replaces ``builtins.__import__`` with its own function so
that modules can opt in to its ``__feature__`` switches (snake_case, true_property).
After every import that function reads the new module's whole source through
``inspect.getsource`` to look for the word "PySide6", and ``linecache`` keeps every
line it read. At start-up that is about 130 modules (pydantic's, the standard library's
and ours): 10–15 ms and about 6 MiB that stay in memory. Massage Trainer never uses
``__feature__``, so while the content and the session widgets load, imports go straight
to the import function PySide6 keeps underneath. Unknown PySide6 versions (no
``__orig_import__``) are left alone.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without_source_scan() -> Iterator[None]:
    """Within the block, imports skip PySide6's per-module source scan."""
    current = builtins.__import__
    underneath = getattr(builtins, "__orig_import__", None)
    if underneath is None or getattr(current, "__name__", "") != "__feature_import__":
        yield
        return
    builtins.__import__ = underneath
    try:
        yield
    finally:
        builtins.__import__ = current
