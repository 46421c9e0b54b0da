"""Every pacefit command the README shows runs as written on the bundled files, from a fresh copy
of them: the set-up command's and each line of "## Commands", in order. A line marked "needs"
(a watch, an API key) cannot succeed here: it must stop with one line saying why, exit 1."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import ROOT

README = (ROOT / "README.md").read_text()


def _setup_commands() -> list[str]:
    """The pacefit parts of the README's first command (set-up, compile, analyze)."""
    block = README.split("```sh\n", 1)[1].split("```", 1)[0]
    first = block.split("# 2.", 1)[0]
    joined = re.sub(r"\\\n\s*", " ", first)
    parts = [part.strip() for line in joined.splitlines() for part in line.split("&&")]
    return [part for part in parts if part.startswith("pacefit ")]


def _listed_commands() -> list[str]:
    block = README.split("## Commands\n\n```\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.startswith("pacefit ")]


COMMANDS = _setup_commands() + _listed_commands()


def _run(line: str, folder: Path) -> subprocess.CompletedProcess[str]:
    command = line.split("  #", 1)[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERVALS_ICU")}
    # The README's race dates are in the runner's future: the test's today is fixed so that they
    # stay so (a real user on a later day would move the race date on).
    env |= {"PACEFIT_TODAY": "2026-12-05", "HOME": str(folder / "home"), "COLUMNS": "100"}
    args = [sys.executable, "-m", "pacefit", *shlex.split(command)[1:]]
    return subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "workouts", folder / "workouts")
    shutil.copytree(ROOT / "fixtures", folder / "fixtures")
    (folder / "home").mkdir()
    return folder


@pytest.fixture(scope="module")
def ran(bundled: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every command run once, in the README's order (later ones read what earlier ones wrote)."""
    return {line: _run(line, bundled) for line in COMMANDS}


def test_the_readme_shows_its_commands() -> None:
    assert len(_setup_commands()) == 2
    assert len(_listed_commands()) >= 15


@pytest.mark.parametrize("line", COMMANDS, ids=lambda line: " ".join(line.split()[:3]))
def test_every_readme_command_runs_as_written(
    line: str, ran: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    result = ran[line]
    assert "Traceback" not in result.stderr
    if "(needs " in line:
        said = [text for text in result.stderr.splitlines() if text.strip()]
        assert result.returncode == 1, result.stderr
        assert len([text for text in said if not text.lstrip().startswith("hint:")]) == 1, said
    else:
        assert result.returncode == 0, f"{line}\n{result.stdout[-2000:]}\n{result.stderr}"
        assert result.stdout.strip() or result.stderr.strip()


def test_the_readme_commands_leave_what_they_say(
    bundled: Path, ran: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    """The files the commands name exist after them."""
    for written in ("out/6x800m-5k.fit", "out/report.html", "run.html", "review/block.html"):
        assert (bundled / written).is_file(), written
    assert list((bundled / "zwift").glob("*.zwo")) and list((bundled / "build").glob("*.fit"))
