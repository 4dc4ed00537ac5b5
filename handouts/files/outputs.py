"""Where a run will write, checked before anything is written.

`check_writes` is the one place that decides whether a run's writes are safe:
every path a run writes (packets, print job, manifest, ledger, export, outbox
and its drafts) is compared with every other and with the run's inputs
(roster, content and layouts folders, clinic profile) as the file system sees
them: symlinks and `..` resolved, hard links found by device and inode, and
names compared casefolded, since a case-insensitive file system (Windows,
macOS) takes `A1.pdf` and `a1.pdf` for one file. No output may replace another
output or an input, nor sit in an input folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from pathlib import Path

from ..errors import InputError
from .names import safe_part

FILE, FOLDER, MEMBER = "file", "folder", "member"
MOST_INPUT_FILES = 20000  # files looked at in an input folder for hard links (content folders hold a few dozen)


@dataclass(frozen=True)
class Output:
    """A place a run writes.

    `kind` is FILE (one file), FOLDER (a folder the run writes files into:
    `names`, a regular expression, matches the names it gives them), or MEMBER
    (one file the run writes in its FOLDER, such as a packet: members are not
    compared with their folder or with each other, since the run names them
    apart itself). A member's path is never `shown` in a message: it may hold a
    patient's name. Findings get the rules "<rule>-overwrites-input" and
    "<rule>-unwritable".
    """

    path: Path
    what: str  # "the print job", "the packet for row 3": in messages
    rule: str
    kind: str = FILE
    names: str | None = None
    shown: bool = True


@dataclass(frozen=True)
class Input:
    """A file or folder the run reads: never replaced, never written into."""

    path: Path
    what: str  # "the roster", "the content folder"
    folder: bool = False


@dataclass(frozen=True)
class _Place:
    """Where a path lands: its resolved parts (NFC, casefolded), and the device and inode of the file, of its
    folder and of every folder above it, where they exist."""

    parts: tuple[str, ...]
    inode: tuple[int, int] | None
    is_folder: bool
    parent: tuple[int, int] | None
    ancestors: frozenset[tuple[int, int]]

    @classmethod
    def of(cls, path: Path) -> _Place:
        real = Path(os.path.realpath(path))
        parts = tuple(unicodedata.normalize("NFC", part).casefold() for part in real.parts)
        inode, is_folder = _inode(real)
        above = _above(str(real.parent)) if real.parent != real else ()
        return cls(parts, inode, is_folder, above[0] if above else None, frozenset(filter(None, above)))

    def same(self, other: _Place) -> bool:
        return self.parts == other.parts or (self.inode is not None and self.inode == other.inode)

    def within(self, folder: _Place) -> bool:
        """Inside `folder` at any depth: by name, or by the folder's inode above it (a bind mount, a link)."""
        depth = len(folder.parts)
        return (len(self.parts) > depth and self.parts[:depth] == folder.parts) \
            or (folder.inode is not None and folder.inode in self.ancestors)

    def directly_in(self, folder: _Place) -> bool:
        return self.parts[:-1] == folder.parts or (folder.inode is not None and self.parent == folder.inode)


@lru_cache(maxsize=256)
def _above(folder: str) -> tuple[tuple[int, int] | None, ...]:
    """The inodes of `folder` and of every folder above it (cached for one check: packets share folders)."""
    return tuple(_inode(path)[0] for path in (Path(folder), *Path(folder).parents))


def _inode(path: Path) -> tuple[tuple[int, int] | None, bool]:
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None, False
    return (status.st_dev, status.st_ino), os.path.isdir(path)


def check_writes(outputs: list[Output], inputs: list[Input]) -> None:
    """Refuse (InputError, before anything is written) an output that is, or would replace, another output or
    an input, or that sits in an input folder; an output file where a folder is; a file whose name is one the
    run gives files in a folder it writes into (the print job named like a packet in the packets folder)."""
    _above.cache_clear()
    places = [_Place.of(out.path) for out in outputs]
    sources = [(source, _Place.of(source.path)) for source in inputs]
    linked = _files_in([(source, place) for source, place in sources if source.folder or place.is_folder])
    for out, place in zip(outputs, places):
        _check_against_inputs(out, place, sources, linked)
    placed = list(zip(outputs, places))
    members = [(out, place) for out, place in placed if out.kind == MEMBER]
    others = [(out, place) for out, place in placed if out.kind != MEMBER]
    # Members (a run's many packets) are compared with the few other outputs only: the run names them apart.
    for out, here in others:
        if out.kind == FILE:
            for member, there in members:
                if here.same(there):
                    _clash(out, "would replace", member)
    pairs = list(combinations(others, 2))
    for (first, a), (second, b) in pairs:
        if {first.kind, second.kind} != {FILE, FOLDER}:
            _check_pair(first, a, second, b)
    for (first, a), (second, b) in pairs:  # once every file was compared with every file
        if {first.kind, second.kind} == {FILE, FOLDER}:
            _check_file_and_folder(first, a, second, b)


