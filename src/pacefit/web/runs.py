"""Runs: the upload (one or many files, from the picker, by drag and drop, or a plain form
post), and each run's page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pacefit.errors import PacefitError
from pacefit.jobs.log import athlete_log, import_run, run_analysis, upload_name
from pacefit.reports.run_page import run_page
from pacefit.reports.text import imported_line
from pacefit.web.render import render_page
from pacefit.web.security import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, check_csrf
from pacefit.web.server import Server, server_of

MAX_FILES_PER_UPLOAD = 100


@dataclass(frozen=True)
class UploadResult:
    """What became of one uploaded file, as the page and the upload script show it."""

    file_name: str
    ok: bool
    message: str  # one line
    run_id: int | None = None
    new: bool = False

    @property
    def href(self) -> str | None:
        return f"/runs/{self.run_id}" if self.run_id is not None else None


async def upload(request: Request) -> Response:
    server = server_of(request)
    athlete_id = request.path_params["athlete_id"]
    if await run_in_threadpool(server.store.athlete, athlete_id) is None:
        raise HTTPException(404, f"there is no athlete {athlete_id} in the log")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(415, "send the runs as multipart/form-data (a file input)")
    if not request.cookies.get(CSRF_COOKIE) or request.headers.get(CSRF_HEADER):
        # a request from another site carries no cookie; the script sends the header: either
        # way it is judged before its body is read (only a plain form's field needs the body)
        check_csrf(request)
    async with request.form(max_files=MAX_FILES_PER_UPLOAD, max_fields=10) as form:
        token = form.get(CSRF_FIELD)
        check_csrf(request, token if isinstance(token, str) else None)
        # a form sent with no file chosen holds one part with no name and no bytes
        files = [
            f for f in form.getlist("runs") if isinstance(f, UploadFile) and (f.filename or f.size)
        ]
        if not files:
            raise HTTPException(400, "no file was sent: choose one or more runs")
        results = []
        for file in files:
            content = await file.read()
            name = file.filename or "run"
            result = await run_in_threadpool(_keep, server, athlete_id, content, name)
            results.append(result)
    status = 200 if any(r.ok for r in results) else 422
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"results": [_result_data(r) for r in results]}, status_code=status)
    return render_page(
        request,
        "uploaded.html",
        status_code=status,
        results=results,
        athlete_id=athlete_id,
    )


def _keep(server: Server, athlete_id: int, content: bytes, sent_as: str) -> UploadResult:
    name = upload_name(sent_as)
    log = athlete_log(server.store, athlete_id)
    try:
        imported = import_run(
            server.store, log, content, name, today=server.today(), run_in=server.run_in
        )
    except PacefitError as exc:
        return UploadResult(name, ok=False, message=_refusal(exc, name))
    return UploadResult(
        name,
        ok=True,
        message=imported_line(imported, name),
        run_id=imported.run.id,
        new=imported.new,
    )


def _refusal(exc: PacefitError, name: str) -> str:
    """Why a file was refused, as shown after its name: the name is not said twice, a line and
    column within it are kept."""
    where = exc.location
    if where is None or where.path != name:
        return exc.headline
    if where.line is None:
        return exc.message
    at = f"line {where.line}" + (f", column {where.column}" if where.column else "")
    return f"{at}: {exc.message}"


def _result_data(result: UploadResult) -> dict[str, Any]:
    return {
        "file": result.file_name,
        "ok": result.ok,
        "message": result.message,
        "href": result.href,
        "new": result.new,
    }


async def run(request: Request) -> Response:
    server = server_of(request)
    run_id = request.path_params["run_id"]
    record = await run_in_threadpool(server.store.run, run_id)
    if record is None:
        raise HTTPException(404, f"there is no run {run_id} in the log")

    def analysed() -> Any:
        log = athlete_log(server.store, record.athlete_id)
        view = run_analysis(server.store, log, run_id, run_in=server.run_in)
        return log, run_page(view.analysis, unit=log.athlete.display_unit), view

    log, page, view = await run_in_threadpool(analysed)
    return render_page(
        request,
        "web_run.html",
        page=page,
        athlete=log.record,
        session=view.session,
        copy_of=view.copy_of,
        record=record,
    )


routes = [
    Route("/athletes/{athlete_id:int}/runs", upload, methods=["POST"]),
    Route("/runs/{run_id:int}", run),
]
