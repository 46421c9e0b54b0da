"""A watch reached over MTP (most watches since about 2020), through libmtp's example tools.

`mtp-folders` prints `id<TAB>name` with two spaces of indent per level; `mtp-files` prints blocks
of `File ID:`, `Filename:` and `Parent ID:` lines; `mtp-sendfile LOCAL /FOLDER` names the file
after the local one and prints `New file ID: N`; `mtp-getfile ID LOCAL` fetches by id;
`mtp-delfile -n ID` deletes by id. The tools report some failures only in their output (exit code
0), so success is judged by what they print and by reading every file back.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pacefit.errors import DeviceError, Location
from pacefit.files import sha256

SEND, GET, DELETE, FILES, FOLDERS = (
    "mtp-sendfile",
    "mtp-getfile",
    "mtp-delfile",
    "mtp-files",
    "mtp-folders",
)
NEW_FILES = "/GARMIN/NewFiles"
WORKOUTS = "/GARMIN/Workouts"
TIMEOUT_S = 120
INSTALL_HELP = (
    "No watch is mounted as a USB drive. Newer Garmin watches connect over MTP instead: install "
    "the libmtp command-line tools (Debian/Ubuntu: 'sudo apt install mtp-tools'; Fedora: "
    "'sudo dnf install libmtp-examples'; macOS: 'brew install libmtp') and run push again, "
    "or copy the files into GARMIN/NewFiles with Garmin Express or OpenMTP. If the watch is "
    "mounted somewhere pacefit does not look, name it with --to."
)
_FOLDER_LINE = re.compile(r"^(\d+)\t( *)(.+)$")
_NEW_ID = re.compile(r"New file ID:\s*(\d+)")


def tools_available() -> bool:
    return all(shutil.which(tool) is not None for tool in (SEND, GET, DELETE, FILES, FOLDERS))


@dataclass(frozen=True)
class MtpFile:
    item_id: int
    name: str
    parent_id: int


class MtpWatch:
    """The watch's NewFiles folder over MTP. The file table is read once and kept up to date as
    files are sent, since every listing walks the whole device."""

    description = "the MTP watch"

    def __init__(self) -> None:
        self.folders = list_folders()
        self.folder_id = self.folder(NEW_FILES)
        self.files = list_files()

    def folder(self, path: str) -> int:
        for folder_path, folder_id in self.folders.items():
            if folder_path.lower() == path.lower():
                return folder_id
        raise DeviceError(f"the watch has no {path} folder: is it a Garmin watch?")

    def where(self, name: str) -> str:
        return f"mtp:{NEW_FILES}/{name}"

    def find(self, name: str) -> MtpFile | None:
        return next(
            (
                f
                for f in self.files
                if f.parent_id == self.folder_id and f.name.lower() == name.lower()
            ),
            None,
        )

    def read(self, name: str) -> bytes | None:
        found = self.find(name)
        return None if found is None else fetch(found.item_id, name=self.where(name))

    def write(self, name: str, data: bytes) -> None:
        """Send `data` as `name`. MTP tools cannot rename, so a file replaced is deleted
        first; its bytes are kept until the new one reads back, and put back if it does not."""
        old = self.find(name)
        previous = None
        if old is not None:
            previous = fetch(old.item_id, name=self.where(name))
            run_tool([DELETE, "-n", str(old.item_id)])
            self.files.remove(old)
        try:
            self._send(name, data)
        except DeviceError as exc:
            if previous is None:
                raise
            try:
                self._send(name, previous)
            except DeviceError:
                raise DeviceError(
                    f"{exc.message}; the file it was to replace could not be put back",
                    location=exc.location,
                    hint="push again with --force once the watch's storage is checked",
                ) from exc
            raise DeviceError(
                f"{exc.message}; the file it was to replace is back as it was",
                location=exc.location,
            ) from exc

    def _send(self, name: str, data: bytes) -> None:
        with tempfile.TemporaryDirectory(prefix="pacefit-mtp-") as folder:
            local = Path(folder) / name  # the tool names the file on the watch after this one
            local.write_bytes(data)
            output = run_tool([SEND, str(local), NEW_FILES])
        sent = _NEW_ID.search(output)
        if sent is None:
            raise DeviceError(
                f"{SEND} did not send the file: {_last_line(output)}",
                location=Location(self.where(name)),
            )
        item_id = int(sent[1])
        self.files.append(MtpFile(item_id, name, self.folder_id))
        if sha256(fetch(item_id, name=self.where(name))) != sha256(data):
            # a damaged copy is not left for the watch to take in
            with contextlib.suppress(DeviceError):
                run_tool([DELETE, "-n", str(item_id)])
                self.files = [f for f in self.files if f.item_id != item_id]
            raise DeviceError(
                "the file does not read back as written: check the watch's storage",
                location=Location(self.where(name)),
            )

    def remove_stale_temporaries(self) -> list[Path]:
        # a file is sent over MTP as one object, under its own name: there is no temporary
        # file to leave (a send cut short leaves a different file of that name, which the
        # next push refuses to replace unless forced)
        return []

    def new_file_names(self) -> list[str]:
        return sorted(f.name for f in self.files if f.parent_id == self.folder_id)

    def workout_files(self) -> Iterator[tuple[str, bytes]]:
        folder_id = next(
            (i for path, i in self.folders.items() if path.lower() == WORKOUTS.lower()), None
        )
        if folder_id is None:
            return
        for file in sorted(self.files, key=lambda f: f.name):
            if file.parent_id == folder_id:
                yield file.name, fetch(file.item_id, name=f"mtp:{WORKOUTS}/{file.name}")


def fetch(item_id: int, *, name: str) -> bytes:
    """A file's bytes, fetched by its id."""
    with tempfile.TemporaryDirectory(prefix="pacefit-mtp-") as folder:
        local = Path(folder) / "file"
        output = run_tool([GET, str(item_id), str(local)])
        if not local.is_file():
            raise DeviceError(
                f"{GET} could not read the file back: {_last_line(output)}",
                location=Location(name),
            )
        return local.read_bytes()


def list_folders() -> dict[str, int]:
    """Every folder on the watch by its path (`/GARMIN/NewFiles`)."""
    paths: dict[str, int] = {}
    stack: list[str] = []
    for line in run_tool([FOLDERS]).splitlines():
        match = _FOLDER_LINE.match(line)
        if not match:
            continue
        level = len(match[2]) // 2
        del stack[level:]
        stack.append(match[3].strip())
        paths["/" + "/".join(stack)] = int(match[1])
    return paths


def list_files() -> list[MtpFile]:
    files = []
    item_id: int | None = None
    name = ""
    for line in run_tool([FILES]).splitlines():
        key, _, value = line.strip().partition(":")
        if key == "File ID":
            item_id, name = int(value), ""
        elif key == "Filename":
            name = value.strip()
        elif key == "Parent ID" and item_id is not None:
            files.append(MtpFile(item_id, name, int(value)))
    return files


def run_tool(command: list[str]) -> str:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DeviceError(f"{command[0]} failed: {exc}") from exc
    if done.returncode != 0:
        detail = _last_line(done.stderr or done.stdout)
        raise DeviceError(
            f"{command[0]} failed (exit {done.returncode}): {detail}",
            hint="is the watch connected and unlocked? Only one program can talk MTP at a time.",
        )
    return done.stdout


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no output"
