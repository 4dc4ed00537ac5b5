#!/usr/bin/env python3
"""Peer benchmark: one personalized large-print packet, ours against Typst and WeasyPrint, in one run.

    python -m pip install -e '.[bench]' && python benchmarks/peer.py [--runs 200] [--typst-runs 50]
                                                                     [--weasy-runs 20]

The same filled text (our packet for a fictional patient: the opening, the infusion-day checklist and the
handout), the same typeface (Atkinson Hyperlegible, the files this project ships), the same sizes, page
and margins (layouts/large-print.yaml), PDF/UA-1 in all three, and a new patient name for every document:

- ours: in this process, warm, render_checked() per packet (fill and parse excluded, as for the peers,
  whose sources are made beforehand), median of --runs;
- Typst (the `typst` Python package): a warm Compiler, one compile per name, PDF/UA-1, interleaved
  with ours (one of each in turn, so both meet the same moments of a noisy machine);
- WeasyPrint: HTML + CSS, pdf_variant="pdf/ua-1".

Prints each one's median and page count, and the ratios.
"""

from __future__ import annotations

import argparse
import html
import io
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from handouts.jobs.build import render_checked  # noqa: E402
from handouts.jobs.packet import packet_document  # noqa: E402
from handouts.load.project import Patient, Project  # noqa: E402
from handouts.load.typefaces import TYPEFACES  # noqa: E402
from handouts.model import Callout, Heading, ListBlock, PageBreak, Paragraph, Part  # noqa: E402

DOCUMENTS = ("infusion-day-checklist", "fibromyalgia-ketamine")
FIRST = ("Ana", "Jack", "Zoë", "Minh", "Grace", "Omar", "Lucía", "Noah", "Rita", "Sam")
LAST = ("Smith", "Garcia", "Nguyen", "Kowalski", "Brown", "Lee", "Vale", "Okafor", "Hughes", "Park")


def names(count: int) -> list[str]:
    return [f"{FIRST[i % 10]} {LAST[(i // 10) % 10]}-{i}" for i in range(count)]


def median_ms(make, items) -> tuple[float, bytes]:
    times, last = [], b""
    for item in items:
        start = time.perf_counter()
        last = make(item)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), last


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


# -- the same document for the peers -------------------------------------------------------------------

def _blocks(blocks, inline, heading, paragraph, items, callout, page_break) -> str:
    out = []
    for block in blocks:
        if isinstance(block, Part):
            out.append(_blocks(block.blocks, inline, heading, paragraph, items, callout, page_break))
        elif isinstance(block, PageBreak):
            out.append(page_break)
        elif isinstance(block, Heading):
            out.append(heading(block.level, inline(block.spans)))
        elif isinstance(block, Paragraph):
            out.append(paragraph(inline(block.spans), block.write_in))
        elif isinstance(block, ListBlock):
            out.append(items(block, lambda children: _blocks(children, inline, heading, paragraph, items, callout,
                                                             page_break)))
        elif isinstance(block, Callout):
            out.append(callout(_blocks(block.blocks, inline, heading, paragraph, items, callout, page_break)))
    return "\n".join(out)


def _inline(spans, text, bold: str, link: str, address) -> str:
    """Spans in a markup: `text` and `address` escape, `bold` and `link` are formats of {piece} (and {href})."""
    out = []
    for span in spans:
        piece = text(span.text)
        if span.bold:
            piece = bold.format(piece=piece)
        if span.href:
            piece = link.format(piece=piece, href=address(span.href))
        out.append(piece)
    return "".join(out)


