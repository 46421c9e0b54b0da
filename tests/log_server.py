"""The training log under test: a fresh database (SQLite in the test's folder, or the
PostgreSQL of `PACEFIT_TEST_DATABASE_URL`, emptied first), a plan whose sessions fall on the
days of the runs, simulated runs, and `pacefit serve` started as a user starts it."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.workout_yaml import load_workout
from pacefit.simulate import LapMode, Script, simulate, to_fit_bytes, to_gpx_text

from .helpers import ATHLETE_FILE, ROOT, WORKOUTS, write_plan

DATABASE_ENV = "PACEFIT_TEST_DATABASE_URL"
TABLES = ("scores", "runs", "plans", "athletes", "alembic_version")
# The simulated block: a week whose Tuesday is an easy run and whose Thursday is the 800s.
RACE_DATE = dt.date(2026, 11, 29)
EASY_DAY = dt.date(2026, 11, 24)
INTERVALS_DAY = dt.date(2026, 11, 26)
TODAY = "2026-11-28"


def database_url(folder: Path) -> str:
    """A log nobody else uses: PostgreSQL when the suite is given one (its tables dropped
    first), else a SQLite file in `folder`."""
    url = os.environ.get(DATABASE_ENV)
    if not url:
        return str(folder / "log.sqlite")
    import sqlalchemy as sa

    from pacefit.store.database import database_url as normalised

    engine = sa.create_engine(normalised(url))
    with engine.begin() as conn:
        for table in TABLES:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    engine.dispose()
    return url


def week_plan(folder: Path) -> Path:
    """One week of the library's own workouts: easy on Tuesday, 800s on Thursday."""
    return write_plan(
        folder / "plan",
        f"""
        name: One week
        weeks: 1
        library: {WORKOUTS}
        schedule:
          1:
            tue: easy/easy-run.yaml
            thu: 10k/intervals-800.yaml
        """,
    )


@functools.lru_cache(maxsize=32)  # writing a FIT of an hour's run takes seconds
def simulated_run(
    workout_file: str, day: dt.date, *, kind: str = "fit", hour: int = 7, seed: int = 1
) -> bytes:
    """The library workout run as planned on `day` (the athlete's paces), as a FIT or GPX."""
    athlete = load_athlete(ATHLETE_FILE)
    workout = load_workout(WORKOUTS / workout_file, athlete=athlete)
    start = dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)
    run = simulate(Script(workout=workout, laps=LapMode.AUTO, start_time=start, seed=seed))
    return to_fit_bytes(run) if kind == "fit" else to_gpx_text(run, with_heart_rate=True).encode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def running_server(
    db: str, *args: str, today: str = TODAY, port: int | None = None
) -> Iterator[str]:
    """`pacefit serve --db DB ARGS` in its own process; yields its address once it answers."""
    port = port or free_port()
    env = {**os.environ, "PACEFIT_TODAY": today}
    command = [sys.executable, "-m", "pacefit", "serve", "--db", db, "--port", str(port), *args]
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, text=True
        )
        try:
            _wait_for(port, process, output)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(port: int, process: subprocess.Popen[str], output: IO[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output.seek(0)
            raise AssertionError(f"pacefit serve stopped: {output.read()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise AssertionError("pacefit serve did not answer within 60 s")
