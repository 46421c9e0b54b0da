"""Editing real FIT files for tests: find a message's fields, change a value, drop, copy or
relabel a message, and make the header's length and both checksums right again, so that what
pacefit meets is the damage itself, not a checksum it would refuse first.

Only single files (no chains), as the real recordings are.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from pacefit.formats.fit_decode import fit_crc16

# struct codes of the FIT base types (the low five bits of the base type byte)
BASE_CODES = {
    0: "B", 1: "b", 2: "B", 3: "h", 4: "H", 5: "i", 6: "I", 7: "s", 8: "f", 9: "d",
    10: "B", 11: "H", 12: "I", 13: "B", 14: "q", 15: "Q", 16: "Q",
}  # fmt: skip
SESSION, LAP, RECORD, FILE_ID, EVENT = 18, 19, 20, 0, 21


@dataclass(frozen=True)
class FieldAt:
    number: int
    offset: int  # in the file
    size: int
    base: int  # base type number (low five bits)
    endian: str  # "<" or ">"

    @property
    def code(self) -> str:
        return BASE_CODES.get(self.base, "B")


@dataclass(frozen=True)
class Message:
    """A message in the file: where it starts (its header byte) and ends."""

    start: int
    end: int
    definition: bool
    global_number: int
    fields: tuple[FieldAt, ...] = ()  # data messages: the native fields and where they are

    def field(self, number: int) -> FieldAt | None:
        return next((f for f in self.fields if f.number == number), None)


@dataclass(frozen=True)
class _Layout:
    global_number: int
    endian: str
    fields: tuple[tuple[int, int, int], ...]  # number, size, base
    developer_size: int


def messages(data: bytes) -> Iterator[Message]:
    """Every message of a single FIT file, in order."""
    position, end = data[0], data[0] + int.from_bytes(data[4:8], "little")
    layouts: dict[int, _Layout] = {}
    while position < end:
        header = data[position]
        start = position
        position += 1
        if header & 0x80 == 0 and header & 0x40:
            endian = ">" if data[position + 1] else "<"
            number = int.from_bytes(
                data[position + 2 : position + 4], "big" if endian == ">" else "little"
            )
            count = data[position + 4]
            position += 5
            fields = tuple(
                (
                    data[position + 3 * k],
                    data[position + 3 * k + 1],
                    data[position + 3 * k + 2] & 0x1F,
                )
                for k in range(count)
            )
            position += 3 * count
            developer = 0
            if header & 0x20:
                developer_count = data[position]
                position += 1
                developer = sum(data[position + 3 * k + 1] for k in range(developer_count))
                position += 3 * developer_count
            layouts[header & 0x0F] = _Layout(number, endian, fields, developer)
            yield Message(start, position, True, number)
            continue
        layout = layouts[(header >> 5) & 0x03 if header & 0x80 else header & 0x0F]
        placed = []
        for number, size, base in layout.fields:
            placed.append(FieldAt(number, position, size, base, layout.endian))
            position += size
        position += layout.developer_size
        yield Message(start, position, False, layout.global_number, tuple(placed))


def data_messages(data: bytes, global_number: int) -> list[Message]:
    return [m for m in messages(data) if not m.definition and m.global_number == global_number]


def reframed(body: bytes) -> bytes:
    """Header (length and CRC) and file CRC made right for `body`: a file without its CRC."""
    header_size = body[0]
    header = bytearray(body[:header_size])
    header[4:8] = (len(body) - header_size).to_bytes(4, "little")
    if header_size == 14:
        header[12:14] = fit_crc16(bytes(header[:12])).to_bytes(2, "little")
    framed = bytes(header) + body[header_size:]
    return framed + fit_crc16(framed).to_bytes(2, "little")


def without_crc(data: bytes) -> bytes:
    return data[:-2]


def set_field(data: bytes, *, message: int, field: int, value: float, index: int = 0) -> bytes:
    """The file with one field of the `index`-th data message of kind `message` set to the raw
    `value` (a float for a float field, else an integer), checksums made right."""
    target = data_messages(data, message)[index].field(field)
    assert target is not None, f"message {message} #{index} has no field {field}"
    return set_raw(data, target, value)


def set_raw(data: bytes, target: FieldAt, value: float) -> bytes:
    code = target.code
    packed = struct.pack(target.endian + code, value if code in "fd" else int(value))
    edited = bytearray(without_crc(data))
    edited[target.offset : target.offset + target.size] = packed[: target.size]
    return reframed(bytes(edited))


def drop_message(data: bytes, *, message: int, index: int) -> bytes:
    target = data_messages(data, message)[index]
    body = without_crc(data)
    return reframed(body[: target.start] + body[target.end :])


def copy_message(data: bytes, *, message: int, index: int) -> bytes:
    """The file with the `index`-th data message of kind `message` written twice."""
    target = data_messages(data, message)[index]
    body = without_crc(data)
    return reframed(body[: target.end] + body[target.start : target.end] + body[target.end :])


def relabel_definition(data: bytes, *, old: int, new: int, index: int = 0) -> bytes:
    """The file with the `index`-th definition of message `old` saying it defines `new`."""
    definitions = [m for m in messages(data) if m.definition and m.global_number == old]
    start = definitions[index].start
    endian = ">" if data[start + 2] else "<"
    edited = bytearray(without_crc(data))
    edited[start + 3 : start + 5] = new.to_bytes(2, "big" if endian == ">" else "little")
    return reframed(bytes(edited))


def field_value(data: bytes, *, message: int, field: int, index: int = 0) -> float:
    target = data_messages(data, message)[index].field(field)
    assert target is not None
    raw = data[target.offset : target.offset + target.size]
    value: float = struct.unpack(target.endian + target.code, raw)[0]
    return value
