"""What a run can physically be (core/plausible.py), on damaged copies of real files: every
correction is the warning a runner sees, naming the file, with the figures that result; a file
that cannot be a run is refused in one line. The damage is made in each test from the real
fixture (FIT checksums made right again), so the reader meets the damage itself."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

from pacefit.core import plausible
from pacefit.core.activity import Activity
from pacefit.errors import PacefitError, PacefitWarning
from pacefit.formats import read_activity
from pacefit.formats.athlete_yaml import load_athlete

from . import fit_edit
from .fit_edit import FILE_ID, LAP, RECORD, SESSION
from .helpers import (
    ATHLETE_FILE,
    REAL,
    WORKOUTS,
    run_cli,
    shared_files,
    shared_fixture,
)
from .mutants import Mutant, judge

# A Forerunner 610's 4-mile steady run, FIT and TCX of the same activity (8.38 km in 47:37).
STEADY = "real/connectstats-activity_234979239"
STEADY_WORKOUT = REAL / "workouts" / "connectstats-activity_234979239.yaml"
# A Forerunner 965's 5 x 3 min: 12 laps, the last one the fifth jog and the cool-down.
STAMINA = "real/fit-parser-garmin-stamina.fit"
STAMINA_WORKOUT = REAL / "workouts" / "fit-parser-garmin-stamina.yaml"
GPX = "gpx/korita-zbevnica.gpx"  # a real track; 358 of its 871 points carry no time
UNTIMED = "left out 358 track points without a time"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data)
    else:
        path.write_bytes(data)
    return path


def analyze(path: Path, workout: Path = STEADY_WORKOUT, *options: str) -> tuple[int, str, str]:
    result = run_cli("analyze", path, "--workout", workout, *options)
    return result.exit_code, result.stdout, result.stderr


def analyze_json(path: Path, workout: Path = STEADY_WORKOUT) -> dict[str, Any]:
    result = run_cli("analyze", path, "--workout", workout, "--json")
    assert result.exit_code == 0, result.output

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    data: dict[str, Any] = json.loads(result.stdout, parse_constant=refuse)
    return data


def warned(path: Path, stderr: str) -> list[str]:
    """The warnings, each checked to be one line naming the file."""
    prefix = f"{path}: warning: "
    lines = stderr.splitlines()
    assert all(line.startswith(prefix) for line in lines), stderr
    return [line.removeprefix(prefix) for line in lines]


def summary(stdout: str) -> str:
    """The report's line with the run's distance and time."""
    return stdout.splitlines()[1]


def figures(data: dict[str, Any]) -> list[tuple[str, float, float]]:
    return [(s["verdict"], s["distance_m"], s["timer_s"]) for s in data["steps"]]


# -- totals that cannot be true give way to the records -----------------------------------


def test_a_garbage_session_distance_gives_way_to_the_records(tmp_path: Path) -> None:
    """The issue's 40,265.32 km in 47:37, score 100: a session total_distance of 0xF0000000."""
    data = shared_fixture(f"{STEADY}.fit").read_bytes()
    path = write(
        tmp_path, "run.fit", fit_edit.set_field(data, message=SESSION, field=9, value=0xF0000000)
    )
    code, stdout, stderr = analyze(path)
    assert code == 0
    assert warned(path, stderr) == [
        "the session's distance (40,265.32 km) is more than a runner can cover in its time; "
        "the records' 8.37 km used"
    ]
    assert summary(stdout) == "run 2012-10-19 06:15 UTC, 8.37km in 47:37 (timer)"
    (correction,) = analyze_json(path)["activity"]["corrections"]
    assert correction == {
        "kind": "distance_total",
        "message": "the session's distance (40,265.32 km) is more than a runner can cover in "
        "its time; the records' 8.37 km used",
        "stated_distance_m": 40265318.4,
        "records_distance_m": 8374.4,
    }


