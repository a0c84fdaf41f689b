"""Synthesise the app's soft chimes into assets/sounds/ (stdlib only, deterministic).

Run from the repository root: ``python scripts/make_sounds.py``. Each chime is a few
sine partials of a bell-like tone with a gentle attack and an exponential fade, mono,
22,050 Hz, 16-bit: small files that sound calm next to a massage.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050
OUT = Path(__file__).resolve().parents[1] / "assets" / "sounds"

# (frequency ratio, relative level) of the partials of one soft bell tone.
PARTIALS = ((1.0, 1.0), (2.0, 0.28), (3.01, 0.09), (4.2, 0.04))


def bell(frequency: float, seconds: float, decay: float) -> list[float]:
    """One bell-like tone: 15 ms attack, exponential fade, higher partials fading faster."""
    samples = []
    attack = int(0.015 * RATE)
    for n in range(int(seconds * RATE)):
        t = n / RATE
        envelope = min(1.0, n / attack) * math.exp(-t / decay)
        value = sum(
            level * math.exp(-t * ratio / decay) * math.sin(2 * math.pi * frequency * ratio * t)
            for ratio, level in PARTIALS
        )
        samples.append(envelope * value)
    return samples


def mix(length_s: float, notes: list[tuple[float, float, float, float]]) -> list[float]:
    """Mix notes given as (start s, frequency, length s, decay s)."""
    out = [0.0] * int(length_s * RATE)
    for start, frequency, seconds, decay in notes:
        offset = int(start * RATE)
        for i, value in enumerate(bell(frequency, seconds, decay)):
            if offset + i < len(out):
                out[offset + i] += value
    return out


def write(name: str, samples: list[float], peak: float = 0.45) -> None:
    """Normalise to ``peak`` of full scale (soft), fade the last 20 ms, write 16-bit mono."""
    loudest = max(abs(s) for s in samples) or 1.0
    tail = int(0.02 * RATE)
    frames = bytearray()
    for i, value in enumerate(samples):
        fade = min(1.0, (len(samples) - i) / tail)
        frames += struct.pack("<h", round(value / loudest * peak * fade * 32767))
    OUT.mkdir(parents=True, exist_ok=True)
    with wave.open(str(OUT / name), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(RATE)
        file.writeframes(bytes(frames))


def main() -> None:
    # A single low tone: "a few seconds left".
    write("warning.wav", mix(0.9, [(0.0, 659.25, 0.9, 0.28)]), peak=0.35)
    # Two rising tones: "next step".
    write("change.wav", mix(1.2, [(0.0, 523.25, 1.0, 0.30), (0.18, 783.99, 1.0, 0.32)]))
    # Three rising tones that ring longer: "finished".
    write(
        "finish.wav",
        mix(
            1.8,
            [(0.0, 523.25, 1.6, 0.4), (0.2, 659.25, 1.6, 0.4), (0.4, 783.99, 1.4, 0.45)],
        ),
    )


if __name__ == "__main__":
    main()
