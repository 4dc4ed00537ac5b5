"""The print job's share of a packet as main made it before the writer handed its objects over (issue 24): the
packet read back with pikepdf and every object the job needs of it serialized again. Kept for the tests only, as an
independent way to the same job: `tests/batch/test_print_job_direct.py` checks the job made from what the writer hands
over against the job made so. Its references are written as the job's markers of today ("12" and a SOH)."""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pikepdf

from handouts.batch.printjob import Fragment
from handouts.errors import InternalError

_MARKER = re.compile(rb"\x00([RKPDN])(\d*)\x00")  # the old markers, as this copy makes them
_PAGE_KEYS_REPLACED = {"/Parent", "/StructParents", "/Annots", "/B", "/Metadata"}


def _local(number: int) -> bytes:
    return b"\x00R%d\x00" % number


def _today(head: bytes) -> bytes:
    """The old reference marker as the job reads it today."""
    return re.sub(rb"\x00R(\d+)\x00", lambda found: found[1] + b"\x01", head)


@dataclass(frozen=True)
class PacketContents:
    """What a packet file holds, as `render` writes it, read and checked before anything is copied: one
    Document element at the root of its structure tree, the ParentTree (key -> what it maps to), the
    pages, the document's language and the form's resources. A file of another shape is refused, never
    guessed at."""

    pages: list
    document: object  # the Document structure element
    parents: dict[int, object]
    language: str
    form_resources: object | None  # the AcroForm's /DR, when the packet has fields

    @classmethod
    def read(cls, pdf: pikepdf.Pdf) -> PacketContents:
        tree = pdf.Root.get("/StructTreeRoot")
        kids = tree.get("/K") if tree is not None else None
        if isinstance(kids, pikepdf.Array):
            kids = kids[0] if len(kids) == 1 else None
        if not isinstance(kids, pikepdf.Dictionary) or kids.get("/S") != pikepdf.Name.Document:
            raise InternalError("a packet for the print job has no single Document element at its root")
        acroform = pdf.Root.get("/AcroForm")
        return cls(list(pdf.pages), kids, _number_tree(tree.ParentTree) if "/ParentTree" in tree else {},
                   str(pdf.Root.get("/Lang", "")) or "en-US",
                   acroform.DR if acroform is not None and "/DR" in acroform else None)



def old_fragment_of(packet: bytes | Path, sent: set[bytes] | None = None) -> Fragment:
    """The print job's share of a packet (its PDF, or its file), as a worker makes it.

    `sent`: the shared objects (by key) this worker sent the job in its earlier packets of the run, which the job
    holds by the time it reaches this packet (it takes the packets in roster order, a worker's in the order the
    worker made them, and finishes only when it took every one): they go by key alone, without their bytes. The
    keys of this packet's shared objects are added to it."""
    if not isinstance(packet, bytes):
        with pikepdf.open(packet) as pdf:
            return _PacketWriter(sent).fragment(pdf)
    with _in_memory_file(packet) as source, pikepdf.open(source) as pdf:
        return _PacketWriter(sent).fragment(pdf)


@contextmanager
def _in_memory_file(data: bytes):
    """`data` where qpdf reads it fastest: as a file in memory (Linux: memfd, opened by its /proc path), never on
    the disk. qpdf reads a Python stream (BytesIO) through a call into Python for every read: some 2 ms more a
    packet, measured. Elsewhere, a BytesIO."""
    if not hasattr(os, "memfd_create") or not os.path.isdir("/proc/self/fd"):
        yield io.BytesIO(data)
        return
    fd = os.memfd_create("handouts-packet", os.MFD_CLOEXEC)
    try:
        with open(fd, "wb", closefd=False) as handle:
            handle.write(data)
        yield f"/proc/self/fd/{fd}"
    finally:
        os.close(fd)


