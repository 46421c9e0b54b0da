"""Device profiles: a workout is fitted to what the watch (or program) holds before it is written,
and what cannot be fitted is refused at its place in the workout file."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pacefit.core.devices import DEVICE_PROFILES, device_profile, fit_to_device
from pacefit.core.workout import Intensity, Repeat, Step, TimeDuration, Workout, unroll
from pacefit.errors import PacefitWarning, WorkoutError
from pacefit.formats.workout_yaml import load_workout

from .helpers import ATHLETE_FILE, PLANS, ROOT, WORKOUTS, run_cli, write_athlete

NESTED = """\
name: Nested
steps:
  - warmup: 10min
  - repeat: 2
    steps:
      - repeat: 3
        steps:
          - run: 400m
            pace: 4:00/km
          - recover: 200m
      - rest: 3min
  - cooldown: 10min
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize("device", ["tcx", "legacy", "zwift", "intervals-icu"])
def test_a_nested_repeat_is_written_out_for_a_device_that_cannot_nest(
    device: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "nested.yaml", NESTED)
    workout = load_workout(path, athlete=None)
    with pytest.warns(PacefitWarning, match="cannot nest repeats; this repeat of 3 is written out"
                      ) as caught:  # fmt: skip
        fitted = fit_to_device(workout, device_profile(device))
    assert str(caught[0].message).startswith(f"{path}:6:9: ")  # the inner repeat's line
    outer = fitted.steps[1]
    assert isinstance(outer, Repeat) and outer.count == 2
    assert all(isinstance(child, Step) for child in outer.steps)
    assert len(outer.steps) == 3 * 2 + 1
    # the runner meets exactly the same steps
    assert [s.step for s in unroll(fitted)] == [s.step for s in unroll(workout)]


def test_a_device_that_nests_keeps_the_nesting(tmp_path: Path) -> None:
    workout = load_workout(write(tmp_path, "nested.yaml", NESTED), athlete=None)
    for device in ("generic", "garmin-connect"):
        assert fit_to_device(workout, device_profile(device)) == workout


def thirty_steps(folder: Path) -> Path:
    steps = "".join(f"  - run: {400 + 10 * n}m\n    pace: 4:00/km\n" for n in range(30))
    return write(folder, "thirty.yaml", f"name: Thirty\nsteps:\n{steps}")


def test_a_30_step_workout_is_refused_for_tcx_at_the_21st_step(tmp_path: Path) -> None:
    path = thirty_steps(tmp_path)
    result = run_cli("compile", path, "--format", "tcx", "-o", tmp_path / "out")
    assert result.exit_code == 1
    # the 21st step is written on line 3 + 2 * 20
    assert (
        f"{path}:43:5: the workout has 30 steps (repeats counted); TCX holds at most 20, and "
        "this is step 21"
    ) in result.stderr
    assert "hint: use a repeat for steps that recur, or split the workout in two" in result.stderr
    assert not (tmp_path / "out" / "thirty.tcx").exists()
    # the same workout is fine as FIT for a current watch, and refused as FIT for a TCX-era one
    assert run_cli("compile", path, "-o", tmp_path / "out").exit_code == 0
    older = run_cli("compile", path, "--device", "tcx", "-o", tmp_path / "old")
    assert older.exit_code == 1 and f"{path}:43:5: the workout has 30 steps" in older.stderr


def test_a_long_name_is_shortened_with_a_warning_and_keeps_its_file_name(tmp_path: Path) -> None:
    source = WORKOUTS / "marathon" / "mp-run.yaml"
    result = run_cli("compile", source, "--athlete", ATHLETE_FILE, "--format", "tcx",
                     "-o", tmp_path)  # fmt: skip
    assert result.exit_code == 0
    assert (
        f"{source}:1:1: warning: workout name 'Marathon pace 8km' is too long for TCX; "
        "shortened to 'Marathon pace 8'"
    ) in result.stderr
    written = tmp_path / "marathon-pace-8km.tcx"
    tcx = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"
    assert ET.parse(written).getroot().findtext(f".//{tcx}Workout/{tcx}Name") == "Marathon pace 8"


