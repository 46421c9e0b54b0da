"""pacefit benchmarks: run by hand, print a table. Not part of the test suite.

    python bench/run.py            # all of them (a few minutes on 2 cores)
    python bench/run.py analyze    # just one: analyze, pages, build, startup, review

Every figure is the median of several runs and a ratio against a baseline measured in the same
run, so that a noisy or slow machine moves both. The real files come from ../shared/fixtures
(rows are marked skipped when it is absent).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

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
            functools.partial(subprocess.run, command, check=True, capture_output=True),
            repeats=7,
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
    from pacefit.jobs.build import plan_schedule
    from pacefit.jobs.review import review_plan
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
    sessions = plan_schedule(plan, race_date=race).schedule.sessions
    athlete = load_athlete(ATHLETE)
    easy = load_workout(ROOT / "workouts/easy/easy-run.yaml", athlete=athlete)
    runs = work / "runs"
    runs.mkdir()
    for number, session in enumerate(sessions[:100]):
        start = dt.datetime.combine(session.date, dt.time(7, 0), tzinfo=dt.UTC)
        script = Script(
            workout=easy, laps=LapMode.AUTO, embed_workout=False, seed=number, start_time=start
        )
        (runs / f"run-{number:03d}.fit").write_bytes(to_fit_bytes(simulate(script)))
    count = len(list(runs.iterdir()))

    def bare_ten() -> None:
        for path in sorted(runs.iterdir())[:10]:
            bare_fitparse(path)

    baseline = median_s(bare_ten, repeats=1)
    for workers in (1, 2):
        seconds = median_s(
            functools.partial(
                review_plan, plan, runs, race_date=race, athlete=athlete, workers=workers
            ),
            repeats=1,
        )
        row(
            f"review: {count} runs, {workers} worker{'s' if workers > 1 else ''}",
            f"{count / seconds:.1f} runs/s ({seconds:.2f} s)",
            f"bare fitparse decode {10 / baseline:.1f} runs/s",
            "target >= 33 runs/s (10x the 3.3 runs/s of 2026-11-26) on 1 worker",
        )
    code = (
        "import datetime as dt\nfrom pathlib import Path\n"
        "from pacefit.formats.athlete_yaml import load_athlete\n"
        "from pacefit.jobs.review import review_plan\n"
        f"review_plan(Path({str(plan)!r}), Path({str(runs)!r}), race_date=dt.date(2027, 6, 6), "
        f"athlete=load_athlete(Path({str(ATHLETE)!r})), workers=1)"
    )
    total_mb = sum(p.stat().st_size for p in runs.iterdir()) / 1e6
    row(
        f"review peak memory: {count} runs ({total_mb:.0f} MB of FIT)",
        f"{peak_rss_mb(code):.0f} MB, 1 worker",
        "",
        "runs are read one at a time",
    )


BENCHES = {
    "analyze": bench_analyze,
    "pages": bench_pages,
    "build": bench_build,
    "startup": bench_startup,
    "review": bench_review,
}


def main(argv: list[str]) -> int:
    unknown = [name for name in argv if name not in BENCHES]
    if unknown:
        print(f"usage: python bench/run.py [{' '.join(BENCHES)}]", file=sys.stderr)
        print(f"unknown benchmark: {', '.join(unknown)}", file=sys.stderr)
        return 2
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
