"""The text commands: routines, validate, schema, --version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from massage_trainer import __version__
from massage_trainer.cli import main
from massage_trainer.domain.paths import assets_dir


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_routines_lists_every_built_in_with_steps_and_minutes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["routines"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "TITLE", "STEPS", "MINUTES"]
    beginner = next(line for line in lines if line.startswith("beginner-20 "))
    assert beginner.split()[-1] == "20"
    for routine_id in ["classic-home", "professional-classic", "classic-full-back"]:
        assert any(line.startswith(routine_id + " ") for line in lines)


def test_validate_accepts_the_built_in_routines(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in (assets_dir() / "routines").glob("*.json"))
    assert main(["validate", *files]) == 0
    out = capsys.readouterr().out
    assert out.count(": valid (") == len(files)


def test_validate_names_file_step_field_and_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads((assets_dir() / "routines" / "classic-home.json").read_text())
    data["steps"][2]["zones"] = ["kidney-left"]
    bad = tmp_path / "unsafe.json"
    bad.write_text(json.dumps(data))
    assert main(["validate", str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines
    assert all(line.startswith(f"{bad}: step 3, field 'zones'") for line in lines)
    assert any("kidney" in line.lower() for line in lines)


@pytest.mark.parametrize(
    "content", [b"", b"\x89PNG\r\n\x1a\n\x00\x00", b"{", b"[]", b" " * 2_000_000]
)
def test_validate_gives_one_clear_line_for_unusable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    path = tmp_path / "thing.json"
    path.write_bytes(content)
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}: ")
    assert "Traceback" not in captured.out + captured.err


def test_schema_is_the_routine_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Routine"
    assert {"id", "title", "steps"} <= set(schema["required"])


def test_the_shipped_schema_file_is_up_to_date() -> None:
    """assets/schema/routine.schema.json is regenerated with `massage-trainer schema`."""
    from massage_trainer.domain.models import Routine

    shipped = json.loads((assets_dir() / "schema" / "routine.schema.json").read_text())
    assert shipped == Routine.model_json_schema(), (
        "run: massage-trainer schema > assets/schema/routine.schema.json"
    )
