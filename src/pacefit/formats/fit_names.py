"""Names for FIT's numbered things (manufacturers, Garmin products), from a table generated
from the FIT profile (`fit_profile_names`, made by `tools/make_fit_names.py`), so naming a
watch costs no import of fit-tool."""

from __future__ import annotations

from pacefit.formats.fit_profile_names import GARMIN_PRODUCTS, MANUFACTURERS

GARMIN_FAMILY = {1, 13, 15, 89}  # garmin, dynastream_oem, dynastream, tacx: Garmin product ids


def product_name(manufacturer: int, product: int | None) -> str:
    """`garmin fr965`, `coros 802`: the maker, and the model where the profile names it."""
    maker_name = MANUFACTURERS.get(manufacturer, f"manufacturer {manufacturer}")
    if product is None:
        return maker_name
    model = GARMIN_PRODUCTS.get(product) if manufacturer in GARMIN_FAMILY else None
    return f"{maker_name} {model or product}"
