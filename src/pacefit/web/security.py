"""What keeps the server safe by default: loopback unless a password is set, a password on
every request when one is, CSRF tokens on every form and upload, and a size limit enforced
before a body is read whole."""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from pacefit.errors import PacefitError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSRF_COOKIE = "pacefit_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]", "::1")


def check_listen_address(host: str, password: str | None) -> None:
    """Refuse to listen beyond this computer without a password: the log holds a runner's
    heart rate and where they run."""
    if password or is_loopback(host):
        return
    raise PacefitError(
        f"refusing to listen on {host} without a password: anyone who can reach it would see "
        "and change the log",
        hint="set PACEFIT_PASSWORD (or pass --password), or listen on 127.0.0.1",
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# Sent with every answer: no page of the log is framed by another site (a hidden upload form
# under a decoy), no file is sniffed into another type, no address leaves for another site.
# Scripts are not restricted: the run page carries its charts' data and code inline.
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'; object-src 'none'; base-uri 'none'"),
    (b"referrer-policy", b"same-origin"),
)


class SecurityHeaders:
    """Add `SECURITY_HEADERS` to every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Refuse a request body over `max_bytes`: at once when its Content-Length says so, else as
    soon as that much has arrived (a chunked upload)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            response = PlainTextResponse(
                self.refusal(), status_code=413, headers={"connection": "close"}
            )
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, self.refusal())
            return message

        await self.app(scope, limited, send)

    def refusal(self) -> str:
        return f"the upload is over the limit of {self.max_bytes / 1024 / 1024:g} MB"


class PasswordGate:
    """HTTP basic authentication with one password (any user name), when one is set."""

    def __init__(self, app: ASGIApp, password: str) -> None:
        self.app = app
        self.password = password.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._allowed(dict(scope["headers"])):
            response = PlainTextResponse(
                "this pacefit needs its password",
                status_code=401,
                headers={"www-authenticate": 'Basic realm="pacefit"'},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _allowed(self, headers: dict[bytes, bytes]) -> bool:
        scheme, _, encoded = headers.get(b"authorization", b"").partition(b" ")
        if scheme.lower() != b"basic":
            return False
        try:
            _, _, given = base64.b64decode(encoded, validate=True).partition(b":")
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(given, self.password)


def csrf_token(request: Request) -> str:
    """The browser's CSRF token (from its cookie), or a new one the page's response sets."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) < 32:
        token = request.state.new_csrf_token = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, form_token: str | None = None) -> None:
    """A write must carry the token of the browser's cookie (header or form field): a page on
    another site cannot read the cookie, so cannot send it."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    given = request.headers.get(CSRF_HEADER) or form_token or ""
    if not cookie or not hmac.compare_digest(cookie.encode(), given.encode()):
        raise HTTPException(403, "the form is missing its CSRF token: reload the page and retry")


def set_csrf_cookie(request: Request, response: Any) -> None:
    token = getattr(request.state, "new_csrf_token", None)
    if token:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
