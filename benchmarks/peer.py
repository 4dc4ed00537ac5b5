#!/usr/bin/env python3
"""Peer benchmark: one personalized large-print packet, ours against Typst and WeasyPrint, in one run.

    python -m pip install -e '.[bench]' && python benchmarks/peer.py [--runs 200] [--typst-runs 200]
                                                                     [--weasy-runs 20] [--no-install]

The packet `handouts packets` makes for one roster row in the large-print layout (the opening page, the
infusion-day checklist and the handout), for a new fictional patient each time (whose name is also the
preferred name, so that no line of one packet repeats in another). The peers get the same
filled text, written out from our own document model as Typst markup and as HTML + CSS (the same
headings, paragraphs, lists, boxes to tick, lines to write on, important boxes, links and footer), in the
same typeface (the Atkinson Hyperlegible files this project ships), at the sizes, page, margins, footer,
line spacing and gaps of layouts/large-print.yaml, with PDF/UA-1 on. The timeline is drawn as ours draws it
in large print (numbered filled circles in a column, joined by a line, the words beside them) and each line to
write on where ours puts it (beside the words or on a line of its own). Our page model (made ahead, untimed)
says at which block each page starts; the peers' markup starts a page at the same blocks (a list is cut in
two where ours starts a page at one of its items), so that all make the same pages with the same words on
each (checked and printed: `pages:`). The peers still lay out, break lines and fill every page themselves:


- ours, in this process, warm (20 packets first), two ways, one name each:
  "row": what `handouts packets` does per row (Patient, fill + parse, render_checked),
  "render": render_checked() alone on a filled, parsed packet (the peers get their sources ready made);
- Typst (the `typst` package): a warm Compiler (5 compiles of other names first; Typst memoizes whole
  compiles, so no name is compiled twice), pdf_standards=["ua-1"];
- WeasyPrint: HTML(...).write_pdf(pdf_variant="pdf/ua-1").

Ours and Typst's runs are interleaved (one of each in turn), so both meet the same moments of a noisy
machine. Each median is of wall-clock milliseconds, with the process CPU time beside it (Typst may use more
than one thread). Page counts and a PDF/UA-1 validation (page-validation, untimed) of one file from each
show that the files are comparable. WeasyPrint needs Pango (a system library); when it is missing and this
runs as root on Debian, it is installed with apt-get (not with --no-install); otherwise one line says what
to install, and the others are still measured.
"""

from __future__ import annotations

import argparse
import ctypes.util
import html
import importlib.metadata
import io
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

from _common import print_profile, profiled, PLAIN_LAST, ROOT, ensure_root_path, fictional_name, machine

ensure_root_path()

from pypdf import PdfReader

from handouts.batch import workers
from handouts.caches import one_patient
from handouts.load.locale import Locale
from handouts.load.profile import sample_fields
from handouts.load.project import Patient, Project
from handouts.load.typefaces import TYPEFACES
from handouts.model import Callout, Heading, ListBlock, PageBreak, Paragraph, Part, Timeline
from handouts.pipeline import packet_document, render_checked, render_options, shown_values
from handouts.render.pdf import footer_height, page_model
from handouts.render.timeline import CAPTION_GAP, COLUMN_RADIUS, LABEL_GAP, STEP_GAP

APPOINTMENT = datetime(2026, 12, 3, 9, 30)
WARM_OURS, WARM_TYPST = 20, 5
# What WeasyPrint loads at run time, by the Debian package that has it. harfbuzz-subset is optional (without
# it WeasyPrint subsets fonts with fontTools, slower), so it is installed when it can be, never demanded.
PANGO = {"pango-1.0": "libpango-1.0-0", "pangoft2-1.0": "libpangoft2-1.0-0"}
OPTIONAL = {"harfbuzz-subset": "libharfbuzz-subset0"}


# -- the same packet as Typst markup and as HTML ----------------------------------------------------------

