"""`make reports` / `make test` / `make lab` set up their venv with uv when it is there, bootstrap uv into the
venv when it is not, and fall back to pip when that fails; the pins are constraints.txt either way, the
install says what it does, and `make reports` ends with the path of reports/index.html.

The Makefile runs for real in a temporary copy, with stand-ins for the interpreter, pip and uv (small shell
scripts that log how they were called): no package is installed and no notebook runs.
"""

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

#: stands in for python3, a venv's python and pip: logs its arguments; ``-m venv --without-pip DIR`` makes
#: DIR/bin/python (this script); ``-m pip --python PY install uv==…`` puts a uv stand-in beside PY unless
#: $STUB_NO_UV is set; any other pip install fails when $STUB_PIP_FAILS is set
PYTHON_STUB = """#!/bin/sh
echo "python $*" >> "$STUB_LOG"
case "$1 $2" in
  "--version ") echo "Python 3.11.0" ;;
  "-m venv") mkdir -p "$4/bin" && cp "$0" "$4/bin/python" ;;
  "-m pip")
    case "$*" in
      *" uv=="*) [ -z "$STUB_NO_UV" ] || { echo "ERROR: no uv wheel here" >&2; exit 1; }
                 cp "$STUB_DIR/uv-stub" "$(dirname "$4")/uv" ;;
      *) [ -z "$STUB_PIP_FAILS" ] || exit 1 ;;
    esac ;;
esac
exit 0
"""
UV_STUB = """#!/bin/sh
echo "uv $*" >> "$STUB_LOG"
"""


def _executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture
def project(tmp_path):
    """A copy of the Makefile and the files its stamps depend on, and a folder of stand-ins."""
    folder = tmp_path / "project"
    folder.mkdir()
    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy2(ROOT / name, folder / name)
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    _executable(stubs / "python3", PYTHON_STUB)
    _executable(stubs / "uv-stub", UV_STUB)
    return folder


def make(folder: Path, *args: str, uv_on_path=False, **env) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run make in folder with the stand-ins (uv on PATH or not); its result and the stand-ins' log."""
    stubs = folder.parent / "stubs"
    bin_dir = folder.parent / "path"
    bin_dir.mkdir(exist_ok=True)
    if uv_on_path:
        shutil.copy2(stubs / "uv-stub", bin_dir / "uv")
    log = folder.parent / "log"
    log.unlink(missing_ok=True)
    base = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "UV")}
    # PATH: the stand-ins, then make and the shell's tools (no real uv: `command -v uv` finds only ours)
    tools = bin_dir / "tools"
    tools.mkdir(exist_ok=True)
    for tool in ("sh", "make", "grep", "touch", "mkdir", "cp", "dirname", "cat", "chmod", "test"):
        found = shutil.which(tool)
        if found and not (tools / tool).exists():
            (tools / tool).symlink_to(found)
    full_env = {
        **base,
        "PATH": f"{bin_dir}:{tools}",
        "STUB_LOG": str(log),
        "STUB_DIR": str(stubs),
        **env,
    }
    cmd = ["make", "--no-print-directory", f"PYTHON={stubs / 'python3'}", *args]
    out = subprocess.run(cmd, cwd=folder, env=full_env, capture_output=True, text=True, timeout=60)
    return out, log.read_text().splitlines() if log.exists() else []


VENVS = [(".venv", "test"), (".venv-lab", "lab")]
#: the uv release the Makefile bootstraps (pinned there)
UV_VERSION = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M).group(1)


@pytest.mark.parametrize("venv,extra", VENVS)
def test_uv_on_path_installs_the_pins(project, venv, extra):
    out, calls = make(project, f"{venv}/.installed", uv_on_path=True)
    assert out.returncode == 0, out.stderr
    assert [c for c in calls if " -m venv " in c] == [f"python -m venv --without-pip {venv}"]
    installs = [c for c in calls if "install" in c]
    assert installs == [f"uv pip install --python {venv}/bin/python -c constraints.txt -e .[{extra}]"]
    assert (project / venv / ".installed").exists()
    assert "installing" in out.stdout and f"{venv} is ready" in out.stdout


@pytest.mark.parametrize("venv,extra", VENVS)
def test_without_uv_it_is_bootstrapped_into_the_venv(project, venv, extra):
    out, calls = make(project, f"{venv}/.installed")
    assert out.returncode == 0, out.stderr
    installs = [c for c in calls if "install" in c]
    assert installs[0].startswith(f"python -m pip --python {venv}/bin/python install")
    assert installs[0].endswith(f" uv=={UV_VERSION}")
    assert installs[1:] == [f"uv pip install --python {venv}/bin/python -c constraints.txt -e .[{extra}]"]
    assert "bootstrapping uv" in out.stdout
    assert (project / venv / ".installed").exists()


@pytest.mark.parametrize("venv,extra", VENVS)
def test_a_failed_bootstrap_falls_back_to_pip_with_progress(project, venv, extra):
    out, calls = make(project, f"{venv}/.installed", STUB_NO_UV="1")
    assert out.returncode == 0, out.stderr
    installs = [c for c in calls if "install" in c]
    assert len(installs) == 2 and installs[0].endswith(f" uv=={UV_VERSION}")
    assert "python -m ensurepip --default-pip" in calls  # the venv was made without pip
    assert installs[1] == f"python -m pip install --progress-bar on -c constraints.txt -e .[{extra}]"
    assert "uv could not be installed: pip installs instead" in out.stdout
    assert (project / venv / ".installed").exists()


def test_a_failed_install_leaves_no_stamp(project):
    out, _ = make(project, ".venv/.installed", STUB_NO_UV="1", STUB_PIP_FAILS="1")
    assert out.returncode != 0
    assert not (project / ".venv" / ".installed").exists()


def test_make_reports_on_a_fresh_folder_installs_then_builds_and_ends_with_the_index_path(project):
    out, calls = make(project, "reports", uv_on_path=True)
    assert out.returncode == 0, out.stderr
    assert [c for c in calls if "analysis" in c] == ["python -m analysis build"]
    assert out.stdout.strip().splitlines()[-1] == str(project / "reports" / "index.html")
    # a second run installs nothing
    out, calls = make(project, "reports", uv_on_path=True)
    assert [c for c in calls if "install" in c or "venv" in c] == []
    assert out.stdout.strip().splitlines()[-1] == str(project / "reports" / "index.html")
