"""A save killed at a random moment leaves the previous file or the new one, never half.

A child process saves versions of one routine in a loop through the real RoutineStore
(large routines, and an fsync slowed down like a busy disk, so most kills land inside a
save), and is killed with SIGKILL after a random delay. Then the file must load and be
exactly one of the versions written, and the library must still load around it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from massage_trainer.domain.content import load_library
from massage_trainer.domain.routine_store import RoutineStore

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals"),
]

ROUTINE_ID = "kill-test"
TRIALS = 30

# The child: save version 1, 2, 3, ... of one routine for ever. Each version's texts
# carry its number, so a file mixing two versions (or cut short) is caught.
CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from massage_trainer.domain.content import load_library
    from massage_trainer.domain.routine_store import RoutineStore

    real_fsync = os.fsync
    def slow_fsync(fd):
        time.sleep(0.004)  # a busy disk: widens the window a kill can land in
        real_fsync(fd)
    os.fsync = slow_fsync

    root = Path(sys.argv[1])
    library = load_library()
    base = next(iter(library.routines.values()))
    store = RoutineStore(root, builtin_ids=())
    version = int(sys.argv[2])
    print("ready", flush=True)
    while True:
        # Near the 4,000-character limit per text, 60 steps: about 230 kB per file.
        text = (f"version {version} " * 400)[:3900]
        steps = tuple(
            base.steps[i % len(base.steps)].model_copy(update={"instruction": text})
            for i in range(60)
        )
        routine = base.model_copy(
            update={"id": "kill-test", "title": f"Version {version}", "steps": steps}
        )
        store.save(routine)
        version += 1
    """
)


def _check_version(store: RoutineStore) -> int:
    """The version in the saved file; fails if the file is partial or mixed."""
    routine = store.load(ROUTINE_ID)
    number = int(routine.title.removeprefix("Version "))
    expected = (f"version {number} " * 400)[:3900].strip()
    assert all(step.instruction == expected for step in routine.steps), "mixed versions"
    return number


def test_a_killed_save_leaves_the_old_file_or_the_new_one(tmp_path: Path) -> None:
    store = RoutineStore(tmp_path, builtin_ids=())
    rng = random.Random(9)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    killed_mid_save = 0
    last_version = 0
    for _trial in range(TRIALS):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(tmp_path), str(last_version + 1)],
            stdout=subprocess.PIPE,
            env=env,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.0, 0.12))  # wall-clock on purpose: a random kill moment
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        leftovers = [p for p in store.folder.iterdir() if p.name.endswith(".tmp")]
        if leftovers:
            killed_mid_save += 1
            for temp in leftovers:  # what a later start may find; it is never loaded
                assert not temp.name.endswith(".json")
        if store.exists(ROUTINE_ID):
            version = _check_version(store)
            assert version >= last_version, "an older version came back"
            last_version = version
        # The library around it always loads, and loads the routine whole.
        library = load_library(user_routines=store.folder)
        assert not [p for p in library.problems if p.file == f"{ROUTINE_ID}.json"]
    assert last_version > 0, "no save ever finished: the test did not test anything"
    # Most kills must land inside a save, or the test proves little.
    assert killed_mid_save >= TRIALS // 4, f"only {killed_mid_save} kills landed mid-save"