class Spacing:
    """Our composer's spacing for a layout (handouts/render/compose.py), in points, for the peers to copy."""

    def __init__(self, layout):
        self.size = layout.body_size
        self.gap = layout.paragraph_space * layout.body_size  # after a paragraph, a list, an important box
        self.heading_before = self.gap + 1.5 * self.gap  # a paragraph's gap + a heading's own (added, not merged)
        self.heading_after = 0.6 * self.gap
        self.item_after = 0.3 * self.gap
        self.task_after = 0.6 * self.gap
        self.indent = layout.list_indent * layout.body_size
        self.line_spacing = layout.line_spacing
        self.padding = 0.75 * layout.body_size
        self.footer = footer_height(layout)  # ours keeps the footer inside the bottom margin
        top, right, bottom, left = layout.margins
        self.margins = {"top": top, "right": right, "bottom": bottom + self.footer, "left": left}


def _words(text: str) -> str:
    return " ".join(text.split()).rstrip("-")


def _kind(block) -> str:
    """What a model block (or list item) is, as the page model's first box on a page says it."""
    if isinstance(block, Heading):
        return f"H{block.level}"
    if isinstance(block, Paragraph):
        return "P"
    if isinstance(block, (Callout, Timeline)):
        return type(block).__name__ + "Box"
    if isinstance(block, ListBlock):
        return "LBody"
    return "LBody" if hasattr(block, "task") else type(block).__name__


def _first_text(block) -> str:
    if isinstance(block, Callout):
        return _first_text(block.blocks[0]) if block.blocks else ""
    if isinstance(block, ListBlock):
        return _first_text(block.items[0]) if block.items else ""
    return "".join(span.text for span in getattr(block, "spans", ()))


class PagePlan:
    """Where our page model starts each page (the kind and first line of its first box) and how each line to
    write on is placed (beside the words, or on a line of its own): a peer's markup starts the same pages at
    the same blocks and puts its lines where ours are, so that both make the same pages with the same text.
    The peer still lays out, breaks lines and fills each page itself; made ahead, not timed."""

    def __init__(self, document, layout, options):
        pages, _ = page_model(document, layout, options)
        self.starts = []
        for page in pages[1:]:
            box = page.placed[0].box
            role = getattr(getattr(box, "element", None), "role", "")
            kind = "LBody" if getattr(box, "label", None) is not None else (
                role if role == "P" or role[:1] == "H" else type(box).__name__)
            self.starts.append((kind, _words(page.text()[0]) if page.text() else ""))
        self.rows = [placed.box.write_in_plan(placed.width).rows for page in pages for outer in page.placed
                     for placed in (outer, *outer.inner) if getattr(placed.box, "write_in", 0)]

    def starts_page(self, block) -> bool:
        """Whether our next page starts at this block (or list item); if so, that start is taken."""
        if not self.starts or self.starts[0][0] != _kind(block):
            return False
        if not _words(_first_text(block)).startswith(self.starts[0][1]):
            return False
        self.starts.pop(0)
        return True

    def write_in_rows(self) -> int:
        return self.rows.pop(0) if self.rows else 0


class Markup:
    """Writes a Document's blocks out in another markup; subclasses say how each piece looks."""

    def blocks(self, blocks, depth: int = 0) -> str:
        out = []
        for block in blocks:
            if isinstance(block, Part):
                out.append(self.part(self.blocks(block.blocks, depth), block.anchor))
            elif isinstance(block, PageBreak):
                out.append(self.page_break())
            elif isinstance(block, Heading):
                out.append(self.heading(block.level, self.inline(block.spans)))
            elif isinstance(block, Paragraph):
                out.append(self.paragraph(self.inline(block.spans), block.write_in))
            elif isinstance(block, ListBlock):
                out.append(self.list(block, depth))
            elif isinstance(block, Callout):
                out.append(self.callout(self.blocks(block.blocks, depth)))
            elif isinstance(block, Timeline):
                out.append(self.timeline(block))
        return "\n".join(out)

    def inline(self, spans) -> str:
        out = []
        for span in spans:
            piece = self.text(span.text)
            if span.bold:
                piece = self.bold(piece)
            if span.href:
                piece = self.link(piece, span.href)
            out.append(piece)
        return "".join(out)


