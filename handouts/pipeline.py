"""The pipeline in one place: load → fill → parse → lay out → render."""

from __future__ import annotations

import contextlib
import hashlib
from datetime import datetime, timedelta
from functools import lru_cache

from .caches import one_patient, per_patient
from .clock import creation_time
from .errors import ContentError, InternalError
from .load.dates import in_words
from .load.layouts import Layout
from .load.locale import Locale
from .load.profile import localized, sample_fields
from .load.project import Patient, Project
from .load.content import Source
from .model import Document, PageBreak, Part, Skeleton, plain_text, skeleton_of, span_nodes
from .render.fonts import FontSet
from .render.pdf import RenderedPDF, RenderOptions, render_pdf
from .text.fill import Filled, PatientValue, fill
from .text.markdown import parse_document


def load_document(project: Project, name: str, patient: Patient | None = None,
                  appointment: datetime | None = None, language: str | None = None,
                  earlier_appointment: datetime | None = None, in_sentence: bool = False, **extra) -> Document:
    """A document filled and parsed; with `language`, its edition in that language (`content/<lang>/<name>.md`),
    which sees the clinic's sentences and the appointment in that language too. `earlier_appointment` is set
    in an email that replaces one sent for another appointment. `in_sentence`: the appointments read as in a
    sentence (the email's prose), not as on a line of their own (a page's "When: ...")."""
    return _load(project, name, patient, appointment, language, earlier_appointment, in_sentence, extra, {})


def _load(project: Project, name: str, patient: Patient | None, appointment: datetime | None, language: str | None,
          earlier_appointment: datetime | None, in_sentence: bool, extra: dict, made: dict) -> Document:
    """`load_document`; `made`: what the documents of one packet (or one document) see alike, made once a language
    for them: the clinic profile as that language's editions see it (`localized`) and the patient's values, marked
    as such. It is that packet's own, and goes with it."""
    source = project.content.load(name, language)
    seen = made.get(source.language)
    if seen is None:
        seen = made[source.language] = {
            "clinic": localized(project.clinic, source.language),
            # A patient's values are marked as such, with the room kept for each (PatientValue): a value no longer
            # than its reserve moves no page after it.
            "patient": {
                "name": PatientValue(patient.name, NAME_RESERVE),
                "preferred_name": PatientValue(patient.preferred_name, PREFERRED_NAME_RESERVE),
            } if patient else None,
            "appointment": _appointment(appointment, source.language, in_sentence),
            "earlier_appointment": _appointment(earlier_appointment, source.language, in_sentence),
        }
    context = {**seen, **extra}
    filled = fill(source, context)
    document = parse_document(source, filled)
    # Patient-free (a digest of the fill without the patient's values): kept with the fill's shape, when it has one.
    derived = {} if filled.shape is None else filled.shape.derived
    key, content = derived.get(("skeleton", source)) or _skeleton(source, filled)
    if filled.shape is not None:
        derived[("skeleton", source)] = key, content
    document.skeleton = Skeleton(key, document.blocks, content)  # parse_document made it for this fill alone
    return document


def _skeleton(source: Source, filled: Filled) -> tuple[str, str]:
    """The document's patient-free key (model.Skeleton): a digest of everything parse reads of the source and of
    the fill but the patient's values, each of which stands as its reserve. The digest keeps no text of any value
    in the caches it keys (a value a template changed, `{{ patient.name | upper }}`, is no longer marked as the
    patient's: it is in the digest as any other value, so its documents are keyed apart, and never shown by it).
    And the same digest without the source's path (`Skeleton.content`)."""
    free = repr(filled.patient_free())
    where, what = _source_key(source)
    return (hashlib.sha256(f"({where!r}, {free})".encode()).hexdigest(),
            hashlib.sha256(f"({what!r}, {free})".encode()).hexdigest())


# Keyed by the source (every field of it): content, patient-free.
@lru_cache(maxsize=256)
def _source_key(source: Source) -> tuple[str, str]:
    """A digest of everything parse reads of a source, and one of the same but its path."""
    fields = (source.title, source.title_line, source.summary, source.kind, source.language, source.body_line,
              source.body)
    return (hashlib.sha256(repr((source.name, str(source.path), *fields)).encode()).hexdigest(),
            hashlib.sha256(repr((source.name, *fields)).encode()).hexdigest())


def render_checked(project: Project, document: Document, layout: Layout, where: str,
                   forms: bool = True) -> RenderedPDF:
    """Refuse text the fonts cannot draw, then render: nothing half-drawn, ever. `forms=False` (a run's
    --no-forms) prints checkboxes and lines to write on even where the layout makes them fillable."""
    fonts = FontSet(layout.typeface)
    anchors = {block.anchor for block in document.blocks if isinstance(block, Part) and block.anchor}
    nodes = span_nodes(document.blocks)
    # The whole document is asked once (its characters as one set, its '#' links); only when something is wrong is
    # each node asked, in reading order, so that the error names the line it always named. What shows no patient
    # value (a span without reserve) is the same for every document of a skeleton: asked once for its typeface.
    spans = [span for node in nodes for span in node.spans]
    skeleton = skeleton_of(document)
    checked = skeleton is not None and (skeleton, layout.typeface) in _CHECKED
    asked = [span for span in spans if span.reserve is not None] if checked else spans
    targets = {span.href[1:] for span in asked if span.href and span.href.startswith("#")}
    if targets <= anchors and fonts.draws_all(set("".join([span.text for span in asked]))):
        if skeleton is not None and not checked:
            if len(_CHECKED) >= 256:
                _CHECKED.clear()
            _CHECKED.add((skeleton, layout.typeface))
        return render_pdf(document, layout, render_options(project, document, layout, forms), spans=spans)
    for node in nodes:
        fonts.require(plain_text(node.spans), where, node.line or None)
        if any(s.href and s.href.startswith("#") and s.href[1:] not in anchors for s in node.spans):
            raise ContentError("a '#' link goes to no document in this file", source=where,
                               line=node.line or None, rule="link-target",
                               hint="'#name' links work in the packet opening, to a document in the packet")
    raise InternalError("the document's text was refused as a whole, and no line of it was")


