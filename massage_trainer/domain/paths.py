"""Where the shipped assets and the user's data live."""

from __future__ import annotations

import contextlib
import os
from importlib import resources
from pathlib import Path

import platformdirs

DATA_DIR_ENV = "MASSAGE_TRAINER_DATA_DIR"
"""Set this to keep user data somewhere else (tests point it at a temporary folder)."""

APP_NAME = "massage-trainer"

ROUTINES_FOLDER = "routines"
"""The user's saved routines, inside :func:`user_data_dir`."""
DRAFTS_FOLDER = "drafts"
"""The routine editor's autosaved work in progress, inside :func:`user_data_dir`."""


def assets_dir() -> Path:
    """The folder with the diagram, content and sounds.

    From an installed wheel it is the package ``massage_trainer.assets``; from a source
    checkout it is ``assets/`` at the repository root.
    """
    checkout = Path(__file__).resolve().parents[2] / "assets"
    if (checkout / "content").is_dir():
        return checkout
    try:
        installed = Path(str(resources.files("massage_trainer.assets")))
    except ModuleNotFoundError:
        installed = None
    if installed is not None and (installed / "content").is_dir():
        return installed
    raise FileNotFoundError(
        "The app's assets folder is missing: neither the installed package "
        "'massage_trainer.assets' nor a source checkout's assets/ folder was found."
    )


def user_data_dir() -> Path:
    """The folder for the user's routines, drafts and history (created on demand).

    A folder that cannot be created (a file in its place, no permission, a read-only
    disk) is still returned: whatever uses it then meets the problem and says so, and
    the app goes on with its built-in content.
    """
    override = os.environ.get(DATA_DIR_ENV)
    path = (
        Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    )
    with contextlib.suppress(OSError):
        path.mkdir(parents=True, exist_ok=True)
    return path
