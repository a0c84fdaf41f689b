"""Audible, spoken and visual cues for the session, for hands busy with a massage.

``CuePlayer`` listens to ``SessionController.cue``. It plays a soft chime
(QSoundEffect), speaks the next step (QTextToSpeech) and asks for a visual flash;
each can be switched off in :class:`Preferences`. Qt Multimedia and Qt TextToSpeech
are imported only when the first cue needs them: they are slow to load and start-up
time is measured. Without an audio device or a speech engine the player says so once
(``unavailable``) and goes on with the visual cues. A speech engine that starts on a
machine with no sound device goes on speaking (it may have its own way out), but the
player says once that it may not be heard.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QUrl, Signal

from massage_trainer.domain.paths import assets_dir
from massage_trainer.ui.controller import SessionController
from massage_trainer.ui.preferences import Preferences

CHIME_FILES = {
    "warning": "warning.wav",
    "start": "change.wav",
    "go": "change.wav",
    "change": "change.wav",
    "finish": "finish.wav",
    "checkin": "warning.wav",
}
"""The sound file for each cue kind (in ``assets/sounds``)."""

SPOKEN_KINDS = frozenset({"start", "change", "finish", "checkin"})
"""Cue kinds that are read aloud; the warning is only a chime, to keep speech sparse."""

FLASH_KINDS = frozenset({"start", "go", "change", "finish", "checkin"})
"""Cue kinds that flash; "go" is the end of the get-ready countdown, when the first
step's time starts (the hands go to work now)."""

CHIME_VOLUME = 0.6

# Written shorthand a speech engine would read out oddly ("s" as the letter, "·" as
# "middle dot"), in the order they are replaced. Routine titles come from users' files.
_SPOKEN_FORMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"(\d)\s*[–—-]\s*(\d)", r"\1 to \2"),  # 22–25 °C, 2-3 min
        (r"(\d)\s*[×x]\s*(\d)", r"\1 times \2"),  # 3 × 30 s
        (r"\s*×\s*", " times "),  # × 3
        (r"(\d)-(?:s|sec)\b", r"\1-second"),  # a 30-s hold
        (r"(\d)-min\b", r"\1-minute"),  # a 10-min routine
        (r"\b1\s*(?:s|sec)\b", "1 second"),
        (r"(\d)\s*(?:s|sec|secs)\b", r"\1 seconds"),
        (r"\b1\s*min\b", "1 minute"),
        (r"(\d)\s*(?:min|mins)\b", r"\1 minutes"),
        (r"(\d)\s*°\s*C\b", r"\1 degrees"),
        (r"(\d)\s*%", r"\1 percent"),
        (r"\s*&\s*", " and "),
        (r"\s*[·•|]\s*", ", "),
        (r"\s+[–—-]\s+", ", "),
        (r"…|\.\.\.", "."),
        (r"[^\w\s.,;:!?'’()\"“”/+-]", " "),  # arrows, ticks, warning signs: not read
        (r"\s+([.,;:!?])", r"\1"),
        (r"([.,;:!?])(?:\s*[.,;:])+", r"\1"),
        (r"\s{2,}", " "),
    )
)


def spoken_text(text: str) -> str:
    """``text`` as it should be read aloud: units, symbols and dashes in words.

    "Neck & shoulders · 2 × 30 s – gentle" becomes "Neck and shoulders, 2 times 30
    seconds, gentle".
    """
    for pattern, replacement in _SPOKEN_FORMS:
        text = pattern.sub(replacement, text)
    return text.strip()


class CueUnavailable(Exception):
    """A cue cannot be given on this machine (no audio device, no speech engine)."""


class Chime(Protocol):
    def play(self) -> None: ...


class Speaker(Protocol):
    def say(self, text: str) -> None: ...

    def stop(self) -> None: ...


SoundFactory = Callable[[Path], Chime]
"""Makes a playable sound from a file; raises when sound cannot be played."""
SpeechFactory = Callable[[str | None], Speaker]
"""Makes a speaker for an engine name (None: the platform's default); raises if none."""

SILENT_ENGINES = frozenset({"mock"})
"""Speech engines that make no sound by design (Qt's test engine): they need no device."""


def sounds_dir() -> Path:
    return assets_dir() / "sounds"


def qt_audio_output_found() -> bool:
    """Whether Qt Multimedia sees any sound output device."""
    from PySide6.QtMultimedia import QMediaDevices

    return bool(QMediaDevices.audioOutputs())


def qt_sound_factory(path: Path) -> Chime:
    """A QSoundEffect for ``path``; raises CueUnavailable without an audio output."""
    from PySide6.QtMultimedia import QSoundEffect

    if not qt_audio_output_found():
        raise CueUnavailable("no audio output was found")
    if not path.is_file():
        raise CueUnavailable(f"the sound file {path.name} is missing")
    effect = QSoundEffect()
    effect.setSource(QUrl.fromLocalFile(str(path)))
    effect.setVolume(CHIME_VOLUME)
    return effect


