"""Delivery to a watch: a fake USB drive (a folder tree like a Garmin volume) and fake libmtp
tools on PATH that keep a file table with ids (tests/fake_mtp.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import Result

from pacefit.delivery.mtp import INSTALL_HELP
from pacefit.errors import DeviceError, PacefitWarning
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.fit_schedule import SCHEDULE_FILE
from pacefit.formats.fit_workout import decode_workout, encode_workout
from pacefit.jobs.build import build_plan
from pacefit.jobs.push import push_files

from .helpers import ATHLETE_FILE, PLANS, WORKOUTS, run_cli
from .mounts import fill, remount, tmpfs, unmount

FAKE_MTP = Path(__file__).with_name("fake_mtp.py")
MTP_TOOLS = ("mtp-files", "mtp-folders", "mtp-sendfile", "mtp-getfile", "mtp-delfile")


def refused_with_nothing_copied(result: Result, watch: Path, line: str) -> None:
    """The push refused in one line (`line` first on stderr), before anything reached the
    watch."""
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == line
    assert list((watch / "GARMIN" / "NewFiles").iterdir()) == []


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
    result = push_files([built], to=None, force=False, dry_run=False)
    assert isinstance(result.stopped, DeviceError)
    assert str(result.stopped) == (
        "mtp:/GARMIN/NewFiles/6x1km-10k.fit: the file does not read back as written: "
        "check the watch's storage"
    )
    assert result.transfers == () and len(result.not_sent) == 6
    assert not (built / "pacefit-pushes.json").exists()  # nothing was placed, nothing logged
    assert not list((tmp_path / "mtp-device" / "GARMIN" / "NewFiles").iterdir())  # bad copy gone
    cli = run_cli("push", built)
    assert cli.exit_code == 1
    assert cli.stderr.splitlines()[0] == str(result.stopped)


def test_a_file_replaced_over_mtp_is_put_back_when_the_new_one_fails(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_mtp_watch(tmp_path, monkeypatch)
    on_watch = tmp_path / "mtp-device" / "GARMIN" / "NewFiles" / "6x1km-10k.fit"
    on_watch.write_bytes(b"the runner's own file")
    monkeypatch.setenv("FAKE_MTP_CORRUPT", "once")  # the replacement arrives damaged
    result = run_cli("push", built, "--force")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "mtp:/GARMIN/NewFiles/6x1km-10k.fit: the file does not read back as written: check the "
        "watch's storage; the file it was to replace is back as it was"
    )
    assert on_watch.read_bytes() == b"the runner's own file"


# -- exactly the plan, a rolling window ---------------------------------------------------------

RACE_DAY = dt.date(2027, 1, 24)  # a Sunday: the 10K block runs from Monday 2026-11-30


@pytest.fixture
def plan_build(tmp_path: Path) -> Path:
    out = tmp_path / "plan-build"
    with pytest.warns(PacefitWarning, match="holds the first 30 of 31 sessions"):
        build_plan(
            PLANS / "10k-8wk", race_date=RACE_DAY, athlete=load_athlete(ATHLETE_FILE), out_dir=out
        )
    return out


def test_push_sends_what_the_build_made_and_names_what_it_left_out(
    plan_build: Path, tmp_path: Path
) -> None:
    watch = fake_watch(tmp_path / "media")
    stale = plan_build / "2026-11-03_w01-tue_old-plan.fit"
    stale.write_bytes(next(plan_build.glob("20*.fit")).read_bytes())
    result = run_cli("push", plan_build, "--to", watch)
    assert result.exit_code == 0
    on_watch = sorted(p.name for p in (watch / "GARMIN" / "NewFiles").iterdir())
    manifest = json.loads((plan_build / "pacefit-manifest.json").read_text())
    assert on_watch == sorted([*(entry["file"] for entry in manifest["files"]), SCHEDULE_FILE])
    assert stale.name not in on_watch and len(on_watch) == 31 + 1
    lines = result.stdout.splitlines()
    assert lines[-3:] == [
        f"copied: {SCHEDULE_FILE} -> {watch / 'GARMIN' / 'NewFiles' / SCHEDULE_FILE} (the "
        "schedule of 30 sessions)",
        "left out 1: 1 not made by the last build (an older plan?) (--verbose lists them)",
        f"{watch}: 31 copied, the schedule copied",
    ]
    verbose = run_cli("push", plan_build, "--to", watch, "--verbose", "--dry-run")
    assert f"left out: {stale.name}: not made by the last build (an older plan?)" in (
        verbose.stdout.splitlines()
    )


def test_push_weeks_sends_only_the_sessions_due_in_the_window(
    plan_build: Path, tmp_path: Path
) -> None:
    watch = fake_watch(tmp_path / "media")
    result = run_cli("push", plan_build, "--to", watch, "--weeks", "2", "--from", "2026-12-07")
    assert result.exit_code == 0
    sent = sorted(p.name for p in (watch / "GARMIN" / "NewFiles").iterdir())
    assert [name[:10] for name in sent] == [
        "2026-12-08", "2026-12-09", "2026-12-10", "2026-12-13",  # week 2
        "2026-12-15", "2026-12-16", "2026-12-17", "2026-12-20",  # week 3
        SCHEDULE_FILE[:10],
    ]  # fmt: skip
    # the window once, the 23 files left out as one line
    assert result.stdout.splitlines()[-3:] == [
        "sessions due 2026-12-07 to 2026-12-20: 8 of 31",
        "left out 23: 23 due outside those dates (--verbose lists them)",
        f"{watch}: 8 copied, the schedule copied",
    ]
    assert "2026-12-21" not in result.stdout and "left out:" not in result.stdout
    verbose = run_cli("push", plan_build, "--to", watch, "--weeks", "2", "--from", "2026-12-07",
                      "--verbose")  # fmt: skip
    left_out = [line for line in verbose.stdout.splitlines() if line.startswith("left out")]
    assert len(left_out) == 23
    assert left_out[0] == "left out: 2026-12-01_w01-tue_4x800m-5k.fit: due 2026-12-01"
    # a window past the calendar's last day is no internal error
    far = run_cli("push", plan_build, "--to", watch, "--weeks", "1", "--from", "9999-12-31")
    assert far.exit_code == 0, far.output
    assert "sessions due 9999-12-31 to " in far.stdout


def test_a_build_file_gone_stops_the_push_only_when_it_is_due_in_the_window(
    plan_build: Path, tmp_path: Path
) -> None:
    watch = fake_watch(tmp_path / "media")
    window = ["--weeks", "2", "--from", "2026-12-07"]
    (plan_build / "2027-01-24_w08-sun_10k-race.fit").unlink()  # long after the window
    assert run_cli("push", plan_build, "--to", watch, *window, "--dry-run").exit_code == 0
    (plan_build / "2026-12-09_w02-wed_easy-run-8km.fit").unlink()
    result = run_cli("push", plan_build, "--to", watch, *window)
    refused_with_nothing_copied(
        result,
        watch,
        f"{plan_build}: the build's pacefit-manifest.json lists "
        "2026-12-09_w02-wed_easy-run-8km.fit, which is not here",
    )


def test_push_warns_when_the_device_keeps_fewer_workouts_than_are_sent(
    plan_build: Path, tmp_path: Path
) -> None:
    watch = fake_watch(tmp_path / "media")
    whole = run_cli("push", plan_build, "--to", watch, "--dry-run", "--device", "generic")
    assert whole.exit_code == 0
    assert (
        "warning: a watch keeps about 30 workouts at once (a guess); sending 31: use --weeks to "
        "send the next few weeks"
    ) in whole.stderr
    window = run_cli("push", plan_build, "--to", watch, "--dry-run", "--device", "generic",
                     "--weeks", "4", "--from", "2026-12-07")  # fmt: skip
    assert window.exit_code == 0 and "keeps about" not in window.stderr
    older = run_cli("push", plan_build, "--to", watch, "--dry-run", "--device", "legacy")
    assert "keeps about" not in older.stderr  # about 100
    unknown = run_cli("push", plan_build, "--to", watch, "--dry-run", "--device", "tcx")
    assert "keeps about" not in unknown.stderr  # no number known: no warning


def test_push_takes_the_files_named(plan_build: Path, tmp_path: Path) -> None:
    watch = fake_watch(tmp_path / "media")
    chosen = sorted(plan_build.glob("20*.fit"))[:2]
    result = run_cli("push", *chosen, "--to", watch)
    assert result.exit_code == 0
    assert sorted(p.name for p in (watch / "GARMIN" / "NewFiles").iterdir()) == [
        *(p.name for p in chosen),
        SCHEDULE_FILE,  # they have dates in their folder's manifest
    ]


def test_a_file_changed_since_the_build_is_refused_before_anything_is_copied(
    plan_build: Path, tmp_path: Path
) -> None:
    watch = fake_watch(tmp_path / "media")
    first, *_, race = sorted(plan_build.glob("20*.fit"))
    first.write_bytes(race.read_bytes())  # the race copied over Tuesday's session by hand
    result = run_cli("push", plan_build, "--to", watch)
    refused_with_nothing_copied(
        result,
        watch,
        f"{first}: the file is not the one the build made (its checksum is not the one in "
        "pacefit-manifest.json): it was changed since",
    )


def test_the_builds_own_schedule_named_by_a_glob_is_not_sent_as_a_workout(
    plan_build: Path, tmp_path: Path
) -> None:
    watch = fake_watch(tmp_path / "media")
    result = run_cli("push", *sorted(plan_build.glob("*.fit")), "--to", watch)
    refused_with_nothing_copied(
        result,
        watch,
        f"{plan_build / SCHEDULE_FILE}: this is a FIT schedule file, not a workout",
    )


def test_a_manifest_naming_a_file_elsewhere_is_damaged(plan_build: Path, tmp_path: Path) -> None:
    manifest = plan_build / "pacefit-manifest.json"
    document = json.loads(manifest.read_text())
    document["files"][0]["file"] = "../elsewhere.fit"
    manifest.write_text(json.dumps(document))
    result = run_cli("push", plan_build, "--to", fake_watch(tmp_path / "media"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{manifest}: pacefit's record is damaged ('../elsewhere.fit' is not a file of this folder)"
    )


def test_a_damaged_manifest_is_one_line(plan_build: Path, tmp_path: Path) -> None:
    (plan_build / "pacefit-manifest.json").write_text("{not json")
    result = run_cli("push", plan_build, "--to", fake_watch(tmp_path / "media"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(
        f"{plan_build / 'pacefit-manifest.json'}: pacefit's record is damaged ("
    )


# -- the receipt ----------------------------------------------------------------------------------


def take_in(new_files: Path, workouts: Path, name: str, as_name: str) -> None:
    """What a watch does with a workout it accepts: out of NewFiles, into its workouts folder
    under its own name, written its own way (here: another creation time)."""
    data = new_files.joinpath(name).read_bytes()
    rewritten = encode_workout(
        decode_workout(data, source=name), time_created=dt.datetime(2030, 1, 1)
    )
    assert rewritten != data
    workouts.mkdir(exist_ok=True)
    (workouts / as_name).write_bytes(rewritten)
    (new_files / name).unlink()


def test_status_says_waiting_accepted_or_not_taken(built: Path, tmp_path: Path) -> None:
    watch = fake_watch(tmp_path / "media")
    assert run_cli("push", built, "--to", watch).exit_code == 0
    new_files, workouts = watch / "GARMIN" / "NewFiles", watch / "GARMIN" / "Workouts"
    take_in(new_files, workouts, "6x1km-10k.fit", "W0001.FIT")
    take_in(new_files, workouts, "mix-5k-10k.fit", "W0002.FIT")
    (new_files / "ladder-400-1600.fit").unlink()  # gone, and not among the workouts
    (workouts / "NOTES.TXT").write_text("not a workout")
    result = run_cli("push", built, "--status", "--to", watch)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(" (")[0] for line in lines[:-1]] == [
        "accepted: 6x1km 10K",
        "waiting: 6x1mi 10K",
        "waiting: 6x800m 5K-",
        "not taken: Ladder 400-1600",
        "accepted: Mix 5K/10K",
        "waiting: Tempo 2x15min",
    ]
    assert "(6x1km-10k.fit as W0001.FIT, pushed " in lines[0]
    assert lines[-1] == f"{watch}: 3 waiting, 2 accepted, 1 not taken"


def test_status_over_mtp(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    device = fake_mtp_watch(tmp_path, monkeypatch)
    assert run_cli("push", built).exit_code == 0
    new_files, workouts = device / "GARMIN" / "NewFiles", device / "GARMIN" / "Workouts"
    take_in(new_files, workouts, "tempo-2x15min.fit", "123456.fit")
    result = run_cli("push", built, "--status")
    assert result.exit_code == 0, result.output
    assert "accepted: Tempo 2x15min (tempo-2x15min.fit as 123456.fit, pushed " in result.stdout
    assert result.stdout.splitlines()[-1] == "the MTP watch: 5 waiting, 1 accepted"


def test_status_before_any_push_says_so(built: Path, tmp_path: Path) -> None:
    result = run_cli("push", built, "--status", "--to", fake_watch(tmp_path / "media"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{built}: nothing has been pushed from this folder to a watch"
    )


def test_a_dry_run_is_not_recorded(built: Path, tmp_path: Path) -> None:
    assert (
        run_cli("push", built, "--dry-run", "--to", fake_watch(tmp_path / "media")).exit_code == 0
    )
    assert not (built / "pacefit-pushes.json").exists()


# -- a watch unplugged mid-push, on a real mounted file system ----------------------------------


@pytest.mark.parametrize("moment", ["between files", "inside a write", "and another disk"])
def test_a_watch_unplugged_mid_push_gets_nothing_more_and_the_log_says_what_it_has(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    """The watch is a tmpfs, unmounted after the second file (or while the third is being
    written): its emptied mount point must not become a watch on the computer's own disk."""
    import pacefit.delivery.usb as usb
    from pacefit.files import write_atomic

    mount = tmp_path / "media" / "WATCH"
    with tmpfs(mount):
        (mount / "GARMIN" / "NewFiles").mkdir(parents=True)
        written: list[Path] = []
        real_write = write_atomic

        def write_then_unplug(path: Path, data: bytes, **options: object) -> bool:
            if len(written) == 2 and moment != "inside a write":
                unmount(mount)
                if moment == "and another disk":  # a folder of that name on the computer
                    (mount / "GARMIN" / "NewFiles").mkdir(parents=True)
            done = real_write(path, data, **options)  # type: ignore[arg-type]
            written.append(path)
            return done

        real_fsync = os.fsync

        def fsync_then_unplug(descriptor: int) -> None:
            real_fsync(descriptor)
            if len(written) == 2 and moment == "inside a write":
                unmount(mount)  # the temporary file is written, not yet renamed

        monkeypatch.setattr(usb, "write_atomic", write_then_unplug)
        monkeypatch.setattr(os, "fsync", fsync_then_unplug)
        result = run_cli("push", built, "--to", mount)
        monkeypatch.undo()

        assert result.exit_code == 1
        names = sorted(p.name for p in built.glob("*.fit"))
        on_disk = sorted(str(p.relative_to(mount)) for p in mount.rglob("*"))
        assert on_disk == ([] if moment != "and another disk" else ["GARMIN", "GARMIN/NewFiles"])
        new_files = mount / "GARMIN" / "NewFiles"
        assert result.stdout.splitlines() == [
            f"copied: {names[0]} -> {new_files / names[0]}",
            f"copied: {names[1]} -> {new_files / names[1]}",
            f"{mount}: 2 copied, 4 not sent",
            f"stopped at {names[2]}; not sent: {', '.join(names[2:])}",
        ]
        assert result.stderr.splitlines()[:2] == [
            f"{new_files / names[2]}: the watch is no longer mounted at {mount}: nothing more "
            "was copied",
            "  hint: was it unplugged? Connect it again and push again: files already copied "
            "are in the push log and are not sent twice",
        ]
        log = json.loads((built / "pacefit-pushes.json").read_text())
        assert [record["file"] for record in log["pushes"]] == names[:2]