class _PacketWriter:
    """One packet's objects, numbered among themselves, for a `Fragment`: the same copy as the job would make,
    with markers for what only the job knows."""

    def __init__(self, sent: set[bytes] | None = None):
        self._objects: list[tuple[bytes | None, bytes, bytes]] = []
        self._keys: list[bytes | None] = []  # each reserved number's shared key, if it has one
        self._shared: dict[bytes, int] = {}  # shared objects within the packet: each is one
        self.sent = set() if sent is None else sent  # shared objects the job holds already (by key): not sent again
        self._pages = b"\x00P\x00"  # the job's page tree, and its Document element: markers
        self._document = b"\x00D\x00"
        self.parent_entries: list[int] = []
        self.form, self.form_resources = 0, b""

    def _reserve(self) -> int:
        self._objects.append((None, b"", b""))
        return len(self._objects)

    def _object(self, number: int, head: bytes, tail: bytes = b"") -> None:
        self._objects[number - 1] = (None, head, tail)

    def fragment(self, pdf: pikepdf.Pdf) -> Fragment:
        packet = PacketContents.read(pdf)
        copy = _Copy(self, pdf, packet.pages)
        part = self._number_ahead(packet, copy)
        form = _PacketForm()
        for page in packet.pages:
            self._copy_page(page, packet.parents, copy, form)
        self._copy_part(packet.document, part, packet.language, copy)
        if form.number:
            self._copy_form(form, packet, copy)
        keys = {number: key for key, number in self._shared.items()}
        objects = tuple((keys.get(number), _today(head), tail)
                        for number, (_, head, tail) in enumerate(self._objects, 1))
        self.sent.update(self._shared)
        return Fragment(objects, tuple(copy.numbers[page.obj.objgen] for page in packet.pages), part,
                        tuple(self.parent_entries), self.form, _today(self.form_resources), packet.language,
                        b" ".join(_scalar(value) for value in packet.pages[-1].mediabox))

    def _number_ahead(self, packet: PacketContents, copy: "_Copy") -> int:
        """Number the packet's pages, annotations and Document element first, so that every reference into
        them (/Pg, /Obj, /P) lands on the job's own objects; return the job's Part for that element."""
        for page in packet.pages:
            copy.numbers[page.obj.objgen] = self._reserve()
            for annotation in page.obj.get("/Annots", []):
                copy.numbers[annotation.objgen] = self._reserve()
        part = self._reserve()
        copy.numbers[packet.document.objgen] = part
        return part

    def _copy_page(self, page, parents: dict, copy: "_Copy", form: "_PacketForm") -> None:
        """One page and its annotations, then everything they refer to."""
        numbers = copy.numbers
        number = numbers[page.obj.objgen]
        entries = {k: v for k, v in page.obj.items() if k not in _PAGE_KEYS_REPLACED}
        # What a page may inherit from its packet's page tree, it must now say itself.
        entries.setdefault("/MediaBox", page.mediabox)
        entries.setdefault("/Resources", page.resources)
        entries["/Parent"] = _Raw(self._pages)
        if "/StructParents" in page.obj:
            entries["/StructParents"] = self._parent_entry(parents.get(int(page.obj.StructParents)), copy.ref)
        annotations = list(page.obj.get("/Annots", []))
        if annotations:
            entries["/Annots"] = _Raw(b"[" + b" ".join(_local(numbers[a.objgen]) for a in annotations) + b"]")
        self._object(number, _dictionary(entries, copy.ref))
        for annotation in annotations:
            fields = dict(annotation.items())
            if "/StructParent" in fields:
                fields["/StructParent"] = self._parent_entry(parents.get(int(fields["/StructParent"])), copy.ref)
            if "/FT" in fields:  # a form field: it joins its packet's field, so names stay apart
                form.number = form.number or self._reserve()
                fields["/Parent"] = _Raw(_local(form.number))
                form.kids.append(numbers[annotation.objgen])
            self._object(numbers[annotation.objgen], _dictionary(fields, copy.ref))
        copy.drain()

    def _copy_part(self, document, part: int, language: str, copy: "_Copy") -> None:
        """The packet's Document element becomes a Part of the job's Document."""
        fields = {k: v for k, v in document.items() if k not in ("/P", "/S")}
        fields["/S"] = pikepdf.Name.Part
        fields["/P"] = _Raw(self._document)
        fields.setdefault("/Lang", pikepdf.String(language))  # a packet may be in another language
        self._object(part, _dictionary(fields, copy.ref))
        copy.drain()

    def _copy_form(self, form: "_PacketForm", packet: PacketContents, copy: "_Copy") -> None:
        """The packet's form fields under one field of their own; the first packet's /DR serves the job."""
        kids = b" ".join(_local(n) for n in form.kids)
        self._object(form.number, b"<< /T \x00N\x00 /Kids [%s] >>" % kids)  # /T: the job's packet-N
        self.form = form.number
        if packet.form_resources is not None:  # the job takes the first packet's
            self.form_resources = _direct(packet.form_resources, copy.ref)
            copy.drain()

    def _parent_entry(self, value, ref) -> _Raw:
        """A ParentTree entry for the job: the packet's next key (the job adds its own first key), mapped to a
        copy of the packet's entry."""
        key = len(self.parent_entries)
        if value is None:
            target = self._reserve()
            self._object(target, b"[]")
        elif isinstance(value, pikepdf.Array):
            target = self._reserve()
            self._object(target, b"[" + b" ".join(ref(element) for element in value) + b"]")
        else:  # a link annotation's entry: its Link element itself
            target = int(_MARKER.fullmatch(ref(value))[2])
        self.parent_entries.append(target)
        return _Raw(b"\x00K%d\x00" % key)


