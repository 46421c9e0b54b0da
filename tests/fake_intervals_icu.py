"""A local stand-in for intervals.icu's API, for the calendar tests: a real HTTP server on
127.0.0.1 that follows the endpoints intervals.icu documents (its API docs and the forum guide
"Uploading planned workouts to Intervals.icu") and checks what a client sends.

- Basic authentication with the user name `API_KEY` and the key as password, else HTTP 403
  `{"status": 403, "error": "Access denied"}` as intervals.icu answers;
- `GET /api/v1/athlete/{id}/events?oldest=YYYY-MM-DD&newest=YYYY-MM-DD`: the events of those
  days (both included);
- `POST /api/v1/athlete/{id}/events/bulk?upsert=true`: a JSON list of events, each checked
  (category, `start_date_local` as a local date-time, name, description, type, external_id);
  an event with the `external_id` of one created before is updated, others are created; the
  answer lists the events as stored.

`drop_after` makes the server store only that many more events and then close the connection
without answering, as a connection lost mid-push would.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

EVENTS = re.compile(r"^/api/v1/athlete/(?P<athlete>[^/]+)/events$")
BULK = re.compile(r"^/api/v1/athlete/(?P<athlete>[^/]+)/events/bulk$")
CATEGORIES = {"WORKOUT", "RACE_A", "RACE_B", "RACE_C", "NOTE", "HOLIDAY", "SICK", "INJURED"}
REQUIRED = ("category", "start_date_local", "name", "description", "type", "external_id")


@dataclass
class Calendar:
    api_key: str
    athlete: str = "i12345"  # the key's athlete; `0` in a path means this one
    events: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)  # method, path, body
    drop_after: int | None = None
    next_id: int = 1000

    def posted(self) -> list[list[dict[str, Any]]]:
        return [body for method, _, body in self.requests if method == "POST"]


class _Handler(BaseHTTPRequestHandler):
    calendar: Calendar

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet in tests

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        match = EVENTS.match(url.path)
        if not self._authorized() or not self._athlete(match):
            return
        query = parse_qs(url.query)
        try:
            oldest = dt.date.fromisoformat(query["oldest"][0])
            newest = dt.date.fromisoformat(query["newest"][0])
        except (KeyError, ValueError):
            self._answer(422, {"status": 422, "error": "oldest and newest are required"})
            return
        self.calendar.requests.append(("GET", url.path, dict(query)))
        found = [
            e
            for e in self.calendar.events.values()
            if oldest <= dt.date.fromisoformat(e["start_date_local"][:10]) <= newest
        ]
        self._answer(200, sorted(found, key=lambda e: e["start_date_local"]))

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        match = BULK.match(url.path)
        if not self._authorized() or not self._athlete(match):
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.calendar.requests.append(("POST", url.path, body))
        problem = _problem(body, parse_qs(url.query))
        if problem:
            self._answer(422, {"status": 422, "error": problem})
            return
        stored = []
        for event in body:
            if self.calendar.drop_after is not None:
                if self.calendar.drop_after == 0:
                    self.close_connection = True  # no answer: the client sees the loss
                    self.connection.shutdown(2)
                    return
                self.calendar.drop_after -= 1
            stored.append(self._upsert(event))
        self._answer(200, stored)

    def _upsert(self, event: dict[str, Any]) -> dict[str, Any]:
        same = [
            e for e in self.calendar.events.values() if e["external_id"] == event["external_id"]
        ]
        if same:
            same[0].update(event)
            return same[0]
        self.calendar.next_id += 1
        stored = {"id": self.calendar.next_id, "athlete_id": self.calendar.athlete, **event}
        self.calendar.events[self.calendar.next_id] = stored
        return stored

    def _authorized(self) -> bool:
        expected = base64.b64encode(f"API_KEY:{self.calendar.api_key}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            self._answer(403, {"status": 403, "error": "Access denied"})
            return False
        return True

    def _athlete(self, match: re.Match[str] | None) -> bool:
        if match is None:
            self._answer(404, {"status": 404, "error": "Not found"})
            return False
        if match["athlete"] not in ("0", self.calendar.athlete):
            self._answer(403, {"status": 403, "error": "Access denied"})
            return False
        return True

    def _answer(self, status: int, document: Any) -> None:
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _problem(body: Any, query: dict[str, list[str]]) -> str:
    """What is wrong with a bulk request, as intervals.icu would refuse it ('' when nothing)."""
    if query.get("upsert") != ["true"]:
        return "this fake only takes upserts (upsert=true)"
    if not isinstance(body, list) or not all(isinstance(e, dict) for e in body):
        return "the body must be a list of events"
    for event in body:
        missing = [key for key in REQUIRED if not event.get(key)]
        if missing:
            return f"missing {', '.join(missing)}"
        if event["category"] not in CATEGORIES:
            return f"unknown category {event['category']}"
        try:
            when = dt.datetime.fromisoformat(event["start_date_local"])
        except ValueError:
            return f"start_date_local is not a date-time: {event['start_date_local']}"
        if when.tzinfo is not None:
            return "start_date_local is local: no time zone"
    return ""


@contextmanager
def serving(calendar: Calendar) -> Iterator[str]:
    """The fake API at a local URL for the block."""
    handler = type("Handler", (_Handler,), {"calendar": calendar})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
