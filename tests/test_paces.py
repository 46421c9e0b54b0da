"""The pace model against Daniels' published VDOT tables (Daniels' Running Formula, Tables 5.1
and 5.2, every row from VDOT 30 to 85, in ../shared/reference/daniels-vdot.md)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from pacefit.core.paces import (
    RACE_DISTANCES_M,
    Athlete,
    PaceModel,
    pace_table,
    race_time_from_vdot,
    riegel_time_s,
    training_paces,
    vdot_from_race,
)
from pacefit.core.units import parse_clock_s

from .helpers import ROOT, run_cli, write_athlete

TABLE_FILE = ROOT.parent / "shared" / "reference" / "daniels-vdot.md"
# The model's paces lie within this of the pace the table's rounded figure stands for.
MAX_ERROR_S_PER_KM = 2.0


@dataclass(frozen=True)
class Printed:
    """A figure as the table prints it: a pace in s/km and how far rounding may have moved it
    (half a second in the unit it is printed in)."""

    s_per_km: float
    rounding_s_per_km: float

    def distance(self, pace_s_per_km: float) -> float:
        """How far a pace lies outside what the printed figure allows."""
        return max(0.0, abs(pace_s_per_km - self.s_per_km) - self.rounding_s_per_km)


def _per_km(seconds: float, metres: float) -> Printed:
    return Printed(seconds * 1000 / metres, 0.5 * 1000 / metres)


def _clock(text: str) -> float:
    seconds = parse_clock_s(text)
    assert seconds is not None, text
    return seconds


def _most_precise(*figures: Printed | None) -> Printed:
    return min((f for f in figures if f is not None), key=lambda f: f.rounding_s_per_km)


@dataclass(frozen=True)
class Row:
    vdot: int
    race_times_s: dict[str, float]
    easy_fast: Printed
    easy_slow: Printed
    marathon: Printed
    threshold: Printed
    interval: Printed
    repetition: Printed


def _rows() -> list[Row]:
    if not TABLE_FILE.exists():
        return []
    rows = []
    for line in TABLE_FILE.read_text().splitlines():
        if not re.match(r"^\| \d\d \|", line):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        vdot, races, (ef, es, m, t, i400, ikm, r200, r400) = cells[0], cells[1:5], cells[5:]
        rows.append(
            Row(
                vdot=int(vdot),
                race_times_s={
                    name: _clock(text) for name, text in zip(RACE_DISTANCES_M, races, strict=True)
                },
                easy_fast=_per_km(_clock(ef), 1000),
                easy_slow=_per_km(_clock(es), 1000),
                marathon=_per_km(_clock(m), 1000),
                threshold=_per_km(_clock(t), 1000),
                interval=_most_precise(
                    _per_km(float(i400), 400), _per_km(float(ikm), 1000) if ikm != "-" else None
                ),
                repetition=_most_precise(
                    _per_km(float(r200), 200), _per_km(float(r400), 400) if r400 != "-" else None
                ),
            )
        )
    assert len(rows) == 12, "the reference table should hold VDOT 30 to 85 in steps of 5"
    return rows


ROWS = _rows()
needs_table = pytest.mark.skipif(not ROWS, reason="../shared/reference/daniels-vdot.md absent")


@needs_table
@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"VDOT{r.vdot}")
def test_race_equivalents_match_table_5_1(row: Row) -> None:
    for name, published_s in row.race_times_s.items():
        distance_m = RACE_DISTANCES_M[name]
        ours_s = race_time_from_vdot(vdot=row.vdot, distance_m=distance_m)
        assert _per_km(published_s, distance_m).distance(ours_s / distance_m * 1000) <= 1.0, name
        assert vdot_from_race(distance_m=distance_m, time_s=published_s) == pytest.approx(
            row.vdot, abs=0.3
        )


@needs_table
@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"VDOT{r.vdot}")
def test_training_paces_match_table_5_2(row: Row) -> None:
    paces = training_paces(row.vdot)
    ours_and_published = {
        "E fast": (paces["easy"].fast_s_per_km, row.easy_fast),
        "E slow": (paces["easy"].slow_s_per_km, row.easy_slow),
        "M": (paces["marathon-training"].fast_s_per_km, row.marathon),
        "T": (paces["threshold"].fast_s_per_km, row.threshold),
        "I": (paces["interval"].fast_s_per_km, row.interval),
        "R": (paces["repetition"].fast_s_per_km, row.repetition),
    }
    errors = {
        name: round(published.distance(ours), 2)
        for name, (ours, published) in ours_and_published.items()
    }
    assert all(error <= MAX_ERROR_S_PER_KM for error in errors.values()), errors


@needs_table
def test_marathon_training_is_slower_than_race_pace_only_at_low_vdot() -> None:
    """The table's M at VDOT 30 is 7:03/km where the equivalent race runs at 6:51/km."""
    low, high = ROWS[0], ROWS[-1]
    for row, slower in ((low, True), (high, False)):
        race_s_per_km = race_time_from_vdot(vdot=row.vdot, distance_m=42195) / 42.195
        training = training_paces(row.vdot)["marathon-training"].fast_s_per_km
        assert (training > race_s_per_km + 5) is slower


