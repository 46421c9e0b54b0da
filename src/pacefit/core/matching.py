"""Which planned session a recorded run was: the rules `review` uses for a folder of runs, and
a store or server can use for one run at a time. Pure functions over small summaries; no I/O.

- A run is first matched to an open session of its own day, then to one a day before or after
  (the review notes "run a day early" or "late").
- Among the candidates of a day, cheap evidence decides before any alignment: the sport, how far
  the recorded length is from the planned one, and a signature (the share of the run's time at
  the speed of the session's work against the share the plan gives it), so a day with an easy
  run and intervals gets each run to its own session, whatever order they were recorded in.
- Two files of the same run (a FIT and its GPX or TCX copy, by start time) count once, the FIT
  preferred.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pacefit.core.activity import Activity
from pacefit.core.paces import DEFAULT_EASY_PACE_S_PER_KM
from pacefit.core.units import speed_mps
from pacefit.core.workout import Workout, estimate_step, hard_target, unroll
from pacefit.errors import Location, PacefitError

MATCH_WINDOW_DAYS = 1  # a session run a day early or late still counts
# A run's date is its own time zone's: a runner east of the computer is already in tomorrow.
FUTURE_SLACK_DAYS = 1
SAME_RUN_S = 120.0  # two files starting this close together are copies of one run
# When a run is in several formats, the richest one is scored.
FORMAT_PREFERENCE = {"fit": 0, "tcx": 1, "gpx": 2}
SIGNATURE_QUANTILES = 20  # the run's speeds kept as this many time-weighted quantiles
SIGNATURE_WINDOW_S = 30.0  # speeds over this much timer time, so GPS jitter does not count
WORK_SPEED_SHARE = 0.97  # running within 3 % of the slow edge of a work band is running it


@dataclass(frozen=True)
class RunFacts:
    """What matching needs of a run: when, what, how long, and its speeds in brief."""

    source: str
    file_format: str
    start_time: dt.datetime | None
    local_date: dt.date | None
    sport: str
    distance_m: float
    timer_s: float
    speed_quantiles_mps: tuple[float, ...]  # ascending; each holds an equal share of the time

    def share_at_least(self, speed: float) -> float:
        """The share of the run's time at `speed` or faster."""
        quantiles = self.speed_quantiles_mps
        if not quantiles:
            return 0.0
        return (len(quantiles) - bisect.bisect_left(quantiles, speed)) / len(quantiles)


@dataclass(frozen=True)
class SessionFacts:
    """What matching needs of a planned session: its day, sport, planned length, and how much
    of it is work at what speed."""

    number: int  # the session's place in the plan
    date: dt.date
    sport: str
    distance_m: float | None
    duration_s: float | None
    work_share: float  # of the planned time
    work_speed_mps: float | None  # the slowest work band's slow edge, less 3 %


@dataclass(frozen=True)
class Match:
    session: int
    note: str = ""  # e.g. "run a day early (2026-11-18)"


def run_facts(activity: Activity) -> RunFacts:
    return RunFacts(
        source=activity.source,
        file_format=activity.file_format,
        start_time=activity.start_time,
        local_date=activity.local_date,
        sport=activity.sport,
        distance_m=activity.distance_m,
        timer_s=activity.timer_s,
        speed_quantiles_mps=_speed_quantiles(activity),
    )


