"""The block page (`review --html`): a calendar of the block's weeks by weekday, each planned
session a cell coloured by what became of it and linking to its run's page, the weekly totals and
scores, everything the text review says, and the trends of each kind of work. `block_page`
builds the typed context `block.html` renders; a web server renders the same."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pacefit.core import units
from pacefit.core.units import DistanceUnit
from pacefit.files import safe_filename
from pacefit.jobs.block import Block, BlockWeek, PlannedSession, Trend, UnplannedRun
from pacefit.jobs.review import SessionReview, WeekReview
from pacefit.reports.pages import render

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CELL_KINDS = {  # css name: (label, colour)
    "on-target": ("done on target", "#2e9d5b"),
    "off-target": ("done off target", "#d98c1f"),
    "moved": ("run on another day", "#7b5ea7"),
    "missed": ("missed", "#b23b3b"),
    "upcoming": ("to come", "#9aa5b1"),
    "unplanned": ("a run not in the plan", "#5c6670"),
    "done": ("done, nothing graded", "#c9ced3"),
    "error": ("found, could not be scored", "#444444"),
}
TREND_WIDTH, TREND_HEIGHT = 560.0, 170.0
TREND_LEFT, TREND_RIGHT, TREND_TOP, TREND_BOTTOM = 46.0, 46.0, 10.0, 26.0


@dataclass(frozen=True)
class Cell:
    kind: str  # a CELL_KINDS name
    name: str  # the session as the watch shows it, or the run's file
    detail: str  # score and verdicts, the note, the error
    href: str | None = None  # the run's page, beside this one


@dataclass(frozen=True)
class Day:
    date: dt.date
    weekday: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class WeekRow:
    week: WeekReview
    totals: BlockWeek
    days: tuple[Day, ...]


@dataclass(frozen=True)
class TrendMark:
    x: float
    y: float  # the week's average rep pace
    band_top: float  # fast edge
    band_bottom: float  # slow edge
    hr_y: float | None
    inside: bool


@dataclass(frozen=True)
class TrendChart:
    trend: Trend
    marks: tuple[TrendMark, ...]
    pace_ticks: tuple[tuple[float, float], ...]  # (y, pace s/km)
    hr_ticks: tuple[tuple[float, float], ...]  # (y, bpm)
    week_ticks: tuple[tuple[float, int], ...]  # (x, week)
    pace_line: str  # polyline points
    hr_line: str

    @property
    def has_hr(self) -> bool:
        return bool(self.hr_line)


@dataclass(frozen=True)
class BlockPage:
    title: str
    unit: DistanceUnit
    weeks: tuple[WeekRow, ...]
    sessions_done: int
    sessions_planned: int
    unmatched: tuple[UnplannedRun | Path, ...]
    duplicates: tuple[tuple[Path, Path], ...]
    unreadable: tuple[tuple[Path, str], ...]
    trends: tuple[TrendChart, ...]
    legend: tuple[tuple[str, str, str], ...]
    width: float = TREND_WIDTH
    height: float = TREND_HEIGHT


def run_page_filename(item: SessionReview) -> str:
    """The file name of a session's run page, written beside the block page."""
    assert item.run is not None
    dated = (
        item.run.stem
        if item.run.stem.startswith(str(item.session.date))
        else (f"{item.session.date}-{item.run.stem}")
    )
    return safe_filename(dated, suffix=".html")


def block_page(
    block: Block,
    *,
    unit: DistanceUnit = DistanceUnit.KM,
    run_pages: dict[int, str] | None = None,
    unplanned: tuple[UnplannedRun, ...] = (),
) -> BlockPage:
    """`run_pages`: the session numbers (in the review) whose run has a page, and its file."""
    review = block.review
    pages = run_pages or {}
    cells: dict[dt.date, list[Cell]] = {}
    for number, (item, plan) in enumerate(zip(review.sessions, block.planned, strict=True)):
        cells.setdefault(item.session.date, []).append(_cell(item, plan, pages.get(number)))
    for run in unplanned:
        if run.date is not None:
            distance = units.format_distance_in(run.distance_m, unit)
            detail = f"{distance} in {units.format_clock(run.timer_s)}"
            cell = Cell("unplanned", run.path.name, detail, href=run.href)
            cells.setdefault(run.date, []).append(cell)
    weeks = tuple(
        WeekRow(
            week=week,
            totals=totals,
            days=tuple(
                Day(day, WEEKDAYS[day.weekday()], tuple(cells.get(day, ())))
                for day in (week.monday + dt.timedelta(days=k) for k in range(7))
            ),
        )
        for week, totals in zip(review.weeks, block.weeks, strict=True)
    )
    known = {run.path for run in unplanned}
    return BlockPage(
        title=f"{review.name}: review",
        unit=unit,
        weeks=weeks,
        sessions_done=sum(1 for s in review.sessions if s.done),
        sessions_planned=len(review.sessions),
        unmatched=tuple(unplanned) + tuple(p for p in review.unmatched_runs if p not in known),
        duplicates=review.duplicates,
        unreadable=tuple((path, error.message) for path, error in review.unreadable_runs),
        trends=tuple(_trend_chart(trend, [w.week for w in review.weeks]) for trend in block.trends),
        legend=tuple((name, label, colour) for name, (label, colour) in CELL_KINDS.items()),
    )


