"""`handouts approve`: record a reviewer's sign-off in a document's front matter, tied to the text approved.

Only the sign-off lines change (`status`, `reviewed_by`, `reviewed_on`,
`approved_sha256` and, for an edition, `source_sha256`): each one that is
there is rewritten in place (a comment after it stays), each one that is not
is added after the sign-off line before it (or at the end of the front
matter). Every other byte of the file stays as it was: line endings, a BOM,
comments, the body. Each file is written to a temporary file beside it and
renamed into place, with the file's own permissions; every document asked for
is checked before any is written.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from yaml.nodes import MappingNode

from .errors import ContentError, InputError
from .load.content import ContentLibrary, parse_text, source_digest
from .load.languages import primary
from .load.signoff import APPROVED, everything, state_of

SIGN_OFF_KEYS = ("status", "reviewed_by", "reviewed_on", "approved_sha256", "source_sha256")
MAX_REVIEWER = 120  # characters: a name and a title
_BOM = b"\xef\xbb\xbf"
_FENCE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True)
class Approval:
    """One document's sign-off, ready to be written."""

    name: str
    language: str | None  # edition folder ('es'), or None for English
    path: Path
    data: bytes  # the whole new file
    sha256: str  # of the approved text

    @property
    def label(self) -> str:
        return f"{self.language}/{self.name}" if self.language else self.name


def reviewer_name(text: str) -> str:
    """The reviewer's name as it goes into the front matter: one line of printable text."""
    name = unicodedata.normalize("NFC", text).strip()
    if not name:
        raise InputError("the reviewer's name is empty", source="--by", rule="reviewer-missing",
                         hint="give the name of the clinician who reviewed the text, e.g. --by \"Dr. A. Reviewer\"")
    if any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in name):
        raise InputError("the reviewer's name holds a line break, tab or control character", source="--by",
                         rule="reviewer-invalid", hint="write the name on one line")
    if len(name) > MAX_REVIEWER:
        raise InputError(f"the reviewer's name is longer than {MAX_REVIEWER} characters", source="--by",
                         rule="reviewer-invalid", hint="write the name and title only")
    return name


def chosen(library: ContentLibrary, names: list[str], language: str | None, every: bool,
           ) -> list[tuple[str, str | None]]:
    """(name, edition folder or None) for each DOC argument (a name, or the path of the file in the content folder
    or one of its edition folders), or for every document and part in that language with `every`."""
    base = primary(library.load(library.names()[0]).language)
    code = primary(language) if language else None
    code = None if code == base else code
    if every:
        found = [(name, lang) for name, lang in everything(library) if lang == code]
        if not found:
            raise InputError(f"there are no '{code}' editions in {library.folder}", source="--language",
                             rule="approve-language", hint=f"translate the documents into {library.folder / code}, "
                                                           "or choose another --language")
        return found
    found = []
    for given in names:
        name, lang, path = given, code, Path(given)
        if given.endswith(".md"):
            name = path.stem
        if path.parent != Path("."):  # a path: its folder says the language
            folder = path.parent.resolve()
            editions = {f.resolve(): f.name for f in library.edition_folders()}
            if folder != library.folder.resolve() and folder not in editions:
                raise InputError(f"'{given}' is not in the content folder {library.folder}", source=given,
                                 rule="approve-outside-content", hint="give the document's name, or pass --content")
            lang = editions.get(folder)
            if language and lang != code:
                raise InputError(f"'{given}' is not in the '{code or base}' folder", source=given,
                                 rule="approve-language", hint="leave out --language, or give the document's name")
        found.append((name, lang))
    return list(dict.fromkeys(found))


def plan_approval(library: ContentLibrary, name: str, language: str | None, reviewer: str, day: date) -> Approval:
    """Check that `name` (or its edition in `language`) can be approved, and make its new file."""
    english = library.load(name)
    if language is not None:
        edition = library.load(name, language)
        digest = source_digest(english)
        if edition.source_hash is None or edition.source_hash != digest:
            unknown = edition.source_hash is None
            raise ContentError("the edition does not say which English text it translates" if unknown else
                               "the English source changed since this edition was translated", source=str(edition.path),
                               line=1, rule="edition-source-unknown" if unknown else "edition-outdated",
                               key="source_hash",
                               hint=f"check the translation against {english.path.name} (update it where it differs), "
                                    f"write 'source_hash: \"{digest}\"', then approve it")
        source = edition
    else:
        source = english
    values = {"status": APPROVED, "reviewed_by": _yaml_text(reviewer), "reviewed_on": day.isoformat(),
              "approved_sha256": f'"{source.text_sha256}"'}
    if language is not None:
        values["source_sha256"] = f'"{english.text_sha256}"'
    raw = source.path.read_bytes()
    data = rewrite_front_matter(raw, values, str(source.path))
    after = parse_text(name, source.path, _text(data, str(source.path)).replace("\r\n", "\n"))
    unchanged = (after.title, after.body) == (source.title, source.body)
    if not unchanged or state_of(after, english if language is not None else None) != APPROVED:
        raise ContentError("the sign-off could not be written into the front matter", source=str(source.path),
                           rule="approve-failed", hint="write the front matter as one 'key: value' a line, then "
                                                       "approve it again")
    return Approval(name, language, source.path, data, source.text_sha256)


