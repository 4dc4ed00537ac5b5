"""Compiled templates kept on disk between runs, so a small command does not compile every document again.

Compiling the templates is most of the work of filling them the first time (about 40 ms for the shipped
content's eight, against 0.5 ms to read them back): `handouts lint` and a one-document `build` start with it.
What is kept is what `fill._template` makes of a document's body, the clinic's content: never a value, so never
a patient's (values go in when a template is run, as tokens, and are no part of what is compiled).

- **Keyed by everything it is made from**: the body itself, and `_SALT`: the bytes of `fill.py` (the checks,
  the rewriting and the sandbox's settings), Jinja2's and Python's versions. A changed document, a changed
  handouts or a new Jinja2 is a new key: nothing is ever invalidated, an entry is just not asked for again.
- **Read back only what this user wrote**: the folder is made readable by its owner only; a file is read only
  if it is a regular file owned by this user that no one else may write, in such a folder, and only if its
  digest matches its bytes. Anything else, or any error, and the template is compiled as if there were no cache.
- **Written whole**: to a temporary file beside it, then renamed into place (workers may write the same entry
  at once: the last rename wins, with the same bytes). When the folder holds more than `MAX_ENTRIES`, the
  oldest are removed.

The folder is `$HANDOUTS_TEMPLATE_CACHE`, else `templates` in `$XDG_CACHE_HOME/handouts` (an absolute
path; else `~/.cache/handouts`); `HANDOUTS_TEMPLATE_CACHE=off` turns it off. Where the system has no user ids
(Windows), or no home folder can be found, there is no cache.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
from functools import lru_cache
from pathlib import Path

ENVIRONMENT = "HANDOUTS_TEMPLATE_CACHE"
MAX_ENTRIES = 256  # a clinic's few documents and parts, in two or three languages, over many edits
MAX_BYTES = 4_000_000  # one entry; the shipped content's largest is about 20 kB
_MAGIC = b"handouts-template-1\n"
_SUFFIX = ".jinja"


@lru_cache(maxsize=1)
def _salt() -> bytes:
    """What a compiled template depends on besides its body."""
    import jinja2

    from . import fill

    digest = hashlib.sha256(_MAGIC)
    for part in (Path(fill.__file__).read_bytes(), jinja2.__version__.encode(), sys.version.encode(),
                 str(marshal.version).encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.digest()


def folder() -> Path | None:
    """Where compiled templates are kept, or None when there is no cache."""
    if not hasattr(os, "getuid"):
        return None
    chosen = os.environ.get(ENVIRONMENT, "").strip()
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if base and os.path.isabs(base):
        return Path(base) / "handouts" / "templates"
    try:
        return Path.home() / ".cache" / "handouts" / "templates"
    except (RuntimeError, KeyError):  # no home folder to be found: no cache
        return None


def _path(place: Path, body: str) -> Path:
    return place / (hashlib.sha256(_salt() + body.encode("utf-8", "surrogatepass")).hexdigest() + _SUFFIX)


def _private(info: os.stat_result) -> bool:
    """Owned by this user, and no one else may write it."""
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def load(body: str):
    """The code compiled from `body` before, or None."""
    place = folder()
    if place is None:
        return None
    try:
        if not _private(os.stat(place)):
            return None
        descriptor = os.open(_path(place, body), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(descriptor, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode) or not _private(info) or info.st_size > MAX_BYTES:
                return None
            data = file.read(MAX_BYTES + 1)
    except (OSError, ValueError):
        return None
    head, digest, payload = data[:len(_MAGIC)], data[len(_MAGIC):len(_MAGIC) + 32], data[len(_MAGIC) + 32:]
    if head != _MAGIC or hashlib.sha256(payload).digest() != digest:
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def store(body: str, code) -> None:
    """Keep the code compiled from `body`; a cache that cannot be written is no cache, never an error."""
    place = folder()
    if place is None:
        return
    import tempfile

    payload = marshal.dumps(code)
    try:
        place.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(os.stat(place)):
            return
        descriptor, temporary = tempfile.mkstemp(dir=place, prefix=".", suffix=".tmp")  # readable by its owner only
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(temporary, _path(place, body))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(place)
    except OSError:
        return


def _prune(place: Path) -> None:
    entries = list(place.glob(f"*{_SUFFIX}"))
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for entry in entries[:len(entries) - MAX_ENTRIES // 2]:
        entry.unlink(missing_ok=True)
