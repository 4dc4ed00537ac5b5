"""Editorial rules: what a clinic's handouts keep, whatever their words. `handouts lint` runs them.

They were tests of the shipped wording; as rules, a clinic that rewrites its
handouts keeps them without editing the tool's tests:

- `checklist-order`: checklists come before handouts in a packet (actions first);
- `checkbox-repeated`: a document never asks for the same thing twice;
- `checkbox-fact`: a box to tick holds something to do, never one of the
  profile's facts of what to expect (`profile.FACTS`: the session, side effects);
- `safety-restated`: a safety fact is said through its profile sentence
  (`{{ clinic.safety_driving }}`), word for word, never again in the document's
  own words (five words in a row of a safety sentence, in the document's language);
- `handout-questions` (a warning: short notes need not): a handout has a
  section with at least two lines to write the reader's questions on (background
  for those who want to know more may follow it);
- `checklist-pages`: a checklist fits on one page in standard print and two in
  large print (`MAX_CHECKLIST_PAGES`), without a patient and for one;
- `packet-opening`: the packet opening gives the appointment, the clinic's
  address and its phone number, on its first page in standard and large print.

The page rules lay the document out (the page model, no PDF), as `build` would.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from ..errors import Finding, HandoutsError, LayoutError
from ..load.content import Source
from ..load.profile import FACTS, SAFETY
from ..load.yamlfile import key_line
from ..model import Document, Heading, ListItem, plain_text, walk
from ..text.fill import fill
from ..text.markdown import parse_document

if TYPE_CHECKING:
    from ..load.project import Project

MAX_CHECKLIST_PAGES = {"standard": 1, "large-print": 2}  # by layout class; other classes: no limit
QUESTION_LINES = 2  # lines to write on in a handout's questions section
RESTATED_WORDS = 5  # this many words in a row of a safety sentence, in a document's own words
# Where the packet opening's first page must hold the appointment, address and phone (by layout class): in
# extra-large print a page holds a few lines, and they may run on to the second.
FIRST_PAGE_CLASSES = ("standard", "large-print")
OPENING = "_packet"
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_BLOCK_EDGE = re.compile(r"\s*$|\s{0,3}(?:#|```|~~~)")  # a blank line, a heading or a fence: blocks end there
_BREAK = "\n"  # in the words of a document, where a block ends: no word of a sentence
_WORD = re.compile(r"[^\W_]+")
_BOX = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+\[[ xX]\]\s")


def document_rules(project: Project, source: Source, document: Document, context: dict) -> list[Finding]:
    """The rules about one document or edition, filled with `context` (lint's sample patient and clinic)."""
    path = str(source.path)
    findings = [*_repeated_boxes(path, document), *_fact_boxes(path, source),
                *_restated(path, source, context["clinic"])]
    if source.kind == "checklist":
        findings += _checklist_pages(project, source, context)
    return findings


def document_warnings(project: Project, source: Source, document: Document) -> list[Finding]:
    """What lint warns about in one document, without failing: a handout without room for questions
    (short notes and test pages need not)."""
    if not has_warnings(source):
        return []
    return list(_room_for_questions(str(source.path), source, document))


def has_warnings(source: Source) -> bool:
    """Whether `document_warnings` looks at this document at all (a handout, not a part): the others need not
    be filled and parsed for it."""
    return not source.name.startswith("_") and source.kind == "handout"


def project_rules(project: Project, context_for) -> list[Finding]:
    """The rules about the content as a whole: the order of the documents, the packet opening (English and each
    edition's). `context_for(language)` gives lint's sample context in a language."""
    findings = list(_checklists_first(project))
    library = project.content
    openings = [None] if (library.folder / f"{OPENING}.md").is_file() else []
    openings += [folder.name for folder in library.edition_folders()
                 if OPENING in library.edition_names(folder)]
    for language in openings:
        try:
            source = library.load(OPENING, language)
            context = context_for(source.language)
        except HandoutsError:
            continue  # lint reports the file itself
        findings += _opening(project, source, context)
    return findings


# --- one document ----------------------------------------------------------------------------------------------


def _repeated_boxes(path: str, document: Document):
    seen: set[str] = set()
    for node in walk(document.blocks):
        if isinstance(node, ListItem) and node.task is not None:
            text = " ".join(plain_text(node.spans).split()).casefold()
            if text in seen:
                yield Finding("a checkbox asks for the same thing as one before it", path, node.line or None,
                              rule="checkbox-repeated", hint="say each thing to do once; remove this box")
            seen.add(text)


def _fact_boxes(path: str, source: Source):
    facts = re.compile(r"\{\{\s*clinic\.(" + "|".join(map(re.escape, FACTS)) + r")\b")
    for offset, line in enumerate(source.body.split("\n")):
        found = facts.search(line) if _BOX.match(line) else None
        if found:
            yield Finding(f"a checkbox holds '{found[1]}', a fact of what to expect, not something to do", path,
                          source.body_line + offset, rule="checkbox-fact",
                          hint="say it as text under the list; a box to tick is for things to do")


def _restated(path: str, source: Source, clinic: dict):
    """The document's own words (placeholders left out) that repeat a run of words of a safety sentence."""
    runs: dict[tuple[str, ...], str] = {}
    for key in SAFETY:
        words = _words(str(clinic.get(key) or ""))
        for i in range(len(words) - RESTATED_WORDS + 1):
            runs.setdefault(tuple(words[i:i + RESTATED_WORDS]), key)
    own: list[tuple[str, int]] = [(word, source.title_line) for word in _words(source.title)]
    body = _TEMPLATE.sub(lambda m: "\n" * m[0].count("\n"), source.body)
    for offset, line in enumerate(body.split("\n")):
        if _BLOCK_EDGE.match(line):  # a run of words is one block's: a step then a heading are no sentence
            own.append((_BREAK, source.body_line + offset))
        own += [(word, source.body_line + offset) for word in _words(line)]
    reported = set()
    for i in range(len(own) - RESTATED_WORDS + 1):
        run = tuple(word for word, _ in own[i:i + RESTATED_WORDS])
        key = runs.get(run)
        if key and key not in reported:
            reported.add(key)
            yield Finding(f"the document says '{' '.join(run)} …' in its own words: that is the safety sentence "
                          f"'{key}'", path, own[i][1], rule="safety-restated", key=key,
                          hint=f"write {{{{ clinic.{key} }}}} instead: a safety fact is said once, in the clinic "
                               "profile, and printed word for word")


def _room_for_questions(path: str, source: Source, document: Document):
    """A section with lines to write questions on. It need not be the last: background for those who want to
    know more may follow it (what to do first, background last)."""
    sections: list[tuple[Heading | None, int]] = [(None, 0)]
    for node in walk(document.blocks[1:]):
        if isinstance(node, Heading) and node.level == 2:
            sections.append((node, 0))
        elif getattr(node, "write_in", False):
            sections[-1] = (sections[-1][0], sections[-1][1] + 1)
    heading, most = max(sections, key=lambda section: section[1])
    if most < QUESTION_LINES:
        if not most:
            heading = sections[-1][0]
        yield Finding(f"the handout has no section with {QUESTION_LINES} lines to write questions on", path,
                      heading.line if heading and heading.line else source.title_line, rule="handout-questions",
                      hint="add a section of questions to ask the care team, each line ending in ___ to write on")


def _checklist_pages(project: Project, source: Source, context: dict):
    from ..render.pdf import lay_out

    limits = []
    for name in project.layouts.names():
        try:
            layout = project.layouts.load(name)
        except LayoutError:
            continue  # lint_layouts reports it
        if layout.layout_class in MAX_CHECKLIST_PAGES:
            limits.append((layout, MAX_CHECKLIST_PAGES[layout.layout_class]))
    blank = {**context, "patient": None, "appointment": None}
    try:  # without a patient ("Appointment date and time: ___") and for one: whichever is longer counts
        documents = [parse_document(source, fill(source, values)) for values in (blank, context)]
    except HandoutsError:
        return  # lint reports why
    for layout, most in limits:
        count = max(len(lay_out(document, layout)) for document in documents)
        if count > most:
            yield Finding(f"the checklist takes {count} pages in the {layout.name} layout; a checklist fits on "
                          f"{most}", str(source.path), source.body_line, rule="checklist-pages",
                          hint="keep only the things to do; move the rest to a handout")


# --- the content as a whole -----------------------------------------------------------------------------------


def _checklists_first(project: Project):
    library = project.content
    handout = None
    for name in library.names():
        try:
            source = library.load(name)
        except HandoutsError:
            continue
        if source.kind == "handout" and handout is None:
            handout = name
        elif source.kind == "checklist" and handout is not None:
            yield Finding(f"the checklist comes after the handout '{handout}' in the packet", str(source.path),
                          key_line(source.path, "order") or source.title_line, rule="checklist-order", key="order",
                          hint=f"give it a lower 'order:' than '{handout}': what to do comes first")


def _opening(project: Project, source: Source, context: dict):
    """The appointment, the address and the phone: on the packet opening's first page, in standard and large
    print."""
    from ..render.pdf import lay_out

    path = str(source.path)
    used = " ".join(_TEMPLATE.findall(source.body))
    needed = {"the appointment": ("appointment", context["appointment"]),
              "the clinic's address": ("clinic.address", context["clinic"]["address"]),
              "the clinic's phone number": ("clinic.phone", context["clinic"]["phone"])}
    missing = [what for what, (placeholder, _) in needed.items() if not re.search(rf"\b{placeholder}\b", used)]
    if missing:
        yield Finding(f"the packet opening does not give {' or '.join(missing)}", path, source.body_line,
                      rule="packet-opening", hint="the first page of a packet says when the visit is, where, and "
                      "whom to call: use {{ appointment }}, {{ clinic.address }} and {{ clinic.phone }}")
        return
    try:
        document = parse_document(source, fill(source, context))
    except HandoutsError:
        return
    for name in project.layouts.names():
        try:
            layout = project.layouts.load(name)
        except LayoutError:
            continue
        if layout.layout_class not in FIRST_PAGE_CLASSES:
            continue
        pages = lay_out(document, layout)
        first = _plain(" ".join(pages[0].text())) if pages else ""
        late = [what for what, (_, value) in needed.items() if _plain(str(value)) not in first]
        if late:
            yield Finding(f"{' and '.join(late)} {'is' if len(late) == 1 else 'are'} not on the first page of the "
                          f"packet in the {name} layout", path, source.body_line, rule="packet-opening",
                          hint="move it to the top of the packet opening, before the list of documents")


# --- helpers ---------------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def _plain(text: str) -> str:
    return " ".join(text.split())
