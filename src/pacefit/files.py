"""Writing output files safely: atomic replacement, names that cannot escape their folder.

The one place that writes a file, whether into an output folder or onto a watch.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import unicodedata
from pathlib import Path

from pacefit.errors import Location, OutputError, PacefitError

MAX_FILENAME_CHARS = 80
OUTPUT_FILE_MODE = 0o644
# Every write goes through `.NAME.XXXXXXXX.part` beside the file (mkstemp's eight random
# characters); a process killed mid-write leaves one, which the next build removes.
TEMP_SUFFIX = ".part"
_TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.part$")
_HINTS = {
    errno.EROFS: "the file system is mounted read-only: write somewhere else",
    errno.EACCES: "you have no permission to write there: write somewhere else",
    errno.EPERM: "you have no permission to write there: write somewhere else",
    errno.ENOSPC: "the disk is full: free some space and try again",
    errno.EDQUOT: "your disk quota is used up: free some space and try again",
}


def safe_filename(name: str, *, suffix: str) -> str:
    """A file name made from free text: ASCII letters, digits and dashes only, never empty.

    `../../x` becomes `x`, so no name can climb out of the output folder.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:MAX_FILENAME_CHARS].strip("-")
    return f"{slug or 'workout'}{suffix}"


def path_inside(folder: Path, filename: str) -> Path:
    """`folder/filename`, refusing anything that would land outside `folder`."""
    target = (folder / filename).resolve()
    if target.parent != folder.resolve():
        raise PacefitError(
            f"refusing to write '{filename}' outside the folder", location=Location(str(folder))
        )
    return target


def sha256(data: bytes) -> str:
    import hashlib  # here, not at the top: a command that hashes nothing starts faster

    return hashlib.sha256(data).hexdigest()


def read_if_exists(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PacefitError(
            f"cannot read the file: {exc.strerror or exc}", location=Location(str(path))
        ) from exc


def output_error(path: Path, exc: OSError, *, doing: str = "write the file") -> OutputError:
    """An operating-system refusal to write, as one line naming the file."""
    return OutputError(
        f"cannot {doing}: {exc.strerror or exc}",
        location=Location(str(path)),
        hint=_HINTS.get(exc.errno or 0, ""),
    )


def write_atomic(
    path: Path,
    data: bytes,
    *,
    verify: bool = False,
    make_folder: bool = True,
    on_device: int | None = None,
) -> bool:
    """Write `data` to `path` so that readers see the old file or the new one, never half.

    Returns False, and touches nothing, when the file already holds exactly `data`. With
    `verify`, the file is read back after the rename and its checksum compared (for storage
    that may lie, such as a watch's). Without `make_folder` the folder must exist already;
    with `on_device`, the file is written only if it lands on that device (`st_dev`), so that
    a watch unplugged mid-push cannot turn its emptied mount point into a folder on the
    computer's own disk. Any refusal of the system is an `OutputError` naming the file, and
    leaves no temporary file behind.
    """
    import tempfile  # here, not at the top: a command that writes nothing starts faster

    if read_if_exists(path) == data:
        return False
    try:
        if make_folder:
            path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX
        )
    except OSError as exc:
        raise output_error(path, exc) from exc
    temp = Path(temp_name)
    try:
        if on_device is not None and os.fstat(handle).st_dev != on_device:
            raise OutputError(
                "the folder is no longer on the device it was on: nothing written",
                location=Location(str(path)),
            )
        os.fchmod(handle, OUTPUT_FILE_MODE)  # mkstemp makes files private; outputs are not
        with os.fdopen(handle, "wb") as stream:
            handle = -1
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        temp.replace(path)
    except BaseException as exc:
        if handle != -1:
            with contextlib.suppress(OSError):
                os.close(handle)
        with contextlib.suppress(OSError):  # the device may be gone with it
            temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise output_error(path, exc) from exc
        raise
    if verify:
        try:
            written = path.read_bytes()
        except OSError as exc:
            raise output_error(path, exc, doing="read the file back") from exc
        if sha256(written) != sha256(data):
            raise PacefitError(
                "the file does not read back as written: check the storage",
                location=Location(str(path)),
            )
    return True


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files an interrupted write of pacefit's left in `folder` (hidden,
    named `.NAME.XXXXXXXX.part`); returns those removed."""
    try:
        candidates = [p for p in folder.iterdir() if _TEMP_NAME.match(p.name) and p.is_file()]
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise output_error(folder, exc, doing="list the folder") from exc
    removed = []
    for candidate in sorted(candidates):
        try:
            candidate.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise output_error(candidate, exc, doing="remove a stale temporary file") from exc
        removed.append(candidate)
    return removed
