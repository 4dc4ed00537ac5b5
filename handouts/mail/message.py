"""The email that carries a packet: plain text and accessible HTML from `content/_email.md`, the PDF attached.

The body goes through the same sandboxed fill and Markdown parser as every
handout, so a patient's values print as typed and never become markup. The
subject is filled from the clinic profile alone: it cannot hold a patient's
name, and neither can the attachment's file name, which is fixed.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import datetime
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP, SMTPUTF8, default
from email.utils import format_datetime, make_msgid

from ..caches import holds_patient_value
from ..clock import now
from ..errors import AddressingError
from ..load.locale import Locale
from ..load.profile import localized
from ..load.project import Patient, Project
from ..load.roster import RosterRow
from ..model import Block, Callout, Heading, ListBlock, ListItem, Paragraph, Span, Timeline
from ..pipeline import load_document
from ..text.fill import fill
from .delivery import envelope

EMAIL = "_email"  # content/_email.md
BODY_PX = 18  # at least 16 px: the HTML part's text, like the large-print handouts, is never small
_HEADING_PX = {1: 28, 2: 24, 3: 21}
_FONT = "Atkinson Hyperlegible, Verdana, Arial, sans-serif"


# -- headers every patient's email shares ----------------------------------------------------------------------
#
# The email package parses every header it is given into an object of a class it makes for it, and writes each one
# out (folds it) again whenever a message is written: some 30 headers an email, parsed and folded, were a third of
# making one. Most are the same in every email of a run: the subject and the sender (the clinic's alone), the
# parts' types, encodings and the attachment's fixed name. Those are parsed once a process (`_Headers`) and, for
# each policy, folded once (`_SharedHeader`); a header is an immutable str, so every email may hold the same one.
# The recipient, the date, the Message-ID and a multipart's boundary are never kept. The messages are byte for byte
# the ones the email package makes without this (`tests/mail/test_message.py`).

_SHARED_NAMES = frozenset({"subject", "from", "mime-version", "content-type", "content-transfer-encoding",
                           "content-disposition", "content-language", "x-unsent"})
_SHARED_LIMIT = 512  # a bound, never reached by one run's few languages and senders
_FOLDS: dict[tuple, tuple[BaseHeader, str]] = {}  # (header, policy) -> the header written out


class _SharedHeader(BaseHeader):
    """The base of every header class `_Headers` makes: a shared header is folded once for each policy (by what
    the policy holds: a message's parts are written with copies of the policy the message is written with)."""

    def fold(self, *, policy) -> str:
        if not self.__dict__.get("_shared"):
            return super().fold(policy=policy)
        key = (id(self), type(policy), tuple(sorted(policy.__dict__.items())))
        try:
            kept = _FOLDS.get(key)
        except TypeError:  # a policy holding something that cannot be a key: folded each time
            return super().fold(policy=policy)
        if kept is None or kept[0] is not self:
            if len(_FOLDS) >= _SHARED_LIMIT:
                _FOLDS.clear()
            kept = _FOLDS[key] = (self, super().fold(policy=policy))  # the header held: its id stays its own
        return kept[1]


class _Headers(HeaderRegistry):
    """The email package's header factory, which gives the same header object for a header every email shares
    (`_SHARED_NAMES`, a plain value with no boundary and no value of the patient at hand)."""

    def __init__(self):
        super().__init__(base_class=_SharedHeader)
        self._shared: dict[tuple[str, str], BaseHeader] = {}
        self._classes: dict[str, type] = {}

    def __getitem__(self, name):
        """The class for headers called `name`, made once (the email package makes one each time it is asked, also
        for every header set, to read how many a message may have)."""
        key = name.lower()
        made = self._classes.get(key)
        if made is None:
            made = self._classes[key] = super().__getitem__(name)
        return made

    def __call__(self, name, value):
        if type(value) is not str or name.lower() not in _SHARED_NAMES or "boundary" in value.lower() \
                or holds_patient_value(value):
            return super().__call__(name, value)
        header = self._shared.get((name, value))
        if header is None:
            header = super().__call__(name, value)
            header._shared = True
            if len(self._shared) >= _SHARED_LIMIT:
                self._shared.clear()
            self._shared[(name, value)] = header
        return header

    def __reduce__(self):  # a copy in another process keeps its own
        return _Headers, ()


POLICY = default.clone(header_factory=_Headers())  # the email package's default policy, with `_Headers`


@dataclass(frozen=True)
class Letter:
    """What every patient's email shares: the subject and the sender."""

    subject: str
    sender: str
    language: str


def letter(project: Project, sender: str, language: str | None = None) -> Letter:
    """The subject (the title of `_email.md`, or of its edition in `language`, filled with clinic values only)
    and the sender."""
    source = project.content.load(EMAIL, language)
    title = fill(replace(source, body=source.title), {"clinic": localized(project.clinic, source.language)})
    return Letter(" ".join(title.restore(title.text).split()), sender, source.language)


def attachment_name(project: Project, row: RosterRow) -> str:
    """The packet's file name in the patient's email, in the email's language ("appointment-packet.pdf")."""
    return Locale.for_tag(email_language(project, row) or project.content.load(EMAIL).language).labels["attachment"]


def email_language(project: Project, row: RosterRow) -> str | None:
    """The row's language when `_email.md` has an edition in it (the packet's language), else None: English."""
    return row.language if project.content.has_edition(EMAIL, row.language) else None


def compose(project: Project, common: Letter, row: RosterRow, recipient: str, pdf: bytes,
            earlier: datetime | None = None) -> EmailMessage:
    """One patient's email: multipart/mixed of multipart/alternative (text, HTML) and the packet.

    Subject, body, `lang` and Content-Language follow the row's language when `_email.md` has that edition.
    `earlier`: the appointment an earlier email was for, which this one replaces (`earlier_appointment`).
    `AddressingError` when the message, read back, is not from the sender alone to `recipient` alone."""
    language = email_language(project, row)
    if language is not None and language != common.language:
        common = letter(project, common.sender, language)
    document = load_document(project, EMAIL, Patient.from_values(row.name, row.preferred_name), row.appointment,
                             language, earlier_appointment=earlier, in_sentence=True)
    message = EmailMessage(policy=POLICY)
    message["Subject"] = common.subject
    message["From"] = common.sender
    message["To"] = recipient  # the address alone: a display name would put the patient's name in every log
    message["Date"] = format_datetime(now())
    message["Message-ID"] = make_msgid(domain=common.sender.rpartition("@")[2])
    message.set_content(plain_text(document.blocks[1:]))
    message.add_alternative(html_text(common.subject, common.language, document.blocks[1:]), subtype="html")
    name = Locale.for_tag(common.language).labels["attachment"]
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=name)
    message["Content-Language"] = common.language  # after the parts: set_content clears Content-* headers
    check_addressed(message, common.sender, recipient)
    return message


