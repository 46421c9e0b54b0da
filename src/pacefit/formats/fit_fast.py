"""The fast path for FIT activities: a reader of only what the analysis needs.

A FIT file repeats a few message layouts. Each definition message is compiled once into a
`struct.Struct` spanning exactly its bytes, with the wanted fields unpacked and every other byte
skipped; each data message is then one `unpack_from` (C). A record's unpacked tuple is kept as
it is, and the records become columns at the end, a field at a time (one comprehension per
column over each run of records sharing a layout). Only the messages the analysis reads are
kept (records, laps, sessions, events, sport, activity, file_id, and an embedded workout), and
of those only the fields below, so a long run costs little time and little memory: no dict per
record, no copy of the file in another form.

What this reader does not handle, it refuses (`Refused`) and the complete decoder (fitparse)
reads the file instead: speed and distance packed in `compressed_speed_distance`, a data message
with no definition before it, a base type outside the FIT profile. A field whose size is not a
multiple of its type (COROS writes a uint32 of one byte) is read as invalid, as Garmin's SDK
reads it. `tests/test_fit_decode.py` compares this reader with fitparse on every FIT activity
there is.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import sub, truediv
from typing import Any

from pacefit.formats.fit_decode import (
    MESSAGE_FIELDS,
    RECORD_FIELDS,
    SEMICIRCLES_PER_DEGREE,
    WORKOUT_STEP_FIELDS,
    FitActivityData,
    Frame,
    Values,
    another_kind,
)


class Refused(Exception):
    """This reader does not handle something in the file; the complete decoder may."""


@dataclass(frozen=True)
class _Field:
    name: str
    scale: float = 1.0
    kind: str = "number"  # number, raw (enums, times, workout values), position, string
    offset: float = 0.0  # the profile's offset, subtracted after scaling (altitude: 500 m)


# Sessions and laps share their totals' field numbers.
_TOTALS = {
    2: _Field("start_time", kind="raw"),
    253: _Field("timestamp", kind="raw"),
    7: _Field("total_elapsed_time", 1000),
    8: _Field("total_timer_time", 1000),
    9: _Field("total_distance", 100),
}
# The FIT profile's numbers for what pacefit reads: global message number -> field number.
_WANTED: dict[int, tuple[str, dict[int, _Field]]] = {
    0: (
        "file_id",
        {
            0: _Field("type", kind="raw"),
            1: _Field("manufacturer", kind="raw"),
            2: _Field("product", kind="raw"),
            4: _Field("time_created", kind="raw"),
        },
    ),
    12: ("sport", {0: _Field("sport", kind="raw"), 1: _Field("sub_sport", kind="raw")}),
    18: (
        "session",
        {**_TOTALS, 5: _Field("sport", kind="raw"), 6: _Field("sub_sport", kind="raw")},
    ),
    19: (
        "lap",
        {
            **_TOTALS,
            24: _Field("lap_trigger", kind="raw"),
            71: _Field("wkt_step_index", kind="raw"),
            23: _Field("intensity", kind="raw"),
        },
    ),
    20: (
        "record",
        {
            253: _Field("timestamp", kind="raw"),
            5: _Field("distance", 100),
            6: _Field("speed", 1000),
            73: _Field("enhanced_speed", 1000),
            3: _Field("heart_rate"),
            4: _Field("cadence"),
            0: _Field("position_lat", kind="position"),
            1: _Field("position_long", kind="position"),
            2: _Field("altitude", 5, offset=500),
            78: _Field("enhanced_altitude", 5, offset=500),
        },
    ),
    21: (
        "event",
        {
            253: _Field("timestamp", kind="raw"),
            0: _Field("event", kind="raw"),
            1: _Field("event_type", kind="raw"),
        },
    ),
    34: (
        "activity",
        {253: _Field("timestamp", kind="raw"), 5: _Field("local_timestamp", kind="raw")},
    ),
    26: ("workout", {8: _Field("wkt_name", kind="string")}),
    27: (
        "workout_step",
        {
            number: _Field(name, kind="string" if name in ("wkt_step_name", "notes") else "raw")
            for number, name in WORKOUT_STEP_FIELDS.items()
        },
    ),
}
_RECORD, _COMPRESSED_SPEED_DISTANCE, _TIMESTAMP = 20, 8, 253
_TEXT, _WHOLE = "s", "bBhHiIqQ"  # struct codes
# FIT base types by their number (the low five bits): struct code, size, invalid value.
_BASE_TYPES: dict[int, tuple[str, int, float | int | None]] = {
    0: ("B", 1, 0xFF),  # enum
    1: ("b", 1, 0x7F),
    2: ("B", 1, 0xFF),
    3: ("h", 2, 0x7FFF),
    4: ("H", 2, 0xFFFF),
    5: ("i", 4, 0x7FFFFFFF),
    6: ("I", 4, 0xFFFFFFFF),
    7: ("s", 1, None),  # string
    8: ("f", 4, None),  # float32: invalid is all bits set, a NaN
    9: ("d", 8, None),
    10: ("B", 1, 0),  # uint8z
    11: ("H", 2, 0),
    12: ("I", 4, 0),
    13: ("B", 1, 0xFF),  # byte
    14: ("q", 8, 0x7FFFFFFFFFFFFFFF),
    15: ("Q", 8, 0xFFFFFFFFFFFFFFFF),
    16: ("Q", 8, 0),
}


@dataclass(frozen=True)
class _Layout:
    """A compiled definition: how to unpack one data message of a local message type."""

    kind: str | None  # the message kind when wanted, else None (skipped whole)
    size: int
    unpack: struct.Struct | None
    picks: tuple[tuple[_Field, int, float | int | None], ...]  # field, position, invalid
    timestamp_at: int | None  # position of field 253, to follow compressed timestamps
    struct_format: str = ""  # of `unpack`, for records read in bulk (`_bulk_struct`)


def decode(data: bytes, frames: list[Frame]) -> FitActivityData:
    reader = _Reader()
    for frame in frames:
        reader.read(data, frame)
        if reader.not_an_activity:
            break
    return reader.result()


class _Reader:
    def __init__(self) -> None:
        self.columns: dict[str, list[float | None]] = {name: [] for name in RECORD_FIELDS}
        # Records are kept as unpacked and turned into columns a field at a time at the end
        # (a list comprehension per column, not a dict per record): the rows, the time each
        # header or timestamp gave, and where each run of rows of one layout starts.
        self.record_rows: list[tuple[Any, ...]] = []
        self.record_times: list[int | None] = []
        self.record_runs: list[tuple[int, _Layout]] = []
        self.messages: dict[str, list[Values]] = {kind: [] for kind in MESSAGE_FIELDS}
        self.workout_name = ""
        self.steps: list[dict[str, Any]] = []
        self.not_an_activity = False

    def result(self) -> FitActivityData:
        self._fill_record_columns()
        return FitActivityData(
            decoder="pacefit",
            why="the fast path reads it",
            records=self.columns,
            messages=self.messages,
            workout_name=self.workout_name if self.steps else "",
            workout_steps=tuple(self.steps),
        )

    def read(self, data: bytes, frame: Frame) -> None:
        # The loop runs once per message (tens of thousands in a long run): what it uses is
        # held in locals, and a record costs one unpack and two appends.
        layouts: dict[int, _Layout] = {}
        find_layout = layouts.get
        keep_row, keep_time = self.record_rows.append, self.record_times.append
        runs = self.record_runs
        last_record_layout = runs[-1][1] if runs else None
        position, end = frame.start + frame.header_size, frame.end - 2
        last_timestamp = 0
        while position < end:
            header = data[position]
            position += 1
            if header & 0x80:  # compressed timestamp header: a 5-bit offset from the last time
                local = (header >> 5) & 0x03
                offset = header & 0x1F
                timestamp = (last_timestamp & ~0x1F) + offset
                if offset < (last_timestamp & 0x1F):
                    timestamp += 0x20
                last_timestamp = timestamp
            elif header & 0x40:
                position = _define(data, position, end, header, layouts)
                continue
            else:
                local = header & 0x0F
                timestamp = None
            layout = find_layout(local)
            if layout is None:
                raise Refused(f"a data message of local type {local} comes before its definition")
            if position + layout.size > end:
                raise Refused("a message runs past the end of the file")
            values: tuple[Any, ...] = ()
            if layout.unpack is not None:
                values = layout.unpack.unpack_from(data, position)
                if layout.timestamp_at is not None:
                    stamp = values[layout.timestamp_at]
                    if stamp != 0xFFFFFFFF:
                        last_timestamp = timestamp = stamp
            if layout.kind == "record":  # a record may hold nothing but its header's time
                if layout is not last_record_layout:
                    runs.append((len(self.record_rows), layout))
                    last_record_layout = layout
                keep_row(values)
                keep_time(timestamp)
                if timestamp is not None and layout.struct_format and not header & 0x80:
                    position, last_timestamp = self._read_record_run(
                        data, position + layout.size, end, header, layouts, last_timestamp
                    )
                    continue
            elif layout.kind is not None:
                self._keep(layout, values, timestamp)
                if self.not_an_activity:
                    return  # refused by the caller; no need to read on
            position += layout.size

    def _read_record_run(
        self,
        data: bytes,
        position: int,
        end: int,
        header: int,
        layouts: dict[int, _Layout],
        last_time: int,
    ) -> tuple[int, int]:
        """The records that follow at `position` in the same rhythm, unpacked in one call: each
        behind the same header byte, right after the last or after one message of a kind
        pacefit skips (a watch writes a record and its GPS metadata every second). Found by
        their header bytes alone; returns where the next message starts and the last time."""
        layout = layouts[header & 0x0F]
        between = data[position] if position < end else header
        skipped = 0  # the bytes of the message between two records, its header included
        if between != header:
            other = None if between & 0xC0 else layouts.get(between & 0x0F)
            if other is None or other.kind is not None:
                return position, last_time
            skipped = other.size + 1
        stride = skipped + 1 + layout.size
        cycles = _same_bytes(data, position + skipped, stride, (end - position) // stride, header)
        if skipped:
            cycles = _same_bytes(data, position, stride, cycles, between)
        if not cycles:
            return position, last_time
        after = position + cycles * stride
        rows = list(_bulk_struct(layout.struct_format, skipped).iter_unpack(data[position:after]))
        at = layout.timestamp_at
        assert at is not None
        times = [None if (t := row[at]) == 0xFFFFFFFF else t for row in rows]
        self.record_rows.extend(rows)
        self.record_times.extend(times)
        companion = layouts[between & 0x0F] if skipped else None
        return after, _last_time(data, position, stride, times, companion, last_time)

    def _fill_record_columns(self) -> None:
        rows = self.record_rows
        bounds = [start for start, _ in self.record_runs] + [len(rows)]
        for (start, layout), end in zip(self.record_runs, bounds[1:], strict=True):
            run = rows[start:end]
            fields = list(zip(*run, strict=True))  # the run's unpacked values, field by field
            picked = {
                field.name: (field, invalid, fields[index])
                for field, index, invalid in layout.picks
            }
            for name in RECORD_FIELDS:
                if name == "timestamp":
                    column = _record_times(self.record_times[start:end], picked.get(name))
                elif name in picked:
                    column = _record_column(*picked[name])
                else:
                    column = [None] * len(run)
                self.columns[name].extend(column)
        self.record_rows, self.record_times, self.record_runs = [], [], []

    def _keep(self, layout: _Layout, values: tuple[Any, ...], timestamp: int | None) -> None:
        picked: dict[str, Any] = {}
        for field, index, invalid in layout.picks:
            value = values[index]
            if field.kind == "string":
                text = value.split(b"\0", 1)[0].decode("utf-8", errors="replace")
                if text:
                    picked[field.name] = text
            elif value != invalid and value == value:  # not invalid, not NaN
                if field.kind == "position":
                    picked[field.name] = value / SEMICIRCLES_PER_DEGREE
                elif field.kind == "raw":
                    picked[field.name] = value
                else:
                    scaled = value / field.scale if field.scale != 1 else value
                    picked[field.name] = scaled - field.offset if field.offset else scaled
        if timestamp is not None:
            picked["timestamp"] = timestamp
        kind = layout.kind
        if kind == "workout":
            self.workout_name = str(picked.get("wkt_name", ""))
        elif kind == "workout_step":
            self.steps.append(picked)
        elif kind is not None:
            if kind == "file_id" and another_kind(picked.get("type")):
                self.not_an_activity = True
            self.messages[kind].append(
                {name: float(value) for name, value in picked.items() if not isinstance(value, str)}
            )


def _last_time(
    data: bytes,
    position: int,
    stride: int,
    times: list[int | None],
    companion: _Layout | None,
    before: int,
) -> int:
    """The last valid time of a bulk read, as the message loop would leave it: the last
    record's, or, where a record has none, the time of the skipped message before it."""
    for k in range(len(times) - 1, -1, -1):
        if times[k] is not None:
            return times[k]  # type: ignore[return-value]
        if companion is not None and companion.unpack is not None:
            at = companion.timestamp_at
            if at is not None:
                stamp = companion.unpack.unpack_from(data, position + k * stride + 1)[at]
                if stamp != 0xFFFFFFFF:
                    return int(stamp)
    return before