def typst_source(document, layout) -> str:
    def text(value: str) -> str:
        return '#"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def inline(spans) -> str:
        return _inline(spans, text, "#strong[{piece}]", "#link({href})[{piece}]", lambda href: text(href)[1:])

    def items(block, inner) -> str:
        kind = "enum" if block.ordered else "list"
        entries = []
        for item in block.items:
            box = "#box(width: 0.9em, height: 0.9em, stroke: 1.5pt) " if item.task is not None else ""
            line = " #box(width: 1fr, stroke: (bottom: 1pt))" if item.write_in else ""
            entries.append(f"[{box}{inline(item.spans)}{line}\n{inner(item.children)}]")
        start = f"start: {block.start}, " if block.ordered else ""
        return f"#{kind}({start}{', '.join(entries)})"

    body = _blocks(
        document.blocks, inline,
        heading=lambda level, content: f"#heading(level: {level})[{content}]",
        paragraph=lambda content, write_in: content + (" #box(width: 1fr, stroke: (bottom: 1pt))" if write_in
                                                         else "") + "\n",
        items=items,
        callout=lambda content: f"#block(stroke: {layout.callout_border_width}pt, inset: 13.5pt)[{content}]",
        page_break="#pagebreak()")
    sizes = layout.heading_sizes
    gap = layout.line_spacing - 0.7  # Typst measures leading from the cap height (about 0.7 em) down
    return f"""#set document(title: {text(document.title)[1:]})
#set page(paper: "us-letter", margin: {layout.margins[0]}pt,
  footer: context [#h(1fr) Page #counter(page).display() of #counter(page).final().first()])
#set text(font: "Atkinson Hyperlegible", size: {layout.body_size}pt, lang: "en", region: "us")
// Typst's leading is the gap below the cap height: {layout.line_spacing} times the size from baseline to baseline.
#set par(leading: {gap:.2f}em, spacing: {gap + layout.paragraph_space:.2f}em)
#set list(spacing: {gap + 0.3:.2f}em)
#set enum(spacing: {gap + 0.3:.2f}em)
#show heading: set block(above: 2em, below: 1.2em)
#show heading.where(level: 1): set text(size: {sizes[0]}pt)
#show heading.where(level: 2): set text(size: {sizes[1]}pt)
#show heading.where(level: 3): set text(size: {sizes[2]}pt)
{body}
"""


