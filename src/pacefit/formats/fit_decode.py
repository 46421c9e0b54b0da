"""Reading FIT files with fitparse, turning every decoder failure into one clear `FitFileError`."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fitparse
from fitparse.processors import FitFileDataProcessor
from fitparse.utils import FitEOFError, FitHeaderError, FitParseError

from pacefit.errors import FitFileError, Location, warn
from pacefit.formats import ReadOptions

FILE_TYPES = {
    1: "device",
    2: "settings",
    3: "sport",
    4: "activity",
    5: "workout",
    6: "course",
    9: "weight",
    10: "totals",
    11: "goals",
    15: "monitoring",
    20: "activity summary",
    28: "segment",
    32: "monitoring",
    34: "segment list",
}


class _Forgetful(list[Any]):
    """A list that drops what is appended (see `iter_messages`)."""

    def append(self, item: Any) -> None:
        pass


class _RawTimesProcessor(FitFileDataProcessor):  # type: ignore[misc]  # untyped library
    """fitparse's processing less the date_time conversion: times stay FIT seconds, which is
    what the readers compute with (and it saves a datetime per record)."""

    def process_type_date_time(self, field_data: Any) -> None:
        pass


def iter_messages(
    path: Path, *, names: frozenset[str] | None = None, options: ReadOptions
) -> Iterator[fitparse.DataMessage]:
    """The file's data messages (only those named in `names`, when given).

    The file's framing and checksums are checked first, so a cut or corrupt file is refused
    before any decoding; decoding then stops at the first problem. Errors name the file.
    """
    location = Location(str(path))
    try:
        check_framing(path.read_bytes(), ignore_crc=options.ignore_crc, source=str(path))
        fit = _open(path)
        yield from fit.get_messages(name=list(names) if names is not None else None)
    except FitHeaderError as exc:
        raise FitFileError(f"not a FIT file ({exc})", location=location) from exc
    except FitEOFError as exc:
        raise FitFileError(f"the file ends too early ({exc})", location=location) from exc
    except FitParseError as exc:
        raise FitFileError(f"cannot decode the file: {exc}", location=location) from exc
    except OSError as exc:
        raise FitFileError(
            f"cannot read the file: {exc.strerror or exc}", location=location
        ) from exc
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, struct.error) as exc:
        # fitparse raises plain Python errors on some malformed definitions.
        raise FitFileError(
            f"the file is malformed ({type(exc).__name__}: {exc})", location=location
        ) from exc


def _open(path: Path) -> fitparse.FitFile:
    # Checksums were checked by check_framing, faster than fitparse does it.
    fit = fitparse.FitFile(str(path), check_crc=False, data_processor=_RawTimesProcessor())
    # fitparse keeps every message it has parsed; a long run would then hold hundreds of
    # megabytes. Messages are used once here, so they are not kept.
    fit._messages = _Forgetful()
    return fit


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
    """The CRC-16 of the FIT protocol (CRC-16/ARC), a byte at a time."""
    crc = 0
    table = _CRC_TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


def check_framing(data: bytes, *, ignore_crc: bool, source: str) -> None:
    """Check every FIT file in `data` (they may be chained): header, announced length, and the
    header and file checksums. A bad checksum is an error, or a warning with `ignore_crc`."""
    location = Location(source)
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
        header_crc = int.from_bytes(header[12:14], "little") if header_size == 14 else 0
        bad_header = header_crc != 0 and header_crc != fit_crc16(header[:12])
        bad_file = fit_crc16(data[offset : end - 2]) != int.from_bytes(
            data[end - 2 : end], "little"
        )
        if bad_header or bad_file:
            if not ignore_crc:
                raise FitFileError(
                    "the file's checksum is wrong: it is corrupt",
                    location=location,
                    hint="pass --ignore-crc to read it anyway",
                )
            warn("the checksum is wrong; read anyway", location=location)
        offset = end


def raw_fields(message: fitparse.DataMessage) -> dict[int, Any]:
    """A message's raw (unscaled) values by field number, the form the FIT profile specifies."""
    return {
        field.def_num: field.raw_value
        for field in message.fields
        if field.field_def is not None and field.raw_value is not None
    }


def file_type_name(file_id: fitparse.DataMessage) -> str:
    """The type of a file_id message as a word ('workout', 'activity', ...)."""
    raw = raw_fields(file_id).get(0)
    if not isinstance(raw, int):
        return "unknown"
    return FILE_TYPES.get(raw, f"type {raw}")
