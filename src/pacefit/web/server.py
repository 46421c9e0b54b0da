"""What every page reaches through `request.app.state.server`: the store, the settings, and
the pool of worker processes that read and score runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from pacefit.store.database import Store
from pacefit.web.security import DEFAULT_MAX_UPLOAD_BYTES


@dataclass(frozen=True)
class Settings:
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    password: str | None = None
    workers: int = 1  # processes that read and score runs; 0: on the request's own thread
    today: Callable[[], dt.date] = dt.date.today


@dataclass
class Server:
    """What every page reaches through `request.app.state.server`."""

    store: Store
    settings: Settings
    pool: ProcessPoolExecutor | None = field(default=None)

    def run_in(self, function: Callable[..., Any], *args: Any) -> Any:
        if self.pool is None:
            return function(*args)
        return self.pool.submit(function, *args).result()

    def today(self) -> dt.date:
        return self.settings.today()


def server_of(request: Request) -> Server:
    found: Server = request.app.state.server
    return found
