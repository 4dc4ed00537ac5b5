"""One PDF for the printer: every packet in roster order, each starting on an odd page."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from .atomic import write_atomically


def write_print_job(packets: list[tuple[str, Path]], target: Path) -> int:
    """Join (bookmark, packet file) pairs for double-sided printing; return the page count."""
    writer = PdfWriter()
    for index, (label, path) in enumerate(packets):
        start = len(writer.pages)
        reader = PdfReader(str(path))
        for page in reader.pages:
            writer.add_page(page)
        writer.add_outline_item(title=label, page_number=start)
        last = index == len(packets) - 1
        if len(reader.pages) % 2 and not last:
            box = reader.pages[-1].mediabox
            writer.add_blank_page(width=float(box.width), height=float(box.height))
    writer.add_metadata({"/Title": f"Print job: {len(packets)} packet(s)", "/Producer": "handouts"})
    buffer = io.BytesIO()
    writer.write(buffer)
    write_atomically(target, buffer.getvalue())
    return len(writer.pages)
