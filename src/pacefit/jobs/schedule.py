"""The FIT schedule of a build or a push: which of its dated workout files go on the watch's
calendar. A watch keeps a limited number of workouts (its device profile's number), so the
schedule holds the first that many, or the first weeks where the number is not known, and says
so when it leaves sessions out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from pacefit.core.devices import device_profile
from pacefit.errors import Location, PacefitError, warn
from pacefit.files import write_atomic
from pacefit.formats.fit_schedule import ScheduledWorkout, encode_schedule, workout_identity

# Where a device's number of workouts is not known: jpickup/GarminTools' author found the limit
# to be "either 4 weeks or 20 workouts".
DEFAULT_SCHEDULE_WEEKS = 4

Dated = tuple[dt.date, Path]  # a session's day and its FIT workout file


def scheduled_sessions(dated: Sequence[Dated], *, device: str, what: str) -> list[Dated]:
    """The sessions a schedule holds: the first the device keeps, by date (a warning names
    what is left out); `what` names the schedule in the warning."""
    ordered = sorted(dated)
    limit = device_profile(device).scheduled_workouts
    profile = device_profile(device)
    if limit.value is not None:
        chosen = ordered[: limit.value]
        why = f"{profile.called} keeps about {limit.value} workouts at once" + (
            " (a guess)" if limit.guess else ""
        )
    else:
        end = ordered[0][0] + dt.timedelta(weeks=DEFAULT_SCHEDULE_WEEKS) if ordered else None
        chosen = [item for item in ordered if end is not None and item[0] < end]
        why = (
            f"how many workouts {profile.called} keeps is not known: the first "
            f"{DEFAULT_SCHEDULE_WEEKS} weeks"
        )
    if len(chosen) < len(ordered):
        last = chosen[-1][0] if chosen else ordered[0][0]
        warn(
            f"{what} holds the first {len(chosen)} of {len(ordered)} sessions, up to {last}: "
            f"{why}; push --weeks puts later weeks on the watch with a schedule of their own"
        )
    return chosen


def schedule_data(dated: Sequence[Dated]) -> bytes:
    """The FIT schedules file for these sessions, each pointing at its workout file by the
    file's own identity."""
    entries = []
    for day, path in dated:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PacefitError(
                f"cannot read the file: {exc.strerror or exc}", location=Location(str(path))
            ) from exc
        entries.append(ScheduledWorkout(workout_identity(data, source=str(path)), day))
    return encode_schedule(entries)


def write_schedule(path: Path, dated: Sequence[Dated], *, device: str) -> tuple[Path | None, bool]:
    """Write the schedule of a build's sessions to `path`; returns it (None when no session
    has a date) and whether its bytes changed."""
    chosen = scheduled_sessions(dated, device=device, what=f"the schedule ({path.name})")
    if not chosen:
        return None, False
    return path, write_atomic(path, schedule_data(chosen))