def approve(library: ContentLibrary, items: list[tuple[str, str | None]], reviewer: str, day: date) -> list[Approval]:
    """Approve every item, or none: each is checked and made before the first is written."""
    reviewer = reviewer_name(reviewer)
    planned = [plan_approval(library, name, language, reviewer, day) for name, language in items]
    for approval in planned:
        write_keeping_mode(approval.path, approval.data)
    return planned


# -- the front matter, edited in place ----------------------------------------------------------------


def rewrite_front_matter(raw: bytes, values: dict[str, str], where: str) -> bytes:
    """`raw` (a content file) with each key of `values` set to its YAML text, every other byte unchanged."""
    bom = raw.startswith(_BOM)
    text = _text(raw, where)
    fences = list(_FENCE.finditer(text))
    if len(fences) < 2 or fences[0].start() != 0:
        raise ContentError("front matter is missing or not closed", source=where, line=1, rule="front-matter-missing",
                           hint="start the file with '---', 'title: ...', '---'")
    start, end = fences[0].end(), fences[1].start()
    meta = text[start:end]
    newline = "\r\n" if "\r\n" in text[:fences[1].end() + 2] else "\n"
    node = yaml.compose(meta, Loader=yaml.SafeLoader)
    if node is not None and (not isinstance(node, MappingNode) or node.flow_style):
        raise ContentError("the front matter is not one 'key: value' a line", source=where, line=1,
                           rule="approve-failed", hint="write it as 'key: value' lines, then approve it again")
    spans = {}
    for key, value in (node.value if node is not None else []):
        if key.value in SIGN_OFF_KEYS:
            stop = value.end_mark.index
            while stop > key.start_mark.index and meta[stop - 1] in "\r\n":
                stop -= 1  # a block value ends after its line break: keep the break
            spans[key.value] = (key.start_mark.index, stop)
    edits: list[tuple[int, int, str]] = []
    anchor: int | None = None  # where a missing key goes: after the line of the sign-off key before it
    for key in SIGN_OFF_KEYS:
        if key not in values:
            continue
        line = f"{key}: {values[key]}"
        if key in spans:
            edits.append((*spans[key], line))
            stop = spans[key][1]
            anchor = meta.find("\n", stop) + 1 or len(meta)
        elif anchor is not None:
            edits.append((anchor, anchor, line + newline))
        else:
            edits.append((len(meta), len(meta), line + newline))
    pieces, done = [], 0
    for first, last, replacement in sorted(edits, key=lambda edit: edit[0]):  # stable: added keys keep their order
        pieces += [meta[done:first], replacement]
        done = last
    meta = "".join(pieces) + meta[done:]
    return (_BOM if bom else b"") + (text[:start] + meta + text[end:]).encode("utf-8")


def _text(raw: bytes, where: str) -> str:
    try:
        text = raw.removeprefix(_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(f"byte {exc.start} is not UTF-8 text", source=where, rule="file-not-utf8",
                           hint="save the file as UTF-8") from None
    if "\r" in text.replace("\r\n", ""):
        raise ContentError("the file has old Mac line endings (a carriage return alone)", source=where,
                           rule="approve-line-endings", hint="save it with LF or CRLF line endings, then approve it")
    return text


def _yaml_text(value: str) -> str:
    """`value` as a YAML scalar that reads back as exactly that text: plain when it can be, else double quotes."""
    try:
        plain = yaml.safe_load(f"k: {value}") == {"k": value}
    except yaml.YAMLError:
        plain = False
    return value if plain and "#" not in value else json.dumps(value, ensure_ascii=False)


def write_keeping_mode(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path` and rename it into place, keeping the file's permissions."""
    path = Path(path)
    mode = path.stat().st_mode & 0o7777
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.part"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise InputError(f"cannot write the file ({exc.strerror})", source=str(path), rule="approve-unwritable",
                         hint="check that you may change it and the disk has room") from None
