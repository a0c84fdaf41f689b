"""The desktop entry and the AppStream metainfo agree with the app and with each other."""

from __future__ import annotations

import configparser
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

from massage_trainer import __version__, app

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "io.github.massage_trainer.MassageTrainer"
DESKTOP = ROOT / "packaging" / f"{APP_ID}.desktop"
METAINFO = ROOT / "packaging" / f"{APP_ID}.metainfo.xml"


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def _metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()


def test_the_launcher_matches_the_window_on_x11() -> None:
    """Docks on X11 match a window to its launcher by the window's class, which Qt takes
    from the application name; without StartupWMClass the running app shows up as a
    second, anonymous icon."""
    entry = _desktop_entry()
    assert entry.get("StartupWMClass") == app.APPLICATION


def test_the_launcher_runs_the_installed_command() -> None:
    entry = _desktop_entry()
    assert entry["Exec"].split()[0] == "massage-trainer"
    assert entry["TryExec"] == "massage-trainer"
    provided = [b.text for b in _metainfo().iter("binary")]
    assert provided == ["massage-trainer"]


def test_software_centres_find_the_app_by_the_launcher_keywords() -> None:
    desktop = {word for word in _desktop_entry()["Keywords"].split(";") if word}
    metainfo = {k.text for k in _metainfo().iter("keyword")}
    assert desktop <= metainfo, f"keywords missing from the metainfo: {desktop - metainfo}"


def test_the_metainfo_describes_what_the_app_does_today() -> None:
    root = _metainfo()
    element = root.find("description")
    assert element is not None
    description = " ".join(" ".join(p.itertext()) for p in element)
    for feature in ["diagram", "timer", "presenter", "handout", "trace", "quiz", "history"]:
        assert feature in description, f"the description never mentions the {feature}"
    controls = {c.text for c in root.iter("control")}
    assert "tablet" in controls, "a drawing-tablet pen's pressure is judged"


def test_the_latest_release_is_this_version() -> None:
    releases = _metainfo().find("releases")
    assert releases is not None
    assert releases[0].get("version") == __version__


def test_every_screenshot_is_in_the_repository_with_its_real_size() -> None:
    for image in _metainfo().iter("image"):
        url = image.text or ""
        path = ROOT / url.split("/main/", 1)[1]
        header = path.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n", path
        width, height = struct.unpack(">II", header[16:24])
        assert (image.get("width"), image.get("height")) == (str(width), str(height)), path


def test_the_command_is_a_console_script_so_its_text_commands_print() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["massage-trainer"] == "massage_trainer.cli:main"
    assert "gui-scripts" not in project
    assert project["urls"]["Issues"] == _metainfo().findtext("url[@type='bugtracker']")
