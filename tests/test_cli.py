from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pacefit.cli import cli

from .garmin_sdk import decode_checked
from .helpers import ATHLETE_FILE, ROOT, RUNS, WORKOUTS, shared_fixture
from .helpers import run_cli as run
from .mounts import fill, tmpfs

COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name: str) -> None:
    command = cli.commands[name]
    assert command.help, f"{name} has no help text"
    result = run(name, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: cli {name} ")


def test_every_command_appears_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    shown = set(re.findall(r"^pacefit (\w+)", readme, flags=re.MULTILINE))
    assert set(COMMANDS) <= shown, f"not in the README: {set(COMMANDS) - shown}"


def test_compile_the_library(tmp_path: Path) -> None:
    result = run("compile", WORKOUTS, "--athlete", ATHLETE_FILE, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.glob("*.fit"))
    assert written == [
        "10k-race.fit",
        "6x1km-10k.fit",
        "6x1mi-10k.fit",
        "6x800m-5k.fit",
        "cruise-5x1mi.fit",
        "easy-run-8km.fit",
        "ladder-400-1600.fit",
        "long-run-14km.fit",
        "marathon-pace-8km.fit",
        "marathon-race.fit",
        "mix-5k-10k.fit",
        "tempo-2x15min.fit",
    ]
    for path in tmp_path.glob("*.fit"):
        decode_checked(path.read_bytes())
    # compiling again rewrites nothing
    again = run("compile", WORKOUTS, "--athlete", ATHLETE_FILE, "-o", tmp_path)
    assert again.output.count("unchanged ") == len(written)


def test_two_workouts_of_one_name_are_not_written_over_each_other(tmp_path: Path) -> None:
    folder, out = tmp_path / "mine", tmp_path / "out"
    folder.mkdir()
    (folder / "a.yaml").write_text("name: Hills\nsteps:\n  - run: 10min\n    pace: easy\n")
    (folder / "b.yaml").write_text("name: Hills\nsteps:\n  - run: 20min\n    pace: easy\n")
    result = run("compile", folder, "--athlete", ATHLETE_FILE, "-o", out)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{folder / 'b.yaml'}: its file hills.fit would replace the one just written from "
        f"{folder / 'a.yaml'}"
    )
    [step] = decode_checked((out / "hills.fit").read_bytes())["workout_step_mesgs"]
    assert step["duration_time"] == 600  # a.yaml's, kept


def test_a_folder_without_workouts_says_so(tmp_path: Path) -> None:
    result = run("compile", tmp_path, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{tmp_path}: no workout files (.yaml, .yml) in this folder"
    )


def test_a_mistake_gives_one_located_line_exit_1_and_no_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nsteps:\n  - run: 800m\n    pace: 5k+\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["compile", str(bad), "--athlete", str(ATHLETE_FILE), "-o", str(out)]
    )
    assert result.exit_code == 1
    assert f"{bad}:4:11: " in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps: 3\n")
    result = CliRunner().invoke(cli, ["--debug", "show", str(bad)])
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert f"{bad}:1:8: 'steps' must be a list, got '3'" in result.stderr


