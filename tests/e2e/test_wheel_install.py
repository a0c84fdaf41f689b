"""The wheel carries the assets: build it, install it (not editable) into a fresh
virtual environment, and run the installed app's smoke test offscreen."""

from __future__ import annotations

import os
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from massage_trainer import __version__

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_installed_wheel_finds_its_assets(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("massage_trainer-*.whl")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    # The heavy runtime dependencies (Qt, pydantic) come from this test environment's
    # site-packages through a .pth path entry; the app itself only from the wheel.
    purelib = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=tmp_path,
        ).strip()
    )
    ours = [
        p for p in {sysconfig.get_paths()["purelib"], *site.getsitepackages()} if Path(p).is_dir()
    ]
    (purelib / "host-deps.pth").write_text("\n".join(ours) + "\n")
    _run([str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], cwd=tmp_path)

    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["MASSAGE_TRAINER_DATA_DIR"] = str(tmp_path / "data")
    location = _run(
        [
            str(python),
            "-c",
            "import massage_trainer.domain.paths as p; print(p.__file__); print(p.assets_dir())",
        ],
        cwd=tmp_path,
        env=env,
    ).split()
    assert all(str(venv) in line for line in location), location
    out = _run([str(venv / "bin" / "massage-trainer"), "--smoke-test"], cwd=tmp_path, env=env)
    assert "smoke test passed" in out
    # The text commands print from the installed command (a console script).
    version = _run([str(venv / "bin" / "massage-trainer"), "--version"], cwd=tmp_path, env=env)
    assert version.strip() == f"massage-trainer {__version__}"
