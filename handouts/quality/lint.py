"""Check content and layouts without rendering: plain-language and large-print rules.

Every finding (a `handouts.errors.Finding`) names the file and, where known,
the line, and says what to do. Documents are filled with a sample patient, so
placeholders never count as missing; the checks that look at what the author
wrote (italics, capitals) read the Markdown before values go in, so a clinic's
own name or address never causes a finding.

Whatever `build` refuses, lint reports with the same rules, all at once: the
Markdown rules (`text.markdown.markdown_problems`: code, HTML, tables, nesting,
links), heading levels, and characters the layouts' fonts cannot draw.

Beyond the documents: the clinic profile fails lint while it holds the shipped
sample's placeholder details (`lint_profile`); `lint_warnings` lists what
should be looked at but does not fail (instructions still at their default,
reviews over a year old); `document_statuses` gives each document's sign-off.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Finding, HandoutsError, LayoutError, UnsupportedCharacterError
from ..load.content import Source
from ..load.dates import in_words
from ..load.profile import default_instructions, sample_fields
from ..load.typefaces import TYPEFACES
from ..model import Document, plain_text, walk
from ..render.fonts import FontSet
from ..text.fill import Filled, fill
from ..text.markdown import heading_problems, markdown_problems, markdown_tokens, parse_document
from ..text.readability import measure, sentences, words, words_to_avoid
from . import print_rules as layout_rules

if TYPE_CHECKING:
    from ..load.project import Project

MAX_SENTENCE_WORDS = 25
MAX_AVERAGE_SENTENCE = 15.0
SAMPLE_PATIENT = {"name": "Alex Sample", "preferred_name": "Alex Sample"}
SAMPLE_APPOINTMENT = in_words(datetime(2026, 12, 3, 9, 30))
REVIEW_MAX_DAYS = 365  # an approved document older than this gets a warning

_SHOUT = re.compile(r"[A-Z]{4,}")


def lint_project(project: Project, max_grade: float = 6.0) -> list[Finding]:
    """Every document, then every layout, then the clinic profile."""
    findings = [f for name in project.content.names() for f in lint_document(project, name, max_grade)]
    return findings + lint_layouts(project) + lint_profile(project)


def clinic_path(project: Project) -> str:
    return str(getattr(project, "clinic_path", None) or project.content.folder / "clinic.yaml")


def lint_profile(project: Project) -> list[Finding]:
    """One finding per field that still holds the shipped sample's placeholder details, at its line."""
    path = clinic_path(project)
    return sorted([Finding("the clinic profile is marked 'sample: true'" if field == "sample" else
                    f"'{field}' still holds the sample's placeholder value", path, _key_line(path, field),
                    rule="profile-sample", key=field,
                    hint="remove the line 'sample: true' once the details are the clinic's own" if field == "sample"
                    else "write the clinic's real details; patients would call or visit a place that does not exist")
            for field in sample_fields(project.clinic)], key=lambda f: f.line or 0)


def lint_warnings(project: Project, today: date | None = None) -> list[Finding]:
    """What someone should look at, without failing lint: instructions the profile leaves at their
    default, approved documents whose review is over a year old."""
    path = clinic_path(project)
    warnings = [Finding(f"'{key}' holds the default ('{project.clinic[key]}')", path, _key_line(path, key),
                        rule="profile-default-instruction", key=key,
                        hint="write the clinic's own instruction for patients in the clinic profile")
                for key in default_instructions(project.clinic)]
    for status in document_statuses(project, today):
        if status.approved and status.age_days is not None and status.age_days > REVIEW_MAX_DAYS:
            warnings.append(Finding(f"approved {status.age_days} days ago; review it again", status.path,
                                    rule="review-old", key="reviewed_on",
                                    hint="have it reviewed and update 'reviewed_on'"))
    return warnings


@dataclass(frozen=True)
class DocumentStatus:
    name: str
    path: str
    status: str  # draft | approved, or "error" when the file cannot be read (lint reports why)
    reviewed_by: str | None = None
    reviewed_on: date | None = None
    age_days: int | None = None

    @property
    def approved(self) -> bool:
        return self.status == "approved"

    def __str__(self) -> str:
        if self.status == "error":
            return f"{self.name}: cannot be read (see the findings)"
        review = (f", reviewed by {self.reviewed_by}" if self.reviewed_by else ", not reviewed") + (
            f" on {self.reviewed_on.isoformat()} ({self.age_days} days ago)" if self.reviewed_on else "")
        return f"{self.name}: {self.status}{review}"