def html_source(document, layout, fonts: tuple[Path, Path]) -> str:
    def inline(spans) -> str:
        return _inline(spans, html.escape, "<strong>{piece}</strong>", '<a href="{href}">{piece}</a>', html.escape)

    def items(block, inner) -> str:
        tag = "ol" if block.ordered else "ul"
        entries = []
        for item in block.items:
            box = '<span class="box" role="img" aria-label="check box"></span> ' if item.task is not None else ""
            line = ' <span class="line"></span>' if item.write_in else ""
            entries.append(f"<li>{box}{inline(item.spans)}{line}{inner(item.children)}</li>")
        return f"<{tag}>{''.join(entries)}</{tag}>"

    body = _blocks(
        document.blocks, inline,
        heading=lambda level, content: f"<h{level}>{content}</h{level}>",
        paragraph=lambda content, write_in: f"<p>{content}{' <span class=line></span>' if write_in else ''}</p>",
        items=items,
        callout=lambda content: f'<div class="callout">{content}</div>',
        page_break='<div class="break"></div>')
    regular, bold = fonts
    sizes = layout.heading_sizes
    title = html.escape(document.title)
    return f"""<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8"><title>{title}</title>
<style>
@font-face {{ font-family: Atkinson; src: url("{regular.as_uri()}"); font-weight: normal; }}
@font-face {{ font-family: Atkinson; src: url("{bold.as_uri()}"); font-weight: bold; }}
@page {{ size: letter; margin: {layout.margins[0]}pt;
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); font: {layout.footer_size}pt Atkinson; }} }}
body {{ font: {layout.body_size}pt/{layout.line_spacing} Atkinson; }}
h1 {{ font-size: {sizes[0]}pt; }} h2 {{ font-size: {sizes[1]}pt; }} h3 {{ font-size: {sizes[2]}pt; }}
.box {{ display: inline-block; width: 0.9em; height: 0.9em; border: 1.5pt solid black; }}
.line {{ display: inline-block; width: 40%; border-bottom: 1pt solid black; }}
.callout {{ border: {layout.callout_border_width}pt solid black; padding: 13.5pt; }}
.break {{ break-after: page; }}
</style></head><body>{body}</body></html>"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--typst-runs", type=int, default=200)
    parser.add_argument("--weasy-runs", type=int, default=20)
    args = parser.parse_args()

    project = Project.open(ROOT / "content", ROOT / "layouts")
    layout = project.layouts.load("large-print")
    when = datetime(2026, 12, 3, 9, 30)
    every = names(max(args.runs, args.typst_runs, args.weasy_runs) + 20)
    documents = {name: packet_document(project, Patient.from_values(name), when, DOCUMENTS) for name in every}

    def ours_one(name: str) -> bytes:
        return render_checked(project, documents[name], layout, "packet")

    for name in every[-20:]:  # warm: fonts registered, templates compiled, caches filled
        ours_one(name)
    _, regular, bold = TYPEFACES["atkinson-hyperlegible"]
    results = {}
    try:
        import typst
    except ImportError:
        print("typst:      not installed (python -m pip install -e '.[bench]')")
        results["ours"] = median_ms(ours_one, every[:args.runs])
    else:
        sources = {name: typst_source(documents[name], layout).encode() for name in every[:args.runs] + every[-5:]}
        compiler = typst.Compiler(font_paths=[str(Path(str(regular)).parent)], ignore_system_fonts=True)

        def typst_one(name: str) -> bytes:
            return compiler.compile(input=sources[name], format="pdf", pdf_standards=["ua-1"])

        for name in every[-5:]:  # warm, with names that are not measured (Typst memoizes whole compiles)
            typst_one(name)
        # Interleaved, one of ours then one of Typst's: both see the same moments of a noisy machine.
        ours_times, typst_times, ours_pdf, typst_pdf = [], [], b"", b""
        for i, name in enumerate(every[:args.runs]):
            for make, times, store in ((ours_one, ours_times, "ours"), (typst_one, typst_times, "typst")):
                if store == "typst" and i >= args.typst_runs:
                    continue
                start = time.perf_counter()
                pdf = make(name)
                times.append((time.perf_counter() - start) * 1000)
                if store == "ours":
                    ours_pdf = pdf
                else:
                    typst_pdf = pdf
        results["ours"] = (statistics.median(ours_times), ours_pdf)
        results["typst"] = (statistics.median(typst_times), typst_pdf)
    ours, pdf = results["ours"]
    print(f"ours:       {ours:8.2f} ms per packet (median of {args.runs}), {pages(pdf)} pages, PDF/UA-1 + PDF/A-2a")
    if "typst" in results:
        print(f"typst:      {results['typst'][0]:8.2f} ms per packet (median of {args.typst_runs}, interleaved with "
              f"ours), {pages(results['typst'][1])} pages, PDF/UA-1")
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango, a system library WeasyPrint needs, is missing
        print(f"weasyprint: cannot run here ({str(exc).splitlines()[0]})")
    else:
        fonts = (Path(str(regular)), Path(str(bold)))
        sources = {name: html_source(documents[name], layout, fonts) for name in every[:args.weasy_runs + 2]}

        def weasy(name: str) -> bytes:
            return HTML(string=sources[name]).write_pdf(pdf_variant="pdf/ua-1")

        weasy(every[args.weasy_runs])
        results["weasyprint"] = median_ms(weasy, every[:args.weasy_runs])
        print(f"weasyprint: {results['weasyprint'][0]:8.2f} ms per packet (median of {args.weasy_runs}), "
              f"{pages(results['weasyprint'][1])} pages, PDF/UA-1")
    if "typst" in results:
        print(f"ours / Typst = {ours / results['typst'][0]:.2f} (target <= 0.5)")
    if "weasyprint" in results:
        print(f"WeasyPrint / ours = {results['weasyprint'][0] / ours:.0f}x (target >= 100x)")


if __name__ == "__main__":
    main()
