"""Mutants of real FIT, GPX and TCX files (tests/mutants.py), seeded: pacefit reads each with
figures a runner can have run, or refuses it in one line about the file; never an internal
error, never a number JSON cannot hold. `python bench/fuzz.py` runs thousands more."""

from __future__ import annotations

from pathlib import Path

import pytest

from pacefit.formats.athlete_yaml import load_athlete

from .helpers import ATHLETE_FILE, SHARED_FIXTURES, WORKOUTS
from .mutants import real_bases, run

PER_FILE = 80
SEED = 20261202


def test_mutants_of_real_runs_are_read_within_the_limits_or_refused_in_one_line(
    tmp_path: Path,
) -> None:
    bases = real_bases(SHARED_FIXTURES, WORKOUTS)
    if not bases:
        pytest.skip("the real fixtures are not available")
    counts, broken = run(
        bases, per_base=PER_FILE, seed=SEED, folder=tmp_path, athlete=load_athlete(ATHLETE_FILE)
    )
    assert not broken, "\n".join(broken)
    # not a vacuous run: each format had mutants read and mutants refused
    for kind in ("fit", "tcx", "gpx"):
        assert counts[f"{kind} read"] > 0 and counts[f"{kind} refused"] > 0, counts