def test_a_push_removes_what_an_interrupted_push_left_in_new_files(
    built: Path, tmp_path: Path
) -> None:
    watch = fake_watch(tmp_path / "media")
    new_files = watch / "GARMIN" / "NewFiles"
    (new_files / ".6x1km-10k.fit.a1b2c3d4.part").write_bytes(b"half a workout")
    (new_files / "THEIRS.FIT").write_bytes(b"another program's")
    assert run_cli("push", built, "--to", watch).exit_code == 0
    assert sorted(p.name for p in new_files.iterdir()) == sorted(
        [*(p.name for p in built.glob("*.fit")), "THEIRS.FIT"]
    )


def test_a_full_watch_is_one_line_naming_the_file(built: Path, tmp_path: Path) -> None:
    mount = tmp_path / "media" / "WATCH"
    with tmpfs(mount, size_kb=64):
        (mount / "GARMIN" / "NewFiles").mkdir(parents=True)
        fill(mount)
        result = run_cli("push", built, "--to", mount)
        assert result.exit_code == 1
        first = sorted(built.glob("*.fit"))[0].name
        assert result.stderr.splitlines()[0] == (
            f"{mount / 'GARMIN' / 'NewFiles' / first}: cannot write the file: No space left "
            "on device"
        )
        assert sorted(p.name for p in mount.rglob("*")) == ["GARMIN", "NewFiles", "filler"]
        assert not (built / "pacefit-pushes.json").exists()