# -- one model, labelled ------------------------------------------------------------------------


def test_every_race_pace_agrees_with_the_vdot_printed_beside_it() -> None:
    """A 41:21 10K is VDOT 50: the table's 5K for it is 19:57 (Riegel says 19:50)."""
    table = pace_table(Athlete(race_times_s={"10k": _clock("41:21")}))
    assert table is not None and table.model is PaceModel.VDOT
    assert table.vdot == pytest.approx(50, abs=0.1)
    five_k = table.race["5k"]
    assert five_k.source == "VDOT 50.0 from 10k"
    assert five_k.pace_s_per_km * 5 == pytest.approx(_clock("19:57"), abs=3)
    marathon_s = table.race["marathon"].pace_s_per_km * 42.195
    assert marathon_s == pytest.approx(race_time_from_vdot(vdot=table.vdot, distance_m=42195))


def test_riegel_is_the_other_model_and_says_so() -> None:
    athlete = Athlete(race_times_s={"5k": 1200, "marathon": 12600}, pace_model=PaceModel.RIEGEL)
    table = pace_table(athlete)
    assert table is not None
    assert [table.race[name].source for name in RACE_DISTANCES_M] == [
        "given",
        "Riegel from 5k",
        "Riegel from marathon",
        "given",
    ]
    assert table.race["10k"].pace_s_per_km * 10 == pytest.approx(1200 * 2**1.06)
    # training paces come from the better race (the 5K here), whatever the model
    assert table.vdot == pytest.approx(vdot_from_race(distance_m=5000, time_s=1200))


def test_riegel_predicts_with_exponent_1_06() -> None:
    predicted = riegel_time_s(known_distance_m=10000, known_time_s=45 * 60, distance_m=21097.5)
    assert predicted == pytest.approx(45 * 60 * 2.10975**1.06)


def test_a_vdot_alone_gives_every_pace() -> None:
    table = pace_table(Athlete(vdot=50))
    assert table is not None
    assert table.race["10k"].source == "VDOT 50.0"
    assert table.race["10k"].pace_s_per_km * 10 == pytest.approx(_clock("41:21"), rel=0.003)


def test_no_races_and_no_vdot_gives_no_table() -> None:
    assert pace_table(Athlete()) is None


def test_hr_zones_from_max_hr() -> None:
    assert Athlete(max_hr_bpm=200).hr_zone_bpm(2) == (120, 140)
    assert Athlete(max_hr_bpm=200).hr_zone_bpm(6) is None


# -- every input path, the same checks ------------------------------------------------------------

