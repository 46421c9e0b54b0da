"""Decoding with Garmin's official FIT SDK: the referee for every FIT file pacefit writes."""

from __future__ import annotations

from typing import Any

from garmin_fit_sdk import Decoder, Stream


def decode_checked(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """Garmin's decode of `data`, asserting the file is FIT, its CRC holds and nothing failed."""
    assert Decoder(Stream.from_byte_array(bytearray(data))).is_fit()
    assert Decoder(Stream.from_byte_array(bytearray(data))).check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read(
        convert_datetimes_to_dates=False
    )
    assert errors == []
    # the SDK's types describe each message; the tests read them as plain dictionaries
    decoded: dict[str, list[dict[str, Any]]] = dict(messages)  # type: ignore[arg-type]
    return decoded
