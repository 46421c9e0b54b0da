"""The plan's files to download: one session's workout (FIT, ZWO, ...), the next weeks as a
zip, and `plan.ics` for a calendar."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pacefit.formats import DEFAULT_WORKOUT_FORMAT, WORKOUT_WRITERS
from pacefit.jobs.log import WorkoutFile, athlete_log, plan_ics, session_file, weeks_zip
from pacefit.web.server import server_of

MAX_WEEKS = 52
MEDIA_TYPES = {".zip": "application/zip", ".ics": "text/calendar; charset=utf-8"}


def _format(request: Request) -> str:
    chosen = request.query_params.get("format", DEFAULT_WORKOUT_FORMAT)
    if chosen not in WORKOUT_WRITERS:
        raise HTTPException(400, f"no format '{chosen}': one of {', '.join(WORKOUT_WRITERS)}")
    return chosen


def _download(file: WorkoutFile) -> Response:
    suffix = "." + file.name.rpartition(".")[2]
    return Response(
        file.data,
        media_type=MEDIA_TYPES.get(suffix, "application/octet-stream"),
        headers={"content-disposition": f'attachment; filename="{file.name}"'},
    )


async def session_workout(request: Request) -> Response:
    server = server_of(request)
    file_format = _format(request)

    def made() -> WorkoutFile:
        log = athlete_log(server.store, request.path_params["athlete_id"])
        return session_file(log, request.path_params["number"], file_format)

    return _download(await run_in_threadpool(made))


async def next_weeks(request: Request) -> Response:
    server = server_of(request)
    file_format = _format(request)
    try:
        weeks = int(request.query_params.get("weeks", "1"))
    except ValueError as exc:
        raise HTTPException(400, "weeks is a whole number") from exc
    if not 1 <= weeks <= MAX_WEEKS:
        raise HTTPException(400, f"weeks runs from 1 to {MAX_WEEKS}")

    def made() -> WorkoutFile:
        log = athlete_log(server.store, request.path_params["athlete_id"])
        return weeks_zip(log, today=server.today(), weeks=weeks, file_format=file_format)

    return _download(await run_in_threadpool(made))


async def calendar(request: Request) -> Response:
    server = server_of(request)

    def made() -> WorkoutFile:
        return plan_ics(athlete_log(server.store, request.path_params["athlete_id"]))

    return _download(await run_in_threadpool(made))


routes = [
    Route("/athletes/{athlete_id:int}/sessions/{number:int}/workout", session_workout),
    Route("/athletes/{athlete_id:int}/next.zip", next_weeks),
    Route("/athletes/{athlete_id:int}/plan.ics", calendar),
]