BAD_INPUTS = [
    ("10k=0:00", "10k: '0:00'", "a 10k time must be longer than zero"),
    ("10k=0:01", "10k: '0:01'", "a 10k in 0:01 is faster than the world record (26:11)"),
    ("10k=45:00:00", "10k: '45:00:00'", "a 10k in 45:00:00 is slower than a walk (4:30:00/km)"),
    # the case: once a VDOT of 15,274
    (
        "marathon=3:30", "marathon: '3:30'",
        "a marathon in 3:30 is faster than the world record (2:00:35)",
    ),
    # faster than Kiptum's 2:00:35, though inside VDOT 95: still not the runner's time
    (
        "marathon=1:59:00", "marathon: '1:59:00'",
        "a marathon in 1:59:00 is faster than the world record (2:00:35)",
    ),
    ("5k=5:00:00", "5k: '5:00:00'", "a 5k in 5:00:00 is slower than a walk (1:00:00/km)"),
]  # fmt: skip


def test_no_race_message_shows_a_vdot_it_computed() -> None:
    """The words say what is wrong with the time (a world record, a walk), never a VDOT of
    15,274 or of -5."""
    for option, _, _ in BAD_INPUTS:
        assert "VDOT" not in run_cli("paces", "--race", option).stderr.splitlines()[0]


def test_a_time_just_slower_than_the_world_record_is_taken() -> None:
    result = run_cli("paces", "--race", "marathon=2:01:00")
    assert result.exit_code == 0
    assert result.stdout.startswith("VDOT 85.2 (from the marathon, the best race given)\n")


@pytest.mark.parametrize(("option", "yaml_race", "message"), BAD_INPUTS)
def test_the_command_line_and_the_athlete_file_refuse_the_same_race(
    option: str, yaml_race: str, message: str, tmp_path: Path
) -> None:
    result = run_cli("paces", "--race", option)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == f"--race {option}: {message}"
    athlete = write_athlete(tmp_path, f"races:\n  {yaml_race}\n")
    result = run_cli("paces", "--athlete", athlete)
    assert result.exit_code == 1
    column = yaml_race.index("'") + 3  # where the time starts, under `races:`
    assert result.stderr.splitlines()[0] == f"{athlete}:2:{column}: {message}"


@pytest.mark.parametrize("vdot", ["nan", "inf", "0", "120"])
def test_the_command_line_and_the_athlete_file_refuse_the_same_vdot(
    vdot: str, tmp_path: Path
) -> None:
    shown = f"{float(vdot):g}"
    result = run_cli("paces", "--vdot", vdot)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"--vdot {shown}: VDOT {shown} is not a runner's VDOT",
        "  hint: give a VDOT from 10 to 95 (Daniels' tables cover 30 to 85)",
    ]
    athlete = write_athlete(tmp_path, f"vdot: {vdot}\n")
    result = run_cli("paces", "--athlete", athlete)
    assert result.stderr.splitlines()[0] == f"{athlete}:1:7: VDOT {shown} is not a runner's VDOT"


def test_a_vdot_outside_the_tables_is_a_warning_on_either_path(tmp_path: Path) -> None:
    warning = (
        "warning: VDOT 25.0 is outside Daniels' tables (30-85): its paces are extrapolated, "
        "check them against how the runner feels"
    )
    result = run_cli("paces", "--vdot", "25")
    assert result.exit_code == 0
    assert result.stderr == f"--vdot 25: {warning}\n"
    athlete = write_athlete(tmp_path, "vdot: 25\n")
    result = run_cli("paces", "--athlete", athlete)
    assert result.stderr == f"{athlete}:1:7: {warning}\n"
    assert run_cli("paces", "--vdot", "50").stderr == ""


def test_an_unreadable_race_names_the_form_to_use() -> None:
    result = run_cli("paces", "--race", "15k=1:00:00")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "--race 15k=1:00:00: cannot read the race '15k=1:00:00'",
        "  hint: write DIST=TIME with DIST one of 5k, 10k, half, marathon, e.g. 10k=45:00",
    ]