class TypstMarkup(Markup):
    def __init__(self, space: Spacing, author: str, plan: PagePlan):
        self.space, self.author, self.plan = space, author, plan
        self.anchor = ""  # the label the next level-1 heading gets: where "#name" links in the opening go

    @staticmethod
    def text(value: str) -> str:
        return '#"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def string(self, value: str) -> str:
        return self.text(value)[1:]

    def bold(self, piece: str) -> str:
        return f"#strong[{piece}]"

    def link(self, piece: str, href: str) -> str:
        target = f"<{href[1:]}>" if href.startswith("#") else self.string(href)
        return f"#link({target})[{piece}]"

    def part(self, content: str, anchor: str) -> str:
        return content

    def page_break(self) -> str:
        return "#pagebreak()"

    def heading(self, level: int, content: str) -> str:
        label, self.anchor = (f" <{self.anchor}>" if self.anchor and level == 1 else ""), ""
        return f"#heading(level: {level})[{content}]{label}\n"

    def write_in(self, write_in: int) -> str:
        """A line to write on where ours puts it: after the words on their last line, or on a line of its own."""
        if not write_in:
            return ""
        rule = "#box(width: 1fr, stroke: (bottom: 1pt))"
        return f" \\ {rule}" if self.plan.write_in_rows() else f"#h(0.4em){rule}"

    def paragraph(self, content: str, write_in: int) -> str:
        return content + self.write_in(write_in) + "\n"

    def list(self, block: ListBlock, depth: int) -> str:
        """The list; where our page model starts a page at one of its items, two lists with a page break between."""
        pieces, entries, start = [], [], block.start
        for i, item in enumerate(block.items):
            if i and depth == 0 and self.plan.starts_page(item):
                pieces.append(self._list(block, entries, start))
                pieces.append(self.page_break())
                entries, start = [], block.start + i
            text = self.inline(item.spans) + self.write_in(item.write_in)
            children = self.blocks(item.children, depth + 1)
            entries.append(f"[{text}" + (f"\n\n{children}]" if children else "]"))
        pieces.append(self._list(block, entries, start))
        return "\n".join(pieces)

    def _list(self, block: ListBlock, entries: list[str], start: int) -> str:
        s = self.space
        if any(item.task is not None for item in block.items):  # a box to tick for a marker, as ours
            marker = f"box(width: {s.indent}pt)[#box(width: {s.size}pt, height: {s.size}pt, stroke: 1.5pt)#h(1fr)]"
            return f"#list(marker: {marker}, spacing: {s.task_after}pt, {', '.join(entries)})"
        if block.ordered:
            return f"#enum(start: {start}, {', '.join(entries)})"
        return f"#list({', '.join(entries)})"

    def timeline(self, block: Timeline) -> str:
        """Ours in large print: the bold caption, then the steps in a column, each a filled circle with its number
        (as tall as a line of words) and the words beside it, a line joining the circles; never split."""
        s, em = self.space, self.space.size
        line = s.line_spacing * em
        steps = ", ".join(
            f"circle(radius: {COLUMN_RADIUS * em}pt, fill: black, inset: 0pt)[#set align(center + horizon); "
            f"#text(fill: white, weight: \"bold\")[{n}]], [{self.inline(step.spans)}]"
            for n, step in enumerate(block.steps, 1))
        top = len(block.steps) and (line / 2)
        length = (len(block.steps) - 1) * (line + STEP_GAP * em)
        joining = (f"#place(top + left, dx: {COLUMN_RADIUS * em - 0.75}pt, dy: {top}pt, "
                   f"line(angle: 90deg, length: {length}pt, stroke: 1.5pt))")
        return (f"#block(breakable: false, above: 0pt, below: {s.gap}pt)[#block(above: 0pt, "
                f"below: {CAPTION_GAP * em}pt)[#strong[{self.inline(block.spans)}]]\n"
                f"#block[{joining}#grid(columns: ({2 * COLUMN_RADIUS * em}pt, 1fr), column-gutter: "
                f"{LABEL_GAP * em}pt, row-gutter: {STEP_GAP * em}pt, align: horizon, {steps})]]")

    def callout(self, content: str) -> str:
        s = self.space
        return (f"#block(width: 100%, stroke: 3pt, inset: {s.padding}pt, above: 0pt, below: {s.gap}pt)"
                f"[{content}]")

    def blocks(self, blocks, depth: int = 0) -> str:
        out = []
        for block in blocks:
            if isinstance(block, Part) and block.anchor:
                self.anchor = block.anchor
            if depth == 0 and not isinstance(block, (Part, PageBreak)) and self.plan.starts_page(block):
                out.append("#pagebreak(weak: true)")  # after a document's own page break, nothing
            out.append(super().blocks([block], depth))
        return "\n".join(out)

    def document(self, document, layout, note: str) -> str:
        s, sizes = self.space, layout.heading_sizes
        m = s.margins
        width, height = layout.page_size
        # Every line box is line_spacing x its size high, the baseline where ours puts it (the text's
        # half-leading box, ascent 0.8 em): top-edge and bottom-edge make the box, leading 0 stacks them.
        half = (layout.line_spacing - 1) / 2
        top, bottom = half + 0.8, layout.line_spacing - (half + 0.8)
        return f"""#set document(title: {self.string(document.title)}, author: {self.string(self.author)})
#set page(width: {width}pt, height: {height}pt,
  margin: (top: {m["top"]}pt, right: {m["right"]}pt, bottom: {m["bottom"]}pt, left: {m["left"]}pt),
  footer-descent: {s.footer - layout.footer_size * layout.line_spacing}pt,
  footer: context [{self.text(note)} #h(1fr) Page #counter(page).display() of #counter(page).final().first()])
#set text(font: "Atkinson Hyperlegible", size: {layout.body_size}pt, lang: "en", region: "us",
  top-edge: {top:.4f}em, bottom-edge: -{bottom:.4f}em)
#set par(leading: 0pt, spacing: {s.gap}pt)
#show link: underline
#show heading: set block(above: {s.heading_before}pt, below: {s.heading_after}pt)
#show heading.where(level: 1): set block(above: {s.gap}pt)
#show heading.where(level: 1): set text(size: {sizes[0]}pt)
#show heading.where(level: 2): set text(size: {sizes[1]}pt)
#show heading.where(level: 3): set text(size: {sizes[2]}pt)
// Markers in a column of list_indent, left-aligned, as ours.
#set list(marker: box(width: {s.indent}pt)[•#h(1fr)], body-indent: 0pt, spacing: {s.item_after}pt)
#set enum(numbering: n => box(width: {s.indent}pt)[#n.#h(1fr)], body-indent: 0pt, spacing: {s.item_after}pt)
#show list: set block(above: 0pt, below: {s.gap}pt)
#show enum: set block(above: 0pt, below: {s.gap}pt)
{self.blocks(document.blocks)}
"""


