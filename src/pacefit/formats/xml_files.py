"""XML files from anywhere (GPX, TCX), parsed safely: no entity expansion, no network.

Read as other programs read them: white space or a byte order mark before the XML declaration
is skipped, and a namespace prefix the file uses without declaring it (`gpxdata:cadence`) is
kept as part of the element's name, so readers match elements by local name. Anything else that
is not well-formed XML is refused at its line and column, in words about the file.

Runs are read incrementally (`iter_xml`): each element is handed over as it ends and can be
cleared, so memory stays within a few times the file size however long the run.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import IO

from lxml import etree

from pacefit.errors import ActivityError, Location, PacefitError

SAFE = {"resolve_entities": False, "no_network": True, "remove_comments": True}
SAFE_XML = etree.XMLParser(**SAFE)
# What the first bytes of a file may hold before its XML begins.
LEADING = b" \t\r\n"
UTF8_BOM = b"\xef\xbb\xbf"
# The XML mistakes libxml2 names, in a runner's words ("the GPX file ..."); any other is "not
# well-formed XML here".
MALFORMED_TAG = "has a malformed tag here"
WORDS = {
    "ERR_DOCUMENT_EMPTY": "is empty",
    "ERR_DOCUMENT_END": "goes on after the end of its XML",
    "ERR_TAG_NOT_FINISHED": "ends before its XML is complete: it is cut short",
    "ERR_TAG_NAME_MISMATCH": "closes a tag here that is not the last one opened",
    "ERR_INVALID_CHAR": "holds a character here that XML does not allow",
    "ERR_INVALID_CHARREF": "holds a character here that XML does not allow",
    "ERR_INVALID_ENCODING": "holds bytes here that are not text in its encoding",
    "ERR_UNDECLARED_ENTITY": "uses an entity here that it does not define",
    "ERR_RESERVED_XML_NAME": "has something before its XML declaration",
    "ERR_ATTRIBUTE_REDEFINED": "gives the same attribute twice here",
    "ERR_RESOURCE_LIMIT": "defines entities here that expand without end (an XML bomb)",
    **dict.fromkeys(
        (
            "ERR_LT_IN_ATTRIBUTE",
            "ERR_GT_REQUIRED",
            "ERR_ATTRIBUTE_NOT_STARTED",
            "ERR_ATTRIBUTE_WITHOUT_VALUE",
            "ERR_NAME_REQUIRED",
            "ERR_SPACE_REQUIRED",
            "ERR_STRING_NOT_STARTED",
            "ERR_STRING_NOT_CLOSED",
            "ERR_LTSLASH_REQUIRED",
        ),
        MALFORMED_TAG,
    ),
}
# Not an error of the XML itself (Namespaces in XML): the element keeps its prefixed name.
TOLERATED = {"NS_ERR_UNDEFINED_NAMESPACE"}


def local_name(element: etree._Element) -> str:
    """`trkpt` for `{http://www.topografix.com/GPX/1/1}trkpt`, `cadence` for an undeclared
    `gpxdata:cadence`."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""  # an entity reference or a processing instruction
    name = _LOCAL_NAMES.get(tag)
    if name is None:  # a file has few tags, each met thousands of times
        name = tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
        if len(_LOCAL_NAMES) < MAX_NAMES_KEPT:
            _LOCAL_NAMES[tag] = name
    return name


_LOCAL_NAMES: dict[str, str] = {}
MAX_NAMES_KEPT = 10_000  # a hostile file of endless different tags gains nothing


def free(element: etree._Element) -> None:
    """Free an element read to its end, and the siblings of its kind read before it (a point
    and the points before it; never the lap totals beside a track)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is None:
        return
    previous = element.getprevious()
    while previous is not None and previous.tag == element.tag:
        parent.remove(previous)
        previous = element.getprevious()


def parse_xml(
    path: Path,
    *,
    kind: str,
    location: Location,
    error: type[PacefitError] = ActivityError,
) -> etree._ElementTree:
    """The file's XML tree (for small files: workouts); a file that is not XML is one `error`
    naming the `kind` expected."""
    stream, lines = _opened(path, location, error)
    with stream:
        data = stream.read()
    try:
        return etree.ElementTree(etree.fromstring(data, SAFE_XML))
    except etree.XMLSyntaxError as exc:
        raise _refusal(exc, kind=kind, location=location, error=error, lines=lines) from exc


def iter_xml(
    path: Path,
    *,
    kind: str,
    location: Location,
    tags: Collection[str],
    events: tuple[str, ...] = ("end",),
    error: type[PacefitError] = ActivityError,
) -> Iterator[tuple[str, etree._Element]]:
    """(event, element) for the elements of these local names (in any namespace), as lxml's
    iterparse gives them; the caller may `free` an element once it has ended. The file is
    refused (after the last event) when it is not well-formed XML."""
    stream, lines = _opened(path, location, error)
    with stream:
        wanted = [f"{{*}}{tag}" for tag in tags]
        found = etree.iterparse(stream, events=events, tag=wanted, recover=True, **SAFE)
        try:
            yield from found
        except etree.XMLSyntaxError as exc:
            raise _refusal(exc, kind=kind, location=location, error=error, lines=lines) from exc
        errors = [
            entry
            for entry in found.error_log
            if entry.level >= etree.ErrorLevels.ERROR and entry.type_name not in TOLERATED
        ]
        if errors:
            first, last = errors[0], errors[-1]
            # damage on the file's last line, where it ends early: a cut, whatever it broke
            cut = last.type_name == "ERR_TAG_NOT_FINISHED" and first.line == last.line
            raise _located(
                last.type_name if cut else first.type_name,
                first.line + lines,
                first.column,
                kind=kind,
                location=location,
                error=error,
            )


def _opened(path: Path, location: Location, error: type[PacefitError]) -> tuple[IO[bytes], int]:
    """The file, positioned where its XML starts (after leading white space and a BOM), and
    the lines skipped to get there (for the line numbers of its errors)."""
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise error(f"cannot read the file: {exc.strerror or exc}", location=location) from exc
    head = stream.read(4096)
    skipped = len(head) - len(head.lstrip(LEADING))
    if head[skipped : skipped + 3] == UTF8_BOM:
        skipped += 3
        skipped += len(head[skipped:]) - len(head[skipped:].lstrip(LEADING))
    if skipped >= len(head):
        skipped = 0  # nothing but white space: let the parser say the file is empty
    stream.seek(skipped, io.SEEK_SET)
    return stream, head[:skipped].count(b"\n")


def _refusal(
    exc: etree.XMLSyntaxError,
    *,
    kind: str,
    location: Location,
    error: type[PacefitError],
    lines: int,
) -> PacefitError:
    if exc.position[0] == 0 or "no element found" in str(exc):
        return error(f"the {kind} file {WORDS['ERR_DOCUMENT_EMPTY']}", location=location)
    line, column = exc.position
    name = str(etree.ErrorTypes._getName(exc.code) or "")
    return _located(name, line + lines, column, kind=kind, location=location, error=error)


def _located(
    type_name: str,
    line: int,
    column: int,
    *,
    kind: str,
    location: Location,
    error: type[PacefitError],
) -> PacefitError:
    words = WORDS.get(type_name, "is not well-formed XML here")
    return error(
        f"the {kind} file {words}",
        location=Location(location.path, line or None, column or None),
    )
