"""Delivery to a watch: a fake USB drive (a folder tree like a Garmin volume) and fake libmtp
tools on PATH that keep a file table with ids (tests/fake_mtp.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from pacefit.errors import DeviceError
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.jobs.build import build_plan
from pacefit.jobs.push import push_folder

from .helpers import ATHLETE_FILE, WORKOUTS, run_cli

FAKE_MTP = Path(__file__).with_name("fake_mtp.py")
MTP_TOOLS = ("mtp-files", "mtp-folders", "mtp-sendfile", "mtp-getfile", "mtp-delfile")


@pytest.fixture
def built(tmp_path: Path) -> Path:
    out = tmp_path / "build"
    build_plan(WORKOUTS / "10k", race_date=None, athlete=load_athlete(ATHLETE_FILE), out_dir=out)
    return out


def fake_watch(root: Path, name: str = "GARMIN_WATCH") -> Path:
    volume = root / name
    (volume / "GARMIN" / "NewFiles").mkdir(parents=True)
    return volume


def fake_mtp_watch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A device folder served by the fake libmtp tools, which are put first on PATH."""
    device = tmp_path / "mtp-device"
    (device / "GARMIN" / "NewFiles").mkdir(parents=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in MTP_TOOLS:
        script = bin_dir / tool
        script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_MTP}" {tool} "$@"\n')
        script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_MTP_DEVICE", str(device))
    monkeypatch.setenv("PACEFIT_MOUNT_ROOTS", str(tmp_path / "no-drives"))
    return device


def test_push_finds_the_watch_and_copies_verified(built: Path, tmp_path: Path) -> None:
    media = tmp_path / "media"
    watch = fake_watch(media)
    env = {"PACEFIT_MOUNT_ROOTS": str(media)}
    dry = run_cli("push", built, "--dry-run", env=env)
    assert dry.exit_code == 0 and f"{watch}: 6 would copy (dry run)" in dry.stdout
    assert not list((watch / "GARMIN" / "NewFiles").iterdir())
    result = run_cli("push", built, env=env)
    assert result.exit_code == 0
    assert f"{watch}: 6 copied" in result.stdout
    for path in built.glob("*.fit"):
        assert (watch / "GARMIN" / "NewFiles" / path.name).read_bytes() == path.read_bytes()
    again = run_cli("push", built, env=env)
    assert f"{watch}: 6 identical" in again.stdout


def test_push_never_replaces_a_different_file_unless_forced(built: Path, tmp_path: Path) -> None:
    watch = fake_watch(tmp_path / "media")
    victim = watch / "GARMIN" / "NewFiles" / "6x1km-10k.fit"
    victim.write_bytes(b"the runner's own file")
    result = run_cli("push", built, "--to", watch)
    assert result.exit_code == 1
    assert victim.read_bytes() == b"the runner's own file"
    assert "1 file(s) not copied" in result.stderr
    forced = run_cli("push", built, "--to", watch, "--force")
    assert forced.exit_code == 0
    assert victim.read_bytes() == (built / "6x1km-10k.fit").read_bytes()


def test_push_refuses_two_watches_and_explains_no_watch(built: Path, tmp_path: Path) -> None:
    media = tmp_path / "media"
    fake_watch(media, "A")
    fake_watch(media, "B")
    two = run_cli("push", built, env={"PACEFIT_MOUNT_ROOTS": str(media), "PATH": ""})
    assert two.exit_code == 1
    assert two.stderr.startswith(f"error: found 2 watches ({media / 'A'}, {media / 'B'})\n")
    none = run_cli("push", built, env={"PACEFIT_MOUNT_ROOTS": str(tmp_path / "e"), "PATH": ""})
    assert none.exit_code == 1
    assert none.stderr.startswith("error: no watch found\n  hint: No watch is mounted")
    assert "install the libmtp command-line tools" in none.stderr


def test_push_over_mtp_reads_every_file_back(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    device = fake_mtp_watch(tmp_path, monkeypatch)
    (device / "GARMIN" / "NewFiles" / "mix-5k-10k.fit").write_bytes(b"already there")
    result = run_cli("push", built)
    assert result.exit_code == 1  # one name clash, refused
    assert (device / "GARMIN" / "NewFiles" / "mix-5k-10k.fit").read_bytes() == b"already there"
    for path in built.glob("*.fit"):
        if path.name != "mix-5k-10k.fit":
            assert (device / "GARMIN" / "NewFiles" / path.name).read_bytes() == path.read_bytes()
    assert "the MTP watch: 5 copied, 1 refused" in result.stdout
    again = run_cli("push", built, "--force")
    assert again.exit_code == 0
    assert "the MTP watch: 5 identical, 1 replaced" in again.stdout


def test_an_mtp_read_back_mismatch_names_the_file(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_mtp_watch(tmp_path, monkeypatch)
    monkeypatch.setenv("FAKE_MTP_CORRUPT", "1")
    with pytest.raises(DeviceError) as caught:
        push_folder(built, to=None, force=False, dry_run=False)
    assert str(caught.value) == (
        "mtp:/GARMIN/NewFiles/6x1km-10k.fit: the file does not read back as written: "
        "check the watch's storage"
    )