class HtmlMarkup(Markup):
    BREAK = '<div class="break"></div>'  # our page model starts a page here

    def __init__(self, space: Spacing, author: str, plan: PagePlan):
        self.space, self.author, self.plan = space, author, plan

    def blocks(self, blocks, depth: int = 0) -> str:
        out = []
        for block in blocks:
            if depth == 0 and not isinstance(block, (Part, PageBreak)) and self.plan.starts_page(block):
                out.append(self.BREAK)
            out.append(super().blocks([block], depth))
        return "".join(out)

    def write_in(self, write_in: int) -> str:
        if not write_in:
            return ""
        return " <span class=own-line></span>" if self.plan.write_in_rows() else " <span class=line></span>"

    text = staticmethod(html.escape)

    def bold(self, piece: str) -> str:
        return f"<strong>{piece}</strong>"

    def link(self, piece: str, href: str) -> str:
        return f'<a href="{html.escape(href)}">{piece}</a>'

    def part(self, content: str, anchor: str) -> str:
        return f'<section id="{html.escape(anchor)}">{content}</section>' if anchor else f"<section>{content}</section>"

    def page_break(self) -> str:
        return ""  # every section but the first starts a page (CSS)

    def heading(self, level: int, content: str) -> str:
        return f"<h{level}>{content}</h{level}>"

    def paragraph(self, content: str, write_in: int) -> str:
        return f"<p>{content}{self.write_in(write_in)}</p>"

    def list(self, block: ListBlock, depth: int) -> str:
        tag = "ol" if block.ordered else "ul"
        tasks = ' class="tasks"' if any(item.task is not None for item in block.items) else ""
        pieces, entries, start = [], [], block.start

        def close() -> None:
            first = f' start="{start}"' if block.ordered and start != 1 else ""
            pieces.append(f"<{tag}{tasks}{first}>{''.join(entries)}</{tag}>")

        for i, item in enumerate(block.items):
            if i and depth == 0 and self.plan.starts_page(item):  # two lists, a page break between, as ours
                close()
                pieces.append(self.BREAK)
                entries, start = [], block.start + i
            text = self.inline(item.spans) + self.write_in(item.write_in)
            entries.append(f"<li>{text}{self.blocks(item.children, depth + 1)}</li>")
        close()
        return "".join(pieces)

    def timeline(self, block: Timeline) -> str:
        steps = "".join(f"<li>{self.inline(step.spans)}</li>" for step in block.steps)
        return f'<div class="timeline"><p><strong>{self.inline(block.spans)}</strong></p><ol>{steps}</ol></div>'

    def callout(self, content: str) -> str:
        return f'<div class="callout">{content}</div>'

    def document(self, document, layout, note: str, fonts: tuple[Path, Path]) -> str:
        s, sizes = self.space, layout.heading_sizes
        m = s.margins
        width, height = layout.page_size
        regular, bold = fonts
        footer = (f"font: {layout.footer_size}pt/{layout.line_spacing} Atkinson; vertical-align: top; "
                  f"padding-top: {s.footer - layout.footer_size * layout.line_spacing}pt")
        quoted = note.replace("\\", "\\\\").replace('"', '\\"')
        return f"""<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8">
<title>{html.escape(document.title)}</title><meta name="author" content="{html.escape(self.author)}">
<style>
@font-face {{ font-family: Atkinson; src: url("{regular.as_uri()}"); font-weight: normal; }}
@font-face {{ font-family: Atkinson; src: url("{bold.as_uri()}"); font-weight: bold; }}
@page {{ size: {width}pt {height}pt; margin: {m["top"]}pt {m["right"]}pt {m["bottom"]}pt {m["left"]}pt;
  @bottom-left {{ content: "{quoted}"; {footer}; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); {footer}; }} }}
html {{ font: {layout.body_size}pt/{layout.line_spacing} Atkinson; }}
body {{ margin: 0; }}
section + section {{ break-before: page; }}
p {{ margin: 0 0 {s.gap}pt; }}
h1, h2, h3 {{ margin: {s.heading_before}pt 0 {s.heading_after}pt; }}
h1 {{ font-size: {sizes[0]}pt; margin-top: 0; }} h2 {{ font-size: {sizes[1]}pt; }} h3 {{ font-size: {sizes[2]}pt; }}
ul, ol {{ margin: 0 0 {s.gap}pt; padding: 0 0 0 {s.indent}pt; }}
li {{ margin: 0 0 {s.item_after}pt; }}
li > p {{ margin: 0; }}
ul.tasks {{ list-style: none; }}
ul.tasks > li {{ margin-bottom: {s.task_after}pt; }}
ul.tasks > li::before {{ content: ""; display: inline-block; box-sizing: border-box; width: {s.size}pt;
  height: {s.size}pt; border: 1.5pt solid black; margin: 0 {s.indent - s.size}pt 0 -{s.indent}pt; }}
.line {{ display: inline-block; width: 40%; border-bottom: 1pt solid black; }}
.own-line {{ display: block; height: {layout.line_spacing}em; border-bottom: 1pt solid black; }}
.break {{ break-before: page; }}
.timeline {{ break-inside: avoid; margin: 0 0 {s.gap}pt; }}
.timeline > p {{ margin: 0 0 {CAPTION_GAP}em; }}
.timeline ol {{ list-style: none; margin: 0; padding: 0; counter-reset: step; }}
.timeline li {{ counter-increment: step; margin: 0 0 {STEP_GAP}em; }}
.timeline li::before {{ content: counter(step); display: inline-block; box-sizing: border-box;
  width: {2 * COLUMN_RADIUS}em; height: {2 * COLUMN_RADIUS}em; line-height: {2 * COLUMN_RADIUS}em;
  border-radius: 50%; background: black; color: white; font-weight: bold; text-align: center;
  margin-right: {LABEL_GAP}em; }}
.callout {{ border: 3pt solid black; padding: {s.padding}pt; margin: 0 0 {s.gap}pt; }}
.callout > :last-child {{ margin-bottom: 0; }}
</style></head><body>{self.blocks(document.blocks)}</body></html>"""


