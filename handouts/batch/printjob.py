"""One PDF for the printer: every packet in roster order, each starting on an odd page.

The job is streamed: each packet is opened, its pages' objects are written out
under new numbers, and it is closed again, so memory stays flat however long
the roster is (what is kept: a few numbers per page). The job is tagged like
the packets: each packet's structure tree becomes one `Part` of the job's
`Document`, its pages and links keep their marked content, and the job is
PDF/UA-1 and PDF/A-2a like every other file handouts writes.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from itertools import accumulate, chain, count, repeat
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO


from ..clock import creation_time
from ..errors import InternalError, OutputError
from ..files.atomic import open_atomically
from ..render.forms import FONT_RESOURCE
from ..render.metadata import PRODUCER, SRGB_PROFILE, xmp_packet

OUTLINE_GROUP = 200  # bookmarks per group once a job has more packets than this
WRITE_BATCH = 1 << 20  # bytes handed to the file at once: a few packets' worth, not one write a packet

# Page keys written anew for the job (the page tree, structure keys, annotations) or left out (beads, metadata).
_PAGE_KEYS_REPLACED = {b"/Parent", b"/StructParents", b"/Annots", b"/B", b"/Metadata"}


class _Discarded(Exception):
    """A print job that is not finished: its temporary file goes."""


class PrintJob:
    """A print job written while the packets are made: each joins it as soon as it is written, and the file
    takes its name only when `finish` is called (leaving the `with` block without it leaves no file)."""

    def __init__(self, target: Path):
        self.target = Path(target)
        self.packets = 0
        self._finished = False

    def __enter__(self) -> "PrintJob":
        self._file = open_atomically(self.target, rule="print-job-unwritable")
        self._writer = _StreamingWriter(self._file.__enter__())
        return self

    def add(self, label: str, packet: Fragment | Path) -> None:
        """Add a packet: its `Fragment` as a worker made it (`fragment_of`), or its file, read here."""
        fragment = packet if isinstance(packet, Fragment) else fragment_of(Path(packet))
        try:
            self._writer.append(fragment, label)
        except OSError as exc:  # a full disk: the run stops with its summary, and the job goes
            raise self._unwritable(exc) from None
        self.packets += 1

    def finish(self) -> int:
        """Write the end of the job and give it its name; return the page count. A full disk stops it like
        `add` (InputError), and the job goes when the `with` block ends."""
        try:
            self._writer.finish(f"Print job: {self.packets} packet(s)")
            self._writer.flush()
        except OSError as exc:
            raise self._unwritable(exc) from None
        self._finished = True  # the temporary file is renamed into place here, or removed if that fails
        self._file.__exit__(None, None, None)
        return len(self._writer.page_numbers)

    def _unwritable(self, exc: OSError) -> OutputError:
        return OutputError(f"cannot write the print job ({exc.strerror})", source=str(self.target),
                          rule="print-job-unwritable",
                          hint="check that the disk has room, or choose another place for the print job")

    def __exit__(self, kind, value, traceback) -> bool:
        if not self._finished:
            self._file.__exit__(kind or _Discarded, value or _Discarded(), traceback)
        return False


class _StreamingWriter:
    """A PDF written object by object; only page numbers and bookmarks are kept until the end."""

    def __init__(self, handle: BinaryIO):
        self._out = handle
        self._pending: list[bytes] = []  # written, not yet handed to the file (`_write`)
        self._pending_bytes = 0
        self._digest = hashlib.sha256()
        self._offsets = array("Q")  # compact: a long job has hundreds of thousands of objects
        self._position = 0
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self._pages = self._reserve()
        self._document = self._reserve()  # the structure tree's Document element: one Part per packet
        self.page_numbers = array("Q")
        self._bookmarks: list[tuple[str, int]] = []
        self._parts = array("Q")
        self._label_starts = array("Q")  # the page index where each packet starts, for /PageLabels
        self._parent_keys = array("Q")  # ParentTree: key, then the object it maps to, pair after pair
        self._language = ""
        self._last_box = b""  # the last page's MediaBox: a blank page after it has the same size
        self._fields = array("Q")  # one field per packet, holding that packet's form fields
        self._form_resources = b""  # the first packet's /DR: the font typed text uses
        # Objects every packet holds the same (fonts, their files and maps, form XObjects such as a checkbox's
        # look): each is written once, the first time, and later packets refer to it. Keyed by a digest of the
        # object and of everything it refers to, so only byte-identical objects are ever one.
        self._shared: dict[bytes, int] = {}
        # Entries a worker sent once and names by their id in its later packets (`Fragment`): each an object of a
        # packet's own kind (a page, a structure element) taken from a kept file, the same bytes in every packet
        # written from it, made from no patient value; compiled into a template of its markers. Bounded by the
        # workers (`SentToJob.most`).
        self._held: dict[bytes, _Template] = {}
        # A kept plan's held and shared entries as one group (`Fragment.group`), by its id, compiled (`_Group`): the
        # same patient-free entries, named by the ids and keys above; bounded with them by the workers.
        self._groups: dict[bytes, _Group] = {}

    # -- low level ---------------------------------------------------------
    def flush(self) -> None:
        self._drain()
        self._out.flush()

    def _write(self, data: bytes) -> None:
        """`data` next in the file: hashed now, written with what came before it once they are `WRITE_BATCH` bytes."""
        self._digest.update(data)
        self._position += len(data)
        self._pending.append(data)
        self._pending_bytes += len(data)
        if self._pending_bytes >= WRITE_BATCH:
            self._drain()

    def _drain(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            self._pending_bytes = 0
            self._out.write(data)

    def _reserve(self) -> int:
        self._offsets.append(0)  # filled in when the object is written
        return len(self._offsets)

    def _object(self, number: int, body: bytes) -> None:
        self._offsets[number - 1] = self._position
        self._write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    # -- packets -----------------------------------------------------------
    def append(self, fragment: Fragment, label: str) -> None:
        """A packet's fragment into the job: its objects get the job's numbers (an object the job already holds
        the same of is referred to instead, and not written again), and its markers the job's own values."""
        if len(self.page_numbers) % 2:  # the packet before ended on an odd page: a blank back, for duplex
            self._blank_back()
        if fragment.group is not None:
            group = self._group(fragment)
            if group.formats(len(fragment.parent_entries)) is None:  # a template it cannot fill: entry by entry
                fragment = group.expanded(fragment)
            else:
                return self._append_grouped(fragment, group, label)
        numbers, fresh = self._numbered(fragment)
        first_key = len(self._parent_keys) // 2
        entries = len(fragment.parent_entries)
        markers = {b"P": b"%d 0 R" % self._pages, b"D": b"%d 0 R" % self._document,
                   b"N": _text(f"packet-{len(self._bookmarks) + 1}")}

        def job_value(found) -> bytes:
            kind, local = found[1], found[2]
            if kind is None:
                return b"%d 0 R" % numbers[int(found[3])]
            return b"%d" % (first_key + int(local)) if kind == b"K" else markers[kind]

        # What a held entry's template takes its values from (`_Template`): the packet's numbers by its own, then its
        # ParentTree keys from the last back, the field's name, the Document element and the page tree.
        values = numbers + [first_key + key for key in range(entries - 1, -1, -1)] + [
            markers[b"N"], self._document, self._pages]
        chunks, position, offsets, count = [], self._position, self._offsets, len(numbers)
        for local, held in fresh:
            if held is None:
                _, head, tail = fragment.objects[local - 1][:3]
                body = _MARKER.sub(job_value, head)
            elif held.keys <= entries and held.most < count:
                body, tail = held.template % held.values(values) if held.values else held.template, held.tail
            else:  # markers this packet has no value for: as any other entry (refused the same way)
                body, tail = _MARKER.sub(job_value, held.head), held.tail
            number = numbers[local]
            written = b"%d 0 obj\n%s%s\nendobj\n" % (number, body, tail)
            offsets[number - 1] = position
            position += len(written)
            chunks.append(written)
        self._write(b"".join(chunks))
        self._packet_ends(fragment, label, numbers, job_value)

    def _packet_ends(self, fragment: Fragment, label: str, numbers: list[int], job_value) -> None:
        """What the job keeps of a packet written: its ParentTree keys, pages, Part, field, language, bookmark."""
        first_key = len(self._parent_keys) // 2
        self._parent_keys.extend(chain.from_iterable(zip(count(first_key), map(numbers.__getitem__,
                                                                               fragment.parent_entries))))
        self._label_starts.append(len(self.page_numbers))
        self.page_numbers.extend(map(numbers.__getitem__, fragment.pages))
        self._parts.append(numbers[fragment.part])
        if fragment.form:
            self._fields.append(numbers[fragment.form])
            if not self._form_resources:
                self._form_resources = _MARKER.sub(job_value, fragment.form_resources)
        self._language = self._language or fragment.language
        self._bookmarks.append((label, numbers[fragment.pages[0]]))
        self._last_box = fragment.last_box

    def _group(self, fragment: Fragment) -> "_Group":
        """The fragment's group as the job holds it: compiled now if the fragment brings it whole."""
        if fragment.group.__class__ is bytes:
            group = self._groups.get(fragment.group)
            if group is None:
                raise InternalError("a packet refers to a group of entries the print job does not hold")
            return group
        group = self._groups.get(fragment.group[0])
        if group is None:
            group = self._groups[fragment.group[0]] = _Group(fragment.group, len(fragment.objects), self._shared,
                                                             self._held)
        return group

    def _append_grouped(self, fragment: Fragment, group: "_Group", label: str) -> None:
        """`append` for a fragment whose kept plan's entries come as a group: the same numbers and the same bytes,
        the group's entries renumbered by its compiled templates a run at a time (`_Group`)."""
        numbers, runs, first = self._numbered_grouped(fragment, group)
        first_key = len(self._parent_keys) // 2
        entries = len(fragment.parent_entries)
        name = _text(f"packet-{len(self._bookmarks) + 1}")
        markers = {b"P": b"%d 0 R" % self._pages, b"D": b"%d 0 R" % self._document, b"N": name}

        def job_value(found) -> bytes:
            kind, local = found[1], found[2]
            if kind is None:
                return b"%d 0 R" % numbers[int(found[3])]
            return b"%d" % (first_key + int(local)) if kind == b"K" else markers[kind]

        values = numbers + list(range(first_key + entries - 1, first_key - 1, -1)) + [name, self._document,
                                                                                       self._pages]
        formats, objects, chunks = group.formats(entries), fragment.objects, []
        for run in runs:
            if run.__class__ is tuple:
                chunks += [made % take(values) for made, take in formats[run[0]:run[1]]]
            else:
                _, head, tail = objects[run - 1][:3]
                chunks.append(b"%d 0 obj\n%s%s\nendobj\n" % (numbers[run], _MARKER.sub(job_value, head), tail))
        if chunks:
            starts = array("Q", accumulate(map(len, chunks), initial=self._position))
            self._offsets[first - 1:first - 1 + len(chunks)] = starts[:-1]
        self._write(b"".join(chunks))
        self._packet_ends(fragment, label, numbers, job_value)

    def _numbered_grouped(self, fragment: Fragment, group: "_Group") -> tuple[list[int], list, int]:
        """`_numbered` for a grouped fragment: the job's number for each object, and what is written in turn: a run
        of the group's held entries (their indices in it, a tuple) or one of the packet's own (its number)."""
        numbers, objects, shared, held = group.base.copy(), fragment.objects, self._shared, group.held
        if len(objects) + 1 != group.count:
            raise InternalError("a packet's objects do not fit the group of entries it names")
        first = following = len(self._offsets) + 1
        runs, done = [], 0
        for local in group.rest:
            entry = objects[local - 1]
            if entry is None:
                continue
            key = entry[0]
            number = shared.get(key) if key is not None else None
            if number is None:
                if not entry[1]:
                    raise InternalError("a packet refers to a shared object the print job does not hold")
                upto = bisect_left(held, local, done)
                if upto > done:
                    following = _numbered_run(numbers, held, done, upto, following, runs)
                    done = upto
                number, following = following, following + 1
                runs.append(local)
                if key is not None:
                    shared[key] = number
            numbers[local] = number
        if done < len(held):
            following = _numbered_run(numbers, held, done, len(held), following, runs)
        self._offsets.extend(repeat(0, following - first))
        return numbers, runs, first

    def _numbered(self, fragment: Fragment) -> tuple[list[int], list[tuple[int, _Template | None]]]:
        """The job's number for each of the fragment's objects (0 for one it does not take; [0] stands for no
        object), and which of them are new to the job, each with its template if the job holds it (`Fragment`)."""
        numbers, fresh, shared, held = [0], [], self._shared, self._held
        first = following = len(self._offsets) + 1  # the new objects' numbers, in turn (reserved at the end)
        for local, entry in enumerate(fragment.objects, start=1):
            if entry is None:  # an object of the packet's the job does not take (its catalog, its outline)
                numbers.append(0)
                continue
            if entry.__class__ is bytes:  # an entry the job holds from an earlier packet of the worker's
                template = held.get(entry)
                if template is None:
                    raise InternalError("a packet refers to an entry the print job does not hold")
                fresh.append((local, template))
                numbers.append(following)
                following += 1
                continue
            key = entry[0]
            number = shared.get(key) if key is not None else None
            if number is None:
                if not entry[1]:  # a worker sent it in an earlier packet of this run: the job must hold it
                    raise InternalError("a packet refers to a shared object the print job does not hold")
                number, following = following, following + 1
                if len(entry) == 4:  # to be held for the worker's later packets: made from kept objects alone
                    template = held[entry[3]] = _Template(entry[1], entry[2])
                    fresh.append((local, template))
                else:
                    fresh.append((local, None))
                if key is not None:
                    shared[key] = number
            numbers.append(number)
        self._offsets.extend(repeat(0, following - first))  # reserved: filled in when each is written
        return numbers, fresh

    def _blank_back(self) -> None:
        number = self._reserve()
        self._object(number, b"<< /Type /Page /Parent %d 0 R /MediaBox [%s] /Resources << >> >>"
                     % (self._pages, self._last_box))
        self.page_numbers.append(number)

    def _outline_level(self, parent: int, entries: list[tuple[str, int]]) -> bytes:
        """Write `entries` (title, page) as the bookmarks under `parent`; return parent's /Count, /First, /Last.

        More than OUTLINE_GROUP packets are grouped ("Packets 1–200", ...): a long flat list is one long
        /Next chain, which validators refuse to follow past 256 links."""
        if len(entries) > OUTLINE_GROUP:
            groups = [entries[i:i + OUTLINE_GROUP] for i in range(0, len(entries), OUTLINE_GROUP)]
            titled = [(f"Packets {i * OUTLINE_GROUP + 1}\u2013{i * OUTLINE_GROUP + len(group)}", group[0][1], group)
                      for i, group in enumerate(groups)]
        else:
            titled = [(label, page, None) for label, page in entries]
        items = [self._reserve() for _ in titled]
        for index, ((label, page, group), number) in enumerate(zip(titled, items)):
            links = b"/Parent %d 0 R" % parent
            if index:
                links += b" /Prev %d 0 R" % items[index - 1]
            if index < len(items) - 1:
                links += b" /Next %d 0 R" % items[index + 1]
            if group is not None:  # closed until opened: a negative count
                links += self._outline_level(number, group).replace(b"/Count ", b"/Count -", 1)
            self._object(number, b"<< /Title %s %s /Dest [%d 0 R /Fit] >>" % (_text(label), links, page))
        ends = b" /First %d 0 R /Last %d 0 R" % (items[0], items[-1]) if items else b""
        return b" /Count %d%s" % (len(items), ends)

    # -- the end -----------------------------------------------------------
    def finish(self, title: str) -> None:
        # Written in chunks, like the xref below: a long job's whole list as one string would be large.
        self._offsets[self._pages - 1] = self._position
        self._write(b"%d 0 obj\n<< /Type /Pages /Count %d /Kids [" % (self._pages, len(self.page_numbers)))
        for start in range(0, len(self.page_numbers), 4096):
            self._write(b"".join(map(b"%d 0 R ".__mod__, self.page_numbers[start:start + 4096])))
        self._write(b"] >>\nendobj\n")
        outline = self._reserve()
        self._object(outline, b"<< /Type /Outlines" + self._outline_level(outline, self._bookmarks) + b" >>")
        root = self._reserve()
        parts = b" ".join(b"%d 0 R" % n for n in self._parts)
        self._object(self._document, b"<< /Type /StructElem /S /Document /P %d 0 R /K [%s] >>" % (root, parts))
        self._offsets[root - 1] = self._position
        self._write(b"%d 0 obj\n<< /Type /StructTreeRoot /K %d 0 R /ParentTreeNextKey %d /ParentTree << /Nums ["
                    % (root, self._document, len(self._parent_keys) // 2))
        for start in range(0, len(self._parent_keys), 8192):
            chunk = self._parent_keys[start:start + 8192]
            self._write(b"".join(map(b"%d %d 0 R ".__mod__, zip(chunk[::2], chunk[1::2]))))
        self._write(b"] >> >>\nendobj\n")
        metadata, intent = self._reserve(), self._reserve()
        xmp = xmp_packet(title=title, subject=title, author="", language=self._language or "en-US",
                         created=creation_time())
        self._object(metadata, b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\r\nendstream"
                     % (len(xmp), xmp))
        icc = SRGB_PROFILE.read_bytes()
        self._object(intent, b"<< /N 3 /Length %d >>\nstream\n%s\r\nendstream" % (len(icc), icc))
        # Page labels: "P001-1, P001-2 ..." so the print dialog, the page shown and the bookmarks agree.
        labels = self._reserve()
        self._offsets[labels - 1] = self._position
        self._write(b"%d 0 obj\n<< /Nums [" % labels)
        for (label, _), start in zip(self._bookmarks, self._label_starts):
            self._write(b"%d << /S /D /P %s >> " % (start, _text(label.rsplit(" (", 1)[0] + "-")))
        self._write(b"] >>\nendobj\n")
        form = b""
        if self._fields:
            form = b"/AcroForm << /Fields [%s] /DR %s /DA (/%s 12 Tf 0 g) >> " % (
                b" ".join(b"%d 0 R" % n for n in self._fields), self._form_resources or b"<< >>",
                FONT_RESOURCE.encode())
        catalog = self._reserve()
        self._object(catalog, b"<< /Type /Catalog /Pages %d 0 R /Outlines %d 0 R /PageMode /UseOutlines "
                     b"/PageLabels %d 0 R %s"
                     b"/StructTreeRoot %d 0 R /MarkInfo << /Marked true >> /Lang %s /Metadata %d 0 R "
                     b"/ViewerPreferences << /DisplayDocTitle true >> /OutputIntents [<< /Type /OutputIntent "
                     b"/S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) /Info (sRGB IEC61966-2.1) "
                     b"/DestOutputProfile %d 0 R >>] >>"
                     % (self._pages, outline, labels, form, root, _text(self._language or "en-US"), metadata, intent))
        info = self._reserve()
        self._object(info, b"<< /Title %s /Producer %s >>" % (_text(title), _text(PRODUCER)))
        file_id = self._digest.hexdigest()[:32].encode()
        xref = self._position
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(self._offsets) + 1))
        for start in range(0, len(self._offsets), 4096):
            self._write(b"".join(map(b"%010d 00000 n \n".__mod__, self._offsets[start:start + 4096])))
        self._write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s><%s>] >>\nstartxref\n%d\n%%%%EOF\n"
                    % (len(self._offsets) + 1, catalog, info, file_id, file_id, xref))