def check_addressed(message: EmailMessage, sender: str, recipient: str) -> None:
    """Refuse (`AddressingError`) a message that is not from `sender` alone to `recipient` alone, as a mail
    program reads it: written out and parsed back, in both forms it leaves in (a draft's 7-bit headers, and
    UTF-8 ones for a server that takes them). Setting a header parses its value: an encoded word in an address
    ("=?utf-8?q?alice=40a.org=2C_?=bob@b.org") would come back as two addresses. The two forms are the same bytes
    when every header is 7-bit: then they are read once."""
    blocks = [_header_block(message, policy) for policy in (SMTP, SMTPUTF8)]
    for block in dict.fromkeys(blocks):
        headers = BytesParser(policy=POLICY).parsebytes(block, headersonly=True)
        read_sender, read_recipient = envelope(headers)
        for address, expected, header, rule in ((read_sender, sender, "From", "email-one-sender"),
                                                (read_recipient, recipient, "To", "email-one-recipient")):
            if address.display_name or _undecoded(address.addr_spec) != expected:
                raise AddressingError(f"the email's {header} header is not the one address it was given", rule)


def _header_block(message: EmailMessage, policy) -> bytes:
    """The message's header block, byte for byte as `message.as_bytes(policy=policy)` begins (the generator
    folds each header with `policy.fold_binary`, then a blank line): all the read-back parses, without writing
    out the attached packet each time."""
    return b"".join(policy.fold_binary(name, value) for name, value in message.raw_items()) + policy.linesep.encode()