# -- measuring ---------------------------------------------------------------------------------------

class Timer:
    """Wall-clock and process CPU milliseconds of each call; the last result kept."""

    def __init__(self, make):
        self.make, self.wall, self.cpu, self.last, self.last_item = make, [], [], b"", None

    def __call__(self, item) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.last, self.last_item = self.make(item), item
        self.cpu.append((time.process_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - wall) * 1000)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    def line(self, label: str, what: str) -> str:
        spread = statistics.quantiles(self.wall, n=4) if len(self.wall) > 1 else [self.median] * 3
        return (f"{label:<13}{self.median:8.2f} ms (CPU {statistics.median(self.cpu):.2f} ms; quartiles "
                f"{spread[0]:.2f}-{spread[2]:.2f}) per packet, median of {len(self.wall)}, "
                f"{pages(self.last)} pages, {what}")


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def page_words(pdf: bytes) -> list[list[str]]:
    """Each page's words (letters and digits only), the footer's label left out."""
    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        words = ["".join(c for c in word if c.isalnum()) for word in page.extract_text().split()]
        words = [word for word in words if word]
        if len(words) >= 4 and words[-4] == "Page" and words[-2] == "of":
            words = words[:-4]
        out.append(words)
    return out


def same_pages(ours: bytes, peer: bytes) -> str:
    """Whether a peer's file has our pages with our text on each (a box's words may be read in another
    order within a page, so each page's words are compared as a sorted list)."""
    a, b = page_words(ours), page_words(peer)
    differ = [i + 1 for i, (x, y) in enumerate(zip(a, b)) if sorted(x) != sorted(y)]
    if len(a) == len(b) and not differ:
        return f"same {len(a)} pages, same words on each"
    return f"{len(a)} vs {len(b)} pages; words differ on page(s) {', '.join(map(str, differ)) or '-'}"


