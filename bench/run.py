"""pacefit benchmarks: run by hand, print a table. Not part of the test suite.

    python bench/run.py            # all of them (a few minutes on 2 cores)
    python bench/run.py analyze    # just one: analyze, pages, build, startup, review,
                                   # process, decode, hostile, gpx, log

Every figure is the median of several runs and a ratio against a baseline measured in the same
run, so that a noisy or slow machine moves both. The real files come from ../shared/fixtures
(rows are marked skipped when it is absent).
"""

from __future__ import annotations

import compileall
import contextlib
import datetime as dt
import functools
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pacefit.core.paces import Athlete
    from pacefit.core.plan import ScheduledSession
    from pacefit.simulate import Script
    from pacefit.store.database import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "fixtures"
LARGE = SHARED / "real" / "fit-benchmarks-large.fit"
LARGE_WORKOUT = SHARED / "real" / "workouts" / "fit-benchmarks-large.yaml"
FENIX2 = SHARED / "fit" / "activities" / "activity-large-fenxi2-multisport.fit"
ATHLETE = ROOT / "workouts" / "athlete.example.yaml"
SIMPLE_WORKOUT = """
name: Steady with pickups
steps:
  - warmup: 10min
  - repeat: 3
    steps:
      - run: 5min
        pace: 4:30-5:30/km
      - rest: 2min
  - cooldown: lap
"""

ROWS: list[tuple[str, str, str, str]] = []


