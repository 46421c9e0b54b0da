"""The pace-trace placement as it was before it was made fast (pacefit 0.2.0, a plain loop over
every start of every end of every step): the reference `test_segment.py` holds the fast one to."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

from pacefit.core.segment import (
    INF,
    MAX_LENGTH_FACTOR,
    SKIP_COST,
    Bins,
    _Evidence,
    length_cost,
)
from pacefit.core.workout import DistanceDuration, ExecutedStep, TimeDuration


def place_steps(bins: Bins, steps: Sequence[ExecutedStep]) -> list[tuple[int, int]]:
    """Each step's bins [start, end), end of one = start of the next; empty when skipped."""
    n, count = len(steps), bins.count
    if n == 0:
        return []
    evidence = _Evidence(bins, steps)
    cost = [[INF] * (count + 1) for _ in range(n + 1)]
    back = [[0] * (count + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for j, executed in enumerate(steps, start=1):
        previous = cost[j - 1]
        first = next((s for s in range(count + 1) if previous[s] < INF), None)
        if first is None:
            break
        mismatch = evidence.prefix(j - 1)
        ends = [count] if j == n else range(first, count + 1)
        for e in ends:
            best, best_s = INF, e
            for s in _starts(bins, executed, e, first):
                if previous[s] == INF:
                    continue
                here = previous[s] + (
                    SKIP_COST
                    if s == e
                    else mismatch[e] - mismatch[s] + _length_cost(bins, executed, s, e)
                )
                if here < best:
                    best, best_s = here, s
            cost[j][e] = best
            back[j][e] = best_s
    spans = []
    e = count
    for j in range(n, 0, -1):
        s = back[j][e]
        spans.append((s, e))
        e = s
    return spans[::-1]


def _starts(bins: Bins, executed: ExecutedStep, end: int, first: int) -> range:
    """The starts worth trying for a step ending at bin `end` (it is never placed more than
    `MAX_LENGTH_FACTOR` times its plan)."""
    duration = executed.step.duration
    if isinstance(duration, TimeDuration):
        longest = math.ceil(MAX_LENGTH_FACTOR * duration.duration_s / bins.width_s)
        return range(max(first, end - longest), end + 1)
    if isinstance(duration, DistanceDuration):
        floor_m = bins.distance_m[end] - MAX_LENGTH_FACTOR * duration.distance_m
        return range(max(first, bisect.bisect_left(bins.distance_m, floor_m)), end + 1)
    return range(first, end + 1)


def _length_cost(bins: Bins, executed: ExecutedStep, s: int, e: int) -> float:
    duration = executed.step.duration
    if isinstance(duration, TimeDuration):
        return length_cost((e - s) * bins.width_s / duration.duration_s)
    if isinstance(duration, DistanceDuration):
        return length_cost((bins.distance_m[e] - bins.distance_m[s]) / duration.distance_m)
    return 0.0
