"""The long fuzz run: thousands of mutants of real FIT, GPX and TCX files (tests/mutants.py),
each judged as `tests/test_fuzz.py` judges its few hundred. Not part of the test suite.

    python bench/fuzz.py                 # 700 mutants of each real file, seed 1
    python bench/fuzz.py 2000 --seed 7   # more, or others

Prints how many mutants of each format were read and refused, and every one that broke
pacefit's word (an internal error, a refusal in decoder words, a figure beyond the limits);
the exit code is 1 when any did.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("per_file", nargs="?", type=int, default=700)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    from pacefit.formats.athlete_yaml import load_athlete
    from tests.mutants import real_bases, run

    bases = real_bases(ROOT.parent / "shared" / "fixtures", ROOT / "workouts")
    if not bases:
        print("the real fixtures (../shared/fixtures) are not available", file=sys.stderr)
        return 2
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        counts, broken = run(
            bases,
            per_base=args.per_file,
            seed=args.seed,
            folder=Path(folder),
            athlete=load_athlete(ROOT / "workouts" / "athlete.example.yaml"),
        )
    seconds = time.perf_counter() - start
    total = sum(counts.values())
    print(f"{total} mutants of {len(bases)} real files, seed {args.seed}, {seconds:.0f} s")
    for kind in sorted({key.split()[0] for key in counts}):
        outcomes = ", ".join(
            f"{counts[f'{kind} {outcome}']} {outcome}" for outcome in ("read", "refused", "broken")
        )
        print(f"  {kind}: {outcomes}")
    for failure in broken:
        print(f"BROKEN {failure}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