def validated(pdf: bytes) -> str:
    """PDF/UA-1 by the validator `handouts check` uses (not timed)."""
    import page

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "packet.pdf"
        path.write_bytes(pdf)
        report = page.validate_pdf(str(path), profile="ua1")
    if report.is_compliant:
        return "passes PDF/UA-1"
    rules = sorted({failure.rule_id for failure in report.failures})
    return f"PDF/UA-1: {len(report.failures)} failure(s) ({', '.join(rules[:3])})"


def version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def missing_libraries(libraries: dict[str, str]) -> list[str]:
    """The Debian packages whose libraries are not found."""
    return [package for library, package in libraries.items() if ctypes.util.find_library(library) is None]


def apt_install(packages: list[str]) -> bool:
    """Install Debian packages when this runs as root where apt-get is; True if they are there afterwards."""
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    print(f"weasyprint:  installing {' '.join(packages)} (apt-get) ...", flush=True)
    command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": {**os.environ,
                                                                                 "DEBIAN_FRONTEND": "noninteractive"}}
    if subprocess.run(command, check=False, **quiet).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], check=False, **quiet)
        subprocess.run(command, check=False, **quiet)
    return True


def weasyprint_html(no_install: bool):
    """WeasyPrint's HTML class, or None after one line that says why not."""
    try:
        importlib.metadata.version("weasyprint")
    except importlib.metadata.PackageNotFoundError:
        print("weasyprint:  not installed (python -m pip install -e '.[bench]'); not measured")
        return None
    needed, optional = missing_libraries(PANGO), missing_libraries(OPTIONAL)
    if (needed or optional) and not no_install and apt_install(needed + optional):
        needed, optional = missing_libraries(PANGO), missing_libraries(OPTIONAL)
    if needed:
        print(f"weasyprint:  needs Pango: install Debian's {' '.join(needed)} (apt-get install {' '.join(needed)}) "
              "or your system's Pango; not measured")
        return None
    if optional:
        print(f"weasyprint:  without {' '.join(optional)} (slower font subsetting with fontTools)")
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "HarfBuzz-Subset will be required by future versions"
            from weasyprint import HTML
    except (ImportError, OSError) as exc:
        print(f"weasyprint:  cannot load ({str(exc).splitlines()[0]}); not measured")
        return None
    return HTML


