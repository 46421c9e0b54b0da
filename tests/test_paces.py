"""The pace model against Daniels' published VDOT tables (Daniels' Running Formula)."""

import pytest

from pacefit.core.paces import (
    RACE_DISTANCES_M,
    Athlete,
    pace_table,
    race_time_from_vdot,
    riegel_time_s,
    training_paces,
    vdot_from_race,
)

# VDOT -> published equivalent race times (s): 5K, 10K, half marathon, marathon.
PUBLISHED_RACES = {
    40: (24 * 60 + 8, 50 * 60 + 3, 1 * 3600 + 50 * 60 + 59, 3 * 3600 + 49 * 60 + 45),
    50: (19 * 60 + 57, 41 * 60 + 21, 1 * 3600 + 31 * 60 + 35, 3 * 3600 + 10 * 60 + 49),
    60: (17 * 60 + 3, 35 * 60 + 22, 1 * 3600 + 18 * 60 + 9, 2 * 3600 + 43 * 60 + 25),
}
# VDOT -> published threshold and interval paces (s/km).
PUBLISHED_TRAINING = {50: (4 * 60 + 15, 3 * 60 + 55), 60: (3 * 60 + 40, 3 * 60 + 23)}


@pytest.mark.parametrize("vdot", sorted(PUBLISHED_RACES))
def test_race_times_match_the_vdot_table(vdot: int) -> None:
    for distance_m, published_s in zip(
        RACE_DISTANCES_M.values(), PUBLISHED_RACES[vdot], strict=True
    ):
        assert vdot_from_race(distance_m=distance_m, time_s=published_s) == pytest.approx(
            vdot, abs=0.15
        )
        assert race_time_from_vdot(vdot=vdot, distance_m=distance_m) == pytest.approx(
            published_s, rel=0.003
        )


@pytest.mark.parametrize("vdot", sorted(PUBLISHED_TRAINING))
def test_threshold_and_interval_paces_match_the_table(vdot: int) -> None:
    paces = training_paces(vdot)
    threshold, interval = PUBLISHED_TRAINING[vdot]
    assert paces["threshold"].fast_s_per_km == pytest.approx(threshold, abs=2)
    assert paces["interval"].fast_s_per_km == pytest.approx(interval, abs=2)
    # marathon pace is the VDOT-equivalent marathon race pace
    assert paces["marathon"].fast_s_per_km == pytest.approx(
        PUBLISHED_RACES[vdot][3] / 42.195, abs=1
    )


def test_easy_pace_is_a_band_around_the_published_easy_pace() -> None:
    easy = training_paces(50)["easy"]
    assert easy.fast_s_per_km < 5 * 60 + 7 < easy.slow_s_per_km  # table: 5:07/km at VDOT 50


def test_riegel_predicts_with_exponent_1_06() -> None:
    predicted = riegel_time_s(known_distance_m=10000, known_time_s=45 * 60, distance_m=21097.5)
    assert predicted == pytest.approx(45 * 60 * 2.10975**1.06)


def test_missing_races_are_predicted_from_the_nearest_given_one() -> None:
    athlete = Athlete(race_times_s={"5k": 20 * 60, "marathon": 3 * 3600 + 30 * 60})
    table = pace_table(athlete)
    assert table is not None
    assert table.race["5k"].source == "given"
    assert table.race["10k"].source == "Riegel from 5k"
    assert table.race["half"].source == "Riegel from marathon"
    assert table.race["10k"].pace_s_per_km == pytest.approx(
        riegel_time_s(known_distance_m=5000, known_time_s=1200, distance_m=10000) / 10
    )
    # training paces come from the better race (the 5K here)
    assert table.vdot == pytest.approx(vdot_from_race(distance_m=5000, time_s=1200))


def test_a_vdot_alone_gives_every_pace() -> None:
    table = pace_table(Athlete(vdot=50))
    assert table is not None
    assert table.race["10k"].pace_s_per_km * 10 == pytest.approx(PUBLISHED_RACES[50][1], rel=0.003)


def test_no_races_and_no_vdot_gives_no_table() -> None:
    assert pace_table(Athlete()) is None


def test_hr_zones_from_max_hr() -> None:
    assert Athlete(max_hr_bpm=200).hr_zone_bpm(2) == (120, 140)
    assert Athlete(max_hr_bpm=200).hr_zone_bpm(6) is None
