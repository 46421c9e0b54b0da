"""The device names table is the FIT profile's, and naming a device loads no fit-tool."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from pacefit.formats.fit_names import product_name

from .helpers import ROOT


def test_the_table_is_what_the_script_makes_from_fit_tools_profile() -> None:
    spec = importlib.util.spec_from_file_location(
        "make_fit_names", ROOT / "tools" / "make_fit_names.py"
    )
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.TABLE.read_text() == script.table_text(), "run python tools/make_fit_names.py"


def test_devices_are_named_as_the_profile_names_them() -> None:
    assert product_name(1, 4315) == "garmin fr965"
    assert product_name(294, 802) == "coros 802"
    assert product_name(1, None) == "garmin"
    assert product_name(9999, 1) == "manufacturer 9999 1"


def test_naming_a_device_imports_no_fit_tool() -> None:
    code = (
        "import sys\nfrom pacefit.formats.fit_names import product_name\nproduct_name(1, 4315)\n"
        "print('fit_tool' in {m.split('.')[0] for m in sys.modules})"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_kinds_of_file_are_the_profiles() -> None:
    """Each file type pacefit names in a refusal ("this is a FIT schedule file, not a workout")
    is the FIT profile's, as fit-tool has it, in words."""
    from fit_tool.profile.profile_type import FileType

    from pacefit.formats.fit_decode import FILE_TYPES

    profile = {kind.value: kind.name for kind in FileType if kind.value < 247}
    assert set(FILE_TYPES) == set(profile)
    words = {
        "schedules": "schedule",
        "monitoring_a": "monitoring",
        "monitoring_b": "monitoring",
        "monitoring_daily": "daily monitoring",
        "exd_configuration": "data field configuration",
    }
    for number, name in profile.items():
        name = name.lower()
        assert FILE_TYPES[number] == words.get(name, name.replace("_", " ")), number