def median_s(function: Callable[[], object], *, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def row(name: str, value: str, baseline: str, verdict: str) -> None:
    ROWS.append((name, value, baseline, verdict))
    print(f"  {name}: {value} | {baseline} | {verdict}", file=sys.stderr)


def peak_rss_mb(code: str) -> float:
    """Peak resident memory of a fresh interpreter running `code` (Linux VmHWM; ru_maxrss would
    carry over the parent's peak through fork and exec)."""
    script = (
        f"import sys; sys.path.insert(0, {str(ROOT / 'src')!r})\n{code}\n"
        "from pathlib import Path\n"
        "print(next(line.split()[1] for line in Path('/proc/self/status').read_text().splitlines()"
        " if line.startswith('VmHWM')))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def bare_fitparse(path: Path) -> None:
    """The baseline: fitparse decoding the file, doing nothing with the records."""
    import fitparse

    for _ in fitparse.FitFile(str(path)).get_messages("record"):
        pass


# -- 1. analyze ---------------------------------------------------------------------------


def simulated_long_run(work: Path) -> Path:
    from pacefit.core.workout import Overrides
    from pacefit.formats.athlete_yaml import load_athlete
    from pacefit.formats.workout_yaml import load_workout
    from pacefit.simulate import LapMode, Script, simulate, to_fit_bytes

    long_run = load_workout(
        ROOT / "workouts/easy/long-run.yaml",
        athlete=load_athlete(ATHLETE),
        overrides=Overrides(distance_m=40_000),
    )
    path = work / "four-hours.fit"
    script = Script(workout=long_run, laps=LapMode.AUTO, embed_workout=False)
    path.write_bytes(to_fit_bytes(simulate(script)))
    return path


def bench_analyze(work: Path) -> None:
    from pacefit.jobs.analyze import analyze_file
    from pacefit.reports.data import analysis_data

    simple = work / "simple.yaml"
    simple.write_text(SIMPLE_WORKOUT)
    cases = [
        ("fenix 6X ultra, 42,709 records", LARGE, LARGE_WORKOUT, 0.15),
        ("Fenix 2 multisport, 24,239 records", FENIX2, simple, 0.15),
        ("simulated 4 h run, 1 Hz", simulated_long_run(work), simple, 0.4),
    ]
    for label, path, workout, target in cases:
        if not path.exists() or not workout.exists():
            row(f"analyze: {label}", "skipped (file absent)", "", "")
            continue

        def full(path: Path = path, workout: Path = workout) -> None:
            analysis = analyze_file(path, workout_path=workout, athlete=None)
            json.dumps(analysis_data(analysis))

        baseline = median_s(functools.partial(bare_fitparse, path), repeats=3)
        ours = median_s(full, repeats=3)
        row(
            f"analyze: {label}",
            f"{ours:.3f} s",
            f"bare fitparse decode {baseline:.2f} s",
            f"x{ours / baseline:.3f} (target <= x{target})",
        )
        ours_mb = peak_rss_mb(
            "from pathlib import Path\nfrom pacefit.jobs.analyze import analyze_file\n"
            f"analyze_file(Path({str(path)!r}), workout_path=Path({str(workout)!r}), "
            "athlete=None)"
        )
        bare_mb = peak_rss_mb(
            f"import fitparse\nfor m in fitparse.FitFile({str(path)!r}).get_messages('record'):"
            " pass"
        )
        row(
            f"analyze peak memory: {label}",
            f"{ours_mb:.0f} MB ({path.stat().st_size / 1e6:.1f} MB file)",
            f"bare decode {bare_mb:.0f} MB",
            f"{ours_mb - bare_mb:+.0f} MB against the bare decode",
        )


def bench_pages(work: Path) -> None:
    """The run page of the largest real run, against `analyze --json` on it."""
    from pacefit.files import write_atomic
    from pacefit.jobs.analyze import analyze_file
    from pacefit.reports.data import analysis_data
    from pacefit.reports.html import render_analysis_html

    label = "run page: fenix 6X ultra, 42,709 records"
    if not LARGE.exists() or not LARGE_WORKOUT.exists():
        row(label, "skipped (file absent)", "", "")
        return
    page = work / "large.html"

    def as_json() -> None:
        analysis = analyze_file(LARGE, workout_path=LARGE_WORKOUT, athlete=None)
        json.dumps(analysis_data(analysis))

    def as_page() -> None:
        analysis = analyze_file(LARGE, workout_path=LARGE_WORKOUT, athlete=None)
        write_atomic(page, render_analysis_html(analysis).encode())

    baseline = median_s(as_json, repeats=5)
    ours = median_s(as_page, repeats=5)
    row(
        label,
        f"{ours:.3f} s, {page.stat().st_size / 1e6:.2f} MB",
        f"analyze --json {baseline:.3f} s",
        f"x{ours / baseline:.2f} (target < x2, a few MB)",
    )


# -- 2. build -------------------------------------------------------------------------------


def bench_build(work: Path) -> None:
    from pacefit.formats.athlete_yaml import load_athlete
    from pacefit.jobs.build import build_plan, plan_schedule

    plan = work / "plan100"
    plan.mkdir()
    days = [
        "tue: 10k/intervals-800.yaml",
        "thu: 10k/tempo-2x15.yaml",
        "sun: {workout: easy/long-run.yaml, distance: 16km}",
        "sat: 10k/ladder.yaml",
    ]
    weeks = [f"  {week}:\n" + "".join(f"    {day}\n" for day in days) for week in range(1, 26)]
    (plan / "plan.yaml").write_text(
        f"weeks: 25\nlibrary: {ROOT / 'workouts'}\nschedule:\n" + "".join(weeks)
    )
    athlete = load_athlete(ATHLETE)
    out = work / "build"
    race_date = dt.date(2027, 6, 6)

    def build() -> int:
        result = build_plan(plan, race_date=race_date, athlete=athlete, out_dir=out)
        assert not result.failures
        return sum(o.written for o in result.outcomes)

    start = time.perf_counter()
    written = build()
    first_s = time.perf_counter() - start
    rebuild_s = median_s(build, repeats=3)
    baseline = median_s(lambda: plan_schedule(plan, race_date=race_date), repeats=3)
    row(
        f"build: {written}-session plan",
        f"{written / first_s:.0f} sessions/s ({first_s:.2f} s)",
        f"scheduling alone {baseline * 1000:.0f} ms (reads each workout once)",
        "target >= 50 sessions/s, one core",
    )
    row(
        "build: rebuild, nothing changed",
        f"{rebuild_s:.2f} s",
        f"first build {first_s:.2f} s",
        f"x{rebuild_s / first_s:.2f}; target < 0.5 s",
    )


# -- 3. start-up ------------------------------------------------------------------------------


# The least any command line on click does for `--help`: import click, print a group's help.
BARE_CLICK_HELP = """
import click
@click.group()
def cli():
    "A command line."
@cli.command()
def one():
    "A command."
cli(["--help"])
"""


def pacefit_command() -> list[str]:
    """`pacefit` as a runner types it: the installed script, else `python -m pacefit`."""
    script = Path(sys.executable).with_name("pacefit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pacefit"]


def bench_startup(work: Path) -> None:
    pacefit = pacefit_command()
    baseline = median_s(
        lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), repeats=7
    )
    click_s = median_s(
        functools.partial(
            subprocess.run,
            [sys.executable, "-c", BARE_CLICK_HELP],
            check=True,
            capture_output=True,
        ),
        repeats=7,
    )
    cases = {
        "pacefit --help": [*pacefit, "--help"],
        "pacefit compile (one workout)": [
            *pacefit,
            "compile",
            str(ROOT / "workouts/10k/intervals-800.yaml"),
            "--athlete",
            str(ATHLETE),
            "-o",
            str(work / "one"),
        ],
    }
    for name, command in cases.items():
        seconds = median_s(
            functools.partial(subprocess.run, command, check=True, capture_output=True),
            repeats=7,
        )
        if name.endswith("--help"):
            # click's import alone is x3.7 of a bare Python: what pacefit adds is measured
            row(
                f"start-up: {name}",
                f"{seconds:.3f} s",
                f"bare python {baseline:.3f} s; a bare click group's --help {click_s:.3f} s",
                f"x{seconds / baseline:.1f} python, x{seconds / click_s:.2f} bare click; "
                "target < x1.25 bare click",
            )
        else:
            row(
                f"start-up: {name}",
                f"{seconds:.3f} s",
                f"bare python {baseline:.3f} s",
                f"x{seconds / baseline:.1f}; target < 0.3 s",
            )


# -- 4. review --------------------------------------------------------------------------------

# A realistic week: easy 10 km, 800s, easy, tempo, easy, ladder and a 12 km long run.
WEEK = {
    "mon": "{workout: easy/easy-run.yaml, distance: 10km}",
    "tue": "10k/intervals-800.yaml",
    "wed": "{workout: easy/easy-run.yaml, distance: 10km}",
    "thu": "10k/tempo-2x15.yaml",
    "fri": "{workout: easy/easy-run.yaml, distance: 10km}",
    "sat": "10k/ladder.yaml",
    "sun": "{workout: easy/long-run.yaml, distance: 12km}",
}
SEEDS = 3  # simulated runs per weekday; the others are copies with their clocks moved
REVIEW_RACE_DAY = dt.date(2027, 6, 6)  # a Sunday: the last week is whole
# The run counts reviewed (`BENCH_REVIEW_RUNS=200,1000 python bench/run.py review` for fewer).
REVIEW_RUNS = tuple(int(n) for n in os.environ.get("BENCH_REVIEW_RUNS", "200,1000,5000").split(","))


def write_daily_plan(folder: Path, *, weeks: int) -> Path:
    """A chain of blocks (a block holds at most 52 weeks) of the realistic week."""
    week_text = "".join(f"    {day}: {value}\n" for day, value in WEEK.items())
    names = []
    left, number = weeks, 0
    while left > 0:
        length = min(52, left)
        block = folder / f"block{number:02d}"
        block.mkdir(parents=True)
        schedule = "".join(f"  {week}:\n{week_text}" for week in range(1, length + 1))
        (block / "plan.yaml").write_text(
            f"weeks: {length}\nlibrary: {ROOT / 'workouts'}\nschedule:\n{schedule}"
        )
        names.append(f"block{number:02d}")
        left, number = left - length, number + 1
    plan = folder / "plan"
    plan.mkdir()
    (plan / "plan.yaml").write_text(
        "name: daily\nblocks: [" + ", ".join(f"../{n}" for n in names) + "]\n"
    )
    return plan


def shift_fit_days(data: bytes, days: int) -> bytes:
    """A FIT activity with every date_time moved by whole days (the CRC made right again):
    a copy of a simulated run on another day, without simulating it again."""
    from pacefit.formats.fit_decode import fit_crc16

    out = bytearray(data)
    seconds = days * 86_400
    times = {253: None, 2: (18, 19), 4: (0,), 5: (34,)}  # field -> messages (None: any)
    layouts: dict[int, tuple[int, list[int], str]] = {}
    position, end = out[0], out[0] + int.from_bytes(out[4:8], "little")
    while position < end:
        header = out[position]
        position += 1
        if header & 0x40:
            endian = ">" if out[position + 1] else "<"
            number = int.from_bytes(
                out[position + 2 : position + 4], "big" if endian == ">" else "little"
            )
            count = out[position + 4]
            position += 5
            offset, stamps = 0, []
            for _ in range(count):
                field, size = out[position], out[position + 1]
                wanted = times.get(field, ())
                if size == 4 and field in times and (wanted is None or number in wanted):
                    stamps.append(offset)
                offset += size
                position += 3
            if header & 0x20:
                for _ in range(out[position]):
                    offset += out[position + 2]
                    position += 3
                position += 1
            layouts[header & 0x0F] = (offset, stamps, endian)
            continue
        size, stamps, endian = layouts[header & 0x0F]
        for at in stamps:
            fmt = endian + "I"
            (value,) = struct.unpack_from(fmt, out, position + at)
            if value not in (0xFFFFFFFF, 0) and value >= 0x10000000:
                struct.pack_into(fmt, out, position + at, value + seconds)
        position += size
    body = bytes(out[:end])
    return body + fit_crc16(body).to_bytes(2, "little")


def simulated_week(
    work: Path, *, seeds: int = SEEDS, workers: int = 1, share: bool = False
) -> dict[str, list[tuple[dt.date, bytes]]]:
    """`seeds` simulated FIT runs of each weekday's session, auto laps every kilometre, on the
    plan's first weeks, written by `workers` processes (fit_tool takes seconds a run). With
    `share`, weekdays of the same session (the easy 10 km) share their runs."""
    from concurrent.futures import ProcessPoolExecutor

    from pacefit.formats.athlete_yaml import load_athlete
    from pacefit.formats.workout_yaml import load_workout
    from pacefit.jobs.build import plan_schedule
    from pacefit.simulate import LapMode, Script

    plan = write_daily_plan(work / "week", weeks=seeds)
    athlete = load_athlete(ATHLETE)
    race = REVIEW_RACE_DAY
    sessions = plan_schedule(plan, race_date=race).schedule.sessions
    first: dict[object, int] = {}  # a session (what it runs, its week) -> the script running it
    script_of: list[int] = []
    scripts: list[Script] = []
    dates: list[dt.date] = []  # each script's session
    for number, session in enumerate(sessions):
        spec = session.spec
        key = (spec.workout_path, spec.level, spec.overrides, session.week) if share else number
        if key not in first:
            workout = load_workout(
                spec.workout_path, athlete=athlete, level=spec.level, overrides=spec.overrides
            )
            start = dt.datetime.combine(session.date, dt.time(7, 0), tzinfo=dt.UTC)
            first[key] = len(scripts)
            dates.append(session.date)
            scripts.append(
                Script(
                    workout=workout,
                    laps=LapMode.AUTO,
                    embed_workout=False,
                    seed=number,
                    start_time=start,
                )
            )
        script_of.append(first[key])
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            files = list(pool.map(simulated_fit, scripts))
    else:
        files = [simulated_fit(script) for script in scripts]
    made: dict[str, list[tuple[dt.date, bytes]]] = {day: [] for day in WEEK}
    for session, index in zip(sessions, script_of, strict=True):
        made[session.day].append((dates[index], files[index]))
    return made


def simulated_fit(script: Script) -> bytes:
    from pacefit.simulate import simulate, to_fit_bytes

    return to_fit_bytes(simulate(script))


def write_runs(
    folder: Path, plan: Path, count: int, week: dict[str, list[tuple[dt.date, bytes]]]
) -> None:
    from pacefit.jobs.build import plan_schedule

    folder.mkdir()
    sessions = plan_schedule(plan, race_date=REVIEW_RACE_DAY).schedule.sessions
    for number, session in enumerate(sessions[:count]):
        made = week[session.day]
        date, data = made[number % len(made)]
        copy = shift_fit_days(data, (session.date - date).days)
        (folder / f"run-{number:05d}.fit").write_bytes(copy)


def bench_review(work: Path) -> None:
    from pacefit.formats.athlete_yaml import load_athlete
    from pacefit.jobs.review import review_plan

    athlete = load_athlete(ATHLETE)
    week = simulated_week(work)
    minutes = sorted(round(decode_minutes(data)) for made in week.values() for _, data in made)
    print(f"  simulated runs of {minutes[0]}-{minutes[-1]} minutes", file=sys.stderr)
    sample = work / "sample"
    sample.mkdir()
    for day, made in week.items():
        (sample / f"{day}.fit").write_bytes(made[0][1])

    def bare_decode() -> None:
        for path in sorted(sample.iterdir()):
            bare_fitparse(path)

    baseline_s = median_s(bare_decode, repeats=1) / len(WEEK)
    per_run: dict[tuple[int, int], float] = {}
    memory: dict[int, float] = {}
    for count in REVIEW_RUNS:
        weeks = -(-count // 7)
        plan = write_daily_plan(work / f"plan{count}", weeks=weeks)
        runs = work / f"runs{count}"
        write_runs(runs, plan, count, week)
        for workers in (1, 2):
            seconds = median_s(
                functools.partial(
                    review_plan,
                    plan,
                    runs,
                    race_date=REVIEW_RACE_DAY,
                    athlete=athlete,
                    workers=workers,
                ),
                repeats=1,
            )
            per_run[count, workers] = seconds / count
            target = (
                "target >= 60 runs/s"
                if workers == 1
                else f"x{per_run[count, 1] / per_run[count, 2]:.2f} of 1 worker; target >= x1.7"
            )
            row(
                f"review: {count} runs ({weeks * 7} sessions), {workers} worker"
                + ("s" if workers > 1 else ""),
                f"{count / seconds:.1f} runs/s ({seconds:.1f} s)",
                f"bare fitparse decode {1 / baseline_s:.1f} runs/s",
                f"x{baseline_s / (seconds / count):.1f} the bare decode; {target}",
            )
        code = (
            "import datetime as dt\nfrom pathlib import Path\n"
            "from pacefit.formats.athlete_yaml import load_athlete\n"
            "from pacefit.jobs.review import review_plan\n"
            f"review_plan(Path({str(plan)!r}), Path({str(runs)!r}), "
            f"race_date=dt.date.fromisoformat({REVIEW_RACE_DAY.isoformat()!r}), "
            f"athlete=load_athlete(Path({str(ATHLETE)!r})), workers=1)"
        )
        memory[count] = peak_rss_mb(code)
        shutil.rmtree(runs)
    first, last = REVIEW_RUNS[0], REVIEW_RUNS[-1]
    if last != first:
        row(
            f"review: cost per run, {first} -> {last} runs",
            f"{per_run[last, 1] * 1000:.1f} ms (1 worker), {per_run[last, 2] * 1000:.1f} ms (2)",
            f"{per_run[first, 1] * 1000:.1f} ms, {per_run[first, 2] * 1000:.1f} ms at {first}",
            f"x{per_run[last, 1] / per_run[first, 1]:.2f} (1), "
            f"x{per_run[last, 2] / per_run[first, 2]:.2f} (2); target flat",
        )
    for count in REVIEW_RUNS:
        row(
            f"review peak memory: {count} runs, 1 worker",
            f"{memory[count]:.0f} MB",
            f"{memory[first]:.0f} MB at {first} runs",
            f"x{memory[count] / memory[first]:.2f}; target flat",
        )


def decode_minutes(data: bytes) -> float:
    from pacefit.formats import read_activity

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.fit"
        path.write_bytes(data)
        return read_activity(path).timer_s / 60


# -- 5. one run, whole process ------------------------------------------------------------------


def bench_process(work: Path) -> None:
    """`pacefit analyze` of a one-hour interval run, as a runner types it, against a bare Python
    start and a bare decode of the same file."""
    from pacefit.formats import ReadOptions
    from pacefit.formats.athlete_yaml import load_athlete
    from pacefit.formats.fit_decode import decode_activity
    from pacefit.formats.workout_yaml import load_workout
    from pacefit.simulate import LapMode, Script, simulate, to_fit_bytes

    workout_path = ROOT / "workouts/10k/intervals-800.yaml"
    workout = load_workout(workout_path, athlete=load_athlete(ATHLETE))
    python_s = median_s(
        lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), repeats=9
    )
    # the start any command line on click and PyYAML pays before it does anything
    libraries_s = median_s(
        lambda: subprocess.run([sys.executable, "-c", "import click, yaml"], check=True),
        repeats=9,
    )
    for label, laps in (
        ("auto laps (placed on the pace)", LapMode.AUTO),
        ("laps that name the steps", LapMode.WORKOUT),
    ):
        path = work / f"{laps.value}.fit"
        script = Script(workout=workout, laps=laps, embed_workout=False)
        path.write_bytes(to_fit_bytes(simulate(script)))
        command = [
            *pacefit_command(), "analyze", str(path),
            "--workout", str(workout_path), "--athlete", str(ATHLETE),
        ]  # fmt: skip
        seconds = median_s(
            functools.partial(subprocess.run, command, check=True, capture_output=True),
            repeats=9,
        )
        decode_s = median_s(
            functools.partial(decode_activity, path, options=ReadOptions()), repeats=9
        )
        row(
            f"analyze, whole process: 1-hour 800s, {label}",
            f"{seconds * 1000:.0f} ms",
            f"bare python {python_s * 1000:.0f} ms; import click, yaml "
            f"{libraries_s * 1000:.0f} ms; bare decode {decode_s * 1000:.0f} ms",
            f"x{seconds / python_s:.1f} python, x{seconds / libraries_s:.2f} the libraries; "
            "target < x3.5 the libraries (a guard)",
        )


# -- 6. decoding into columns -------------------------------------------------------------------


def numpy_gather(data: bytes) -> dict[str, object]:
    """The floor for a columnar read: walk the messages in Python to find each record, then one
    numpy gather per field (the columns the `Activity` keeps)."""
    import numpy as np

    wanted = {253: "timestamp", 5: "distance", 73: "enhanced_speed", 6: "speed", 3: "heart_rate",
              4: "cadence", 0: "position_lat", 1: "position_long", 78: "enhanced_altitude",
              2: "altitude"}  # fmt: skip
    types = {1: "u1", 2: "u1", 0: "u1", 0x84: "u2", 0x83: "i2", 0x86: "u4", 0x85: "i4"}
    layouts: dict[int, tuple[int, bool, dict[str, tuple[int, str]]]] = {}
    offsets: dict[int, list[int]] = {}
    position, end = data[0], data[0] + int.from_bytes(data[4:8], "little")
    while position < end:
        header = data[position]
        position += 1
        if header & 0x40:
            number = int.from_bytes(data[position + 2 : position + 4], "little")
            count = data[position + 4]
            position += 5
            offset, fields = 0, {}
            for _ in range(count):
                field, size, base = data[position], data[position + 1], data[position + 2]
                if number == 20 and field in wanted and base in types:
                    fields[wanted[field]] = (offset, "<" + types[base])
                offset += size
                position += 3
            if header & 0x20:
                for _ in range(data[position]):
                    offset += data[position + 2]
                    position += 3
                position += 1
            local = header & 0x0F
            layouts[local] = (offset, number == 20, fields)
            offsets.setdefault(local, [])
            continue
        size, is_record, _ = layouts[header & 0x0F]
        if is_record:
            offsets[header & 0x0F].append(position)
        position += size
    raw = np.frombuffer(data, dtype=np.uint8)
    columns: dict[str, object] = {}
    for local, starts in offsets.items():
        _, _, fields = layouts[local]
        at = np.asarray(starts)
        for name, (offset, kind) in fields.items():
            width = np.dtype(kind).itemsize
            picked = raw[(at + offset)[:, None] + np.arange(width)]
            columns[name] = np.ascontiguousarray(picked).view(kind).ravel()
    return columns


def bench_decode(work: Path) -> None:
    from pacefit.formats import ReadOptions, read_activity
    from pacefit.formats.fit_decode import decode_activity

    if not LARGE.exists():
        row("decode into an Activity: fenix 6X ultra", "skipped (file absent)", "", "")
        return
    try:
        import numpy  # noqa: F401
    except ImportError:
        row("decode into an Activity: fenix 6X ultra", "skipped (numpy absent)", "", "")
        return
    data = LARGE.read_bytes()
    gather_s = median_s(functools.partial(numpy_gather, data), repeats=5)
    decode_s = median_s(functools.partial(decode_activity, LARGE, options=ReadOptions()), repeats=5)
    read_s = median_s(functools.partial(read_activity, LARGE), repeats=5)
    row(
        "decode + build the Activity: fenix 6X ultra, 42,709 records",
        f"{read_s * 1000:.0f} ms",
        f"bare decode {decode_s * 1000:.0f} ms; numpy gather of the records "
        f"{gather_s * 1000:.0f} ms",
        f"x{read_s / decode_s:.1f} the decode (target <= x3), x{read_s / gather_s:.1f} numpy",
    )


# -- 5. hostile workouts ----------------------------------------------------------------------


def hostile_workouts(work: Path) -> dict[str, Path]:
    """Workouts built to exhaust a loader: nested aliases, a file of 350,000 steps, the
    largest file under the size limit, and repeats that unroll to millions of steps."""
    refs = "[" + ",".join(["*{}"] * 40) + "]"
    bomb = (
        "name: bomb\nsteps:\n- &a {run: 1km}\n"
        f"- &b {{repeat: 2, steps: {refs.format(*'a' * 40)}}}\n"
        f"- &c {{repeat: 2, steps: {refs.format(*'b' * 40)}}}\n"
        f"- &d {{repeat: 2, steps: {refs.format(*'c' * 40)}}}\n"
        f"- repeat: 2\n  steps: {refs.format(*'d' * 40)}\n"
    )
    nested = "".join("  " * d + "- repeat: 99\n" + "  " * d + "  steps:\n" for d in range(4))
    texts = {
        f"{len(bomb)}-byte alias bomb (2.6 million steps)": bomb,
        "4.6 MB of 350,000 steps": "name: big\nsteps:\n" + "  - run: 1km\n" * 350_000,
        "0.98 MB of 75,000 steps (under the size limit)": "steps:\n" + "  - run: 1km\n" * 75_000,
        "repeats unrolling to 19,602 steps": "steps:\n" + nested + "  " * 4 + "- run: 1km\n"
        + "  " * 4 + "- recover: 1km\n",
    }  # fmt: skip
    paths = {}
    for index, (name, text) in enumerate(texts.items()):
        paths[name] = work / f"hostile-{index}.yaml"
        paths[name].write_text(text)
    return paths


def bench_hostile(work: Path) -> None:
    from pacefit.errors import WorkoutError
    from pacefit.formats.athlete_yaml import load_athlete
    from pacefit.formats.yaml_source import _composed
    from pacefit.jobs.compile import compile_file

    athlete = load_athlete(ATHLETE)
    normal = ROOT / "workouts" / "10k" / "intervals-800.yaml"
    compile_code = (
        "from pathlib import Path\nfrom pacefit.formats.athlete_yaml import load_athlete\n"
        "from pacefit.jobs.compile import compile_file\n"
        f"athlete = load_athlete(Path({str(ATHLETE)!r}))\n"
        "try:\n"
        "    compile_file(Path({path!r}), athlete=athlete, out_dir=Path({out!r}))\n"
        "except Exception as exc:\n"
        "    assert type(exc).__name__ == 'WorkoutError', exc\n"
    )
    out = str(work / "out")

    def compile_one(path: Path) -> None:
        _composed.cache_clear()  # each run composes its text, as a first compile does
        with contextlib.suppress(WorkoutError):
            compile_file(path, athlete=athlete, out_dir=work / "out")

    baseline_s = median_s(lambda: compile_one(normal), repeats=5)
    baseline_mb = peak_rss_mb(compile_code.format(path=str(normal), out=out))
    for name, path in hostile_workouts(work).items():
        refused_s = median_s(lambda path=path: compile_one(path), repeats=3)  # type: ignore[misc]
        refused_mb = peak_rss_mb(compile_code.format(path=str(path), out=out))
        row(
            f"hostile workout refused: {name}",
            f"{refused_s:.3f} s, {refused_mb:.0f} MB peak",
            f"compile of intervals-800.yaml {baseline_s * 1000:.1f} ms, {baseline_mb:.0f} MB",
            f"x{refused_s / baseline_s:.2g} the time, x{refused_mb / baseline_mb:.2g} the memory;"
            " target < 1 s and < 200 MB",
        )


# -- a long GPX ------------------------------------------------------------------------------

GPX_POINTS = 200_000  # about 47 MB: a week-long ultra at one point a second


def synthetic_gpx(path: Path, points: int) -> None:
    """A GPX track as a Garmin writes one (elevation, time, heart rate and cadence in its
    TrackPointExtension), out and back along a meridian at 3 m/s."""
    start = dt.datetime(2026, 5, 1, 6, 0, tzinfo=dt.UTC)
    with path.open("w") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="synthetic" '
            'xmlns="http://www.topografix.com/GPX/1/1" '
            'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
            "<trk><trkseg>\n"
        )
        for i in range(points):
            leg, step = divmod(i, 20_000)
            lat = 46.0 + 0.000027 * (step if leg % 2 == 0 else 20_000 - step)
            time = (start + dt.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            out.write(
                f'<trkpt lat="{lat:.7f}" lon="14.5000000"><ele>{300 + i % 100 / 10:.1f}</ele>'
                f"<time>{time}</time><extensions><gpxtpx:TrackPointExtension>"
                f"<gpxtpx:hr>{140 + i % 20}</gpxtpx:hr><gpxtpx:cad>{85 + i % 3}</gpxtpx:cad>"
                "</gpxtpx:TrackPointExtension></extensions></trkpt>\n"
            )
        out.write("</trkseg></trk></gpx>\n")


def bench_gpx(work: Path) -> None:
    """Reading a long GPX: time against a bare lxml parse of the same file, peak memory against
    the file's size. Read whole (gpxpy, pacefit 0.2.0), a 117 MB track took 38 s and 3.2 GB."""
    import warnings

    from lxml import etree

    from pacefit.errors import PacefitWarning
    from pacefit.formats import read_activity

    path = work / "long.gpx"
    synthetic_gpx(path, GPX_POINTS)
    size_mb = path.stat().st_size / 1e6

    def ours() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PacefitWarning)
            read_activity(path)

    baseline = median_s(lambda: etree.parse(str(path)), repeats=3)
    seconds = median_s(ours, repeats=3)
    row(
        f"read a {size_mb:.0f} MB GPX ({GPX_POINTS:,} points)",
        f"{seconds:.2f} s",
        f"bare lxml parse {baseline:.2f} s",
        f"x{seconds / baseline:.1f} (target <= x6)",
    )
    ours_mb = peak_rss_mb(
        "import warnings\nfrom pathlib import Path\nfrom pacefit.formats import read_activity\n"
        f"warnings.simplefilter('ignore')\nread_activity(Path({str(path)!r}))"
    )
    bare_mb = peak_rss_mb(f"from lxml import etree\netree.parse({str(path)!r})")
    row(
        f"read a {size_mb:.0f} MB GPX: peak memory",
        f"{ours_mb:.0f} MB",
        f"bare lxml parse {bare_mb:.0f} MB",
        f"x{ours_mb / size_mb:.1f} the file's size (target <= x4)",
    )


