"""Delivery: putting workout files on a watch.

A `Destination` is a watch's `GARMIN/NewFiles` folder, reached one way or another: a USB drive
(`usb.py`) or the libmtp tools (`mtp.py`). What to do with each file (copy, leave alone, refuse to
overwrite) is decided once, here, for every destination; a new way to reach a watch is one module
implementing the protocol plus one line in `find_destination`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Protocol

from pacefit.errors import DeviceError, Location, PacefitError


class Action(Enum):
    COPIED = "copied"
    REPLACED = "replaced"
    IDENTICAL = "already there"
    REFUSED = "refused: a different file of that name is on the watch (use --force)"
    ON_WATCH = "already on the watch"
    WOULD_COPY = "would copy"
    WOULD_REPLACE = "would replace"


@dataclass(frozen=True)
class Transfer:
    source: Path
    destination: str
    action: Action
    found_as: str | None = None  # ON_WATCH: the watch's own file that holds it


class Destination(Protocol):
    """A watch's folder for new files. Writes are whole-file and verified by reading back."""

    @property
    def description(self) -> str:
        """Where the files go, for messages: a mount point, or 'the MTP watch'."""
        ...

    def where(self, name: str) -> str:
        """The address of file `name` on the watch, for messages."""
        ...

    def read(self, name: str) -> bytes | None:
        """The bytes of file `name` on the watch, or None when there is none."""
        ...

    def write(self, name: str, data: bytes) -> None:
        """Put `data` on the watch as `name` (replacing it), then read it back and compare;
        a mismatch is a `DeviceError` naming the file."""
        ...

    def new_file_names(self) -> list[str]:
        """The files still waiting in the new-files folder."""
        ...

    def workout_files(self) -> Iterator[tuple[str, bytes]]:
        """Each file in the watch's own workouts folder (where it keeps the workouts it took
        in), with its bytes; none when the watch has no such folder."""
        ...

    def remove_stale_temporaries(self) -> list[Path]:
        """Remove what an interrupted push of pacefit's left behind on the watch (none when
        each file arrives whole or not at all); returns what was removed."""
        ...


def decide(data: bytes, existing: bytes | None, *, force: bool, dry_run: bool) -> Action:
    """What to do with one file: nothing on the watch is replaced unless forced."""
    if existing == data:
        return Action.IDENTICAL
    if existing is not None and not force:
        return Action.REFUSED
    if dry_run:
        return Action.WOULD_REPLACE if existing is not None else Action.WOULD_COPY
    return Action.REPLACED if existing is not None else Action.COPIED


@dataclass(frozen=True)
class Delivery:
    """What a push did: each file placed (or not), in order, up to the first that could not
    be; `stopped` says why, and `not_sent` lists the files from that one on."""

    transfers: tuple[Transfer, ...]
    stopped: PacefitError | None = None
    not_sent: tuple[Path, ...] = ()


def deliver(
    files: Sequence[Path],
    destination: Destination,
    *,
    force: bool,
    dry_run: bool,
    on_watch: dict[Path, str] | None = None,
) -> Delivery:
    """Put each file on the watch, as `decide` says, stopping at the first that cannot be
    placed. `on_watch` names the files the watch already took in (by what they hold), which
    are not sent again unless forced."""
    transfers = []
    for index, source in enumerate(files):
        try:
            found_as = (on_watch or {}).get(source)
            if found_as is not None and not force:
                transfers.append(
                    Transfer(source, destination.where(source.name), Action.ON_WATCH, found_as)
                )
                continue
            data = source.read_bytes()
            action = decide(data, destination.read(source.name), force=force, dry_run=dry_run)
            if action in (Action.COPIED, Action.REPLACED):
                destination.write(source.name, data)
        except OSError as exc:  # the file to send
            error = PacefitError(
                f"cannot read the file: {exc.strerror or exc}", location=Location(str(source))
            )
            return Delivery(tuple(transfers), error, tuple(files[index:]))
        except PacefitError as exc:
            return Delivery(tuple(transfers), exc, tuple(files[index:]))
        transfers.append(Transfer(source, destination.where(source.name), action))
    return Delivery(tuple(transfers))


def destination_named(description: str) -> Destination:
    """The watch a push log names (a mount point, or the MTP watch), to read it again."""
    from pacefit.delivery import mtp, usb

    if description == mtp.MtpWatch.description:
        if mtp.tools_available():
            return mtp.MtpWatch()
    elif usb.garmin_folder(Path(description)) is not None:
        return usb.UsbDrive(Path(description))
    raise DeviceError(
        f"the watch the last push went to ({description}) is not connected",
        hint="connect it, or name where it is mounted with --to",
    )


def find_destination(explicit: Path | None) -> Destination:
    """The watch to deliver to: the drive named, else the one USB drive with a GARMIN folder,
    else a watch reached through the libmtp tools."""
    from pacefit.delivery import mtp, usb

    drive = usb.choose_drive(explicit)
    if drive is not None:
        return drive
    if mtp.tools_available():
        return mtp.MtpWatch()
    raise DeviceError("no watch found", hint=mtp.INSTALL_HELP)