@dataclass(frozen=True)
class Fragment:
    """One packet's share of a print job, made in the worker process that rendered the packet (`fragment_of`):
    every object the job needs of it, already serialized, with markers where only the job knows the value
    (`_MARKER`: its numbers for the packet's objects, its page tree and Document element, its ParentTree keys
    and the packet's field name). The parent then only renumbers and copies bytes (`_StreamingWriter.append`).

    Markers are framed by control characters (a reference to the packet's object 12 is "12" and a SOH; the job's
    own values are NUL-framed): neither ever occurs in what is renumbered (a dictionary or an array, as the writer
    writes them: names escape them, strings write them as octal escapes), and a stream's data, which may hold
    anything, is kept apart (`tail`)."""

    # (shared key or None, head, tail), numbered from 1; None for a number the job does not take; (None, head, tail,
    # id) for an entry the job is to hold for the worker's later packets, and the id alone once it does (SentToJob)
    objects: tuple[tuple[bytes | None, bytes, bytes] | None, ...]
    pages: tuple[int, ...]  # the pages, in order, by their number among `objects`
    part: int  # the Document element, which becomes a Part of the job's
    parent_entries: tuple[int, ...]  # the packet's ParentTree: its i-th key maps to this object
    form: int  # the field the packet's form fields join; 0 when it has none
    form_resources: bytes  # the form's /DR, the job's when it is the first packet with fields
    language: str
    last_box: bytes  # the last page's MediaBox: a blank back after it has the same size
    # A kept plan's entries as one group (`_Group`): its id once the job holds it, else (id, held locals and ids,
    # shared locals and keys) for the job to hold; its locals are then None in `objects`, which hold only the rest.
    group: bytes | tuple | None = None


