"""Opening the log (SQLite by default, PostgreSQL by URL, migrated to the current schema on
open) and reading and writing its rows. Every write is one transaction: a crash mid-way leaves
the log as it was before it."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from pacefit.errors import Location, PacefitError
from pacefit.store.schema import athletes, plans, runs, scores

DEFAULT_DATABASE = "log.sqlite"
SQLITE_BUSY_TIMEOUT_MS = 30_000  # a writer waits this long for another to finish


@dataclass(frozen=True)
class AthleteRecord:
    id: int
    name: str
    athlete_yaml: str


@dataclass(frozen=True)
class PlanRecord:
    id: int
    athlete_id: int
    folder: Path
    race_date: dt.date
    level: str | None
    scored_against: str | None = None  # the version of the plan its kept scores are of


PlanChoice = tuple[Path, dt.date, str | None]  # (plan folder, race date, level)


@dataclass(frozen=True)
class RunFile:
    """A run as it goes into the log: the file and the facts read from it."""

    sha256: str
    file_name: str
    file_format: str
    content: bytes
    start_time: dt.datetime | None
    local_date: dt.date | None
    sport: str
    distance_m: float
    timer_s: float
    speed_quantiles_mps: tuple[float, ...]


@dataclass(frozen=True)
class RunRecord:
    """A run in the log, without its file (`Store.run_content` reads that)."""

    id: int
    athlete_id: int
    sha256: str
    file_name: str
    file_format: str
    size_bytes: int
    start_time: dt.datetime | None
    local_date: dt.date | None
    sport: str
    distance_m: float
    timer_s: float
    speed_quantiles_mps: tuple[float, ...]
    uploaded_at: dt.datetime


ScoreKey = tuple[int, int]  # (run id, session number)


def default_database_path() -> Path:
    """`log.sqlite` in the user's data folder (XDG's, as on Linux; the same place elsewhere)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "pacefit" / DEFAULT_DATABASE


