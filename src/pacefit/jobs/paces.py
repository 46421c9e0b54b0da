"""The `paces` job: a runner's race and training paces from race times or a VDOT given on the
command line (on top of an athlete file), checked exactly as the athlete file checks them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pacefit.core.paces import (
    RACE_DISTANCES_M,
    Athlete,
    PaceModel,
    PaceTable,
    athlete_vdot,
    outside_tables_note,
    pace_table,
    race_time_problem,
    vdot_problem,
)
from pacefit.core.units import clock_problem, parse_clock_s
from pacefit.errors import Location, PacefitError, warn

RACE_HINT = f"write DIST=TIME with DIST one of {', '.join(RACE_DISTANCES_M)}, e.g. 10k=45:00"


def runner_paces(
    athlete: Athlete | None,
    *,
    races: Sequence[str] = (),
    vdot: float | None = None,
    model: PaceModel | None = None,
) -> PaceTable:
    """The pace table of the athlete with the command line's races (`10k=45:00`), VDOT and
    model on top. A VDOT outside Daniels' tables is a warning; an implausible one an error."""
    runner = athlete or Athlete()
    times = dict(runner.race_times_s)
    where: Location | None = None  # the last option given: a warning names it
    for race in races:
        where = Location(f"--race {race}")
        name, time_s = _race(race, where)
        times[name] = time_s
    if vdot is not None:
        where = Location(f"--vdot {vdot:g}")
        problem = vdot_problem(vdot)
        if problem:
            raise PacefitError(problem.message, location=where, hint=problem.hint)
    runner = replace(
        runner,
        race_times_s=times,
        vdot=vdot if vdot is not None else runner.vdot,
        pace_model=model or runner.pace_model,
    )
    table = pace_table(runner)
    if table is None:
        raise PacefitError(
            "no race time and no VDOT to work paces out from",
            hint="give --race 10k=45:00 (repeatable), --vdot 45 or --athlete FILE",
        )
    training_vdot = athlete_vdot(runner)
    note = outside_tables_note(training_vdot) if training_vdot is not None else None
    if note and where is not None:  # the athlete file warns about its own
        warn(note, location=where)
    return table


def _race(text: str, where: Location) -> tuple[str, float]:
    name, _, time_text = text.partition("=")
    name = name.strip().lower()
    time_s = parse_clock_s(time_text)
    if name not in RACE_DISTANCES_M or not time_text:
        raise PacefitError(f"cannot read the race '{text}'", location=where, hint=RACE_HINT)
    if time_s is None:
        raise PacefitError(
            f"cannot read the race time '{time_text}': {clock_problem(time_text)}",
            location=where,
            hint=f"e.g. {name}=45:00 or {name}=1:39:30",
        )
    problem = race_time_problem(name, time_s)
    if problem:
        raise PacefitError(problem.message, location=where, hint=problem.hint)
    return name, time_s
