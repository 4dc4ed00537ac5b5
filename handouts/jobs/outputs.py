"""Where a run will write, checked before anything is rendered."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import InputError


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


def check_print_job(target: Path, inputs: list[Path]) -> None:
    """The print job may replace only an earlier PDF: never the roster, content, a layout or a folder."""
    target = Path(target)
    source = str(target)
    if target.suffix.lower() != ".pdf":
        raise InputError("the print job's name must end in .pdf", source=source, rule="print-job-not-pdf",
                         hint="name a .pdf file")
    resolved = target.resolve()
    for path in inputs:
        path = Path(path).resolve()
        if resolved == path or (path.is_dir() and path in resolved.parents):
            raise InputError("the print job would overwrite or sit among the input files", source=source,
                             rule="print-job-overwrites-input", hint="write the print job somewhere else")
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