def test_a_garbage_session_timer_is_not_longer_than_the_run(tmp_path: Path) -> None:
    """The issue's 8.38km in 1118:28:52 (timer), far beyond the elapsed time."""
    data = shared_fixture(f"{STEADY}.fit").read_bytes()
    path = write(
        tmp_path, "run.fit", fit_edit.set_field(data, message=SESSION, field=8, value=0xF0000000)
    )
    code, stdout, stderr = analyze(path)
    assert code == 0
    assert warned(path, stderr) == [
        "the session's timer time (1118:28:52) is longer than its elapsed time (58:40); "
        "the records' 47:36 used"
    ]
    assert summary(stdout) == "run 2012-10-19 06:15 UTC, 8.38km in 47:36 (timer)"


def test_swapped_session_times_give_way_to_the_records(tmp_path: Path) -> None:
    data = shared_fixture(f"{STEADY}.fit").read_bytes()
    timer = fit_edit.field_value(data, message=SESSION, field=8)
    elapsed = fit_edit.field_value(data, message=SESSION, field=7)
    swapped = fit_edit.set_field(data, message=SESSION, field=8, value=elapsed)
    swapped = fit_edit.set_field(swapped, message=SESSION, field=7, value=timer)
    path = write(tmp_path, "run.fit", swapped)
    code, stdout, stderr = analyze(path)
    assert code == 0
    assert warned(path, stderr) == [
        "the session's timer time (58:43) disagrees with its records; the records' 47:36 used"
    ]
    assert summary(stdout) == "run 2012-10-19 06:15 UTC, 8.38km in 47:36 (timer)"


def test_a_distance_spike_in_a_run_without_a_session_is_ignored(tmp_path: Path) -> None:
    """No session to give the totals, and one record whose distance is 0xF0000000 cm."""
    data = shared_fixture(f"{STEADY}.fit").read_bytes()
    for _ in fit_edit.data_messages(data, SESSION):
        data = fit_edit.drop_message(data, message=SESSION, index=0)
    path = write(
        tmp_path,
        "run.fit",
        fit_edit.set_field(data, message=RECORD, field=5, value=0xF0000000, index=300),
    )
    code, stdout, stderr = analyze(path)
    assert code == 0
    assert warned(path, stderr) == [
        "ignored 1 distance reading that jumps faster than a runner can (record 301)"
    ]
    assert summary(stdout) == "run 2012-10-19 06:15 UTC, 8.37km in 47:36 (timer)"


def test_session_times_that_leave_out_records_give_way_to_them(tmp_path: Path) -> None:
    """A session that says it started 20 minutes after the first record: the whole run
    counts, not its last half hour."""
    data = shared_fixture(f"{STEADY}.fit").read_bytes()
    start = fit_edit.field_value(data, message=SESSION, field=2)
    path = write(
        tmp_path, "run.fit", fit_edit.set_field(data, message=SESSION, field=2, value=start + 1200)
    )
    code, stdout, stderr = analyze(path)
    assert code == 0
    assert warned(path, stderr) == [
        "the session's start and end leave out 297 of its 763 records; read as part of the run"
    ]
    assert summary(stdout) == "run 2012-10-19 06:15 UTC, 8.38km in 47:37 (timer)"


# -- laps -------------------------------------------------------------------------------------


def test_a_lap_written_twice_counts_once(tmp_path: Path) -> None:
    """Once, the following steps' figures shifted (a cool-down of 329 m became 1,938 m)."""
    clean = shared_fixture(STAMINA)
    path = write(
        tmp_path, "run.fit", fit_edit.copy_message(clean.read_bytes(), message=LAP, index=3)
    )
    code, _, stderr = analyze(path, STAMINA_WORKOUT)
    assert code == 0
    assert warned(path, stderr) == ["lap 4 is written twice in the file; counted once"]
    assert figures(analyze_json(path, STAMINA_WORKOUT)) == figures(
        analyze_json(clean, STAMINA_WORKOUT)
    )


