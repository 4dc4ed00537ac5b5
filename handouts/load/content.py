"""Load content files: YAML front matter plus a Markdown/Jinja2 body."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import ContentError
from .yamlfile import parse_mapping, read_text, shown

KINDS = ("handout", "checklist")
STATUSES = ("draft", "approved")  # sign-off: `packets` and `send` refuse drafts unless --allow-draft
FRONT_MATTER_KEYS = {"title", "kind", "language", "summary", "status", "reviewed_by", "reviewed_on", "order",
                     "source_hash", "approved_sha256", "source_sha256"}
_EDITION_FOLDER = re.compile(r"^[a-z]{2,3}$")  # content/es/: the Spanish editions (a primary language subtag)
_HASH = re.compile(r"^[0-9a-f]{12,64}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Source:
    """One content file, split but not yet filled or parsed."""

    name: str
    path: Path
    title: str
    kind: str
    language: str
    summary: str | None
    body: str
    body_line: int  # file line number of the body's first line
    title_line: int = 1  # file line number of 'title:' in the front matter
    status: str = "draft"  # "approved" once a named reviewer signed it off; no status is a draft
    reviewed_by: str | None = None
    reviewed_on: date | None = None
    order: int | None = None  # place in a packet and in listings: lowest first, then by name
    source_hash: str | None = None  # an edition: `source_digest` of the English source it was translated from
    approved_sha256: str | None = None  # `text_sha256` of the text the reviewer approved (`handouts approve`)
    source_sha256: str | None = None  # an edition: `text_sha256` of the English source it was approved against

    @property
    def text_sha256(self) -> str:
        return text_sha256(self.title, self.body)

    @property
    def approved(self) -> bool:
        """Approved, and still the very text that was approved: an edit since makes it a draft again. (An edition
        must also match its English source: see `load.signoff`.)"""
        return self.status == "approved" and self.approved_sha256 == self.text_sha256


def text_sha256(title: str, body: str) -> str:
    """What a sign-off covers, as the 64 hex digits of SHA-256: the title and the body as a reader gets them.

    Normalized so that saving the file in another editor keeps the sign-off (Unicode NFC, LF line endings, no
    trailing whitespace on a line, no blank lines around the body), while any change to a word, a line or a
    placeholder does not. The front matter is left out: writing the sign-off into it changes nothing here."""
    def lines(text: str) -> list[str]:
        text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
        return [line.rstrip() for line in text.split("\n")]

    body_lines = lines(body)
    while body_lines and not body_lines[0]:
        body_lines.pop(0)
    while body_lines and not body_lines[-1]:
        body_lines.pop()
    text = "\n".join([" ".join(lines(title)).strip(), "", *body_lines]) + "\n"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_digest(source: Source) -> str:
    """What a translation is made from: the title and body of the source, as 12 hex digits of SHA-256.
    The front matter (status, review) is left out: a sign-off does not make a translation stale."""
    text = source.title + "\n" + source.body.replace("\r\n", "\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


class ContentLibrary:
    """The documents in a content folder, by name (file stem)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._loaded: dict[str, Source] = {}  # a batch reads each file once
        if not self.folder.is_dir():
            raise ContentError("content folder not found", source=str(self.folder),
                               rule="content-folder-missing", hint="run from the project folder")
        if not self.names():
            raise ContentError("no documents in the content folder", source=str(self.folder),
                               rule="content-folder-empty",
                               hint="add a document such as 'handout.md', or choose the folder that has them")

    def names(self) -> list[str]:
        """The documents, in packet order (front matter `order`, then name); files starting with '_' are
        parts (e.g. the packet opening)."""
        stems = sorted(p.stem for p in self.folder.glob("*.md") if not p.stem.startswith("_"))
        return sorted(stems, key=lambda stem: _declared_order(self.folder / f"{stem}.md"))

    # -- editions: content/<language>/<name>.md -------------------------------------------------------
    def edition_folders(self) -> list[Path]:
        """The folders of translations, e.g. content/es/, by primary language subtag."""
        return sorted(p for p in self.folder.iterdir() if p.is_dir() and _EDITION_FOLDER.match(p.name))

    def edition_path(self, name: str, language: str) -> Path:
        from .languages import primary

        return self.folder / primary(language) / f"{name}.md"

    def edition_names(self, folder: Path) -> list[str]:
        """The documents and parts ('_packet', '_email') translated in one edition folder."""
        return sorted(p.stem for p in folder.glob("*.md"))

    def languages(self) -> list[str]:
        """Every language the documents are written in: the English documents' first, then the editions'
        (each edition folder's language as its files declare it, e.g. 'es-US')."""
        base = self.load(self.names()[0]).language
        found = [base]
        for folder in self.edition_folders():
            for stem in self.edition_names(folder):
                try:
                    tag = self.load(stem, folder.name).language
                except ContentError:
                    continue  # lint and build report it at the file
                if tag not in found:
                    found.append(tag)
                break
        return found

    def has_edition(self, name: str, language: str) -> bool:
        """True when `name` can be given in `language`: the English source itself, or its translation."""
        from .languages import primary

        if primary(language) == primary(self._base_language(name)):
            return True
        return self.edition_path(name, language).is_file()

    def _base_language(self, name: str) -> str:
        try:
            return self.load(name).language
        except ContentError:
            return "en-US"

    def load(self, name: str, language: str | None = None) -> Source:
        """A document (or part, '_packet'); with `language`, its edition in that language when the English
        source is in another language. A missing edition is an error: callers ask `has_edition` first."""
        if language is not None:
            from .languages import primary

            base = self.load(name)
            if primary(language) == primary(base.language):
                return base
            key = f"{primary(language)}/{name}"
            if key not in self._loaded:
                path = self.edition_path(name, language)
                if not path.is_file():
                    raise ContentError(f"no {primary(language)} edition of '{name}'", source=str(path),
                                       rule="edition-missing",
                                       hint=f"translate {name}.md into {path}, or choose another language")
                source = parse_source(name, path)
                if primary(source.language) != primary(language):
                    raise ContentError(f"the file says language {source.language}, but it is in the "
                                       f"'{path.parent.name}' folder", source=str(path), line=1,
                                       rule="edition-language",
                                       hint=f"write 'language: {primary(language)}-US' (or the right tag), "
                                            "or move the file")
                self._loaded[key] = source
            return self._loaded[key]
        if name not in self._loaded:
            part = name.startswith("_") and (self.folder / f"{name}.md").is_file()
            if not part and name not in self.names():
                raise ContentError(f"unknown document '{name}'", source=str(self.folder), rule="unknown-document",
                                   hint=f"choose one of: {', '.join(self.names()) or 'none'}")
            self._loaded[name] = parse_source(name, self.folder / f"{name}.md")
        return self._loaded[name]


