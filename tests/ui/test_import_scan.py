"""Imports inside without_source_scan() are not read for their source by PySide6."""

from __future__ import annotations

import builtins
import importlib
import linecache
import sys
from pathlib import Path

import PySide6.QtCore  # noqa: F401  (installs PySide6's import function)
import pytest

from massage_trainer.ui.import_scan import without_source_scan


@pytest.fixture
def fresh_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("scan_probe_outside", "scan_probe_inside"):
        (tmp_path / f"{name}.py").write_text("VALUE = 1\n", encoding="utf-8")
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    return tmp_path


def test_imports_inside_skip_the_source_scan_and_outside_do_not(fresh_modules: Path) -> None:
    linecache.clearcache()
    __import__("scan_probe_outside")
    # The scan is there to begin with: PySide6 read the module's source into linecache.
    assert str(fresh_modules / "scan_probe_outside.py") in linecache.cache
    hook = builtins.__import__
    with without_source_scan():
        module = __import__("scan_probe_inside")
    assert module.VALUE == 1
    assert str(fresh_modules / "scan_probe_inside.py") not in linecache.cache
    assert builtins.__import__ is hook  # PySide6's import function is back afterwards


def test_the_import_function_comes_back_after_an_error() -> None:
    hook = builtins.__import__
    with pytest.raises(ModuleNotFoundError), without_source_scan():
        __import__("no_such_module_anywhere")
    assert builtins.__import__ is hook
