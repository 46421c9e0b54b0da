"""Hostile input: nothing but pacefit's own errors, nothing half-written, nothing escapes.

Each test is bounded to a few seconds (hypothesis example counts and seeded samples are fixed).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacefit.core.paces import Athlete
from pacefit.errors import PacefitError, PacefitWarning, WorkoutError
from pacefit.files import path_inside, safe_filename
from pacefit.formats import read_activity
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.fit_decode import fit_crc16
from pacefit.formats.fit_workout import read_workout
from pacefit.formats.workout_yaml import parse_workout
from pacefit.formats.yaml_source import YamlSource
from pacefit.jobs.build import build_plan

from .garmin_sdk import decode_checked
from .helpers import ATHLETE_FILE, WORKOUTS, assert_one_line_naming, run_cli, shared_fixture
from .mutants import DECODER_WORDS

ATHLETE = Athlete(race_times_s={"10k": 45 * 60})
VALID = (WORKOUTS / "10k" / "intervals-800.yaml").read_text()

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(
        ["800m", "5k", "lap", "1:30", "-3km", "zone 9", "until hr < 5bpm", "0", "1e9mi"]
    ),
)
keys = st.one_of(
    st.sampled_from(
        [
            "name",
            "steps",
            "run",
            "repeat",
            "pace",
            "hr",
            "ladder",
            "warmup",
            "rest",
            "recover",
            "cooldown",
            "tolerance",
            "notes",
            "cadence",
            "power",
            "beginner",
        ]
    ),
    st.text(max_size=8),
)
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=25,
)


def load_text(text: str) -> None:
    parse_workout(YamlSource(text=text, path="w.yaml"), athlete=ATHLETE)


def assert_located(error: WorkoutError) -> None:
    assert error.location is not None and error.location.path == "w.yaml"
    assert error.location.line is not None
    assert "\n" not in error.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_arbitrary_yaml_documents_give_only_located_workout_errors(document: object) -> None:
    try:
        load_text(yaml.safe_dump(document))
    except WorkoutError as error:
        assert_located(error)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_valid_workouts_give_only_located_workout_errors(data: st.DataObject) -> None:
    text = VALID
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["delete", "insert", "replace"]))
        snippet = data.draw(
            st.sampled_from(
                [
                    ":",
                    "-",
                    " ",
                    "\n",
                    "[",
                    "{",
                    "'",
                    "!",
                    "0",
                    "x",
                    "\t",
                    "&a",
                    "*a",
                    "\x00",
                    "é",
                    "99999",
                ]
            )
        )
        if action == "delete":
            text = text[:position] + text[position + 5 :]
        elif action == "insert":
            text = text[:position] + snippet + text[position:]
        else:
            text = text[:position] + snippet + text[position + 1 :]
    try:
        load_text(text)
    except WorkoutError as error:
        assert_located(error)


def test_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(WorkoutError) as caught:
        load_text("steps: " + "[" * 5000 + "]" * 5000)
    assert_located(caught.value)
    nested = (
        "steps:\n"
        + "".join("  " * d + "- repeat: 2\n" + "  " * d + "  steps:\n" for d in range(8))
        + "  " * 8
        + "- run: 1km\n"
    )
    with pytest.raises(WorkoutError, match="nested more than 4 deep"):
        load_text(nested)


ABSURD = [
    (
        "steps:\n  - run: 10000km\n",
        "w.yaml:2:10: a step of 10000km is longer than any run\n  hint: steps are at most 500km",
    ),
    (
        "steps:\n  - repeat: 0\n    steps:\n      - run: 1km\n",
        "w.yaml:2:13: the repeat count must be a whole number from 1 to 99, got '0'",
    ),
    (
        "steps:\n  - repeat: 10000\n    steps:\n      - run: 1km\n",
        "w.yaml:2:13: the repeat count must be a whole number from 1 to 99, got '10000'",
    ),
    (
        "steps:\n  - run: 1km\n    pace: 0:00/km\n",
        "w.yaml:3:11: the pace '0:00/km' works out to 0:00/km, which is not a running pace",
    ),
    (
        "steps:\n  - run: 1km\n    name: " + "x" * 10_000 + "\n",
        "w.yaml:3:11: 'name' is 10000 characters long\n  hint: keep it under 200",
    ),
    (
        "steps:\n" + "  - run: 1km\n" * 500,
        # refused at the 101st step, before the rest is read
        "w.yaml:102:5: the workout has more than 100 steps; watches accept at most 100",
    ),
    ("steps:\n  - run: 48h\n", "w.yaml:2:10: a step of 48h is longer than any run"),
]


@pytest.mark.parametrize(("text", "message"), ABSURD, ids=[m[:30] for m, _ in ABSURD])
def test_absurd_values_are_refused(text: str, message: str) -> None:
    with pytest.raises(WorkoutError) as caught:
        load_text(text)
    assert str(caught.value).startswith(message)


def alias_bomb(width: int) -> str:
    """A workout of a few hundred bytes whose nested aliases stand for width**4 steps."""
    refs = "[" + ",".join(["*{}"] * width) + "]"
    return (
        "name: bomb\nsteps:\n- &a {run: 1km}\n"
        f"- &b {{repeat: 2, steps: {refs.format(*'a' * width)}}}\n"
        f"- &c {{repeat: 2, steps: {refs.format(*'b' * width)}}}\n"
        f"- &d {{repeat: 2, steps: {refs.format(*'c' * width)}}}\n"
        f"- repeat: 2\n  steps: {refs.format(*'d' * width)}\n"
    )


def test_an_alias_bomb_is_refused_while_it_is_composed() -> None:
    text = alias_bomb(40)  # 2.6 million steps in 618 bytes
    assert len(text) < 1000
    with pytest.raises(WorkoutError) as caught:
        load_text(text)
    assert str(caught.value) == (
        "w.yaml:6:26: the file holds more than 10,000 values (aliases counted as what they "
        "repeat)\n  hint: workout, plan and athlete files hold a few thousand values at most"
    )
    with pytest.raises(WorkoutError) as caught:
        load_text("steps: &s\n  - repeat: 2\n    steps: *s\n")
    assert str(caught.value) == (
        "w.yaml:3:12: an alias refers to the value that holds it\n"
        "  hint: an alias may repeat a value written before it, not one it is part of"
    )


def test_a_huge_workout_is_refused_by_its_size_or_by_its_values(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    huge.write_text("name: huge\nsteps:\n" + "  - run: 1km\n" * 350_000)  # 4.6 MB
    with pytest.raises(WorkoutError) as caught:
        YamlSource.from_file(huge)
    assert str(caught.value) == (
        f"{huge}: the file is 4.6 MB; pacefit reads YAML files of at most 1 MB\n"
        "  hint: workout, plan and athlete files hold a few thousand values at most"
    )
    with pytest.raises(
        WorkoutError, match=r"^w.yaml:3334:5: the file holds more than 10,000 values"
    ):
        load_text("steps:\n" + "  - run: 1km\n" * 70_000)  # under 1 MB


def test_repeats_that_unroll_to_millions_of_steps_are_refused_at_the_repeat() -> None:
    text = (
        "steps:\n"
        + "".join("  " * d + "- repeat: 99\n" + "  " * d + "  steps:\n" for d in range(4))
        + "  " * 4
        + "- run: 1km\n"
        + "  " * 4
        + "- recover: 1km\n"
    )
    with pytest.raises(WorkoutError) as caught:
        load_text(text)
    assert str(caught.value) == (
        "w.yaml:6:7: the workout runs 19,602 steps once its repeats are unrolled; no session "
        "runs more than 5,000\n  hint: use fewer repetitions"
    )


@pytest.mark.parametrize(
    ("length", "why"),
    [
        ('"0:00"', ""),
        ("0.0001m", "a watch counts a step's distance in centimetres: '0.0001m' would be "),
        ("0.0004s", "a watch counts a step's time in milliseconds: '0.0004s' would be "),
        ("0s", ""),
        ("0m", ""),
    ],
)
def test_a_length_a_watch_would_write_as_zero_is_refused(length: str, why: str) -> None:
    with pytest.raises(WorkoutError) as caught:
        load_text(f"steps:\n  - run: {length}\n")
    message, hint = str(caught.value).split("\n  hint: ")
    shown = length.strip('"')
    assert message == f"w.yaml:2:10: a duration must be more than zero, got '{shown}'"
    assert hint.startswith(why)
    assert hint.endswith("or 'until hr < 130bpm'")
    load_text("steps:\n  - run: 0.01m\n  - run: 0.001s\n")  # a centimetre, a millisecond


# -- FIT readers ------------------------------------------------------------------------------


def reframed(data: bytes) -> bytes:
    """A cut or damaged FIT file with its header length and checksums made right again, so
    that the decoder itself, not the checksum check before it, meets the damage."""
    header_size = data[0]
    header = bytearray(data[:header_size])
    body = data[header_size:]
    header[4:8] = len(body).to_bytes(4, "little")
    if header_size == 14:
        header[12:14] = fit_crc16(bytes(header[:12])).to_bytes(2, "little")
    framed = bytes(header) + body
    return framed + fit_crc16(framed).to_bytes(2, "little")


def read_or_refuse(read: Callable[[Path], object], path: Path) -> None:
    """A damaged file is read (when the damage lands in a value, perhaps with a correction
    named in a warning) or refused in one line that names it; anything else (a traceback, a
    message without the file) fails the test."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PacefitWarning)
        try:
            read(path)
        except PacefitError as error:
            assert_one_line_naming(error, path)
            assert not DECODER_WORDS.search(error.headline), error.headline
    for warning in caught:
        assert isinstance(warning.message, PacefitWarning), warning.message
        assert_one_line_naming(warning.message, path)