def parse_source(name: str, path: Path) -> Source:
    return parse_text(name, path, read_text(path, ContentError, "content file"))


def parse_text(name: str, path: Path, text: str) -> Source:
    """A content file's text (LF line endings), split and checked; `path` is where it comes from."""
    where = str(path)
    if not text.startswith("---"):
        raise ContentError("missing front matter", source=where, line=1, rule="front-matter-missing",
                           hint="start the file with '---', 'title: ...', '---'")
    fences = list(_FENCE.finditer(text))
    if len(fences) < 2 or fences[0].start() != 0:
        raise ContentError("front matter is not closed", source=where, line=1, rule="front-matter-unclosed",
                           hint="add a line '---' after it")
    # The front matter starts with the rest of the opening '---' line: file line 1.
    meta_text = text[fences[0].end():fences[1].start()]
    meta = parse_mapping(meta_text, str(path), ContentError, first_line=1)

    def bad(key: str, message: str, hint: str, rule: str = "front-matter-value") -> ContentError:
        return ContentError(message, source=where, line=meta.lines.get(key), rule=rule, hint=hint, key=key)

    unknown = sorted(set(meta) - FRONT_MATTER_KEYS)  # keys are names: parse_mapping refuses others
    if unknown:
        raise bad(unknown[0], f"unknown front matter key '{unknown[0]}'",
                  f"allowed: {', '.join(sorted(FRONT_MATTER_KEYS))}", "front-matter-unknown-key")
    title, kind, language, summary = _description(meta, bad)
    status, reviewed_by, reviewed_on = _sign_off(meta, bad)
    source_hash, sign_off_hashes = _hashes(meta, bad)
    order = meta.get("order")
    if order is not None and (not isinstance(order, int) or isinstance(order, bool)):
        raise bad("order", f"order {shown(order)} is not a whole number", "write e.g. 'order: 1', or leave it out")
    body_start = fences[1].end() + 1
    body_line = text.count("\n", 0, body_start) + 1
    return Source(name, path, title.strip(), kind, language, summary, text[body_start:], body_line,
                  meta.lines["title"], status, reviewed_by.strip() if reviewed_by else None, reviewed_on, order,
                  source_hash, **sign_off_hashes)


