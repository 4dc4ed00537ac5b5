"""Check content and layouts without rendering: plain-language and large-print rules.

Every finding (a `handouts.errors.Finding`) names the file and, where known,
the line, and says what to do. Documents are filled with a sample patient, so
placeholders never count as missing; the checks that look at what the author
wrote (italics, capitals) read the Markdown before values go in, so a clinic's
own name or address never causes a finding.

Whatever `build` refuses, lint reports with the same rules, all at once: the
Markdown rules (`text.markdown.markdown_problems`: code, HTML, tables, nesting,
links), heading levels, and characters the layouts' fonts cannot draw.

Beyond the documents: the editorial rules (`editorial`: actions first, no
repeated checkbox, safety said once, checklist pages, the packet opening);
an edition's language without the program's words (`lint_locale`); the clinic
profile fails lint while it holds the shipped sample's placeholder details
(`lint_profile`); `lint_warnings` lists what should be looked at but does not
fail (a handout that ends without room for questions, reviews over a year
old); `document_statuses` gives the sign-off of each document, part and
edition, and `lint_sign_off` fails a document that says `status: approved`
but is not the approved text any more (`load.signoff`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..clock import today as _today
from ..errors import Finding, HandoutsError, LayoutError, LocaleError, ProfileError, UnsupportedCharacterError
from ..load import print_rules as layout_rules
from ..load.content import Source, source_digest
from ..load.dates import in_words
from ..load.languages import primary
from ..load.locale import Locale, has_locale, locale_path
from ..load.profile import SENTENCES, field_line, localized, sample_fields
from ..load.signoff import APPROVED, DRAFT, everything, sign_off
from ..load.typefaces import TYPEFACES
from ..load.yamlfile import at_key_line, key_line
from ..model import Callout, Document, Heading, ListItem, Timeline, plain_text, walk
from ..render.fonts import FontSet
from ..text import hyphenation
from ..text.fill import Filled, fill
from ..text.markdown import heading_problems, markdown_problems, markdown_tokens, parse_document
from ..text.readability import FORMULAS, sentences, words, words_to_avoid
from . import editorial, lint_cache

if TYPE_CHECKING:
    from ..load.project import Project

MAX_SENTENCE_WORDS = 25
MAX_AVERAGE_SENTENCE = 15.0
SAMPLE_PATIENT = {"name": "Alex Sample", "preferred_name": "Alex Sample"}
SAMPLE_APPOINTMENT, SAMPLE_EARLIER = datetime(2026, 12, 3, 9, 30), datetime(2026, 12, 1, 14, 0)
REVIEW_MAX_DAYS = 365  # an approved document older than this gets a warning

_SHOUT = re.compile(r"[A-Z]{4,}")


class LintRun:
    """What one lint reads more than once, made once a run: its sample context in each language, and each
    document and edition filled with it and parsed. Nothing here is a patient's (lint reads no roster; its patient
    is `SAMPLE_PATIENT`), and it lives no longer than the run that made it: `lint_project` and `lint_warnings`
    make their own unless given one. An error is never kept: it is raised again each time, as it was."""

    def __init__(self, project: Project, setup: str = ""):
        self.project = project
        self.setup = setup  # lint_cache.Key.setup: what a fresh lint keeps apart from its answers is kept for it
        self._given = _give_dictionaries(setup) if setup else set()
        self._contexts: dict[str, dict] = {}
        self._filled: dict[Path, Filled] = {}
        self._documents: dict[Path, Document] = {}

    def keep(self) -> None:
        """Keep, for the next fresh lint of the same setup, the hyphenation dictionaries this run prepared itself."""
        made = {language: found.prepare() for language, found in hyphenation.loaded().items()
                if language not in self._given}
        if self.setup and made:
            kept = lint_cache.dictionaries(self.setup)
            lint_cache.store_dictionaries(self.setup, {**kept, **made})

    def context(self, language: str) -> dict:
        """Lint's sample context in `language` (the clinic's sentences in it, the appointment in its words)."""
        if language not in self._contexts:
            self._contexts[language] = _sample_context(self.project, language, self.setup)
        return self._contexts[language]

    def filled(self, source: Source) -> Filled:
        """`source` filled with the sample context in its language."""
        if source.path not in self._filled:
            self._filled[source.path] = fill(source, self.context(source.language))
        return self._filled[source.path]

    def document(self, source: Source) -> Document:
        """`source` filled and parsed, every problem left for lint to report (`parse_document(check=False)`)."""
        if source.path not in self._documents:
            self._documents[source.path] = parse_document(source, self.filled(source), check=False)
        return self._documents[source.path]


def lint_project(project: Project, max_grade: float = 6.0, run: LintRun | None = None) -> list[Finding]:
    """Every document, then every layout, then the clinic profile."""
    run = run or LintRun(project)
    findings = [f for name in project.content.names() for f in lint_document(project, name, max_grade, run=run)]
    return (findings + lint_editions(project, max_grade, run) + lint_sign_off(project) + lint_layouts(project)
            + lint_profile(project) + editorial.project_rules(project, run.context))


def lint_profile(project: Project) -> list[Finding]:
    """One finding per field that still holds the shipped sample's placeholder details, at its line."""
    path = getattr(project.clinic, "_path", "") or str(project.content.folder / "clinic.yaml")

    def hint(field: str) -> str:
        if field == "sample":
            return "remove the line 'sample: true' once the details are the clinic's own"
        if field.rpartition(".")[2] in SENTENCES:
            return "write the clinic's own instruction for patients; they would call a number that does not exist"
        return "write the clinic's real details; patients would call or visit a place that does not exist"

    return sorted([Finding("the clinic profile is marked 'sample: true'" if field == "sample" else
                           f"'{field}' still holds the sample's placeholder value", path,
                           field_line(project.clinic, field) or key_line(path, field), rule="profile-sample",
                           key=field, hint=hint(field))
                   for field in sample_fields(project.clinic)], key=lambda f: f.line or 0)


