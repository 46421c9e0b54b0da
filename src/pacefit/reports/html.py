"""Self-contained HTML pages: the run page and the review of a plan, each one file with its
scripts and styles inlined, so it opens anywhere, offline, and can be mailed. Everything is shown
in the runner's unit.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from pacefit.core.score import Analysis, Verdict
from pacefit.core.units import DistanceUnit
from pacefit.reports.run_page import render_run_page

if TYPE_CHECKING:
    from pacefit.jobs.review import Review

Scale = Callable[[float], float]

WIDTH, HEIGHT = 900, 340
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 60, 20, 30, 40
MAX_POINTS = 1500
MIN_SMOOTHING_S = 20.0
SMOOTHING_SHARE = 1 / 150  # of the run: a line a runner can read, not GPS jitter
VERDICT_COLOURS = {
    Verdict.ON_TARGET: "#2e9d5b",
    Verdict.FAST: "#d98c1f",
    Verdict.SLOW: "#3572c6",
    Verdict.SHORT: "#b23b3b",
    Verdict.SKIPPED: "#888888",
    Verdict.DONE: "#bbbbbb",
}
STYLE = """
body { font: 15px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 960px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin-top: 24px; }
.meta { color: #666; margin-bottom: 16px; }
.score { font-size: 40px; font-weight: 700; float: right; }
.score small { font-size: 16px; color: #666; }
table { border-collapse: collapse; width: 100%; margin: 16px 0 28px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e4e4e4; text-align: right; }
th.text, td.text { text-align: left; }
.verdict { display: inline-block; padding: 0 8px; border-radius: 9px; color: white; }
svg text { font-size: 11px; fill: #555; }
"""


def page(title: str, body: str) -> str:
    """The one page skeleton every report uses."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style></head><body>\n"
        f"{body}\n</body></html>\n"
    )


def table(header: list[str], rows: list[list[str]], *, text_columns: set[int]) -> str:
    """An HTML table; cells are HTML already (escape them first), `text_columns` align left."""

    def cells(tag: str, values: list[str]) -> str:
        return "".join(
            f"<{tag}{' class=text' if i in text_columns else ''}>{value}</{tag}>"
            for i, value in enumerate(values)
        )

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return f"<table><tr>{cells('th', header)}</tr>{body}</table>"


# -- analysis -----------------------------------------------------------------------------------


def render_analysis_html(
    analysis: Analysis, *, unit: DistanceUnit = DistanceUnit.KM, tile_url: str | None = None
) -> str:
    """The run page (`reports/run_page.py`, templates `run.html`)."""
    return render_run_page(analysis, unit=unit, tile_url=tile_url)


# -- review -------------------------------------------------------------------------------------


def render_review_html(review: Review) -> str:
    """The plan review as a page: one row per week, then one per session."""
    week_rows = [
        [
            f"W{w.week:02d}",
            str(w.monday),
            str(w.planned),
            str(w.done),
            str(w.missed),
            "" if w.mean_score is None else f"{w.mean_score:.0f}",
        ]
        for w in review.weeks
    ]
    session_rows = []
    for item in review.sessions:
        score = item.result.score if item.result else None
        run = item.run.name if item.run else ""
        session_rows.append(
            [
                str(item.session.date),
                html.escape(item.session.spec.workout_path.stem),
                item.status,
                "" if score is None else f"{score:.0f}",
                html.escape(f"{run} ({item.note})" if item.note else run),
            ]
        )
    title = f"{review.name}: review"
    body = (
        f"<h1>{html.escape(title)}</h1>\n"
        + table(
            ["week", "from", "planned", "done", "missed", "score"],
            week_rows,
            text_columns={0, 1},
        )
        + table(
            ["date", "workout", "status", "score", "run"], session_rows, text_columns={0, 1, 2, 4}
        )
    )
    return page(title, body)
