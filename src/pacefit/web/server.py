"""What every page reaches through `request.app.state.server`: the store, the settings, and
the pool of worker processes that read and score runs."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from pacefit.errors import PacefitError
from pacefit.store.database import Store
from pacefit.web.security import DEFAULT_MAX_UPLOAD_BYTES


@dataclass(frozen=True)
class Settings:
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    password: str | None = None
    workers: int = 1  # processes that read and score runs; 0: on the request's own thread
    today: Callable[[], dt.date] = dt.date.today


class WorkerStopped(PacefitError):
    """The process reading a run stopped (killed, or out of memory) before it answered."""


@dataclass
class Server:
    """What every page reaches through `request.app.state.server`."""

    store: Store
    settings: Settings
    pool: ProcessPoolExecutor | None = field(default=None)
    _pool_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start_pool(self) -> None:
        if self.settings.workers > 0:
            # spawned, not forked: the server has threads, and a fork copies their locks
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(self.settings.workers, mp_context=context)

    def stop_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def run_in(self, function: Callable[..., Any], *args: Any) -> Any:
        """`function(*args)` in a worker process. A pool whose worker died cannot take work
        again: it is replaced and the job tried once more, so one lost worker is not an error
        on every page until the server restarts."""
        if self.pool is None:
            return function(*args)
        try:
            return self._in_pool(function, args)
        except BrokenProcessPool:
            pass  # the pool is new: once more
        try:
            return self._in_pool(function, args)
        except BrokenProcessPool:
            raise WorkerStopped(
                "the process reading the run stopped before it answered (out of memory?); "
                "nothing was kept",
                hint="try again; if it stops again, the file is too much for this server",
            ) from None

    def _in_pool(self, function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        pool = self.pool
        assert pool is not None
        try:
            return pool.submit(function, *args).result()
        except BrokenProcessPool:
            self._replace_broken(pool)
            raise

    def _replace_broken(self, broken: ProcessPoolExecutor) -> None:
        with self._pool_lock:
            if self.pool is broken:  # not already replaced by another request
                broken.shutdown(wait=False, cancel_futures=True)
                self.start_pool()

    def today(self) -> dt.date:
        return self.settings.today()


def server_of(request: Request) -> Server:
    found: Server = request.app.state.server
    return found