_MARKER = re.compile(rb"\x00([KPDN])(\d*)\x00|(\d+)\x01")


class _Template:
    """A held entry's head made ready for renumbering (`_StreamingWriter.append`): the head with each marker a
    `%` placeholder, and which of the packet's values fills each (its numbers by the packet's own, then from the end:
    the page tree, the Document element, the field's name, the ParentTree keys from the first). `keys`: how many
    ParentTree keys it names; `most`: the largest of the packet's numbers it names. What it gives is what
    `_MARKER.sub` gives (`tests/batch/test_job_parent.py`)."""

    __slots__ = ("head", "tail", "template", "values", "keys", "most", "slots", "_whole")

    def __init__(self, head: bytes, tail: bytes):
        self.head, self.tail = head, tail
        pieces, slots, position, self.keys, self.most = [], [], 0, 0, 0
        for found in _MARKER.finditer(head):
            pieces.append(head[position:found.start()].replace(b"%", b"%%"))
            kind = found[1]
            if kind is None:
                slots.append(int(found[3]))
                self.most = max(self.most, slots[-1])
            elif kind == b"K":
                key = int(found[2])
                slots.append(-4 - key)
                self.keys = max(self.keys, key + 1)
            else:
                slots.append({b"N": -3, b"D": -2, b"P": -1}[kind])
            pieces.append(b"%s" if kind == b"N" else b"%d" if kind == b"K" else b"%d 0 R")
            position = found.end()
        pieces.append(head[position:].replace(b"%", b"%%"))
        self.template = b"".join(pieces) if slots else head
        self.values = None if not slots else itemgetter(*slots) if len(slots) > 1 else _one(slots[0])
        self.slots, self._whole = tuple(slots), b""

    def whole(self) -> bytes:
        """The object as written, a template: its number's placeholder first, then the head's, then its stream data
        (made when a group first uses it)."""
        if not self._whole:
            head = self.template if self.values else self.head.replace(b"%", b"%%")
            self._whole = b"%d 0 obj\n" + head + self.tail.replace(b"%", b"%%") + b"\nendobj\n"
        return self._whole


