"""`make lab`: installs into .venv-lab once, with progress, and keeps a stamp so a second run starts the server.

Runs `make -n lab` (a dry run: nothing is installed, no server starts) in a temporary copy of the Makefile
and the two files the stamp depends on.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAMP = Path(".venv-lab") / ".installed"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@pytest.fixture
def lab_copy(tmp_path):
    """A folder holding a copy of the Makefile and the files the lab stamp depends on."""
    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy2(ROOT / name, tmp_path / name)
    return tmp_path


def dry_run(folder):
    """The commands `make lab` would run in folder, without running them."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}  # not a sub-make
    cmd = ["make", "--no-print-directory", "-n", "lab"]
    out = subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True, check=True, timeout=60)
    return out.stdout


def set_mtime(path, seconds):
    """Give path the modification time seconds after the epoch."""
    os.utime(path, (seconds, seconds))


def stamp_after_the_pins(folder):
    """Write the lab stamp in folder, newer than pyproject.toml and constraints.txt (a finished install)."""
    stamp = folder / STAMP
    stamp.parent.mkdir()
    stamp.touch()
    for name in ("pyproject.toml", "constraints.txt"):
        set_mtime(folder / name, 1_000_000_000)
    set_mtime(stamp, 1_000_000_100)


def test_a_first_make_lab_installs_with_progress_and_says_so(lab_copy):
    commands = dry_run(lab_copy)
    # one line installs the package with the lab extra: with uv, or with pip and its progress bars
    # (tests/test_make.py runs it: uv on PATH, uv bootstrapped, pip when the bootstrap fails)
    install = [line for line in commands.splitlines() if "-e '.[lab]'" in line]
    assert len(install) == 1 and 'uv" pip install' in install[0]
    assert "pip install --progress-bar on -c constraints.txt -e '.[lab]'" in install[0]
    assert "--quiet" not in commands
    assert "installing" in commands and ".venv-lab" in commands
    assert commands.rstrip().splitlines()[-1].endswith("jupyter lab notebooks/")


def test_a_second_make_lab_starts_the_server_at_once(lab_copy):
    stamp_after_the_pins(lab_copy)
    commands = dry_run(lab_copy)
    assert "pip install" not in commands
    assert commands.strip().splitlines() == [".venv-lab/bin/jupyter lab notebooks/"]


@pytest.mark.parametrize("changed", ["pyproject.toml", "constraints.txt"])
def test_make_lab_reinstalls_when_the_pins_change(lab_copy, changed):
    stamp_after_the_pins(lab_copy)
    set_mtime(lab_copy / changed, 1_000_000_200)
    assert "pip install" in dry_run(lab_copy)
