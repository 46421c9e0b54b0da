"""Pages rendered from the report templates (the web's own extend them), the browser code
served from the package by name, and the error page."""

from __future__ import annotations

import functools
import mimetypes
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from pacefit.reports import pages
from pacefit.web.security import csrf_token, set_csrf_cookie

# Every file a page may link, by name: nothing a request says reaches a path.
STATIC_PACKAGES = ("pacefit.reports", "pacefit.web")


@functools.cache
def static_files() -> dict[str, bytes]:
    found = {}
    for package in STATIC_PACKAGES:
        for entry in (resources.files(package) / "static").iterdir():
            if entry.is_file():
                found[entry.name] = entry.read_bytes()
    return found


def linked_asset(name: str) -> Markup:
    """A file from `static/` linked, not inlined: the browser caches it across pages."""
    if name not in static_files():
        raise ValueError(f"no static file {name}")
    if name.endswith(".css"):
        return Markup('<link rel="stylesheet" href="/static/{}">').format(name)
    return Markup('<script src="/static/{}"></script>').format(name)


@functools.cache
def environment() -> jinja2.Environment:
    base = pages.environment()
    assert base.loader is not None
    env = base.overlay(
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader("pacefit.web", "templates"), base.loader])
    )
    env.globals = {**base.globals, "asset": linked_asset}
    return env


def render_page(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    token = csrf_token(request)
    html = environment().get_template(template).render(csrf_token=token, **context)
    response = HTMLResponse(html, status_code=status_code)
    set_csrf_cookie(request, response)
    return response


def error_page(request: Request, message: str, hint: str, *, status_code: int) -> Response:
    if "text/html" not in request.headers.get("accept", ""):
        text = f"{message}\n  hint: {hint}" if hint else message
        return PlainTextResponse(text, status_code=status_code)
    return render_page(request, "error.html", status_code=status_code, message=message, hint=hint)


async def static_file(request: Request) -> Response:
    name = request.path_params["name"]
    data = static_files().get(name)
    if data is None:
        return PlainTextResponse("no such file", status_code=404)
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(data, media_type=media_type, headers={"cache-control": "max-age=3600"})