@pytest.mark.parametrize(
    ("race", "problem"),
    [
        ("10k=45", "a bare number is not a time; write m:ss or h:mm:ss (45:00 for 45 minutes)"),
        ("10k=4:60", "minutes and seconds run from 00 to 59"),
        ("10k=45:5", "minutes and seconds are written with two digits (4:05, 1:02:03)"),
    ],
)
def test_a_race_time_that_is_not_a_time_says_how_to_write_one(race: str, problem: str) -> None:
    result = run_cli("paces", "--race", race)
    assert result.exit_code == 1
    time_text = race.split("=")[1]
    assert result.stderr.splitlines() == [
        f"--race {race}: cannot read the race time '{time_text}': {problem}",
        "  hint: e.g. 10k=45:00 or 10k=1:39:30",
    ]


def test_a_race_time_in_the_athlete_file_that_is_not_a_time_says_why(tmp_path: Path) -> None:
    athlete = write_athlete(tmp_path, "races:\n  10k: '45'\n")
    result = run_cli("paces", "--athlete", athlete)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{athlete}:2:8: cannot use '45' as a 10k time: a bare number is not a time; write m:ss "
        "or h:mm:ss (45:00 for 45 minutes)"
    )


# -- what the runner reads ------------------------------------------------------------------------


def test_a_vdot_given_beside_race_times_is_said_to_be_the_one_training_uses(
    tmp_path: Path,
) -> None:
    athlete = write_athlete(tmp_path, 'name: Both\nvdot: 45\nraces:\n  10k: "45:00"\n')
    lines = run_cli("paces", "--athlete", athlete).stdout.splitlines()
    assert lines[0] == "VDOT 45.0 (given in the athlete file: the training paces use it)"
    assert "  5k        4:20/km  6:59/mi   21:42    VDOT 45.3 from 10k" in lines


def test_paces_prints_each_figure_with_its_model() -> None:
    result = run_cli("paces", "--race", "10k=45:00")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "VDOT 45.3 (from the 10k, the best race given)"
    assert "Race paces, predicted by the VDOT of the nearest race given (Daniels' tables)" in lines
    assert "  10k       4:30/km  7:15/mi   45:00    given" in lines
    assert "  5k        4:20/km  6:59/mi   21:42    VDOT 45.3 from 10k" in lines
    assert "  threshold (T)          4:37/km       7:25/mi" in lines
    riegel = run_cli("paces", "--race", "10k=45:00", "--model", "riegel").stdout
    assert "Race paces, predicted by Riegel's formula (exponent 1.06)" in riegel
    assert "Riegel from 10k" in riegel


def test_slow_paces_keep_their_columns() -> None:
    """A VDOT 12 runner's easy band is past 17:00/km: every column stays aligned."""
    lines = run_cli("paces", "--vdot", "12").stdout.splitlines()
    training = lines[lines.index("Training paces (Daniels' VDOT tables)") + 1 :]
    header, rows = training[0], training[1:]
    for column in ("per km", "per mile"):
        start = header.index(column)
        assert all(row[start - 1] == " " and row[start] != " " for row in rows), column


def test_paces_json_has_every_figure_with_units_in_its_keys() -> None:
    result = run_cli("paces", "--race", "10k=45:00", "--json")
    data = json.loads(result.stdout)
    assert data["model"] == "vdot"
    assert data["vdot"] == pytest.approx(45.3, abs=0.05)
    ten_k = next(race for race in data["races"] if race["name"] == "10k")
    assert ten_k == {
        "name": "10k",
        "distance_m": 10000.0,
        "time_s": 2700.0,
        "pace_s_per_km": 270.0,
        "pace_s_per_mile": 434.52,
        "source": "given",
    }
    names = [(t["name"], t["letter"]) for t in data["training"]]
    assert names == [
        ("easy", "E"),
        ("marathon-training", "M"),
        ("threshold", "T"),
        ("interval", "I"),
        ("repetition", "R"),
    ]
    easy = data["training"][0]
    assert easy["fast_s_per_km"] < easy["slow_s_per_km"]
    assert easy["fast_s_per_mile"] == pytest.approx(easy["fast_s_per_km"] * 1.609344, abs=0.01)