def test_records_after_the_last_lap_make_a_final_lap(tmp_path: Path) -> None:
    """The watch never wrote its last lap (the fifth jog and the cool-down, 18 minutes): the
    records after lap 11 become lap 12, and the run's timer and the cool-down include them."""
    clean = shared_fixture(STAMINA)
    data = clean.read_bytes()
    laps = len(fit_edit.data_messages(data, LAP))
    path = write(tmp_path, "run.fit", fit_edit.drop_message(data, message=LAP, index=laps - 1))
    code, stdout, stderr = analyze(path, STAMINA_WORKOUT)
    assert code == 0
    assert warned(path, stderr) == [
        "the records go on for 18:00 (2.47 km) after the last lap; a final lap made from them"
    ]
    assert summary(stdout) == "run 2026-05-14 12:05 UTC+8, 11.23km in 1:14:48 (timer)"
    damaged, whole = analyze_json(path, STAMINA_WORKOUT), analyze_json(clean, STAMINA_WORKOUT)
    assert damaged["activity"]["laps"] == 12
    assert [s["verdict"] for s in damaged["steps"]] == [s["verdict"] for s in whole["steps"]]
    cooldown, truth = damaged["steps"][-1], whole["steps"][-1]
    assert cooldown["distance_m"] == pytest.approx(truth["distance_m"], abs=2)
    assert cooldown["timer_s"] == pytest.approx(truth["timer_s"], abs=2)


# -- FIT files others write, and damaged ones -------------------------------------------------


def test_a_damaged_file_id_is_read_by_what_the_file_holds(tmp_path: Path) -> None:
    data = shared_fixture(f"{STEADY}.fit").read_bytes()
    path = write(
        tmp_path, "run.fit", fit_edit.set_field(data, message=FILE_ID, field=0, value=0xFF)
    )
    code, stdout, stderr = analyze(path)
    assert code == 0
    assert warned(path, stderr) == [
        "the file_id does not say what kind of file this is; read as an activity, since it "
        "holds records and a session"
    ]
    assert summary(stdout) == "run 2012-10-19 06:15 UTC, 8.38km in 47:37 (timer)"


@pytest.mark.parametrize("new", [0, 18, 19, 21, 26, 27, 34])
def test_a_definition_relabelled_as_another_message_is_no_internal_error(
    new: int, tmp_path: Path
) -> None:
    """The records' definition says it defines a session, a lap, an event, a workout step...
    (once: `AttributeError: 'int' object has no attribute 'split'`, exit 2)."""
    data = shared_fixture(f"{STEADY}.fit").read_bytes()
    path = write(tmp_path, "run.fit", fit_edit.relabel_definition(data, old=RECORD, new=new))
    code, _, stderr = analyze(path)
    assert code in (0, 1), stderr
    assert all(line.startswith(f"{path}: ") for line in stderr.splitlines()), stderr
    assert "internal error" not in stderr


def test_a_damaged_definition_is_refused_at_the_byte_in_words_about_the_file(
    tmp_path: Path,
) -> None:
    """A field size changed in a definition garbles every message after it; fitparse says
    `AttributeError: 'NoneType' object has no attribute 'name'`, pacefit where and what."""
    data = shared_fixture(f"{STEADY}.fit").read_bytes()
    body = bytearray(fit_edit.without_crc(data))
    body[322] = 4  # the size of a field of the definition at byte 306: 4 bytes, not 1
    path = write(tmp_path, "run.fit", fit_edit.reframed(bytes(body)))
    code, stdout, stderr = analyze(path)
    assert (code, stdout) == (1, "")
    assert stderr == (
        f"{path}: the file is damaged at byte 680: a message there does not fit its definition\n"
    )


# -- GPS fixes --------------------------------------------------------------------------------