def test_a_watch_file_that_cannot_be_read_stops_the_push_in_one_line(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    watch = fake_watch(tmp_path / "media")
    workouts = watch / "GARMIN" / "Workouts"
    workouts.mkdir()
    (workouts / "A.FIT").write_bytes(b"")
    read_bytes = Path.read_bytes

    def flaky(path: Path) -> bytes:  # an I/O error of the watch's storage
        if path.parent == workouts:
            raise OSError(5, "Input/output error", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", flaky)
    result = run_cli("push", built, "--to", watch)
    refused_with_nothing_copied(
        result,
        watch,
        f"{workouts / 'A.FIT'}: cannot read the watch's file: Input/output error",
    )


# -- a push that knows what the watch has ---------------------------------------------------------


def test_what_the_watch_took_in_is_not_sent_again_unless_forced(
    built: Path, tmp_path: Path
) -> None:
    watch = fake_watch(tmp_path / "media")
    new_files, workouts = watch / "GARMIN" / "NewFiles", watch / "GARMIN" / "Workouts"
    assert run_cli("push", built, "--to", watch).exit_code == 0
    take_in(new_files, workouts, "6x1km-10k.fit", "W0001.FIT")
    status = run_cli("push", built, "--status", "--to", watch)
    assert "accepted: 6x1km 10K (6x1km-10k.fit as W0001.FIT, pushed " in status.stdout
    again = run_cli("push", built, "--to", watch)
    assert again.exit_code == 0
    assert "already on the watch: 6x1km-10k.fit (as W0001.FIT)" in again.stdout.splitlines()
    assert again.stdout.splitlines()[-1] == f"{watch}: 1 already on the watch, 5 identical"
    assert not (new_files / "6x1km-10k.fit").exists()  # no second copy for the watch
    forced = run_cli("push", built, "--to", watch, "--force")
    assert f"copied: 6x1km-10k.fit -> {new_files / '6x1km-10k.fit'}" in forced.stdout
    assert (new_files / "6x1km-10k.fit").exists()


def test_status_goes_where_the_last_push_went(built: Path, tmp_path: Path) -> None:
    watch = fake_watch(tmp_path / "elsewhere")  # not under the folders searched for watches
    nowhere = {"PACEFIT_MOUNT_ROOTS": str(tmp_path / "no-drives"), "PATH": ""}
    assert run_cli("push", built, "--to", watch).exit_code == 0
    status = run_cli("push", built, "--status", env=nowhere)
    assert status.exit_code == 0, status.output
    assert status.stdout.splitlines()[-1] == f"{watch}: 6 waiting"
    shutil.rmtree(watch)  # unplugged
    gone = run_cli("push", built, "--status", env=nowhere)
    assert gone.exit_code == 1
    assert gone.stderr == (
        f"error: the watch the last push went to ({watch}) is not connected\n"
        "  hint: connect it, or name where it is mounted with --to\n"
    )


def test_no_hint_is_cut_short(built: Path, tmp_path: Path) -> None:
    none = run_cli("push", built, env={"PACEFIT_MOUNT_ROOTS": str(tmp_path / "e"), "PATH": ""})
    assert none.exit_code == 1
    hint = none.stderr.splitlines()[1]
    assert hint == f"  hint: {INSTALL_HELP}"
    assert hint.endswith(
        "If the watch is mounted somewhere pacefit does not look, name it with --to."
    )


def test_a_read_only_watch_or_build_folder_is_one_line_naming_the_file(
    built: Path, tmp_path: Path
) -> None:
    mount = tmp_path / "media" / "WATCH"
    with tmpfs(mount):
        (mount / "GARMIN" / "NewFiles").mkdir(parents=True)
        remount(mount, read_only=True)
        result = run_cli("push", built, "--to", mount)
        assert result.exit_code == 1
        first = sorted(built.glob("*.fit"))[0].name
        assert result.stderr.splitlines()[0] == (
            f"{mount / 'GARMIN' / 'NewFiles' / first}: cannot write the file: Read-only file system"
        )
        assert not (built / "pacefit-pushes.json").exists()
    # a read-only watch with no NewFiles yet: the folder cannot be made, not "unplugged"
    bare = tmp_path / "media" / "BARE"
    with tmpfs(bare):
        (bare / "GARMIN").mkdir()
        remount(bare, read_only=True)
        result = run_cli("push", built, "--to", bare)
        assert result.exit_code == 1
        assert result.stderr.splitlines()[0] == (
            f"{bare / 'GARMIN' / 'NewFiles'}: cannot create the folder: Read-only file system"
        )
    watch = fake_watch(tmp_path / "media", "OTHER")
    folder = tmp_path / "ro-build"
    with tmpfs(folder):
        shutil.copytree(built, folder, dirs_exist_ok=True)
        remount(folder, read_only=True)
        result = run_cli("push", folder, "--to", watch)
        assert result.exit_code == 1
        assert result.stdout.splitlines()[-1] == f"{watch}: 6 copied"  # they are on the watch
        assert result.stderr.splitlines()[0] == (
            f"{folder / 'pacefit-pushes.json'}: cannot write the file: Read-only file system"
        )
        assert result.stderr.splitlines()[-1] == "Error: the push log could not be written"
