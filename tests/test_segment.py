"""The pace-trace placement: the fast dynamic programme against the plain loop it replaced, on
simulated runs of every library workout with the deviations runners make."""

from __future__ import annotations

from typing import Any

import pytest

from pacefit.core.segment import make_bins, place_steps
from pacefit.core.workout import unroll
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.workout_yaml import load_workout
from pacefit.simulate import LapMode, Script, StepRun, as_activity, simulate

from .helpers import ATHLETE_FILE, WORKOUTS
from .segment_reference import place_steps as reference_place_steps

ATHLETE = load_athlete(ATHLETE_FILE)
WORKOUT_FILES = sorted(p.relative_to(WORKOUTS) for p in WORKOUTS.glob("*/*.yaml"))
# What runners do: nothing special, a rep skipped and one cut short, a surge in the warm-up,
# a slow rep and a pause, every step fast.
DEVIATIONS: dict[str, dict[str, Any]] = {
    "as planned": {},
    "skipped and short": {"steps": {2: StepRun(skipped=True), 4: StepRun(completed_fraction=0.6)}},
    "surge": {"steps": {1: StepRun(surge_at_s=120, surge_s=60)}},
    "slow and paused": {"steps": {3: StepRun(pace_s_per_km=330)}, "pause_at_s": 900, "pause_s": 60},
}


@pytest.mark.parametrize("deviation", DEVIATIONS)
@pytest.mark.parametrize("relative", WORKOUT_FILES, ids=str)
def test_the_placement_is_the_one_the_plain_loop_finds(relative: str, deviation: str) -> None:
    workout = load_workout(WORKOUTS / relative, athlete=ATHLETE)
    script = Script(
        workout=workout,
        laps=LapMode.NONE,
        embed_workout=False,
        seed=len(str(relative)) + len(deviation),
        **DEVIATIONS[deviation],
    )
    bins = make_bins(as_activity(simulate(script)).track)
    executed = unroll(workout)
    fast, plain = place_steps(bins, executed), reference_place_steps(bins, executed)
    assert len(fast) == len(plain) == len(executed)
    for (fast_start, fast_end), (plain_start, plain_end) in zip(fast, plain, strict=True):
        assert abs(fast_start - plain_start) <= 1 and abs(fast_end - plain_end) <= 1
    # the minimum is taken in the same order over the same sums, so in fact they are equal
    assert fast == plain
