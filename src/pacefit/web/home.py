"""The home page: one runner's block as a calendar (planned, done, missed, today, and the runs
not in the plan) with the upload beside it; with several runners, the coach's view: a row per
athlete with this week's sessions done and score."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pacefit.jobs.log import LogBlock, athlete_log, log_block
from pacefit.jobs.review import WeekReview
from pacefit.reports.block_page import BlockPage, block_page
from pacefit.store.database import AthleteRecord
from pacefit.web.render import render_page
from pacefit.web.server import Server, server_of


async def home(request: Request) -> Response:
    server = server_of(request)
    athletes = await run_in_threadpool(server.store.athletes)
    if len(athletes) == 1:
        return await _calendar(request, athletes[0].id)
    rows = await run_in_threadpool(_coach_rows, server, athletes)
    today = server.today()
    monday = today - dt.timedelta(days=today.weekday())
    return render_page(request, "coach.html", rows=rows, monday=monday)


async def athlete_calendar(request: Request) -> Response:
    return await _calendar(request, request.path_params["athlete_id"])


async def _calendar(request: Request, athlete_id: int) -> Response:
    server = server_of(request)
    shown = await run_in_threadpool(_shown, server, athlete_id)
    return render_page(
        request,
        "athlete.html",
        shown=shown,
        page=calendar_page(shown),
        athlete=shown.log.record,
        today=server.today(),
        unit=shown.log.athlete.display_unit,
    )


def _shown(server: Server, athlete_id: int) -> LogBlock:
    log = athlete_log(server.store, athlete_id)
    return log_block(server.store, log, today=server.today(), run_in=server.run_in)


def calendar_page(shown: LogBlock) -> BlockPage | None:
    """The block page's calendar with each cell linking to its run's page here."""
    if shown.block is None:
        return None
    return block_page(
        shown.block,
        unit=shown.log.athlete.display_unit,
        run_pages={number: f"/runs/{run_id}" for number, run_id in shown.run_of_session.items()},
        unplanned=tuple(replace(run, href=f"/runs/{record.id}") for record, run in shown.unplanned),
    )


@dataclass(frozen=True)
class CoachRow:
    athlete: AthleteRecord
    plan_name: str
    plan_error: str  # why the plan could not be read, if it could not
    week: WeekReview | None  # the week today is in
    runs: int
    last_run: dt.date | None


def _coach_rows(server: Server, athletes: list[AthleteRecord]) -> list[CoachRow]:
    rows = []
    today = server.today()
    for athlete in athletes:
        shown = _shown(server, athlete.id)
        week = None
        if shown.block is not None:
            week = next(
                (
                    w
                    for w in shown.block.review.weeks
                    if w.monday <= today < w.monday + dt.timedelta(days=7)
                ),
                None,
            )
        dates = [r.local_date for r in shown.runs.values() if r.local_date is not None]
        rows.append(
            CoachRow(
                athlete=athlete,
                plan_name=shown.block.review.name if shown.block else "",
                plan_error=shown.log.plan_error.headline if shown.log.plan_error else "",
                week=week,
                runs=len(shown.runs),
                last_run=max(dates, default=None),
            )
        )
    return rows


routes = [
    Route("/", home),
    Route("/athletes/{athlete_id:int}", athlete_calendar),
]