def _same_bytes(data: bytes, start: int, stride: int, count: int, byte: int) -> int:
    """How many of the `count` bytes every `stride` from `start` are `byte`, before one is not:
    sliced and stripped in C (no Python step per record), in windows that double, so that a
    short run does not copy the rest of the file."""
    found, window, wanted = 0, 64, bytes((byte,))
    while found < count:
        size = min(window, count - found)
        first = start + found * stride
        ticks = data[first : first + size * stride : stride]
        same = size - len(ticks.lstrip(wanted))
        found += same
        if same < size:
            break
        window *= 2
    return found


@functools.lru_cache(maxsize=64)
def _bulk_struct(struct_format: str, skipped: int) -> struct.Struct:
    """A record's fields unpacked behind `skipped` bytes and its own header byte."""
    endian, codes = struct_format[0], struct_format[1:]
    return struct.Struct(f"{endian}{skipped + 1}x{codes}")


def _record_column(
    field: _Field, invalid: float | int | None, values: Sequence[int]
) -> list[float | None]:
    """One field of a run of records as floats, None where invalid (as `_keep` reads it; every
    record field is a whole number, so none is NaN)."""
    if field.kind == "position":
        scale, offset = SEMICIRCLES_PER_DEGREE, 0.0
    elif field.kind == "raw":
        scale, offset = 1.0, 0.0
    else:
        scale, offset = field.scale, field.offset
    if invalid in values:  # some readings missing: value by value
        return [None if value == invalid else value / scale - offset for value in values]
    # none missing (the usual case): whole-column operations, in C
    column: list[float | None] = list(map(truediv, values, repeat(scale)))
    return list(map(sub, column, repeat(offset))) if offset else column