def _every_cut(data: bytes, path: Path, read: Callable[[Path], object]) -> None:
    for length in range(len(data)):
        path.write_bytes(data[:length])
        with pytest.raises(PacefitError) as caught:  # refused by the framing check
            read(path)
        assert_one_line_naming(caught.value, path)
        if length > data[0]:
            path.write_bytes(reframed(data[:length]))
            read_or_refuse(read, path)  # a cut on a message boundary may read


def test_every_truncation_of_a_real_workout_is_a_clean_error(tmp_path: Path) -> None:
    data = shared_fixture("fit/workouts/WorkoutRepeatSteps.fit").read_bytes()
    _every_cut(data, tmp_path / "cut.fit", read_workout)


def test_every_truncation_of_a_short_real_run_is_a_clean_error(tmp_path: Path) -> None:
    data = shared_fixture("fit/activities/Activity.fit").read_bytes()
    _every_cut(data, tmp_path / "cut.fit", read_activity)


def _fenix() -> bytes:
    return shared_fixture("fit/activities/activity-large-fenxi2-multisport.fit").read_bytes()


def test_seeded_truncations_of_the_fenix2_run(tmp_path: Path) -> None:
    data = _fenix()
    rng = random.Random(20261126)
    path = tmp_path / "cut.fit"
    for length in sorted(rng.sample(range(len(data)), 60)):
        path.write_bytes(data[:length])
        with pytest.raises(PacefitError, match=r"cut short|not a FIT file") as caught:
            read_activity(path)
        assert_one_line_naming(caught.value, path)
    # Decoding costs time in proportion to the bytes before the cut: the decoder meets cuts in
    # the first 16 KB, where the definitions and the first records live.
    for length in sorted(rng.sample(range(15, 16_000), 120)):
        path.write_bytes(reframed(data[:length]))
        read_or_refuse(read_activity, path)


