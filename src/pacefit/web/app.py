"""The app: the store, the settings and the worker pool, the page modules' routes, and the
safety layers around them (`security`). `create_app` is what `pacefit serve` hands uvicorn.

Requests are answered on threads; a run's reading, scoring and analysis go to a pool of worker
processes (`Settings.workers`), so a long file stalls neither the other pages nor the upload
beside it. One server process is one pool: for many users, run several behind a proxy on one
PostgreSQL, and move the analysis to a task queue when uploads outgrow a machine.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pacefit.errors import PacefitError
from pacefit.jobs.log import NotInLog
from pacefit.store.database import Store
from pacefit.web import athletes, files, home, runs
from pacefit.web.render import error_page, static_file
from pacefit.web.security import (
    LOOPBACK_NAMES,
    ASGIApp,
    BodyLimit,
    PasswordGate,
    SecurityHeaders,
)
from pacefit.web.server import Server, Settings


def create_app(store: Store, settings: Settings | None = None) -> ASGIApp:
    settings = settings or Settings()
    server = Server(store, settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        server.start_pool()
        try:
            yield
        finally:
            server.stop_pool()
            store.close()

    app = Starlette(
        routes=[
            *home.routes,
            *runs.routes,
            *athletes.routes,
            *files.routes,
            Route("/static/{name}", static_file),
            Route("/favicon.ico", _no_icon),
        ],
        lifespan=lifespan,
        exception_handlers={
            PacefitError: _refused,
            HTTPException: _http_error,
            Exception: _failed,
        },
    )
    app.state.server = server
    wrapped: ASGIApp = BodyLimit(app, settings.max_upload_bytes)
    if not settings.password:
        # loopback only: a page elsewhere whose name is re-pointed at 127.0.0.1 (DNS
        # rebinding) is refused by its Host header
        wrapped = TrustedHostMiddleware(wrapped, allowed_hosts=list(LOOPBACK_NAMES))
    if settings.password:
        wrapped = PasswordGate(wrapped, settings.password)
    return SecurityHeaders(wrapped)


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PacefitError)
    status = 404 if isinstance(exc, NotInLog) else 400
    return error_page(request, exc.headline, exc.hint, status_code=status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_page(request, exc.detail, "", status_code=exc.status_code)


async def _failed(request: Request, exc: Exception) -> Response:
    """A failure pacefit did not foresee: a page in its words, not a bare 500 (Starlette still
    raises it after this answer, so the server's log has the traceback)."""
    return error_page(
        request,
        "pacefit could not make this page: something made it fail in a way it does not handle",
        "the log of `pacefit serve` shows where; the runs kept are not touched",
        status_code=500,
    )


async def _no_icon(_request: Request) -> Response:
    """Browsers ask for one on every first visit; pacefit has none."""
    return Response(status_code=204)
