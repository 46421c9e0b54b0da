"""Reading YAML as nodes, so that every value keeps its line and column for error messages.

`yaml.compose` builds nodes without constructing Python objects, so no tag is ever executed and
YAML 1.1 surprises (`1:30` read as 90, `no` read as False) never happen: every scalar stays text.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import yaml

from pacefit.core import units
from pacefit.core.workout import LEVELS
from pacefit.errors import InvalidValue, Location, WorkoutError
from pacefit.files import sha256

# Bounds on what a YAML file may hold, checked while it is composed, so that a hostile file is
# refused in a fraction of a second: the bundled plans hold about 550 values and a workout of
# 100 steps about 1,500; aliases count as every value they repeat (a few hundred bytes of nested
# aliases can otherwise stand for millions of steps).
MAX_YAML_BYTES = 1_000_000
MAX_YAML_NODES = 10_000
_SIZE_HINT = "workout, plan and athlete files hold a few thousand values at most"

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}


@dataclass(frozen=True)
class Entry:
    """One `key: value` pair of a mapping, with both nodes kept for locations."""

    key: yaml.ScalarNode
    value: yaml.Node


class _Refused(Exception):
    def __init__(self, message: str, mark: yaml.Mark, hint: str = _SIZE_HINT) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark
        self.hint = hint


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, counting the nodes it composes as it goes: an alias counts as every
    node it repeats, and an alias inside the node it names is refused."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.expanded_nodes = 0
        self.sizes: dict[int, int] = {}  # id(node) -> its nodes, aliases expanded

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        if self.check_event(yaml.AliasEvent):
            node = super().compose_node(parent, index)
            if node is None or id(node) not in self.sizes:
                raise _Refused(
                    "an alias refers to the value that holds it",
                    mark,
                    "an alias may repeat a value written before it, not one it is part of",
                )
            self._count(self.sizes[id(node)], mark)
            return node
        before = self.expanded_nodes
        self._count(1, mark)
        node = super().compose_node(parent, index)
        if node is not None:
            self.sizes[id(node)] = self.expanded_nodes - before
        return node

    def _count(self, nodes: int, mark: yaml.Mark) -> None:
        self.expanded_nodes += nodes
        if self.expanded_nodes > MAX_YAML_NODES:
            raise _Refused(
                f"the file holds more than {MAX_YAML_NODES:,} values (aliases counted as what "
                "they repeat)",
                mark,
            )


class YamlSource:
    """A YAML document and the helpers that read it while reporting `path:line:col`."""

    def __init__(self, *, text: str, path: str) -> None:
        self.path = path
        if len(text) > MAX_YAML_BYTES:
            raise WorkoutError(
                f"the file is {len(text) / 1e6:.1f} MB; pacefit reads YAML files of at most "
                f"{MAX_YAML_BYTES / 1e6:g} MB",
                location=Location(path),
                hint=_SIZE_HINT,
            )
        try:
            root = yaml.compose(text, Loader=_BoundedLoader)
        except _Refused as exc:
            raise WorkoutError(
                exc.message, location=self._mark_location(exc.mark), hint=exc.hint
            ) from exc
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise WorkoutError(
                f"YAML syntax error: {exc.problem or exc.context}",
                location=self._mark_location(mark),
                hint="check the indentation, and put a space after each ':'",
            ) from exc
        except yaml.reader.ReaderError as exc:
            line = text.count("\n", 0, exc.position) + 1
            column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
            raise WorkoutError(
                f"unreadable character {exc.character!r} in the file",
                location=Location(path, line, column),
                hint="save the file as plain UTF-8 text",
            ) from exc
        except yaml.YAMLError as exc:
            raise WorkoutError(f"YAML error: {exc}", location=Location(path, 1, 1)) from exc
        except RecursionError as exc:
            raise WorkoutError(
                "the YAML is nested too deeply to read", location=Location(path, 1, 1)
            ) from exc
        if root is None:
            raise WorkoutError("the file is empty", location=Location(path, 1, 1))
        self.root: yaml.Node = root

    @classmethod
    def from_file(cls, path: Path) -> YamlSource:
        """The file's document. A plan builds the same library workouts again and again: a
        text already composed is not composed again (the nodes are only ever read)."""
        try:
            text = _read_text(path)
        except WorkoutError:
            _note_read(path, None)
            raise
        _note_read(path, text)
        return _composed(text, str(path))

    def _mark_location(self, mark: yaml.Mark | None) -> Location:
        if mark is None:
            return Location(self.path)
        return Location(self.path, mark.line + 1, mark.column + 1)

    def location(self, node: yaml.Node) -> Location:
        return self._mark_location(node.start_mark)

    def fail(self, node: yaml.Node, message: str, hint: str = "") -> NoReturn:
        raise WorkoutError(message, location=self.location(node), hint=hint)

    def fail_value(self, node: yaml.Node, problem: InvalidValue) -> NoReturn:
        raise WorkoutError(
            problem.message, location=self.location(node), hint=problem.hint
        ) from problem

    def _check_tag(self, node: yaml.Node) -> None:
        if node.tag not in _PLAIN_TAGS:
            self.fail(node, f"YAML tag '{node.tag}' is not allowed", "remove the '!' tag")

    def mapping(
        self,
        node: yaml.Node,
        *,
        what: str,
        allowed: tuple[str, ...],
        also_valid_here: tuple[str, ...] = (),
    ) -> dict[str, Entry]:
        """The entries of a mapping node, refusing duplicates and keys not in `allowed`. A
        misspelt key is matched against `also_valid_here` too: keys that would make the node
        something else at this place (`repeat` for a step), so the suggestion is the key meant."""
        self._check_tag(node)
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping of 'key: value' lines, got {describe(node)}")
        entries: dict[str, Entry] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, f"a key in {what} must be a plain word")
            key = key_node.value
            if key in entries:
                self.fail(key_node, f"duplicate key '{key}' in {what}")
            if key not in allowed:
                hint = suggest(key, (*allowed, *also_valid_here))
                self.fail(key_node, f"unknown key '{key}' in {what}", hint)
            entries[key] = Entry(key=key_node, value=value_node)
        return entries

    def leveled(self, node: yaml.Node, level: str) -> yaml.Node:
        """The node for `level` when `node` is a level map (`{beginner: 2, intermediate: 6}`),
        else `node` itself. A level that is not listed takes the nearest listed level below
        it, or else above it. Any mapping here is taken for a level map, so that a misspelt
        level is reported rather than read as something else."""
        if not isinstance(node, yaml.MappingNode):
            return node
        by_level = self.mapping(node, what="a level map", allowed=LEVELS)
        chosen = LEVELS.index(level)
        below = [lvl for lvl in LEVELS[: chosen + 1] if lvl in by_level]
        above = [lvl for lvl in LEVELS[chosen:] if lvl in by_level]
        pick = below[-1] if below else above[0]
        return by_level[pick].value

    def sequence(self, node: yaml.Node, *, what: str) -> list[yaml.Node]:
        self._check_tag(node)
        if not isinstance(node, yaml.SequenceNode):
            self.fail(
                node, f"{what} must be a list, got {describe(node)}", "start each item with '- '"
            )
        return list(node.value)

    def text(self, node: yaml.Node, *, what: str) -> str:
        self._check_tag(node)
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, f"{what} must be a single value, got {describe(node)}")
        return str(node.value)


def is_level_map(node: yaml.Node) -> bool:
    """A mapping whose keys are all levels."""
    return (
        isinstance(node, yaml.MappingNode)
        and bool(node.value)
        and all(isinstance(k, yaml.ScalarNode) and k.value in LEVELS for k, _ in node.value)
    )


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:  # refused before it is read
            raise WorkoutError(
                f"the file is {size / 1e6:.1f} MB; pacefit reads YAML files of at most "
                f"{MAX_YAML_BYTES / 1e6:g} MB",
                location=Location(str(path)),
                hint=_SIZE_HINT,
            )
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkoutError(
            f"cannot read the file: {exc.strerror or exc}", location=Location(str(path))
        ) from exc
    except UnicodeDecodeError as exc:
        raise WorkoutError(
            f"the file is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
            f"{exc.start})",
            location=Location(str(path)),
            hint="save the file as plain UTF-8 text",
        ) from exc


class TextsRead:
    """The YAML files read while `reading_texts()` is open, each by a digest of its text (None
    where it could not be read): what a result built from them was built from."""

    def __init__(self) -> None:
        self.digests: dict[Path, str | None] = {}
        self.changed: set[Path] = set()  # files read twice in the meantime, differently

    def texts(self) -> tuple[tuple[Path, str | None], ...]:
        """Each file read, and the digest of what it held."""
        return tuple(self.digests.items())

    def consistent(self) -> bool:
        """Each file read the same every time it was read, and holds the same now."""
        return not self.changed and unchanged(self.texts())

    def note(self, path: Path, text: str | None) -> None:
        digest = _digest(text)
        if self.digests.setdefault(path, digest) != digest:
            self.changed.add(path)


_texts_read: ContextVar[TextsRead | None] = ContextVar("pacefit_texts_read", default=None)


@contextmanager
def reading_texts() -> Iterator[TextsRead]:
    """Notes every YAML file read inside it (in this thread), and what it held."""
    texts = TextsRead()
    token = _texts_read.set(texts)
    try:
        yield texts
    finally:
        _texts_read.reset(token)


def text_digest(path: Path) -> str | None:
    """What the file holds now, as `YamlSource.from_file` would read it (None: unreadable)."""
    try:
        return _digest(_read_text(path))
    except WorkoutError:
        return None


def unchanged(texts: Iterable[tuple[Path, str | None]]) -> bool:
    """Whether each file still holds what it held when it was read (`TextsRead.texts`)."""
    return all(text_digest(path) == digest for path, digest in texts)


def _note_read(path: Path, text: str | None) -> None:
    texts = _texts_read.get()
    if texts is not None:
        texts.note(path, text)


def _digest(text: str | None) -> str | None:
    return None if text is None else sha256(text.encode("utf-8"))


@functools.lru_cache(maxsize=256)
def _composed(text: str, path: str) -> YamlSource:
    return YamlSource(text=text, path=path)


def describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"'{node.value}'"


def suggest(key: str, allowed: tuple[str, ...]) -> str:
    import difflib  # here: only a mistake needs it, and every command reads YAML

    close = difflib.get_close_matches(key, allowed, n=1)
    listing = ", ".join(allowed)
    if close:
        return f"did you mean '{close[0]}'? (expected one of: {listing})"
    return f"expected one of: {listing}"


def read_tolerance(source: YamlSource, entries: dict[str, Entry], *, default: float) -> float:
    """The optional `tolerance:` of an athlete, workout, step or ladder, in s/km."""
    if "tolerance" not in entries:
        return default
    node = entries["tolerance"].value
    text = source.text(node, what="'tolerance'")
    tolerance = units.parse_tolerance_s_per_km(text)
    if tolerance is None or tolerance > 60:
        source.fail(
            node,
            f"cannot use the tolerance '{text}'",
            "write it as '5s/km' or '8s/mi' (at most 60s)",
        )
    return tolerance
