"""Parse filled Markdown into the document model (no renderer knowledge here).

`markdown_problems` is the one rule set for what a handout cannot print as written:
`parse_document` refuses the first problem, the linter lists them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import lru_cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..errors import ContentError, Finding
from ..load.content import Source
from ..model import (
    MAX_LIST_DEPTH,
    MAX_QUOTE_DEPTH,
    MAX_TIMELINE_STEPS,
    MIN_TIMELINE_STEPS,
    LONG_ANSWER,
    SHORT_ANSWER,
    Block,
    Callout,
    Document,
    Heading,
    ListBlock,
    ListItem,
    Paragraph,
    Span,
    Timeline,
    TimelineStep,
)
from .fill import _TOKEN, TOKEN_START, Filled

LINK_SCHEMES = ("https", "http", "tel", "mailto")
# "#name": a link to where the document `name` starts in the same packet (the packet opening's contents list).
INTERNAL_LINK = re.compile(r"#[a-z0-9][a-z0-9_-]*")
_TASK = re.compile(r"^\[([ xX])\]\s+")
_WRITE_IN = re.compile(r"\s*_{3,}\s*$")
_UNSUPPORTED = {  # block tokens a handout cannot print: (what it is, what to do)
    "code_block": ("indented code", "write it as paragraphs or a list (indent list items 2-3 spaces only)"),
    "fence": ("a code block", "write it as paragraphs or a list (or, for steps in order, a ```timeline block)"),
    "hr": ("a horizontal rule", "use a '##' heading to start a new part"),
    "table_open": ("a table", "write each row as a list item or a short paragraph"),
}
# A fenced block whose info string is this word is a timeline: a picture of steps in order, which the renderer
# draws as a figure. Its lines: "caption: words" once, then one "- step" a line (blank lines are skipped).
TIMELINE = "timeline"
_TIMELINE_CAPTION = re.compile(r"caption:(.*)")
_TIMELINE_STEP = re.compile(r"[-*+](?:\s+(.*))?")
_TIMELINE_EXAMPLE = "e.g. 'caption: What happens on infusion day', then '- Arrive', '- Rest: 30 minutes'"
_HTML_HINT = "remove it: handouts print only Markdown (to show '<' in text, put a space after it)"
_COMMENT_HINT = "remove it; for a note that never prints, write {# ... #}"
# A GFM table's delimiter row, '|---|:--:|' or '--|--', found in a paragraph when the columns do not
# line up (then markdown-it does not make it a table, and the pipes would print as typed).
_DELIMITER_ROW = re.compile(r"\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*")
_VALUE = TOKEN_START  # a placeholder, as the filled text holds it
# A link target as people write one: a scheme ("https:", "tel:"), "www." or a placeholder.
_TARGET = rf"\(\s*(?:[A-Za-z][A-Za-z0-9+.-]*:|www\.|{_VALUE})[^\s()]*\s*\)"
_BROKEN_LINKS = (  # (pattern, what is wrong, what to do), matched on the text around links that did not parse
    # A label holds no '[' of its own: each '[' starts at most one scan, so nested '[' stay linear.
    (re.compile(r"\[[^\[\]\n]+\]\s+" + _TARGET),
     "link has a space between ']' and '('", "write [words](address) with no space"),
    (re.compile(r"\[[^\[\]\n]+\]\([^)]*$"),
     "link has no closing ')'", "end the address with ')'"),
    (re.compile(_TARGET + r"\[[^\[\]\n]+\]"),
     "link is written backwards as (address)[words]", "write [words](address)"),
)


def _markdown() -> MarkdownIt:
    # HTML and tables are parsed only so that they can be found and refused, never printed.
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")
    # Links keep their target as written; the scheme is checked after values are restored.
    md.normalizeLink = lambda url: url
    md.normalizeLinkText = lambda text: text
    md.validateLink = lambda url: True
    return md


MARKDOWN = _markdown()
# Deeper than this markdown-it stops parsing and drops the rest without a word. The nesting limits
# (model.MAX_LIST_DEPTH, MAX_QUOTE_DEPTH) are refused long before, so nothing is ever dropped.
assert MARKDOWN.options["maxNesting"] > 2 * (MAX_LIST_DEPTH + 1) + MAX_QUOTE_DEPTH + 1


MAX_BRACKET_DEPTH = 32  # '[' inside '[' before a ']': more is never a link, and slows markdown-it's link scan


def _deep_brackets(text: str) -> tuple[str, int | None]:
    """The 0-based line of the first '[' nested deeper than MAX_BRACKET_DEPTH (None when there is none), and
    the text to parse: when there is one, with every '[' escaped, since markdown-it scans from each open '['
    to the end of its paragraph. Such a text is refused; its tokens only serve to find its other problems."""
    if text.count("[") <= MAX_BRACKET_DEPTH:
        return text, None
    depth = 0
    for index, char in enumerate(text):
        if char == "[":
            depth += 1
            if depth > MAX_BRACKET_DEPTH:
                return text.replace("[", "\\["), text.count("\n", 0, index)
        elif char == "]":
            depth = max(depth - 1, 0)
        elif char == "\n" and text.startswith("\n", index + 1):  # a blank line ends the paragraph
            depth = 0
    return text, None


@lru_cache(maxsize=256)
def markdown_tokens(text: str) -> tuple[Token, ...]:
    """The token stream of a filled text (cached: every patient's copy holds the same tokens, not values)."""
    return tuple(MARKDOWN.parse(_deep_brackets(text)[0]))


def parse_document(source: Source, filled: Filled, check: bool = True) -> Document:
    """The document model. With `check`, the first unsupported construct (`markdown_problems`) or heading
    that skips a level is refused; the linter turns it off to report every one."""
    shared = filled.shape.derived.get(("parse", source)) if check and filled.shape is not None else None
    if shared is not None:
        return shared.document(source, filled)
    tokens = list(markdown_tokens(filled.text))
    if check:
        problems = markdown_problems(source, filled)
        if problems:
            raise ContentError(findings=problems[:1])
    blocks = _Builder(source, filled).build(tokens)
    if check:
        for problem in heading_problems(blocks, str(source.path)):
            raise ContentError(findings=[problem])
    if check and filled.shape is not None:
        _share(source, filled)
    title = Heading(1, [Span(source.title)], line=source.title_line)
    return Document(source.name, source.title, source.kind, source.language, source.summary,
                    [title, *blocks])


class _Shared:
    """A document's blocks for every fill of one FillShape: the blocks built from its tokens, and a copy, with its
    values restored, of each block that holds no patient token (in its spans or below), which every fill clones (its
    nodes and lists, not its frozen spans). Only the blocks that hold one are restored again, with the fill's own
    values, from their spans as kept: each a Span (it holds no token) or what it is made of, every value that is not
    a patient's in place and each patient token as its number, and its reserved text. Nothing in it holds a patient
    value: the restored copies hold none of their tokens, the built blocks hold tokens, not values, and the spans
    kept hold a patient's value only as its token's number, and its reserve."""

    def __init__(self, builder: "_Builder", built: tuple[Block, ...], patient: set[int]):
        self.built = built
        self.holding: dict[int, tuple] = {}  # id() of a built block that holds a patient token -> its spans, as kept
        self.free: dict[int, Block] = {}  # id() of a built block that holds none -> its restored copy, to clone
        for block in built:
            self._mark(block, patient, builder)
        # Each built block with its restored copy to clone, or None (it holds a patient token): read in that order.
        self.top = tuple((self.free.get(id(block)), block) for block in built)

    def _mark(self, node, patient: set[int], builder: "_Builder") -> bool:
        holds = any(self._mark(kid, patient, builder) for name in _NESTED for kid in getattr(node, name, ()))
        holds = any([holds, *(_holds(span, patient) for span in getattr(node, "spans", ()))])
        if holds:
            self.holding[id(node)] = tuple(_kept_span(span, patient, builder.filled)
                                           for span in getattr(node, "spans", ()))
        else:
            self.free[id(node)] = _restored(node, builder.restore)
        return holds

    def document(self, source: Source, filled: Filled) -> Document:
        title = Heading(1, [Span(source.title)], line=source.title_line)
        values = filled.values
        return Document(source.name, source.title, source.kind, source.language, source.summary,
                        [title, *[self._copy(block, values) if free is None else _CLONERS[type(free)](free)
                                  for free, block in self.top]])

    def _copy(self, node, values: tuple[str, ...]):
        spans = self.holding.get(id(node))
        if spans is None:
            free = self.free[id(node)]
            return _CLONERS[type(free)](free)
        state = dict(node.__dict__)
        for name in _NESTED:
            if name in state:
                state[name] = [self._copy(kid, values) for kid in state[name]]
        if "spans" in state:
            state["spans"] = _merge([kept if kept.__class__ is Span else
                                     Span(_joined(kept[0], values), kept[1],
                                          None if kept[2] is None else _joined(kept[2], values), kept[3])
                                     for kept in spans])
        copy = object.__new__(type(node))
        copy.__dict__.update(state)
        return copy


def _kept_span(span: Span, patient: set[int], filled: Filled):
    """A span of a block that holds a patient token, as `_Shared` keeps it: the span itself when it holds no token
    (`_Builder.restore` keeps it as it is), else (its text's pieces, bold, its target's pieces or None, its text with
    each patient value's reserve in its place) with every value that is not a patient's restored (the same for
    every fill of the shape) and each patient token as its number."""
    if TOKEN_START not in span.text and (span.href is None or TOKEN_START not in span.href):
        return span
    return (_pieces(span.text, patient, filled.values), span.bold,
            None if span.href is None else _pieces(span.href, patient, filled.values), filled.reserved(span.text))


def _pieces(text: str, patient: set[int], values: tuple[str, ...]) -> tuple[str | int, ...]:
    pieces: list[str | int] = []
    end = 0
    for found in _TOKEN.finditer(text):
        index = int(found.group(1))
        pieces += [text[end:found.start()], index if index in patient else values[index]]
        end = found.end()
    pieces.append(text[end:])
    return tuple(piece for piece in pieces if piece != "")


def _joined(pieces: tuple[str | int, ...], values: tuple[str, ...]) -> str:
    """The text of `_pieces` with this fill's patient values at their token numbers."""
    return "".join([piece if piece.__class__ is str else values[piece] for piece in pieces])


def _cloned(node):
    """A copy of `node` and every node and list below it; the spans (frozen) are the same objects. So a fill's
    document is its own: changing it changes no other fill's, nor the kept blocks."""
    return _CLONERS[type(node)](node)


_new = object.__new__


def _cloner(kind: type):
    """`_cloned` for the nodes of one model class: its fields copied at once, then each list field copied (a span
    list) or made of clones (the nodes below). Most nodes are paragraphs, list items without children, headings and
    timeline steps: their one list is their spans, copied without a loop."""
    names = tuple(field.name for field in fields(kind) if field.name in (*_NESTED, "spans"))

    def leaf(node):
        copy = _new(kind)
        state = copy.__dict__
        state.update(node.__dict__)
        state["spans"] = state["spans"].copy()
        return copy

    def branch(node):
        copy = _new(kind)
        state = copy.__dict__
        state.update(node.__dict__)
        for name in names:
            kids = state[name]
            state[name] = kids.copy() if name == "spans" else [_CLONERS[type(kid)](kid) for kid in kids]
        return copy

    def item(node):  # a list item: a leaf with a list of its own for the blocks it holds (most hold none)
        if node.children:
            return branch(node)
        copy = leaf(node)
        copy.children = []
        return copy

    return leaf if names == ("spans",) else item if names == ("spans", "children") else branch


class _Cloners(dict):
    """Keyed by a model class: how a node of it is cloned (`_cloner`, made the first time). No node, no text."""

    def __missing__(self, kind: type):
        self[kind] = clone = _cloner(kind)
        return clone


_CLONERS = _Cloners()


def _holds(span: Span, patient: set[int]) -> bool:
    return any(int(found.group(1)) in patient
               for text in (span.text, span.href or "") for found in _TOKEN.finditer(text))


def _share(source: Source, filled: Filled) -> None:
    """Keep the blocks of a checked parse for every fill of its shape, unless a link's target holds a patient value
    (whose scheme is checked for each fill)."""
    patient = {index for index, _ in filled.reserves}
    links = _text_problems(str(source.path), source.body_line, filled.text)[1]
    if any(int(found.group(1)) in patient for _, raw in links for found in _TOKEN.finditer(raw)):
        return
    builder = _Builder(source, filled)
    built = _built(builder, source.body_line, filled.text, list(markdown_tokens(filled.text)))
    derived = filled.shape.derived
    if len(derived) >= 16:
        derived.clear()
    derived[("parse", source)] = _Shared(builder, built, patient)


def markdown_problems(source: Source, filled: Filled) -> list[Finding]:
    """A finding for everything in the Markdown that a handout cannot print as written, in line order.

    The one rule set for both `build` (which refuses the first) and `lint` (which lists them all):
    code (a fenced block other than a timeline), raw HTML and comments, tables, horizontal rules, images,
    a timeline without its caption or steps, nesting beyond the limits,
    link targets other than https/http/tel/mailto or "#document", and link syntax that did not make a link.
    """
    found, links = _text_problems(str(source.path), source.body_line, filled.text)
    for line, raw in links:  # targets can hold values, so they are checked for each fill
        href = filled.restore(raw)
        scheme = urlsplit(href).scheme.lower()
        if INTERNAL_LINK.fullmatch(href):
            continue
        if scheme not in LINK_SCHEMES or len(href) <= len(scheme) + 1:
            shown = filled.as_written(raw)  # a value in the target might be a patient's
            found = found + (Finding(f"link target '{shown}' is not a full https:, http:, tel: or mailto: address",
                                     str(source.path), line, rule="link-target",
                                     hint="write the whole address, e.g. https://clinic.example or tel:+15125550142"),)
    return sorted(found, key=lambda f: f.line or 0)


@lru_cache(maxsize=256)
def _text_problems(path: str, body_line: int, text: str) -> tuple[tuple[Finding, ...], tuple[tuple[int, str], ...]]:
    """The findings a filled text gives whatever its values are, and its links as (line, target with tokens).
    Cached: every patient's copy of a document holds the same text."""
    found: dict[tuple, Finding] = {}  # one finding per line and problem: '<b>' and '</b>' on one line are one
    links: list[tuple[int, str]] = []
    depths = {"lists": 0, "quotes": 0}
    skip_to = None  # the closing token of a refused block: what is inside is part of that one finding

    def add(message: str, line: int | None, rule: str, hint: str) -> None:
        found.setdefault((line, message), Finding(message, path, line, rule=rule, hint=hint))

    deep = _deep_brackets(text)[1]
    if deep is not None:
        add(f"'[' is nested more than {MAX_BRACKET_DEPTH} deep", body_line + deep, "nesting-too-deep",
            "write [words](address) for a link; remove the extra '['")
    tokens = markdown_tokens(text)
    for index, token in enumerate(tokens):
        kind = token.type
        if skip_to:
            skip_to = None if kind == skip_to else skip_to
            continue
        line = body_line + token.map[0] if token.map else None
        if kind == "hr" and _continues_write_in(tokens, index):
            continue
        if kind == "fence" and _is_timeline(token):
            for offset, message, hint in read_timeline(token.content).problems:
                add(message, line + offset, "timeline", hint)
        elif kind in _UNSUPPORTED:
            what, hint = _UNSUPPORTED[kind]
            add(f"{what} is not supported in a handout", line, "unsupported-markdown", hint)
            skip_to = "table_close" if kind == "table_open" else None
        elif kind == "html_block":
            message, hint = _html_problem(token.content)
            add(message, line, "unsupported-markdown", hint)
        elif kind in _NESTING:
            _nest(kind, depths, line, add)
        elif kind == "inline":
            _inline_problems(token, line, add, links)
    return tuple(found.values()), tuple(links)


# Tokens that open or close a level of nesting: what they count, and by how much.
_NESTING = {"bullet_list_open": ("lists", 1), "ordered_list_open": ("lists", 1),
            "bullet_list_close": ("lists", -1), "ordered_list_close": ("lists", -1),
            "blockquote_open": ("quotes", 1), "blockquote_close": ("quotes", -1)}
# What each count may reach, and the finding when it goes one deeper.
_TOO_DEEP = {"lists": (MAX_LIST_DEPTH, f"a list is nested more than {MAX_LIST_DEPTH} levels deep",
                       "use fewer levels: split it into shorter lists"),
             "quotes": (MAX_QUOTE_DEPTH, f"'>' boxes are nested more than {MAX_QUOTE_DEPTH} deep",
                        "use one '>' box, or two at most")}


def _nest(kind: str, depths: dict[str, int], line: int | None, add) -> None:
    """Count one level in or out; the first level past the limit is a finding (once per way in)."""
    counter, step = _NESTING[kind]
    depths[counter] += step
    deepest, message, hint = _TOO_DEEP[counter]
    if step > 0 and depths[counter] == deepest + 1:
        add(message, line, "nesting-too-deep", hint)


def _inline_problems(inline: Token, first: int, add, links: list) -> None:
    header = _table_header(inline.content)
    if header is not None:
        add("a table is not supported in a handout", first + header, "unsupported-markdown",
            _UNSUPPORTED["table_open"][1])
    offset, text = 0, [""]  # the words of each line, to look for link syntax that did not parse
    for child in inline.children or []:
        if child.type in ("softbreak", "hardbreak"):
            offset += 1
            text.append("")
        elif child.type in ("text", "code_inline"):
            text[-1] += child.content
        elif child.type == "html_inline":
            message, hint = _html_problem(child.content)
            add(message, first + offset, "unsupported-markdown", hint)
        elif child.type == "image":
            add("images are not supported", first + offset, "image", "describe it in words")
        elif child.type == "link_open":
            links.append((first + offset, child.attrGet("href") or ""))
    for number, words in enumerate(text):
        for pattern, message, hint in _BROKEN_LINKS:
            if pattern.search(words):
                add(message, first + number, "broken-link", hint)


def _is_timeline(token: Token) -> bool:
    return token.info.strip() == TIMELINE


@dataclass(frozen=True)
class TimelineText:
    """A timeline block's lines as written: its caption and steps, each with its line (counted from the opening
    fence, which is 0), and what is wrong with it (line, what, what to do)."""

    caption: str
    steps: tuple[tuple[int, str], ...]
    problems: tuple[tuple[int, str, str], ...]


def read_timeline(content: str) -> TimelineText:
    """The caption and steps of a timeline block's text; a finding for a line that is neither, a second
    caption, an empty step, and a timeline with no caption or too few or too many steps."""
    caption, steps, problems = None, [], []
    for offset, raw in enumerate(content.split("\n"), start=1):
        text = raw.strip()
        if not text:
            continue
        as_caption, as_step = _TIMELINE_CAPTION.fullmatch(text), _TIMELINE_STEP.fullmatch(text)
        if as_caption and not caption:
            caption = " ".join(as_caption[1].split())
        elif as_caption:
            problems.append((offset, "a timeline has a second caption", "give a timeline one 'caption:' line"))
        elif as_step and (as_step[1] or "").strip():
            steps.append((offset, " ".join(as_step[1].split())))
        elif as_step:
            problems.append((offset, "a timeline step is empty", "write what happens after the '-', or remove it"))
        else:
            problems.append((offset, "a timeline line is neither its caption nor a step",
                             f"start it with '- ' for a step or 'caption:' for the caption ({_TIMELINE_EXAMPLE})"))
    if not caption:
        problems.append((0, "a timeline has no caption", f"add a 'caption:' line that says what it shows "
                                                         f"({_TIMELINE_EXAMPLE})"))
    if len(steps) < MIN_TIMELINE_STEPS:
        problems.append((0, f"a timeline has {len(steps) or 'no'} step{'' if len(steps) == 1 else 's'} "
                            f"(it needs {MIN_TIMELINE_STEPS} or more)",
                         f"write each step on a line of its own, starting with '- ' ({_TIMELINE_EXAMPLE})"))
    elif len(steps) > MAX_TIMELINE_STEPS:
        problems.append((0, f"a timeline has {len(steps)} steps (at most {MAX_TIMELINE_STEPS} fit one picture)",
                         "keep the main steps, or split it into two timelines"))
    return TimelineText(caption or "", tuple(steps), tuple(sorted(problems)))


def _continues_write_in(tokens, index: int) -> bool:
    """Whether the rule at `index` is one more line to write on: `___` on the line right after a line that ends
    in `___` ("Question: ___", then `___`, `___`: three lines for one question), or after another such line."""
    rule = tokens[index]
    if set(rule.markup) != {"_"} or not rule.map or index == 0:
        return False
    before = tokens[index - 1]
    if before.type == "hr":
        return before.map is not None and before.map[1] == rule.map[0] and _continues_write_in(tokens, index - 1)
    if before.type != "paragraph_close" or index < 3:
        return False
    opening, inline = tokens[index - 3], tokens[index - 2]
    return (opening.type == "paragraph_open" and opening.map is not None and opening.map[1] == rule.map[0]
            and _WRITE_IN.search(inline.content) is not None)


def _html_problem(content: str) -> tuple[str, str]:
    """(what is wrong, what to do) for raw HTML or an HTML comment."""
    if content.lstrip().startswith("<!--"):
        return "an HTML comment is not supported in a handout", _COMMENT_HINT
    return "raw HTML is not supported in a handout", _HTML_HINT


def _table_header(content: str) -> int | None:
    """The line (0-based) of a table's header row in a paragraph's text: a row with '|' above a delimiter row."""
    lines = content.split("\n")
    for number in range(1, len(lines)):
        row = lines[number]
        if "|" in row and "|" in lines[number - 1] and _DELIMITER_ROW.fullmatch(row):
            return number - 1
    return None


class _Builder:
    """Tokens into blocks. Whatever `markdown_problems` refuses is left out here, so the linter still gets a
    model of the rest; the builder itself never refuses anything."""

    def __init__(self, source: Source, filled: Filled):
        self.source = source
        self.filled = filled

    def line(self, token: Token) -> int:
        return self.source.body_line + token.map[0] if token.map else 0

    def build(self, tokens: list[Token]) -> list[Block]:
        # Values come back only now, after every syntax decision was made on tokens: on a copy of the blocks
        # built from the tokens, which every fill of the same text shares.
        built = _built(self, self.source.body_line, self.filled.text, tokens)
        return [_restored(block, self.restore) for block in built]

    def blocks(self, tokens: list[Token], pos: int, closing: str | None) -> tuple[list[Block], int]:
        """Read blocks from `pos` until the token of type `closing`."""
        out: list[Block] = []
        while pos < len(tokens):
            tok = tokens[pos]
            if tok.type == closing:
                return out, pos + 1
            if tok.type == "heading_open":
                level = int(tok.tag[1])
                spans = self.spans(tokens[pos + 1])
                out.append(Heading(level, spans, line=self.line(tok)))
                pos += 3
            elif tok.type == "paragraph_open":
                spans, write_in = self.write_in(self.spans(tokens[pos + 1]))
                out.append(Paragraph(spans, write_in, line=self.line(tok)))
                pos += 3
            elif tok.type in ("bullet_list_open", "ordered_list_open"):
                block, pos = self.list_block(tokens, pos)
                out.append(block)
            elif tok.type == "blockquote_open":
                inner, pos = self.blocks(tokens, pos + 1, "blockquote_close")
                out.append(Callout(inner, line=self.line(tok)))
            elif tok.type == "table_open":
                pos = next(i for i in range(pos, len(tokens)) if tokens[i].type == "table_close") + 1
            elif tok.type == "fence" and _is_timeline(tok):
                out.append(self.timeline(tok))
                pos += 1
            elif tok.type == "hr" and _continues_write_in(tokens, pos):
                out.append(Paragraph([], SHORT_ANSWER, line=self.line(tok)))  # one more line, as wide as the text
                pos += 1
            else:  # code, HTML, a rule: single tokens
                pos += 1
        return out, pos

    def timeline(self, tok: Token) -> Timeline:
        read, line = read_timeline(tok.content), self.line(tok)
        return Timeline(_merge([Span(read.caption)]), [TimelineStep([Span(text)], line + offset)
                                                       for offset, text in read.steps], line=line)

    def list_block(self, tokens: list[Token], pos: int) -> tuple[ListBlock, int]:
        open_tok = tokens[pos]
        ordered = open_tok.type == "ordered_list_open"
        closing = "ordered_list_close" if ordered else "bullet_list_close"
        start = int(open_tok.attrGet("start") or 1) if ordered else 1
        items: list[ListItem] = []
        pos += 1
        while tokens[pos].type != closing:
            item_tok = tokens[pos]
            inner, pos = self.blocks(tokens, pos + 1, "list_item_close")
            items.append(self.list_item(inner, item_tok))
        return ListBlock(ordered, items, start, line=self.line(open_tok)), pos + 1

    def list_item(self, inner: list[Block], tok: Token) -> ListItem:
        if not inner or not isinstance(inner[0], Paragraph):
            return ListItem([], children=inner, line=self.line(tok))
        first = inner[0]
        spans, task = first.spans, None
        if spans and spans[0].href is None and not spans[0].bold:
            match = _TASK.match(spans[0].text)
            if match:
                task = match.group(1) != " "
                spans = [Span(spans[0].text[match.end():]), *spans[1:]]
        return ListItem(spans, task, first.write_in, inner[1:], line=self.line(tok))

    def spans(self, inline: Token) -> list[Span]:
        spans: list[Span] = []
        bold = 0
        href: str | None = None
        for child in inline.children or []:
            kind = child.type
            if kind in ("text", "code_inline"):
                spans.append(Span(child.content, bold > 0, href))
            elif kind in ("softbreak", "hardbreak"):
                spans.append(Span(" " if kind == "softbreak" else "\n", bold > 0, href))
            elif kind in ("strong_open", "em_open"):
                bold += 1  # emphasis prints bold: large print never uses italics
            elif kind in ("strong_close", "em_close"):
                bold -= 1
            elif kind == "link_open":
                href = child.attrGet("href") or ""
            elif kind == "link_close":
                href = None
            # html_inline and image are refused by markdown_problems and never printed
        return _merge(spans)

    def write_in(self, spans: list[Span]) -> tuple[list[Span], int]:
        """The words before a line to write on, and how long an answer the line is for (0: no line)."""
        if spans and spans[-1].href is None:
            match = _WRITE_IN.search(spans[-1].text)
            if match:
                last = spans[-1]
                rest = [Span(last.text[:match.start()], last.bold)] if match.start() else []
                return spans[:-1] + rest, LONG_ANSWER if match[0].count("_") >= 6 else SHORT_ANSWER
        return spans, 0

    def restore(self, spans: list[Span]) -> list[Span]:
        restore, reserved = self.filled.restore, self.filled.reserved
        return _merge([s if TOKEN_START not in s.text and (s.href is None or TOKEN_START not in s.href) else
                       Span(restore(s.text), s.bold, None if s.href is None else restore(s.href), reserved(s.text))
                       for s in spans])


# Keyed by the filled text, whose values are tokens (as `markdown_tokens`), and where the body starts: blocks
# built from tokens, never handed out (each fill gets its own copy, its values restored).
_BUILT: dict[tuple[int, str], tuple[Block, ...]] = {}
_BUILT_MAX = 256


def _built(builder: "_Builder", body_line: int, text: str, tokens: list[Token]) -> tuple[Block, ...]:
    key = (body_line, text)
    built = _BUILT.get(key)
    if built is None:
        built = tuple(builder.blocks(tokens, 0, None)[0])
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.clear()
        _BUILT[key] = built
    return built


_NESTED = ("items", "children", "blocks", "steps")


def _restored(node, restore):
    """A copy of `node` and every node below it, each span list restored (`restore`): what `dataclasses.replace`
    makes of the model's plain dataclasses (no `__post_init__`, no init-only fields), its fields copied at once."""
    state = dict(node.__dict__)
    for name in _NESTED:
        if name in state:
            state[name] = [_restored(kid, restore) for kid in state[name]]
    if "spans" in state:
        state["spans"] = restore(state["spans"])
    copy = object.__new__(type(node))
    copy.__dict__.update(state)
    return copy


def heading_problems(blocks: list[Block], source: str):
    """A finding for each body heading that breaks the levels: the title is the only level 1."""
    previous = 1
    for block in blocks:
        if not isinstance(block, Heading):
            continue
        if block.level == 1:
            yield Finding("'#' heading in the body (only the title is level 1)", source, block.line or None,
                          rule="skipped-heading", hint="use '##' for a section")
        elif block.level > previous + 1:
            yield Finding(f"heading jumps from level {previous} to {block.level}", source, block.line or None,
                          rule="skipped-heading",
                          hint=f"use '{'#' * (previous + 1)}' here (headings never skip a level)")
        previous = block.level


def _reserved(span: Span) -> str:
    return span.text if span.reserve is None else span.reserve


def _merge(spans: list[Span]) -> list[Span]:
    """Join neighbouring spans of the same style."""
    out: list[Span] = []
    for span in spans:
        if not span.text:
            continue
        if out and out[-1].bold == span.bold and out[-1].href == span.href:
            last = out[-1]
            reserve = None if last.reserve is None and span.reserve is None else _reserved(last) + _reserved(span)
            out[-1] = Span(last.text + span.text, span.bold, span.href, reserve)
        else:
            out.append(span)
    return out
