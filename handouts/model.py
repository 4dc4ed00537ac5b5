"""The document model: a small tree of blocks, independent of any renderer."""

from __future__ import annotations

from dataclasses import dataclass, field

# How deep blocks may nest. Deeper nesting is refused with the file and line (never dropped): it does not
# read well in large print, and layouts are checked to have room for text at the deepest list.
MAX_LIST_DEPTH = 4  # a list inside a list ... four levels
MAX_QUOTE_DEPTH = 2  # an important box inside an important box
# How many steps a timeline may have: more do not fit one page in extra-large print, nor read as one picture.
MIN_TIMELINE_STEPS = 2
MAX_TIMELINE_STEPS = 8


@dataclass(frozen=True)
class Span:
    """A run of text with one style; `href` makes it (part of) a link."""

    text: str
    bold: bool = False
    href: str | None = None
    # The text with each patient value in it replaced by its reserve (text.fill.PatientValue), as the tokens said
    # when it was filled; None: the span shows no patient value.
    reserve: str | None = None


@dataclass
class Heading:
    level: int  # 1 is the document title
    spans: list[Span]
    line: int = 0


# What a line to write on must hold: a short answer ("___": a time, a date) or a long one ("______", six or more:
# a name and phone number, a question). Its length is the author's to say; the renderer sizes the field for it.
SHORT_ANSWER, LONG_ANSWER = 1, 2


@dataclass
class Paragraph:
    spans: list[Span]
    write_in: int = 0  # ends in a line to write on: 0, SHORT_ANSWER or LONG_ANSWER
    line: int = 0


@dataclass
class ListItem:
    spans: list[Span]
    task: bool | None = None  # None: plain item; False/True: empty/ticked checkbox
    write_in: int = 0  # as Paragraph.write_in
    children: list["Block"] = field(default_factory=list)  # nested lists, more paragraphs
    line: int = 0


@dataclass
class ListBlock:
    ordered: bool
    items: list[ListItem]
    start: int = 1
    line: int = 0


@dataclass
class Callout:
    """An 'important' box around its blocks."""

    blocks: list["Block"]
    line: int = 0
    # Never set or read; kept only because repr(document) is hashed into each PDF's file ID
    # (render/pdf.py `_document_digest`): removing it would change the /ID of every PDF with a box.
    anchor: str = ""


@dataclass
class TimelineStep:
    spans: list[Span]  # plain text: a step is a few words ("Rest: 30 minutes")
    line: int = 0


@dataclass
class Timeline:
    """A picture of steps in order ("what happens on infusion day"), drawn as a figure under its caption.

    `spans` is the caption: the one text every timeline has, so that whatever reads the text of blocks
    (`walk` and `.spans`: the font check, the reading level) reads it, and each step, too."""

    spans: list[Span]
    steps: list[TimelineStep]
    line: int = 0


@dataclass
class PageBreak:
    """Start the next block on a new page (between the documents of a packet)."""

    line: int = 0


@dataclass
class Part:
    """One document within a packet: its own part of the structure, starting on a new page."""

    blocks: list["Block"]
    line: int = 0
    anchor: str = ""  # what a "#anchor" link in the packet opening points to: the document's name


Block = Heading | Paragraph | ListBlock | Callout | Timeline | PageBreak | Part


@dataclass(frozen=True, eq=False)
class Skeleton:
    """A document's patient-free key (`pipeline.load_document`): a digest of everything its model is made from but
    the patient's values (the source as parse reads it; the filled text with its tokens, each value that is not a
    patient's, each patient value's reserve in its place). The model is a deterministic function of the skeleton
    and the patient's values, so two documents with the same skeleton differ only where a patient value shows.

    It holds the very block list it was made for: a copy of the document with other blocks (`replace(document,
    blocks=...)`) has no skeleton (`skeleton_of`), and is keyed by its boxes as any document not made from a source.
    """

    key: str
    blocks: list["Block"] = field(repr=False)
    # The same digest without where the source files are (their paths are in `key`, not in the file): with the
    # patient's values, what the PDF's file ID is made from (render/pdf.py), so the same content read from another
    # folder makes the same file. Empty: the ID is made from the document's repr.
    content: str = ""


@dataclass
class Document:
    name: str
    title: str
    kind: str
    language: str
    summary: str | None
    blocks: list[Block]
    # Set by load_document and packet_document. Not in repr: repr(document) is hashed into each PDF's file ID.
    skeleton: Skeleton | None = field(default=None, repr=False, compare=False)


def skeleton_of(document: Document) -> str | None:
    """The document's skeleton key, or None: it has none, or its blocks are not the ones the key was made for."""
    skeleton = document.skeleton
    return skeleton.key if skeleton is not None and skeleton.blocks is document.blocks else None


def plain_text(spans: list[Span]) -> str:
    return "".join(span.text for span in spans)


def walk(blocks: list[Block]):
    """Yield every block, list item and timeline step in reading order."""
    for block in blocks:
        yield block
        if isinstance(block, ListBlock):
            for item in block.items:
                yield item
                yield from walk(item.children)
        elif isinstance(block, (Callout, Part)):
            yield from walk(block.blocks)
        elif isinstance(block, Timeline):
            yield from block.steps


def span_nodes(blocks: list[Block], into: list | None = None) -> list:
    """Every block, list item and timeline step that has spans, in reading order (`walk`'s order): a list, made
    without nested generators (the checks before rendering go through a whole packet's)."""
    into = [] if into is None else into
    for block in blocks:
        if getattr(block, "spans", None):
            into.append(block)
        if isinstance(block, ListBlock):
            for item in block.items:
                if item.spans:
                    into.append(item)
                span_nodes(item.children, into)
        elif isinstance(block, (Callout, Part)):
            span_nodes(block.blocks, into)
        elif isinstance(block, Timeline):
            into += [step for step in block.steps if step.spans]
    return into