def _numbered_run(numbers: list[int], held: tuple[int, ...], start: int, end: int, following: int,
                  runs: list) -> int:
    """The job's numbers, from `following` on, for the group's held entries `start` to `end` (in number order)."""
    for local, number in zip(held[start:end], count(following)):
        numbers[local] = number
    runs.append((start, end))
    return following + end - start


class _Group:
    """A kept plan's entries as the job holds them (`Fragment.group`): its shared entries' numbers in the job (`base`,
    0 elsewhere), its held entries' numbers in the packet (`held`) and their templates, and the packet's other
    numbers (`rest`), whose entries each fragment brings. Made of held entries and shared keys alone: no patient
    value. `formats`: each held entry as one template of the whole object as written (its number, head, stream
    data), with what fills it, for a packet with `entries` ParentTree keys; None when a template names more than
    the packet has (the fragment is then written entry by entry, `expanded`, and refused as any other)."""

    __slots__ = ("content", "count", "base", "held", "templates", "rest", "_formats")

    def __init__(self, content: tuple, size: int, shared: dict[bytes, int], held: dict[bytes, "_Template"]):
        _, self.held, idents, shared_at, keys = content
        self.content, self.count = content, size + 1
        self.base = [0] * self.count
        for local, key in zip(shared_at, keys):
            number = shared.get(key)
            if number is None:
                raise InternalError("a packet refers to a shared object the print job does not hold")
            self.base[local] = number
        self.templates = [held.get(ident) for ident in idents]
        if None in self.templates:
            raise InternalError("a packet refers to an entry the print job does not hold")
        grouped = set(self.held) | set(shared_at)
        self.rest = tuple(local for local in range(1, self.count) if local not in grouped)
        self._formats: dict[int, list | None] = {}

    def formats(self, entries: int) -> list | None:
        made = self._formats.get(entries, False)
        if made is False:
            made = self._formats[entries] = None if any(
                t.keys > entries or t.most >= self.count for t in self.templates) else [
                (t.whole(), itemgetter(local, *t.slots)) for local, t in zip(self.held, self.templates)]
        return made

    def expanded(self, fragment: Fragment) -> Fragment:
        """The fragment with the group's entries in place, by id and by key, as it would come without the group."""
        _, held, idents, shared_at, keys = self.content
        objects = list(fragment.objects)
        for local, ident in zip(held, idents):
            objects[local - 1] = ident
        for local, key in zip(shared_at, keys):
            objects[local - 1] = (key, b"", b"")
        return replace(fragment, objects=tuple(objects), group=None)


def _one(slot: int):
    return lambda values: (values[slot],)


def fragment_of(packet: bytes | Path, sent: set[bytes] | None = None) -> Fragment:
    """The print job's share of a packet, as a worker makes it: from the objects the writer handed over with the
    packet (`RenderedPDF.objects`), or else taken from its bytes or its file by the cross-reference table (a file
    handouts wrote: each object where the table says, up to the next). Never parsed as a whole PDF.

    `sent`: the shared objects (by key) this worker sent the job in its earlier packets of the run, which the job
    holds by the time it reaches this packet (it takes the packets in roster order, a worker's in the order the
    worker made them, and finishes only when it took every one): they go by key alone, without their bytes. The
    keys of this packet's shared objects are added to it."""
    written = getattr(packet, "objects", None)
    kept: frozenset[int] = frozenset()
    if written is not None:
        objects, root, kept = written.objects, written.root, written.kept
    else:
        objects, root = _objects_of(packet if isinstance(packet, bytes) else Path(packet).read_bytes())
    return _Packet(objects, root, kept).fragment(set() if sent is None else sent)


_XREF_ROW = re.compile(rb"(\d{10}) (\d{5}) ([nf])\s{1,2}")


def _objects_of(data: bytes) -> tuple[tuple[bytes, ...], int]:
    """Each object's content, by number from 1, and the catalog's number, of a file written as handouts writes one
    (one cross-reference table, objects numbered 1 to N, version 0); any other is refused."""
    try:
        start = int(data[data.rindex(b"startxref") + 9:].split()[0])
        section = re.compile(rb"xref\s+0 (\d+)\s+").match(data, start)
        rows = [_XREF_ROW.match(data, section.end() + 20 * i) for i in range(int(section[1]))]
        offsets = [int(row[1]) for row in rows[1:] if row[3] == b"n"]
        if len(offsets) != len(rows) - 1:
            raise ValueError("free objects")
        root = int(re.compile(rb"/Root (\d+) 0 R").search(data, start)[1])
        ends = offsets[1:] + [start]
        objects = []
        for number, (begin, end) in enumerate(zip(offsets, ends), start=1):
            opening = b"%d 0 obj\n" % number
            if not data.startswith(opening, begin):
                raise ValueError("an object is not where the table says")
            body = data[begin + len(opening):end].rstrip(b"\r\n")
            if not body.endswith(b"endobj"):
                raise ValueError("an object does not end")
            objects.append(body[:-6])
    except (ValueError, TypeError, IndexError) as exc:
        raise InternalError(f"a packet for the print job is not a file handouts wrote ({exc})") from None
    return tuple(objects), root


# -- a packet's objects, taken apart -----------------------------------------------------------------------------
#
# A packet's objects are as the writer wrote them: dictionaries and arrays in PDF syntax, a literal string with every
# parenthesis and backslash in it escaped (ReportLab's and handouts' strings alike), a stream's data after its
# dictionary. Outside literal strings, "N G R" is always a reference; a stream's data is never searched.

_DELIMITED = rb"[^\s/<>\[\]()%{}]"  # a character of a name, a number or a keyword
# One value at a time: (1) a reference, (2) an array or a dictionary of numbers, names and references only (most of a
# packet's), (3) the start of any other dictionary or array, (4) the end of one, (5) a literal or hex string, a name,
# a number or a keyword.
_VALUE_AT = re.compile(rb"\s*(?:(\d+ \d+ R)(?!" + _DELIMITED + rb")|(\[[^\[\]()<>%{}]*\]|<<[^\[\]()<>%{}]*>>)|"
                       rb"(<<|\[)|(>>|\])|"
                       rb"(\((?:[^\\()]+|\\.)*\)|<[0-9A-Fa-f\s]*>|/" + _DELIMITED + rb"*|" + _DELIMITED + rb"+))",
                       re.DOTALL)
_REFERENCE_AT = re.compile(rb"\s*(\d+) \d+ R(?!" + _DELIMITED + rb")")
# What makes an object a packet's own (never shared): its type, or a key that ties it to a page or the structure
# tree, anywhere in it (inside a string too: that only keeps an object its packet's own).
_OWN = re.compile(rb"/Type\s*/(?:Page|Pages|Catalog|StructTreeRoot|StructElem|Annot|MCR|OBJR|Outlines|Metadata)(?!"
                  + _DELIMITED + rb")|/(?:P|Pg|Parent|K|StructParents?|Annots|Obj|Dest)(?!" + _DELIMITED + rb")")
_STREAM = b"\nstream\n"
_STRING_AT = re.compile(rb"\((?:[^\\()]+|\\.)*\)", re.DOTALL)
_UNREADABLE = "a packet for the print job holds an object the copy cannot read"


def _value_end(data: bytes, position: int) -> int:
    """Where the value that starts at `position` (after any white space) ends."""
    token = _VALUE_AT.match(data, position)
    if token is None or token.lastindex == 4:
        raise InternalError(_UNREADABLE)
    if token.lastindex != 3:
        return token.end()
    return _container_end(data, token, None)


