"""Plan files (`plan.yaml`): a block of weeks, or a chain of blocks.

name: 10K block                 # a block
weeks: 8
level: intermediate             # default level of its sessions
library: ../..                  # workout paths are relative to this (default: the plan's folder)
schedule:
  1:
    tue: {workout: 10k/intervals-800.yaml, repeat: 2}
    thu: 10k/tempo-2x15.yaml
  8:
    race: races/10k.yaml

name: Marathon in 20 weeks      # a chain: blocks back to back, the last ends on race day
blocks: [../10k-8wk, ../marathon-12wk]
"""

from __future__ import annotations

from pathlib import Path

import yaml

from pacefit.core import units
from pacefit.core.plan import MAX_PLAN_WEEKS, RACE_DAY, WEEKDAYS, Block, SessionSpec
from pacefit.core.workout import LEVELS, Overrides
from pacefit.formats.yaml_source import YamlSource

PLAN_FILE = "plan.yaml"
BLOCK_KEYS = ("name", "weeks", "level", "library", "schedule", "description")
CHAIN_KEYS = ("name", "blocks", "description")
SESSION_KEYS = ("workout", "level", "repeat", "distance")
DAY_KEYS = (*WEEKDAYS, RACE_DAY)
MAX_CHAIN_DEPTH = 4


def load_plan(folder: Path) -> tuple[str, list[Block]]:
    """The plan's name and its blocks in order (one block unless the plan chains others)."""
    return _load(folder, depth=0)


def _load(folder: Path, *, depth: int) -> tuple[str, list[Block]]:
    source = YamlSource.from_file(folder / PLAN_FILE)
    root = source.root
    is_chain = isinstance(root, yaml.MappingNode) and any(
        isinstance(k, yaml.ScalarNode) and k.value == "blocks" for k, _ in root.value
    )
    if not is_chain:
        block = _block(source, folder)
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
        blocks.extend(_load(child, depth=depth + 1)[1])
    if not blocks:
        source.fail(top["blocks"].value, "the plan chains no blocks")
    return name, blocks


def _block(source: YamlSource, folder: Path) -> Block:
    top = source.mapping(source.root, what="a plan", allowed=BLOCK_KEYS)
    for required in ("weeks", "schedule"):
        if required not in top:
            source.fail(
                source.root,
                f"the plan has no '{required}'",
                "a plan needs 'weeks:' and 'schedule:' (or 'blocks:' to chain plans)",
            )
    weeks = _whole_number(source, top["weeks"].value, what="'weeks'", high=MAX_PLAN_WEEKS)
    level = "intermediate"
    if "level" in top:
        level = _level(source, top["level"].value)
    library = folder
    if "library" in top:
        library = (folder / source.text(top["library"].value, what="'library'")).resolve()
    sessions: dict[int, tuple[SessionSpec, ...]] = {}
    schedule = top["schedule"].value
    for week_text, entry in source.mapping(
        schedule, what="'schedule'", allowed=tuple(str(n) for n in range(1, weeks + 1))
    ).items():
        days = source.mapping(entry.value, what=f"week {week_text}", allowed=DAY_KEYS)
        sessions[int(week_text)] = tuple(
            _session(source, day, day_entry.value, library=library, level=level)
            for day, day_entry in days.items()
        )
    name = source.text(top["name"].value, what="'name'") if "name" in top else folder.name
    return Block(name=name, weeks=weeks, sessions=sessions)


def _session(
    source: YamlSource, day: str, node: yaml.Node, *, library: Path, level: str
) -> SessionSpec:
    location = source.location(node)
    if isinstance(node, yaml.ScalarNode):
        path = _workout_path(source, node, library)
        return SessionSpec(workout_path=path, day=day, location=location, level=level)
    entries = source.mapping(node, what="a session", allowed=SESSION_KEYS)
    if "workout" not in entries:
        source.fail(node, "the session names no workout", "add 'workout: path/to/workout.yaml'")
    repeat = distance_m = None
    if "repeat" in entries:
        repeat = _whole_number(source, entries["repeat"].value, what="'repeat'", high=99)
    if "distance" in entries:
        distance_node = entries["distance"].value
        distance_m = units.parse_distance_m(source.text(distance_node, what="'distance'"))
        if not distance_m:
            source.fail(
                distance_node,
                f"'{distance_node.value}' is not a distance",
                "write e.g. 1000m or 1mi",
            )
    return SessionSpec(
        workout_path=_workout_path(source, entries["workout"].value, library),
        day=day,
        location=location,
        level=_level(source, entries["level"].value) if "level" in entries else level,
        overrides=Overrides(repeat=repeat, distance_m=distance_m),
    )


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
