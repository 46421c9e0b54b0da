"""The two FIT decoders against each other on every FIT activity there is: pacefit's fast path
and the complete decoder (fitparse) give the same samples, laps, sessions, events and embedded
workout; where the fast path is not used, the test says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from pacefit.errors import FitFileError, PacefitWarning
from pacefit.formats import ReadOptions
from pacefit.formats.fit_decode import (
    FitActivityData,
    decode_activity,
    decode_complete,
    fit_crc16,
    python_crc16,
)

from .helpers import shared_files, shared_fixture

ACTIVITIES = shared_files("fit/activities", "*.fit") + [
    p for p in shared_files("real", "*.fit") if "workout" not in p.name
]
# Rounding: fitparse expands `speed` into `enhanced_speed` with its own rounding (1 mm/s), and
# `altitude` into `enhanced_altitude` (0.2 m steps).
TOLERANCE = {"speed": 0.0015, "altitude": 0.21}
# Fields with a 32-bit `enhanced_` twin: compared as the reader uses them, the twin first.
TWINS = {"speed": "enhanced_speed", "altitude": "enhanced_altitude"}
# Why the complete decoder reads these files instead of the fast one.
COMPLETE_PATH_FILES = {
    "compressed-speed-distance.fit": "compressed_speed_distance",
    "null_compressed_speed_dist.fit": "compressed_speed_distance",  # defined, every value null
}


def same(a: float | None, b: float | None, name: str) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= TOLERANCE.get(name, 1e-6 * max(1.0, abs(a)))


def preferred(data: FitActivityData, name: str) -> list[float | None]:
    """The value the reader uses: the enhanced field, else the plain one (fitparse fills the
    enhanced field from the plain one by the profile's component rule; the fast path reads
    what the file wrote)."""
    enhanced = data.records.get(TWINS[name]) or []
    plain = data.records.get(name) or []
    count = max(len(enhanced), len(plain))
    return [
        (enhanced[i] if i < len(enhanced) else None)
        if (i < len(enhanced) and enhanced[i] is not None)
        else (plain[i] if i < len(plain) else None)
        for i in range(count)
    ]


def differences(fast: FitActivityData, full: FitActivityData) -> list[str]:
    found = []
    columns = {
        name: (fast.records.get(name, []), full.records.get(name, [])) for name in fast.records
    }
    for name, twin in TWINS.items():
        columns.pop(twin, None)
        columns[name] = (preferred(fast, name), preferred(full, name))
    for name, (mine, theirs) in sorted(columns.items()):
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
    data = path.read_bytes()
    chosen = decode_activity(path, options=ReadOptions())
    if path.name in COMPLETE_PATH_FILES:
        assert chosen.decoder == "fitparse"
        assert COMPLETE_PATH_FILES[path.name] in chosen.why
        return
    assert chosen.decoder == "pacefit", chosen.why
    full = decode_complete(data, source=str(path), why="the test")
    assert chosen.file_type == full.file_type
    assert differences(chosen, full) == []
    assert chosen.workout_name == full.workout_name
    assert chosen.workout_steps == full.workout_steps


def test_every_fit_activity_is_listed_or_read_fast() -> None:
    """A new fixture read by the complete path must be explained above."""
    slow = {
        p.name for p in ACTIVITIES if decode_activity(p, options=ReadOptions()).decoder != "pacefit"
    }
    assert slow == set(COMPLETE_PATH_FILES) & {p.name for p in ACTIVITIES}


def test_a_wrong_checksum_is_refused_fast_or_read_with_a_warning(tmp_path: Path) -> None:
    source = shared_fixture("fit/activities/garmin-fenix-5-run.fit")
    data = bytearray(source.read_bytes())
    data[-1] ^= 0x01  # the stored checksum, so that the data itself still decodes
    path = tmp_path / "damaged.fit"
    path.write_bytes(bytes(data))
    with pytest.raises(FitFileError) as caught:
        decode_activity(path, options=ReadOptions())
    assert str(caught.value).startswith(f"{path}: the file's checksum is wrong: it is corrupt")
    with pytest.warns(PacefitWarning, match="the checksum is wrong; read anyway"):
        read = decode_activity(path, options=ReadOptions(ignore_crc=True))
    assert read.decoder == "pacefit" and read.records["timestamp"]


def test_the_python_crc_and_the_native_one_agree() -> None:
    for path in ACTIVITIES[:5]:
        data = path.read_bytes()
        assert fit_crc16(data) == python_crc16(data)
