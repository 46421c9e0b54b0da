"""pacefit benchmarks: run by hand, print a table. Not part of the test suite.

    python bench/run.py            # all of them (a few minutes on 2 cores)
    python bench/run.py analyze    # just one: analyze, build, startup, review

Every figure is the median of several runs and a ratio against a baseline measured in the same
run, so that a noisy or slow machine moves both. Needs ../shared/fixtures for the Fenix 2 file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FENIX2 = ROOT.parent / "shared/fixtures/fit/activities/activity-large-fenxi2-multisport.fit"
ATHLETE = ROOT / "workouts/athlete.example.yaml"
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


def peak_rss_mb(code: str, *, with_output: bool = False) -> Any:
    """Peak resident memory of a fresh interpreter running `code` (Linux VmHWM; ru_maxrss would
    carry over the parent's peak through fork and exec); with the code's own last line."""
    script = (
        f"{code}\nfrom pathlib import Path\n"
        "print(next(line.split()[1] for line in Path('/proc/self/status').read_text().splitlines()"
        " if line.startswith('VmHWM')))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    peak_mb = int(lines[-1]) / 1024
    return (peak_mb, lines[-2]) if with_output else peak_mb


# -- 1. analyze ---------------------------------------------------------------------------


def bench_analyze(work: Path) -> None:
    import fitparse

    from pacefit.formats.athlete_yaml import load_athlete
    from pacefit.formats.workout_yaml import load_workout
    from pacefit.jobs.analyze import analyze_run, read_activity
    from pacefit.reports.data import analysis_data
    from pacefit.simulate import LapMode, Script, simulate, to_fit_bytes

    workout_path = work / "simple.yaml"
    workout_path.write_text(SIMPLE_WORKOUT)
    workout = load_workout(workout_path, athlete=None)
    long_path = work / "four-hours.fit"
    long_run = load_workout(
        ROOT / "workouts/easy/long-run.yaml",
        athlete=load_athlete(ATHLETE),
        overrides=_distance(40_000),
    )
    long_path.write_bytes(
        to_fit_bytes(simulate(Script(workout=long_run, laps=LapMode.AUTO, embed_workout=False)))
    )
    for label, path in (
        ("Fenix 2 multisport, 24,239 records", FENIX2),
        ("simulated 4 h run, 1 Hz", long_path),
    ):
        if not path.exists():
            row(f"analyze: {label}", "skipped (file absent)", "", "")
            continue

        def bare(path: Path = path) -> None:
            for _ in fitparse.FitFile(str(path)).get_messages("record"):
                pass

        def full(path: Path = path) -> None:
            json.dumps(analysis_data(analyze_run(read_activity(path), workout)))

        baseline = median_s(bare, repeats=3)
        ours = median_s(full, repeats=3)
        ratio = ours / baseline
        row(
            f"analyze: {label}",
            f"{ours:.2f} s",
            f"bare fitparse decode {baseline:.2f} s",
            f"x{ratio:.2f} ({(ratio - 1) * 100:+.0f} %, target <= +15 %)",
        )
        code = (
            f"import sys; sys.path.insert(0, {str(ROOT / 'src')!r})\n"
            "from pathlib import Path\nfrom pacefit.jobs.analyze import analyze_run, read_activity\n"
            "from pacefit.formats.workout_yaml import load_workout\n"
            f"w = load_workout(Path({str(workout_path)!r}), athlete=None)\n"
            f"analyze_run(read_activity(Path({str(path)!r})), w)"
        )
        bare_code = (
            f"import fitparse\nfor m in fitparse.FitFile({str(path)!r})"
            ".get_messages('record'): pass"
        )
        size_mb = path.stat().st_size / 1e6
        ours_mb, bare_mb = peak_rss_mb(code), peak_rss_mb(bare_code)
        row(
            f"analyze peak memory: {label}",
            f"{ours_mb:.0f} MB ({size_mb:.1f} MB file)",
            f"bare decode {bare_mb:.0f} MB",
            f"{ours_mb - bare_mb:+.0f} MB against the bare decode",
        )


def _distance(metres: float) -> object:
    from pacefit.core.workout import Overrides

    return Overrides(distance_m=metres)


# -- 2. build -------------------------------------------------------------------------------


def bench_build(work: Path) -> None:
    from pacefit.formats.athlete_yaml import load_athlete
    from pacefit.jobs.build import build_items, build_one, prepare_build, write_calendar

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

    def build() -> int:
        job = prepare_build(plan, race_date=dt.date(2027, 6, 6))
        outcomes = [build_one(item, athlete=athlete, out_dir=out) for item in build_items(job)]
        write_calendar(job, outcomes, out_dir=out, athlete=athlete)
        assert not [o for o in outcomes if o.error]
        return sum(o.written for o in outcomes)

    start = time.perf_counter()
    written = build()
    first_s = time.perf_counter() - start
    rebuild_s = median_s(build, repeats=3)
    baseline = median_s(lambda: prepare_build(plan, race_date=dt.date(2027, 6, 6)), repeats=3)
    row(
        f"build: {written}-session plan",
        f"{written / first_s:.0f} sessions/s ({first_s:.2f} s)",
        f"plan parsing alone {baseline * 1000:.0f} ms",
        "target >= 50 sessions/s, one core",
    )
    row(
        "build: rebuild, nothing changed",
        f"{rebuild_s:.2f} s",
        f"first build {first_s:.2f} s",
        f"x{rebuild_s / first_s:.2f}; target < 0.5 s",
    )


# -- 3. start-up ------------------------------------------------------------------------------


def bench_startup(work: Path) -> None:
    pacefit = [sys.executable, "-m", "pacefit"]
    baseline = median_s(
        lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), repeats=7
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
            lambda c=command: subprocess.run(c, check=True, capture_output=True), repeats=7
        )
        row(
            f"start-up: {name}",
            f"{seconds:.3f} s",
            f"bare python {baseline:.3f} s",
            f"x{seconds / baseline:.1f}; target < 0.3 s",
        )


# -- 4. review --------------------------------------------------------------------------------


def bench_review(work: Path) -> None:
    from pacefit.formats.athlete_yaml import load_athlete
    from pacefit.formats.workout_yaml import load_workout
    from pacefit.jobs.build import prepare_build
    from pacefit.jobs.review import find_runs, review
    from pacefit.simulate import LapMode, Script, simulate, to_fit_bytes

    plan = work / "daily"
    plan.mkdir()
    weeks = "".join(
        f"  {week}:\n"
        + "".join(
            f"    {day}: easy/easy-run.yaml\n"
            for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        )
        for week in range(1, 16)
    )
    (plan / "plan.yaml").write_text(f"weeks: 15\nlibrary: {ROOT / 'workouts'}\nschedule:\n{weeks}")
    race = dt.date(2027, 6, 6)
    job = prepare_build(plan, race_date=race)
    assert job.schedule is not None
    athlete = load_athlete(ATHLETE)
    easy = load_workout(ROOT / "workouts/easy/easy-run.yaml", athlete=athlete)
    runs = work / "runs"
    runs.mkdir()
    for number, session in enumerate(job.schedule.sessions[:100]):
        start = dt.datetime.combine(session.date, dt.time(7, 0), tzinfo=dt.UTC)
        script = Script(
            workout=easy, laps=LapMode.AUTO, embed_workout=False, seed=number, start_time=start
        )
        (runs / f"run-{number:03d}.fit").write_bytes(to_fit_bytes(simulate(script)))
    paths = find_runs(runs)
    timings = {}
    for workers in (1, os.cpu_count() or 1):
        timings[workers] = median_s(
            lambda w=workers: review(job.schedule, paths, athlete=athlete, workers=w), repeats=1
        )
    one, many = timings[1], timings[max(timings)]
    row(
        f"review: {len(paths)} runs",
        f"{len(paths) / many:.1f} runs/s on {max(timings)} cores",
        f"1 worker {len(paths) / one:.1f} runs/s",
        f"speed-up x{one / many:.2f}",
    )
    code = (
        f"import sys, datetime as dt; sys.path.insert(0, {str(ROOT / 'src')!r})\n"
        "from pathlib import Path\nfrom pacefit.formats.athlete_yaml import load_athlete\n"
        "from pacefit.jobs.build import prepare_build\nfrom pacefit.jobs.review import find_runs, review\n"
        f"job = prepare_build(Path({str(plan)!r}), race_date=dt.date(2027, 6, 6))\n"
        f"review(job.schedule, find_runs(Path({str(runs)!r})), "
        f"athlete=load_athlete(Path({str(ATHLETE)!r})), workers={max(timings)})\n"
        "import resource\n"
        "print('children', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    parent_mb, children = peak_rss_mb(code, with_output=True)
    worker_mb = int(children.split()[-1]) / 1024
    total_mb = sum(p.stat().st_size for p in paths) / 1e6
    row(
        f"review peak memory: {len(paths)} runs ({total_mb:.0f} MB of FIT)",
        f"main process {parent_mb:.0f} MB, largest worker {worker_mb:.0f} MB",
        "",
        "runs are read one at a time per worker",
    )


BENCHES = {
    "analyze": bench_analyze,
    "build": bench_build,
    "startup": bench_startup,
    "review": bench_review,
}


def main(argv: list[str]) -> int:
    chosen = argv or list(BENCHES)
    sys.path.insert(0, str(ROOT / "src"))
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
