import pytest

from pacefit.core import units


@pytest.mark.parametrize(
    ("text", "metres"),
    [("800m", 800), ("1.5km", 1500), ("2mi", 3218.688), ("1 mile", 1609.344), ("10 k", 10000)],
)
def test_distances_in_every_unit(text: str, metres: float) -> None:
    assert units.parse_distance_m(text) == pytest.approx(metres)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("15min", 900), ("1:30", 90), ("1:00:00", 3600), ("1.5h", 5400)],
)
def test_times(text: str, seconds: float) -> None:
    assert units.parse_time_s(text) == seconds


def test_paces_per_mile_convert_to_per_km() -> None:
    assert units.parse_pace_s_per_km("6:30/mi") == pytest.approx(390 / 1.609344)
    assert units.parse_pace_s_per_km("4:05/km") == 245


@pytest.mark.parametrize("text", ["800", "fast", "1:75", "5 parsecs", ""])
def test_nonsense_is_not_a_unit(text: str) -> None:
    assert units.parse_distance_m(text) is None
    assert units.parse_time_s(text) is None


def test_formatting_round_trips_the_usual_lengths() -> None:
    assert units.format_distance(3218.688) == "2mi"
    assert units.format_distance(800) == "800m"
    assert units.format_distance(1200) == "1.2km"
    assert units.format_pace(245) == "4:05/km"
    assert units.format_pace(245, units.DistanceUnit.MILE) == "6:34/mi"
    assert units.format_duration(90) == "1:30"
    assert units.format_duration(900) == "15min"