def document_statuses(project: Project, today: date | None = None) -> list[DocumentStatus]:
    """Each document's sign-off and how old its review is (`today`: HANDOUTS_TODAY, else the date)."""
    today = today or _today()
    found = []
    for name in project.content.names():
        path = str(project.content.folder / f"{name}.md")
        try:
            source = project.content.load(name)
        except HandoutsError:
            found.append(DocumentStatus(name, path, "error"))
            continue
        age = (today - source.reviewed_on).days if source.reviewed_on else None
        found.append(DocumentStatus(name, path, source.status, source.reviewed_by, source.reviewed_on, age))
    return found


def _today() -> date:
    try:
        return date.fromisoformat(os.environ.get("HANDOUTS_TODAY", "").strip())
    except ValueError:
        return date.today()


def lint_document(project: Project, name: str, max_grade: float = 6.0) -> list[Finding]:
    """Findings for one document, in line order; a load or fill error is one finding."""
    path = str(project.content.folder / f"{name}.md")
    try:
        source = project.content.load(name)
        context = {"clinic": project.clinic, "patient": SAMPLE_PATIENT, "appointment": SAMPLE_APPOINTMENT}
        filled = fill(source, context)
    except HandoutsError as exc:
        return [f if f.source else replace(f, source=path) for f in exc.findings]
    path = str(source.path)
    document = parse_document(source, filled, check=False)  # every problem is reported below instead
    findings = [
        *markdown_problems(source, filled),
        *_reading_level(path, document, max_grade),
        *_long_sentences(path, document),
        *_headings(path, source, document),
        *_inline(path, source, filled),
        *_plain_words(path, source, filled),
        *_characters(path, document, _typefaces(project)),
    ]
    return sorted(findings, key=lambda f: f.line or 0)


def lint_layouts(project: Project) -> list[Finding]:
    """One finding per broken layout rule or load error, at the line of its key where there is one."""
    findings: list[Finding] = []
    for name in project.layouts.names():
        try:
            layout = project.layouts.load(name)
        except LayoutError as exc:
            # Loading checks the rules too, so this is where broken rules usually show up.
            found = exc.findings
        else:
            found = list(layout_rules.layout_problems(layout))
        findings += [_at_key_line(f) for f in found]
    return findings


# --- document rules ------------------------------------------------------------


def _reading_level(path: str, document: Document, max_grade: float):
    # One block per line, title first: the text as the PDF reads.
    lines = [plain_text(node.spans) for node in walk(document.blocks) if getattr(node, "spans", None)]
    result = measure("\n".join(lines))
    if result.grade > max_grade or result.average_sentence_length > MAX_AVERAGE_SENTENCE:
        yield Finding(f"reading level is grade {result.grade:.1f} (target {max_grade:g} or lower) with "
                      f"{result.average_sentence_length:.1f} words per sentence (target "
                      f"{MAX_AVERAGE_SENTENCE:g} or fewer)", path, rule="reading-level",
                      hint="use shorter sentences and everyday words")


def _long_sentences(path: str, document: Document):
    for node in walk(document.blocks):
        for sentence in sentences(plain_text(getattr(node, "spans", None) or [])):
            count = len(words(sentence))
            if count > MAX_SENTENCE_WORDS:
                yield Finding(f"sentence of {count} words (\"{_opening(sentence)}\")", path, node.line,
                              rule="long-sentence",
                              hint=f"keep sentences to {MAX_SENTENCE_WORDS} words or fewer by splitting it")


def _headings(path: str, source: Source, document: Document):
    """Heading levels in order (title is 1), and the title in capitals."""
    if _is_shouting(source.title):
        yield _caps_heading(path, source.title_line, source.title)
    yield from heading_problems(document.blocks[1:], path)