def _container_end(data: bytes, opening, items: list[bytes] | None) -> int:
    """Where the dictionary or array `opening` starts ends; its values (keys and values in turn) into `items`."""
    closing, position = (b">>" if opening[3] == b"<<" else b"]"), opening.end()
    while True:
        token = _VALUE_AT.match(data, position)
        if token is None:
            raise InternalError(_UNREADABLE)
        kind = token.lastindex
        if kind == 4:
            if token[4] != closing:
                raise InternalError(_UNREADABLE)
            return token.end()
        end = _container_end(data, token, None) if kind == 3 else token.end()
        if items is not None:
            items.append(data[position:end].strip())
        position = end


def _items(data: bytes) -> list[bytes]:
    """The values of a dictionary (keys and values in turn) or an array, each as written."""
    opening = _VALUE_AT.match(data)
    if opening is None or opening.lastindex not in (2, 3):
        raise InternalError(_UNREADABLE)
    items: list[bytes] = []
    if opening.lastindex == 2:  # no string and nothing nested: one token a value
        delimiter = 1 if opening[2][:1] == b"[" else 2
        return [found[0].strip() for found in _VALUE_AT.finditer(data, opening.start(2) + delimiter,
                                                                 opening.end(2) - delimiter)]
    _container_end(data, opening, items)
    return items


def _entries(data: bytes) -> dict[bytes, bytes]:
    items = _items(data)
    if not data.lstrip().startswith(b"<<") or len(items) % 2:
        raise InternalError(_UNREADABLE)
    return dict(zip(items[::2], items[1::2]))


def _dictionary(entries: dict[bytes, bytes]) -> bytes:
    return b"<< " + b" ".join(key + b" " + value for key, value in entries.items()) + b" >>"


def _number(value: bytes) -> int | None:
    """The object a reference refers to; None for any other value."""
    found = _REFERENCE_AT.fullmatch(value)
    return int(found[1]) if found else None


def _string(value: bytes) -> str:
    """A text string as the writer writes one (a literal string, UTF-16 with its byte order mark or PDFDocEncoding
    as Latin-1, or hex)."""
    if value.startswith(b"<"):
        raw = bytes.fromhex(value[1:-1].decode("ascii"))
    else:
        raw = re.sub(rb"\\([0-7]{1,3}|.)", lambda found: bytes([int(found[1], 8)]) if found[1][:1].isdigit()
                     else {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(found[1], found[1]),
                     value[1:-1], flags=re.DOTALL)
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


class _Read:
    """What the job's copy reads of one object, a function of its bytes alone: its dictionary or value (before its
    stream's data, if it has any) and the stream's data with its keywords; once asked, its dictionary's entries, its
    head with its references as markers (`_local_references`) and the objects they name, whether it may be shared
    (`_OWN`), and its shared key for the keys of the objects it refers to."""

    __slots__ = ("head", "tail", "marked", "references", "entries", "_shareable", "_inner", "_items", "_numbers")

    def __init__(self, body: bytes):
        if _is_stream(body):
            start = body.index(_STREAM)
            self.head, self.tail = body[:start].strip(), body[start:].rstrip(b"\n")
        else:
            self.head, self.tail = body.strip(), b""
        self.marked: bytes | None = None
        self.references: tuple[int, ...] = ()
        self.entries: dict[bytes, bytes] | None = None  # read once: whoever changes it copies it first
        self._shareable: bool | None = None
        self._inner: dict[bytes, _Read] | None = None
        self._items: list[bytes] | None = None
        self._numbers: dict[int, bytes] | None = None

    def dictionary(self) -> dict[bytes, bytes]:
        """Its dictionary, entry by entry (read once: whoever changes it copies it first)."""
        if self.entries is None:
            self.entries = _entries(self.head)
        return self.entries

    def items(self) -> list[bytes]:
        """Its array's values (or its dictionary's keys and values in turn), each as written."""
        if self._items is None:
            self._items = _items(self.head)
        return self._items

    def inner(self, key: bytes) -> "_Read":
        """What is read of the value of its dictionary's `key`, written inside it (not a reference)."""
        if self._inner is None:
            self._inner = {}
        read = self._inner.get(key)
        if read is None:
            read = self._inner[key] = _Read(self.dictionary()[key])
        return read

    def numbers(self) -> dict[int, bytes]:
        """A number tree node's own /Nums: key -> its value as written."""
        if self._numbers is None:
            numbers = self.inner(b"/Nums").items() if b"/Nums" in self.dictionary() else []
            self._numbers = {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers) - 1, 2)}
        return self._numbers

    def mark(self) -> bytes:
        marked = self.marked = _local_references(self.head)
        self.references = tuple(_references(marked)) if b"\x01" in marked else ()
        return marked

    def shareable(self) -> bool:
        """Whether the object may be one the whole job shares (a dictionary or an array, not a packet's own kind)."""
        if self._shareable is None:
            self._shareable = self.head.startswith((b"<<", b"[")) and not _OWN.search(self.head)
        return self._shareable

    def key(self, targets: tuple[bytes, ...]) -> bytes:
        """The shared key: a digest of the object as written, each reference replaced by its target's key
        (`targets`, in the order of `references`)."""
        *pieces, last = self.marked.split(b"\x01")
        written = []
        for piece, key in zip(pieces, targets):
            digits = len(piece.rstrip(b"0123456789"))
            written += (piece[:digits], b"{", key.hex().encode(), b"}")
        digest = hashlib.sha256(b"".join(written) + last)
        digest.update(self.tail)
        return digest.digest()


class KeptReads:
    """What the copy read of the objects a packet took from a kept file (`WrittenObjects.kept`, render/assembly.py),
    by their bytes, for the next packet written from that file: those objects are made from no patient value and
    are the same bytes (the same `bytes` object, whose hash is computed once) in every packet written from it.

    Two things are kept: a kept object's `_Read`, by its bytes (a function of them alone, so a hit is what reading
    those bytes gives); and the plan of a packet's share (`_Plan`), by the catalog's number and the packet's objects
    with its own left out (None), when making it read no object of the packet's own: the plan is then a function of
    that key. A packet's own objects (its patient's pages, fonts, title) are read afresh for each packet and never
    kept past it, and so is everything that depends on them (the keys of the objects that reach them, the objects
    they reach). Kept for the run (a worker process's); bounded in bytes. `tests/batch/test_job_memo.py` holds every
    share made with it to the share made without it."""

    def __init__(self, most: int = 32 << 20):
        self.most = most  # a bound, not a policy: a long batch never holds more than this
        self.enabled = True
        self.hits = 0  # reads found again (for the tests)
        self.plans_used = 0  # plans found again
        self._made: dict[bytes, _Read] = {}
        # Plans by the packet's root and its objects with its own left out (None): made from kept objects alone.
        self._plans: dict[tuple, _Plan] = {}
        self._held = 0

    def read(self, body: bytes, kept: bool) -> _Read:
        """What is read of an object: a kept object's as remembered (or read now and remembered); any other's afresh,
        for this packet only."""
        if not kept or not self.enabled:
            return _Read(body)
        read = self._made.get(body)
        if read is None:
            read = self._made[body] = _Read(body)
            self.grew(2 * len(body) + 256)
        else:
            self.hits += 1
        return read

    def plan(self, key: tuple) -> _Plan | None:
        plan = self._plans.get(key)
        if plan is not None:
            self.plans_used += 1
        return plan

    def keep_plan(self, key: tuple, plan: _Plan) -> None:
        self._plans[key] = plan
        self.grew(8 * len(key[1]) + 64 * len(plan.markers) + sum(map(len, plan.markers.values()))
                  + sum(map(len, plan.heads.values())) + sum(map(len, plan.added)))

    def grew(self, size: int) -> None:
        self._held += size
        if self._held > self.most:
            self.clear()

    def clear(self) -> None:
        self._made.clear()
        self._plans.clear()
        self._held = 0
        self.hits = self.plans_used = 0