def test_a_long_step_name_keeps_its_whole_name_in_the_notes(tmp_path: Path) -> None:
    path = write(tmp_path, "named.yaml", """\
        name: Named
        steps:
          - run: 1km
            name: Threshold kilometre
            notes: steady
        """)  # fmt: skip
    workout = load_workout(path, athlete=None)
    with pytest.warns(
        PacefitWarning, match="step 1 name 'Threshold kilometre' is too long for TCX"
    ):
        fitted = fit_to_device(workout, device_profile("tcx"))
    step = fitted.steps[0]
    assert isinstance(step, Step)
    assert (step.name, step.notes) == ("Threshold kilom", "Threshold kilometre. steady")


def test_a_target_the_device_cannot_show_is_refused_at_its_step(tmp_path: Path) -> None:
    path = write(tmp_path, "power.yaml", """\
        name: Power
        steps:
          - run: 10min
          - run: 5min
            power: 250-280W
        """)  # fmt: skip
    workout = load_workout(path, athlete=None)
    with pytest.raises(WorkoutError) as error:
        fit_to_device(workout, device_profile("tcx"))
    assert str(error.value).startswith(
        f"{path}:4:5: step 2: TCX cannot show a power target\n  hint: it shows cadence or "
        "heart rate or pace targets"
    )


def test_repeat_counts_outside_what_tcx_holds(tmp_path: Path) -> None:
    once = write(tmp_path, "once.yaml", """\
        name: Once
        steps:
          - repeat: 1
            steps:
              - run: 1km
        """)  # fmt: skip
    fitted = fit_to_device(load_workout(once, athlete=None), device_profile("tcx"))
    assert all(isinstance(node, Step) for node in fitted.steps)  # Repetitions 1 is invalid
    # the workout language stops at 99; a workout read from elsewhere may not
    many = Workout(name="Many", steps=(Repeat(steps=(Step(Intensity.ACTIVE, TimeDuration(20)),),
                                              count=120),))  # fmt: skip
    with pytest.raises(WorkoutError, match="TCX holds repeats of 2 to 99; this one runs 120"):
        fit_to_device(many, device_profile("tcx"))