def test_seeded_byte_flips_of_the_fenix2_run(tmp_path: Path) -> None:
    """Flipped bits behind a valid checksum: the decoder meets garbage it must refuse cleanly
    (or read, when the flip lands in a value)."""
    data = _fenix()[:8_000]
    rng = random.Random(7)
    path = tmp_path / "flip.fit"
    for _ in range(120):
        flipped = bytearray(data)
        flipped[rng.randrange(14, len(flipped))] ^= 1 << rng.randrange(8)
        path.write_bytes(reframed(bytes(flipped)))
        read_or_refuse(read_activity, path)


def test_flips_anywhere_in_the_fenix2_run_are_caught_by_the_checksum(tmp_path: Path) -> None:
    data = _fenix()
    rng = random.Random(99)
    path = tmp_path / "flip.fit"
    for _ in range(15):
        flipped = bytearray(data)
        position = rng.randrange(14, len(flipped))
        flipped[position] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(flipped))
        with pytest.raises(
            PacefitError, match=r"checksum is wrong|cut short|corrupt FIT header"
        ) as caught:
            read_activity(path)
        assert_one_line_naming(caught.value, path)


def test_a_bad_checksum_is_refused_unless_asked(tmp_path: Path) -> None:
    data = bytearray(shared_fixture("fit/activities/garmin-fenix-5-run.fit").read_bytes())
    data[-1] ^= 0xFF
    path = tmp_path / "bad-crc.fit"
    path.write_bytes(bytes(data))
    args = [
        "analyze",
        str(path),
        "--workout",
        str(WORKOUTS / "easy" / "easy-run.yaml"),
        "--athlete",
        str(ATHLETE_FILE),
    ]
    refused = run_cli(*args)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"{path}: the file's checksum is wrong: it is corrupt\n"
        "  hint: pass --ignore-crc to read it anyway\n"
    )
    allowed = run_cli(*args, "--ignore-crc")
    assert allowed.exit_code == 0, allowed.output
    assert allowed.stderr == f"{path}: warning: the checksum is wrong; read anyway\n"


