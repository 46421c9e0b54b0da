"""Writing files: atomic, one line naming the file when the system refuses, nothing left behind.

The refusals are the kernel's own: a read-only tmpfs, a tmpfs filled to its last block, and a
folder without write permission for a process that permissions bind (tests/mounts.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pacefit.errors import OutputError
from pacefit.files import remove_stale_temporaries, write_atomic

from .helpers import ATHLETE_FILE, WORKOUTS
from .mounts import fill, pacefit_without_root, remount, tmpfs


def test_a_read_only_file_system_is_one_line_naming_the_file(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro") as mount:
        (mount / "out").mkdir()
        remount(mount, read_only=True)
        with pytest.raises(OutputError) as caught:
            write_atomic(mount / "out" / "a.fit", b"data")
        assert str(caught.value) == (
            f"{mount / 'out' / 'a.fit'}: cannot write the file: Read-only file system\n"
            "  hint: the file system is mounted read-only: write somewhere else"
        )
        with pytest.raises(OutputError, match="cannot write the file: Read-only file system"):
            write_atomic(mount / "new-folder" / "a.fit", b"data")  # the folder cannot be made


def test_a_full_disk_leaves_neither_the_file_nor_its_temporary(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "full", size_kb=64) as mount:
        (mount / "a.fit").write_bytes(b"the old file")
        fill(mount)
        with pytest.raises(OutputError) as caught:
            write_atomic(mount / "a.fit", os.urandom(32_768))
        assert str(caught.value) == (
            f"{mount / 'a.fit'}: cannot write the file: No space left on device\n"
            "  hint: the disk is full: free some space and try again"
        )
        assert (mount / "a.fit").read_bytes() == b"the old file"  # the old file, whole
        assert sorted(p.name for p in mount.iterdir()) == ["a.fit", "filler"]


def test_a_file_lands_on_the_device_asked_for_or_nowhere(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "elsewhere") as mount:
        with pytest.raises(OutputError, match="no longer on the device it was on"):
            write_atomic(mount / "a.fit", b"data", on_device=tmp_path.stat().st_dev)
        assert list(mount.iterdir()) == []
        assert write_atomic(mount / "a.fit", b"data", on_device=mount.stat().st_dev)


def test_no_permission_is_one_line_naming_the_file(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    workout = WORKOUTS / "10k" / "tempo-2x15.yaml"
    tmp_path.chmod(0o755)  # reachable for the process that permissions bind
    done = pacefit_without_root(["compile", workout, "--athlete", ATHLETE_FILE, "-o", locked])
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[:2] == [
        f"{locked / 'tempo-2x15min.fit'}: cannot write the file: Permission denied",
        "  hint: you have no permission to write there: write somewhere else",
    ]
    assert list(locked.iterdir()) == []


def test_only_pacefits_own_stale_temporaries_are_removed(tmp_path: Path) -> None:
    stale = tmp_path / ".2026-12-01_w01-tue_4x800m-5k.fit.k2j_9xqa.part"
    stale.write_bytes(b"half a workout")
    theirs = [tmp_path / "notes.part", tmp_path / ".hidden", tmp_path / "plan.fit"]
    for path in theirs:
        path.write_bytes(b"the runner's")
    assert remove_stale_temporaries(tmp_path) == [stale]
    assert sorted(tmp_path.iterdir()) == sorted(theirs)
