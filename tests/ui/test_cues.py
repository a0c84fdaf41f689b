"""Cues: chime, speech and flash, each switchable, degrading without audio or speech."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.session import FakeClock
from massage_trainer.ui.controller import GET_READY_S, SessionController
from massage_trainer.ui.cues import (
    CHIME_FILES,
    CuePlayer,
    CueUnavailable,
    Speaker,
    sounds_dir,
    spoken_text,
)
from massage_trainer.ui.preferences import Preferences
from massage_trainer.ui.timer_panel import TimerPanel

ROUTINE = "classic-home"


class FakeChime:
    def __init__(self, path: Path, log: list[str]) -> None:
        self.path = path
        self.log = log

    def play(self) -> None:
        self.log.append(self.path.name)


class FakeSpeaker:
    def __init__(self) -> None:
        self.said: list[str] = []
        self.stops = 0

    def say(self, text: str) -> None:
        self.said.append(text)

    def stop(self) -> None:
        self.stops += 1


def no_audio(_path: Path) -> FakeChime:
    raise CueUnavailable("no audio output device was found")


def no_speech(_engine: str | None) -> Speaker:
    raise ImportError("libspeech.so: cannot open shared object file")


@pytest.fixture
def controller(library: ContentLibrary, fake_clock: FakeClock) -> SessionController:
    controller = SessionController(library, fake_clock)
    controller.load_routine(ROUTINE)
    return controller


def run_first_step(controller: SessionController, clock: FakeClock) -> None:
    controller.start()
    clock.advance(GET_READY_S)
    controller.tick()


def test_mock_speech_engine_announces_the_next_step(
    qtbot: Any, controller: SessionController, preferences: Preferences, fake_clock: FakeClock
) -> None:
    tts = pytest.importorskip("PySide6.QtTextToSpeech")
    if "mock" not in tts.QTextToSpeech.availableEngines():
        pytest.skip("Qt's mock speech engine is not installed")
    chimes: list[str] = []
    player = CuePlayer(
        controller,
        preferences,
        speech_engine="mock",
        sound_factory=lambda path: FakeChime(path, chimes),
    )
    spoken: list[str] = []
    player.spoken.connect(spoken.append)
    run_first_step(controller, fake_clock)
    controller.next_step()
    speaker = player.speaker
    assert isinstance(speaker, tts.QTextToSpeech)
    assert speaker.engine() == "mock"
    # The engine took the text: it is speaking now.
    assert speaker.state() == tts.QTextToSpeech.State.Speaking
    expected = f"Now: {controller.describe_step(1)}"
    assert spoken[-1] == expected
    assert spoken[0].startswith("Starting: ")
    with qtbot.waitSignal(speaker.sayingWord, timeout=5000) as blocker:
        pass
    assert blocker.args[0] in expected.replace(":", " ").replace(",", " ").split()
    assert chimes == ["change.wav", "change.wav", "change.wav"]  # start, go, change


def test_each_cue_kind_has_its_chime_and_speech_is_sparse(
    controller: SessionController, preferences: Preferences, fake_clock: FakeClock
) -> None:
    chimes: list[str] = []
    speaker = FakeSpeaker()
    player = CuePlayer(
        controller,
        preferences,
        sound_factory=lambda path: FakeChime(path, chimes),
        speech_factory=lambda _engine: speaker,
    )
    run_first_step(controller, fake_clock)
    fake_clock.advance(controller.step(0).duration_s - 4.5)
    controller.tick()  # a few seconds left: warning chime, nothing spoken
    assert chimes == ["change.wav", "change.wav", "warning.wav"]
    assert len(speaker.said) == 1
    controller.finish()
    assert chimes[-1] == "finish.wav"
    assert speaker.said[-1].endswith("let them rest for 15 minutes.")
    assert speaker.stops == len(speaker.said)  # each line cuts off a stale one
    for name in CHIME_FILES.values():
        assert (sounds_dir() / name).is_file()
    assert player.chime_available


def test_without_audio_or_speech_it_says_so_once_and_still_flashes(
    qtbot: Any, controller: SessionController, preferences: Preferences, fake_clock: FakeClock
) -> None:
    player = CuePlayer(controller, preferences, sound_factory=no_audio, speech_factory=no_speech)
    panel = TimerPanel(controller, preferences)
    qtbot.addWidget(panel)
    player.flash_requested.connect(panel.flash)
    messages: list[str] = []
    flashes: list[str] = []
    player.unavailable.connect(messages.append)
    player.flash_requested.connect(flashes.append)

    run_first_step(controller, fake_clock)
    controller.next_step()
    controller.next_step()
    controller.next_step()

    assert len(messages) == 2
    assert messages[0] == "Chimes are off: no audio output device was found."
    assert messages[1] == (
        "Spoken cues are off: the system's audio or speech libraries are missing."
    )
    assert flashes == ["start", "go", "change", "change", "change"]
    assert panel.flashing
    assert not player.chime_available
    assert not player.speech_available


@pytest.mark.parametrize("device", [False, True])
def test_speech_without_a_sound_device_goes_on_but_says_it_may_not_be_heard(
    controller: SessionController,
    preferences: Preferences,
    fake_clock: FakeClock,
    device: bool,
) -> None:
    speaker = FakeSpeaker()
    checks: list[bool] = []

    def audio_output_found() -> bool:
        checks.append(device)
        return device

    player = CuePlayer(
        controller,
        preferences,
        sound_factory=lambda path: FakeChime(path, []),
        speech_factory=lambda _engine: speaker,
        audio_output_found=audio_output_found,
    )
    messages: list[str] = []
    player.unavailable.connect(messages.append)
    run_first_step(controller, fake_clock)
    controller.next_step()
    controller.next_step()

    assert len(speaker.said) == 3  # it still speaks: the engine may have its own way out
    assert player.speech_available
    assert len(checks) == 1  # asked once, when the engine started
    if device:
        assert messages == []
    else:
        assert messages == [
            "Spoken cues may not be heard: no sound device was found. "
            "The steps are still shown on screen."
        ]


def test_the_silent_mock_engine_needs_no_sound_device(
    controller: SessionController, preferences: Preferences
) -> None:
    checks: list[str] = []

    def audio_output_found() -> bool:
        checks.append("asked")
        return False

    player = CuePlayer(
        controller,
        preferences,
        speech_engine="mock",
        sound_factory=lambda path: FakeChime(path, []),
        speech_factory=lambda _engine: FakeSpeaker(),
        audio_output_found=audio_output_found,
    )
    messages: list[str] = []
    player.unavailable.connect(messages.append)
    controller.start()
    assert player.speaker is not None
    assert checks == []
    assert messages == []


def test_switched_off_cues_are_not_given(
    controller: SessionController, preferences: Preferences, fake_clock: FakeClock
) -> None:
    made: list[str] = []

    def sound_factory(path: Path) -> FakeChime:
        made.append("sound")
        return FakeChime(path, [])

    def speech_factory(_engine: str | None) -> FakeSpeaker:
        made.append("speech")
        return FakeSpeaker()

    player = CuePlayer(
        controller, preferences, sound_factory=sound_factory, speech_factory=speech_factory
    )
    flashes: list[str] = []
    player.flash_requested.connect(flashes.append)
    preferences.set_chime_enabled(False)
    preferences.set_speech_enabled(False)
    preferences.set_flash_enabled(False)
    run_first_step(controller, fake_clock)
    controller.next_step()
    assert made == []  # nothing was even loaded
    assert flashes == []


def test_turning_speech_off_stops_the_current_line(
    controller: SessionController, preferences: Preferences
) -> None:
    speaker = FakeSpeaker()
    player = CuePlayer(
        controller,
        preferences,
        sound_factory=lambda path: FakeChime(path, []),
        speech_factory=lambda _engine: speaker,
    )
    controller.start()
    assert player.speaker is speaker
    stops = speaker.stops
    preferences.set_speech_enabled(False)
    assert speaker.stops == stops + 1


def test_chime_files_are_small_soft_wavs() -> None:
    for name in set(CHIME_FILES.values()):
        path = sounds_dir() / name
        assert path.stat().st_size < 100_000
        with wave.open(str(path)) as file:
            assert file.getnchannels() == 1
            assert file.getsampwidth() == 2
            assert 0.5 <= file.getnframes() / file.getframerate() <= 2.5
            frames = file.readframes(file.getnframes())
        samples = memoryview(frames).cast("h")
        assert max(abs(s) for s in samples) < 0.6 * 32767  # soft, never full scale


@pytest.mark.slow
def test_start_up_loads_no_multimedia_or_speech(tmp_path: Path) -> None:
    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtCore import QObject, QSettings, Signal\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from massage_trainer.domain.content import load_library\n"
        "from massage_trainer.ui.main_window import MainWindow\n"
        "app = QApplication([])\n"
        f"settings = QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat)\n"
        "window = MainWindow(load_library(), settings=settings)\n"
        "window.show(); app.processEvents()\n"
        "loaded = [m for m in sys.modules if 'QtMultimedia' in m or 'QtTextToSpeech' in m]\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_speech_engine_that_fails_later_is_reported_once(
    controller: SessionController, preferences: Preferences, fake_clock: FakeClock
) -> None:
    class FailingSpeaker(QObject):
        errorOccurred = Signal(int, str)  # noqa: N815 (Qt's name)

        def __init__(self) -> None:
            super().__init__()
            self.said: list[str] = []

        def say(self, text: str) -> None:
            self.said.append(text)
            self.errorOccurred.emit(1, "The speech service went away")

        def stop(self) -> None:
            pass

    speaker = FailingSpeaker()
    player = CuePlayer(
        controller,
        preferences,
        sound_factory=lambda path: FakeChime(path, []),
        speech_factory=lambda _engine: speaker,
    )
    messages: list[str] = []
    player.unavailable.connect(messages.append)
    run_first_step(controller, fake_clock)
    controller.next_step()
    assert messages == ["Spoken cues are off: The speech service went away."]
    assert len(speaker.said) == 1  # not asked again once it failed
    assert speaker.parent() is player


def test_pressure_check_ins_are_chimed_spoken_and_flashed(
    controller: SessionController, preferences: Preferences
) -> None:
    chimes: list[str] = []
    speaker = FakeSpeaker()
    player = CuePlayer(
        controller,
        preferences,
        sound_factory=lambda path: FakeChime(path, chimes),
        speech_factory=lambda _engine: speaker,
    )
    flashes: list[str] = []
    player.flash_requested.connect(flashes.append)
    controller.cue.emit("checkin", "Ask your partner whether the pressure feels right.")
    assert chimes == ["warning.wav"]
    assert speaker.said == ["Ask your partner whether the pressure feels right."]
    assert flashes == ["checkin"]


def test_spoken_lines_say_units_and_symbols_in_words(
    controller: SessionController, preferences: Preferences
) -> None:
    speaker = FakeSpeaker()
    player = CuePlayer(
        controller,
        preferences,
        sound_factory=lambda path: FakeChime(path, []),
        speech_factory=lambda _engine: speaker,
    )
    spoken: list[str] = []
    player.spoken.connect(spoken.append)
    # A routine title from a user's file, as the finish line reads it.
    controller.cue.emit("finish", "Neck & shoulders · 3 × 30 s – gentle ✓ is complete.")
    assert speaker.said == ["Neck and shoulders, 3 times 30 seconds, gentle is complete."]
    assert spoken == speaker.said
    for written, said in (
        ("Warm-up: 1 min, then 45 s…", "Warm-up: 1 minute, then 45 seconds."),
        ("Room at 22–25 °C", "Room at 22 to 25 degrees"),
        ("A 10-min routine — 90 %", "A 10-minute routine, 90 percent"),
        ("Stretch ×3 ▶ 1 s", "Stretch times 3 1 second"),
    ):
        assert spoken_text(written) == said


def test_the_built_in_lines_are_spoken_as_written(
    controller: SessionController, fake_clock: FakeClock
) -> None:
    lines: list[str] = []
    controller.cue.connect(lambda _kind, text: lines.append(text))
    run_first_step(controller, fake_clock)
    for _ in range(controller.step_count):
        controller.next_step()
    assert len(lines) > controller.step_count
    for line in lines:
        assert spoken_text(line) == line


def test_the_end_of_the_get_ready_countdown_chimes_once(
    controller: SessionController, preferences: Preferences, fake_clock: FakeClock
) -> None:
    chimes: list[str] = []
    speaker = FakeSpeaker()
    player = CuePlayer(
        controller,
        preferences,
        sound_factory=lambda path: FakeChime(path, chimes),
        speech_factory=lambda _engine: speaker,
    )
    flashes: list[str] = []
    player.flash_requested.connect(flashes.append)
    controller.start()
    assert chimes == ["change.wav"]  # "Starting: ...": put your hands in place
    fake_clock.advance(2)
    controller.tick()
    controller.pause()  # a pause in the countdown, then on
    controller.start()
    fake_clock.advance(GET_READY_S - 2)
    controller.tick()
    # The step's time starts now: a chime and a flash, nothing more to listen to.
    assert chimes == ["change.wav", "change.wav"]
    assert flashes == ["start", "go"]
    assert len(speaker.said) == 1
    fake_clock.advance(3)
    controller.tick()
    assert chimes == ["change.wav", "change.wav"]

    # Skipped, finished or started over during the countdown: only that change's cue.
    for end in (controller.next_step, controller.finish, controller.reset):
        controller.reset()
        controller.start()
        chimes.clear()
        end()
        assert chimes.count("change.wav") == (1 if end == controller.next_step else 0)
