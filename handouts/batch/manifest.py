"""manifest.csv: the record of every packet in the packets folder, by roster row, patient id and appointment.

The manifest lists what is in the folder after a run, never a name. A run
that writes some packets keeps the earlier manifest's lines for the packets it
did not replace (so a re-run for one fixed row keeps the day's record),
updates the lines of those it replaced, drops lines whose file is gone, and
lists a packet file that no manifest knew (from an older version, or after the
manifest was deleted) with its row, id and appointment left empty.

Room for the new manifest is taken before the first packet is written, as a
temporary file as large as the manifest can become: a disk that fills up
during the run still takes the list of what was written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO

from ..errors import OutputError
from ..files.atomic import open_atomically, write_atomically
from ..files.names import PACKET_NAME, collision_key
from ..files.spreadsheet import as_typed, spreadsheet_safe
from ..load.roster import RosterRow, patient_key

MANIFEST = "manifest.csv"
HEADER = ["row", "patient_id", "appointment", "file"]
MOST_BYTES = 16 * 1024 * 1024  # an earlier manifest larger than this is not one handouts wrote


class Manifest:
    """The manifest of one packets folder for one run: read, room taken, then written once."""

    def __init__(self, folder: Path, name: str = MANIFEST):
        self.folder = Path(folder)
        self.path = self.folder / name
        self.earlier, self.note = read_manifest(self.path)
        self._file: AbstractContextManager[BinaryIO] | None = None
        self.withdrawn = 0  # earlier packets removed: their patient's appointment changed
        self._handle: BinaryIO | None = None

    def reserve(self, planned: Iterable[tuple[RosterRow, Path]]) -> None:
        """Take room for the largest manifest this run can leave (as if every planned packet were written)."""
        most = len(self._render(self._lines(planned, assume_present=True)))
        opened = open_atomically(self.path)
        self._handle = opened.__enter__()
        self._file = opened
        self._guarded(lambda handle: (handle.write(b" " * most), handle.flush()))

    def write(self, written: Iterable[tuple[RosterRow, Path]]) -> int:
        """Write the manifest for the folder as it now is; return how many packets it lists. InputError when
        it cannot be written (then the earlier one, if any, is left as it was).

        An earlier packet of a patient this run wrote a packet for, for another appointment, is out of date:
        it is removed first (`withdrawn` counts them), so nobody prints the old date by mistake."""
        written = list(written)
        self.withdrawn = self._withdraw_superseded(written)
        data = self._render(lines := self._lines(written))
        if self._file is None:
            write_atomically(self.path, data)
            return len(lines)

        def rewrite(handle: BinaryIO) -> None:
            handle.seek(0)
            handle.write(data)  # into the room taken at the start: a full disk has no say
            handle.truncate()

        self._guarded(rewrite)
        opened, self._file = self._file, None
        opened.__exit__(None, None, None)  # renamed into place
        return len(lines)

    def _withdraw_superseded(self, written: list[tuple[RosterRow, Path]]) -> int:
        patients = {patient_key(row.patient_id) for row, _ in written}
        kept = {collision_key(path.name) for _, path in written}
        withdrawn = 0
        for cells in self.earlier:
            patient_id = as_typed(cells[1])
            if patient_id and patient_key(patient_id) in patients and collision_key(cells[3]) not in kept:
                try:
                    (self.folder / cells[3]).unlink()
                    withdrawn += 1
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    raise OutputError(f"cannot remove an out-of-date packet ({exc.strerror})", source=str(self.folder),
                                     rule="output-unwritable", hint="check the folder's permissions") from None
        return withdrawn

    def close(self) -> None:
        """Give the room back, when nothing was written: the earlier manifest stays."""
        if self._file is not None:
            opened, self._file = self._file, None
            opened.__exit__(_Unused, _Unused(), None)

    def _guarded(self, step) -> None:
        try:
            step(self._handle)
        except BaseException as exc:
            opened, self._file = self._file, None
            opened.__exit__(type(exc), exc, exc.__traceback__)  # removes the temporary file; OSError -> InputError
            raise

    def _lines(self, written: Iterable[tuple[RosterRow, Path]], assume_present: bool = False) -> list[list[str]]:
        new = {collision_key(path.name): [str(row.number), spreadsheet_safe(row.patient_id),
                                          f"{row.appointment:%Y-%m-%d %H:%M}", path.name] for row, path in written}
        lines, seen = [], set()
        for cells in self.earlier:
            key = collision_key(cells[3])
            if key in seen:
                continue
            seen.add(key)
            if key in new:
                lines.append(new.pop(key))
            elif assume_present or (self.folder / cells[3]).is_file():
                lines.append(cells)
        seen.update(new)
        lines.extend(new.values())
        for path in sorted(self.folder.glob("*.pdf")) if self.folder.is_dir() else ():
            key = collision_key(path.name)
            if key not in seen and re.fullmatch(PACKET_NAME, path.name, re.IGNORECASE) and path.is_file():
                seen.add(key)
                lines.append(["", "", "", path.name])
        return lines

    @staticmethod
    def _render(lines: list[list[str]]) -> bytes:
        text = io.StringIO()
        out = csv.writer(text, lineterminator="\n")
        out.writerow(HEADER)
        out.writerows(lines)
        return text.getvalue().encode("utf-8")


class _Unused(Exception):
    """The room taken for a manifest that this run did not need: its temporary file goes."""


def read_manifest(path: Path) -> tuple[list[list[str]], str | None]:
    """The lines of an earlier manifest (cells as written, made spreadsheet-safe), and a note when there was
    one that could not be used. Lines that do not name a packet file in the folder itself are left out."""
    try:
        if not path.is_file():
            return [], None
        if path.stat().st_size > MOST_BYTES:
            raise ValueError("too large")
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, ValueError, csv.Error):  # UnicodeDecodeError is a ValueError
        return [], f"the earlier {path.name} could not be read; this run lists the packets in the folder anew"
    if not rows or rows[0] != HEADER:
        return [], f"the earlier {path.name} is not a list handouts wrote; this run lists the packets in the " \
                   "folder anew"
    lines = [[spreadsheet_safe(cell) for cell in row[:3]] + [row[3]] for row in rows[1:]
             if len(row) == len(HEADER) and re.fullmatch(PACKET_NAME, row[3], re.IGNORECASE)]
    return lines, None