class _Copy:
    """One packet's objects on their way into the job: each gets a new number when first referred to, and is
    written by `drain`; an object the job already holds the same of (`_shared_key`) is referred to instead."""

    def __init__(self, writer: _PacketWriter, pdf: pikepdf.Pdf, pages: list = ()):
        self._writer = writer
        self._pdf = pdf
        self.numbers: dict[tuple[int, int], int] = {}
        self._pending: deque = deque()
        self._keys: dict[tuple[int, int], bytes | None] = {}  # this packet's objects: digest, or None (its own)
        # A page's content streams are that page's own (its marked content, its MCIDs): never shared.
        self._own = {stream.objgen for page in pages for stream in _contents(page.obj)}

    def ref(self, obj) -> bytes:
        return self.ref_at(obj.objgen, obj)

    def ref_at(self, objgen: tuple[int, int], obj=None) -> bytes:
        number = self.numbers.get(objgen)
        if number is None:
            obj = self._pdf.get_object(objgen) if obj is None else obj
            key = self._shared_key(obj)
            number = self._writer._shared.get(key) if key is not None else None
            if number is None:
                number = self._writer._reserve()
                if key not in self._writer.sent:  # sent before: the job holds it, and what it refers to
                    self._pending.append(obj)
                if key is not None:
                    self._writer._shared[key] = number
            self.numbers[objgen] = number
        return _local(number)

    def drain(self) -> None:
        while self._pending:
            obj = self._pending.popleft()
            self._writer._object(self.numbers[obj.objgen], *_indirect_parts(obj, self.ref, self._pdf, self.ref_at))

    def _shared_key(self, obj) -> bytes | None:
        """A digest of `obj` as the job would write it, with each reference replaced by its target's digest;
        None for an object that is this packet's own: a page, a structure element, an annotation, anything
        that refers to one, and a page's content stream."""
        objgen = obj.objgen
        if objgen in self._keys:
            return self._keys[objgen]
        self._keys[objgen] = None  # until known; a cycle (only a packet's own objects have one) stays None
        if not _may_share(obj) or objgen in self._own:
            return None
        try:
            written = _indirect(obj, self._child_key, self._pdf)
        except _Own:
            return None
        key = hashlib.sha256(written).digest()
        self._keys[objgen] = key
        return key

    def _child_key(self, obj) -> bytes:
        key = self._shared_key(obj)
        if key is None:
            raise _Own
        return b"{" + key.hex().encode() + b"}"


class _Own(Exception):
    """An object refers to one of its packet's own: it is its packet's own too."""


# What a packet's own objects are, by their type or by the keys that tie them to a page or the structure tree.
_OWN_TYPES = {"/Page", "/Pages", "/Catalog", "/StructTreeRoot", "/StructElem", "/Annot", "/MCR", "/OBJR",
              "/Outlines", "/Metadata"}
_OWN_KEYS = ("/P", "/Pg", "/Parent", "/K", "/StructParent", "/StructParents", "/Annots", "/Obj", "/Dest")


def _may_share(obj) -> bool:
    if isinstance(obj, pikepdf.Stream):
        dictionary = obj.stream_dict
    elif isinstance(obj, pikepdf.Dictionary):
        dictionary = obj
    else:
        return isinstance(obj, pikepdf.Array)  # an array is shared when what it holds is (widths, a color space)
    return str(dictionary.get("/Type", "")) not in _OWN_TYPES and not any(key in dictionary for key in _OWN_KEYS)


