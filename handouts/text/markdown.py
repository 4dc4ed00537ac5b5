"""Parse filled Markdown into the document model (no renderer knowledge here)."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..errors import ContentError, Finding
from ..load.content import Source
from ..model import (
    Block,
    Callout,
    Document,
    Heading,
    ListBlock,
    ListItem,
    Paragraph,
    Span,
    walk,
)
from .fill import Filled

LINK_SCHEMES = ("https", "http", "tel", "mailto")
_TASK = re.compile(r"^\[([ xX])\]\s+")
_WRITE_IN = re.compile(r"\s*_{3,}\s*$")
_UNSUPPORTED = {
    "code_block": "indented code",
    "fence": "a code block",
    "html_block": "raw HTML",
    "hr": "a horizontal rule",
    "table_open": "a table",
}


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    # Links keep their target as written; the scheme is checked after values are restored.
    md.normalizeLink = lambda url: url
    md.normalizeLinkText = lambda text: text
    md.validateLink = lambda url: True
    return md


MARKDOWN = _markdown()


@lru_cache(maxsize=256)
def _tokens(text: str) -> tuple[Token, ...]:
    # Filled texts hold tokens, not values, so every patient's copy parses the same.
    return tuple(MARKDOWN.parse(text))


def parse_document(source: Source, filled: Filled, check_headings: bool = True) -> Document:
    """The document model; headings that skip a level are refused unless a linter asks to see them."""
    blocks = _Builder(source, filled).build(list(_tokens(filled.text)))
    if check_headings:
        for problem in heading_problems(blocks, str(source.path)):
            raise ContentError(findings=[problem])
    title = Heading(1, [Span(source.title)], line=1)
    return Document(source.name, source.title, source.kind, source.language, source.summary,
                    [title, *blocks])


class _Builder:
    def __init__(self, source: Source, filled: Filled):
        self.source = source
        self.filled = filled

    def error(self, line: int | None, message: str, rule: str, hint: str) -> ContentError:
        return ContentError(message, source=str(self.source.path), line=line or None, rule=rule, hint=hint)

    def line(self, token: Token) -> int:
        return self.source.body_line + token.map[0] if token.map else 0

    def build(self, tokens: list[Token]) -> list[Block]:
        blocks, _ = self.blocks(tokens, 0, None)
        # Values come back only now, after every syntax decision was made on tokens.
        for node in walk(blocks):
            if hasattr(node, "spans"):
                node.spans = self.restore(node.spans, node.line)
        return blocks

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
            elif tok.type in _UNSUPPORTED:
                raise self.error(self.line(tok), f"{_UNSUPPORTED[tok.type]} is not supported in a handout",
                                 "unsupported-markdown", "write it as paragraphs or a list")
            else:
                raise self.error(self.line(tok), f"unexpected Markdown ({tok.type})", "unsupported-markdown",
                                 "simplify it")
        return out, pos

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
            elif kind == "image":
                raise self.error(self.line(inline), "images are not supported", "image", "describe it in words")
            else:
                spans.append(Span(child.content, bold > 0, href))
        return _merge(spans)

    def write_in(self, spans: list[Span]) -> tuple[list[Span], bool]:
        if spans and spans[-1].href is None:
            match = _WRITE_IN.search(spans[-1].text)
            if match:
                last = spans[-1]
                rest = [Span(last.text[:match.start()], last.bold)] if match.start() else []
                return spans[:-1] + rest, True
        return spans, False

    def restore(self, spans: list[Span], line: int) -> list[Span]:
        restored = []
        for span in spans:
            href = self.check_link(self.filled.restore(span.href), line) if span.href is not None else None
            restored.append(Span(self.filled.restore(span.text), span.bold, href))
        return _merge(restored)

    def check_link(self, href: str, line: int) -> str:
        scheme = urlsplit(href).scheme.lower()
        if scheme not in LINK_SCHEMES or len(href) <= len(scheme) + 1:
            raise self.error(line, f"link target '{href}' is not a full https:, http:, tel: or mailto: address",
                             "link-target", "write the whole address, e.g. https://clinic.example or tel:+15125550142")
        return href


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


def _merge(spans: list[Span]) -> list[Span]:
    """Join neighbouring spans of the same style."""
    out: list[Span] = []
    for span in spans:
        if not span.text:
            continue
        if out and out[-1].bold == span.bold and out[-1].href == span.href:
            out[-1] = Span(out[-1].text + span.text, span.bold, span.href)
        else:
            out.append(span)
    return out