def _check_against_inputs(out: Output, place: _Place, sources: list[tuple[Input, _Place]],
                          linked: dict[tuple[int, int], Input]) -> None:
    """One output against every input: not a folder where a file goes, never an input or inside an input folder."""
    if out.kind != FOLDER and place.is_folder:
        raise InputError("is a folder, not a file", source=_source(out), rule=f"{out.rule}-unwritable",
                         hint="name a file")
    for source, where in sources:
        if place.same(where):
            _clash(out, "is" if out.kind == FOLDER else "would replace", source)
        if (source.folder or where.is_folder) and place.within(where):
            _clash(out, "would sit in", source)
        if out.kind == FOLDER and out.names and where.directly_in(place) \
                and re.fullmatch(out.names, source.path.name, re.IGNORECASE):
            _clash(out, "holds, under a name it gives its own files,", source)
    if out.kind != FOLDER and place.inode in linked:
        _clash(out, "is a hard link to a file in", linked[place.inode])


def _check_pair(first: Output, a: _Place, second: Output, b: _Place) -> None:
    """Two files, or two folders: never the same place; folders never one inside the other."""
    kinds = {first.kind, second.kind}
    (out, here), (other, there) = sorted([(first, a), (second, b)], key=lambda pair: _rank(pair[0]))
    if here.same(there):
        _clash(out, "is" if kinds == {FOLDER} else "would replace", other)
    if kinds == {FOLDER} and (here.within(there) or there.within(here)):
        _clash(out, "would share files with", other)


def _check_file_and_folder(first: Output, a: _Place, second: Output, b: _Place) -> None:
    """A file is not the folder, nor named in it like the files the run gives it."""
    (out, here), (folder, there) = ((first, a), (second, b)) if second.kind == FOLDER else ((second, b), (first, a))
    if here.same(there) or folder.names and here.directly_in(there) \
            and re.fullmatch(folder.names, out.path.name, re.IGNORECASE):
        _clash(out, "would take the place of a file written in", folder)


def _rank(out: Output) -> tuple[bool, bool]:
    """Which of two clashing outputs a message is about: the one whose path the user typed."""
    return (not out.shown, out.kind == MEMBER)


def _source(out: Output) -> str | None:
    return str(out.path) if out.shown else None


def _clash(out: Output, verb: str, other: Output | Input) -> None:
    """A finding about `out`, at its path if the user typed it, else at the other's (a packet's path may hold a
    name); the other is named by what it is."""
    if out.shown:
        source = str(out.path)
    elif not isinstance(other, Output) or other.shown:
        source = str(other.path)
    else:
        source = None
    raise InputError(f"{out.what} {verb} {other.what}", source=source, rule=f"{out.rule}-overwrites-input",
                     hint="choose another place for it")


def _files_in(folders: list[tuple[Input, _Place]]) -> dict[tuple[int, int], Input]:
    """Device and inode of every file in the input folders: an output that is a hard link to one is that file."""
    found: dict[tuple[int, int], Input] = {}
    for source, _ in folders:
        seen = 0
        for folder, _, names in os.walk(source.path):
            for name in names:
                inode, _ = _inode(Path(folder) / name)  # through a symlink: the file it reads
                if inode is not None:
                    found.setdefault(inode, source)
                seen += 1
            if seen > MOST_INPUT_FILES:
                break
    return found


