"""The user's cache folder, shared by the caches kept on disk between runs (compiled templates, lint's findings).

Each cache is a folder of its own: `$<ENVIRONMENT>` when set (`off` turns that cache off), else `<name>` in
`$XDG_CACHE_HOME/handouts` (an absolute path; else `~/.cache/handouts`). Where the system has no user ids
(Windows), or no home folder can be found, there is no cache.

- **Read back only what this user wrote**: the folder is made readable by its owner only; a file is read only
  if it is a regular file owned by this user that no one else may write, in such a folder, and only if its
  digest matches its bytes. Anything else, or any error, reads as no entry.
- **Written whole**: to a temporary file beside it, then renamed into place (two processes may write the same
  entry at once: the last rename wins, with the same bytes). When the folder holds more than `max_entries`, the
  oldest are removed. A cache that cannot be written is no cache, never an error.

Imports nothing but the standard library's smallest modules: a warm `handouts lint` reads its answer through it.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path


def folder(environment: str, name: str) -> Path | None:
    """Where the cache `name` is kept (`$environment` if set), or None when there is none."""
    if not hasattr(os, "getuid"):
        return None
    chosen = os.environ.get(environment, "").strip()
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if base and os.path.isabs(base):
        return Path(base) / "handouts" / name
    try:
        return Path.home() / ".cache" / "handouts" / name
    except (RuntimeError, KeyError):  # no home folder to be found: no cache
        return None


def private(info: os.stat_result) -> bool:
    """Owned by this user, and no one else may write it."""
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read(place: Path, file_name: str, magic: bytes, max_bytes: int) -> bytes | None:
    """The payload of entry `file_name` in `place`, or None: no such entry, or one this user did not write alone,
    or whose bytes do not match their digest."""
    try:
        if not private(os.stat(place)):
            return None
        descriptor = os.open(place / file_name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(descriptor, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode) or not private(info) or info.st_size > max_bytes:
                return None
            data = file.read(max_bytes + 1)
    except (OSError, ValueError):
        return None
    head, digest, payload = data[:len(magic)], data[len(magic):len(magic) + 32], data[len(magic) + 32:]
    if head != magic or hashlib.sha256(payload).digest() != digest:
        return None
    return payload


def write(place: Path, file_name: str, magic: bytes, payload: bytes, max_entries: int) -> None:
    """Keep `payload` as entry `file_name` (whose suffix names the cache's entries) in `place`."""
    import tempfile

    try:
        place.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not private(os.stat(place)):
            return
        descriptor, temporary = tempfile.mkstemp(dir=place, prefix=".", suffix=".tmp")  # readable by its owner only
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(magic + hashlib.sha256(payload).digest() + payload)
            os.replace(temporary, place / file_name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(place, Path(file_name).suffix, max_entries)
    except OSError:
        return


def _prune(place: Path, suffix: str, max_entries: int) -> None:
    entries = list(place.glob(f"*{suffix}"))
    if len(entries) <= max_entries:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for entry in entries[:len(entries) - max_entries // 2]:
        entry.unlink(missing_ok=True)
