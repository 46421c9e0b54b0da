"""Write `src/pacefit/formats/fit_profile_names.py`: the FIT profile's manufacturer and Garmin
product names, from the profile fit-tool carries, as a small table pacefit reads without
importing fit-tool (whose profile module takes a fifth of an `analyze` start-up).

    python tools/make_fit_names.py          # after upgrading fit-tool

`tests/test_fit_names.py` fails when the table and fit-tool's profile differ.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().parents[1] / "src" / "pacefit" / "formats" / "fit_profile_names.py"


def table_text() -> str:
    from fit_tool.profile.profile_type import GarminProduct, Manufacturer

    def entries(members: dict[int, Any]) -> str:
        # double quotes, as the formatter writes them (names are identifiers)
        return "".join(
            f'    {number}: "{member.name.lower()}",\n'
            for number, member in sorted(members.items())
        )

    return (
        '"""The FIT profile\'s manufacturer and Garmin product names, generated from fit-tool\'s\n'
        'profile by `tools/make_fit_names.py` (do not edit by hand)."""\n\n'
        "MANUFACTURERS = {\n"
        f"{entries(Manufacturer._value2member_map_)}"
        "}\n\n"
        "GARMIN_PRODUCTS = {\n"
        f"{entries(GarminProduct._value2member_map_)}"
        "}\n"
    )


def main() -> int:
    TABLE.write_text(table_text())
    print(f"wrote {TABLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