# Keyed by a skeleton's digest and a typeface (patient-free; no text): the documents whose text that shows no patient
# value the typeface draws whole, with every '#' link going to a document of theirs.
_CHECKED: set[tuple[str, str]] = set()


def render_options(project: Project, document: Document, layout: Layout, forms: bool = True) -> RenderOptions:
    """How the clinic's documents are drawn: its name, the footer's words in the document's language, forms."""
    clinic = project.clinic
    words = Locale.for_tag(document.language)  # the footer's words, in the document's language
    # A PDF made with the shipped sample's contact details says so on every page: it must never reach a patient.
    sample = bool(sample_fields(clinic))
    note = words.labels["sample"] if sample else f"{clinic['name']} · {clinic['phone']}"
    return RenderOptions(created=creation_time(), author=clinic["name"], footer_note=note,
                         page_label=words.labels["page"], note_required=sample, forms=layout.forms and forms)


def render_document(project: Project, name: str, layout: Layout, patient: Patient | None = None,
                    appointment: datetime | None = None, language: str | None = None,
                    forms: bool = True) -> RenderedPDF:
    """One document, blank or for one patient (whose values stay in no cache afterwards)."""
    source = project.content.load(name, language)
    shown = shown_values(patient, appointment, source.language) if patient else ()
    with one_patient(shown) if patient else contextlib.nullcontext():
        if patient:
            fonts = FontSet(layout.typeface)
            fonts.require(patient.name, "patient name")
            fonts.require(patient.preferred_name, "preferred name")
        document = load_document(project, name, patient, appointment, language)
        return render_checked(project, document, layout, str(source.path), forms)


def shown_values(patient: Patient, appointment: datetime | None, language: str) -> tuple[str, ...]:
    """What a patient's documents show of them, each a whole span: the names and the appointment in words (as their
    documents say it on a line of its own: the words the fill just made, from the patient's cache, which
    `one_patient` empties when the work this is for ends)."""
    return (patient.name, patient.preferred_name, _in_words(appointment, language, False) if appointment else "")


# Patient-free stand-ins as wide as a long name (30 letters) and a long preferred name (15): only measured, never shown.
NAME_RESERVE = "Nnnnnnnnnnnnn Nnnnnnnnnnnnnnnn"
PREFERRED_NAME_RESERVE = "Nnnnnnnnnnnnnnn"


def _appointment(moment: datetime | None, language: str, in_sentence: bool) -> PatientValue | None:
    if moment is None:
        return None
    return PatientValue(_in_words(moment, language, in_sentence), _longest_appointment(language, in_sentence))


# Keyed by the patient's appointment (each document of a packet says it): emptied after each patient.
_in_words = per_patient(lru_cache(maxsize=8)(in_words))


# Keyed by the language: patient-free.
@lru_cache(maxsize=8)
def _longest_appointment(language: str, in_sentence: bool) -> str:
    """The longest appointment in words in `language`: every day of a year, at the longest time of day."""
    start = datetime(2026, 1, 1, 12, 30)
    return max((in_words(start + timedelta(days=day), language, in_sentence) for day in range(366)),
               key=lambda text: (len(text), text))


OPENING = "_packet"  # content/_packet.md: "Prepared for ..., your appointment ..."


def packet_document(project: Project, patient: Patient, appointment, documents: tuple[str, ...],
                    language: str | None = None) -> Document:
    """The packet in one language: every part is that language's edition (the batch has already fallen back to
    English, with a note, for a row whose language lacks one of them: a packet never mixes languages)."""
    made: dict = {}  # what this packet's documents see alike (`_load`)
    parts = [_load(project, name, patient, appointment, language, None, False, {}, made) for name in documents]
    titles = [part.title for part in parts]
    # The opening lists the documents, each a link ("#name") to where it starts.
    listed = [{"title": part.title, "anchor": name} for name, part in zip(documents, parts)]
    opening = _load(project, OPENING, patient, appointment, language, None, False, {"documents": listed}, made)
    # Each document is a Part of its own, so a screen reader can move between them and each has one H1.
    blocks: list = [Part(list(opening.blocks))]
    for name, part in zip(documents, parts):
        blocks += [PageBreak(), Part(list(part.blocks), anchor=name)]
    template = Locale.for_tag(opening.language).labels["packet_title"]
    title = template.format(title=opening.title, name=patient.preferred_name, documents="; ".join(titles))
    # The packet's skeleton: its parts' in order, with what it adds (the blocks around them, each part's anchor, the
    # title's words but the patient's name); a part without one (none is made otherwise) leaves the packet without.
    keys = [skeleton_of(part) for part in (opening, *parts)]
    contents = [part.skeleton.content if skeleton_of(part) else "" for part in (opening, *parts)]
    added = (template, opening.title, opening.summary, titles)
    skeleton = None if None in keys else Skeleton(
        hashlib.sha256(repr(("packet", OPENING, documents, keys, *added)).encode()).hexdigest(), blocks,
        "" if "" in contents else hashlib.sha256(repr(("packet", OPENING, documents, contents, *added)).encode()
                                                 ).hexdigest())
    return Document("packet", title, opening.kind, opening.language, opening.summary, blocks, skeleton)
