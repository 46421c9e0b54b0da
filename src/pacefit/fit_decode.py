"""Reading FIT files with fitparse, turning every decoder failure into one clear `FitFileError`."""

from __future__ import annotations

import struct
import warnings
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import fitparse
from fitparse.processors import FitFileDataProcessor
from fitparse.utils import FitCRCError, FitEOFError, FitHeaderError, FitParseError

from pacefit.errors import FitFileError, Location

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


class CrcPolicy(Enum):
    """What to do with a file whose checksum is wrong."""

    REFUSE = "refuse"
    WARN = "warn"


class FitCrcWarning(UserWarning):
    """A file with a bad checksum was read anyway because the user asked for it."""


def iter_messages(
    path: Path, *, names: frozenset[str] | None = None, crc: CrcPolicy = CrcPolicy.REFUSE
) -> Iterator[fitparse.DataMessage]:
    """The file's data messages (only those named in `names`, when given).

    Decoding stops at the first problem; the error names the file and what is wrong.
    """
    location = Location(str(path))
    try:
        fit = _open(path, check_crc=crc is CrcPolicy.REFUSE)
        yield from fit.get_messages(name=list(names) if names is not None else None)
    except FitCRCError as exc:
        raise FitFileError(
            "the file's checksum is wrong: it is corrupt or was cut short",
            location=location,
            hint="pass --ignore-crc to read it anyway",
        ) from exc
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
    if crc is CrcPolicy.WARN:
        _warn_if_crc_bad(path)


def _open(path: Path, *, check_crc: bool) -> fitparse.FitFile:
    fit = fitparse.FitFile(str(path), check_crc=check_crc, data_processor=_RawTimesProcessor())
    # fitparse keeps every message it has parsed; a long run would then hold hundreds of
    # megabytes. Messages are used once here, so they are not kept.
    fit._messages = _Forgetful()
    return fit


def _warn_if_crc_bad(path: Path) -> None:
    """A second pass that only checks the checksum, for files read with CrcPolicy.WARN."""
    try:
        for _ in _open(path, check_crc=True).get_messages(name="no-such-message"):
            pass
    except FitCRCError:
        warnings.warn(f"{path}: the checksum is wrong; read anyway", FitCrcWarning, stacklevel=3)
    except FitParseError:
        pass


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


def file_type(path: Path, *, crc: CrcPolicy = CrcPolicy.REFUSE) -> str:
    """The file_id type of a FIT file, as a word ('workout', 'activity', ...)."""
    for message in iter_messages(path, names=frozenset({"file_id"}), crc=crc):
        return file_type_name(message)
    raise FitFileError("the file has no file_id message", location=Location(str(path)))


def require_type(path: Path, expected: str, *, crc: CrcPolicy = CrcPolicy.REFUSE) -> None:
    kind = file_type(path, crc=crc)
    if kind != expected:
        raise FitFileError(
            f"this is a FIT {kind} file, not a {expected}", location=Location(str(path))
        )