# -- the training log ------------------------------------------------------------------------

LOG_UPLOADS = 60  # runs uploaded one after another into a fresh log
LOG_RUNS = 1000  # runs in the log whose home page is timed


def analyze_session_run(path: Path, session: ScheduledSession, athlete: Athlete) -> None:
    """What `analyze` does with a run of a plan's session, in process: the workout read (with
    the session's overrides), the run read and analysed, the result as JSON."""
    from pacefit.formats import read_activity
    from pacefit.formats.workout_yaml import load_workout
    from pacefit.jobs.analyze import analyze_run
    from pacefit.reports.data import analysis_data

    spec = session.spec
    workout = load_workout(
        spec.workout_path, athlete=athlete, level=spec.level, overrides=spec.overrides
    )
    json.dumps(analysis_data(analyze_run(read_activity(path), workout)))


def bench_log(work: Path) -> None:
    """The training log: uploads one after another into a fresh SQLite log (in process, as
    `pacefit log import` does), and the server's home page with 1,000 runs kept, each against
    `analyze` of the same files. One simulated run of each session of the realistic week
    (`review`; the three easy days share one), copied onto every session with its clock
    moved."""
    from pacefit.formats.athlete_yaml import load_athlete
    from pacefit.jobs.build import plan_schedule
    from pacefit.jobs.log import add_athlete, import_run

    athlete = load_athlete(ATHLETE)
    week = simulated_week(work, seeds=1, workers=os.cpu_count() or 1, share=True)

    # uploads, one after another, against analyze of the same files
    plan = write_daily_plan(work / "uploads-plan", weeks=-(-(LOG_UPLOADS + 1) // 7))
    sessions = plan_schedule(plan, race_date=REVIEW_RACE_DAY).schedule.sessions
    runs = work / "uploads"
    write_runs(runs, plan, LOG_UPLOADS, week)
    paths = sorted(runs.iterdir())
    today = sessions[LOG_UPLOADS].date

    def analyze_all() -> None:
        for path, session in zip(paths, sessions, strict=False):
            analyze_session_run(path, session, athlete)

    store = open_store(work / "uploads.sqlite")
    log, _ = add_athlete(store, ATHLETE, plan_folder=plan, race_date=REVIEW_RACE_DAY)

    def upload_all() -> None:
        for path in paths:
            imported = import_run(store, log, path.read_bytes(), path.name, today=today)
            assert imported.new and imported.session is not None, path.name

    analyze_s = median_s(analyze_all, repeats=1) / len(paths)
    upload_s = median_s(upload_all, repeats=1) / len(paths)  # once: a second is all copies
    store.close()
    row(
        f"log: {LOG_UPLOADS} uploads into a fresh SQLite log, 1 worker (in process)",
        f"{1 / upload_s:.1f} uploads/s ({upload_s * 1000:.0f} ms each)",
        f"analyze of the same files {1 / analyze_s:.1f} runs/s ({analyze_s * 1000:.0f} ms each)",
        f"x{upload_s / analyze_s:.2f} the time of an analyze",
    )
    bench_log_home(work, week, athlete)


def bench_log_home(
    work: Path, week: dict[str, list[tuple[dt.date, bytes]]], athlete: Athlete
) -> None:
    """The home page (the block's calendar) of a log of `LOG_RUNS` runs, a run on each session
    of a 143-week plan; then one more upload into that log."""
    from concurrent.futures import ProcessPoolExecutor

    from starlette.testclient import TestClient

    from pacefit.core.matching import run_facts
    from pacefit.files import sha256
    from pacefit.formats import read_activity_data
    from pacefit.jobs.log import athlete_log, import_run, score_kept
    from pacefit.store.database import RunFile
    from pacefit.web.app import create_app
    from pacefit.web.server import Settings

    plan = write_daily_plan(work / "home-plan", weeks=-(-(LOG_RUNS + 1) // 7))
    store = open_store(work / "home.sqlite")
    # what `add_athlete` does less its check of the plan, a second read of it (seconds here)
    runner, _ = store.save_athlete(athlete.name, ATHLETE.read_text())
    store.assign_plan(runner.id, plan.resolve(), REVIEW_RACE_DAY, None)
    log = athlete_log(store, runner.id)
    assert log.plan is not None
    sessions = log.plan.schedule.schedule.sessions
    today = sessions[LOG_RUNS].date  # the runs are on every session before it

    # The log filled directly (1,000 uploads would take minutes: each matches the whole log
    # again): each weekday's run read once for its facts, copied onto each session with its
    # clock moved (a genuine file: distinct bytes, readable) and its facts moved as much. Each
    # pair gets the score of the weekday's first copy (scoring reads no date), so the timed
    # pages find every pair scored, as any view after the first does; a pair matched otherwise
    # would be scored at the warm-up, and the row would say so.
    facts = {day: run_facts(read_activity_data(made[0][1], day)) for day, made in week.items()}
    offsets = [(s.date - week[s.day][0][0]).days for s in sessions[:LOG_RUNS]]
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        copies = list(
            pool.map(
                shift_fit_days,
                [week[s.day][0][1] for s in sessions[:LOG_RUNS]],
                offsets,
                chunksize=50,
            )
        )
    outcomes: dict[str, dict[str, object]] = {}
    scores = []
    for number, (session, days, content) in enumerate(
        zip(sessions[:LOG_RUNS], offsets, copies, strict=True)
    ):
        seed = facts[session.day]
        assert seed.start_time is not None and seed.local_date is not None
        name = f"run-{number:05d}.fit"
        record, new = store.add_run(
            log.record.id,
            RunFile(
                sha256=sha256(content),
                file_name=name,
                file_format=seed.file_format,
                content=content,
                start_time=seed.start_time + dt.timedelta(days=days),
                local_date=seed.local_date + dt.timedelta(days=days),
                sport=seed.sport,
                distance_m=seed.distance_m,
                timer_s=seed.timer_s,
                speed_quantiles_mps=seed.speed_quantiles_mps,
            ),
        )
        assert new
        if session.day not in outcomes:
            outcomes[session.day] = score_kept(content, name, log.plan.context.workout(number))
        scores.append((record.id, number, outcomes[session.day]))
    store.save_scores(log.plan.record.id, log.plan.version, scores)

    app = create_app(store, Settings(workers=0, today=lambda: today))
    with TestClient(app, base_url="http://127.0.0.1") as client:  # a loopback name

        def home() -> None:
            response = client.get("/")
            assert response.status_code == 200, response.status_code

        home()  # the warm-up: the templates compiled, any pair left scored (none)
        scored_late = len(store.scores(log.plan.record.id)) - len(scores)
        page_s = median_s(home, repeats=5)
        size = len(client.get("/").content)

    tuesday = next(s for s in reversed(sessions[:LOG_RUNS]) if s.day == "tue")
    path = work / "tuesday.fit"
    path.write_bytes(shift_fit_days(week["tue"][0][1], (tuesday.date - week["tue"][0][0]).days))
    analyze_s = median_s(functools.partial(analyze_session_run, path, tuesday, athlete), repeats=5)
    row(
        f"log: home page, {LOG_RUNS} runs on a {len(sessions)}-session plan",
        f"{page_s * 1000:.0f} ms ({size / 1e6:.1f} MB page"
        + (f"; {scored_late} pairs scored at the warm-up" if scored_late else "")
        + ")",
        f"analyze of one of the runs (the 800s) {analyze_s * 1000:.0f} ms",
        f"x{page_s / analyze_s:.1f} an analyze",
    )

    # one more upload (the race-day long run) into the full log: once, a second would be a copy
    race = sessions[LOG_RUNS]
    date, data = week[race.day][0]
    content = shift_fit_days(data, (race.date - date).days)
    start = time.perf_counter()
    imported = import_run(store, log, content, "race-day.fit", today=today)
    upload_s = time.perf_counter() - start
    assert imported.new and imported.session is not None
    store.close()
    row(
        f"log: one upload into the {LOG_RUNS}-run log",
        f"{upload_s * 1000:.0f} ms",
        f"analyze of one of the runs (the 800s) {analyze_s * 1000:.0f} ms",
        f"x{upload_s / analyze_s:.1f} an analyze (the block is matched and built again)",
    )


def open_store(path: Path) -> Store:
    from pacefit.store.database import Store

    return Store.open(str(path))


BENCHES = {
    "analyze": bench_analyze,
    "pages": bench_pages,
    "build": bench_build,
    "startup": bench_startup,
    "review": bench_review,
    "process": bench_process,
    "decode": bench_decode,
    "hostile": bench_hostile,
    "gpx": bench_gpx,
    "log": bench_log,
}


def main(argv: list[str]) -> int:
    unknown = [name for name in argv if name not in BENCHES]
    if unknown:
        print(f"usage: python bench/run.py [{' '.join(BENCHES)}]", file=sys.stderr)
        print(f"unknown benchmark: {', '.join(unknown)}", file=sys.stderr)
        return 2
    chosen = argv or list(BENCHES)
    sys.path.insert(0, str(ROOT / "src"))
    # compiled once, as pip compiles an installed package: with PYTHONDONTWRITEBYTECODE set (or a
    # read-only checkout) every start-up figure would otherwise include compiling pacefit
    compileall.compile_dir(ROOT / "src", quiet=1)
    with tempfile.TemporaryDirectory() as folder:
        for name in chosen:
            print(f"running {name} ...", file=sys.stderr)
            work = Path(folder) / name
            work.mkdir()
            BENCHES[name](work)
    print(f"pacefit benchmarks, {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    print("| benchmark | pacefit | baseline (same run) | ratio / target |")
    print("|---|---|---|---|")
    for cells in ROWS:
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
