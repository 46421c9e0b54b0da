"""Names for FIT's numbered things (manufacturers, Garmin products), from the FIT profile that
fit-tool carries, imported only when a name is wanted."""

from __future__ import annotations

from functools import cache

GARMIN_FAMILY = {1, 13, 15, 89}  # garmin, dynastream_oem, dynastream, tacx: Garmin product ids


@cache
def product_name(manufacturer: int, product: int | None) -> str:
    """`garmin fr965`, `coros 802`: the maker, and the model where the profile names it."""
    from fit_tool.profile.profile_type import GarminProduct, Manufacturer

    maker = Manufacturer._value2member_map_.get(manufacturer)
    maker_name = maker.name.lower() if maker else f"manufacturer {manufacturer}"
    if product is None:
        return maker_name
    model = GarminProduct._value2member_map_.get(product) if manufacturer in GARMIN_FAMILY else None
    return f"{maker_name} {model.name.lower() if model else product}"
