#!/usr/bin/env python3
"""The floor: a packet made by rewriting a template, the least work any packet maker could do.

    python benchmarks/floor.py [--runs 200] [--layout large-print]

Between two patients whose names have the same length, only a few of a packet's objects differ (the title,
the XMP metadata, and the pages that show the name). The floor takes one patient's packet as a template
(parsed once, untimed), and for each new patient: swaps the name in those objects (decompressing nothing:
the template's streams are kept uncompressed), recompresses the changed streams as ReportLab does
(zlib, default level), and writes the file again (header, every object, a new cross-reference table and
trailer with a new file ID). That is all a template rewrite needs; no layout, no drawing, no font work.

Checked before timing: the floor's packet for a second patient opens (pikepdf), and its text (pypdf) is the
text of the packet `handouts` makes for that patient. (It is not byte-identical: the floor does not move what
follows the name on its line, which a proportional face would.) Prints the median per packet (wall clock and CPU) over
`--runs` new names, the objects rewritten, and, measured interleaved in the same run, our own warm
packet (`render_checked` on a filled, parsed packet, as peer.py's "render") and ours ÷ floor.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import statistics
import time
import zlib
from datetime import datetime

from _common import ROOT, ensure_root_path, machine

ensure_root_path()

from handouts.batch import workers  # noqa: E402
from handouts.load.project import Patient, Project  # noqa: E402
from handouts.caches import one_patient  # noqa: E402
from handouts.pipeline import packet_document, render_checked, shown_values  # noqa: E402

APPOINTMENT = datetime(2026, 12, 3, 9, 30)
TEMPLATE, CHECK = ("Jack Smith", "Jack"), ("Ruth Jones", "Ruth")
_OBJECT = re.compile(rb"^(\d+) 0 obj\n(.*?)endobj\n", re.S | re.M)
_STREAM = re.compile(rb"^(<<.*?/Length )(\d+)(.*?>>\nstream\n)(.*)(\r\nendstream\n)$", re.S)


def names(count: int) -> list[tuple[str, str]]:
    """Distinct fictional names as long as the template's (4 + 1 + 5 letters): a packet lays out the same."""
    first = ("Ruth", "Omar", "Lena", "Ivan", "Noor", "Cleo", "Hugo", "Mina", "Tate", "Zara")
    last = ("Jones", "Abara", "Kovac", "Lindt", "Perez", "Quinn", "Sauer", "Tovar", "Udall", "Vance")
    pairs = [(f"{given} {surname}", given) for given in first for surname in last]
    # Past the 100 pairs, the surname's last letter tells them apart.
    return [(name if i < len(pairs) else f"{name[:-1]}{chr(ord('a') + i // len(pairs) % 26)}", short)
            for i, (name, short) in ((i, pairs[i % len(pairs)]) for i in range(count))]


def encodings(text: str) -> list[bytes]:
    """How a name can sit in a packet's objects: literal text, UTF-16BE hex (upper and lower case), UTF-8."""
    hexed = text.encode("utf-16-be").hex()
    return [text.encode("latin-1", "ignore"), hexed.upper().encode(), hexed.encode(), text.encode("utf-8")]


