"""Plan files (`plan.yaml`): a block of weeks, or a chain of blocks.

name: 10K block                 # a block
weeks: 8
library: ../..                  # workout paths are relative to this (default: the plan's folder)
schedule:
  1:
    tue: {workout: 10k/intervals-800.yaml, repeat: {beginner: 2, intermediate: 4}}
    wed: {beginner: rest, advanced: easy/easy-run.yaml}   # a day per level; rest: none
    thu: {workout: 10k/tempo-2x15.yaml, time: 7min}
  8:
    race: races/10k.yaml

Any value may be a level map; the plan is built at one level (`build --level`, or the athlete
file's `level:`), which is also the level of each session's workout unless it says `level:`.

name: Marathon in 20 weeks      # a chain: blocks back to back, the last ends on race day
blocks: [../10k-8wk, ../marathon-12wk]
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from pacefit.core import units
from pacefit.core.plan import MAX_PLAN_WEEKS, RACE_DAY, WEEKDAYS, Block, SessionSpec
from pacefit.core.workout import DEFAULT_LEVEL, LEVELS, Overrides
from pacefit.formats.workout_yaml import LengthCheck, check_step_distance, check_step_time
from pacefit.formats.yaml_source import YamlSource, is_level_map

PLAN_FILE = "plan.yaml"
BLOCK_KEYS = ("name", "weeks", "library", "schedule", "description")
CHAIN_KEYS = ("name", "blocks", "description")
SESSION_KEYS = ("workout", "level", "repeat", "distance", "time")
NO_SESSION = "rest"
DAY_KEYS = (*WEEKDAYS, RACE_DAY)
MAX_CHAIN_DEPTH = 4


def load_plan(folder: Path, *, level: str = DEFAULT_LEVEL) -> tuple[str, list[Block]]:
    """The plan's name and its blocks in order (one block unless the plan chains others), as
    built for a runner at `level`."""
    return _load(folder, level=level, depth=0)


def _load(folder: Path, *, level: str, depth: int) -> tuple[str, list[Block]]:
    source = YamlSource.from_file(folder / PLAN_FILE)
    root = source.root
    is_chain = isinstance(root, yaml.MappingNode) and any(
        isinstance(k, yaml.ScalarNode) and k.value == "blocks" for k, _ in root.value
    )
    if not is_chain:
        block = _block(source, folder, level)
        return block.name, [block]
    top = source.mapping(root, what="a plan", allowed=CHAIN_KEYS)
    name = source.text(top["name"].value, what="'name'") if "name" in top else folder.name
    if depth >= MAX_CHAIN_DEPTH:
        source.fail(root, "plans chain too deeply (or in a circle)")
    blocks: list[Block] = []
    for item in source.sequence(top["blocks"].value, what="'blocks'"):
        relative = source.text(item, what="a block folder")
        child = (folder / relative).resolve()
        if not (child / PLAN_FILE).is_file():
            source.fail(
                item, f"no {PLAN_FILE} in '{relative}'", "name a plan folder, relative to this one"
            )
        blocks.extend(_load(child, level=level, depth=depth + 1)[1])
    if not blocks:
        source.fail(top["blocks"].value, "the plan chains no blocks")
    return name, blocks


def _block(source: YamlSource, folder: Path, level: str) -> Block:
    top = source.mapping(source.root, what="a plan", allowed=BLOCK_KEYS)
    for required in ("weeks", "schedule"):
        if required not in top:
            source.fail(
                source.root,
                f"the plan has no '{required}'",
                "a plan needs 'weeks:' and 'schedule:' (or 'blocks:' to chain plans)",
            )
    weeks = _whole_number(source, top["weeks"].value, what="'weeks'", high=MAX_PLAN_WEEKS)
    library = folder
    if "library" in top:
        library = (folder / source.text(top["library"].value, what="'library'")).resolve()
    sessions: dict[int, tuple[SessionSpec, ...]] = {}
    schedule = top["schedule"].value
    for week_text, entry in source.mapping(
        schedule, what="'schedule'", allowed=tuple(str(n) for n in range(1, weeks + 1))
    ).items():
        days = source.mapping(entry.value, what=f"week {week_text}", allowed=DAY_KEYS)
        specs = (
            _session(source, day, day_entry.value, library=library, level=level)
            for day, day_entry in days.items()
        )
        sessions[int(week_text)] = tuple(spec for spec in specs if spec is not None)
    name = source.text(top["name"].value, what="'name'") if "name" in top else folder.name
    return Block(name=name, weeks=weeks, sessions=sessions, plan_file=folder / PLAN_FILE)


def _session(
    source: YamlSource, day: str, node: yaml.Node, *, library: Path, level: str
) -> SessionSpec | None:
    """The day's session at `level`, or None on a day of rest."""
    if is_level_map(node):
        node = source.leveled(node, level)
    location = source.location(node)
    if isinstance(node, yaml.ScalarNode):
        if node.value == NO_SESSION:
            return None
        path = _workout_path(source, node, library)
        return SessionSpec(workout_path=path, day=day, location=location, level=level)
    entries = source.mapping(node, what="a session", allowed=SESSION_KEYS)
    if "workout" not in entries:
        source.fail(node, "the session names no workout", "add 'workout: path/to/workout.yaml'")
    if "distance" in entries and "time" in entries:
        source.fail(
            entries["time"].key,
            "a session changes its rep's distance or its time, not both",
            "keep 'distance:' or 'time:'",
        )

    def value(key: str) -> yaml.Node:
        return source.leveled(entries[key].value, level)

    repeat = distance_m = duration_s = None
    if "repeat" in entries:
        repeat = _whole_number(source, value("repeat"), what="'repeat'", high=99)
    if "distance" in entries:
        distance_m = _length(source, value("distance"), "distance")
    if "time" in entries:
        duration_s = _length(source, value("time"), "time")
    return SessionSpec(
        workout_path=_workout_path(source, value("workout"), library),
        day=day,
        location=location,
        level=_level(source, value("level")) if "level" in entries else level,
        overrides=Overrides(repeat=repeat, distance_m=distance_m, duration_s=duration_s),
    )


# How each length a session changes is read, checked as a workout file's step is, and written.
_LENGTHS: dict[str, tuple[Callable[[str], float | None], LengthCheck, str]] = {
    "distance": (units.parse_distance_m, check_step_distance, "1000m or 1mi"),
    "time": (units.parse_time_s, check_step_time, "7min or 1:30"),
}


def _length(source: YamlSource, node: yaml.Node, what: str) -> float:
    parse, check, examples = _LENGTHS[what]
    text = source.text(node, what=f"'{what}'")
    length = parse(text)
    if not length or length <= 0:
        source.fail(node, f"'{text}' is not a {what}", f"write e.g. {examples}")
    check(source, node, text, length)
    return length


def _workout_path(source: YamlSource, node: yaml.Node, library: Path) -> Path:
    relative = source.text(node, what="a workout path")
    path = (library / relative).resolve()
    if not path.is_file():
        source.fail(node, f"no workout file '{relative}'", f"paths are relative to {library}")
    return path


def _level(source: YamlSource, node: yaml.Node) -> str:
    text = source.text(node, what="'level'")
    if text not in LEVELS:
        source.fail(node, f"unknown level '{text}'", f"levels are {', '.join(LEVELS)}")
    return text


def _whole_number(source: YamlSource, node: yaml.Node, *, what: str, high: int) -> int:
    text = source.text(node, what=what)
    if not text.isdigit() or not 1 <= int(text) <= high:
        source.fail(node, f"{what} must be a whole number from 1 to {high}, got '{text}'")
    return int(text)
