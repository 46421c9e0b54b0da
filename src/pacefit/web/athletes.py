"""An athlete's paces: race paces predicted from their race times and Daniels' training paces,
in the athlete's unit."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pacefit.core.paces import RACE_DISTANCES_M, TRAINING_PACE_LETTERS, pace_table
from pacefit.jobs.log import athlete_log
from pacefit.reports.text import vdot_source
from pacefit.web.render import render_page
from pacefit.web.server import server_of


async def paces(request: Request) -> Response:
    server = server_of(request)
    log = await run_in_threadpool(athlete_log, server.store, request.path_params["athlete_id"])
    return render_page(
        request,
        "paces.html",
        athlete=log.record,
        table=pace_table(log.athlete),
        letters=TRAINING_PACE_LETTERS,
        vdot_source=vdot_source,
        distances=RACE_DISTANCES_M,
        unit=log.athlete.display_unit,
    )


routes = [Route("/athletes/{athlete_id:int}/paces", paces)]
