"""The drafts transport: each email as an `.eml` file in an outbox folder, opened by a mail program as a draft."""

from __future__ import annotations

import os
import random
import sys
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.policy import SMTP
from io import BytesIO
from pathlib import Path

from ..files.atomic import remove_leftovers, write_atomically
from ..files.outputs import check_folder
from .delivery import PermanentFailure

DRAFTED = "drafted"
DRAFT_MODE = 0o600


class DraftsTransport:
    """Writes `outbox/<file_name(message)>`, marked `X-Unsent: 1` so Outlook opens it ready to send.

    The file name comes from the caller (the row's id and date, never a name):
    writing the same row again replaces its draft, so a re-run after a crash
    leaves each patient's email in the outbox once. Each file is readable by its
    owner alone (mode 0600, like the ledger): it holds a patient's address and packet.
    """

    name = "drafts"
    replaces = True  # delivering a message again replaces its draft: a row left "sending" may simply be redone
    batches = True  # drafts are recorded a batch at a time, after `settle` (ledger.py says why that is safe)

    def __init__(self, outbox: Path):
        self.outbox = Path(outbox)
        self._unsettled: list[Path] = []

    def __enter__(self) -> DraftsTransport:
        check_folder(self.outbox)
        self.outbox.mkdir(parents=True, exist_ok=True)
        remove_leftovers(self.outbox)
        return self

    def __exit__(self, *exc) -> None:
        pass

    @staticmethod
    def prepare(message: EmailMessage) -> bytes:
        """The draft's file: its bytes, CRLF line ends as RFC 5322 files have them. A send's workers make it, so
        that this process only writes it."""
        del message["X-Unsent"]
        message["X-Unsent"] = "1"
        return as_bytes(message)

    def deliver(self, message: EmailMessage | bytes, name: str) -> str:
        """Write the draft: `message`, or the bytes `prepare` made of it."""
        data = message if isinstance(message, bytes) else self.prepare(message)
        if Path(name).name != name or not name.endswith(".eml"):
            raise PermanentFailure("the draft's file name is not a plain .eml name")  # a bug upstream; never escape
        write_atomically(self.outbox / name, data, mode=DRAFT_MODE)
        self._unsettled.append(self.outbox / name)
        return DRAFTED

    def withdraw(self, name: str) -> None:
        """Remove an earlier draft this run's draft replaces (the appointment changed): it must not be sent."""
        if Path(name).name == name and name.endswith(".eml"):
            (self.outbox / name).unlink(missing_ok=True)

    def settle(self) -> None:
        """Put the drafts written (and removed) since the last call on the disk for good: each file's bytes,
        then the outbox folder's entries. After it, a crash or a power cut loses none of them; the send records
        them as drafted only then. One sync a file and one for the folder, a batch at a time: cheaper than the
        ledger's commit a row that they replace."""
        for path in self._unsettled:
            _sync(path)
        self._unsettled.clear()
        if os.name == "posix":  # a folder cannot be opened to sync it elsewhere (Windows)
            _sync(self.outbox)


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def as_bytes(message: EmailMessage) -> bytes:
    """`message.as_bytes(policy=SMTP)`, byte for byte, with each base64 body put in whole: the email package
    writes a body a line at a time, and a packet's is some 3,600 lines (most of the time a draft took to
    write). Each such body stands in as a marker line while the rest is written, then takes its place with
    CRLF line ends, as the generator would have written its lines (`tests/mail/test_drafts_bytes.py` holds the
    two ways to each other)."""
    bodies: list[tuple[EmailMessage, str, bytes]] = []
    for index, part in enumerate(message.walk()):
        payload = part._payload  # the body as set, already base64 (get_payload() would decode it)
        if part.is_multipart() or part.get("Content-Transfer-Encoding", "").lower() != "base64" \
                or not isinstance(payload, str) or not payload.isascii() or not payload.endswith("\n") \
                or "\r" in payload:
            continue
        marker = f"handouts-body-{index}-{len(payload)}"
        if marker in payload:
            continue
        bodies.append((part, payload, marker.encode("ascii")))
    try:
        for part, _, marker in bodies:
            part._payload = marker.decode("ascii") + "\n"
        data = _written(message)
    finally:
        for part, payload, _ in bodies:
            part._payload = payload
    for _, payload, marker in bodies:
        line = marker + b"\r\n"
        if data.count(line) != 1:  # never a guess: written the slow way instead
            return message.as_bytes(policy=SMTP)
        data = data.replace(line, payload.encode("ascii").replace(b"\n", b"\r\n"))  # ASCII: the same bytes
    return data



def _written(message: EmailMessage) -> bytes:
    """`message.as_bytes(policy=SMTP)`: the same generator, whose boundaries are checked against the parts' text
    without compiling a regular expression for each (`_BoundaryWriter`)."""
    out = BytesIO()
    _BoundaryWriter(out, mangle_from_=False, policy=SMTP).flatten(message, unixfrom=False)
    return out.getvalue()


_BOUNDARY_DIGITS = "%%0%dd" % len(repr(sys.maxsize - 1))  # the email package's


class _BoundaryWriter(BytesGenerator):
    """The email package's writer, but for how a multipart's new boundary is checked: the same boundary is drawn
    (the same call on `random`), and the same one is taken, the first of it, then it with ".0", ".1" ... that
    begins no line of the parts' text as "--boundary" or "--boundary--" (the email package compiles
    `^--boundary(--)?$` for each message: the most of a boundary's cost)."""

    @classmethod
    def _make_boundary(cls, text=None):
        if not isinstance(text, bytes):
            return super()._make_boundary(text)
        boundary = ("=" * 15) + (_BOUNDARY_DIGITS % random.randrange(sys.maxsize)) + "=="
        chosen, counter = boundary, 0
        while _begins_a_line(text, b"--" + chosen.encode("ascii")):
            chosen = f"{boundary}.{counter}"
            counter += 1
        return chosen


def _begins_a_line(text: bytes, delimiter: bytes) -> bool:
    """Whether `delimiter`, or it with "--", is a whole line of `text` (what `re.MULTILINE`'s "^" and "$" take:
    after a line feed or at the start; before a line feed or at the end)."""
    at = text.find(delimiter)
    while at >= 0:
        end = at + len(delimiter)
        if (at == 0 or text[at - 1] == 10) and (text[end:end + 1] in (b"", b"\n") or (
                text[end:end + 2] == b"--" and text[end + 2:end + 3] in (b"", b"\n"))):
            return True
        at = text.find(delimiter, at + 1)
    return False
