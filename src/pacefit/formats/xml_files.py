"""XML files from anywhere (GPX, TCX), parsed safely: no entity expansion, no network."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from pacefit.errors import ActivityError, Location, PacefitError

SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


def parse_xml(
    path: Path,
    *,
    kind: str,
    location: Location,
    error: type[PacefitError] = ActivityError,
) -> etree._ElementTree:
    """The file's XML tree; a file that is not XML is one `error` naming the `kind` expected."""
    try:
        return etree.parse(str(path), SAFE_XML)
    except etree.XMLSyntaxError as exc:
        raise error(f"cannot read the {kind} file: {exc}", location=location) from exc
    except OSError as exc:
        raise error(f"cannot read the file: {exc.strerror or exc}", location=location) from exc