# Kept for the run; holds only what was read of objects made from no patient value (see KeptReads).
KEPT_READS = KeptReads()


class SentToJob(set):
    """What one worker sent the print job in a run: the shared objects' keys (the set itself: `fragment_of`), and the
    ids of the entries it asked the job to hold (`held`): entries of a packet's own kind (pages, structure elements,
    annotations and their arrays) of a plan made from kept objects alone (`KeptReads.plan`), the same bytes for every
    packet written from that kept file and made from no patient value. The job keeps each such entry, compiled, for
    the run (`_StreamingWriter._held`), and the worker's later packets name it by its id: the parent then renumbers
    a template and copies no bytes it was sent. Once the job holds every entry of a kept plan, the plan's entries go
    as one group (`groups`, `_Plan.group`): sent whole once, then by its id, and a packet's share then carries only
    its own objects. At most `most` bytes of entries (and of groups) are held a worker; past that, entries go whole.
    A plain set holds nothing."""

    def __init__(self, most: int = 24 << 20):
        super().__init__()
        self.most = most
        self.held: set[bytes] = set()
        self.held_bytes = 0
        self.groups: set[bytes] = set()  # the kept plans' groups the job holds (`_Plan.group`)

    def held_entry(self, ident: bytes, entry: tuple) -> tuple | bytes:
        """What the fragment carries for `entry`: its id if the job holds it, else it with its id to hold (or it
        alone, past the bound)."""
        if ident in self.held:
            return ident
        size = len(entry[1]) + len(entry[2])
        if self.held_bytes + size > self.most:
            return entry
        self.held.add(ident)
        self.held_bytes += size
        return (*entry, ident)


class _Reads(dict):
    """What is read of a packet's objects, by number, each read when first asked (`KeptReads.read`); a number the
    packet has no object for is an IndexError."""

    def __init__(self, objects: tuple[bytes, ...], kept: frozenset[int]):
        super().__init__()
        self._objects, self._kept = objects, kept

    def __missing__(self, number: int) -> _Read:
        if not 0 < number <= len(self._objects):
            raise IndexError(number)
        read = self[number] = KEPT_READS.read(self._objects[number - 1], number in self._kept)
        return read


@dataclass(frozen=True)
class _Plan:
    """What a packet's share of the job is made of that its structure decides: its pages (the job's page tree their
    parent), its Part, its ParentTree entries and its field, the heads made for the job and the new objects, the
    objects they reach through objects taken from a kept file (with their markers), and the packet's own objects
    among those (`frontier`), whose references are read for each packet. Made from kept objects alone, it is the
    same for every packet with the same kept objects in the same places (`KeptReads.plan`)."""

    pages: tuple[int, ...]
    part: int
    parent_entries: tuple[int, ...]
    form: int
    resources: bytes
    language: str
    box: bytes
    heads: dict[int, bytes]
    added: tuple[bytes, ...]
    taken: tuple[int, ...]
    markers: dict[int, bytes]
    frontier: tuple[int, ...]
    keys: dict[int, bytes | None]  # the keys no object of the packet's own decides (None: no key)
    entries: dict[int, tuple[bytes | None, bytes, bytes]]  # the fragment's entry of each of those objects
    _holds: dict[int, bytes] = field(default_factory=dict, compare=False)
    _group: list = field(default_factory=list, compare=False)
    _others: list = field(default_factory=list, compare=False)

    def holds(self) -> dict[int, bytes]:
        """The id of each entry with no key (an object of a packet's own kind, written anew for every packet): a
        digest of its head and tail, made once a plan (`SentToJob`)."""
        if not self._holds:
            for number, (key, head, tail) in self.entries.items():
                if key is None:
                    digest = hashlib.sha256(b"%d\n" % len(head))
                    digest.update(head)
                    digest.update(tail)
                    self._holds[number] = digest.digest()
        return self._holds

    def others(self) -> list[int]:
        """The objects it takes that are not its entries (the packet's own, and what reaches them), in order."""
        if not self._others:
            self._others.append([number for number in self.taken if number not in self.entries])
        return self._others[0]

    def group(self, count: int) -> tuple:
        """Its entries as one group (`Fragment.group`), made once: (id, the held entries' numbers, their ids, the
        shared entries' numbers, their keys), in number order; the id a digest of the rest and of `count`, the
        packet's objects. Made from the plan alone, like its entries: no patient value."""
        if not self._group:
            holds = self.holds()
            held = tuple(sorted(holds))
            shared = tuple(sorted(n for n, (key, _, _) in self.entries.items() if key is not None))
            idents, keys = tuple(holds[n] for n in held), tuple(self.entries[n][0] for n in shared)
            digest = hashlib.sha256(b"%d;%s;%s;" % (count, repr(held).encode(), repr(shared).encode()))
            digest.update(b"".join(idents) + b";" + b"".join(keys))
            self._group.append((digest.digest(), held, idents, shared, keys))
        return self._group[0]


