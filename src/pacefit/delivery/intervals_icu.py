"""intervals.icu's calendar, over its REST API: a planned workout is an event on a day.

Endpoints, as intervals.icu documents them (its API docs at /api-docs.html and its forum guide
"Uploading planned workouts to Intervals.icu"):

- authentication: HTTP basic, the user name `API_KEY` and the athlete's personal API key as the
  password; athlete id `0` means the key's own athlete;
- `POST /api/v1/athlete/{id}/events/bulk?upsert=true` with a JSON list of events
  (`category: WORKOUT`, `start_date_local`, `type`, `name`, `description` in intervals.icu's
  workout text, `external_id`): events whose `external_id` the same key created before are
  updated, the others created; the answer lists the events as stored;
- `GET /api/v1/athlete/{id}/events?oldest=DAY&newest=DAY`: the events of those days.

Nothing here was tried against the real service (there is no account or internet where this
was written); `tests/fake_intervals_icu.py` follows the same documented endpoints.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pacefit.errors import DeviceError

SERVICE = "intervals.icu"
DEFAULT_URL = "https://intervals.icu"
KEY_ENV = "INTERVALS_ICU_API_KEY"
ATHLETE_ENV = "INTERVALS_ICU_ATHLETE_ID"
URL_ENV = "INTERVALS_ICU_URL"
OWN_ATHLETE = "0"  # the athlete the API key belongs to
TIMEOUT_S = 30.0
USER_AGENT = "pacefit"
# intervals.icu's activity types for pacefit's sports; another sport is a plain workout
SPORT_TYPES = {
    "running": "Run",
    "cycling": "Ride",
    "walking": "Walk",
    "hiking": "Hike",
    "swimming": "Swim",
    "rowing": "Rowing",
    "cross_country_skiing": "NordicSki",
}
OTHER_SPORT = "Workout"
KEY_HINT = (
    f"set {KEY_ENV} to the API key on intervals.icu's Settings page (Developer Settings); "
    f"{ATHLETE_ENV} or intervals_icu_athlete in the athlete file must be that athlete's id "
    "(or leave it out)"
)


@dataclass(frozen=True)
class PlannedEvent:
    """A session as an intervals.icu planned workout."""

    external_id: str  # pacefit's id for the session: a second push updates, never duplicates
    name: str
    description: str  # intervals.icu's workout text
    day: dt.date
    sport_type: str  # intervals.icu's activity type: Run, Ride, ...

    def body(self) -> dict[str, Any]:
        return {
            "category": "WORKOUT",
            "start_date_local": f"{self.day.isoformat()}T00:00:00",
            "type": self.sport_type,
            "name": self.name,
            "description": self.description,
            "external_id": self.external_id,
        }

    @property
    def digest(self) -> str:
        return event_digest(self.name, self.description, self.day, self.sport_type)


@dataclass(frozen=True)
class StoredEvent:
    """An event as intervals.icu holds it."""

    event_id: str
    external_id: str | None
    name: str
    description: str
    day: dt.date
    sport_type: str | None

    @property
    def digest(self) -> str:
        return event_digest(self.name, self.description, self.day, self.sport_type)


def event_digest(name: str, description: str, day: dt.date, sport_type: str | None) -> str:
    """What an event says, as one value: the same for what was sent and what is stored when
    nobody changed it."""
    document = json.dumps([name, description.strip(), day.isoformat(), sport_type])
    return hashlib.sha256(document.encode()).hexdigest()


class ConnectionLost(DeviceError):
    """The connection broke before intervals.icu answered: the request may or may not have
    been carried out."""


class IntervalsIcu:
    """One athlete's intervals.icu calendar."""

    def __init__(
        self, *, api_key: str, athlete_id: str, base_url: str, transport: Any = None
    ) -> None:
        import httpx

        self.athlete_id = athlete_id
        self.base_url = base_url.rstrip("/")
        self.client = httpx.Client(
            base_url=self.base_url,
            auth=("API_KEY", api_key),
            timeout=TIMEOUT_S,
            headers={"User-Agent": USER_AGENT},
            transport=transport,
        )

    @property
    def description(self) -> str:
        who = "the API key's athlete" if self.athlete_id == OWN_ATHLETE else self.athlete_id
        return f"{SERVICE} ({who})"

    def close(self) -> None:
        self.client.close()

    def events(self, *, oldest: dt.date, newest: dt.date) -> list[StoredEvent]:
        """The events of the days from `oldest` to `newest`, both included."""
        answer = self._request(
            "GET",
            f"/api/v1/athlete/{self.athlete_id}/events",
            params={"oldest": oldest.isoformat(), "newest": newest.isoformat()},
        )
        return [_stored(item) for item in _list(answer)]

    def upsert(self, events: Sequence[PlannedEvent]) -> list[StoredEvent]:
        """Create or update (by external id) the events; the events as stored."""
        answer = self._request(
            "POST",
            f"/api/v1/athlete/{self.athlete_id}/events/bulk",
            params={"upsert": "true"},
            json=[event.body() for event in events],
        )
        return [_stored(item) for item in _list(answer)]

    def _request(self, method: str, path: str, **options: Any) -> Any:
        import httpx

        url = f"{self.base_url}{path}"
        try:
            response = self.client.request(method, path, **options)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise ConnectionLost(
                f"the connection to {SERVICE} was lost before it answered ({url})",
                hint="push again: events are matched by pacefit's id for each session, so "
                "nothing is duplicated",
            ) from exc
        except httpx.TimeoutException as exc:
            raise ConnectionLost(
                f"{SERVICE} did not answer within {TIMEOUT_S:g} s ({url})",
                hint="push again later: nothing is duplicated",
            ) from exc
        except httpx.HTTPError as exc:
            raise DeviceError(
                f"cannot reach {SERVICE} at {self.base_url}: {exc}",
                hint=f"check the connection (and {URL_ENV}, if set)",
            ) from exc
        if response.status_code in (401, 403):
            raise DeviceError(
                f"{SERVICE} refused the API key (HTTP {response.status_code}: "
                f"{_error_text(response)})",
                hint=KEY_HINT,
            )
        if response.status_code == 404:
            raise DeviceError(
                f"{SERVICE} has no athlete '{self.athlete_id}' (HTTP 404)", hint=KEY_HINT
            )
        if response.status_code >= 400:
            raise DeviceError(
                f"{SERVICE} answered HTTP {response.status_code}: {_error_text(response)}"
            )
        try:
            return response.json()
        except ValueError as exc:
            raise DeviceError(f"{SERVICE} answered with something other than JSON") from exc