def lint_warnings(project: Project, today: date | None = None, run: LintRun | None = None) -> list[Finding]:
    """What someone should look at, without failing lint: handouts that do not end with room for the reader's
    questions (`editorial`), approved documents whose review is over a year old."""
    run = run or LintRun(project)
    warnings = []
    for name, language in everything(project.content):
        try:
            source = project.content.load(name, language)
            if not editorial.has_warnings(source):
                continue  # nothing to warn about: not filled and parsed again
            document = run.document(source)
        except HandoutsError:
            continue  # lint reports why
        warnings += editorial.document_warnings(project, source, document)
    for status in document_statuses(project, today):
        if status.approved and status.age_days is not None and status.age_days > REVIEW_MAX_DAYS:
            language = f" --language {status.language}" if status.language else ""
            warnings.append(Finding(f"approved {status.age_days} days ago; review it again", status.path,
                                    rule="review-old", key="reviewed_on",
                                    hint=f"have it reviewed, then run 'handouts approve {status.name}{language} "
                                         "--by \"<reviewer>\"'"))
    return warnings


@dataclass(frozen=True)
class DocumentStatus:
    name: str
    path: str
    status: str  # approved (the approved text, unchanged) | draft, or "error" when the file cannot be read
    reviewed_by: str | None = None
    reviewed_on: date | None = None
    age_days: int | None = None
    language: str | None = None  # the edition folder ('es'); None for the English source
    reason: str = ""  # why a document that says 'status: approved' counts as a draft ("changed since ...")

    @property
    def approved(self) -> bool:
        return self.status == "approved"

    @property
    def label(self) -> str:
        return f"{self.language}/{self.name}" if self.language else self.name

    def __str__(self) -> str:
        if self.status == "error":
            return f"{self.label}: cannot be read (see the findings)"
        if self.reason:
            return f"{self.label}: draft again: it {self.reason}"
        review = (f", reviewed by {self.reviewed_by}" if self.reviewed_by else ", not reviewed") + (
            f" on {self.reviewed_on.isoformat()} ({self.age_days} days ago)" if self.reviewed_on else "")
        return f"{self.label}: {self.status}{review}"