def _record_times(
    times: list[int | None], pick: tuple[_Field, float | int | None, Sequence[int]] | None
) -> list[float | None]:
    """The records' times: a compressed header's or field 253's, else a timestamp field the
    header could not follow (not the profile's uint32)."""
    fallback = _record_column(*pick) if pick is not None else [None] * len(times)
    return [
        float(time) if time is not None else other
        for time, other in zip(times, fallback, strict=True)
    ]


def _define(data: bytes, position: int, end: int, header: int, layouts: dict[int, _Layout]) -> int:
    """Compile the definition message at `position`; returns where the next message starts."""
    _within(position + 5, end)
    endian = ">" if data[position + 1] else "<"
    global_number = int.from_bytes(
        data[position + 2 : position + 4], "big" if endian == ">" else "little"
    )
    count = data[position + 4]
    position += 5
    _within(position + 3 * count, end)
    wanted = _WANTED.get(global_number)
    fields = wanted[1] if wanted else {}
    if (
        wanted
        and global_number == _RECORD
        and any(data[position + 3 * k] == _COMPRESSED_SPEED_DISTANCE for k in range(count))
    ):
        raise Refused("its records pack speed and distance in compressed_speed_distance")
    codes: list[str] = []
    picks: list[tuple[_Field, int, float | int | None]] = []
    timestamp_at: int | None = None
    unpacked = size = 0
    for _ in range(count):
        number, field_size, base = data[position], data[position + 1], data[position + 2]
        position += 3
        code, base_size, invalid = _base_type(base)
        field = fields.get(number)
        if field is not None and code not in (_TEXT if field.kind == "string" else _WHOLE):
            # every field pacefit reads is text or a whole number in the profile: a float or
            # text where a number belongs is a damaged definition, read as invalid
            field = None
        readable = field_size == base_size or (code == "s" and field_size > 0)
        timestamp = number == _TIMESTAMP and code == "I"  # the profile's uint32
        if readable and (field is not None or timestamp):
            codes.append(f"{field_size}s" if code == "s" else code)
            if field is not None:
                picks.append((field, unpacked, invalid))
            if timestamp:  # read in every message, to follow compressed timestamps
                timestamp_at = unpacked
            unpacked += 1
        else:
            # unwanted, an array, or a size that is not a multiple of its type: skipped
            codes.append(f"{field_size}x")
        size += field_size
    if header & 0x20:  # developer fields: skipped by their size
        _within(position + 1, end)
        developer_count = data[position]
        position += 1
        _within(position + 3 * developer_count, end)
        for _ in range(developer_count):
            codes.append(f"{data[position + 1]}x")
            size += data[position + 1]
            position += 3
    _within(position, end)
    unpack = struct.Struct(endian + "".join(codes)) if unpacked else None
    layouts[header & 0x0F] = _Layout(
        kind=wanted[0] if wanted else None,
        size=size,
        unpack=unpack,
        picks=tuple(picks),
        timestamp_at=timestamp_at,
        struct_format=endian + "".join(codes) if unpacked else "",
    )
    return position


def _within(position: int, end: int) -> None:
    if position > end:
        raise Refused("a definition runs past the end of the file")


def _base_type(base: int) -> tuple[str, int, float | int | None]:
    try:
        return _BASE_TYPES[base & 0x1F]
    except KeyError:
        raise Refused(f"base type {base} is not in the FIT profile") from None
