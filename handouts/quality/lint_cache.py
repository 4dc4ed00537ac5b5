"""Lint's answer kept on disk between runs, as ruff and mypy keep theirs: a lint of unchanged inputs prints it again.

A fresh `handouts lint` of the shipped content imports YAML, Jinja2, markdown-it, ReportLab and Babel and fills,
parses, measures and lays out every document (about 0.3 s); a warm one reads and hashes its inputs, finds the
answer kept for them and prints it (about 0.06 s), importing nothing heavy (`tests/quality/test_lint_cache.py`).

- **Keyed by everything lint reads** (`key`): every file in the content folder (editions included), in the layouts
  folder, the clinic profile and the locale folders of `HANDOUTS_LOCALES`, byte for byte; every file of handouts'
  own package (its code, its locale files, its fonts) by its size and modification time, as Python checks a
  module against its bytecode; the distributions installed beside it (their names and versions: a new Jinja2,
  Babel or ReportLab is a new key) and Python's version; the folders as given and the
  current folder (findings name files by the paths given); the options (`--max-grade`, `--json`) and the day
  (`HANDOUTS_TODAY`, else the date: the review ages of the sign-off lines). A change to any of them is a new key:
  nothing is invalidated, an entry is just not asked for again.
- **The whole answer**: the lines printed and the exit code, exactly as the fresh lint printed them. Lint reads
  no roster and fills documents with a fictional sample patient, so no entry holds a patient's value.
- **Kept only when its inputs held still**: the clinic's files are hashed again after the fresh lint, and an
  answer whose inputs changed while it ran is not kept. Content folders over `MAX_INPUT_FILES` files or
  `MAX_INPUT_BYTES` bytes, or a file that cannot be read, and lint runs fresh, keeping nothing.
- **Read back only what this user wrote, written whole** (`files/user_cache.py`, shared with the template cache).
- **Beside the answers, what a fresh lint makes of handouts and its libraries alone**, keyed by `Key.setup` (the
  part of the key that holds no file of the clinic's: Python, the installed distributions, handouts' own files,
  the `HANDOUTS_LOCALES` folders): the sample appointment in words (`words`) and the hyphenation dictionaries
  prepared (`dictionaries`). A lint after a change to the content reads them back (no Babel locale data, no
  dictionary parsed: about 20 – 30 ms of CPU). Neither holds a patient's value: fixed sample dates, pyphen's patterns.

The folder is `$HANDOUTS_LINT_CACHE`, else `lint` in `$XDG_CACHE_HOME/handouts` (else `~/.cache/handouts`);
`HANDOUTS_LINT_CACHE=off` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..files import user_cache

ENVIRONMENT = "HANDOUTS_LINT_CACHE"
MAX_ENTRIES = 64  # a few content folders, options and days
MAX_BYTES = 4_000_000  # one answer; the shipped content's is about 3 kB
MAX_INPUT_FILES = 2_000
MAX_INPUT_BYTES = 64_000_000
_MAGIC = b"handouts-lint-1\n"
_SUFFIX = ".lint"
_PACKAGE = Path(__file__).resolve().parent.parent
_LOCALES = "HANDOUTS_LOCALES"  # load/locale.py's search path, not imported: it loads YAML


@dataclass(frozen=True)
class Answer:
    """What a lint printed, line by line, and its exit code."""

    lines: tuple[str, ...]
    code: int


class _TooMuch(Exception):
    """More input than is worth hashing, or a file that cannot be read: no cache for this run."""


class _Digest:
    def __init__(self) -> None:
        self._hash = hashlib.sha256(_MAGIC)
        self._files = MAX_INPUT_FILES
        self._bytes = MAX_INPUT_BYTES

    def add(self, label: str, value: str | bytes) -> None:
        """`label` and `value`, each with its length: no two inputs run together."""
        data = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        name = label.encode("utf-8", "surrogatepass")
        self._hash.update(b"%d:%s%d:" % (len(name), name, len(data)))
        self._hash.update(data)

    def file(self, label: str, path: Path | str) -> None:
        self._files -= 1
        try:
            with open(path, "rb") as file:
                data = file.read(self._bytes + 1)
        except FileNotFoundError:
            self.add(label, b"\0absent")
            return
        except OSError as exc:
            raise _TooMuch from exc
        self._bytes -= len(data)
        if self._files < 0 or self._bytes < 0:
            raise _TooMuch
        self.add(label, data)

    def stat(self, label: str, path: Path | str) -> None:
        """A file by its size and modification time, as Python checks a module against its bytecode."""
        self._files -= 1
        try:
            info = os.stat(path)
        except OSError as exc:
            raise _TooMuch from exc
        self.add(label, b"%d:%d" % (info.st_size, info.st_mtime_ns))

    def tree(self, label: str, folder: Path | str, skip: tuple[str, ...] = (), by_stat: bool = False) -> None:
        """Every file under `folder`, by its path inside it and its bytes, or its size and time `by_stat`
        (symbolic links followed, as lint reads them; a loop ends at the budget)."""
        if not os.path.isdir(folder):
            self.add(label, b"\0absent" if not os.path.exists(folder) else b"\0not a folder")
            return
        for place, folders, files in os.walk(folder, followlinks=True, onerror=_refuse):
            folders[:] = sorted(name for name in folders if name not in skip)
            self._files -= len(folders)  # a loop of folders without files ends at the budget too
            if self._files < 0:
                raise _TooMuch
            for name in sorted(files):
                if skip and name.endswith(skip):
                    continue
                path = os.path.join(place, name)
                (self.stat if by_stat else self.file)(f"{label}:{os.path.relpath(path, folder)}", path)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _refuse(error: OSError) -> None:
    raise _TooMuch from error


def enabled() -> bool:
    """Whether answers are kept at all (not `HANDOUTS_LINT_CACHE=off`, a user and a home folder)."""
    return user_cache.folder(ENVIRONMENT, "lint") is not None


class Key(NamedTuple):
    digest: str  # of everything lint reads: the entry's name
    inputs: str  # of the clinic's files alone: whether they held still while lint ran (`unchanged`)
    setup: str = ""  # of what lint reads besides the clinic's files (`words`, `dictionaries`); "" unknown


def key(content: Path, layouts: Path, clinic: Path | None, options: dict) -> Key | None:
    """The digest of everything a lint with these folders and `options` reads, or None when it is too much to hash
    (or cannot be read): then lint runs fresh."""
    inputs = _inputs(content, layouts, clinic)
    if inputs is None:
        return None
    setup = _Digest()
    try:
        setup.add("python", f"{sys.version}\0{sys.executable}")
        setup.add("installed", "\0".join(_installed()))
        # handouts' own files (code, locale files, fonts), by size and time: reading them all would be a tenth
        # of a warm lint, and they change only when handouts is installed or edited
        setup.tree("handouts", _PACKAGE, skip=("__pycache__", ".pyc"), by_stat=True)
        _locales(setup)
    except _TooMuch:
        return None
    digest = _Digest()
    digest.add("options", json.dumps(options, sort_keys=True))
    digest.add("where", json.dumps([os.getcwd(), str(content), str(layouts), str(clinic)]))
    digest.add("setup", setup.hexdigest())
    digest.add("inputs", inputs)
    return Key(digest.hexdigest(), inputs, setup.hexdigest())


def unchanged(kept: Key, content: Path, layouts: Path, clinic: Path | None) -> bool:
    """Whether the clinic's files are still those `kept` was made of (after a fresh lint, before keeping it)."""
    return _inputs(content, layouts, clinic) == kept.inputs


