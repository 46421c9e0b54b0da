"""Start-up stays light: `pacefit --help` loads no decoder, `compile` loads only the writer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .helpers import ATHLETE_FILE, WORKOUTS

HEAVY = ("fitparse", "gpxpy", "lxml", "fit_tool", "fastcrc", "numpy", "yaml")


def modules_loaded_by(args: list[str], tmp_path: Path) -> set[str]:
    """The heavy libraries imported while the CLI runs `args`, in a fresh interpreter."""
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom pacefit.cli import cli\n"
        f"result = CliRunner().invoke(cli, {args!r})\nassert result.exit_code == 0, result.output\n"
        f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    return set(out.stdout.split())


def test_help_loads_no_decoder_and_no_yaml(tmp_path: Path) -> None:
    assert modules_loaded_by(["--help"], tmp_path) == set()


def test_compile_loads_the_fit_writer_only(tmp_path: Path) -> None:
    workout = str(WORKOUTS / "10k" / "intervals-800.yaml")
    args = ["compile", workout, "--athlete", str(ATHLETE_FILE), "-o", str(tmp_path)]
    assert modules_loaded_by(args, tmp_path) == {"fit_tool", "yaml"}


def test_help_builds_the_command_line_without_any_jobs_modules(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom pacefit.cli import cli\n"
        "assert CliRunner().invoke(cli, ['--help']).exit_code == 0\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('pacefit.'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert set(out.stdout.split()) == {"pacefit.cli", "pacefit.errors"}