def _gpx_point_set(text: str, number: int, **values: str) -> str:
    """The GPX with attributes of its `number`-th (1-based) timed track point replaced."""
    timed = [
        m.start() for m in re.finditer(r"<trkpt [^>]*>\s*(?:<ele>[^<]*</ele>\s*)?<time>", text)
    ]
    start = timed[number - 1]
    end = text.index(">", start)
    tag = text[start:end]
    for name, value in values.items():
        tag = re.sub(rf'{name}="[^"]*"', f'{name}="{value}"', tag)
    return text[:start] + tag + text[end:]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"lon": "NaN"}, "ignored 1 GPS point not on Earth (point 200)"),
        ({"lat": "inf"}, "ignored 1 GPS point not on Earth (point 200)"),
        ({"lat": "0", "lon": "0"}, "ignored 1 GPS point at 0,0 (point 200)"),
        (
            {"lat": "46.3"},
            "ignored 1 GPS point reached and left faster than a runner can move (point 200)",
        ),
    ],
    ids=["lon NaN", "lat infinite", "0,0", "20 km away"],
)
def test_an_impossible_gps_point_is_ignored(
    values: dict[str, str], message: str, tmp_path: Path
) -> None:
    """Once one point at lon="NaN" added 20,015 km to a run, one at 0,0 10,642 km."""
    clean = shared_fixture(GPX)
    path = write(tmp_path, "run.gpx", _gpx_point_set(clean.read_text(), 200, **values))
    easy = WORKOUTS / "easy" / "easy-run.yaml"
    result = run_cli("analyze", path, "--workout", easy, "--athlete", ATHLETE_FILE, "--json")
    assert result.exit_code == 0, result.output
    assert warned(path, result.stderr) == [UNTIMED, message]
    damaged = json.loads(result.stdout)["activity"]
    whole = json.loads(
        run_cli("analyze", clean, "--workout", easy, "--athlete", ATHLETE_FILE, "--json").stdout
    )["activity"]
    assert damaged["distance_m"] == pytest.approx(whole["distance_m"], rel=0.01)
    assert damaged["corrections"][-1]["message"] == message


def test_a_first_fix_before_the_gps_locked_is_ignored(tmp_path: Path) -> None:
    """A receiver's first fixes, 5 km off, before it has locked: five points dropped, the
    distance that of the run."""
    clean = shared_fixture(GPX)
    text = clean.read_text()
    for number in range(1, 6):
        text = _gpx_point_set(text, number, lat="46.4")
    path = write(tmp_path, "run.gpx", text)
    with pytest.warns(PacefitWarning) as caught:
        activity = read_activity(path)
    assert [str(w.message) for w in caught] == [
        f"{path}: {UNTIMED}",
        f"{path}: ignored 5 GPS points reached and left faster than a runner can move (the "
        "first at point 1)",
    ]
    with pytest.warns(PacefitWarning):
        whole = read_activity(clean)
    # what the runner covered between the first five points is all that is lost
    assert activity.distance_m == pytest.approx(whole.distance_m - whole.track.distance_m[5], abs=1)


# -- the clock and the times ------------------------------------------------------------------


def test_a_gpx_whose_clock_stands_still_is_refused() -> None:
    """Mojstrovka.gpx: 184 points within a millisecond, once scored as `2.71km in 0:00`."""
    path = shared_fixture("gpx/Mojstrovka.gpx")
    code, stdout, stderr = analyze(
        path, WORKOUTS / "easy" / "easy-run.yaml", "--athlete", str(ATHLETE_FILE)
    )
    assert (code, stdout) == (1, "")
    assert stderr == (
        f"{path}: the clock stands still: 183 of 184 points come less than 0.1 s after the one "
        "before (184 points in 0.000343 s), so pace cannot be known\n"
    )


def test_a_gpx_whose_points_mostly_lack_times_is_refused() -> None:
    """296 points, 5 with a time: once scored `0.05km in 0:57`, 0/100, with no word."""
    path = shared_fixture("gpx/cerknicko-without-times.gpx")
    code, stdout, stderr = analyze(
        path, WORKOUTS / "easy" / "easy-run.yaml", "--athlete", str(ATHLETE_FILE)
    )
    assert (code, stdout) == (1, "")
    assert stderr == (f"{path}: only 5 of 296 track points carry a time, so pace cannot be known\n")


# -- TCX totals -------------------------------------------------------------------------------


def _first_lap_total(text: str, element: str, value: str) -> str:
    return re.sub(rf"<{element}>[^<]*<", f"<{element}>{value}<", text, count=1)