def _missing_sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL when it does not exist (None for a server's database)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else path


def database_url(given: str | None) -> str:
    """A SQLAlchemy URL from what the user gave: a `postgresql://` or `sqlite://` URL, or a file
    name for SQLite; the default file when nothing was given."""
    if not given:
        path = default_database_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    scheme, sep, rest = given.partition("://")
    if not sep:
        return f"sqlite:///{Path(given).expanduser().absolute()}"
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return f"postgresql+psycopg://{rest}"
    if scheme in ("sqlite", "sqlite+pysqlite"):
        return given
    hint = "give a file name (log.sqlite) or a postgresql://user@host/db URL"
    if scheme.startswith("postgresql+"):  # a driver pacefit does not install (psycopg2, asyncpg)
        raise PacefitError(
            f"pacefit reaches PostgreSQL through psycopg (3), not '{scheme}'",
            location=Location(_without_password(given)),
            hint=hint,
        )
    raise PacefitError(
        f"pacefit keeps its log in SQLite or PostgreSQL, not '{scheme}'",
        location=Location(_without_password(given)),
        hint=hint,
    )


def _without_password(url: str) -> str:
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url.partition("://")[0] + "://..."  # not a URL SQLAlchemy reads: shown no further


class Store:
    """The log. Open it with `Store.open(url)`; close it when done."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, given: str | None, *, create: bool = True) -> Store:
        """The log at `given` (`database_url`), brought up to date; a SQLite file that is not
        there is made, unless `create` is False (a command that only reads: a mistyped name
        would otherwise leave an empty log behind and show nothing)."""
        url = database_url(given)
        shown = _without_password(url)
        if not create and (missing := _missing_sqlite_file(url)) is not None:
            raise PacefitError(
                "there is no log here",
                location=Location(str(missing)),
                hint="check the name, or give --athlete athlete.yaml to start one",
            )
        try:
            engine = _engine(url)
            _migrate(engine)
        except sa.exc.SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise PacefitError(
                f"cannot open the database: {reason}", location=Location(shown)
            ) from exc
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        """One transaction that writes; on SQLite it takes the write lock at its start, so two
        writers queue rather than one failing halfway."""
        with self.engine.connect().execution_options(pacefit_write=True) as conn, conn.begin():
            yield conn

    # athletes and plans

    def athletes(self) -> list[AthleteRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(athletes).order_by(athletes.c.name)).all()
        return [AthleteRecord(r.id, r.name, r.athlete_yaml) for r in rows]

    def athlete(self, athlete_id: int) -> AthleteRecord | None:
        if not is_row_id(athlete_id):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(athletes).where(athletes.c.id == athlete_id)).first()
        return AthleteRecord(row.id, row.name, row.athlete_yaml) if row else None

    def save_athlete(
        self, name: str, athlete_yaml: str, plan: PlanChoice | None = None
    ) -> tuple[AthleteRecord, bool]:
        """The athlete of that name with this athlete file; True when they are new. With
        `plan`, it becomes their current plan in the same transaction (an athlete is never kept
        without the plan they came with)."""
        with self._write() as conn:
            found = conn.execute(sa.select(athletes.c.id).where(athletes.c.name == name)).first()
            values = {"athlete_yaml": athlete_yaml, "updated_at": _now()}
            if found is None:
                athlete_id = _new_id(conn.execute(sa.insert(athletes).values(name=name, **values)))
            else:
                athlete_id = found.id
                conn.execute(sa.update(athletes).where(athletes.c.id == found.id).values(values))
            if plan is not None:
                self._assign_plan(conn, athlete_id, *plan)
        return AthleteRecord(athlete_id, name, athlete_yaml), found is None

    def assign_plan(
        self, athlete_id: int, folder: Path, race_date: dt.date, level: str | None
    ) -> PlanRecord:
        """The plan becomes the athlete's current one (the same plan and race again is kept,
        with its scores)."""
        with self._write() as conn:
            return self._assign_plan(conn, athlete_id, folder, race_date, level)

    @staticmethod
    def _assign_plan(
        conn: Connection, athlete_id: int, folder: Path, race_date: dt.date, level: str | None
    ) -> PlanRecord:
        where = (
            (plans.c.athlete_id == athlete_id)
            & (plans.c.folder == str(folder))
            & (plans.c.race_date == race_date)
        )
        found = conn.execute(sa.select(plans.c.id, plans.c.scored_against).where(where)).first()
        values = {"level": level, "assigned_at": _now()}
        if found is None:
            new = sa.insert(plans).values(
                athlete_id=athlete_id, folder=str(folder), race_date=race_date, **values
            )
            return PlanRecord(_new_id(conn.execute(new)), athlete_id, folder, race_date, level)
        conn.execute(sa.update(plans).where(plans.c.id == found.id).values(values))
        return PlanRecord(found.id, athlete_id, folder, race_date, level, found.scored_against)

    def current_plan(self, athlete_id: int) -> PlanRecord | None:
        query = (
            sa.select(plans)
            .where(plans.c.athlete_id == athlete_id)
            .order_by(plans.c.assigned_at.desc(), plans.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return PlanRecord(
            row.id, row.athlete_id, Path(row.folder), row.race_date, row.level, row.scored_against
        )

    # runs

    def add_run(self, athlete_id: int, run: RunFile) -> tuple[RunRecord, bool]:
        """The run kept; False (and the run already kept) when the same file is there."""
        existing = self.run_by_hash(athlete_id, run.sha256)
        if existing is not None:
            return existing, False
        values = {
            "athlete_id": athlete_id,
            "sha256": run.sha256,
            "file_name": run.file_name[:255],
            "file_format": run.file_format,
            "size_bytes": len(run.content),
            "content": run.content,
            "start_time": run.start_time,
            "local_date": run.local_date,
            "sport": run.sport,
            "distance_m": run.distance_m,
            "timer_s": run.timer_s,
            "speed_quantiles": json.dumps(list(run.speed_quantiles_mps)),
            "uploaded_at": _now(),
        }
        try:
            with self._write() as conn:
                run_id = _new_id(conn.execute(sa.insert(runs).values(values)))
        except sa.exc.IntegrityError:  # the same file, uploaded at the same moment
            existing = self.run_by_hash(athlete_id, run.sha256)
            if existing is None:
                raise
            return existing, False
        record = self.run(run_id)
        assert record is not None
        return record, True

    def run_by_hash(self, athlete_id: int, sha256: str) -> RunRecord | None:
        where = (runs.c.athlete_id == athlete_id) & (runs.c.sha256 == sha256)
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*_RUN_COLUMNS).where(where)).first()
        return _run_record(row) if row else None

    def update_run_facts(
        self,
        run_id: int,
        *,
        start_time: dt.datetime | None,
        local_date: dt.date | None,
        sport: str,
        distance_m: float,
        timer_s: float,
        speed_quantiles_mps: tuple[float, ...],
    ) -> None:
        """What a newer pacefit reads from a kept file."""
        with self._write() as conn:
            conn.execute(
                sa.update(runs)
                .where(runs.c.id == run_id)
                .values(
                    start_time=start_time,
                    local_date=local_date,
                    sport=sport,
                    distance_m=distance_m,
                    timer_s=timer_s,
                    speed_quantiles=json.dumps(list(speed_quantiles_mps)),
                )
            )

    def runs(self, athlete_id: int) -> list[RunRecord]:
        query = (
            sa.select(*_RUN_COLUMNS)
            .where(runs.c.athlete_id == athlete_id)
            .order_by(runs.c.start_time, runs.c.id)
        )
        with self.engine.connect() as conn:
            return [_run_record(row) for row in conn.execute(query)]

    def run(self, run_id: int) -> RunRecord | None:
        if not is_row_id(run_id):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*_RUN_COLUMNS).where(runs.c.id == run_id)).first()
        return _run_record(row) if row else None

    def run_content(self, run_id: int) -> bytes:
        content = None
        if is_row_id(run_id):
            with self.engine.connect() as conn:
                query = sa.select(runs.c.content).where(runs.c.id == run_id)
                content = conn.execute(query).scalar()
        if content is None:
            raise PacefitError(f"there is no run {run_id} in the log")
        return bytes(content)

    def run_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(runs)).scalar_one())

    # scores: a cache of each run's judgement against a session of a plan

    def scores(self, plan_id: int) -> dict[ScoreKey, dict[str, Any]]:
        query = sa.select(scores.c.run_id, scores.c.session_number, scores.c.outcome).where(
            scores.c.plan_id == plan_id
        )
        with self.engine.connect() as conn:
            return {
                (row.run_id, row.session_number): json.loads(row.outcome)
                for row in conn.execute(query)
            }

    def save_scores(
        self, plan_id: int, version: str, outcomes: Sequence[tuple[int, int, dict[str, Any]]]
    ) -> None:
        """(run id, session number, outcome) for each pair, scored against `version` of the
        plan, replacing what was there; nothing is kept if the plan has changed since."""
        if not outcomes:
            return
        # another request may have cached the same pair a moment ago (PostgreSQL's read
        # committed lets both delete nothing, then both insert): it computed the same outcome
        with contextlib.suppress(sa.exc.IntegrityError):
            self._replace_scores(plan_id, version, outcomes)

    def _replace_scores(
        self, plan_id: int, version: str, outcomes: Sequence[tuple[int, int, dict[str, Any]]]
    ) -> None:
        with self._write() as conn:
            if _plan_version(conn, plan_id) != version:
                return  # scored against a plan edited meanwhile: of no version now shown
            for run_id, number, _ in outcomes:
                conn.execute(
                    sa.delete(scores).where(
                        (scores.c.run_id == run_id)
                        & (scores.c.plan_id == plan_id)
                        & (scores.c.session_number == number)
                    )
                )
            conn.execute(
                sa.insert(scores),
                [
                    {
                        "run_id": run_id,
                        "plan_id": plan_id,
                        "session_number": number,
                        "outcome": json.dumps(outcome),
                        "scored_at": _now(),
                    }
                    for run_id, number, outcome in outcomes
                ],
            )

    def forget_scores_unless(self, plan_id: int, version: str) -> bool:
        """The plan's kept scores thrown away unless they are of this version of it; True when
        they were. The version is kept with the plan, so scores made from now on are of it."""
        with self._write() as conn:
            if _plan_version(conn, plan_id) == version:
                return False  # another request got here first
            conn.execute(sa.delete(scores).where(scores.c.plan_id == plan_id))
            conn.execute(
                sa.update(plans).where(plans.c.id == plan_id).values(scored_against=version)
            )
        return True

    def clear_scores(self, plan_id: int) -> int:
        with self._write() as conn:
            return conn.execute(sa.delete(scores).where(scores.c.plan_id == plan_id)).rowcount


# Ids are the schema's INTEGER, 32 bits on PostgreSQL: a larger number (a hand-typed address)
# names no row, and a database would refuse the comparison rather than find nothing.
MAX_ROW_ID = 2**31 - 1


def is_row_id(number: int) -> bool:
    return 1 <= number <= MAX_ROW_ID


def _plan_version(conn: Connection, plan_id: int) -> str | None:
    """The version of the plan its kept scores are of, the plan's row locked (PostgreSQL; a
    SQLite write holds the whole database) until the transaction ends."""
    query = sa.select(plans.c.scored_against).where(plans.c.id == plan_id).with_for_update()
    return conn.execute(query).scalar()


_RUN_COLUMNS = [c for c in runs.c if c.name != "content"]


def _run_record(row: Any) -> RunRecord:
    return RunRecord(
        id=row.id,
        athlete_id=row.athlete_id,
        sha256=row.sha256,
        file_name=row.file_name,
        file_format=row.file_format,
        size_bytes=row.size_bytes,
        start_time=_aware(row.start_time),
        local_date=row.local_date,
        sport=row.sport,
        distance_m=row.distance_m,
        timer_s=row.timer_s,
        speed_quantiles_mps=tuple(json.loads(row.speed_quantiles)),
        uploaded_at=_aware(row.uploaded_at) or _now(),
    )


def _new_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back the UTC time it was given without its zone."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling off: `_begin` below says when one starts
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("pacefit_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _migrate(engine: Engine) -> None:
    """The schema brought up to date (Alembic), in one transaction."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("pacefit.store") / "migrations"))
    with engine.connect().execution_options(pacefit_write=True) as conn, conn.begin():
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