def _inline(path: str, source: Source, filled: Filled):
    """Italics, capitals in headings and shouting in text, from the Markdown as written."""
    tokens = markdown_tokens(filled.text)
    for i, token in enumerate(tokens):
        if token.type != "inline" or not token.map:
            continue
        first = source.body_line + token.map[0]
        offset, text = 0, ""
        children = token.children or []
        for j, child in enumerate(children):
            if child.type in ("softbreak", "hardbreak"):
                offset += 1
                text += "\n"
            elif child.type == "em_open":
                quoted = filled.restore(_emphasised(children[j + 1:])) or "text"
                yield Finding(f"{child.markup}{quoted}{child.markup} prints bold, not italic", path, first + offset,
                              rule="italics", hint="use **bold** for emphasis; large print never uses italics")
            elif child.type in ("text", "code_inline"):
                text += child.content
        if i and tokens[i - 1].type == "heading_open":
            if _is_shouting(text):
                yield _caps_heading(path, first, filled.restore(text))
            continue
        for match in _shouting_runs(text):
            yield Finding(f"'{match[1]}' is in capitals, which reads as shouting and is harder to read", path,
                          first + text.count("\n", 0, match[0]), rule="all-caps-words",
                          hint="write it in normal case and use **bold** to stress it")


def _plain_words(path: str, source: Source, filled: Filled):
    """Words on the avoid list, in what the author wrote (the title and the body; never a value)."""
    for _, word, plain in words_to_avoid(source.title):
        yield _avoid(path, source.title_line, word, plain)
    for token in markdown_tokens(filled.text):
        if token.type != "inline" or not token.map:
            continue
        first = source.body_line + token.map[0]
        for offset, word, plain in words_to_avoid(token.content):
            yield _avoid(path, first + token.content.count("\n", 0, offset), word, plain)


def _avoid(path: str, line: int, word: str, plain: str) -> Finding:
    return Finding(f"'{word}' is a hard word for many readers", path, line, rule="avoid-word",
                   hint=f"use an everyday word instead: {plain}")


def _characters(path: str, document: Document, typefaces: list[str]):
    """Characters no font can draw, block by block: the very check `build` makes before drawing."""
    for typeface in typefaces:
        fonts = FontSet(typeface)
        for node in walk(document.blocks):
            spans = getattr(node, "spans", None)
            if spans:
                try:
                    fonts.require(plain_text(spans), path, node.line or None)
                except UnsupportedCharacterError as exc:
                    yield exc.finding


def _typefaces(project: Project) -> list[str]:
    """The typefaces the layouts use (one check each); every known one if no layout loads."""
    found = set()
    for name in project.layouts.names():
        try:
            found.add(project.layouts.load(name).typeface)
        except LayoutError:
            continue  # reported by lint_layouts
    return sorted(found or TYPEFACES)


# --- helpers -------------------------------------------------------------------


def _at_key_line(finding: Finding) -> Finding:
    """A layout finding about a key, placed at that key's line when it has no line yet."""
    if finding.line or not (finding.key and finding.source):
        return finding
    return replace(finding, line=_key_line(finding.source, finding.key))


def _key_line(path: str, key: str) -> int | None:
    """The line of a layout key ("body_size", or "margins" for "margins.top") in the file, if it is there."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    pattern = re.compile(rf"{re.escape(key.split('.')[0])}\s*:")
    return next((n for n, line in enumerate(lines, 1) if pattern.match(line)), None)


def _is_shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 3 and all(c.isupper() for c in letters)


def _caps_heading(path: str, line: int, text: str) -> Finding:
    return Finding(f"heading '{text.strip()}' is all capitals, which is harder to read in large print", path, line,
                   rule="all-caps-heading", hint="write it in sentence case")


def _shouting_runs(text: str):
    """(start, words) for each run of two or more ALL-CAPS words of 4+ letters."""
    run: list[re.Match] = []
    for word in [*re.finditer(r"\S+", text), None]:
        # Apostrophes and punctuation around a word do not stop it being a shout: "DON'T!".
        core = re.sub(r"['’]", "", word[0].strip(".,;:!?\"“”()")) if word else ""
        if _SHOUT.fullmatch(core):
            run.append(word)
            continue
        if len(run) >= 2:
            yield run[0].start(), text[run[0].start():run[-1].end()]
        run = []


def _emphasised(children) -> str:
    """The text inside one emphasis, up to its closing token."""
    parts = []
    for child in children:
        if child.type == "em_close":
            break
        parts.append(child.content if child.type in ("text", "code_inline") else " ")
    return "".join(parts).strip()


def _opening(sentence: str, count: int = 8) -> str:
    head = sentence.split()
    return " ".join(head[:count]) + (" …" if len(head) > count else "")