def connect(athlete_id: str | None, *, transport: Any = None) -> IntervalsIcu:
    """The calendar of the athlete named (else `INTERVALS_ICU_ATHLETE_ID`, else the key's own),
    with the API key from `INTERVALS_ICU_API_KEY`, at `INTERVALS_ICU_URL` (else the real
    service). The key is never taken from the command line, where shell history keeps it."""
    api_key = os.environ.get(KEY_ENV, "").strip()
    if not api_key:
        raise DeviceError(f"no API key for {SERVICE}: {KEY_ENV} is not set", hint=KEY_HINT)
    athlete = os.environ.get(ATHLETE_ENV, "").strip() or athlete_id or OWN_ATHLETE
    base_url = os.environ.get(URL_ENV, "").strip() or DEFAULT_URL
    return IntervalsIcu(api_key=api_key, athlete_id=athlete, base_url=base_url, transport=transport)


def _list(answer: Any) -> list[dict[str, Any]]:
    if not isinstance(answer, list) or not all(isinstance(item, dict) for item in answer):
        raise DeviceError(f"{SERVICE} answered with something other than a list of events")
    return answer


def _stored(item: dict[str, Any]) -> StoredEvent:
    try:
        day = dt.date.fromisoformat(str(item["start_date_local"])[:10])
        return StoredEvent(
            event_id=str(item["id"]),
            external_id=None if item.get("external_id") is None else str(item["external_id"]),
            name=str(item.get("name") or ""),
            description=str(item.get("description") or ""),
            day=day,
            sport_type=None if item.get("type") is None else str(item["type"]),
        )
    except (KeyError, ValueError) as exc:
        raise DeviceError(f"{SERVICE} answered with an event pacefit cannot read ({exc})") from exc


def _error_text(response: Any) -> str:
    try:
        answer = response.json()
    except ValueError:
        return str(response.reason_phrase or "no reason given")
    if isinstance(answer, dict) and answer.get("error"):
        return str(answer["error"])
    return str(response.reason_phrase or "no reason given")
