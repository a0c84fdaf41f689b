"""Shared test setup: offscreen Qt, user data in a temporary folder, content, a fake clock."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# Before anything imports Qt: no window ever appears, and tests run without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from massage_trainer.domain.session import FakeClock  # noqa: E402

if TYPE_CHECKING:
    from massage_trainer.domain.content import ContentLibrary


@pytest.fixture(autouse=True)
def _user_data_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's user data (routines, history) in its own temporary folder."""
    monkeypatch.setenv("MASSAGE_TRAINER_DATA_DIR", str(tmp_path / "user-data"))


@pytest.fixture(scope="session")
def library() -> ContentLibrary:
    """The app's real content, loaded once for the whole run."""
    from massage_trainer.domain.content import load_library

    return load_library()


@pytest.fixture
def fake_clock() -> FakeClock:
    """A clock that moves only when the test says so."""
    return FakeClock(start=1000.0)
