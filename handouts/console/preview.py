"""A patient's packet as the packets run makes it, in memory, and a picture of its first page.

Made on request, never kept: not on disk, and not in memory after the response.
"""

from __future__ import annotations

import struct
import zlib

from ..batch.workers import render_row
from ..errors import HandoutsError
from ..load.project import Project
from ..load.roster import RosterRow

PREVIEW_WIDTH = 900  # pixels: readable on a front-desk screen, small enough to load at once


def packet_pdf(project: Project, row: RosterRow, forms: bool = True) -> bytes:
    """The row's packet, made by the code `packets` uses; HandoutsError when it cannot be made."""
    rendered = render_row(row, project, forms)
    if rendered.failure is not None:
        raise HandoutsError(findings=[rendered.failure])
    return rendered.pdf


def first_page_png(pdf: bytes, width: int = PREVIEW_WIDTH) -> bytes:
    """Page 1 as a PNG `width` pixels wide (pypdfium2, as a PDF viewer draws it, form fields included)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        scale = width / page.get_width()
        bitmap = page.render(scale=scale, rev_byteorder=True, may_draw_forms=True)
        try:
            pixels, stride = bytes(bitmap.buffer), bitmap.stride
            size, channels = (bitmap.width, bitmap.height), bitmap.n_channels
        finally:
            bitmap.close()
            page.close()
    finally:
        document.close()
    return png(pixels, stride, size, channels)


def png(pixels: bytes, stride: int, size: tuple[int, int], channels: int) -> bytes:
    """RGB(A) rows as a PNG file (no filter, deflate): a few lines instead of an image library."""
    width, height = size
    kind = {3: 2, 4: 6}[channels]  # PNG colour types: RGB, RGBA
    rows = b"".join(b"\x00" + pixels[y * stride:y * stride + width * channels] for y in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, kind, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b"")
