"""Write files so that a reader never sees half of one."""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .. import interrupts
from ..errors import OutputError

PART_SUFFIX = ".part"
STAGING_PREFIX = ".staging-"  # a strict batch's packets wait here until every one was made


def _file_mode() -> int:
    """The mode a plain new file gets here (0666 less the umask): staff on a shared drive can read it."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _open_new(name: str) -> int | None:
    """Open a new file `name` for writing, mode 0600, its folder made first if missing; None if it exists.

    The folder is made only when the file cannot be: a batch writes a thousand files into one folder, and a
    mkdir before each cost more than the rest of the name's work."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        return os.open(name, flags, 0o600)
    except FileExistsError:
        return None
    except FileNotFoundError:
        Path(name).parent.mkdir(parents=True, exist_ok=True)
    try:
        return os.open(name, flags, 0o600)
    except FileExistsError:
        return None


@contextmanager
def open_atomically(path: Path, rule: str = "output-unwritable", mode: int | None = None,
                    placed: Callable[[], None] | None = None) -> Iterator[BinaryIO]:
    """A handle on a temporary file beside `path`, renamed into place when the block ends without error.

    `rule` names the situation when the folder cannot take the file, so a caller
    (the CLI) can say which of its options chose that place. The file gets `mode`,
    or by default the mode a new file gets here (the umask's). `placed` is called
    as soon as the file has its name, before a Ctrl-C can stop the caller: so a
    caller's record of what it wrote is never short of a file that is there.
    """
    path = Path(path)
    tmp = None
    try:
        try:
            with interrupts.held():
                # The name is known before the file exists: a Ctrl-C that Python raises at any point after
                # (even one that arrived just before the signal was held) finds the name to remove.
                for _ in range(100):
                    tmp = f"{path.parent}{os.sep}.{secrets.token_hex(6)}{PART_SUFFIX}"
                    fd = _open_new(tmp)
                    if fd is not None:
                        break
                    tmp = None
                else:
                    raise FileExistsError(errno.EEXIST, "no free temporary name")
        except OSError as exc:
            raise OutputError(f"cannot write there ({exc.strerror})", source=str(path.parent), rule=rule,
                             hint="choose another folder") from None
        with os.fdopen(fd, "wb") as handle:
            yield handle
        with interrupts.held():
            os.chmod(tmp, _file_mode() if mode is None else mode)
            os.replace(tmp, path)
            tmp = None
            if placed is not None:
                placed()
    except BaseException as exc:
        with interrupts.held():  # a Ctrl-C now must not leave the half-written file behind
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:  # not made yet, or already gone
                    pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write the file ({exc.strerror})", source=str(path), rule="output-write-failed",
                             hint="check that the disk has room and the file is not open elsewhere") from None
        raise


def write_atomically(path: Path, data: bytes, mode: int | None = None,
                     placed: Callable[[], None] | None = None, rule: str = "output-unwritable") -> None:
    """Write to a temporary file beside `path`, then rename it into place (with `mode` and `rule`, as
    open_atomically; then call `placed`, if given)."""
    with open_atomically(path, rule=rule, mode=mode, placed=placed) as handle:
        handle.write(data)


def remove_leftovers(folder: Path, older_than: float = 60.0) -> int:
    """Remove the temporary files and staging folders a killed run left in `folder`; return how many.

    Each file is written in well under a second, so a part file older than a
    minute belongs to no run still writing; a staging folder is touched by
    every packet staged in it.
    """
    removed = 0
    now = time.time()
    for leftover in [*Path(folder).glob(f".*{PART_SUFFIX}"), *Path(folder).glob(f"{STAGING_PREFIX}*")]:
        try:
            if now - leftover.stat().st_mtime <= older_than:
                continue
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
            removed += 1
        except OSError:
            pass
    return removed