def qt_speech_factory(engine: str | None) -> Speaker:
    """A QTextToSpeech on ``engine`` (or the default); raises CueUnavailable if it fails."""
    from PySide6.QtTextToSpeech import QTextToSpeech

    speech = QTextToSpeech(engine) if engine else QTextToSpeech()
    if speech.state() == QTextToSpeech.State.Error:
        speech.deleteLater()
        named = f" called {engine!r}" if engine else ""
        raise CueUnavailable(f"no speech engine{named} is available")
    return speech


class CuePlayer(QObject):
    """Turns the controller's cues into a chime, a spoken line and a flash request."""

    unavailable = Signal(str)
    """A one-time message that chimes or speech cannot work, or cannot be heard, here
    (for the status bar).

    The visual cues always go on; the listener says so if it wants to."""
    flash_requested = Signal(str)
    """The cue kind; a widget listening flashes briefly (only when flashing is on)."""
    spoken = Signal(str)
    """The text just handed to the speech engine."""

    def __init__(
        self,
        controller: SessionController,
        preferences: Preferences,
        *,
        speech_engine: str | None = None,
        sound_factory: SoundFactory | None = None,
        speech_factory: SpeechFactory | None = None,
        audio_output_found: Callable[[], bool] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._preferences = preferences
        self._speech_engine = speech_engine
        self._sound_factory: SoundFactory = sound_factory or qt_sound_factory
        self._speech_factory: SpeechFactory = speech_factory or qt_speech_factory
        # Only Qt's own engines play through the machine's sound devices; a speaker made
        # by another factory is asked about nothing unless a check is given with it.
        self._audio_output_found = audio_output_found or (
            qt_audio_output_found if speech_factory is None else _assume_heard
        )
        self._chimes: dict[str, Chime] = {}
        self._speaker: Speaker | None = None
        self._chime_failed = False
        self._speech_failed = False
        controller.cue.connect(self._on_controller_cue)
        preferences.speech_changed.connect(self._on_preferences_speech_changed)

    @property
    def chime_available(self) -> bool:
        """False once chimes were found not to work here."""
        return not self._chime_failed

    @property
    def speech_available(self) -> bool:
        """False once speech was found not to work here."""
        return not self._speech_failed

    @property
    def speaker(self) -> Speaker | None:
        """The speech engine, once the first spoken cue created it."""
        return self._speaker

    def _on_controller_cue(self, kind: str, text: str) -> None:
        # The visual cue first: it never fails, and it must not wait on audio set-up.
        if kind in FLASH_KINDS and self._preferences.flash_enabled:
            self.flash_requested.emit(kind)
        if self._preferences.chime_enabled:
            self._chime(kind)
        if kind in SPOKEN_KINDS and self._preferences.speech_enabled:
            self._say(text)

    def _on_preferences_speech_changed(self, on: bool) -> None:
        if not on and self._speaker is not None:
            self._speaker.stop()

    def _chime(self, kind: str) -> None:
        if self._chime_failed:
            return
        file_name = CHIME_FILES.get(kind)
        if file_name is None:
            return
        chime = self._chimes.get(file_name)
        if chime is None:
            try:
                chime = self._sound_factory(sounds_dir() / file_name)
            except Exception as exc:  # any failure of the sound system: degrade, report once
                self._chime_failed = True
                self.unavailable.emit(f"Chimes are off: {_reason(exc)}.")
                return
            if isinstance(chime, QObject) and chime.parent() is None:
                chime.setParent(self)
            self._chimes[file_name] = chime
        chime.play()

    def _on_speaker_error(self, _reason: object = None, error_string: object = "") -> None:
        if self._speech_failed:
            return
        self._speech_failed = True
        self.unavailable.emit(f"Spoken cues are off: {_speech_error_text(error_string)}.")

    def _say(self, text: str) -> None:
        if self._speech_failed:
            return
        if self._speaker is None:
            try:
                self._speaker = self._speech_factory(self._speech_engine)
            except Exception as exc:  # no engine, missing library, ...: degrade, report once
                self._speech_failed = True
                self.unavailable.emit(f"Spoken cues are off: {_reason(exc)}.")
                return
            if isinstance(self._speaker, QObject):
                if self._speaker.parent() is None:
                    self._speaker.setParent(self)
                # An engine can also fail later (its service stops): report that once too.
                error_signal = getattr(self._speaker, "errorOccurred", None)
                if error_signal is not None:
                    error_signal.connect(self._on_speaker_error)
            self._warn_if_unheard()
        # A new step makes the previous announcement stale: cut it off.
        text = spoken_text(text)
        self._speaker.stop()
        self._speaker.say(text)
        self.spoken.emit(text)

    def _warn_if_unheard(self) -> None:
        if self._speech_engine in SILENT_ENGINES:
            return
        try:
            found = self._audio_output_found()
        except Exception:  # the multimedia libraries themselves are missing
            found = False
        if not found:
            self.unavailable.emit(
                "Spoken cues may not be heard: no sound device was found. "
                "The steps are still shown on screen."
            )


def _assume_heard() -> bool:
    return True


def _speech_error_text(error_string: object) -> str:
    text = str(error_string or "").strip().rstrip(".")
    return text or "the speech engine stopped working"


def _reason(exc: Exception) -> str:
    text = str(exc).strip().rstrip(".")
    if isinstance(exc, ImportError):
        return "the system's audio or speech libraries are missing"
    return text[:1].lower() + text[1:] if text else type(exc).__name__
