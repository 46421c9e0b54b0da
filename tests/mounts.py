"""Real file systems for the tests of full disks, read-only folders and watches unplugged: a small
tmpfs mounted for one test (root only; the test is skipped where mounting is not permitted), and
a command run without root's power to ignore permissions (util-linux `setpriv`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

# root's capabilities that override file permissions: without them root gets EACCES as a user
_OVERRIDES = "-dac_override,-dac_read_search"


@contextmanager
def tmpfs(mount_point: Path, *, size_kb: int = 1024, read_only: bool = False) -> Iterator[Path]:
    """A tmpfs of `size_kb` mounted at `mount_point` (made if missing) for the block."""
    mount_point.mkdir(parents=True, exist_ok=True)
    options = f"size={size_kb}k" + (",ro" if read_only else "")
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        unmount(mount_point)


def unmount(mount_point: Path) -> None:
    """Unmount now, as a watch pulled out of its cable (lazily, if something holds it)."""
    if os.path.ismount(mount_point):
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def remount(mount_point: Path, *, read_only: bool) -> None:
    option = "remount,ro" if read_only else "remount,rw"
    subprocess.run(["mount", "-o", option, str(mount_point)], check=True)


def fill(folder: Path) -> None:
    """Fill the file system `folder` is on to its last byte (a file named `filler`)."""
    with (folder / "filler").open("wb", buffering=0) as stream:
        for chunk in (65536, 4096, 1):
            try:
                while True:
                    stream.write(b"\0" * chunk)
            except OSError:
                continue


def pacefit_without_root(args: Sequence[object]) -> subprocess.CompletedProcess[str]:
    """`pacefit ARGS` in a new process that file permissions bind, as they bind a user: as root,
    through `setpriv` without the capabilities that override them; otherwise as is."""
    command = [sys.executable, "-m", "pacefit", *map(str, args)]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("dropping root's permission override needs setpriv (util-linux)")
        command = ["setpriv", f"--bounding-set={_OVERRIDES}", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
