"""The project's one exception tree, and its warnings. Every error says where it happened.

The library never prints: it raises a `PacefitError` (the CLI shows it as one line) or emits a
`PacefitWarning` through the standard `warnings` module (the CLI shows every warning, whether or
not the command then fails).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Location:
    """A place in a source file; line and column are 1-based, as editors show them."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


MAX_MESSAGE_CHARS = 300
# Hints are pacefit's own advice (a file's text reaches them only in short quotes): long enough
# that none is ever cut, bounded all the same.
MAX_HINT_CHARS = 1000


def one_line(text: str, *, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    """Text from a hostile file, made safe for a one-line message: control characters escaped,
    and cut short when very long."""
    printable = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(printable) > max_chars:
        return printable[: max_chars - 3] + "..."
    return printable


class PacefitError(Exception):
    """Base of every error pacefit raises on purpose; the CLI prints it as one line."""

    def __init__(self, message: str, *, location: Location | None = None, hint: str = "") -> None:
        message = one_line(message)
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = one_line(hint, max_chars=MAX_HINT_CHARS)

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    @property
    def headline(self) -> str:
        """The error on one line, without the hint: for tables and batch summaries."""
        return f"{self.location}: {self.message}" if self.location else self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # keyword-only arguments do not survive the default pickling (review's worker processes)
        return (_rebuild, (type(self), self.message, self.location, self.hint))


def _rebuild(
    cls: type[PacefitError], message: str, location: Location | None, hint: str
) -> PacefitError:
    return cls(message, location=location, hint=hint)


class WorkoutError(PacefitError):
    """A workout, athlete or plan file says something pacefit cannot use."""


class FitFileError(PacefitError):
    """A FIT file is corrupt, truncated or of the wrong kind."""


class ActivityError(PacefitError):
    """A recorded run cannot be read or analysed."""


class InputPathError(PacefitError):
    """A file or folder given on the command line is missing, or not the kind asked for."""


class DeviceError(PacefitError):
    """The watch cannot be found or written to."""


class OutputError(PacefitError):
    """A file cannot be written: a read-only file system, no permission, a full disk."""


class PacefitWarning(UserWarning):
    """Something the user should know that does not stop the job (a name shortened, a session
    dropped, a file read despite a bad checksum)."""

    def __init__(self, message: str, *, location: Location | None = None) -> None:
        message = one_line(message)
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_warning, (self.message, self.location))


def _rebuild_warning(message: str, location: Location | None) -> PacefitWarning:
    return PacefitWarning(message, location=location)


def warn(message: str, *, location: Location | None = None) -> None:
    """Emit a `PacefitWarning` (shown by the CLI as `path:line:col: warning: message`)."""
    warnings.warn(PacefitWarning(message, location=location), stacklevel=2)


class InvalidValue(ValueError):
    """A value that does not parse; the loader adds the location and turns it into WorkoutError."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
