"""Matching the laps of a run to the planned steps by their lengths, not their count.

Laps mark step changes only as well as the runner pressed the button: a step may be split over
several laps (an extra press, auto laps), several steps may share a lap (a missed press: the last
jog and the cool-down), a quick press may skip a step. The laps and the unrolled steps are
aligned like two sequences, by dynamic programming: a run of laps may make one step, one lap may
hold several steps, and a step may have no lap. Costs are in the same units as the pace-trace
placement (negative log-likelihood), in this order of weight:

- length: a group's distance (or timer time) against the step's plan, log-normal and capped; a
  lap of a few seconds on a step of known length is a press that skipped it;
- a press inside a step (cheap when the watch made the lap, dear for the button), a press missed
  between steps (several steps in one lap), a step with no lap at all;
- pace, weaker: a hard step's lap pace outside its band, or an easy step run at rep pace.

Whether the result can be trusted is decided from how well the hard steps fit (`trusted`).
Pure functions; no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pacefit.core.activity import Lap
from pacefit.core.paces import DEFAULT_EASY_PACE_S_PER_KM
from pacefit.core.segment import LENGTH_COST_CAP, length_cost
from pacefit.core.workout import (
    DistanceDuration,
    ExecutedStep,
    Step,
    hard_target,
    is_hard,
    planned_time_s,
    share_of_plan,
)

MAX_LAPS_PER_STEP = 120  # auto laps of a long step
MAX_STEPS_PER_LAP = 4
EXTRA_PRESS_COST = 2.0  # a button press inside a step
EXTRA_AUTO_LAP_COST = 0.2  # an auto lap inside a step: expected
MISSED_PRESS_COST = 2.0  # two steps in one lap
NO_LAP_COST = 4.0  # a step with no lap at all
SKIP_PRESS_COST = 1.0  # a step ended at once by the button (a quick press to skip it)
PACE_SCALE_S_PER_KM = 20.0
PACE_COST_CAP = 4.0
EASY_AT_REP_PACE_COST = 2.0
SKIP_PRESS_MAX_S = 10.0  # a lap this short on a step of known length was pressed through
# How close auto laps must fit the plan to be trusted as step boundaries: a watch's auto laps
# are exact, so steps that fall on them fit within a few percent.
AUTO_LAP_FIT = 0.05
# A hard step's laps are evidence when within this factor of its plan (a rep cut short by
# half and pressed is still found by its lap).
TRUSTED_FACTOR = 2.0
INF = float("inf")


@dataclass(frozen=True)
class Group:
    """Consecutive laps [first_lap, last_lap] and the consecutive steps [first_step, last_step]
    they hold; first_lap > last_lap when the steps had no lap."""

    first_lap: int
    last_lap: int
    first_step: int
    last_step: int
    cost: float

    @property
    def lap_count(self) -> int:
        return self.last_lap - self.first_lap + 1

    @property
    def step_count(self) -> int:
        return self.last_step - self.first_step + 1


@dataclass(frozen=True)
class LapMatch:
    groups: tuple[Group, ...]
    trusted: bool
    reason: str  # why the laps were not trusted, when they were not


def match_laps(laps: Sequence[Lap], steps: Sequence[ExecutedStep]) -> LapMatch:
    """The cheapest explanation of the laps by the steps, and whether to trust it."""
    costs = _Costs(laps, steps)
    m, n = len(laps), len(steps)
    table = [[INF] * (n + 1) for _ in range(m + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (n + 1) for _ in range(m + 1)]
    table[0][0] = 0.0
    for i in range(m + 1):
        for j in range(n + 1):
            here = table[i][j]
            if here == INF:
                continue
            if j < n:  # the step has no lap
                _relax(table, back, i, j, i, j + 1, here + NO_LAP_COST)
            for a in range(1, min(MAX_LAPS_PER_STEP, m - i) + 1):
                if j < n:
                    cost = costs.laps_in_step(i, i + a, j)
                    if cost == INF:
                        break
                    _relax(table, back, i, j, i + a, j + 1, here + cost)
            if i < m:
                for b in range(2, min(MAX_STEPS_PER_LAP, n - j) + 1):
                    _relax(table, back, i, j, i + 1, j + b, here + costs.steps_in_lap(i, j, b))
    groups = _backtrack(table, back, m, n)
    trusted, reason = _trust(groups, laps, steps, costs)
    return LapMatch(tuple(groups), trusted, reason)


def _relax(
    table: list[list[float]],
    back: list[list[tuple[int, int] | None]],
    i: int,
    j: int,
    i2: int,
    j2: int,
    value: float,
) -> None:
    if value < table[i2][j2]:
        table[i2][j2] = value
        back[i2][j2] = (i, j)


def _backtrack(
    table: list[list[float]], back: list[list[tuple[int, int] | None]], m: int, n: int
) -> list[Group]:
    groups = []
    i, j = m, n
    while (i, j) != (0, 0):
        previous = back[i][j]
        assert previous is not None
        pi, pj = previous
        groups.append(Group(pi, i - 1, pj, j - 1, table[i][j] - table[pi][pj]))
        i, j = pi, pj
    return groups[::-1]


class _Costs:
    """The cost of each kind of group, with prefix sums so that any run of laps is O(1)."""

    def __init__(self, laps: Sequence[Lap], steps: Sequence[ExecutedStep]) -> None:
        self.laps, self.steps = laps, steps
        self.distance = _prefix([lap.distance_m for lap in laps])
        self.timer = _prefix([lap.timer_s for lap in laps])
        # a press inside a step: the end of a lap that is not the step's last
        self.press = _prefix(
            [EXTRA_AUTO_LAP_COST if lap.automatic else EXTRA_PRESS_COST for lap in laps]
        )
        bands = [band for e in steps if (band := hard_target(e.step)) is not None]
        self.rep_pace = min((band.slow_s_per_km for band in bands), default=None)
        self.easy_pace = self._easy_pace_s_per_km()

    def _easy_pace_s_per_km(self) -> float:
        """The runner's own easy pace: the median pace of laps slower than every rep band."""
        paces = sorted(
            1000 * lap.timer_s / lap.distance_m
            for lap in self.laps
            if lap.distance_m > 0 and lap.timer_s > 0
        )
        slower = [p for p in paces if self.rep_pace is None or p > self.rep_pace]
        chosen = slower or paces
        return chosen[len(chosen) // 2] if chosen else DEFAULT_EASY_PACE_S_PER_KM

    def laps_in_step(self, start: int, end: int, j: int) -> float:
        """Laps [start, end) make step j. INF once the laps are far longer than the plan (no
        more laps can help)."""
        step = self.steps[j].step
        distance_m = self.distance[end] - self.distance[start]
        timer_s = self.timer[end] - self.timer[start]
        presses = self.press[end - 1] - self.press[start]
        ratio = share_of_plan(step, distance_m=distance_m, timer_s=timer_s)
        if ratio is not None and ratio > 3 and end - start > 1:
            return INF
        if ratio is None:
            length = 0.0
        elif end - start == 1 and timer_s < SKIP_PRESS_MAX_S and ratio < 0.2:
            length = SKIP_PRESS_COST
        else:
            length = length_cost(ratio)
        return length + presses + self._pace_cost(step, distance_m, timer_s)

    def steps_in_lap(self, lap: int, j: int, count: int) -> float:
        """Lap `lap` holds steps [j, j + count): presses missed between them."""
        expected: list[float] = []
        open_steps = 0
        for executed in self.steps[j : j + count]:
            time_s = self.expected_time_s(executed.step)
            if time_s is None:
                open_steps += 1
            else:
                expected.append(time_s)
        timer_s = self.laps[lap].timer_s
        known = sum(expected)
        if open_steps:
            # the open steps take what is left; the lap must at least hold the others
            length = length_cost(timer_s / known) if known and timer_s < known else 0.0
        else:
            length = length_cost(timer_s / known) if known else LENGTH_COST_CAP
        return (count - 1) * MISSED_PRESS_COST + length

    def expected_time_s(self, step: Step) -> float | None:
        """The step's planned time; a distance with no pace at the runner's easy pace."""
        planned_s = planned_time_s(step)
        if planned_s is None and isinstance(step.duration, DistanceDuration):
            return step.duration.distance_m / 1000 * self.easy_pace
        return planned_s

    def _pace_cost(self, step: Step, distance_m: float, timer_s: float) -> float:
        if distance_m <= 0 or timer_s <= 0:
            return 0.0
        pace = 1000 * timer_s / distance_m
        band = hard_target(step)
        if band is not None:
            off = abs(band.outside_s_per_km(pace)) / PACE_SCALE_S_PER_KM
            return min(PACE_COST_CAP, off * off / 2)
        if self.rep_pace is not None and pace <= self.rep_pace and timer_s > SKIP_PRESS_MAX_S:
            return EASY_AT_REP_PACE_COST
        return 0.0


def _prefix(values: Sequence[float]) -> list[float]:
    sums = [0.0]
    for value in values:
        sums.append(sums[-1] + value)
    return sums


def _trust(
    groups: Sequence[Group], laps: Sequence[Lap], steps: Sequence[ExecutedStep], costs: _Costs
) -> tuple[bool, str]:
    """Laps are evidence when each hard step has laps of its own within a factor of two of its
    plan (or was pressed through); when the watch made every lap (auto laps), only if every
    step of known length falls on them within a few percent."""
    if len(laps) < 2:
        return False, "the run has a single lap"
    if all(lap.automatic for lap in laps[:-1]):
        exact = all(
            group.step_count == 1 and _fits(group, steps, costs, AUTO_LAP_FIT) for group in groups
        )
        return (True, "") if exact else (False, "the auto laps do not fall where the steps end")
    for group in groups:
        if not any(is_hard(steps[k].step) for k in range(group.first_step, group.last_step + 1)):
            continue
        if group.step_count > 1 or group.lap_count < 1:
            return False, "a hard step has no lap of its own"
        fits = _fits(group, steps, costs, math.log(TRUSTED_FACTOR))
        if not fits and not _pressed_through(group, laps):
            return False, "a hard step's laps are far from its planned length"
    return True, ""


def _fits(group: Group, steps: Sequence[ExecutedStep], costs: _Costs, tolerance: float) -> bool:
    if group.step_count != 1 or group.lap_count < 1:
        return True
    step = steps[group.first_step].step
    ratio = share_of_plan(
        step,
        distance_m=costs.distance[group.last_lap + 1] - costs.distance[group.first_lap],
        timer_s=costs.timer[group.last_lap + 1] - costs.timer[group.first_lap],
    )
    return ratio is None or (ratio > 0 and abs(math.log(ratio)) <= tolerance)


def _pressed_through(group: Group, laps: Sequence[Lap]) -> bool:
    return group.lap_count == 1 and laps[group.first_lap].timer_s < SKIP_PRESS_MAX_S