def _speed_quantiles(activity: Activity) -> tuple[float, ...]:
    """Speeds over `SIGNATURE_WINDOW_S` windows of timer time, as quantiles."""
    timer, distance = activity.track.timer_s, activity.track.distance_m
    if len(timer) < 2 or timer[-1] <= timer[0]:
        return ()
    windows = max(1, int((timer[-1] - timer[0]) // SIGNATURE_WINDOW_S))
    width = (timer[-1] - timer[0]) / windows
    speeds = []
    index = 0
    previous_m = distance[0]
    for k in range(1, windows + 1):
        edge = timer[0] + k * width
        index = bisect.bisect_left(timer, edge, lo=index)
        at_m = distance[min(index, len(distance) - 1)]
        speeds.append((at_m - previous_m) / width)
        previous_m = at_m
    speeds.sort()
    count = min(SIGNATURE_QUANTILES, len(speeds))
    return tuple(speeds[(2 * k + 1) * len(speeds) // (2 * count)] for k in range(count))


def session_facts(number: int, date: dt.date, workout: Workout) -> SessionFacts:
    total_s = work_s = 0.0
    distance_m = 0.0
    slowest: float | None = None
    for executed in unroll(workout):
        step = executed.step
        estimate = estimate_step(step, default_pace_s_per_km=DEFAULT_EASY_PACE_S_PER_KM)
        total_s += estimate.duration_s or 0.0
        distance_m += estimate.distance_m or 0.0
        band = hard_target(step)
        if band is not None:
            work_s += estimate.duration_s or 0.0
            edge = speed_mps(band.slow_s_per_km)
            slowest = edge if slowest is None else min(slowest, edge)
    return SessionFacts(
        number=number,
        date=date,
        sport=workout.sport,
        # an open step (until the lap button) adds nothing: the known steps are the evidence
        distance_m=distance_m if distance_m > 0 else None,
        duration_s=total_s if total_s > 0 else None,
        work_share=work_s / total_s if total_s > 0 else 0.0,
        work_speed_mps=WORK_SPEED_SHARE * slowest if slowest is not None else None,
    )


def match_cost(run: RunFacts, session: SessionFacts) -> float | None:
    """How unlike the session the run is (0: just like it), or None when it cannot be that
    session (another sport). The length counts as the log of recorded over planned; the
    signature as the difference between the shares of time at work speed."""
    if run.sport != session.sport:
        return None
    cost = 0.0
    if session.distance_m is not None and run.distance_m > 0:
        cost += abs(math.log(run.distance_m / session.distance_m))
    elif session.duration_s is not None and run.timer_s > 0:
        cost += abs(math.log(run.timer_s / session.duration_s))
    if session.work_speed_mps is not None:
        cost += abs(run.share_at_least(session.work_speed_mps) - session.work_share)
    return cost


def one_file_per_run(runs: Sequence[RunFacts]) -> tuple[list[RunFacts], list[tuple[str, str]]]:
    """The runs with copies of the same run (start times within `SAME_RUN_S`) folded into the
    richest file; and each copy left out with the file kept instead. Kept runs in time order."""
    ordered = sorted(runs, key=lambda r: (FORMAT_PREFERENCE.get(r.file_format, 9), r.source))
    kept: list[RunFacts] = []
    copies: list[tuple[str, str]] = []
    # the kept runs' start times in order, each with its place in `kept`: a run looks for its
    # twin among those within SAME_RUN_S only (a season's log holds thousands)
    starts: list[tuple[float, int]] = []
    for run in ordered:
        twin = _first_twin(run, starts)
        if twin is None:
            if run.start_time is not None:
                bisect.insort(starts, (run.start_time.timestamp(), len(kept)))
            kept.append(run)
        else:
            copies.append((run.source, kept[twin].source))
    kept.sort(key=lambda r: (r.start_time or dt.datetime.min.replace(tzinfo=dt.UTC), r.source))
    return kept, copies


def _first_twin(run: RunFacts, starts: list[tuple[float, int]]) -> int | None:
    """The earliest kept run (by its place in `kept`) starting within SAME_RUN_S of `run`."""
    if run.start_time is None:
        return None
    at = run.start_time.timestamp()
    low = bisect.bisect_left(starts, (at - SAME_RUN_S, -1))
    high = bisect.bisect_right(starts, (at + SAME_RUN_S, math.inf))
    return min((place for _, place in starts[low:high]), default=None)


def match_runs(
    runs: Sequence[RunFacts], sessions: Sequence[SessionFacts]
) -> tuple[dict[int, tuple[RunFacts, Match]], list[RunFacts]]:
    """One run per session: the runs of each day to that day's sessions, closest evidence
    first; then the runs left over to an open session a day before or after. Returns each
    session's run and match (by session number), and the runs no session took."""
    by_date = sessions_by_date(sessions)
    chosen: dict[int, tuple[RunFacts, Match]] = {}
    dated = [r for r in runs if r.local_date is not None]
    left = _assign(dated, by_date, chosen, offsets=(0,))
    unmatched = _assign(left, by_date, chosen, offsets=(-1, 1))
    return chosen, unmatched + [r for r in runs if r.local_date is None]


def not_yet_run(run: RunFacts, today: dt.date, *, name: str) -> PacefitError | None:
    """Why the run called `name`, dated after today, cannot be judged (its recorder's clock
    was wrong, or its date was edited: it is no session done), else None."""
    if run.local_date is None or run.local_date <= today + dt.timedelta(FUTURE_SLACK_DAYS):
        return None
    return PacefitError(
        f"the run is dated {run.local_date}, after today ({today}): it cannot have been run yet",
        location=Location(name),
        hint="check the date and time zone on the watch or phone that recorded it",
    )


SessionsByDate = Mapping[dt.date, Sequence[SessionFacts]]


def sessions_by_date(sessions: Sequence[SessionFacts]) -> dict[dt.date, list[SessionFacts]]:
    """The sessions of each day: a run is matched among those of a few days, so a plan's
    sessions are put by day once, not for each run."""
    by_date: dict[dt.date, list[SessionFacts]] = {}
    for session in sessions:
        by_date.setdefault(session.date, []).append(session)
    return by_date


def match_run(
    run: RunFacts, by_date: SessionsByDate, *, taken: frozenset[int] = frozenset()
) -> Match | None:
    """The session one run was, among the sessions (`sessions_by_date`) not `taken`: the same
    rules as a folder (its own day first, then a day either side), for a run that arrives on
    its own."""
    if run.local_date is None:
        return None
    chosen = {number: (run, Match(number)) for number in taken}  # placeholders: not open
    for offsets in ((0,), (-1, 1)):
        if not _assign([run], by_date, chosen, offsets=offsets):
            return next(match for n, (_, match) in chosen.items() if n not in taken)
    return None


def _assign(
    runs: Sequence[RunFacts],
    by_date: SessionsByDate,
    chosen: dict[int, tuple[RunFacts, Match]],
    *,
    offsets: tuple[int, ...],
) -> list[RunFacts]:
    """Pairs of a run and an open session `offsets` days from it, the closest evidence first
    (then the earlier day, then the run recorded first); returns the runs left over."""
    pairs = []
    for order, run in enumerate(runs):
        assert run.local_date is not None
        for offset in offsets:
            for session in by_date.get(run.local_date + dt.timedelta(days=offset), ()):
                if session.number in chosen:
                    continue
                cost = match_cost(run, session)
                if cost is not None:
                    pairs.append((cost, offsets.index(offset), order, session.number, run, session))
    placed: set[int] = set()
    for _, _, order, number, run, session in sorted(pairs, key=lambda p: p[:4]):
        if order in placed or number in chosen:
            continue
        placed.add(order)
        chosen[number] = (run, Match(number, _note(run, session)))
    return [run for order, run in enumerate(runs) if order not in placed]


def _note(run: RunFacts, session: SessionFacts) -> str:
    assert run.local_date is not None
    if session.date == run.local_date:
        return ""
    early = session.date > run.local_date
    return f"run a day {'early' if early else 'late'} ({run.local_date})"