def _description(meta, bad) -> tuple[str, str, str, str | None]:
    """The front matter's title, kind, language and summary, checked."""
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise bad("title", "front matter needs a 'title' (text)", "add a line 'title: ...' between the '---' lines",
                  "front-matter-title-missing")
    kind = meta.get("kind", "handout")
    if kind not in KINDS:
        raise bad("kind", f"kind {shown(kind)} is not one of: {', '.join(KINDS)}", "leave it out for a handout")
    language = meta.get("language", "en-US")
    if not isinstance(language, str) or not _LANGUAGE.match(language):
        # YAML reads a bare 'no' (Norwegian) as false, and '.nan' as a number.
        hint = ('put it in quotes, e.g. language: "no"' if isinstance(language, bool)
                else "write a tag like en-US or es, or leave it out")
        raise bad("language", f"language {shown(language)} is not a language tag like en-US", hint)
    summary = meta.get("summary")
    if summary is not None and not isinstance(summary, str):
        raise bad("summary", "'summary' must be text", "write it as one line of words")
    return title, kind, language, summary


def _sign_off(meta, bad) -> tuple[str, str | None, date | None]:
    """The front matter's status, reviewed_by and reviewed_on, checked: an approved document names both."""
    status = meta.get("status", "draft")
    if status not in STATUSES:
        raise bad("status", f"status {shown(status)} is not one of: {', '.join(STATUSES)}",
                  "write 'status: draft' until a reviewer signs it off, then 'status: approved'")
    reviewed_by = meta.get("reviewed_by")
    if reviewed_by is not None and (not isinstance(reviewed_by, str) or not reviewed_by.strip()):
        raise bad("reviewed_by", "'reviewed_by' must be the reviewer's name", "write the name as text")
    reviewed_on = meta.get("reviewed_on")
    if reviewed_on is not None and (not isinstance(reviewed_on, date) or hasattr(reviewed_on, "hour")):
        raise bad("reviewed_on", f"reviewed_on {shown(reviewed_on)} is not a date",
                  "write the day of the review as YYYY-MM-DD, without quotes")
    if status == "approved" and not (reviewed_by and reviewed_on):
        missing = "reviewed_by" if not reviewed_by else "reviewed_on"
        raise bad("status", f"an approved document needs '{missing}'",
                  "add 'reviewed_by: <name>' and 'reviewed_on: YYYY-MM-DD', or write 'status: draft'",
                  "front-matter-sign-off")
    return status, reviewed_by, reviewed_on


def _hashes(meta, bad) -> tuple[str | None, dict[str, str | None]]:
    """The front matter's source_hash (a translation's) and the SHA-256 hashes `handouts approve` writes."""
    source_hash = meta.get("source_hash")
    if source_hash is not None and (not isinstance(source_hash, str) or not _HASH.match(source_hash)):
        raise bad("source_hash", f"source_hash {shown(source_hash)} is not a hash like 3f2a9c0b1d4e",
                  "copy the hash 'handouts lint' shows for the English source, in quotes")
    sign_off_hashes = {}
    for key in ("approved_sha256", "source_sha256"):
        value = meta.get(key)
        if value is not None and (not isinstance(value, str) or not _SHA256.match(value)):
            raise bad(key, f"{key} {shown(value)} is not a SHA-256 hash (64 hex digits)",
                      "let 'handouts approve' write it: review the document, then run handouts approve")
        sign_off_hashes[key] = value
    return source_hash, sign_off_hashes


_ORDER_LINE = re.compile(r"^order:[ \t]*(-?\d{1,6})[ \t]*(?:#.*)?$", re.MULTILINE)


def _declared_order(path: Path) -> tuple[float, str]:
    """A document's `order:` for sorting, read from its front matter without a full parse (a broken
    file sorts by name; `load` reports what is wrong with it)."""
    try:
        with path.open("rb") as file:
            head = file.read(4096).decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    except OSError:
        return (float("inf"), path.stem)
    fences = list(_FENCE.finditer(head))
    match = _ORDER_LINE.search(head, 0, fences[1].start()) if len(fences) >= 2 and fences[0].start() == 0 else None
    return (int(match[1]) if match else float("inf"), path.stem)


