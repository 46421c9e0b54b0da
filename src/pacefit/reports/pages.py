"""The page machinery both pages share, and a web server can share too: one Jinja environment
over the templates in the package (autoescaped), the filters that show a figure in the runner's
unit, the verdict colours, and the browser code inlined so a written page is one file that
works offline.

A server renders the same templates from the same context objects (`run_page.run_page`,
`block_page.block_page`) and may replace the `asset` global with one that links the files in
`static/` instead of inlining them.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from pacefit.core import units
from pacefit.core.score import Verdict
from pacefit.core.units import DistanceUnit

# the charting library, shipped in the package under its own name and version (MIT)
UPLOT_JS = "uPlot-1.6.32.iife.min.js"
UPLOT_CSS = "uPlot-1.6.32.min.css"
VERDICT_COLOURS = {
    Verdict.ON_TARGET: "#2e9d5b",
    Verdict.FAST: "#d98c1f",
    Verdict.SLOW: "#3572c6",
    Verdict.SHORT: "#b23b3b",
    Verdict.SKIPPED: "#888888",
    Verdict.DONE: "#c9ced3",
}


def css_name(verdict: Verdict) -> str:
    """`on-target`, `fast`, ...: a verdict as a CSS class or property name."""
    return verdict.value.replace(" ", "-")


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pacefit.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["asset"] = inline_asset
    env.globals["verdict_colours"] = {css_name(v): c for v, c in VERDICT_COLOURS.items()}
    env.filters.update(
        pace=_pace,
        band=_band,
        clock=_clock,
        distance=_distance,
        elevation=_elevation,
        deviation=_deviation,
        number=_number,
        verdict_class=css_name,
        script_json=script_json,
    )
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


@functools.cache
def static_text(name: str) -> str:
    return (resources.files("pacefit.reports") / "static" / name).read_text(encoding="utf-8")


def inline_asset(name: str) -> Markup:
    """A file from `static/` as an inline `<script>` or `<style>` element."""
    text = static_text(name)
    if "</script" in text.lower() or "</style" in text.lower():
        raise ValueError(f"{name} cannot be inlined: it closes its own element")
    tag = "script" if name.endswith(".js") else "style"
    return Markup(f"<{tag}>\n{text}\n</{tag}>")


def script_json(value: Any) -> Markup:
    """JSON safe inside a `<script type="application/json">` element."""
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _pace(pace_s_per_km: float | None, unit: DistanceUnit) -> str:
    return units.format_pace_clock(pace_s_per_km, unit)


def _band(band: units.PaceRange | None, unit: DistanceUnit) -> str:
    if band is None:
        return ""
    return units.format_pace_band(band.fast_s_per_km, band.slow_s_per_km, unit).split("/")[0]


def _clock(seconds: float | None) -> str:
    return "-" if seconds is None else units.format_clock(seconds)


def _distance(metres: float | None, unit: DistanceUnit, decimals: int = 2) -> str:
    return "-" if metres is None else f"{metres / unit.metres:.{decimals}f}"


def _elevation(metres: float | None, unit: DistanceUnit) -> str:
    return "-" if metres is None else f"{units.elevation_in(metres, unit):.0f}"


def _deviation(deviation_s_per_km: float | None, unit: DistanceUnit) -> str:
    return units.format_deviation(deviation_s_per_km, unit)


def _number(value: float | None, decimals: int = 0) -> str:
    return "-" if value is None else f"{value:.{decimals}f}"