def profile(make, names, top: int = 15) -> None:
    """cProfile of `make` over `names`: the top functions by cumulative and by own time, as shares of the total."""
    stats, total = profiled(make, names)  # shares are of this: the whole loop, profiled
    count = len(names)
    print(f"profile:     {total / count * 1000:.2f} ms a packet under cProfile (its overhead included: about 2-3x), "
          f"{count} packets, shares of the whole")

    print_profile(stats, total, count, top)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="our packets, each way (default 200)")
    parser.add_argument("--typst-runs", type=int, default=200, help="Typst compiles (default 200, at most --runs)")
    parser.add_argument("--weasy-runs", type=int, default=20, help="WeasyPrint packets (default 20)")
    parser.add_argument("--no-install", action="store_true", help="never install Pango with apt-get")
    parser.add_argument("--profile", action="store_true",
                        help="instead: cProfile of ours (row) over --runs packets, top 15 by cumulative and own time")
    args = parser.parse_args()
    args.typst_runs = min(args.typst_runs, args.runs)
    return args


class Packets:
    """The large-print packet of one roster row, for a patient's name: made whole (ours, row), or rendered
    from a document prepared ahead (ours, render; the peers' sources are written from the same documents)."""

    def __init__(self):
        self.project = Project.open(ROOT / "content", ROOT / "layouts")
        self.layout = self.project.layouts.load("large-print")
        self.documents = tuple(self.project.content.names())  # a row without `documents` gets them all, in order
        self.clinic = self.project.clinic
        sample = Locale.for_tag("en-US").labels["sample"]
        self.note = sample if sample_fields(self.clinic) else f"{self.clinic['name']} · {self.clinic['phone']}"
        self.prepared: dict[str, object] = {}

    def document(self, name: str) -> object:
        return packet_document(self.project, Patient.from_values(name), APPOINTMENT, self.documents)

    def prepare(self, names: list[str]) -> None:
        self.prepared.update((name, self.document(name)) for name in names)

    def row(self, name: str) -> bytes:  # batch.render_row, without its error wrapping
        return self._rendered(name, self.document(name))

    def render(self, name: str) -> bytes:
        return self._rendered(name, self.prepared[name])

    def _rendered(self, name: str, document) -> bytes:
        # As a worker renders a row: the patient's values known, and the per-patient caches emptied after.
        with one_patient(shown_values(Patient.from_values(name), APPOINTMENT, document.language)):
            return render_checked(self.project, document, self.layout, "packet")


def typst_timer(packets: Packets, names: list[str], warm: list[str]) -> Timer | None:
    """A warm Typst compiler timed on `names` (sources written ahead), or None when Typst is not installed."""
    try:
        import typst
    except ImportError:
        print("typst:       not installed (python -m pip install -e '.[bench]'); not measured")
        return None
    space = Spacing(packets.layout)
    sources = {}
    for name in names + warm:
        document = packets.prepared.get(name) or packets.document(name)
        plan = PagePlan(document, packets.layout, render_options(packets.project, document, packets.layout))
        sources[name] = TypstMarkup(space, packets.clinic["name"], plan).document(document, packets.layout,
                                                                                    packets.note).encode()
    _, regular, _ = TYPEFACES["atkinson-hyperlegible"]
    compiler = typst.Compiler(font_paths=[str(Path(str(regular)).parent)], ignore_system_fonts=True)

    def typst_one(name: str) -> bytes:
        return compiler.compile(input=sources[name], format="pdf", pdf_standards=["ua-1"])

    for name in warm:  # warm, with names that are not measured (Typst memoizes whole compiles)
        typst_one(name)
    return Timer(typst_one)


