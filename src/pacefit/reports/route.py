"""The route of a run drawn to scale from its GPS positions, each step's stretch in the colour of
its verdict: a self-contained drawing (SVG coordinates computed here), with map tiles behind it
only when a tile server is configured (`PACEFIT_TILE_URL`, or `--tiles`); otherwise the page
makes no request at all.

Positions are projected as web map tiles are (spherical Web Mercator), so tiles and route line
up; over the few kilometres of a run that projection is to scale in every direction (the scale
bar uses the metres per unit at the route's mean latitude).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pacefit.core.activity import Track
from pacefit.core.score import Analysis, Verdict
from pacefit.core.units import METRES_PER_MILE, DistanceUnit

VIEW_SIZE = 600.0  # the longer side of the drawing, in SVG units
MARGIN = 16.0
MAX_ROUTE_POINTS = 1500
TILE_PX = 256
EQUATOR_M = 40_075_016.686  # Web Mercator's world width in metres at the equator
# The round lengths a scale bar takes in the runner's unit: (metres, as written).
SCALE_BARS: dict[DistanceUnit, tuple[tuple[float, str], ...]] = {
    DistanceUnit.KM: tuple(
        (m, f"{m / 1000:g} km" if m >= 1000 else f"{m} m")
        for m in (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000)
    ),
    DistanceUnit.MILE: tuple(
        (miles * METRES_PER_MILE, f"{miles:g} mi")
        for miles in (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50)
    ),
}


@dataclass(frozen=True)
class RouteStretch:
    """A polyline in SVG units, coloured by a verdict (None: between steps or unplanned)."""

    points: str  # "x,y x,y ..."
    verdict: Verdict | None
    step: int | None  # 1-based step number


@dataclass(frozen=True)
class Tile:
    href: str
    x: float
    y: float
    size: float


@dataclass(frozen=True)
class Projection:
    """World pixel coordinates at `zoom` shifted and scaled into the drawing."""

    zoom: int
    left_px: float
    top_px: float
    scale: float  # SVG units per world pixel

    def xy(self, latitude: float, longitude: float) -> tuple[float, float]:
        x, y = world_px(latitude, longitude, self.zoom)
        return (MARGIN + (x - self.left_px) * self.scale, MARGIN + (y - self.top_px) * self.scale)


@dataclass(frozen=True)
class Route:
    width: float
    height: float
    stretches: tuple[RouteStretch, ...]
    start: tuple[float, float]
    finish: tuple[float, float]
    scale_bar: str  # its length in the runner's unit, "500 m", "0.25 mi"
    scale_bar_units: float  # its length in SVG units
    projection: Projection
    tiles: tuple[Tile, ...] = ()
    tile_source: str = ""


def world_px(latitude: float, longitude: float, zoom: int) -> tuple[float, float]:
    size = TILE_PX * 2**zoom
    phi = math.radians(max(-85.0, min(85.0, latitude)))
    x = (longitude + 180.0) / 360.0 * size
    y = (1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * size
    return x, y


def positions(track: Track) -> list[tuple[int, float, float]]:
    """(sample, latitude, longitude) wherever both are known."""
    lat, lon = track.latitude_deg, track.longitude_deg
    if not lat or not lon:
        return []
    return [
        (i, a, b)
        for i, (a, b) in enumerate(zip(lat, lon, strict=True))
        if a is not None and b is not None
    ]


def run_route(
    analysis: Analysis, *, unit: DistanceUnit = DistanceUnit.KM, tile_url: str | None = None
) -> Route | None:
    """The drawing, or None when the run has fewer than two positions (a treadmill)."""
    points = positions(analysis.activity.track)
    if len(points) < 2:
        return None
    projection = fit_projection(points)
    xy = {i: projection.xy(a, b) for i, a, b in thinned(points)}
    width = height = 0.0
    for x, y in xy.values():
        width, height = max(width, x + MARGIN), max(height, y + MARGIN)
    stretches = tuple(_stretches(analysis, xy))
    first, last = min(xy), max(xy)
    bar, bar_units = scale_bar(projection, points, unit=unit)
    return Route(
        width=round(width, 1),
        height=round(height, 1),
        stretches=stretches,
        start=xy[first],
        finish=xy[last],
        scale_bar=bar,
        scale_bar_units=bar_units,
        projection=projection,
        tiles=tiles(projection, width, height, tile_url) if tile_url else (),
        tile_source=_host(tile_url) if tile_url else "",
    )


def fit_projection(points: list[tuple[int, float, float]]) -> Projection:
    """The zoom and offset that fit the route's box into `VIEW_SIZE` (the highest tile zoom at
    which the box is at most `VIEW_SIZE` pixels, so tiles are drawn near their own size)."""
    zoom = 18
    while True:
        xs, ys = zip(*(world_px(a, b, zoom) for _, a, b in points), strict=True)
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
        if span <= VIEW_SIZE - 2 * MARGIN or zoom == 0:
            break
        zoom -= 1
    return Projection(
        zoom=zoom, left_px=min(xs), top_px=min(ys), scale=(VIEW_SIZE - 2 * MARGIN) / span
    )


def thinned(points: list[tuple[int, float, float]]) -> list[tuple[int, float, float]]:
    """About `MAX_ROUTE_POINTS` evenly spaced in the recording, the first and last always."""
    step = max(1, len(points) // MAX_ROUTE_POINTS)
    kept = points[::step]
    if kept[-1] != points[-1]:
        kept.append(points[-1])
    return kept


def _stretches(analysis: Analysis, xy: dict[int, tuple[float, float]]) -> list[RouteStretch]:
    """The drawn points cut at the steps' boundaries; each piece shares its end point with the
    next, so the line has no gaps."""
    track = analysis.activity.track
    bounds: list[tuple[int, int, Verdict | None, int | None]] = []
    for step in analysis.steps:
        if step.start_elapsed_s is None or step.end_elapsed_s is None:
            continue
        start = track.index_at_elapsed(step.start_elapsed_s)
        end = track.index_at_elapsed(step.end_elapsed_s)
        bounds.append((start, end, step.verdict, step.number))
    order = sorted(xy)
    stretches = []
    cursor = 0

    def add(lo: int, hi: int, verdict: Verdict | None, number: int | None) -> None:
        chosen = [i for i in order if lo <= i <= hi]
        if len(chosen) >= 2:
            line = " ".join(f"{xy[i][0]:.1f},{xy[i][1]:.1f}" for i in chosen)
            stretches.append(RouteStretch(line, verdict, number))

    for start, end, verdict, number in bounds:
        if start > cursor:
            add(cursor, start, None, None)
        add(start, end, verdict, number)
        cursor = max(cursor, end)
    if order and cursor < order[-1]:
        add(cursor, order[-1], None, None)
    return stretches


def scale_bar(
    projection: Projection, points: list[tuple[int, float, float]], *, unit: DistanceUnit
) -> tuple[str, float]:
    """A round length in the runner's unit about a fifth of the drawing, as written, and its
    length in SVG units."""
    mean_latitude = sum(a for _, a, _ in points) / len(points)
    metres_per_px = (
        EQUATOR_M * math.cos(math.radians(mean_latitude)) / (TILE_PX * 2**projection.zoom)
    )
    metres_per_unit = metres_per_px / projection.scale
    wanted_m = VIEW_SIZE / 5 * metres_per_unit
    bar_m, written = min(SCALE_BARS[unit], key=lambda bar: abs(math.log(bar[0] / wanted_m)))
    return written, round(bar_m / metres_per_unit, 1)


def tiles(projection: Projection, width: float, height: float, url: str) -> tuple[Tile, ...]:
    """The tiles under the drawing, from a URL template with `{z}`, `{x}` and `{y}`."""
    size = TILE_PX * projection.scale
    left = projection.left_px - MARGIN / projection.scale
    top = projection.top_px - MARGIN / projection.scale
    right = left + width / projection.scale
    bottom = top + height / projection.scale
    count = 2**projection.zoom
    found = []
    for ty in range(int(top // TILE_PX), int(bottom // TILE_PX) + 1):
        for tx in range(int(left // TILE_PX), int(right // TILE_PX) + 1):
            if not (0 <= tx < count and 0 <= ty < count):
                continue
            x = MARGIN + (tx * TILE_PX - projection.left_px) * projection.scale
            y = MARGIN + (ty * TILE_PX - projection.top_px) * projection.scale
            href = url.replace("{z}", str(projection.zoom)).replace("{x}", str(tx))
            found.append(Tile(href.replace("{y}", str(ty)), round(x, 1), round(y, 1), size))
    return tuple(found)


def _host(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0]