@pytest.mark.parametrize(
    ("element", "value", "messages", "summary_line"),
    [
        (
            "TotalTimeSeconds", "-5000",
            [
                "lap 1's timer time (-1:23:20) is negative; the records' 9:31 used",
                "the session's timer time (-45:12) is negative; the records' 47:43 used",
            ],
            "run 2012-10-19 06:15 UTC, 8.38km in 47:43 (timer)",
        ),
        (
            "TotalTimeSeconds", "NaN",
            [
                "lap 1's timer time is not a number; the records' 9:31 used",
                "the session's timer time is not a number; the records' 47:43 used",
            ],
            "run 2012-10-19 06:15 UTC, 8.38km in 47:43 (timer)",
        ),
        (
            "DistanceMeters", "1e308",
            [
                "lap 1's distance (1e+308 m) is more than a runner can cover in its time; the "
                "records' 1.62 km used",
                "the session's distance (1e+308 m) is more than a runner can cover in its time; "
                "the records' 8.37 km used",
            ],
            "run 2012-10-19 06:15 UTC, 8.37km in 47:37 (timer)",
        ),
    ],
    ids=["timer -5000", "timer NaN", "distance 1e308"],
)  # fmt: skip
def test_tcx_lap_totals_that_cannot_be_true_give_way_to_the_records(
    element: str, value: str, messages: list[str], summary_line: str, tmp_path: Path
) -> None:
    """Once `8.38km in -1:14:48`, bare NaN in --json (invalid JSON), a 309-digit distance.
    The lap's pauses are then the stationary gaps between its points (its total says none)."""
    text = shared_fixture(f"{STEADY}.tcx").read_text()
    path = write(tmp_path, "run.tcx", _first_lap_total(text, element, value))
    code, stdout, stderr = analyze(path)
    assert code == 0
    assert warned(path, stderr) == messages
    assert summary(stdout) == summary_line
    assert [c["message"] for c in analyze_json(path)["activity"]["corrections"]] == messages


def test_a_tcx_lap_written_twice_counts_once(tmp_path: Path) -> None:
    """Once its distance was added again: 9.98 km for an 8.38 km run."""
    clean = shared_fixture(f"{STEADY}.tcx")
    text = clean.read_text()
    start = text.index("<Lap ")
    end = text.index("</Lap>", start) + len("</Lap>")
    path = write(tmp_path, "run.tcx", text[:end] + text[start:end] + text[end:])
    code, stdout, stderr = analyze(path)
    assert code == 0
    assert warned(path, stderr) == ["lap 1 is written twice in the file; counted once"]
    assert summary(stdout) == "run 2012-10-19 06:15 UTC, 8.38km in 47:37 (timer)"
    assert figures(analyze_json(path)) == figures(analyze_json(clean))


@pytest.mark.parametrize(
    ("element", "value"),
    [("Value", "NaN"), ("Value", "inf"), ("Cadence", "inf"), ("Cadence", "NaN")],
)
def test_a_heart_rate_or_cadence_that_is_not_a_number_is_missing(
    element: str, value: str, tmp_path: Path
) -> None:
    """Once `ValueError: cannot convert float NaN to integer`, exit 2."""
    clean = shared_fixture(f"{STEADY}.tcx")
    # every heart rate, or every cadence (the point's own and the extension's RunCadence)
    pattern = r"(<Value>)[^<]*<" if element == "Value" else r"(<(?:\w+:)?(?:Run)?Cadence>)[^<]*<"
    text = re.sub(pattern, rf"\g<1>{value}<", clean.read_text())
    path = write(tmp_path, "run.tcx", text)
    code, stdout, stderr = analyze(path)
    assert (code, stderr) == (0, "")
    assert summary(stdout) == "run 2012-10-19 06:15 UTC, 8.38km in 47:37 (timer)"
    column = "heart_rate_bpm" if element == "Value" else "cadence_spm"
    assert set(getattr(read_activity(path).track, column)) == {None}


# -- the odd real files not made for pacefit --------------------------------------------------

