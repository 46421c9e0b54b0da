"""The two FIT decoders against each other on every FIT activity there is: the fast path
(fitfast) and the complete one (fitparse) give the same samples, laps, sessions and events;
where the fast path is not used, the test says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from pacefit.errors import FitFileError, PacefitWarning
from pacefit.formats import ReadOptions, fit_fast
from pacefit.formats.fit_decode import FitActivityData, decode_activity, decode_complete

from .helpers import shared_files

ACTIVITIES = shared_files("fit/activities", "*.fit") + [
    p for p in shared_files("real", "*.fit") if "workout" not in p.name
]
# Rounding: the decoders expand `speed` into `enhanced_speed` with different rounding (1 mm/s).
TOLERANCE = {"enhanced_speed": 0.0015, "speed": 0.0015}
# Why the complete decoder reads these files instead of the fast one.
COMPLETE_PATH_FILES = {
    "compressed-speed-distance.fit": "compressed_speed_distance",
    "2013-02-06-12-11-14.fit": "header CRC is 0",
    "2015-10-13-08-43-15.fit": "header CRC is 0",
    "Edge810-Vector-2013-08-16-15-35-10.fit": "header CRC is 0",
    "sample-activity-indoor-trainer.fit": "header CRC is 0",
    "connectstats-activity_234721416.fit": "header CRC is 0",
    "connectstats-activity_234979239.fit": "header CRC is 0",
}


def same(a: float | None, b: float | None, name: str) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= TOLERANCE.get(name, 1e-6 * max(1.0, abs(a)))


def differences(fast: FitActivityData, full: FitActivityData) -> list[str]:
    found = []
    for name in sorted(set(fast.records) | set(full.records)):
        mine, theirs = fast.records.get(name, []), full.records.get(name, [])
        if not any(v is not None for v in mine) and not any(v is not None for v in theirs):
            continue
        if len(mine) != len(theirs):
            found.append(f"record {name}: {len(mine)} values against {len(theirs)}")
            continue
        pairs = enumerate(zip(mine, theirs, strict=True))
        wrong = [i for i, (a, b) in pairs if not same(a, b, name)]
        if wrong:
            found.append(f"record {name}: {len(wrong)} differ, first at {wrong[0]}")
    for kind in sorted(set(fast.messages) | set(full.messages)):
        mine_messages = fast.messages.get(kind, [])
        their_messages = full.messages.get(kind, [])
        if len(mine_messages) != len(their_messages):
            found.append(f"{kind}: {len(mine_messages)} messages against {len(their_messages)}")
            continue
        for index, (a, b) in enumerate(zip(mine_messages, their_messages, strict=True)):
            for field in sorted(set(a) | set(b)):
                if not same(a.get(field), b.get(field), field):
                    found.append(f"{kind} {index} {field}: {a.get(field)} against {b.get(field)}")
    return found


@pytest.mark.parametrize("path", ACTIVITIES, ids=lambda p: p.name)
def test_the_fast_and_the_complete_decoder_agree(path: Path) -> None:
    if not fit_fast.available():
        pytest.skip("fitfast has no wheel for this platform: only the complete path runs")
    data = path.read_bytes()
    full = decode_complete(data, source=str(path), why="the test")
    chosen = decode_activity(path, options=ReadOptions())
    if path.name in COMPLETE_PATH_FILES:
        assert chosen.decoder == "fitparse"
        assert COMPLETE_PATH_FILES[path.name] in chosen.why
        return
    assert chosen.decoder == "fitfast", chosen.why
    assert chosen.file_type == full.file_type
    assert differences(chosen, full) == []
    assert chosen.workout_name == full.workout_name
    assert chosen.workout_steps == full.workout_steps


def test_every_fit_activity_is_listed_or_read_fast() -> None:
    """A new fixture read by the complete path must be explained above."""
    if not fit_fast.available():
        pytest.skip("fitfast has no wheel for this platform")
    slow = {
        p.name for p in ACTIVITIES if decode_activity(p, options=ReadOptions()).decoder != "fitfast"
    }
    assert slow == set(COMPLETE_PATH_FILES) & {p.name for p in ACTIVITIES}


def test_a_wrong_checksum_is_refused_fast_or_read_with_a_warning(tmp_path: Path) -> None:
    source = next(p for p in ACTIVITIES if p.name == "garmin-fenix-5-run.fit")
    data = bytearray(source.read_bytes())
    data[-1] ^= 0x01  # the stored checksum, so that the data itself still decodes
    path = tmp_path / "damaged.fit"
    path.write_bytes(bytes(data))
    with pytest.raises(FitFileError) as caught:
        decode_activity(path, options=ReadOptions())
    assert str(caught.value).startswith(f"{path}: the file's checksum is wrong: it is corrupt")
    with pytest.warns(PacefitWarning, match="the checksum is wrong; read anyway"):
        read = decode_activity(path, options=ReadOptions(ignore_crc=True))
    assert read.decoder == "fitparse" and read.records["timestamp"]


def test_a_panic_in_the_fast_decoder_falls_back(tmp_path: Path) -> None:
    """Bits flipped behind valid checksums can make the Rust decoder panic; the complete one
    then reads the file or refuses it in one line."""
    from .test_hostile import reframed

    fenix = next(p for p in ACTIVITIES if p.name == "activity-large-fenxi2-multisport.fit")
    data = bytearray(fenix.read_bytes()[:8000])
    data[3958] ^= 1 << 6  # found by the seeded flips in test_hostile.py: fitfast 0.1.0 panics
    path = tmp_path / "flipped.fit"
    path.write_bytes(reframed(bytes(data)))
    try:
        decoded = decode_activity(path, options=ReadOptions())
    except FitFileError as error:
        assert str(error).startswith(f"{path}: ")
    else:
        assert decoded.decoder in ("fitfast", "fitparse")