def test_a_workout_name_cannot_escape_the_output_folder(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.yaml"
    sneaky.write_text("name: ../../escape\nsteps:\n  - run: 1km\n")
    out = tmp_path / "deep" / "out"
    result = run("compile", sneaky, "-o", out)
    assert result.exit_code == 0
    assert [p.name for p in out.iterdir()] == ["escape.fit"]
    assert not (tmp_path / "escape.fit").exists()


def test_show_expands_repeats_with_paces() -> None:
    result = run(
        "show",
        WORKOUTS / "10k" / "intervals-800.yaml",
        "--athlete",
        ATHLETE_FILE,
        "--level",
        "beginner",
    )
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "2x800m 5K- (beginner)"
    assert any("Fast 5K- 2/2" in line and "4:14-4:19/km" in line for line in lines)
    assert lines[-1].startswith("total ~")
    assert all(len(line) <= 80 for line in lines)


def test_show_keeps_a_long_length_apart_from_its_target(tmp_path: Path) -> None:
    workout = tmp_path / "hr.yaml"
    workout.write_text("name: HR\nsteps:\n  - run: until hr < 150bpm\n  - run: 10min\n")
    lines = run("show", workout).output.splitlines()
    assert re.match(r"\s+1\s+run until HR < 150bpm\s+until HR < 150bpm\s+open\s", lines[2]), lines


def test_decompile_prints_paces_as_a_runner_writes_them(tmp_path: Path) -> None:
    """pacefit's own 800s come back as whole seconds (the FIT keeps mm/s: 5:21.647 before)."""
    run(
        "compile",
        WORKOUTS / "10k" / "intervals-800.yaml",
        "--athlete",
        ATHLETE_FILE,
        "-o",
        tmp_path,
    )
    result = run("decompile", tmp_path / "6x800m-5k.fit")
    assert result.exit_code == 0
    paces = re.findall(r"pace: (\S+)", result.stdout)
    assert paces == ["5:22-6:01/km", "4:14-4:19/km", "5:22-6:01/km"]


def test_decompile_exact_then_compile_gives_the_same_file(tmp_path: Path) -> None:
    """Byte for byte, for every workout of the library: the watch knows a workout by its
    file_id (serial number, time created), which must come back too."""
    assert run("compile", WORKOUTS, "--athlete", ATHLETE_FILE, "-o", tmp_path / "a").exit_code == 0
    made = sorted((tmp_path / "a").glob("*.fit"))
    assert len(made) == 12
    for fit in made:
        yaml_path = tmp_path / "yaml" / f"{fit.stem}.yaml"
        yaml_path.parent.mkdir(exist_ok=True)
        assert run("decompile", fit, "--exact", "-o", yaml_path).exit_code == 0
        assert run("compile", yaml_path, "-o", tmp_path / "b").exit_code == 0
        again = tmp_path / "b" / fit.name
        assert again.read_bytes() == fit.read_bytes(), fit.name
    decode_checked(made[0].read_bytes())  # and Garmin's SDK reads it


def test_decompile_of_an_activity_says_what_it_is() -> None:
    path = shared_fixture("fit/activities/garmin-fenix-5-run.fit")
    result = CliRunner().invoke(cli, ["decompile", str(path)])
    assert result.exit_code == 1
    assert result.stderr == f"{path}: this is a FIT activity file, not a workout\n"


def test_analyze_prints_a_table_that_fits_80_columns() -> None:
    result = run(
        "analyze",
        RUNS / "intervals-800-manual-laps.fit",
        "--workout",
        WORKOUTS / "10k" / "intervals-800.yaml",
        "--athlete",
        ATHLETE_FILE,
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert "aligned by laps matched to the steps by their lengths" in lines
    assert any(line.startswith("  4 Fast 5K-") and line.endswith("short (60%)") for line in lines)
    assert lines[-1].startswith("score: ")


def test_analyze_json_has_stable_keys_with_units(tmp_path: Path) -> None:
    import json

    html = tmp_path / "report.html"
    result = run("analyze", RUNS / "intervals-800-watch.fit", "--json", "--html", html)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert set(data) == {
        "schema_version",
        "activity",
        "workout",
        "alignment",
        "score",
        "work_score",
        "support_done_pct",
        "steps",
        "repeats",
        "recorded",
        "laps",
        "hr_zones",
    }
    assert data["alignment"]["evidence"] == "workout_laps"
    assert data["alignment"]["laps_to_steps"][:2] == [
        {"lap": 1, "steps": [1]},
        {"lap": 2, "steps": [2]},
    ]
    assert set(data["steps"][1]) == {
        "number",
        "name",
        "intensity",
        "fit_step_index",
        "repetition",
        "planned",
        "target_fast_s_per_km",
        "target_slow_s_per_km",
        "verdict",
        "start_elapsed_s",
        "end_elapsed_s",
        "distance_m",
        "timer_s",
        "completed_pct",
        "avg_pace_s_per_km",
        "pace_source",
        "laps",
        "deviation_s_per_km",
        "time_in_band_pct",
        "band_source",
        "pace_stdev_s_per_km",
        "score",
        "counts_toward_score",
        "avg_hr_bpm",
        "max_hr_bpm",
        "avg_cadence_spm",
        "elevation_gain_m",
        "elevation_loss_m",
    }
    page = html.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert '<script type="application/json" id="run-data">' in page
    assert "uPlot" in page  # the charting library, inlined
    # self-contained: nothing the page loads or links to is on the network
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_analyze_without_a_workout_explains(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["analyze", str(RUNS / "intervals-800-no-laps.gpx")])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{RUNS / 'intervals-800-no-laps.gpx'}: the run does not say which workout it followed\n"
        "  hint: pass --workout FILE (a workout YAML) to compare the run with\n"
    )


def test_analyze_refuses_a_cycling_file_in_one_line() -> None:
    path = shared_fixture("fit/activities/garmin-fenix-5-bike.fit")
    result = CliRunner().invoke(
        cli,
        [
            "analyze",
            str(path),
            "--workout",
            str(WORKOUTS / "10k" / "tempo-2x15.yaml"),
            "--athlete",
            str(ATHLETE_FILE),
        ],
    )
    assert result.exit_code == 1
    assert result.stderr == f"{path}: this is a ride, not a run\n"


def test_analyze_speaks_the_athletes_unit(tmp_path: Path) -> None:
    athlete = tmp_path / "athlete.yaml"
    athlete.write_text("races:\n  10k: '45:00'\nunit: mi\n")
    result = run("analyze", RUNS / "intervals-800-watch.fit", "--athlete", athlete)
    lines = result.output.splitlines()
    assert "paces per mi; dev: seconds per mi outside the band (- faster, + slower)" in lines
    slow_rep = next(line for line in lines if line.startswith(" 12 "))
    assert "6:49-6:57" in slow_rep and "+26" in slow_rep  # 16 s/km is 26 s/mi


@pytest.mark.parametrize(
    ("args", "named", "message"),
    [
        (["analyze", "nothere.fit"], "nothere.fit", "no such file"),
        (
            ["analyze", RUNS / "intervals-800-no-laps.gpx", "--workout", WORKOUTS / "10k"],
            WORKOUTS / "10k",
            "this is a folder; a file is wanted here",
        ),
        (
            ["review", WORKOUTS / "10k" / "mix.yaml", RUNS, "--race-date", "2027-03-07"],
            WORKOUTS / "10k" / "mix.yaml",
            "this is a file; a folder is wanted here",
        ),
        (["compile", WORKOUTS / "10k" / "mix.yaml", "-o", ROOT / "README.md"], ROOT / "README.md",
         "this is a file; a folder is wanted here"),
    ],
)  # fmt: skip
def test_a_path_of_the_wrong_kind_is_bad_input_naming_the_file(
    args: list[object], named: Path | str, message: str
) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr == f"{named}: {message}\n"


def test_a_usage_mistake_keeps_clicks_exit_code_2() -> None:
    result = run("analyze", "--no-such-option")
    assert result.exit_code == 2
    assert "Error: No such option '--no-such-option'" in result.stderr


ANALYZE_800 = [
    "analyze",
    RUNS / "intervals-800-no-laps.gpx",
    "--workout",
    WORKOUTS / "10k" / "intervals-800.yaml",
    "--athlete",
    ATHLETE_FILE,
]


def test_a_report_into_a_read_only_folder_is_one_line_naming_it(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", read_only=True) as mount:
        result = run(*ANALYZE_800, "--html", mount / "report.html")
        assert result.exit_code == 1
        assert result.stderr == (
            f"{mount / 'report.html'}: cannot write the file: Read-only file system\n"
            "  hint: the file system is mounted read-only: write somewhere else\n"
        )


def test_json_into_a_full_disk_is_one_line(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "full", size_kb=64) as mount:
        fill(mount)
        with (mount / "x.json").open("w") as stdout:
            done = subprocess.run(
                [sys.executable, "-m", "pacefit", *map(str, ANALYZE_800), "--json"],
                stdout=stdout,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
        assert done.returncode == 1
        assert done.stderr == "cannot write the output: No space left on device\n"