ODD_FILES = (
    shared_files("fit/activities", "*.fit") + shared_files("fit/invalid", "*.fit")
    + shared_files("gpx", "*.gpx")
)  # fmt: skip
# What becomes of the notable ones: a refusal's words, or the corrections of a read.
ODD_OUTCOMES = {
    "Mojstrovka.gpx": "the clock stands still",
    "cerknicko-without-times.gpx": "only 5 of 296 track points carry a time",
    # a ride or a drive: 8-11 m/s for minutes (a 41 km/h minute), a 36 km/h minute
    "around-visnjan-with-car.gpx": "the run covers 0.69 km in 1:00 from point 6 (41 km/h)",
    "cerknicko-jezero.gpx": "the run covers 0.63 km in 1:02 from point 236 (36 km/h)",
    # ten points 20-110 km apart, the last stamped an hour before the one written before it:
    # a test file, not a recording (refused first for its order, then for its speed)
    "first_and_last_elevation.gpx": "the track's time goes back 1:00:00 at the point on line 27",
    "korita-zbevnica.gpx": [UNTIMED],
}


@pytest.mark.parametrize("path", ODD_FILES, ids=lambda p: p.name)
def test_every_odd_real_file_is_read_within_the_limits_or_refused_in_one_line(
    path: Path, tmp_path: Path
) -> None:
    """The same judge as the fuzz test's: figures within the limits, JSON of finite numbers,
    a refusal one line in words about the file."""
    outcome = judge(
        Mutant(path.name, path.suffix.lower(), path.read_bytes()),
        workout=WORKOUTS / "easy" / "easy-run.yaml",
        athlete=load_athlete(ATHLETE_FILE),
        folder=tmp_path,
    )
    expected = ODD_OUTCOMES.get(path.name)
    if isinstance(expected, str):
        assert outcome == "refused"
        with pytest.raises(PacefitError, match=re.escape(expected)):
            read_activity(path)
    elif isinstance(expected, list):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PacefitWarning)
            activity = read_activity(path)
        assert [w.message.message for w in caught] == expected  # type: ignore[union-attr]
        assert [c.message for c in activity.corrections] == expected


def test_no_correction_fires_on_the_clean_real_runs() -> None:
    """The graded recordings (and their TCX twin) are read exactly as written."""
    paths = sorted(REAL.glob("*.fit")) + sorted(REAL.glob("*.tcx"))
    if not paths:
        pytest.skip("the real fixtures are not available")
    read: list[Activity] = []
    for path in paths:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PacefitWarning)
            try:
                read.append(read_activity(path))
            except PacefitError as exc:
                assert "not a run" in exc.message or "not an activity" in exc.message
    assert len(read) == 6
    assert all(activity.corrections == () for activity in read)


# -- the limits ------------------------------------------------------------------------------


def test_world_records_are_the_table_at_its_rows_and_between_them_in_order() -> None:
    for distance_m, time_s, _ in plausible.WORLD_RECORDS:
        assert plausible.world_record_s(distance_m) == pytest.approx(time_s)
    assert plausible.world_record_s(99.0) is None
    times = [plausible.world_record_s(d) or 0.0 for d in range(100, 400_000, 500)]
    assert times == sorted(times)
    assert plausible.world_record_s(3000.0) == pytest.approx(437.55)  # 7:17.55


def test_the_readme_gives_the_limits_the_code_uses() -> None:
    """The limits are written once, in the code; the README's table repeats each value."""
    from .helpers import ROOT

    rows = re.findall(
        r"^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \| ([^|]+) \|", (ROOT / "README.md").read_text(), re.M
    )
    assert len(rows) == 16
    for names, values in rows:
        constants = [getattr(plausible, name.strip("` ")) for name in names.split(", ")]
        for constant, text in zip(constants, values.strip().split(", "), strict=True):
            if isinstance(constant, tuple):
                low, high = re.fullmatch(r"(-?[\d.]+)-(-?[\d.]+)", text).groups()  # type: ignore[union-attr]
                assert constant == (pytest.approx(float(low)), pytest.approx(float(high)))
            else:
                assert float(text) == pytest.approx(constant, abs=0.05), names
