"""A watch mounted as a USB drive: files go into `GARMIN/NewFiles` on the volume."""

from __future__ import annotations

import os
import string
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from pacefit.errors import DeviceError, Location, OutputError
from pacefit.files import read_if_exists, remove_stale_temporaries, write_atomic

_REFUSES_WRITES = (
    "the watch's storage refuses it (read-only after a file system error, or no permission): "
    "unplug the watch, restart it, and push again"
)

MOUNT_ROOTS_ENV = "PACEFIT_MOUNT_ROOTS"  # os.pathsep-separated folders to search instead
NEW_FILES = "NewFiles"
WORKOUTS = "Workouts"  # where Garmin watches keep the workouts they took in


class UsbDrive:
    """The `GARMIN/NewFiles` folder of a mounted watch.

    The watch can be unplugged at any moment, which leaves its mount point an empty folder on
    the computer's own disk. So the drive remembers the device its GARMIN folder is on
    (`st_dev`), checks it before each file, writes only files that land on it, and never
    creates a folder other than NewFiles inside that GARMIN folder.
    """

    def __init__(self, volume: Path) -> None:
        garmin = garmin_folder(volume)
        if garmin is None:
            raise DeviceError(
                "this volume has no GARMIN folder: is it the watch?", location=Location(str(volume))
            )
        self.volume = volume.absolute()  # the push log names it wherever --status runs
        self.garmin = garmin
        # watches differ in the case of the folder's name; use the one that is there
        self.folder = next(
            (c for c in garmin.iterdir() if c.name.lower() == NEW_FILES.lower()),
            garmin / NEW_FILES,
        )
        device = _device_of(garmin)
        if device is None:
            raise self._gone()
        self.device = device

    @property
    def description(self) -> str:
        return str(self.volume)

    def where(self, name: str) -> str:
        return str(self.folder / name)

    def read(self, name: str) -> bytes | None:
        return read_if_exists(self.folder / name)

    def write(self, name: str, data: bytes) -> None:
        self.check_still_there(name)
        if not self.folder.is_dir():
            try:
                self.folder.mkdir()  # one level, inside the watch's own GARMIN folder
            except OSError as exc:
                self.check_still_there(name)  # unplugged: said as such
                raise OutputError(
                    f"cannot create the folder: {exc.strerror or exc}",
                    location=Location(str(self.folder)),
                    hint=_REFUSES_WRITES,
                ) from exc
            self.check_still_there(name)
        try:
            write_atomic(
                self.folder / name, data, verify=True, make_folder=False, on_device=self.device
            )
        except OutputError as exc:
            if _device_of(self.garmin) != self.device:
                raise self._gone(name) from exc
            raise

    def check_still_there(self, name: str = "") -> None:
        """Refuse to go on when the GARMIN folder is no longer on the watch's device (the
        watch was unplugged, or another volume is mounted in its place)."""
        if _device_of(self.garmin) != self.device or _device_of(self.volume) is None:
            raise self._gone(name)

    def remove_stale_temporaries(self) -> list[Path]:
        """Temporary files an interrupted push left in NewFiles (only pacefit's own)."""
        if not self.folder.is_dir():
            return []
        self.check_still_there()
        return remove_stale_temporaries(self.folder)

    def _gone(self, name: str = "") -> DeviceError:
        where = self.where(name) if name else str(self.volume)
        return DeviceError(
            f"the watch is no longer mounted at {self.volume}: nothing more was copied",
            location=Location(where),
            hint="was it unplugged? Connect it again and push again: files already copied "
            "are in the push log and are not sent twice",
        )

    def new_file_names(self) -> list[str]:
        return _file_names(self.folder)

    def workout_files(self) -> Iterator[tuple[str, bytes]]:
        folder = _child(self.folder.parent, WORKOUTS)
        if folder is None:
            return
        for name in _file_names(folder):
            try:
                data = (folder / name).read_bytes()
            except OSError as exc:  # what the watch holds cannot be compared: nothing is sent
                raise DeviceError(
                    f"cannot read the watch's file: {exc.strerror or exc}",
                    location=Location(str(folder / name)),
                    hint=_REFUSES_WRITES,
                ) from exc
            yield name, data


def _device_of(path: Path) -> int | None:
    """The device a path is on, or None when it is not there."""
    try:
        return path.stat().st_dev
    except OSError:
        return None


def _child(folder: Path, name: str) -> Path | None:
    """The sub-folder `name`, whatever case the watch gave it."""
    try:
        return next(
            (c for c in folder.iterdir() if c.is_dir() and c.name.lower() == name.lower()), None
        )
    except OSError:
        return None


def _file_names(folder: Path) -> list[str]:
    try:
        return sorted(p.name for p in folder.iterdir() if p.is_file())
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise DeviceError(
            f"cannot list the folder: {exc.strerror or exc}", location=Location(str(folder))
        ) from exc


def mount_roots() -> list[Path]:
    """Where removable drives get mounted on this system."""
    override = os.environ.get(MOUNT_ROOTS_ENV)
    if override:
        return [Path(p) for p in override.split(os.pathsep) if p]
    if sys.platform == "darwin":
        return [Path("/Volumes")]
    if sys.platform == "win32":
        return [Path(f"{letter}:\\") for letter in string.ascii_uppercase[3:]]
    user = os.environ.get("USER", "")
    return [Path("/media") / user, Path("/media"), Path("/run/media") / user, Path("/mnt")]


def garmin_folder(volume: Path) -> Path | None:
    try:
        return next(
            (c for c in volume.iterdir() if c.is_dir() and c.name.upper() == "GARMIN"), None
        )
    except OSError:
        return None


def find_watches(roots: Sequence[Path] | None = None) -> list[Path]:
    """Mounted volumes with a GARMIN folder, under the mount roots (or being one of them)."""
    found: list[Path] = []
    for root in roots if roots is not None else mount_roots():
        candidates = [root]
        try:
            candidates += sorted(c for c in root.iterdir() if c.is_dir())
        except OSError:
            continue
        for volume in candidates:
            if garmin_folder(volume) is not None and volume not in found:
                found.append(volume)
    return found


def choose_drive(explicit: Path | None) -> UsbDrive | None:
    """The watch to copy to; None when none is mounted (the caller may try MTP)."""
    if explicit is not None:
        return UsbDrive(explicit)
    watches = find_watches()
    if len(watches) > 1:
        listed = ", ".join(str(w) for w in watches)
        raise DeviceError(f"found {len(watches)} watches ({listed})", hint="choose one with --to")
    return UsbDrive(watches[0]) if watches else None
