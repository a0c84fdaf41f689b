"""UI preferences (motion, chime, speech, flash), persisted with QSettings."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Signal

_GROUP = "preferences"


class Preferences(QObject):
    """The user's UI preferences; each setter persists and emits only on a real change.

    Widgets take one shared instance in ``__init__`` and listen to its signals.
    """

    reduced_motion_changed = Signal(bool)
    chime_changed = Signal(bool)
    speech_changed = Signal(bool)
    flash_changed = Signal(bool)

    DEFAULTS: dict[str, bool] = {
        "reduced_motion": False,
        "chime": True,
        "speech": True,
        "flash": True,
    }

    def __init__(self, settings: QSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings if settings is not None else QSettings()
        self._values = {key: self._read(key, default) for key, default in self.DEFAULTS.items()}

    @property
    def settings(self) -> QSettings:
        """The QSettings the preferences are stored in."""
        return self._settings

    # -- properties -------------------------------------------------------------------

    @property
    def reduced_motion(self) -> bool:
        """Show static arrows instead of animating the technique's movement."""
        return self._values["reduced_motion"]

    @property
    def chime_enabled(self) -> bool:
        """Play a soft chime before a step ends and at each change."""
        return self._values["chime"]

    @property
    def speech_enabled(self) -> bool:
        """Speak the next step aloud at each change."""
        return self._values["speech"]

    @property
    def flash_enabled(self) -> bool:
        """Flash the timer panel briefly at each change."""
        return self._values["flash"]

    # -- setters ----------------------------------------------------------------------

    def set_reduced_motion(self, on: bool) -> None:
        if self._set("reduced_motion", on):
            self.reduced_motion_changed.emit(bool(on))

    def set_chime_enabled(self, on: bool) -> None:
        if self._set("chime", on):
            self.chime_changed.emit(bool(on))

    def set_speech_enabled(self, on: bool) -> None:
        if self._set("speech", on):
            self.speech_changed.emit(bool(on))

    def set_flash_enabled(self, on: bool) -> None:
        if self._set("flash", on):
            self.flash_changed.emit(bool(on))

    # -- storage ----------------------------------------------------------------------

    def _read(self, key: str, default: bool) -> bool:
        raw = self._settings.value(f"{_GROUP}/{key}", default)
        # Ini files give strings back ("true"/"false"); the native formats give bools.
        if isinstance(raw, str):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        return bool(raw)

    def _set(self, key: str, on: bool) -> bool:
        on = bool(on)
        if self._values[key] == on:
            return False
        self._values[key] = on
        self._settings.setValue(f"{_GROUP}/{key}", on)
        return True