def render_block_page(
    block: Block,
    *,
    unit: DistanceUnit = DistanceUnit.KM,
    run_pages: dict[int, str] | None = None,
    unplanned: tuple[UnplannedRun, ...] = (),
) -> str:
    page = block_page(block, unit=unit, run_pages=run_pages, unplanned=unplanned)
    return render("block.html", page=page)


def _cell(item: SessionReview, plan: PlannedSession, href: str | None) -> Cell:
    if item.error is not None:
        return Cell("error", plan.name, item.error.message)
    if item.result is None:
        return (
            Cell("upcoming", plan.name, "to come")
            if item.upcoming
            else Cell("missed", plan.name, "missed")
        )
    result = item.result
    off = {verdict: n for verdict, n in result.verdicts.items() if verdict != "on target"}
    if result.score is None and not result.verdicts:
        kind, detail = "done", "done"
    else:
        kind = "off-target" if off else "on-target"
        shown = ", ".join(f"{n} {verdict}" for verdict, n in sorted(off.items()))
        detail = f"{result.score:.0f}" if result.score is not None else "done"
        detail += f" · {shown}" if shown else " · on target"
    if item.note:
        kind, detail = "moved", f"{detail} · {item.note}"
    return Cell(kind, result.workout_name or plan.name, detail, href)


def _trend_chart(trend: Trend, weeks: list[int]) -> TrendChart:
    first, last = min(weeks), max(weeks)
    paces = [
        v for p in trend.points for v in (p.avg_pace_s_per_km, p.fast_s_per_km, p.slow_s_per_km)
    ]
    fast, slow = min(paces) - 3, max(paces) + 3
    plot_w = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    plot_h = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM

    def x(week: int) -> float:
        share = 0.5 if last == first else (week - first) / (last - first)
        return round(TREND_LEFT + share * plot_w, 1)

    def y(pace: float) -> float:  # faster up
        return round(TREND_TOP + (pace - fast) / (slow - fast) * plot_h, 1)

    rates = [p.avg_hr_bpm for p in trend.points if p.avg_hr_bpm is not None]
    low_hr, high_hr = (min(rates) - 3, max(rates) + 3) if rates else (0.0, 1.0)

    def hr_y(bpm: float) -> float:  # higher heart rate up
        return round(TREND_TOP + (high_hr - bpm) / (high_hr - low_hr) * plot_h, 1)

    marks = tuple(
        TrendMark(
            x=x(p.week),
            y=y(p.avg_pace_s_per_km),
            band_top=y(p.fast_s_per_km),
            band_bottom=y(p.slow_s_per_km),
            hr_y=None if p.avg_hr_bpm is None else hr_y(p.avg_hr_bpm),
            inside=abs(p.deviation_s_per_km) <= 0.5,
        )
        for p in trend.points
    )
    step = max(5, round((slow - fast) / 4 / 5) * 5)
    pace_ticks = tuple(
        (y(pace), float(pace)) for pace in range(int(fast // step + 1) * step, int(slow), step)
    )
    hr_ticks = tuple((hr_y(b), b) for b in (round(low_hr + 3), round(high_hr - 3))) if rates else ()
    return TrendChart(
        trend=trend,
        marks=marks,
        pace_ticks=pace_ticks,
        hr_ticks=hr_ticks,
        week_ticks=tuple((x(w), w) for w in weeks),
        pace_line=" ".join(f"{m.x},{m.y}" for m in marks),
        hr_line=" ".join(f"{m.x},{m.hr_y}" for m in marks if m.hr_y is not None),
    )