def inputs_of(roster: Path | None, content: Path | None, layouts: Path | None,
              clinic: Path | None = None) -> list[Input]:
    """A run's inputs, for check_writes: the roster, the content and layouts folders, the clinic profile."""
    inputs = [Input(Path(roster), "the roster")] if roster is not None else []
    if content is not None:
        inputs.append(Input(Path(content), "the content folder", folder=True))
        inputs.append(Input(Path(clinic or Path(content) / "clinic.yaml"), "the clinic profile"))
    if layouts is not None:
        inputs.append(Input(Path(layouts), "the layouts folder", folder=True))
    return inputs


# -- the places of one command's outputs ---------------------------------------------------------

DRAFT_NAMES = r".+\.eml"


def check_send_writes(ledger: Path, outbox: Path | None, inputs: list[Input]) -> None:
    """`send`: the ledger and the outbox (when drafting) are neither an input nor each other."""
    outputs = [Output(Path(ledger), "the ledger", "ledger")]
    if outbox is not None:
        outputs.append(Output(Path(outbox), "the outbox", "outbox", FOLDER, DRAFT_NAMES))
    check_writes(outputs, inputs)


def check_ledger_export(target: Path, ledger: Path, inputs: list[Input], replace: bool = False) -> None:
    """The ledger's CSV export never replaces the ledger or an input (through any link), and replaces another
    existing file only when `replace` is given."""
    check_writes([Output(Path(target), "the ledger export", "ledger-export")],
                 [Input(Path(ledger), "the ledger"), *inputs])
    if not replace and (Path(target).exists() or Path(target).is_symlink()):
        raise InputError("a file is already there; the export would replace it", source=str(target),
                         rule="ledger-export-exists", hint="choose a new file name, or replace it on purpose")


def partial_print_job(target: Path, ids: tuple[str, ...]) -> Path:
    """A run for some patients only writes its print job beside the day's, never over it:
    print-today.pdf becomes print-today-P004.pdf (up to three plain ids, joined with '-'), or
    print-today-7-ids-<hash>.pdf (a hash of the ids, sorted)."""
    target = Path(target)
    chosen = sorted(set(ids))
    if len(chosen) <= 3 and all(safe_part(i) == i for i in chosen):
        tail = "-".join(chosen)
    else:
        tail = f"{len(chosen)}-ids-" + hashlib.sha256("\n".join(chosen).encode()).hexdigest()[:8]
    return target.with_name(f"{target.stem}-{tail}{target.suffix}")


# -- one place at a time ------------------------------------------------------------------------------


def check_folder(folder: Path, rule: str = "output-unwritable") -> None:
    """`folder` takes new files, or can be made where it is missing (nothing is created here)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError("is a file, not a folder", source=str(folder), rule=rule,
                         hint="choose a folder for the output")
    existing = next(p for p in [folder, *folder.absolute().parents] if p.exists())
    problem = None
    if not existing.is_dir():
        problem = "a part of the path is a file"
    elif existing == folder:
        try:
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            problem = exc.strerror
    elif not os.access(existing, os.W_OK | os.X_OK):
        problem = f"{existing} does not let this user make folders"
    if problem:
        raise InputError(f"cannot write there ({problem})", source=str(folder), rule=rule,
                         hint="choose another folder")


def check_print_job(target: Path, inputs: list[Path] = ()) -> None:
    """The print job is a .pdf that may replace only an earlier PDF: never a folder, nor (through any link)
    one of `inputs` or a file in them. Its place among the run's other outputs: check_writes."""
    target = Path(target)
    source = str(target)
    if target.suffix.lower() != ".pdf":
        raise InputError("the print job's name must end in .pdf", source=source, rule="print-job-not-pdf",
                         hint="name a .pdf file")
    check_writes([Output(target, "the print job", "print-job")],
                 [Input(Path(path), "an input", folder=Path(path).is_dir()) for path in inputs])
    if target.is_dir():
        raise InputError("is a folder", source=source, rule="print-job-unwritable", hint="name a .pdf file")
    if target.exists() and not _is_pdf(target):
        raise InputError("a file that is not a PDF is there; the print job would overwrite it", source=source,
                         rule="print-job-overwrites-input", hint="move that file or choose another name")
    check_folder(target.parent, rule="print-job-unwritable")


def remove_stale(target: Path) -> bool:
    """Remove an earlier print job this run did not replace, so nobody prints yesterday's list."""
    try:
        if Path(target).is_file() and _is_pdf(Path(target)):
            Path(target).unlink()
            return True
    except OSError:
        pass
    return False


def _is_pdf(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False