def _inputs(content: Path, layouts: Path, clinic: Path | None) -> str | None:
    """The digest of the clinic's files lint reads, byte for byte: the content folder (its editions), the layouts,
    the profile, the locale folders named in HANDOUTS_LOCALES."""
    digest = _Digest()
    try:
        digest.tree("content", content)
        digest.tree("layouts", layouts)
        if clinic is not None:
            digest.file("clinic", clinic)
        _locales(digest)
    except _TooMuch:
        return None
    return digest.hexdigest()


def _locales(digest: _Digest) -> None:
    """The locale folders named in HANDOUTS_LOCALES, byte for byte."""
    locales = os.environ.get(_LOCALES, "")
    digest.add("locales", locales)
    for number, folder in enumerate(p for p in locales.split(os.pathsep) if p.strip()):
        digest.tree(f"locales{number}", folder)


def _installed() -> list[str]:
    """The distributions (name and version) in every folder Python imports from."""
    names = []
    for entry in sys.path:
        try:
            names += sorted(name for name in os.listdir(entry or ".") if name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return names


def load(kept: Key) -> Answer | None:
    """The answer kept for `kept`, or None."""
    place = user_cache.folder(ENVIRONMENT, "lint")
    if place is None:
        return None
    payload = user_cache.read(place, kept.digest + _SUFFIX, _MAGIC, MAX_BYTES)
    if payload is None:
        return None
    try:
        kept = json.loads(payload)
        lines, code = kept["lines"], kept["code"]
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(code, int) or not isinstance(lines, list) or not all(isinstance(s, str) for s in lines):
        return None
    return Answer(tuple(lines), code)


def store(kept: Key, answer: Answer) -> None:
    """Keep `answer` for `kept`; a cache that cannot be written is no cache, never an error."""
    place = user_cache.folder(ENVIRONMENT, "lint")
    if place is not None:
        payload = json.dumps({"lines": list(answer.lines), "code": answer.code}, ensure_ascii=False)
        user_cache.write(place, kept.digest + _SUFFIX, _MAGIC, payload.encode("utf-8", "surrogatepass"), MAX_ENTRIES)


# --- lint's sample appointment in words, kept by what it is made of ---------------------------------------------


def words(setup: str, language: str) -> tuple[str, str] | None:
    """Lint's sample appointment and earlier appointment in `language`'s words (`lint._sample_words`), as a fresh
    lint with the same `setup` (`Key.setup`) put them, or None. They are made by Babel from the fixed sample dates
    (no patient's) with the locale file's patterns, and depend on nothing of the clinic's: kept apart from the
    answers, they serve a fresh lint after any change to the content without loading Babel's locale data."""
    place = user_cache.folder(ENVIRONMENT, "lint")
    if place is None or not setup:
        return None
    payload = user_cache.read(place, _words_name(setup, language), _WORDS_MAGIC, MAX_BYTES)
    if payload is None:
        return None
    try:
        kept = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(kept, list) or len(kept) != 2 or not all(isinstance(s, str) for s in kept):
        return None
    return kept[0], kept[1]


def store_words(setup: str, language: str, found: tuple[str, str]) -> None:
    """Keep the sample words `found` for `setup` and `language`; never an error."""
    place = user_cache.folder(ENVIRONMENT, "lint")
    if place is not None and setup:
        payload = json.dumps(list(found), ensure_ascii=False).encode("utf-8", "surrogatepass")
        user_cache.write(place, _words_name(setup, language), _WORDS_MAGIC, payload, MAX_ENTRIES)


_WORDS_MAGIC = b"handouts-lint-words-1\n"


def _words_name(setup: str, language: str) -> str:
    return hashlib.sha256(b"%s\0%s" % (setup.encode(), language.encode("utf-8", "surrogatepass"))).hexdigest() \
        + ".words"


# --- the hyphenation dictionaries readability counts syllables with, prepared --------------------------------------


def dictionaries(setup: str) -> dict[str, dict[str, str]]:
    """The hyphenation dictionaries a fresh lint with the same `setup` prepared (`text.hyphenation.Patterns.prepare`),
    by language; {} when none are kept. Made from pyphen's files (an installed distribution: part of `setup`)."""
    place = user_cache.folder(ENVIRONMENT, "lint")
    if place is None or not setup:
        return {}
    payload = user_cache.read(place, _kept_name(setup, "hyphenation", ".hyph"), _HYPHENATION_MAGIC, MAX_BYTES)
    if payload is None:
        return {}
    try:
        kept = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(kept, dict) or not all(isinstance(k, str) and isinstance(v, dict) for k, v in kept.items()):
        return {}
    return kept


def store_dictionaries(setup: str, prepared: dict[str, dict[str, str]]) -> None:
    """Keep the `prepared` dictionaries for `setup`; never an error."""
    place = user_cache.folder(ENVIRONMENT, "lint")
    if place is not None and setup and prepared:
        user_cache.write(place, _kept_name(setup, "hyphenation", ".hyph"), _HYPHENATION_MAGIC,
                         marshal.dumps(prepared), MAX_ENTRIES)


_HYPHENATION_MAGIC = b"handouts-lint-hyphenation-1\n"


def _kept_name(setup: str, what: str, suffix: str) -> str:
    return hashlib.sha256(b"%s\0%s\0%s" % (setup.encode(), what.encode(), b"%d" % marshal.version)).hexdigest() \
        + suffix
