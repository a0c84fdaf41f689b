"""Fixtures shared by the widget tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from massage_trainer.ui.preferences import Preferences


@pytest.fixture
def preferences(tmp_path: Path) -> Preferences:
    """UI preferences kept in a throwaway ini file, never the user's settings."""
    return Preferences(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
