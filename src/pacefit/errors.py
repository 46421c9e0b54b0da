"""The project's one exception tree. Every error says where it happened."""

from __future__ import annotations

from dataclasses import dataclass


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


def one_line(text: str) -> str:
    """Text from a hostile file, made safe for a one-line message: control characters escaped,
    and cut short when very long."""
    printable = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(printable) > MAX_MESSAGE_CHARS:
        return printable[: MAX_MESSAGE_CHARS - 3] + "..."
    return printable


class PacefitError(Exception):
    """Base of every error pacefit raises on purpose; the CLI prints it as one line."""

    def __init__(self, message: str, *, location: Location | None = None, hint: str = "") -> None:
        message = one_line(message)
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = one_line(hint)

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class WorkoutError(PacefitError):
    """A workout, athlete or plan file says something pacefit cannot use."""


class FitFileError(PacefitError):
    """A FIT file is corrupt, truncated or of the wrong kind."""


class ActivityError(PacefitError):
    """A recorded run cannot be read or analysed."""


class DeviceError(PacefitError):
    """The watch cannot be found or written to."""


class InvalidValue(ValueError):
    """A value that does not parse; the loader adds the location and turns it into WorkoutError."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