def _undecoded(text: str) -> str:
    """Header text parsed from 8-bit (UTF-8) bytes, whose non-ASCII bytes the parser kept as surrogates."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# -- plain text ------------------------------------------------------------------------------------


def plain_text(blocks: list[Block]) -> str:
    return "\n\n".join(_plain_block(block, "") for block in blocks if _printable(block)) + "\n"


def _printable(block: Block) -> bool:
    return isinstance(block, (Heading, Paragraph, ListBlock, Callout, Timeline))


def _plain_spans(spans: list[Span]) -> str:
    parts = []
    for span in spans:
        target = (span.href or "").split(":", 1)[-1].lstrip("/")
        shown = span.text if not span.href or span.href.startswith("tel:") or target == span.text.strip() \
            else f"{span.text} ({target if span.href.startswith('mailto:') else span.href})"
        parts.append(shown)
    return "".join(parts).strip()


def _plain_block(block: Block, indent: str) -> str:
    if isinstance(block, (Heading, Paragraph)):
        return indent + _plain_spans(block.spans)
    if isinstance(block, Callout):
        return "\n\n".join(_plain_block(inner, indent) for inner in block.blocks if _printable(inner))
    if isinstance(block, Timeline):  # in words: the caption, then the steps numbered
        return "\n".join([indent + _plain_spans(block.spans), *(
            f"{indent}{number}. {_plain_spans(step.spans)}" for number, step in enumerate(block.steps, start=1))])
    lines = []
    for number, item in enumerate(block.items, start=block.start):
        marker = f"{number}." if block.ordered else "-"
        box = "" if item.task is None else ("[x] " if item.task else "[ ] ")
        lines.append(f"{indent}{marker} {box}{_plain_spans(item.spans)}")
        lines += [_plain_block(child, indent + "   ") for child in item.children if _printable(child)]
    return "\n".join(lines)


# -- HTML ------------------------------------------------------------------------------------------


def html_text(title: str, language: str, blocks: list[Block]) -> str:
    """A complete, accessible page: its language, a real heading structure, large text, no images."""
    body = "\n".join(_html_block(block) for block in blocks if _printable(block))
    text = f"color: #000000; background: #ffffff; font-family: {_FONT}; font-size: {BODY_PX}px; line-height: 1.5;"
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(language)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n"
            f'<body style="{text} margin: 0; padding: 16px; max-width: 40em;">\n'
            f'<h1 style="font-size: {_HEADING_PX[1]}px;">{html.escape(title)}</h1>\n{body}\n</body>\n</html>\n')


def _html_spans(spans: list[Span]) -> str:
    out = []
    for span in spans:
        text = html.escape(span.text)
        if span.bold:
            text = f"<strong>{text}</strong>"
        if span.href:
            text = f'<a href="{html.escape(span.href, quote=True)}" style="color: #0000ee;">{text}</a>'
        out.append(text)
    return "".join(out).strip()


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        level = min(block.level, 3)
        return f'<h{level} style="font-size: {_HEADING_PX[level]}px;">{_html_spans(block.spans)}</h{level}>'
    if isinstance(block, Paragraph):
        return f"<p>{_html_spans(block.spans)}</p>"
    if isinstance(block, Callout):
        inner = "\n".join(_html_block(b) for b in block.blocks if _printable(b))
        return f'<div role="note" style="border: 3px solid #000000; padding: 0 16px; margin: 16px 0;">\n{inner}\n</div>'
    if isinstance(block, Timeline):  # no picture in an email: the caption, then the steps as a numbered list
        steps = "\n".join(f"<li>{_html_spans(step.spans)}</li>" for step in block.steps)
        return f"<p><strong>{_html_spans(block.spans)}</strong></p>\n<ol>\n{steps}\n</ol>"
    tag = "ol" if block.ordered else "ul"
    start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
    return f"<{tag}{start}>\n" + "\n".join(_html_item(item) for item in block.items) + f"\n</{tag}>"


def _html_item(item: ListItem) -> str:
    box = "" if item.task is None else ("\u2611 " if item.task else "\u2610 ")
    children = "".join("\n" + _html_block(child) for child in item.children if _printable(child))
    return f"<li>{box}{_html_spans(item.spans)}{children}</li>"