def document_statuses(project: Project, today: date | None = None) -> list[DocumentStatus]:
    """The sign-off of every document, part ('_packet', '_email') and edition, and how old its review is
    (`today`: HANDOUTS_TODAY, else the date)."""
    today = today or _today()
    found = []
    for name, language in everything(project.content):
        path = str(project.content.edition_path(name, language) if language else
                   project.content.folder / f"{name}.md")
        try:
            signed = sign_off(project.content, name, language)
        except HandoutsError:
            found.append(DocumentStatus(name, path, "error", language=language))
            continue
        source = signed.source
        age = (today - source.reviewed_on).days if source.reviewed_on else None
        status = APPROVED if signed.approved else DRAFT
        found.append(DocumentStatus(name, path, status, source.reviewed_by, source.reviewed_on, age, language,
                                    "" if signed.state in (APPROVED, DRAFT) else signed.reason))
    return found


def lint_sign_off(project: Project) -> list[Finding]:
    """A document that says 'status: approved' but is not the text that was approved (changed since, approved
    without a hash, an edition approved against an earlier English text): it counts as a draft, and lint says
    which, at its 'status:' line. Drafts themselves are no finding: `document_statuses` lists them."""
    findings = []
    for name, language in everything(project.content):
        try:
            signed = sign_off(project.content, name, language)
        except HandoutsError:
            continue  # lint_document / lint_editions report why
        if signed.state in (APPROVED, DRAFT):
            continue
        path = str(signed.source.path)
        findings.append(Finding(f"{signed.label} {signed.reason}: it counts as a draft", path,
                                key_line(path, "status"), rule=f"sign-off-{signed.state}", key="status",
                                hint=signed.hint))
    return findings
def lint_document(project: Project, name: str, max_grade: float = 6.0, language: str | None = None,
                  run: LintRun | None = None) -> list[Finding]:
    """Findings for one document (with `language`: its edition in that language), in line order; a load or
    fill error is one finding."""
    run = run or LintRun(project)
    path = str(project.content.edition_path(name, language) if language else project.content.folder / f"{name}.md")
    try:
        source = project.content.load(name, language)
        context = run.context(source.language)
        filled = run.filled(source)
    except HandoutsError as exc:
        return [f if f.source else replace(f, source=path) for f in exc.findings]
    path = str(source.path)
    document = run.document(source)  # every problem is reported below instead
    findings = [
        *markdown_problems(source, filled),
        *_reading_level(path, document, max_grade),
        *_long_sentences(path, document),
        *_headings(path, source, document),
        *_inline(path, source, filled),
        *_plain_words(path, source, filled),
        *_characters(path, document, _typefaces(project)),
        *editorial.document_rules(project, source, document, context),
    ]
    return sorted(findings, key=lambda f: f.line or 0)


def _sample_context(project: Project, language: str, setup: str = "") -> dict:
    appointment, earlier = _sample_words(language, setup)
    return {"clinic": localized(project.clinic, language), "patient": SAMPLE_PATIENT,
            "appointment": appointment,
            "earlier_appointment": earlier,  # lint the "replaces" text
            # the packet opening lists the documents, each a link to where it starts
            "documents": [{"title": "Sample handout", "anchor": "sample-handout"},
                          {"title": "Sample checklist", "anchor": "sample-checklist"}]}


def _give_dictionaries(setup: str) -> set[str]:
    """The hyphenation dictionaries (readability's syllable counts) kept for `setup`, given to `text.hyphenation`:
    both read back in some 6 ms of CPU against 13 to parse pyphen's files."""
    kept = lint_cache.dictionaries(setup)
    for language, raw in kept.items():
        hyphenation.give(language, hyphenation.Patterns.prepared(raw))
    return set(kept)


