"""The text commands: routines, validate, schema, --version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
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


@pytest.fixture
def app_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[object, ...]]]:
    """Stand-ins for the window functions, so no window opens: the calls they got."""
    from massage_trainer import app

    calls: list[tuple[str, tuple[object, ...]]] = []

    def fake(name: str) -> Callable[..., int]:
        def record(*args: object, **kwargs: object) -> int:
            calls.append((name, (*args, *kwargs.values())))
            return 0

        return record

    for name in ["run", "screenshot", "smoke_test"]:
        monkeypatch.setattr(app, name, fake(name))
    return calls


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["--verison"], "did you mean --version?"),
        (["--smoke-tset"], "did you mean --smoke-test?"),
        (["-v"], ""),
        (["--routine", "beginner-20", "--fullscreen"], ""),
    ],
)
def test_a_mistyped_option_is_refused_instead_of_opening_the_window(
    capsys: pytest.CaptureFixture[str],
    app_calls: list[tuple[str, tuple[object, ...]]],
    argv: list[str],
    hint: str,
) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert f"unrecognised arguments: {argv[-1]}" in err
    assert hint in err
    assert app_calls == []


def test_qt_options_with_their_values_reach_the_window(
    app_calls: list[tuple[str, tuple[object, ...]]],
) -> None:
    """Session managers restore the app with `-session ID`; styles come as `-style NAME`."""
    argv = ["-style", "fusion", "--routine", "beginner-20", "-session", "abc", "--reverse"]
    assert main(argv) == 0
    assert app_calls == [
        ("run", (["-style", "fusion", "-session", "abc", "--reverse"], "beginner-20"))
    ]


@pytest.mark.parametrize(
    "argv", [["--step", "3"], ["--routine", "beginner-20", "--size", "800x600"]]
)
def test_screenshot_options_without_screenshot_are_refused(
    capsys: pytest.CaptureFixture[str],
    app_calls: list[tuple[str, tuple[object, ...]]],
    argv: list[str],
) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    assert "--step and --size work only with --screenshot" in capsys.readouterr().err
    assert app_calls == []


@pytest.mark.parametrize("size", ["abc", "0x900", "1440", "100000x100000", "1440x900x2", "²x3"])
def test_a_bad_size_is_refused_before_rendering(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    app_calls: list[tuple[str, tuple[object, ...]]],
    size: str,
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--screenshot", str(tmp_path / "s.png"), f"--size={size}"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "argument --size: must be a width and a height in pixels, each 1 to 16384" in err
    assert repr(size) in err
    assert app_calls == []


def test_screenshot_gets_the_size_or_the_default(
    tmp_path: Path, app_calls: list[tuple[str, tuple[object, ...]]]
) -> None:
    shot = tmp_path / "s.png"
    assert main(["--screenshot", str(shot), "--size", "800X600"]) == 0
    assert main(["--screenshot", str(shot), "--step", "2"]) == 0
    assert app_calls == [
        ("screenshot", (shot, None, None, "800x600")),
        ("screenshot", (shot, None, 2, "1440x900")),
    ]


@pytest.mark.slow
@pytest.mark.parametrize("command", ["schema", "routines"])
def test_output_into_a_closed_pipe_ends_quietly(command: str, tmp_path: Path) -> None:
    """`massage-trainer schema | head -1`: no traceback when the reader has gone."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the command writes anything
    env = {**os.environ, "MASSAGE_TRAINER_DATA_DIR": str(tmp_path)}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "massage_trainer", command],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == 1


def test_validate_says_each_problem_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads((assets_dir() / "routines" / "beginner-20.json").read_text())
    data["steps"][0]["technique"] = "no-such-technique"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    assert main(["validate", str(bad)]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line == (
        f"{bad}: step 1, field 'technique': error [unknown-technique]: "
        'the technique "no-such-technique" is not in the technique library.'
    )


def test_validate_calls_a_routine_with_only_warnings_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads((assets_dir() / "routines" / "beginner-20.json").read_text())
    assert data["steps"][2]["pressure"] == "firm"
    data["steps"][2]["duration_s"] = 20 * 60
    path = tmp_path / "long.json"
    path.write_text(json.dumps(data))
    assert main(["validate", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{path}: step 3, field 'duration_s': warning [very-long-firm-work]")
    assert lines[-1] == f"{path}: valid ({data['title']}, 8 steps, 1 warning)"


def test_validate_checks_every_routine_file_in_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(assets_dir() / "routines")]) == 0
    out = capsys.readouterr().out
    assert out.count(": valid (") == len(list((assets_dir() / "routines").glob("*.json")))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["validate", str(empty)]) == 1
    assert capsys.readouterr().out == f"{empty}: a folder with no .json files in it\n"


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ("missing/handout.pdf", "there is no folder {tmp}/missing"),
        ("a-file/handout.pdf", "{tmp}/a-file is not a folder"),
        (".", "it is a folder; give a file name, such as handout.pdf"),
    ],
)
def test_handout_names_the_whole_path_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str, reason: str
) -> None:
    (tmp_path / "a-file").write_text("")
    target = tmp_path / output
    assert main(["handout", "beginner-20", "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert err == f"error: cannot write {target}: {reason.format(tmp=tmp_path)}\n"


@pytest.mark.parametrize(
    ("command", "phrases"),
    [
        ("validate", ["or a folder: every .json file in it", "1 when any is refused"]),
        ("handout", ["an id from: massage-trainer routines", "a file of that name is replaced"]),
    ],
)
def test_command_help_says_what_to_give_and_the_exit_status(
    capsys: pytest.CaptureFixture[str], command: str, phrases: list[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    for phrase in phrases:
        assert phrase in out
    assert "Exit status 0" in out