class _Packet:
    """One packet's objects, as its writer wrote them, made into its share of the print job: its pages (with the
    job's page tree as their parent), their annotations (form fields under one field of the packet's own), its
    Document element as a Part of the job's, the ParentTree's entries, and every object they refer to, each keeping
    its packet's number (the job gives it its own). Objects the job does not take (the catalog, the page tree, the
    outline, the metadata) are left out. New objects (ParentTree entries, the packet's field) are numbered after
    the packet's."""

    def __init__(self, objects: tuple[bytes, ...], root: int, kept: frozenset[int] = frozenset()):
        self._objects = objects
        self._kept = kept
        self._heads: dict[int, bytes] = {}  # objects rewritten for the job (pages, annotations, the Part)
        self._added: list[bytes] = []  # new objects, numbered from len(objects) + 1
        self.parent_entries: list[int] = []
        self._form_kids: list[int] = []
        self._form = 0
        self._root = root
        # What is read of each object, by number, when first asked: the kept ones' as read in an earlier packet.
        self._read = _Reads(objects, kept)
        self._markers: dict[int, bytes] = {}  # what the job takes of each object, its references markers
        self._read_own = False  # whether the share was made reading any object not taken from a kept file

    # -- reading ---------------------------------------------------------------
    def _read_of(self, number: int) -> _Read:
        if not 0 < number <= len(self._objects):
            raise InternalError("a packet for the print job refers to an object it does not hold")
        if number not in self._kept:  # what is made of it for the job is this packet's alone (see _reachable)
            self._read_own = True
        return self._read[number]

    def _head(self, number: int) -> bytes:
        """An object's dictionary or value: before its stream's data, if it has any."""
        return self._read_of(number).head

    def _entries(self, number: int) -> dict[bytes, bytes]:
        """An object's dictionary, entry by entry (read once, and kept with its `_Read`: the caller copies it to
        change it)."""
        return self._read_of(number).dictionary()

    def _value(self, read: _Read, key: bytes) -> _Read:
        """What is read of the value of `read`'s `key`: the object it refers to, or the value written in it."""
        number = _number(read.dictionary()[key])
        return self._read_of(number) if number is not None else read.inner(key)

    def _resolved(self, value: bytes) -> bytes:
        number = _number(value)
        return self._head(number) if number is not None else value

    def _new(self, head: bytes) -> int:
        self._added.append(head)
        return len(self._objects) + len(self._added)

    # -- the job's share -------------------------------------------------------
    def fragment(self, sent: set[bytes]) -> Fragment:
        plan, kept = self._planned()
        self._heads, self._added = plan.heads, list(plan.added)
        try:
            taken = self._taken(plan)
        except IndexError:
            raise InternalError("a packet for the print job refers to an object it does not hold") from None
        # Only a kept plan's entries are held (made from kept objects alone), and only for a worker's run (SentToJob).
        holds = plan.holds() if kept and isinstance(sent, SentToJob) else None
        group = self._group(plan, sent) if holds is not None else None
        if group is None:
            keys = self._keys(taken, plan.pages, plan.keys, frozenset())
            objects = self._fragment_objects(taken, keys, sent, plan.entries, holds)
        else:  # the plan's entries as one group the job holds: only the rest, this packet's own, go
            objects = self._rest(taken, plan, sent)
        return Fragment(objects, plan.pages, plan.part, plan.parent_entries, plan.form, plan.resources,
                        plan.language, plan.box, group)

    def _group(self, plan: _Plan, sent: SentToJob) -> bytes | tuple | None:
        """The plan's group for this packet's share (`Fragment.group`): its id when the job holds it; the group whole
        when the job holds every entry it names (this worker sent them before) and the bound allows; else None."""
        group = plan.group(len(self._objects) + len(self._added))
        ident, held, idents, shared, keys = group
        if ident in sent.groups:
            return ident
        size = 64 * len(held) + 64 * len(shared)
        if sent.held_bytes + size > sent.most or not (sent.held.issuperset(idents) and sent.issuperset(keys)):
            return None
        sent.groups.add(ident)
        sent.held_bytes += size
        return group

    def _rest(self, taken, plan: _Plan, sent: set[bytes]) -> tuple:
        """The fragment's objects outside the plan's group: the packet's own and what they reach (`_fragment_objects`
        for the rest), None for every other number."""
        others = plan.others() if taken is plan.taken else [n for n in taken if n not in plan.entries]
        keys = self._keys(others, plan.pages, plan.keys, frozenset())
        objects: list = [None] * (len(self._objects) + len(self._added))
        new: set[bytes] = set()
        for number in others:
            key = keys[number]
            if key is not None and (key in sent or key in new):
                objects[number - 1] = (key, b"", b"")
                continue
            objects[number - 1] = (key, self._markers[number], self._tail(number))
            if key is not None:
                new.add(key)
        sent.update(new)
        return tuple(objects)

    def _planned(self) -> tuple[_Plan, bool]:
        """The plan of this packet's share: the one made for an earlier packet with the same kept objects in the same
        places, or made now (and remembered when it read nothing but kept objects); and whether it is remembered (made
        from kept objects alone)."""
        kept = self._kept
        if not kept or not KEPT_READS.enabled:
            return self._plan(), False
        objects = list(self._objects)  # the packet's objects with its own left out: a few among hundreds
        for number in set(range(1, len(objects) + 1)).difference(kept):
            objects[number - 1] = None
        key = (self._root, tuple(objects))
        plan = KEPT_READS.plan(key)
        if plan is None:
            plan = self._plan()
            if self._read_own:
                return plan, False
            KEPT_READS.keep_plan(key, plan)
        return plan, True

    def _plan(self) -> _Plan:
        catalog_read = self._read_of(self._root)
        catalog = catalog_read.dictionary()
        document, parents = self._structure(catalog_read)
        language = _string(catalog[b"/Lang"]) if b"/Lang" in catalog else "en-US"
        pages = self._pages(_number(catalog.get(b"/Pages", b"")), {})
        for page, inherited in pages:
            self._page(page, inherited, parents)
        part = self._part(document, language)
        resources = b""
        if self._form:  # /T: the job's packet-N
            self._added[self._form - len(self._objects) - 1] = b"<< /T \x00N\x00 /Kids [%s] >>" % b" ".join(
                b"%d 0 R" % n for n in self._form_kids)
            form = self._value(catalog_read, b"/AcroForm") if b"/AcroForm" in catalog else None
            if form is not None and b"/DR" in form.dictionary():
                resources = self._value(form, b"/DR")
                resources = resources.marked if resources.marked is not None else resources.mark()
        roots = [page for page, _ in pages] + [part, *self.parent_entries] + ([self._form] if self._form else [])
        box = self._box(pages[-1])
        try:
            taken, frontier = self._reachable(roots, resources)
        except IndexError:
            raise InternalError("a packet for the print job refers to an object it does not hold") from None
        pages_of = tuple(page for page, _ in pages)
        keys = self._keys(taken, pages_of, {}, frozenset(frontier))
        entries = {number: (key, self._markers[number], self._tail(number)) for number, key in keys.items()
                   if number in self._markers}
        return _Plan(pages_of, part, tuple(self.parent_entries), self._form, resources, language, box, self._heads,
                     tuple(self._added), taken, self._markers, frontier, keys, entries)

    def _structure(self, catalog: _Read) -> tuple[int, dict[int, bytes]]:
        """The Document element at the structure tree's root, and the ParentTree (key -> its value as written)."""
        root = self._value(catalog, b"/StructTreeRoot") if b"/StructTreeRoot" in catalog.dictionary() else None
        tree = root.dictionary() if root is not None else {}
        kids = tree.get(b"/K", b"")
        if kids.startswith(b"["):
            kids = _items(kids)
            kids = kids[0] if len(kids) == 1 else b""
        document = _number(kids)
        if document is None or self._entries(document).get(b"/S") != b"/Document":
            raise InternalError("a packet for the print job has no single Document element at its root")
        parents: dict[int, bytes] = {}
        if root is not None and b"/ParentTree" in tree:
            self._number_tree(self._value(root, b"/ParentTree"), parents)
        return document, parents

    def _number_tree(self, node: _Read, found: dict[int, bytes]) -> None:
        found.update(node.numbers())
        for kid in self._value(node, b"/Kids").items() if b"/Kids" in node.dictionary() else []:
            number = _number(kid)
            self._number_tree(self._read_of(number) if number is not None else _Read(kid), found)

    def _pages(self, tree: int | None, inherited: dict[bytes, bytes]) -> list[tuple[int, dict[bytes, bytes]]]:
        """The pages in order, each with what it inherits from its page tree (its MediaBox and Resources)."""
        if tree is None:
            raise InternalError("a packet for the print job has no page tree")
        read = self._read_of(tree)
        entries = read.dictionary()
        inherited = {**inherited, **{key: entries[key] for key in (b"/MediaBox", b"/Resources") if key in entries}}
        pages = []
        for kid in self._value(read, b"/Kids").items() if b"/Kids" in entries else []:
            number = _number(kid)
            if number is None:
                raise InternalError("a packet for the print job has a page that is not an object")
            if self._entries(number).get(b"/Type") == b"/Pages":
                pages += self._pages(number, inherited)
            else:
                pages.append((number, inherited))
        return pages

    def _page(self, number: int, inherited: dict[bytes, bytes], parents: dict[int, bytes]) -> None:
        """A page for the job: the job's page tree its parent, its own MediaBox and Resources, its ParentTree entry
        the job's; then its annotations."""
        read = self._read_of(number)
        page = read.dictionary()
        entries = {key: value for key, value in page.items() if key not in _PAGE_KEYS_REPLACED}
        for key, value in inherited.items():
            entries.setdefault(key, value)
        entries[b"/Parent"] = b"\x00P\x00"
        if b"/StructParents" in page:
            entries[b"/StructParents"] = self._parent_entry(parents.get(int(page[b"/StructParents"])))
        annotations = [_number(a) for a in self._value(read, b"/Annots").items()] if b"/Annots" in page else []
        if annotations:
            entries[b"/Annots"] = b"[" + b" ".join(b"%d 0 R" % a for a in annotations) + b"]"
        self._heads[number] = _dictionary(entries)
        for annotation in annotations:
            fields = dict(self._entries(annotation))
            if b"/StructParent" in fields:
                fields[b"/StructParent"] = self._parent_entry(parents.get(int(fields[b"/StructParent"])))
            if b"/FT" in fields:  # a form field: it joins its packet's field, so names stay apart
                self._form = self._form or self._new(b"")
                fields[b"/Parent"] = b"%d 0 R" % self._form
                self._form_kids.append(annotation)
            self._heads[annotation] = _dictionary(fields)

    def _part(self, document: int, language: str) -> int:
        """The packet's Document element becomes a Part of the job's Document."""
        fields = {k: v for k, v in self._entries(document).items() if k not in (b"/P", b"/S")}
        fields[b"/S"] = b"/Part"
        fields[b"/P"] = b"\x00D\x00"
        fields.setdefault(b"/Lang", b"<" + language.encode("ascii", "replace").hex().encode() + b">")
        self._heads[document] = _dictionary(fields)
        return document

    def _parent_entry(self, value: bytes | None) -> bytes:
        """A ParentTree entry for the job: the packet's next key (the job adds its own first key), mapped to a copy of
        the packet's array, or to the element a link's or a field's entry names."""
        key = len(self.parent_entries)
        target = _number(value) if value is not None else None
        if value is None:
            target = self._new(b"[]")
        elif target is None or self._head(target).startswith(b"["):
            target = self._new(self._resolved(value))
        self.parent_entries.append(target)
        return b"\x00K%d\x00" % key

    def _reachable(self, roots: list[int], resources: bytes) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Every object the job takes that the roots reach through objects taken from a kept file or made for the job,
        in number order, each one's dictionary or value as the job takes it, its references markers
        (`_local_references`), into `_markers`; and the packet's own objects among them, whose references are read
        for each packet (`_taken`). A packet with no kept object has every object its own."""
        seen = set(roots)
        pending = list(roots) + [n for n in _references(resources) if n not in seen]
        seen.update(pending)
        kept, markers, count, frontier = self._kept, self._markers, len(self._objects), []
        while pending:
            number = pending.pop()
            if 0 < number <= count and number not in kept and number not in self._heads:
                frontier.append(number)
                continue
            markers[number], references = self._marked(number)
            found = [n for n in references if n not in seen]
            seen.update(found)
            pending += found
        return tuple(sorted(seen)), tuple(sorted(frontier))

    def _marked(self, number: int) -> tuple[bytes, tuple[int, ...]]:
        """An object as the job takes it with its references as markers, and the objects they name."""
        count = len(self._objects)
        if number > count or number in self._heads:  # made for this packet's share
            head = self._added[number - count - 1] if number > count else self._heads[number]
            marked = _local_references(head)
            return marked, tuple(_references(marked)) if b"\x01" in marked else ()
        read = self._read[number]  # none such: refused (IndexError)
        return read.marked if read.marked is not None else read.mark(), read.references

    def _taken(self, plan: _Plan) -> list[int] | tuple[int, ...]:
        """Every object the job takes: the plan's, and all the packet's own objects reached refer to (their markers
        into `_markers`, with the plan's)."""
        self._markers = markers = dict(plan.markers)
        if not plan.frontier:
            return plan.taken
        seen, pending, grown = set(plan.taken), list(plan.frontier), False
        while pending:
            number = pending.pop()
            markers[number], references = self._marked(number)
            for found in references:
                if found not in seen:
                    seen.add(found)
                    pending.append(found)
                    grown = True
        return sorted(seen) if grown else plan.taken

    def _keys(self, taken, pages: tuple[int, ...], decided: dict[int, bytes | None],
              open_: frozenset[int]) -> dict[int, bytes | None]:
        """Each taken object's key (None: none): a digest of it as written, each reference replaced by its target's
        key. An object is its packet's own (no key) when it is a page, a page's content stream, a structure element,
        an annotation, anything rewritten or added for the job, or anything that refers to one of those.

        `decided`: keys known already (the plan's). `open_`: objects whose keys are left undecided, with every object
        that reaches one (the packet's own objects, when a plan is made): those are left out of the answer. A key does
        not depend on the order keys are found in (a cycle, only among a packet's own objects, is no key whichever
        member is found first), so what a plan decided is what each packet would."""
        if decided:
            keys = dict(decided)
        else:
            own = set(pages) | set(self._heads)
            for page in pages:
                own.update(_references(_local_references(self._entries(page).get(b"/Contents", b""))))
            keys = {number: None for number in own}
            keys.update((number, None) for number in range(len(self._objects) + 1,
                                                           len(self._objects) + len(self._added) + 1))
        reads, undecided = self._read, set(open_)

        def key_of(number: int) -> bytes | None:
            if number in keys:
                return keys[number]
            if number in undecided:
                return b""
            keys[number] = None  # until known: a cycle (only a packet's own objects have one) stays None
            read = reads[number]
            if not read.shareable():
                return None
            targets = []
            for target in read.references:
                key = key_of(target)
                if key is None:
                    return None
                targets.append(key)
            if b"" in targets:  # reaches an object whose key is left open
                del keys[number]
                undecided.add(number)
                return b""
            keys[number] = read.key(tuple(targets))
            return keys[number]

        for number in taken:
            key_of(number)
        return {number: keys[number] for number in taken if number in keys}

    def _tail(self, number: int) -> bytes:
        """A stream's data as the job copies it: nothing for an object made for the job."""
        return b"" if number > len(self._objects) or number in self._heads else self._read[number].tail

    def _fragment_objects(self, taken, keys: dict[int, bytes | None], sent: set[bytes],
                          planned: dict[int, tuple[bytes | None, bytes, bytes]],
                          holds: dict[int, bytes] | None) -> tuple:
        """The fragment's objects by number: (key, head, tail), None for one the job does not take; a shared object
        the job holds already (sent before, or earlier in this packet) by its key alone. `planned`: entries known.
        `holds`: the kept plan's entries of a packet's own kind, by their ids (`_Plan.holds`): one the worker sent
        before goes by its id alone, any other with its id added, for the job to hold (`Fragment`)."""
        objects: list = [None] * (len(self._objects) + len(self._added))
        known = set(sent)
        held = sent.held if holds is not None else ()
        holds = holds or {}
        for number in taken:
            entry = planned.get(number)
            if entry is None:
                entry = (keys[number], self._markers[number], self._tail(number))
            key = entry[0]
            if key is not None:
                if key in known:
                    entry = (key, b"", b"")
                else:
                    known.add(key)
            elif (ident := holds.get(number)) is not None:
                entry = ident if ident in held else sent.held_entry(ident, entry)
            objects[number - 1] = entry
        sent.update(key for key in keys.values() if key is not None)
        return tuple(objects)

    def _box(self, page: tuple[int, dict[bytes, bytes]]) -> bytes:
        number, inherited = page
        box = self._entries(number).get(b"/MediaBox") or inherited.get(b"/MediaBox", b"[0 0 612 792]")
        return b" ".join(box.strip(b"[] \n").split())


def _local_references(head: bytes) -> bytes:
    """Each reference in `head` as the marker the job renumbers: "12 0 R" becomes "12" and a SOH (see `Fragment`).
    Outside a literal string, " 0 R" always ends a reference (every object's version is 0)."""
    if b"(" not in head:  # no literal string to leave alone: most objects
        return head.replace(b" 0 R", b"\x01")
    parts, position = [], 0
    while (start := head.find(b"(", position)) >= 0:  # a "(" outside a string starts one: names escape it
        string = _STRING_AT.match(head, start)
        if string is None:
            raise InternalError(_UNREADABLE)
        parts += (head[position:start].replace(b" 0 R", b"\x01"), string[0])
        position = string.end()
    parts.append(head[position:].replace(b" 0 R", b"\x01"))
    return b"".join(parts)


def _references(marked: bytes) -> list[int]:
    """The objects a head whose references are markers (`_local_references`) refers to."""
    pieces = marked.split(b"\x01")
    return [int(piece[len(piece.rstrip(b"0123456789")):]) for piece in pieces[:-1]]


def _is_stream(body: bytes) -> bool:
    return body.endswith((b"endstream\n", b"endstream"))




def _text(value: str) -> bytes:
    """A PDF text string: UTF-16BE with a byte order mark, in hex."""
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"