def _sample_words(language: str, setup: str = "") -> tuple[str, str]:
    """The sample appointment and the earlier one in `language`'s words. Babel makes them (loading its
    locale data is some 15 ms of a fresh lint), from fixed dates, no patient's: with `setup` (the digest of all
    they are made of besides the dates: handouts' files, its locale folders, the installed distributions, Python;
    `lint_cache.Key.setup`), as a fresh lint kept them, else made and kept."""
    kept = lint_cache.words(setup, language) if setup else None
    if kept is not None:
        return kept
    found = (in_words(SAMPLE_APPOINTMENT, language), in_words(SAMPLE_EARLIER, language))
    if setup:
        lint_cache.store_words(setup, language, found)
    return found


# --- editions (content/<language>/<name>.md) ---------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What a translation must keep from its source: the sections, the safety boxes, the things to do."""

    headings: tuple[int, ...]  # the level of each heading below the title, in order
    checkboxes: int
    write_ins: int
    callouts: int
    list_items: int
    phone_links: tuple[str, ...]  # tel: targets, in order: a translation must give the same numbers
    placeholders: tuple[str, ...]  # the clinic/patient values used (the safety sentences among them), sorted
    timelines: tuple[int, ...] = ()  # the steps of each timeline, in order

    def differences(self, other: "Shape") -> list[str]:
        """What `other` (the edition) lacks or adds, in words."""
        out = []
        for label, mine, theirs in (("sections (headings)", len(self.headings), len(other.headings)),
                                    ("checkboxes", self.checkboxes, other.checkboxes),
                                    ("write-in lines", self.write_ins, other.write_ins),
                                    ("important boxes", self.callouts, other.callouts),
                                    ("list items", self.list_items, other.list_items),
                                    ("phone links", len(self.phone_links), len(other.phone_links))):
            if mine != theirs:
                out.append(f"{theirs} {label} where the English has {mine}")
        if self.timelines != other.timelines:
            out.append(f"{_steps(other.timelines)} where the English has {_steps(self.timelines)}")
        if len(self.headings) == len(other.headings) and self.headings != other.headings:
            out.append("its heading levels differ from the English")
        if len(self.phone_links) == len(other.phone_links) and self.phone_links != other.phone_links:
            out.append("its phone links call other numbers than the English")
        missing = sorted(set(self.placeholders) - set(other.placeholders))
        extra = sorted(set(other.placeholders) - set(self.placeholders))
        if missing:
            out.append(f"it leaves out {', '.join(missing)}")
        if extra:
            out.append(f"it adds {', '.join(extra)}")
        return out


_PLACEHOLDER = re.compile(r"\b(clinic|patient)\.([a-z_]+)\b|\b(appointment|documents)\b")


def _steps(timelines: tuple[int, ...]) -> str:
    """"a timeline of 5 steps", "timelines of 5 and 3 steps", "no timeline"."""
    if not timelines:
        return "no timeline"
    counts = " and ".join(str(steps) for steps in timelines)
    return f"a timeline of {counts} steps" if len(timelines) == 1 else f"timelines of {counts} steps"


def document_shape(document: Document, source: Source) -> Shape:
    headings, checkboxes, write_ins, callouts, items, phones, timelines = [], 0, 0, 0, 0, [], []
    for node in walk(document.blocks[1:]):
        if isinstance(node, Heading):
            headings.append(node.level)
        elif isinstance(node, Callout):
            callouts += 1
        elif isinstance(node, Timeline):
            timelines.append(len(node.steps))
        elif isinstance(node, ListItem):
            items += 1
            checkboxes += node.task is not None
        write_ins += bool(getattr(node, "write_in", False))
        phones += [span.href for span in getattr(node, "spans", None) or [] if (span.href or "").startswith("tel:")]
    used = set()
    for expression in re.findall(r"\{[{%](.*?)[}%]\}", source.body, re.S):
        for match in _PLACEHOLDER.finditer(expression):
            used.add(f"{match[1]}.{match[2]}" if match[1] else match[3])
    return Shape(tuple(headings), checkboxes, write_ins, callouts, items, tuple(phones), tuple(sorted(used)),
                 tuple(timelines))