def weasyprint_timer(packets: Packets, names: list[str], no_install: bool) -> Timer | None:
    """WeasyPrint timed on all but the last of `names` (that one warms it), or None when it cannot run or
    there is nothing to time."""
    HTML = weasyprint_html(no_install)
    if HTML is None or len(names) < 2:
        return None
    space = Spacing(packets.layout)
    _, regular, bold = TYPEFACES["atkinson-hyperlegible"]
    fonts = (Path(str(regular)), Path(str(bold)))
    sources = {}
    for name in names:
        document = packets.prepared[name]
        plan = PagePlan(document, packets.layout, render_options(packets.project, document, packets.layout))
        sources[name] = HtmlMarkup(space, packets.clinic["name"], plan).document(document, packets.layout,
                                                                                   packets.note, fonts)

    def weasy(name: str) -> bytes:
        return HTML(string=sources[name]).write_pdf(pdf_variant="pdf/ua-1")

    weasy(names[-1])  # warm: fonts loaded
    timer = Timer(weasy)
    for name in names[:-1]:
        timer(name)
    print(timer.line("weasyprint:", f"WeasyPrint {version('weasyprint')}, pdf/ua-1"))
    return timer


def compare(packets: Packets, row: Timer, render: Timer, peers: dict[str, Timer]) -> None:
    checks = [("ours", row.last)] + [(label, timer.last) for label, timer in peers.items()]
    print("validation:  " + "; ".join(f"{label} {validated(pdf)}" for label, pdf in checks))
    for label, timer in peers.items():  # the peer's last file against ours for the same patient (not timed)
        print(f"pages:       {label}: {same_pages(packets.row(timer.last_item), timer.last)} as ours")
    if "typst" in peers:
        t, cpu = peers["typst"].median, statistics.median(peers["typst"].cpu)
        print(f"ours / Typst = {row.median / t:.2f} per row, {render.median / t:.2f} render only, by wall clock; "
              f"{statistics.median(row.cpu) / cpu:.2f} per row by CPU (target <= 0.25)")
    if "weasyprint" in peers:
        w = peers["weasyprint"].median
        print(f"WeasyPrint / ours = {w / row.median:.0f}x per row, {w / render.median:.0f}x render only "
              "(target >= 100x)")


def main() -> None:
    args = arguments()
    print(f"machine:     {machine()}")
    packets = Packets()
    # Names: one set each for ours (row), ours (render), Typst, WeasyPrint, and the warm-ups; none repeats.
    count = args.runs
    # The name is the preferred name too (as for a roster without that column): no greeting of one packet
    # repeats in another, so no one gains from a name seen before (Typst's memo keeps recent paragraphs).
    total = 3 * count + args.weasy_runs + WARM_OURS + WARM_TYPST + 1
    every = [fictional_name(i, PLAIN_LAST)[0] for i in range(total)]
    row_names, render_names, typst_names = every[:count], every[count:2 * count], every[2 * count:3 * count]
    weasy_names, warm = every[3 * count:3 * count + args.weasy_runs + 1], every[3 * count + args.weasy_runs + 1:]
    packets.prepare(render_names + typst_names + weasy_names)
    for name in warm[:WARM_OURS]:  # fonts registered, templates compiled, caches filled
        packets.row(name)
    workers.settle_for_packets()  # the garbage collector as in a `handouts packets` worker
    if args.profile:
        profile(packets.row, row_names)
        return
    row, render = Timer(packets.row), Timer(packets.render)
    peers = {}
    typst = typst_timer(packets, typst_names, warm[WARM_OURS:])
    for i in range(count):  # interleaved: one of each in turn
        row(row_names[i])
        if typst is not None and i < args.typst_runs:
            typst(typst_names[i])
        render(render_names[i])
    print(row.line("ours, row:", "fill + parse + render, as `handouts packets` per row; PDF/UA-1 + PDF/A-2a"))
    print(render.line("ours, render:", "render_checked() of a filled, parsed packet"))
    if typst is not None and typst.wall:
        print(typst.line("typst:", f"Typst {version('typst')}, PDF/UA-1, interleaved with ours"))
        peers["typst"] = typst
    weasy = weasyprint_timer(packets, weasy_names, args.no_install)
    if weasy is not None:
        peers["weasyprint"] = weasy
    compare(packets, row, render, peers)


if __name__ == "__main__":
    main()
