"""Putting FIT files on a watch: USB mass storage (copy into GARMIN/NewFiles, verified), or MTP
through the libmtp command-line tools. Nothing on the watch is deleted or replaced unless asked."""

from __future__ import annotations

import hashlib
import os
import shutil
import string
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from pacefit.errors import DeviceError

MOUNT_ROOTS_ENV = "PACEFIT_MOUNT_ROOTS"  # os.pathsep-separated folders to search instead
NEW_FILES = ("GARMIN", "NewFiles")
MTP_SEND, MTP_LIST, MTP_DELETE = "mtp-sendfile", "mtp-files", "mtp-delfile"
MTP_HELP = (
    "No watch is mounted as a USB drive. Newer Garmin watches connect over MTP instead: install "
    "the libmtp command-line tools (Debian/Ubuntu: 'sudo apt install mtp-tools'; Fedora: "
    "'sudo dnf install libmtp-examples'; macOS: 'brew install libmtp') and run push again, "
    "or copy the files into GARMIN/NewFiles with Garmin Express or OpenMTP. If the watch is "
    "mounted somewhere pacefit does not look, name it with --to."
)


class Action(Enum):
    COPIED = "copied"
    REPLACED = "replaced"
    IDENTICAL = "already there"
    REFUSED = "refused: a different file of that name is on the watch (use --force)"
    WOULD_COPY = "would copy"
    WOULD_REPLACE = "would replace"


@dataclass(frozen=True)
class Transfer:
    source: Path
    destination: str
    action: Action


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


def _garmin_folder(volume: Path) -> Path | None:
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
            if _garmin_folder(volume) is not None and volume not in found:
                found.append(volume)
    return found


def choose_watch(explicit: Path | None) -> Path | None:
    """The watch to copy to; None when none is mounted (the caller may try MTP)."""
    if explicit is not None:
        if _garmin_folder(explicit) is None:
            raise DeviceError(f"{explicit} has no GARMIN folder: is it the watch?")
        return explicit
    watches = find_watches()
    if len(watches) > 1:
        listed = ", ".join(str(w) for w in watches)
        raise DeviceError(f"found {len(watches)} watches ({listed})", hint="choose one with --to")
    return watches[0] if watches else None


def push_to_drive(
    files: Sequence[Path], watch: Path, *, force: bool, dry_run: bool
) -> list[Transfer]:
    garmin = _garmin_folder(watch)
    assert garmin is not None
    target_dir = next(
        (c for c in garmin.iterdir() if c.name.lower() == "newfiles"), garmin / NEW_FILES[1]
    )
    transfers = []
    for source in files:
        data = source.read_bytes()
        destination = target_dir / source.name
        exists = destination.exists()
        if exists and destination.read_bytes() == data:
            action = Action.IDENTICAL
        elif exists and not force:
            action = Action.REFUSED
        elif dry_run:
            action = Action.WOULD_REPLACE if exists else Action.WOULD_COPY
        else:
            _copy_verified(data, destination)
            action = Action.REPLACED if exists else Action.COPIED
        transfers.append(Transfer(source=source, destination=str(destination), action=action))
    return transfers


def _copy_verified(data: bytes, destination: Path) -> None:
    """Copy through a temporary name, then rename, then read back and compare checksums."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(f".{destination.name}.part")
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(destination)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if hashlib.sha256(destination.read_bytes()).digest() != hashlib.sha256(data).digest():
        raise DeviceError(f"{destination} does not read back as written: check the watch's storage")


def mtp_available() -> bool:
    return shutil.which(MTP_SEND) is not None and shutil.which(MTP_LIST) is not None


def push_over_mtp(files: Sequence[Path], *, force: bool, dry_run: bool) -> list[Transfer]:
    """Send files with libmtp's tools into GARMIN/NewFiles. MTP gives no way to read a file back
    by path, so success is the tool's own word."""
    on_watch = _mtp_file_names()
    transfers = []
    for source in files:
        remote = "/".join((*NEW_FILES, source.name))
        exists = source.name in on_watch
        if exists and not force:
            action = Action.REFUSED
        elif dry_run:
            action = Action.WOULD_REPLACE if exists else Action.WOULD_COPY
        else:
            if exists:
                _run_mtp([MTP_DELETE, "-f", remote])
            _run_mtp([MTP_SEND, str(source), remote])
            action = Action.REPLACED if exists else Action.COPIED
        transfers.append(Transfer(source=source, destination=f"mtp:{remote}", action=action))
    return transfers


def _mtp_file_names() -> set[str]:
    listing = _run_mtp([MTP_LIST])
    return {
        line.split(":", 1)[1].strip()
        for line in listing.splitlines()
        if line.strip().startswith("Filename:")
    }


def _run_mtp(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DeviceError(f"{command[0]} failed: {exc}") from exc
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        detail = lines[-1] if lines else "no output"
        raise DeviceError(
            f"{command[0]} failed (exit {done.returncode}): {detail}",
            hint="is the watch connected and unlocked? Only one program can talk MTP at a time.",
        )
    return done.stdout