class Template:
    """A packet split into objects; the objects that show the name kept as their parts, streams uncompressed."""

    def __init__(self, packet: bytes, other: bytes):
        self.header = packet[:_OBJECT.search(packet).start()]
        self.objects = [(int(number), body) for number, body in _OBJECT.findall(packet)]
        theirs = dict((int(number), body) for number, body in _OBJECT.findall(other))
        self.changing = {}
        for index, (number, body) in enumerate(self.objects):
            if theirs.get(number) == body:
                continue
            stream = _STREAM.match(body)
            if stream:
                head, _, middle, data, tail = stream.groups()
                filtered = b"/FlateDecode" in head
                self.changing[index] = (head, middle, zlib.decompress(data) if filtered else data, tail, filtered)
            else:
                self.changing[index] = (body,)
        trailer = packet[packet.rindex(b"trailer\n"):]
        self.trailer = re.sub(rb"startxref\n\d+\n%%EOF\n$", b"", re.sub(rb"/ID \n\[<\w+><\w+>\]\n", b"{ID}", trailer))

    def rewrite(self, swaps: list[tuple[bytes, bytes]]) -> bytes:
        """The packet for another patient: the name swapped, changed streams recompressed, a new xref."""
        bodies = [body for _, body in self.objects]
        for index, parts in self.changing.items():
            if len(parts) == 1:
                bodies[index] = _swapped(parts[0], swaps)
                continue
            head, middle, data, tail, filtered = parts
            data = _swapped(data, swaps)
            data = zlib.compress(data) if filtered else data
            bodies[index] = head + str(len(data)).encode() + middle + data + tail
        out = [self.header]
        offsets, at = [], len(self.header)
        for (number, _), body in zip(self.objects, bodies):
            chunk = b"%d 0 obj\n%sendobj\n" % (number, body)
            offsets.append(at)
            out.append(chunk)
            at += len(chunk)
        xref = [b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)]
        xref += [b"%010d 00000 n \n" % offset for offset in offsets]
        digest = hashlib.sha256(b"".join(bodies[i] for i in self.changing)).hexdigest()[:32].encode()
        trailer = self.trailer.replace(b"{ID}", b"/ID \n[<%s><%s>]\n" % (digest, digest))
        return b"".join(out) + b"".join(xref) + trailer + b"startxref\n%d\n%%%%EOF\n" % at


def _swapped(data: bytes, swaps: list[tuple[bytes, bytes]]) -> bytes:
    for old, new in swaps:
        data = data.replace(old, new)
    return data


def swaps_for(name: tuple[str, str]) -> list[tuple[bytes, bytes]]:
    pairs = []
    for old, new in zip(TEMPLATE, name):
        pairs += list(zip(encodings(old), encodings(new)))
    return pairs


def _text(packet: bytes) -> str:
    import io

    import pikepdf
    from pypdf import PdfReader

    with pikepdf.open(io.BytesIO(packet)) as pdf:  # a well-formed file, cross-reference table included
        assert len(pdf.pages) > 1 and not pdf.check_pdf_syntax(), pdf.check_pdf_syntax()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(packet)).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--layout", default="large-print")
    args = parser.parse_args()
    project = Project.open(ROOT / "content", ROOT / "layouts")
    layout, documents = project.layouts.load(args.layout), tuple(project.content.names())

    def document(name: tuple[str, str]):
        return packet_document(project, Patient.from_values(*name), APPOINTMENT, documents)

    def ours(prepared, name: tuple[str, str]) -> bytes:
        # As a worker renders a row: the patient's values known, and the per-patient caches emptied after.
        with one_patient(shown_values(Patient.from_values(*name), APPOINTMENT, prepared.language)):
            return render_checked(project, prepared, layout, "packet")

    template = Template(ours(document(TEMPLATE), TEMPLATE), ours(document(CHECK), CHECK))
    assert _text(template.rewrite(swaps_for(CHECK))) == _text(ours(document(CHECK), CHECK)), (
        "the floor's packet does not read as the packet handouts makes for the same patient")
    patients = names(args.runs)
    prepared = [document(name) for name in patients]
    for name, item in zip(patients[:20], prepared[:20]):
        ours(item, name)  # warm
    workers.settle_for_packets()  # the garbage collector as in a `handouts packets` worker
    floor_wall, floor_cpu, ours_wall = [], [], []
    for name, item in zip(patients, prepared):  # interleaved: both meet the same moments of a noisy machine
        swaps = swaps_for(name)
        wall, cpu = time.perf_counter(), time.process_time()
        template.rewrite(swaps)
        floor_wall.append(time.perf_counter() - wall)
        floor_cpu.append(time.process_time() - cpu)
        wall = time.perf_counter()
        ours(item, name)
        ours_wall.append(time.perf_counter() - wall)
    floor, mine = statistics.median(floor_wall) * 1000, statistics.median(ours_wall) * 1000
    print(machine())
    print(f"{args.layout} packet: {len(template.objects)} objects, {len(template.changing)} rewritten per patient")
    print(f"floor:  {floor:.3f} ms a packet (median of {args.runs}; CPU {statistics.median(floor_cpu) * 1000:.3f} ms)")
    print(f"ours:   {mine:.2f} ms a packet (render_checked on a prepared packet, median, interleaved)")
    print(f"ours ÷ floor: {mine / floor:.1f}")


if __name__ == "__main__":
    main()