def lint_editions(project: Project, max_grade: float = 6.0, run: LintRun | None = None) -> list[Finding]:
    """Every translation: the document rules in its language, the same shape as its English source (so a
    translation cannot drop a safety step), and not older than the source (`source_hash`)."""
    run = run or LintRun(project)
    library = project.content
    findings = []
    sources = set(library.names()) | {p.stem for p in library.folder.glob("_*.md")}
    for folder in library.edition_folders():
        findings += lint_locale(folder)
        try:
            localized(project.clinic, folder.name)
        except ProfileError as exc:  # one finding for the profile, not one per document
            findings += [at_key_line(f) for f in exc.findings]
            continue
        for name in library.edition_names(folder):
            path = str(folder / f"{name}.md")
            if name not in sources:
                findings.append(Finding(f"'{name}' has no English source in {library.folder}", path, 1,
                                        rule="edition-orphan",
                                        hint="name the file as the English document it translates, or remove it"))
                continue
            found = lint_document(project, name, max_grade, folder.name, run)
            findings += found
            if any(f.rule in ("edition-language", "front-matter-value") or f.rule.startswith("profile")
                   for f in found):
                continue
            findings += compare_edition(project, name, folder.name, run)
    return findings


def lint_locale(folder: Path) -> list[Finding]:
    """The program's own words for an edition's language (`handouts/locales/<language>.yaml`): there, and
    readable. Without them its PDFs would say "Page 1 of 2" and "check box, not ticked" in English."""
    if not has_locale(folder.name):
        return [Finding(f"handouts has no words of its own for '{folder.name}': the footer, the sample mark and what "
                        "a screen reader says for a checkbox would be in English", str(folder), rule="locale-missing",
                        hint=f"add {locale_path(folder.name)}: a copy of en.yaml with every value translated "
                             "(see docs/clinic-setup.md, 'Languages')")]
    try:
        Locale.for_tag(folder.name)
    except LocaleError as exc:
        return list(exc.findings)
    return []


def compare_edition(project: Project, name: str, language: str, run: LintRun | None = None) -> list[Finding]:
    """The edition against its English source: shape, then age."""
    run = run or LintRun(project)
    library = project.content
    try:
        english, edition = library.load(name), library.load(name, language)
        shapes = [document_shape(run.document(source), source) for source in (english, edition)]
    except HandoutsError:
        return []  # lint_document reports why
    path = str(edition.path)
    findings = [Finding(f"the {primary(language)} edition has {difference}", path, edition.body_line,
                        rule="edition-structure",
                        hint=f"translate every part of {name}.md: the same sections, checkboxes, write-in lines "
                             "and safety sentences")
                for difference in shapes[0].differences(shapes[1])]
    digest = source_digest(english)
    if edition.source_hash is None:
        findings.append(Finding("the edition does not say which English text it translates", path, 1,
                                rule="edition-source-unknown",
                                hint=f"check it against {english.path.name} and add 'source_hash: \"{digest}\"'"))
    elif edition.source_hash != digest:
        findings.append(Finding("the English source changed since this edition was translated", path, 1,
                                rule="edition-outdated", key="source_hash",
                                hint=f"update the translation from {english.path.name}, then write "
                                     f"'source_hash: \"{digest}\"'"))
    return findings


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
        findings += [at_key_line(f) for f in found]
    return findings


# --- document rules ------------------------------------------------------------


def _reading_level(path: str, document: Document, max_grade: float):
    # One block per line, title first: the text as the PDF reads.
    lines = [plain_text(node.spans) for node in walk(document.blocks) if getattr(node, "spans", None)]
    locale = Locale.for_tag(document.language)
    formula = FORMULAS[locale.formula]
    result = formula.measure("\n".join(lines))
    if formula.scale == "ease":
        if result.reading_ease < locale.min_ease or result.average_sentence_length > MAX_AVERAGE_SENTENCE:
            named = f", '{locale.min_ease_name}'," if locale.min_ease_name else ""
            yield Finding(f"reading ease is {result.reading_ease:.1f} on the {formula.title} scale (target "
                          f"{locale.min_ease:g}{named} or higher) with {result.average_sentence_length:.1f}"
                          f" words per sentence (target {MAX_AVERAGE_SENTENCE:g} or fewer)", path,
                          rule="reading-level", hint="use shorter sentences and everyday words")
        return
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
