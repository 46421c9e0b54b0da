"""Decoding FIT files: the framing and checksum checks, and the two decoders behind the one
activity reader.

Every file's framing (header, announced length) and checksums are checked first, so a cut or
corrupt file is refused before any decoding; the CRC runs natively (fastcrc, Rust) where it is
installed, else in Python. Then:

- the fast path (`fit_fast`) reads only the messages and fields the analysis needs, as columns;
- the complete path, fitparse (the maintained python-fitparse, pure Python), reads what the
  fast one refuses: speed and distance packed in `compressed_speed_distance`, a malformed
  layout, anything else it does not handle.

Both give the same `FitActivityData`: enums as raw numbers, times as FIT seconds (calendar times
count from 1989-12-31; values below 0x10000000 are seconds since the device started), positions
in degrees, other values scaled to their units. `tests/test_fit_decode.py` compares the two on
every FIT activity there is.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pacefit.errors import FitFileError, Location, warn
from pacefit.formats import ReadOptions

FIT_EPOCH_UNIX_S = 631_065_600  # 1989-12-31T00:00:00Z
SEMICIRCLES_PER_DEGREE = 2**31 / 180

# The FIT profile's `file` type (tests/test_fit_names.py checks it against fit-tool's profile).
FILE_TYPES = {
    1: "device",
    2: "settings",
    3: "sport",
    4: "activity",
    5: "workout",
    6: "course",
    7: "schedule",
    9: "weight",
    10: "totals",
    11: "goals",
    14: "blood pressure",
    15: "monitoring",
    20: "activity summary",
    28: "daily monitoring",
    32: "monitoring",
    34: "segment",
    35: "segment list",
    40: "data field configuration",
}
ACTIVITY_FILE_TYPE = 4


def another_kind(file_type: float | None) -> bool:
    """Whether a file_id's type names a kind of file that is not an activity (a missing or
    unknown type says nothing: a damaged file_id)."""
    return (
        file_type is not None and int(file_type) in FILE_TYPES and file_type != ACTIVITY_FILE_TYPE
    )


# The fields of each message kind the analysis reads; everything else is skipped.
RECORD_FIELDS = (
    "timestamp",
    "distance",
    "speed",
    "enhanced_speed",
    "heart_rate",
    "cadence",
    "position_lat",
    "position_long",
    "altitude",
    "enhanced_altitude",
)
MESSAGE_FIELDS: dict[str, tuple[str, ...]] = {
    "file_id": ("type", "manufacturer", "product", "time_created"),
    "session": (
        "start_time",
        "timestamp",
        "total_elapsed_time",
        "total_timer_time",
        "total_distance",
        "sport",
        "sub_sport",
    ),
    "lap": (
        "start_time",
        "timestamp",
        "total_elapsed_time",
        "total_timer_time",
        "total_distance",
        "lap_trigger",
        "wkt_step_index",
        "intensity",
    ),
    "event": ("timestamp", "event", "event_type"),
    "sport": ("sport", "sub_sport"),
    "activity": ("timestamp", "local_timestamp"),
}
TIME_FIELDS = {"timestamp", "start_time", "time_created", "local_timestamp"}
# The workout_step fields pacefit reads (FIT profile numbers), raw values.
WORKOUT_STEP_FIELDS = {
    254: "message_index",
    0: "wkt_step_name",
    1: "duration_type",
    2: "duration_value",
    3: "target_type",
    4: "target_value",
    5: "custom_target_value_low",
    6: "custom_target_value_high",
    7: "intensity",
    8: "notes",
    19: "secondary_target_type",
    20: "secondary_target_value",
    21: "secondary_custom_target_value_low",
    22: "secondary_custom_target_value_high",
}
POSITION_FIELDS = {"position_lat", "position_long"}

Values = dict[str, float | None]


@dataclass(frozen=True)
class FitActivityData:
    """What pacefit reads from a FIT activity, whichever decoder read it."""

    decoder: str  # "pacefit" (the fast path) or "fitparse"
    why: str  # why that decoder, in a few words
    records: dict[str, list[float | None]]  # RECORD_FIELDS as columns, None where missing
    messages: dict[str, list[Values]]  # MESSAGE_FIELDS by message kind
    workout_name: str = ""
    workout_steps: tuple[dict[str, Any], ...] = field(default=())  # native fields, raw values

    def first(self, kind: str) -> Values:
        found = self.messages.get(kind, [])
        return found[0] if found else {}

    @property
    def file_type(self) -> str:
        """The kind of file its file_id names: "unknown" when damaged or missing."""
        raw = self.first("file_id").get("type")
        return "unknown" if raw is None else FILE_TYPES.get(int(raw), "unknown")


# -- framing and checksums ------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """One FIT file in a byte string (files may be chained)."""

    start: int
    header_size: int
    end: int  # after the file CRC
    header_crc: int | None  # None for a 12-byte header; 0 means "not computed"


def frames(data: bytes, *, source: str) -> list[Frame]:
    """Check every FIT file in `data`: header, announced length. Fast: no checksum here."""
    location = Location(source)
    if not data:
        raise FitFileError("the file is empty", location=location)
    found = []
    offset = 0
    while offset < len(data):
        header = data[offset : offset + 14]
        if len(header) < 12 or header[0] not in (12, 14) or header[8:12] != b".FIT":
            what = "not a FIT file" if offset == 0 else f"a corrupt FIT header at byte {offset}"
            raise FitFileError(what, location=location)
        header_size = header[0]
        end = offset + header_size + int.from_bytes(header[4:8], "little") + 2
        if end > len(data):
            raise FitFileError(
                f"the file is cut short: {len(data) - offset} bytes where its header announces "
                f"{end - offset}",
                location=location,
            )
        header_crc = int.from_bytes(header[12:14], "little") if header_size == 14 else None
        found.append(Frame(offset, header_size, end, header_crc))
        offset = end
    return found


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc_table()


def fit_crc16(data: bytes) -> int:
    """The CRC-16 of the FIT protocol (CRC-16/ARC): natively by fastcrc where installed
    (1.4 ms for a 2.8 MB file), else a byte at a time in Python (170 ms)."""
    try:
        from fastcrc import crc16
    except ImportError:
        return python_crc16(data)
    return int(crc16.arc(data))


def python_crc16(data: bytes) -> int:
    crc = 0
    table = _CRC_TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


def crc_problems(data: bytes, found: list[Frame]) -> bool:
    """True when a header or file checksum is wrong."""
    for frame in found:
        header = data[frame.start : frame.start + 12]
        if frame.header_crc and frame.header_crc != fit_crc16(header):
            return True
        stored = int.from_bytes(data[frame.end - 2 : frame.end], "little")
        if fit_crc16(data[frame.start : frame.end - 2]) != stored:
            return True
    return False


def check_framing(data: bytes, *, ignore_crc: bool, source: str) -> list[Frame]:
    """The framing check plus both checksums, computed here (the complete path)."""
    found = frames(data, source=source)
    if crc_problems(data, found):
        refuse_bad_crc(ignore_crc=ignore_crc, source=source)
    return found


def refuse_bad_crc(*, ignore_crc: bool, source: str) -> None:
    """A bad checksum is an error, or a warning when the user asked to read the file anyway."""
    location = Location(source)
    if not ignore_crc:
        raise FitFileError(
            "the file's checksum is wrong: it is corrupt",
            location=location,
            hint="pass --ignore-crc to read it anyway",
        )
    warn("the checksum is wrong; read anyway", location=location)


# -- choosing a decoder ----------------------------------------------------------------------


def decode_activity(path: Path, *, options: ReadOptions) -> FitActivityData:
    """The file's activity data from the fast path, or from the complete decoder when the
    fast one refuses the file (saying why)."""
    from pacefit.formats import fit_fast

    source = str(path)
    data = _read_bytes(path)
    found = check_framing(data, ignore_crc=options.ignore_crc, source=source)
    try:
        return fit_fast.decode(data, found)
    except fit_fast.Refused as exc:
        return decode_complete(data, source=source, why=str(exc))


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FitFileError(
            f"cannot read the file: {exc.strerror or exc}", location=Location(str(path))
        ) from exc


# -- the complete decoder (fitparse) ---------------------------------------------------------

_STEP_NAMES = frozenset(WORKOUT_STEP_FIELDS.values())


def decode_complete(data: bytes, *, source: str, why: str) -> FitActivityData:
    """Every message the analysis needs, decoded by fitparse (after the checksums were checked)."""
    wanted = frozenset(MESSAGE_FIELDS) | {"record", "workout", "workout_step"}
    columns: dict[str, list[float | None]] = {name: [] for name in RECORD_FIELDS}
    messages: dict[str, list[Values]] = {kind: [] for kind in MESSAGE_FIELDS}
    workout_name = ""
    steps: list[dict[str, Any]] = []
    for message in iter_messages(data, names=wanted, source=source):
        if message.name == "record":
            values = _values(message, RECORD_FIELDS)
            for name in RECORD_FIELDS:
                columns[name].append(values.get(name))
        elif message.name == "workout":
            workout_name = str(native_values(message).get("wkt_name") or "")
        elif message.name == "workout_step":
            fields = native_values(message)
            steps.append({k: v for k, v in fields.items() if k in _STEP_NAMES})
        else:
            messages[message.name].append(_values(message, MESSAGE_FIELDS[message.name]))
            if message.name == "file_id" and another_kind(messages["file_id"][0].get("type")):
                break  # not an activity: refused by the caller, no need to read on
    return FitActivityData(
        decoder="fitparse",
        why=why,
        records=columns,
        messages=messages,
        workout_name=workout_name if steps else "",  # a name alone is no workout
        workout_steps=tuple(steps),
    )


def _values(message: Any, names: tuple[str, ...]) -> Values:
    """Numbers as the fast path gives them: enums raw, times raw, positions in degrees."""
    values: Values = {}
    for data in message.fields:
        name = _base_name(data)
        if name not in names or _is_developer_field(data):
            continue
        raw = data.raw_value
        if raw is None or isinstance(raw, (tuple, list, bytes, str)) or not math.isfinite(raw):
            continue
        if name in POSITION_FIELDS:
            values[name] = raw / SEMICIRCLES_PER_DEGREE
        elif name in TIME_FIELDS or not isinstance(data.value, (int, float)):
            values[name] = float(raw)  # times stay raw; enums are given as raw numbers
        else:
            values[name] = float(data.value)
    return values


def native_values(message: Any) -> dict[str, Any]:
    """A message's native fields by name, raw (unscaled) values; developer fields are left out,
    so that one numbered like a native field can never take its place."""
    return {
        _base_name(data): data.raw_value
        for data in message.fields
        if not _is_developer_field(data) and data.raw_value is not None
    }


def developer_field_names(message: Any) -> list[str]:
    return [data.name for data in message.fields if _is_developer_field(data)]


def _base_name(data: Any) -> str:
    """The profile's name of the field, not of the sub-field fitparse resolved it to
    (`duration_value`, not `duration_distance`; `product`, not `garmin_product`)."""
    from fitparse.records import SubField

    if isinstance(data.field, SubField) and data.parent_field is not None:
        return str(data.parent_field.name)
    return str(data.name)


def _is_developer_field(data: Any) -> bool:
    from fitparse.records import DevField

    return isinstance(data.field, DevField)


# What fitparse's complaints mean for the file, in a runner's words.
DAMAGE_WORDS = (
    ("invalid local message type", "a message there refers to a definition the file does not give"),
    ("dev_data_index", "a developer field there refers to a definition the file does not give"),
)
MISMATCH_WORDS = "a message there does not fit its definition"


def iter_messages(
    data: bytes, *, names: frozenset[str] | None = None, source: str
) -> Iterator[Any]:
    """fitparse's data messages (only those named in `names`, when given), checksums already
    checked by the caller. A decoder failure becomes one `FitFileError` naming the file and the
    byte where the damage is, in words about the file."""
    import fitparse
    from fitparse.utils import FitEOFError, FitHeaderError, FitParseError

    location = Location(source)
    wanted = list(names) if names is not None else None
    start, stream = 0, io.BytesIO()
    try:
        with warnings.catch_warnings():
            # fitparse only warns when a message runs past the end of the data: that is a cut
            warnings.filterwarnings("error", "File was terminated", UserWarning)
            # A field whose size does not fit its type (COROS) is read as bytes, which the
            # analysis skips; the file is fine, so the user is not told about fitparse's fallback.
            warnings.filterwarnings("ignore", "Invalid field size", UserWarning)
            for frame in frames(data, source=source):
                # Each file of a chain on its own, without its CRC: fitparse told not to check
                # the CRC does not read it, and would take the two bytes for another header.
                start, stream = frame.start, io.BytesIO(data[frame.start : frame.end - 2])
                fit = fitparse.UncachedFitFile(
                    stream, check_crc=False, data_processor=_raw_times_processor()
                )
                yield from fit.get_messages(name=wanted)
    except FitHeaderError as exc:
        raise FitFileError(f"the FIT header at byte {start} is damaged", location=location) from exc
    except (UserWarning, FitEOFError) as exc:
        raise FitFileError(
            f"the file ends inside a message at byte {_at(start, stream)}: it is cut short",
            location=location,
        ) from exc
    except (
        FitParseError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
        struct.error,
        OverflowError,
    ) as exc:
        # fitparse raises plain Python errors on some malformed definitions
        words = next((w for key, w in DAMAGE_WORDS if key in str(exc)), MISMATCH_WORDS)
        raise FitFileError(
            f"the file is damaged at byte {_at(start, stream)}: {words}", location=location
        ) from exc


def _at(start: int, stream: io.BytesIO) -> int:
    """Where in the file the decoder had got to."""
    return start + (0 if stream.closed else stream.tell())


def _raw_times_processor() -> Any:
    """fitparse's processing less the date_time conversion: times stay FIT seconds, which is
    what the readers compute with (and it saves a datetime per record)."""
    from fitparse.processors import FitFileDataProcessor

    class RawTimes(FitFileDataProcessor):  # type: ignore[misc]  # untyped library
        def process_type_date_time(self, field_data: Any) -> None:
            pass

        def process_type_local_date_time(self, field_data: Any) -> None:
            pass

    return RawTimes()
