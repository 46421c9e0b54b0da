"""A fake of libmtp's example tools over a folder that plays the watch, for the delivery tests.

Run as `python fake_mtp.py TOOL ARGS...`, where TOOL is one of mtp-files, mtp-folders,
mtp-sendfile, mtp-getfile, mtp-delfile (the tests install one small script per tool on PATH).
Objects get ids from a table kept in `.ids.json` at the root of the device folder, as a watch's
object handles would be; output follows libmtp's examples. `FAKE_MTP_CORRUPT=1` makes sendfile
store a damaged copy, as a failing watch might (`once`: only the first file sent).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

DEVICE = Path(os.environ["FAKE_MTP_DEVICE"])
TABLE = DEVICE / ".ids.json"


def ids() -> dict[str, int]:
    table: dict[str, int] = json.loads(TABLE.read_text()) if TABLE.exists() else {}
    for path in sorted(DEVICE.rglob("*")):
        relative = str(path.relative_to(DEVICE))
        if relative != TABLE.name and relative not in table:
            table[relative] = max(table.values(), default=100) + 1
    table = {k: v for k, v in table.items() if (DEVICE / k).exists()}
    TABLE.write_text(json.dumps(table))
    return table


def by_id(item_id: int) -> Path | None:
    return next((DEVICE / k for k, v in ids().items() if v == item_id), None)


def folders() -> None:
    table = ids()
    for relative, item_id in sorted(table.items()):
        path = DEVICE / relative
        if path.is_dir():
            depth = len(Path(relative).parts) - 1
            print(f"{item_id}\t{'  ' * depth}{path.name}")
    print("OK.")


def files() -> None:
    table = ids()
    for relative, item_id in sorted(table.items(), key=lambda kv: kv[1]):
        path = DEVICE / relative
        if path.is_file():
            parent = table.get(str(Path(relative).parent), 0)
            print(f"File ID: {item_id}\n   Filename: {path.name}")
            print(f"   File size {path.stat().st_size} (0x{path.stat().st_size:08X}) bytes")
            print(f"   Parent ID: {parent}\n   Filetype: Unknown file type")
    print("OK.")


def sendfile(local: str, remote_folder: str) -> None:
    folder = DEVICE / remote_folder.strip("/")
    if not folder.is_dir():
        print("Parent folder could not be found, skipping")
        return
    target = folder / Path(local).name
    data = Path(local).read_bytes()
    corrupt = os.environ.get("FAKE_MTP_CORRUPT")
    once = DEVICE.parent / ".fake-mtp-corrupted-once"  # beside the device, not on it
    if corrupt == "1" or (corrupt == "once" and not once.exists()):
        data = data[:-1]
        once.touch()
    target.write_bytes(data)
    print(
        f"Sending {local} to {remote_folder}\nNew file ID: {ids()[str(target.relative_to(DEVICE))]}"
    )


def getfile(item_id: str, local: str) -> None:
    path = by_id(int(item_id))
    if path is None or not path.is_file():
        print("\nError getting file from MTP device.")
        return
    shutil.copyfile(path, local)


def delfile(flag: str, item_id: str) -> None:
    assert flag == "-n"
    path = by_id(int(item_id))
    if path is not None:
        path.unlink()
    ids()


TOOLS: dict[str, Callable[..., None]] = {
    "mtp-folders": folders,
    "mtp-files": files,
    "mtp-sendfile": sendfile,
    "mtp-getfile": getfile,
    "mtp-delfile": delfile,
}

if __name__ == "__main__":
    TOOLS[sys.argv[1]](*sys.argv[2:])
