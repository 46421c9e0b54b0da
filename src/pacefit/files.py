"""Writing output files safely: atomic replacement, names that cannot escape their folder.

The one place that writes a file, whether into an output folder or onto a watch.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from pacefit.errors import Location, PacefitError

MAX_FILENAME_CHARS = 80
OUTPUT_FILE_MODE = 0o644


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


def write_atomic(path: Path, data: bytes, *, verify: bool = False) -> bool:
    """Write `data` to `path` so that readers see the old file or the new one, never half.

    Returns False, and touches nothing, when the file already holds exactly `data`. With
    `verify`, the file is read back after the rename and its checksum compared (for storage
    that may lie, such as a watch's).
    """
    if read_if_exists(path) == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        os.fchmod(handle, OUTPUT_FILE_MODE)  # mkstemp makes files private; outputs are not
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        Path(temp_name).replace(path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    if verify and sha256(path.read_bytes()) != sha256(data):
        raise PacefitError(
            "the file does not read back as written: check the storage",
            location=Location(str(path)),
        )
    return True