# -- output paths and interruptions -----------------------------------------------------------


@given(st.text(max_size=60))
def test_no_workout_name_escapes_the_output_folder(name: str) -> None:
    filename = safe_filename(name, suffix=".fit")
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*\.fit", filename)
    folder = Path("/tmp/pacefit-out")
    assert path_inside(folder, filename).parent == folder


def _interrupt_on_call(monkeypatch: pytest.MonkeyPatch, target: object, name: str, n: int) -> None:
    """Make `target.name` (a public function) raise KeyboardInterrupt on its n-th call."""
    original = getattr(target, name)
    calls = {"count": 0}

    def wrapper(*args: object, **kwargs: object) -> object:
        calls["count"] += 1
        if calls["count"] == n:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapper)


def _assert_clean(folder: Path, *, expected_whole: int) -> None:
    files = sorted(folder.iterdir())
    assert not [p for p in files if p.name.startswith(".") or p.suffix == ".part"]
    assert len([p for p in files if p.suffix == ".fit"]) == expected_whole
    for path in files:
        if path.suffix == ".fit":
            decode_checked(path.read_bytes())


def test_a_build_interrupted_between_files_leaves_only_whole_files(tmp_path: Path) -> None:
    def interrupt_after_three(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        build_plan(
            WORKOUTS / "plans" / "10k-8wk",
            race_date=dt.date(2027, 1, 24),
            athlete=load_athlete(ATHLETE_FILE),
            out_dir=out,
            progress=interrupt_after_three,
        )
    _assert_clean(out, expected_whole=3)


def test_a_build_interrupted_inside_a_write_leaves_only_whole_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _interrupt_on_call(monkeypatch, os, "fsync", 4)
    out = tmp_path / "out"
    args = ["build", WORKOUTS / "plans" / "10k-8wk", "--race-date", "2027-01-24"]
    result = run_cli(*args, "--athlete", ATHLETE_FILE, "-o", out)
    assert result.exit_code == 130
    assert result.stderr.endswith("interrupted\n")
    _assert_clean(out, expected_whole=3)


@pytest.mark.parametrize("where", ["between files", "during a write"])
def test_an_interrupted_push_leaves_only_whole_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    from pacefit.delivery import usb

    built = tmp_path / "built"
    build_plan(WORKOUTS / "10k", race_date=None, athlete=load_athlete(ATHLETE_FILE), out_dir=built)
    watch = tmp_path / "watch"
    (watch / "GARMIN" / "NewFiles").mkdir(parents=True)
    if where == "between files":
        _interrupt_on_call(monkeypatch, usb, "write_atomic", 3)
    else:
        _interrupt_on_call(monkeypatch, os, "fsync", 3)
    result = run_cli("push", built, "--to", watch)
    assert result.exit_code == 130
    _assert_clean(watch / "GARMIN" / "NewFiles", expected_whole=2)


def test_truncated_and_garbled_gpx_is_a_clean_error(tmp_path: Path) -> None:
    data = shared_fixture("gpx/cerknicko-jezero.gpx").read_bytes()
    path = tmp_path / "cut.gpx"
    for length in range(0, len(data), 250):
        for variant in (data[:length], data[:length] + b"\xff\xfe<" + data[length + 3 :]):
            path.write_bytes(variant)
            read_or_refuse(read_activity, path)


@pytest.mark.parametrize("file_format", ["zwo", "icu", "tcx", "gcjson"])
def test_cut_and_garbled_workouts_of_other_programs_are_clean_errors(
    file_format: str, tmp_path: Path
) -> None:
    """Every cut (and a garbled tail at each) of a workout in each outside format is read or
    refused in one line naming the file: never a traceback."""
    from pacefit.formats import read_workout_file
    from pacefit.jobs.compile import compile_file
    from pacefit.jobs.workouts import read_options

    athlete = load_athlete(ATHLETE_FILE)
    options = read_options(athlete)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PacefitWarning)
        written = compile_file(
            WORKOUTS / "10k" / "mix.yaml", athlete=athlete, out_dir=tmp_path,
            file_format=file_format,
        ).output  # fmt: skip
        data = written.read_bytes()
        path = tmp_path / f"damaged{written.suffix}"
        for length in range(0, len(data), max(1, len(data) // 200)):
            for variant in (data[:length], data[:length] + b'\xff"<{9' + data[length + 5 :]):
                path.write_bytes(variant)
                read_or_refuse(lambda p: read_workout_file(p, options=options), path)


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every place in a JSON document, deepest last."""
    found: list[tuple[object, ...]] = [prefix] if prefix else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(
        value, list) else ()  # fmt: skip
    for key, child in items:
        found.extend(_paths(child, (*prefix, key)))
    return found


def test_every_value_of_a_garmin_connect_workout_swapped_for_junk_is_a_clean_error(
    tmp_path: Path,
) -> None:
    from pacefit.formats.gc_workout import read_gc_json
    from pacefit.jobs.compile import compile_file

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PacefitWarning)
        written = compile_file(WORKOUTS / "10k" / "intervals-800.yaml",
                               athlete=load_athlete(ATHLETE_FILE), out_dir=tmp_path,
                               file_format="gcjson").output  # fmt: skip
        document = json.loads(written.read_text())
        path = tmp_path / "junk.json"
        for place in _paths(document):
            junks: tuple[object, ...] = ("x", None, -1, 1e300, [], {}, True)
            for junk in junks:
                mutated = json.loads(written.read_text())
                parent = mutated
                for key in place[:-1]:
                    parent = parent[key]
                parent[place[-1]] = junk
                path.write_text(json.dumps(mutated))
                read_or_refuse(read_gc_json, path)


@pytest.mark.parametrize("file_format", ["zwo", "tcx"])
def test_every_value_of_an_xml_workout_swapped_for_junk_is_a_clean_error(
    file_format: str, tmp_path: Path
) -> None:
    from lxml import etree

    from pacefit.formats import read_workout_file
    from pacefit.jobs.compile import compile_file
    from pacefit.jobs.workouts import read_options

    athlete = load_athlete(ATHLETE_FILE)
    options = read_options(athlete)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PacefitWarning)
        written = compile_file(WORKOUTS / "10k" / "mix.yaml", athlete=athlete, out_dir=tmp_path,
                               file_format=file_format).output  # fmt: skip
        count = sum(1 for _ in etree.parse(str(written)).iter())
        path = tmp_path / f"junk{written.suffix}"
        for index in range(count):
            for junk in ("x", "-1", "nan", "1e309", "", "99999999999"):
                tree = etree.parse(str(written))
                element = list(tree.iter())[index]
                if element.attrib:
                    name = sorted(element.attrib)[0]
                    element.set(name, junk)
                else:
                    element.text = junk
                tree.write(str(path))
                read_or_refuse(lambda p: read_workout_file(p, options=options), path)
