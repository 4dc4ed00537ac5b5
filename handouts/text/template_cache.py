"""Compiled templates kept on disk between runs, so a small command does not compile every document again.

Compiling the templates is most of the work of filling them the first time (about 40 ms for the shipped
content's eight, against 0.5 ms to read them back): `handouts lint` and a one-document `build` start with it.
What is kept is what `fill._template` makes of a document's body, the clinic's content: never a value, so never
a patient's (values go in when a template is run, as tokens, and are no part of what is compiled).

- **Keyed by everything it is made from**: the body itself, and `_SALT`: the bytes of `fill.py` (the checks,
  the rewriting and the sandbox's settings), Jinja2's and Python's versions. A changed document, a changed
  handouts or a new Jinja2 is a new key: nothing is ever invalidated, an entry is just not asked for again.
- **Read back only what this user wrote**, **written whole** (`files/user_cache.py`, shared with lint's
  cache): an entry another user could have written, or whose bytes do not match their digest, is compiled
  again as if there were no cache; workers may write the same entry at once. When the folder holds more than
  `MAX_ENTRIES`, the oldest are removed.

The folder is `$HANDOUTS_TEMPLATE_CACHE`, else `templates` in `$XDG_CACHE_HOME/handouts` (an absolute
path; else `~/.cache/handouts`); `HANDOUTS_TEMPLATE_CACHE=off` turns it off. Where the system has no user ids
(Windows), or no home folder can be found, there is no cache.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from functools import lru_cache
from pathlib import Path

from ..files import user_cache

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
    return user_cache.folder(ENVIRONMENT, "templates")


def _name(body: str) -> str:
    return hashlib.sha256(_salt() + body.encode("utf-8", "surrogatepass")).hexdigest() + _SUFFIX


def load(body: str):
    """The code compiled from `body` before, or None."""
    place = folder()
    if place is None:
        return None
    payload = user_cache.read(place, _name(body), _MAGIC, MAX_BYTES)
    if payload is None:
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def store(body: str, code) -> None:
    """Keep the code compiled from `body`; a cache that cannot be written is no cache, never an error."""
    place = folder()
    if place is not None:
        user_cache.write(place, _name(body), _MAGIC, marshal.dumps(code), MAX_ENTRIES)