def test_the_athlete_file_names_the_device(tmp_path: Path) -> None:
    athlete = write_athlete(tmp_path, """\
        races:
          10k: "45:00"
        device: legacy
        """)  # fmt: skip
    source = write(tmp_path, "nested.yaml", NESTED)
    result = run_cli("compile", source, "--athlete", athlete, "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert "an older watch cannot nest repeats" in result.stderr
    # --device wins over the athlete file
    quiet = run_cli("compile", source, "--athlete", athlete, "--device", "generic",
                    "-o", tmp_path / "out2")  # fmt: skip
    assert quiet.exit_code == 0 and "nest" not in quiet.stderr
    bad = write_athlete(tmp_path, """\
        races:
          10k: "45:00"
        device: fenix9
        """)  # fmt: skip
    refused = run_cli("compile", source, "--athlete", bad, "-o", tmp_path / "out3")
    assert refused.exit_code == 1
    assert f"{bad}:3:9: unknown device 'fenix9'" in refused.stderr
    assert "hint: devices are generic, legacy, tcx" in refused.stderr


def test_every_profile_number_has_a_source_and_the_readme_shows_the_table() -> None:
    for profile in DEVICE_PROFILES.values():
        for limit in (profile.max_steps, profile.workout_name_bytes, profile.step_name_bytes,
                      profile.nested_repeats, profile.repeat_counts, profile.targets,
                      profile.scheduled_workouts):  # fmt: skip
            assert limit.source.strip(), profile.name
    result = run_cli("devices", "--markdown")
    assert result.exit_code == 0
    table = result.stdout.split("\n\nSources:")[0].strip()
    assert table in (ROOT / "README.md").read_text()
    plain = run_cli("devices").stdout
    assert "(guess)" in plain and all(name in plain for name in DEVICE_PROFILES)
    # the language refuses counts past 99 on every device, so no device offers more
    assert all(p.repeat_counts.value[1] <= 99 for p in DEVICE_PROFILES.values())


def test_a_zwift_file_needs_race_times_and_says_so_in_one_line(tmp_path: Path) -> None:
    source = WORKOUTS / "10k" / "intervals-800.yaml"
    athlete_free = write(tmp_path, "fixed.yaml", """\
        name: Fixed
        steps:
          - run: 1km
            pace: 4:00/km
        """)  # fmt: skip
    result = run_cli("compile", athlete_free, "--format", "zwo", "-o", tmp_path)
    assert result.exit_code == 1
    assert (
        f"{athlete_free}:1:1: a .zwo gives paces as shares of the runner's race paces, and no "
        "race times were given\n  hint: pass --athlete with the runner's race times"
    ) in result.stderr
    ok = run_cli("compile", source, "--athlete", ATHLETE_FILE, "--format", "zwo", "-o", tmp_path)
    assert ok.exit_code == 0 and f"wrote {tmp_path / '6x800m-5k.zwo'}" in ok.stdout


def test_decompile_reads_every_format_back_to_yaml(tmp_path: Path) -> None:
    source = WORKOUTS / "10k" / "tempo-2x15.yaml"
    for file_format, suffix in (("zwo", ".zwo"), ("icu", ".txt"), ("tcx", ".tcx"),
                                ("gcjson", ".json")):  # fmt: skip
        out = tmp_path / file_format
        assert run_cli("compile", source, "--athlete", ATHLETE_FILE, "--format", file_format,
                       "-o", out).exit_code == 0  # fmt: skip
        (written,) = out.glob(f"*{suffix}")
        result = run_cli("decompile", written, "--athlete", ATHLETE_FILE)
        assert result.exit_code == 0, result.stderr
        # two tempo blocks with a rest between: every format writes them out (FIT's layout)
        named = "  notes: Tempo" if file_format == "gcjson" else "  name: Tempo"  # no step names
        assert result.stdout.splitlines().count(named) == 2, file_format
        assert "- rest: 3min" in result.stdout and "15min" in result.stdout, file_format
    no_athlete = run_cli("decompile", next((tmp_path / "zwo").glob("*.zwo")))
    assert no_athlete.exit_code == 1 and "pass --athlete" in no_athlete.stderr


def test_a_plan_builds_into_intervals_icu_text_and_push_refuses_it(tmp_path: Path) -> None:
    out = tmp_path / "icu"
    result = run_cli("build", PLANS / "10k-8wk", "--race-date", "2027-03-07", "--athlete",
                     ATHLETE_FILE, "--format", "icu", "-o", out)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    texts = sorted(out.glob("*.txt"))
    assert texts and not list(out.glob("*.fit"))
    assert texts[0].name.startswith("2027-01-")  # dated back from race day
    manifest = json.loads((out / "pacefit-manifest.json").read_text())
    assert {entry["file"] for entry in manifest["files"]} == {p.name for p in texts}
    assert "is not part of this build" not in result.stderr  # the manifest is not a workout
    pushed = run_cli("push", out, env={"PACEFIT_MOUNT_ROOTS": str(tmp_path / "none")})
    assert pushed.exit_code == 1
    assert "the build is not of FIT workouts" in pushed.stderr


def test_a_nested_repeat_too_long_to_write_out_is_refused_at_the_inner_repeat(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "long.yaml", NESTED.replace("repeat: 3", "repeat: 9"))
    workout = load_workout(path, athlete=None)
    with pytest.raises(WorkoutError) as error, pytest.warns(PacefitWarning, match="written out"):
        fit_to_device(workout, device_profile("tcx"))
    assert str(error.value).startswith(
        f"{path}:6:9: TCX cannot nest repeats, and written out this workout takes 22 steps; TCX "
        "holds at most 20"
    )
