"""Placing the planned steps on the pace trace of a run whose laps do not mark them.

1. The run is cut into equal bins of timer time (about `TARGET_BINS` over the run, at least
   `MIN_BIN_S`). A bin's speed is its distance over its time, median-filtered over three bins, so
   GPS jitter averages out, a one-bin spike is dropped, and a speed field that disagrees with the
   distance (a miscalibrated foot pod) does not matter.
2. Each bin is evidence that the runner was running a rep or running easy: for each hard step,
   its speed against a threshold halfway between the runner's own easy speed (the median of the
   bins clearly slower than every rep band) and the slow edge of the step's band, graded from -1
   (at the easy speed) to +1 (at the band). A second of easy running inside a rep, or of rep
   running inside a recovery, costs `COST_PER_S`; so does a second of rep speed in a warm-up,
   which keeps a surge there cheap but not free.
3. All the steps are placed at once by dynamic programming over the bins (exact segmentation
   with a known number of segments, the plan's structure as the model): the placement that
   costs least in that evidence plus how far each step's distance or time is from the plan
   (log-normal). A step may be empty (skipped) at a fixed cost. Because the placement is global,
   a surge in the warm-up cannot take a rep's place without pushing every later step off its
   planned length.
4. Each boundary between a hard and an easy step is then moved, within a bin, to the sharpest
   change of speed on the samples (the speed just after against the speed just before).

Pure functions over a `Track`; no I/O.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import add, sub, truediv

from pacefit.core.activity import Track
from pacefit.core.units import speed_mps
from pacefit.core.workout import (
    DistanceDuration,
    ExecutedStep,
    TimeDuration,
    hard_target,
    planned_time_s,
)

TARGET_BINS = 400  # keeps the placement well under a second for any run
MIN_BIN_S = 2.0
COST_PER_S = 0.1  # ten seconds run at the wrong kind of speed cost one unit
LENGTH_SIGMA = 0.2  # how far (in log) a runner's step strays from its plan, typically
LENGTH_COST_CAP = 12.0
SPREAD = 2 * LENGTH_SIGMA**2
TINY_RATIO = 1e-300
SKIP_COST = LENGTH_COST_CAP  # an empty step costs what a step far off its length would
MAX_LENGTH_FACTOR = 3.0  # no step is placed longer than three times its plan
CLEARLY_EASY = 0.9  # bins slower than this share of every band's slow edge are easy running
THRESHOLD_CAP = 0.97  # a rep is being run within 3 % of its band's slow edge
EDGE_WINDOW_S = 5.0
# The first pass: each step ends within this share of the run of its likely place.
BAND_SHARE = 0.03
BAND_MIN_BINS = 6
BOUND_SLACK = 1e-9  # the banded cost, summed in another order, bounds the optimum within this
REACH_SLACK_M = 1e-6  # so that rounding never drops an end the plain loop would try
INF = float("inf")


@dataclass(frozen=True)
class Bins:
    """The run resampled on timer time."""

    start_timer_s: float
    width_s: float
    speed_mps: tuple[float, ...]  # per bin
    distance_m: tuple[float, ...]  # at each bin edge (one more than bins)

    @property
    def count(self) -> int:
        return len(self.speed_mps)


def make_bins(track: Track) -> Bins:
    """Equal bins tiling the run's timer time exactly; each bin's speed is the median of its own
    and its neighbours' distance-over-time (a one-bin GPS spike is dropped, any change that lasts
    two bins is kept)."""
    start, end = track.timer_s[0], track.timer_s[-1]
    count = max(1, int((end - start) // max(MIN_BIN_S, (end - start) / TARGET_BINS)))
    width = (end - start) / count if end > start else MIN_BIN_S
    edges = [start + k * width for k in range(count + 1)]
    distances = [distance_at_timer(track, t) for t in edges]
    raw = [(b - a) / width for a, b in itertools.pairwise(distances)]
    speeds = tuple(
        sorted(raw[max(0, k - 1) : k + 2])[len(raw[max(0, k - 1) : k + 2]) // 2]
        if 0 < k < len(raw) - 1
        else raw[k]
        for k in range(len(raw))
    )
    return Bins(start, width, speeds, tuple(distances))


def distance_at_timer(track: Track, timer_s: float) -> float:
    """Distance at a timer time, interpolated between samples."""
    timer, distance = track.timer_s, track.distance_m
    i = bisect.bisect_right(timer, timer_s)
    if i == 0:
        return distance[0]
    if i >= len(timer):
        return distance[-1]
    t0, t1 = timer[i - 1], timer[i]
    if t1 <= t0:
        return distance[i]
    return distance[i - 1] + (distance[i] - distance[i - 1]) * (timer_s - t0) / (t1 - t0)


def place_steps(bins: Bins, steps: Sequence[ExecutedStep]) -> list[tuple[int, int]]:
    """Each step's bins [start, end), end of one = start of the next; empty when skipped.

    The exact dynamic programme over every start and end of every step, made fast by a bound:
    a first pass searches only a band around each step's likely place (where the step before
    it most likely ended, plus its planned length), and the cost of the placement it finds
    bounds the optimum. Every cost is non-negative, so a partial placement
    that already costs more than the bound cannot be part of the best one; the exact pass
    drops those and looks at only the few starts and ends that can still win. Its minimum is
    taken in the same order over the same sums as the plain loop's, so the placement is the
    one that loop finds (`tests/test_segment.py` compares the two)."""
    n = len(steps)
    if n == 0:
        return []
    evidence = _Evidence(bins, steps)
    shared: dict[tuple[object, int], _StepKind] = {}  # the reps of a repeat share their costs
    kinds = []
    for k, executed in enumerate(steps):
        mismatch = evidence.prefix(k)
        key = (executed.step.duration, id(mismatch))
        if key not in shared:
            shared[key] = _StepKind(bins, executed, mismatch)
        kinds.append(shared[key])
    banded, _ = _solve(bins, kinds, bound=INF, planned=_planned_bins(bins, steps))
    bound = banded * (1 + BOUND_SLACK) + BOUND_SLACK if banded < INF else INF
    _, spans = _solve(bins, kinds, bound=bound, planned=None)
    return spans


def _planned_bins(bins: Bins, steps: Sequence[ExecutedStep]) -> list[float]:
    """Each step's planned length in bins (the run's timer time shared out in proportion to
    the planned times; open steps share what the others leave)."""
    planned = [planned_time_s(e.step) for e in steps]
    known = sum(p for p in planned if p is not None)
    total_s = bins.width_s * bins.count
    open_count = sum(1 for p in planned if p is None)
    open_s = max(0.0, total_s - known) / open_count if open_count else 0.0
    whole_s = known + open_s * open_count
    scale = total_s / whole_s if whole_s > 0 else 1.0
    return [(open_s if p is None else p) * scale / bins.width_s for p in planned]


def _solve(
    bins: Bins,
    kinds: list[_StepKind],
    *,
    bound: float,
    planned: list[float] | None,
) -> tuple[float, list[tuple[int, int]]]:
    """The least cost of placing the steps, with their spans, dropping partial placements
    costing more than `bound`. With `planned` (each step's length in bins), each step ends only
    within a band around the best end of the step before plus its planned length."""
    n, count = len(kinds), bins.count
    cost = [[INF] * (count + 1) for _ in range(n + 1)]
    back = [list(range(count + 1)) for _ in range(n + 1)]
    cost[0][0] = 0.0
    width = max(BAND_MIN_BINS, math.ceil(BAND_SHARE * count))
    anchor = 0
    for j, kind in enumerate(kinds, start=1):
        previous = cost[j - 1]
        finite = [s for s in range(count + 1) if previous[s] <= bound and previous[s] < INF]
        if not finite:
            return INF, []
        first, last = finite[0], finite[-1]
        if j == n:
            ends: range | list[int] = [count]
        else:
            low, high = first, count
            if planned is not None:
                middle = anchor + round(planned[j - 1])
                low, high = middle - width, middle + width
            ends = range(max(first, low), min(high, kind.last_end(last)) + 1)
        current, pointers = cost[j], back[j]
        for e in ends:
            skip = previous[e] + SKIP_COST if e <= last else INF
            begin, stop = max(kind.first_start(e), first), min(e, last + 1)
            best = INF
            if begin < stop:
                values = list(map(add, previous[begin:stop], kind.span_costs(begin, e)))
                best = min(values)
            if skip < best:
                best, best_s = skip, e
            elif best < INF:
                best_s = begin + values.index(best)
            if best <= bound and best < INF:
                current[e], pointers[e] = best, best_s
        if planned is not None and ends:
            anchor = min(ends, key=current.__getitem__)
    spans = []
    e = count
    for j in range(n, 0, -1):
        s = back[j][e]
        spans.append((s, e))
        e = s
    return cost[n][count], spans[::-1]


class _StepKind:
    """One step's cost of spanning bins [s, e): the evidence against it there (its running sums
    of mismatch) plus how far the span is from its planned length; no span is longer than
    `MAX_LENGTH_FACTOR` times the plan."""

    def __init__(self, bins: Bins, executed: ExecutedStep, mismatch: list[float]) -> None:
        self.edges = bins.distance_m
        self.count = bins.count
        self.duration = executed.step.duration
        self.mismatch = mismatch
        self.by_width: list[float] = []
        self.longest = bins.count
        if isinstance(self.duration, TimeDuration):
            planned_s = self.duration.duration_s
            self.longest = math.ceil(MAX_LENGTH_FACTOR * planned_s / bins.width_s)
            self.by_width = [
                length_cost(width * bins.width_s / planned_s)
                for width in range(min(self.longest, bins.count) + 1)
            ]

    def first_start(self, e: int) -> int:
        """The first start worth trying for a span ending at `e`."""
        duration = self.duration
        if isinstance(duration, TimeDuration):
            return max(0, e - self.longest)
        if isinstance(duration, DistanceDuration):
            edges = self.edges
            return bisect.bisect_left(edges, edges[e] - MAX_LENGTH_FACTOR * duration.distance_m)
        return 0

    def last_end(self, s: int) -> int:
        """The last end worth trying for a span starting at `s`."""
        duration = self.duration
        if isinstance(duration, TimeDuration):
            return min(self.count, s + self.longest)
        if isinstance(duration, DistanceDuration):
            edges = self.edges
            reach = edges[s] + MAX_LENGTH_FACTOR * duration.distance_m + REACH_SLACK_M
            return max(s, min(self.count, bisect.bisect_right(edges, reach)))
        return self.count

    def span_costs(self, begin: int, e: int) -> Iterable[float]:
        """The cost of spans [s, e) for s from `begin` to e - 1, summed as the plain loop sums
        them: (mismatch at e - mismatch at s) + length cost."""
        duration, mismatch = self.duration, self.mismatch
        lengths: Iterable[float]
        if isinstance(duration, TimeDuration):
            lengths = self.by_width[e - begin : 0 : -1]
        elif isinstance(duration, DistanceDuration):
            edges = self.edges
            ratios = map(
                truediv, map(sub, repeat(edges[e]), edges[begin:e]), repeat(duration.distance_m)
            )
            # length_cost of each ratio, in C: a ratio <= 0 becomes one so small that the cost
            # is the cap, as length_cost makes it
            logs = map(math.log, map(max, ratios, repeat(TINY_RATIO)))
            lengths = map(
                min,
                repeat(LENGTH_COST_CAP),
                map(truediv, map(pow, logs, repeat(2)), repeat(SPREAD)),
            )
        else:
            lengths = repeat(0.0)
        return map(add, map(sub, repeat(mismatch[e]), mismatch[begin:e]), lengths)


class _Evidence:
    """For each step, running sums over the bins of the cost of that step being run there."""

    def __init__(self, bins: Bins, steps: Sequence[ExecutedStep]) -> None:
        self.bins = bins
        self.steps = steps
        edges = [
            speed_mps(band.slow_s_per_km)
            for e in steps
            if (band := hard_target(e.step)) is not None
        ]
        self.slowest_edge = min(edges, default=None)
        self.easy_mps = self._easy_speed(edges)
        self._cache: dict[tuple[bool, float], list[float]] = {}

    def _easy_speed(self, edges: list[float]) -> float:
        if not edges:
            return 0.0
        easy = sorted(v for v in self.bins.speed_mps if v < CLEARLY_EASY * min(edges))
        return easy[len(easy) // 2] if easy else CLEARLY_EASY * min(edges)

    def prefix(self, k: int) -> list[float]:
        band = hard_target(self.steps[k].step)
        hard = band is not None
        if band is not None:
            edge = speed_mps(band.slow_s_per_km)
        elif self.slowest_edge is not None:
            edge = self.slowest_edge
        else:
            return [0.0] * (self.bins.count + 1)
        key = (hard, edge)
        if key not in self._cache:
            self._cache[key] = self._sums(hard=hard, edge_mps=edge)
        return self._cache[key]

    def _sums(self, *, hard: bool, edge_mps: float) -> list[float]:
        threshold = min((self.easy_mps + edge_mps) / 2, THRESHOLD_CAP * edge_mps)
        spread = max(edge_mps - threshold, 0.05 * edge_mps)
        per_bin = COST_PER_S * self.bins.width_s
        sums = [0.0]
        for v in self.bins.speed_mps:
            evidence = max(-1.0, min(1.0, (v - threshold) / spread))  # +1 rep, -1 easy
            wrong = (1 - evidence) / 2 if hard else (1 + evidence) / 2
            sums.append(sums[-1] + per_bin * wrong)
        return sums


def length_cost(ratio: float) -> float:
    """How unlikely a step of `ratio` times its planned length is (log-normal, capped)."""
    if ratio <= 0:
        return LENGTH_COST_CAP
    return min(LENGTH_COST_CAP, math.log(ratio) ** 2 / SPREAD)


def mean_speed(track: Track, start: int, end: int) -> float:
    time_s = track.timer_s[end] - track.timer_s[start]
    return (track.distance_m[end] - track.distance_m[start]) / time_s if time_s > 0 else 0.0


def sharpest_change(track: Track, around: int, *, within_s: float, faster: bool) -> int:
    """The sample near `around` (within `within_s` of timer time) where the speed over the next
    few seconds differs most from the speed over the last few, in the expected direction."""
    timer = track.timer_s
    lo = bisect.bisect_left(timer, timer[around] - within_s)
    hi = min(bisect.bisect_right(timer, timer[around] + within_s), track.last)
    sign = 1.0 if faster else -1.0
    best, best_index = -INF, around
    for index in range(max(lo, 1), hi):
        before = bisect.bisect_left(timer, timer[index] - EDGE_WINDOW_S)
        after = min(bisect.bisect_left(timer, timer[index] + EDGE_WINDOW_S), track.last)
        contrast = sign * (mean_speed(track, index, after) - mean_speed(track, before, index))
        if contrast > best:
            best, best_index = contrast, index
    return best_index