def _contents(page) -> list:
    contents = page.get("/Contents")
    if isinstance(contents, pikepdf.Array):
        return [stream for stream in contents if isinstance(stream, pikepdf.Object) and stream.is_indirect]
    return [contents] if isinstance(contents, pikepdf.Stream) else []


@dataclass
class _PacketForm:
    """The field a packet's form fields join (0 until it has one), and their object numbers."""

    number: int = 0
    kids: list[int] = field(default_factory=list)


# -- serializing pikepdf objects -------------------------------------------------

_TOKEN = re.compile(rb"(\((?:[^\\()]|\\.)*\))|(\d+) (\d+) R", re.DOTALL)  # a literal string, or a reference


def _indirect(obj, ref, pdf: pikepdf.Pdf, ref_at=None) -> bytes:
    return b"".join(_indirect_parts(obj, ref, pdf, ref_at))


def _indirect_parts(obj, ref, pdf: pikepdf.Pdf, ref_at=None) -> tuple[bytes, bytes]:
    """An object as the job writes it: its dictionary or value, whose references are renumbered, and a stream's
    data (with its keywords), copied as it is."""
    if isinstance(obj, pikepdf.Stream):
        raw = obj.read_raw_bytes()
        entries = {k: v for k, v in obj.stream_dict.items() if k != "/Length"}
        entries["/Length"] = len(raw)
        return _dictionary(entries, ref), b"\nstream\n" + raw + b"\r\nendstream"  # CR LF: see render/_reportlab
    # qpdf writes the object; only its references need new numbers. qpdf writes a literal string with every
    # parenthesis and backslash in it escaped, and a string with a NUL or other binary bytes in hex: outside
    # its literal strings (skipped whole by _TOKEN), "N G R" is always a reference. (What holds a NUL, which
    # qpdf never writes, takes the slower way, value by value, so that the job's markers stay unambiguous.)
    written = obj.unparse(resolved=True)
    if b"\x00" not in written:
        if ref_at is not None:  # by number: no object is made for a reference the job already numbered
            def renumber(found):
                return found[1] or ref_at((int(found[2]), int(found[3])))
        else:
            def renumber(found):
                return found[1] or ref(pdf.get_object((int(found[2]), int(found[3]))))
        return _TOKEN.sub(renumber, written), b""
    return _direct(obj, ref), b""


class _Raw(bytes):
    """Bytes written as they are: a reference into the print job itself."""


def _value(obj, ref) -> bytes:
    if isinstance(obj, _Raw):
        return obj
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        return ref(obj)
    return _direct(obj, ref)


def _direct(obj, ref) -> bytes:
    if isinstance(obj, pikepdf.Dictionary):
        return _dictionary(dict(obj.items()), ref)
    if isinstance(obj, pikepdf.Array):
        return b"[" + b" ".join(_value(item, ref) for item in obj) + b"]"
    if isinstance(obj, pikepdf.Name):
        return _name(str(obj))
    if isinstance(obj, pikepdf.String):
        return b"<" + bytes(obj).hex().encode() + b">"
    return _scalar(obj)


def _dictionary(entries: dict, ref) -> bytes:
    return b"<< " + b" ".join(_name(key) + b" " + _value(value, ref) for key, value in entries.items()) + b" >>"


def _scalar(value) -> bytes:
    if value is None:
        return b"null"
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, (Decimal, float)):
        text = format(Decimal(str(value)), "f")
        return (text.rstrip("0").rstrip(".") if "." in text else text).encode() or b"0"
    if isinstance(value, pikepdf.Object):
        return _direct(value, lambda obj: b"null")
    raise TypeError(f"cannot copy a {type(value).__name__} into the print job")


@lru_cache(maxsize=4096)  # a job writes the same few names hundreds of thousands of times
def _name(name: str) -> bytes:
    out = bytearray(b"/")
    for byte in name.lstrip("/").encode("utf-8"):
        if 0x21 <= byte <= 0x7E and byte not in b"#()<>[]{}/%":
            out.append(byte)
        else:
            out += b"#%02X" % byte
    return bytes(out)


def _number_tree(node) -> dict[int, object]:
    """A number tree (ParentTree) as a dict: key -> value, through any /Kids."""
    found: dict[int, object] = {}
    nums = node.get("/Nums", [])
    for i in range(0, len(nums), 2):
        found[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids", []):
        found.update(_number_tree(kid))
    return found
