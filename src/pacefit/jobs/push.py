"""The `push` job: the workout files of a build folder onto the watch, each one verified."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pacefit.delivery import Action, Transfer, deliver, find_destination
from pacefit.errors import Location, PacefitError
from pacefit.formats import WORKOUT_WRITERS


@dataclass(frozen=True)
class PushResult:
    destination: str
    transfers: tuple[Transfer, ...]
    dry_run: bool

    @property
    def refused(self) -> tuple[Transfer, ...]:
        return tuple(t for t in self.transfers if t.action is Action.REFUSED)


def push_folder(folder: Path, *, to: Path | None, force: bool, dry_run: bool) -> PushResult:
    """Copy the workout files of `folder` into the watch's NewFiles folder."""
    files = workout_files(folder)
    destination = find_destination(to)
    transfers = deliver(files, destination, force=force, dry_run=dry_run)
    return PushResult(destination.description, tuple(transfers), dry_run)


def workout_files(folder: Path) -> list[Path]:
    suffixes = {writer.suffix for writer in WORKOUT_WRITERS.values()}
    files = sorted(p for p in folder.iterdir() if p.suffix in suffixes and p.is_file())
    if not files:
        raise PacefitError(
            "no workout files here",
            location=Location(str(folder)),
            hint="build or compile into this folder first",
        )
    return files
