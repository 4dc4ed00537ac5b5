"""Deliver each roster row's packet to that row's address, once, with a record of what went where.

The order for every row: skip it if the ledger says it already went; render
its packet in memory (the code `packets` uses); read the PDF back and check
that it shows this patient's name and nobody else's; compose the email and
check that, read back, it goes from the sender to this row's one address alone;
record "sending"; hand it to the transport; record the outcome (through a mail
server a commit each, a message at a time; drafts a batch of rows at a time,
after their files are synced: see ledger.py). Nothing here puts a name or an
address in a message: rows are named by number and id.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from functools import partial
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from .. import interrupts
from ..batch.plan import ProjectPaths, Selection, read_roster
from ..batch.workers import render_row, render_rows
from ..caches import one_patient
from ..errors import AddressingError, Finding, HandoutsError, OutputError, ProfileError, rows_text, terminal_safe
from ..files.names import collision_key, packet_filename
from ..load.dates import in_words
from ..load.profile import sample_fields
from ..load.project import Project
from ..load.roster import RosterRow, RowProblem, is_safe_id, patient_key
from ..pipeline import OPENING
from .delivery import AuthenticationFailure, DeliveryFailure, PermanentFailure, TemporaryFailure, Transport
from .ledger import COLUMNS, FAILED, SENDING, Key, Ledger
from .message import Letter, compose
from .placed import PageTexts, TextBlocks, placed_text
from .review import ALREADY, NOT_ASKED, UNSURE, Line, by_patient, refused, state_of

# The shipped sample profile's marks: North American fictional numbers, documentation domains, its street.
# A `.test` domain is not one of them: it is how the tests' fictional clinic is written (see docs/clinic-setup.md).
_WORD = re.compile(r"\w+")


def check_profile(clinic: dict, source: Path) -> None:
    """Refuse to send while the profile holds sample details: patients would call a number that is not ours."""
    fields = sample_fields(clinic)
    if fields:
        raise ProfileError(f"the clinic profile still holds the sample contact details in: {', '.join(fields)}",
                           source=str(source), rule="profile-sample",
                           hint="fill in the clinic's real ones before sending", key=fields[0])


# The ASCII characters of a plain address (RFC 5322 atext, the dots and the @); beyond ASCII, a plain
# (internationalized) address has letters, marks and digits only.
_PLAIN_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.@")
_INVALID = ("address-invalid", "is not a valid email address", "check it in the roster")


def _not_plain(address: str) -> tuple[str, str, str] | None:
    """(rule, reason, hint) for the first thing that makes `address` more than one plain address, or None.

    What a name or a second address would bring (encoded word, brackets, list, group, comment, quotes) is
    named before the spaces that usually come with it."""
    categories = [unicodedata.category(ch) for ch in address]
    if any(c[0] == "C" or c in ("Zl", "Zp") for c in categories):
        rule, holds, hint = "address-control", "an invisible or control character", "retype the address"
    elif "=?" in address:
        rule, holds, hint = ("address-encoded-word",
                             "an encoded word (=?...?=), which mail programs decode into other text",
                             "give the plain address alone")
    elif "<" in address or ">" in address:
        rule, holds, hint = "address-display-name", "angle brackets (a name with an address)", "give the address alone"
    elif "," in address or ";" in address:
        rule, holds, hint = "address-list", "a comma or semicolon (a list of addresses)", "give one address a row"
    elif ":" in address:
        rule, holds, hint = "address-group", "a colon (an address group)", "give one address alone"
    elif "(" in address or ")" in address:
        rule, holds, hint = "address-comment", "parentheses (a comment)", "give the address alone"
    elif '"' in address or "\\" in address:
        rule, holds, hint = "address-quoted", "quotes or a backslash", "give the address without them"
    elif any(ch.isspace() for ch in address) or "Zs" in categories:
        rule, holds, hint = "address-space", "a space", "give one address, without spaces"
    elif address.count("@") > 1:
        rule, holds, hint = "address-at-signs", "more than one @", "give one address"
    elif any(ch not in _PLAIN_ASCII and (ch.isascii() or c[0] not in "LMN") for ch, c in zip(address, categories)):
        rule, holds, hint = "address-character", "a character that an address does not have", "give it as name@domain"
    else:
        return None
    return rule, f"is not one plain address: it holds {holds}", hint


class AddressError(ValueError):
    """Not one plain address: `rule` names why, `reason` and `hint` say it; none of them holds the address."""

    def __init__(self, rule: str, reason: str, hint: str):
        super().__init__(f"{reason}; {hint}")
        self.rule, self.reason, self.hint = rule, reason, hint


def check_address(address: str, *, allow_reserved: bool = False) -> str:
    """The address, normalized; `AddressError` (a ValueError whose message never holds the address) when it is
    not exactly one plain address.

    One address and nothing else (`local@domain`): no name, angle brackets, second address, group, comment,
    quotes, space, control character or encoded word ("=?utf-8?q?...?=", which a mail program decodes, e.g.
    into "alice@a.org, bob@b.org"), so it can only ever become one recipient. Then its syntax (email-validator,
    no network). Reserved names that can never receive mail (.test, .invalid, .localhost) are refused for
    patients; the clinic's own --from may use .test (`allow_reserved`), for trials.
    """
    address = address.strip()
    if not address:
        raise AddressError("address-empty", "is empty", "add the patient's email address")
    problem = _not_plain(address) if "@" in address else _INVALID
    if problem is not None:
        raise AddressError(*problem)
    try:
        return validate_email(address, check_deliverability=False, test_environment=allow_reserved).normalized
    except EmailNotValidError:
        raise AddressError(*_INVALID) from None


def mask(address: str) -> str:
    """'jack.smith@example.org' -> 'j***@example.org': enough to check by eye, too little to read."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}"


@dataclass(frozen=True)
class Outgoing:
    row: RosterRow
    recipient: str  # normalized
    draft_name: str  # '<safe id>_<date>.eml': never a name
    earlier: datetime | None = None  # the appointment of an earlier email this one replaces

    def key(self, transport: str) -> Key:
        return Key(self.row.patient_id, f"{self.row.appointment:%Y-%m-%d %H:%M}", self.recipient, transport)


@dataclass
class SendPlan:
    outgoing: list[Outgoing]
    problems: list[RowProblem]  # rows that will not be sent: bad values, bad or shared addresses
    names: dict[int, str]  # row number -> name, of every good row: no packet may show another row's
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.outgoing) + len(self.problems)


def plan_send(project: Project, roster: Path, selection: Selection, allow_shared: bool = False) -> SendPlan:
    """Read and check the roster; check every address; flag addresses that more than one row shares."""
    rows, problems, notes = read_roster(project, roster, selection)
    names = {row.number: row.name for row in rows}
    checked: list[tuple[RosterRow, str]] = []
    for row in rows:
        try:
            checked.append((row, check_address(row.email)))
        except ValueError as exc:
            problems.append(RowProblem(row.number, row.patient_id, "email", str(exc)))
    by_address: dict[str, list[int]] = {}
    for row, address in checked:
        by_address.setdefault(address.casefold(), []).append(row.number)
    by_file: dict[str, list[int]] = {}
    for row, _ in checked:
        by_file.setdefault(collision_key(_draft_name(row)), []).append(row.number)
    outgoing = []
    for row, address in checked:
        shared = [n for n in by_address[address.casefold()] if n != row.number]
        clash = [n for n in by_file[collision_key(_draft_name(row))] if n != row.number]
        if shared and not allow_shared:
            problems.append(RowProblem(row.number, row.patient_id, "email", f"is the same address as row(s) "
                                       f"{', '.join(map(str, shared))}; none of them is sent: check the roster, or "
                                       "pass --allow-shared-address if one family shares it"))
        elif clash:
            problems.append(RowProblem(row.number, row.patient_id, "patient_id", f"its draft's file name is the same "
                                       f"as row(s) {', '.join(map(str, clash))}'s (ids that differ only in letter "
                                       "case, same day); give each patient a distinct id"))
        else:
            outgoing.append(Outgoing(row, address, _draft_name(row)))
    return SendPlan(outgoing, sorted(problems, key=lambda p: p.number), names, notes)


def _draft_name(row: RosterRow, appointment: datetime | None = None) -> str:
    return packet_filename(row.patient_id, appointment or row.appointment).removesuffix(".pdf") + ".eml"


# -- reading the packet back --------------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class NameCheck:
    """Does a packet show its own patient's name and no other row's? Read back as a reader's tools read it.

    Some text is in every patient's packet: the clinic's address and name, the content, the appointment. A
    patient may be called "Lakeshore", "Drive" or "Ketamine" while the clinic is at 2400 Lakeshore Drive and
    the checklist speaks of ketamine. So names are held against the shared text: the same packet (documents,
    layout, language) made for a placeholder patient, read back once, its appointment swapped for the row's.
    Another row's name is a leak only where the shared text cannot hold it; this row's own name must show
    where the shared text does not, or, when each of its names is shared, more often than the shared text
    shows it (then the placeholder's packet is made for this row's appointment, and counted). Without a
    `project` there is no shared text: every name found counts.
    """

    def __init__(self, names: dict[int, str], project: Project | None = None, forms: bool = True):
        self._forms = forms
        self._names = {number: _fold(name) for number, name in names.items()}
        self._by_first_word: dict[str, list[int]] = {}
        # Every word of every row's name but a letter alone (an initial: "a", "y" and "o" are in every text).
        self._name_words: set[str] = set()
        for number, name in self._names.items():
            words = _WORD.findall(name)
            self._name_words.update(word for word in words if len(word) > 1)
            if words:
                self._by_first_word.setdefault(words[0], []).append(number)
        self._project = project
        self._placeholder = next((name for name in _PLACEHOLDERS if not any(
            _contains(other, word) for other in self._names.values() for word in _WORD.findall(_fold(name)))),
            _PLACEHOLDERS[-1])  # all taken: a patient so named would find their name shared, and be refused
        self._references: dict[tuple, str | None] = {}  # (layout, documents, language) -> text
        # The same with the placeholder's appointment taken out, by the same key: the part of `shared_text` that
        # is the same for every row like it.
        self._unappointed: dict[tuple, str] = {}
        self._neutral: dict[tuple, list[str]] = {}  # (documents, language) -> the neutral appointment in words
        # Pages every packet like these shows, read once (`_patient_free` says which may be kept).
        self._pages = PageTexts()
        # Text objects of the pages read now that every packet like these shows (`_nameless` says which may be kept).
        self._blocks = TextBlocks(_fold)

    def problem(self, row: RosterRow, pdf: bytes) -> str | None:
        """Why this packet must not go to this row's patient, or None."""
        try:
            appointment = self._appointment(row, row.appointment)
        except HandoutsError:  # an edition this row's packet was made with is gone: it cannot be checked
            return _UNCHECKED
        shared = self.shared_text(row, appointment)
        if shared is None:
            return _UNCHECKED
        own, preferred = _fold(row.name), _fold(row.preferred_name)
        values = (own, preferred, *appointment)
        fresh: list[str] = []
        text = _read_back(pdf, self._pages, lambda page: self._patient_free(page, values), fresh,
                          self._blocks, lambda blocks, read_now: self._nameless(blocks, read_now, values))
        shown = [name for name in dict.fromkeys((own, preferred)) if _contains(text, name)]
        if shown and all(_contains(shared, name) for name in shown):  # each is a word every packet shows
            reference = self._reference(row, row.appointment)
            if reference is None:
                return _UNCHECKED
            shown = [name for name in shown if _count(text, name) > _count(reference, name)]
        if not shown:
            return "its packet does not show this patient's name when read back"
        # Another row's name begins with a word of the lines read now (`fresh`: the title and the pages not given
        # by `self._pages`): a page given again was kept only when `_patient_free` found no word in it that begins
        # any row's name. Only those lines are looked through for such words; the name is then looked for in the
        # whole text, as it reads across lines and pages.
        for word in set(_WORD.findall(_fold("\n".join(fresh)))):
            for number in self._by_first_word.get(word, ()):
                other = self._names[number]
                # A name that is part of this patient's own ('Smith' in 'Jack Smith') is theirs to show.
                if number != row.number and other != preferred and not _contains(own, other) \
                        and _contains(text, other) and not _contains(shared, other):
                    return f"its packet shows the name of row {number}'s patient"
        return None

    def _patient_free(self, page: str, values: tuple[str, ...]) -> bool:
        """Whether a page's text may be kept for the next packet: it shows none of this row's values (names,
        appointment) and no word that begins any row's name."""
        page = _fold(page)
        return not any(value and value in page for value in values) and \
            not any(word in self._by_first_word for word in _WORD.findall(page))

    def _nameless(self, blocks: list[str], read_now: list[int], values: tuple[str, ...]) -> set[int]:
        """Which of the text objects read now (`read_now`: places in `blocks`, the packet's text objects read
        through `TextBlocks`, in order, each folded) may be kept for the next packet: those that show no word of
        any row's name (but a letter alone) and no part of any of this row's values (names, appointment), which
        may run over several objects' lines: each found in the objects' text joined, the objects it runs over
        refused."""
        joined, starts, at = [], [], 0
        for text in blocks:
            starts.append(at)
            if text:
                joined.append(text)
                at += len(text) + 1
        whole = " ".join(joined)
        refused: set[int] = set()
        for value in filter(None, values):
            found = whole.find(value)
            while found >= 0:  # the objects whose text the value overlaps (an empty one's, too)
                first = bisect.bisect_right(starts, found) - 1
                last = bisect.bisect_left(starts, found + len(value))
                refused.update(range(first, last))
                found = whole.find(value, found + 1)
        return {place for place in read_now if place not in refused
                and self._name_words.isdisjoint(_WORD.findall(blocks[place]))}

    def shared_text(self, row: RosterRow, own: list[str] | None = None) -> str | None:
        """The text every packet like this row's shows, for its appointment (`own`: in words, as `_appointment`
        gives it, when the caller has it); None if it cannot be made."""
        if self._project is None:
            return ""
        key = (row.layout, row.documents, row.language)
        reference = self._unappointed.get(key)
        if reference is None:
            reference = self._reference(row, _NEUTRAL_APPOINTMENT)
            try:
                neutral = self._appointment(row, _NEUTRAL_APPOINTMENT)
            except HandoutsError:  # an edition this row's packet was made with is gone: it cannot be checked
                return None
            if reference is None:
                return None
            for appointment in neutral:  # the placeholder's appointment is no packet's: "|" stands where it was
                reference = reference.replace(appointment, " | ")
            self._unappointed[key] = reference
        try:
            own = self._appointment(row, row.appointment) if own is None else own
        except HandoutsError:
            return None
        return " | ".join((reference, *own))

    def _reference(self, row: RosterRow, appointment: datetime) -> str | None:
        """The row's packet made for the placeholder patient at `appointment`, read back. Made once for the
        neutral appointment; for a row's own appointment (a patient's value) made each time it is needed, and
        not kept for the next row."""
        key = (row.layout, row.documents, row.language)
        if appointment == _NEUTRAL_APPOINTMENT and key in self._references:
            return self._references[key]
        first = self._placeholder.split()[0]
        neutral = replace(row, name=self._placeholder, preferred_name=first, appointment=appointment)
        rendered = render_row(neutral, self._project, self._forms)
        try:
            values = (_fold(self._placeholder), _fold(first), *self._appointment(row, appointment))
        except HandoutsError:  # shared_text says so
            return None
        text = None if rendered.pdf is None else _read_back(
            rendered.pdf, self._pages, lambda page: self._patient_free(page, values), None, self._blocks,
            lambda blocks, read_now: self._nameless(blocks, read_now, values))
        if appointment == _NEUTRAL_APPOINTMENT:
            self._references[key] = text
        return text

    def _appointment(self, row: RosterRow, moment: datetime) -> list[str]:
        """`moment` in words, folded, as the row's packet prints it (in the language of each of its parts). The
        placeholder's appointment is put in words once for each language and documents."""
        key = (row.documents, row.language)
        if moment == _NEUTRAL_APPOINTMENT and key in self._neutral:
            return self._neutral[key]
        languages = {self._project.content.load(name, row.language).language for name in (OPENING, *row.documents)}
        words = [_fold(in_words(moment, language)) for language in sorted(languages)]
        if moment == _NEUTRAL_APPOINTMENT:
            self._neutral[key] = words
        return words


# A neutral patient for the shared text: the first of these whose words are in no roster name. And its
# appointment: any will do, it is taken out of the text again.
# Drafts recorded in one transaction: fewer would cost a commit a few rows again; more would keep more made
# emails in memory, and a Ctrl-C waits for the batch being written (about a second at most).
DRAFT_BATCH = 32
_PLACEHOLDERS = ("Qzxv Jwpk", "Vqjx Zkwp", "Xjzq Wvkp", "Kzqj Xvwp")
_NEUTRAL_APPOINTMENT = datetime(2026, 11, 18, 10, 0)
_UNCHECKED = "its packet could not be checked (the same packet for a placeholder patient could not be made)"


def _read_back(pdf: bytes, seen: PageTexts | None = None, keep=lambda page: False,
               fresh: list[str] | None = None, blocks: TextBlocks | None = None,
               keep_block=lambda blocks, read_now: set()) -> str:
    """The packet's title and the text its pages show, as placed in their content streams, folded (`fresh`: as
    `placed_text` fills it)."""
    return _fold(placed_text(pdf, seen, keep, fresh, blocks, keep_block))


def _count(text: str, name: str) -> int:
    """How often `name` is in `text` as whole words."""
    found, start = 0, text.find(name) if name else -1
    while start >= 0:
        end = start + len(name)
        if (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            found += 1
        start = text.find(name, start + 1)
    return found


def _contains(text: str, name: str) -> bool:
    """`name` in `text` as whole words."""
    return _count(text, name) > 0


# -- sending --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drafted:
    """A due row's email, made and checked (`message`, or what the transport hands over made of it, `prepared`),
    or why it is not sent, or why the run stops."""

    outgoing: Outgoing
    message: EmailMessage | None = None  # None once `prepared` is made of it: only that goes to the parent
    sha256: str = ""  # of the packet attached; "" when none was made
    size: int = 0  # of the packet, in bytes
    reason: str = ""  # why the row is not sent, as the ledger records it
    shown: str = ""  # ... and as the run reports it
    stop: Finding | None = None  # a failure that is not the row's (the content, a layout): every row would fail
    prepared: object | None = None  # what the transport hands over, made of the email (`DraftWork.prepare`)
    message_id: str = ""  # the email's Message-ID, for the ledger

    @property
    def made(self) -> bool:
        """Whether the email was made and checked: it may go."""
        return self.message is not None or self.prepared is not None

    @property
    def handed(self) -> object:
        """What the transport is given: the bytes made of the email in the worker, or the email itself."""
        return self.message if self.prepared is None else self.prepared


@dataclass(frozen=True)
class DraftWork:
    """What a worker process needs to make any due row's email (`batch.workers.RowWork`): every row's name,
    for the check that a packet shows no other row's, and what every email shares. Nothing in it is made from
    one row's packet or email."""

    names: dict[int, str]
    letter: Letter
    forms: bool = True
    # What the transport hands over, made of the email here rather than in the one process that delivers
    # (`DraftsTransport.prepare`: the draft's bytes); None: the email itself.
    prepare: Callable[[EmailMessage], object] | None = None

    def start(self, project: Project) -> Callable[[Outgoing], Drafted]:
        return partial(draft, project=project, check=NameCheck(self.names, project, self.forms), common=self.letter,
                       forms=self.forms, prepare=self.prepare)


def draft(outgoing: Outgoing, project: Project, check: NameCheck, common: Letter, forms: bool = True,
          prepare: Callable[[EmailMessage], object] | None = None) -> Drafted:
    """One row: its packet rendered (the code `packets` uses), read back and checked for its patient's name and
    no other row's, then its email composed and read back (one sender, one recipient)."""
    rendered = render_row(outgoing.row, project, forms)
    if rendered.failure is not None:
        if rendered.project_wide:
            return Drafted(outgoing, stop=rendered.failure)
        reason = f"the packet could not be made ({rendered.failure.rule}); check this row's values"
        return Drafted(outgoing, reason=reason, shown=reason + "; not sent")
    pdf = rendered.pdf
    sha, size = hashlib.sha256(pdf).hexdigest(), len(pdf)
    reason = check.problem(outgoing.row, pdf)
    if reason is not None:
        return Drafted(outgoing, None, sha, size, reason, reason + "; not sent")
    try:
        # The email's values stay in no cache for the next patient; a header that holds one is never shared
        # (`message.POLICY`).
        with one_patient((outgoing.row.name, outgoing.row.preferred_name, outgoing.recipient)):
            message = compose(project, common, outgoing.row, outgoing.recipient, pdf, outgoing.earlier)
    except AddressingError as exc:
        reason = f"its email would not go to this row's address alone ({exc.finding.rule}); not sent"
        return Drafted(outgoing, None, sha, size, reason, reason)
    except HandoutsError as exc:  # the email's content or the profile: every row's email would fail
        return Drafted(outgoing, stop=exc.finding)
    if prepare is None:
        return Drafted(outgoing, message, sha, size, message_id=message["Message-ID"])
    # Only what the transport needs goes back to the parent: pickling the email (its packet once more, and every
    # header a class of its own) cost the worker and the parent more than making it.
    return Drafted(outgoing, None, sha, size, prepared=prepare(message), message_id=message["Message-ID"])



@dataclass(frozen=True)
class Preview:
    """A due row whose packet was made and checked by --dry-run: its size."""

    number: int
    patient_id: str
    masked: str
    size: int


@dataclass
class SendResult:
    done: list[Outgoing] = field(default_factory=list)
    skipped: list[Outgoing] = field(default_factory=list)  # already drafted or sent
    waiting: list[Outgoing] = field(default_factory=list)  # not among the ids given to --resend
    failed: list[RowProblem] = field(default_factory=list)
    previews: list[Preview] = field(default_factory=list)  # --dry-run
    stopped: Finding | None = None  # why the run stopped early (exit 2)
    interrupted: bool = False  # Ctrl-C (exit 130)


@dataclass
class RateLimit:
    """At most `per_minute` deliveries a minute: sleep between them (the clock and sleep are injectable)."""

    per_minute: float | None = None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], object] = time.sleep
    _last: float | None = None

    def wait(self) -> None:
        if self.per_minute and self._last is not None:
            pause = self._last + 60.0 / self.per_minute - self.clock()
            if pause > 0:
                self.sleep(pause)
        self._last = self.clock()


def parse_server(text: str) -> tuple[str, int | None]:
    """'HOST', 'HOST:PORT', '[IPv6]:PORT' -> (host, port or None)."""
    text = text.strip()
    bracketed = re.fullmatch(r"\[([^\]]+)\](?::(\d+))?", text)
    if bracketed:
        host, port = bracketed.groups()
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:  # a plain host, or an IPv6 address without brackets (then it has no port)
        host, port = text, None
    if not host or (port is not None and not port.isdigit()):
        raise ValueError("give HOST or HOST:PORT, e.g. mail.clinic.org:587")
    return host, int(port) if port else None


def parse_rate(text: str) -> float:
    """'30/min', '2/s' or '30' (a minute) -> deliveries per minute; ValueError when it is not one."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(min|minute|m|s|sec|second|h|hour))?\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError("give a rate like 30/min")
    per = {"s": 1 / 60, "sec": 1 / 60, "second": 1 / 60, "h": 60.0, "hour": 60.0}.get(match.group(2) or "min", 1.0)
    return float(match.group(1)) / per


@dataclass
class Sender:
    """One run: the project, where workers open it, the transport, the ledger and the options."""

    project: Project
    paths: ProjectPaths
    letter: Letter
    transport: Transport
    ledger: Ledger | None  # None only for a dry run with no ledger yet
    jobs: int = 1
    resend: frozenset[str] = frozenset()
    rate: RateLimit = field(default_factory=RateLimit)
    progress: Callable[[int], None] = lambda n: None
    today: date = field(default_factory=date.today)  # visits before it have passed

    def review(self, plan: SendPlan) -> list[Line]:
        """Every row of the plan, in roster order, with what this run will do with it: for a person to check."""
        history = by_patient(self.ledger.latest() if self.ledger else {}, self.transport.name)
        asked = {patient_key(patient_id) for patient_id in self.resend}
        # Writing a draft again replaces it; sending again cannot be undone, so only drafts retry by themselves.
        redo = getattr(self.transport, "replaces", False)
        lines = [state_of(o.row, o.recipient, history.get(patient_key(o.row.patient_id), []),
                          asked=patient_key(o.row.patient_id) in asked, resending=bool(self.resend), redo_sending=redo,
                          today=self.today) for o in plan.outgoing]
        return sorted(lines + [refused(problem) for problem in plan.problems], key=lambda line: line.number)

    def due(self, plan: SendPlan, result: SendResult, lines: list[Line] | None = None) -> list[Outgoing]:
        """The rows to deliver now; the rest are skipped (done), waiting (--resend) or failed (may have gone)."""
        by_number = {outgoing.row.number: outgoing for outgoing in plan.outgoing}
        due = []
        for line in self.review(plan) if lines is None else lines:
            outgoing = by_number.get(line.number)
            if outgoing is None:
                continue  # a refused row: already among the plan's problems
            if line.due:
                due.append(replace(outgoing, earlier=line.earlier))
            elif line.state == ALREADY:
                result.skipped.append(outgoing)
            elif line.state == NOT_ASKED:
                result.waiting.append(outgoing)
            elif line.state == UNSURE:
                result.failed.append(_problem(outgoing, line.reason))
        return due

    def run(self, plan: SendPlan, dry_run: bool = False, lines: list[Line] | None = None) -> SendResult:
        """Deliver (or, with `dry_run`, render and check only) every due row of the plan, as `lines` reviewed it."""
        result = SendResult()
        due = self.due(plan, result, lines)
        self.progress(len(plan.problems) + len(result.skipped) + len(result.waiting) + len(result.failed))
        try:
            if dry_run:
                for drafted in self._drafted(due, plan.names, result, record=False):
                    outgoing = drafted.outgoing
                    result.previews.append(Preview(outgoing.row.number, outgoing.row.patient_id,
                                                   mask(outgoing.recipient), drafted.size))
                    result.done.append(outgoing)
                    self.progress(1)
                return result
            with self.transport, closing(self._drafted(due, plan.names, result)) as drafted_rows:
                if getattr(self.transport, "batches", False):
                    # Paced (--rate), a batch would hold Ctrl-C for as long as its pauses: one row at a time.
                    for batch in _batches(drafted_rows, 1 if self.rate.per_minute else DRAFT_BATCH):
                        stop = self._draft_batch(batch, result)
                        self.progress(len(batch))
                        if stop:
                            break
                    return result
                for drafted in drafted_rows:
                    with one_patient():  # nothing of this email stays in a cache for the next patient
                        self.rate.wait()
                        stop = self._deliver(drafted, result)
                    self.progress(1)
                    if stop:
                        break
        except AuthenticationFailure as exc:  # the transport could not even start (login, TLS, host)
            result.stopped = Finding(exc.reason, self.transport.name, rule="delivery-stopped",
                                     hint="check the server, the user name and the password")
        except KeyboardInterrupt:
            result.interrupted = True
        return result

    def _drafted(self, due: list[Outgoing], names: dict[int, str], result: SendResult,
                 record: bool = True) -> Iterator[Drafted]:
        """Each due row's email, made, read back and checked in the workers, in roster order; a row whose
        packet or email is wrong fails here (and is recorded so), and a failure that is not the row's stops."""
        work = DraftWork(names, self.letter, self.paths.forms, getattr(type(self.transport), "prepare", None))
        drafts = render_rows(due, self.project, self.paths, self.jobs, work)
        try:
            for drafted in drafts:
                if drafted.stop is not None:  # the content, a layout or the profile: every row would fail
                    result.stopped = drafted.stop
                    return
                if drafted.made:
                    yield drafted
                    continue
                result.failed.append(_problem(drafted.outgoing, drafted.shown))
                if record:
                    self.ledger.fail(drafted.outgoing.row.number, drafted.outgoing.key(self.transport.name),
                                     drafted.sha256, drafted.reason)
                self.progress(1)
        finally:
            drafts.close()  # the worker pool ends with the generator, also when the run stops early

    def _deliver(self, drafted: Drafted, result: SendResult) -> bool:
        """Record, hand over, record; True when the batch must stop. Ctrl-C waits for the record."""
        with interrupts.deferred():  # every row handed over has its outcome in the ledger
            record = self.ledger.begin(*self._record_of(drafted))
            status, reason, stop = self._hand_over(drafted, result)
            self.ledger.finish(record, status, reason)
            if status != FAILED:
                result.done.append(drafted.outgoing)
        return stop

    def _draft_batch(self, batch: list[Drafted], result: SendResult) -> bool:
        """Write a batch of drafts with one commit before and one after (ledger.py says why drafts may): every
        row recorded "sending"; each file written (and an earlier appointment's draft removed); the files and
        the outbox synced; then each outcome recorded. True when the run must stop.

        A crash at any point leaves each draft that exists with a record ("sending" or "drafted"), and "drafted"
        only for drafts on the disk; a re-run redoes every row left "sending" (a draft is replaced, never
        doubled). An exception (a Ctrl-C, a bug) still records what was written, once it is synced."""
        with interrupts.deferred():
            records = self.ledger.begin_batch([self._record_of(drafted) for drafted in batch])
            outcomes: list[tuple[int, str, str]] = []
            stop = False
            try:
                for record, drafted in zip(records, batch):
                    with one_patient():  # nothing of this email stays in a cache for the next patient
                        self.rate.wait()
                        status, reason, stop = self._hand_over(drafted, result)
                    outcomes.append((record, status, reason))
                    if stop:
                        break
            finally:
                self._settle(outcomes)
        result.done += [drafted.outgoing for drafted, (_, status, _) in zip(batch, outcomes) if status != FAILED]
        return stop

    def _settle(self, outcomes: list[tuple[int, str, str]]) -> None:
        """Sync the drafts written, then record the outcomes; if they cannot be synced, record the failures only
        (the rest stay "sending", which the next run redoes) and stop."""
        try:
            self.transport.settle()
        except OSError as exc:
            self.ledger.finish_batch([outcome for outcome in outcomes if outcome[1] == FAILED])
            raise OutputError(f"the drafts could not be put on the disk ({exc.strerror})",
                              source=str(getattr(self.transport, "outbox", "")), rule="output-write-failed",
                              hint="check that the disk has room and works") from None
        self.ledger.finish_batch(outcomes)

    def _record_of(self, drafted: Drafted) -> tuple[int, Key, str, str]:
        """What the ledger records of a row as it goes: its number, key, attachment and Message-ID."""
        outgoing = drafted.outgoing
        return outgoing.row.number, outgoing.key(self.transport.name), drafted.sha256, drafted.message_id

    def _hand_over(self, drafted: Drafted, result: SendResult) -> tuple[str, str, bool]:
        """Give one email to the transport: (the status to record, why it failed, whether the run must stop)."""
        outgoing = drafted.outgoing
        try:
            status = self.transport.deliver(drafted.handed, outgoing.draft_name)
        except (PermanentFailure, TemporaryFailure) as exc:  # this row only; a re-run tries it again
            result.failed.append(_problem(outgoing, exc.reason))
            return FAILED, exc.reason, False
        except DeliveryFailure as exc:  # authentication, or a kind not known here: nothing more can go
            result.failed.append(_problem(outgoing, exc.reason))
            result.stopped = Finding(exc.reason, self.transport.name, rule="delivery-stopped",
                                     hint="check the server, the user name and the password"
                                     if isinstance(exc, AuthenticationFailure) else None)
            return FAILED, exc.reason, True
        except OutputError as exc:  # the outbox stopped taking files: every row would fail the same way
            result.failed.append(_problem(outgoing, "the draft could not be written"))
            result.stopped = exc.finding
            return FAILED, "the draft could not be written", True
        withdraw = getattr(self.transport, "withdraw", None)
        if outgoing.earlier is not None and withdraw is not None:  # the earlier draft is out of date
            earlier = _draft_name(outgoing.row, outgoing.earlier)
            if earlier != outgoing.draft_name:
                withdraw(earlier)
        return status, "", False


def _batches(items: Iterator[Drafted], size: int) -> Iterator[list[Drafted]]:
    """`items` in lists of `size` (the last one shorter)."""
    batch: list[Drafted] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _problem(outgoing: Outgoing, reason: str) -> RowProblem:
    return RowProblem(outgoing.row.number, outgoing.row.patient_id, "delivery", reason)


# -- what a run says at the end --------------------------------------------------------------------


def summary_line(done: int, skipped: int, failed: list[RowProblem], done_word: str, label: str | None = None) -> str:
    """'drafted 48, skipped 2 (already drafted), failed 1 (row 17: email is not a valid email address)'."""
    parts = [f"{label or done_word} {done}"]
    if skipped:
        parts.append(f"skipped {skipped} (already {done_word})")
    if failed:
        parts.append(f"failed {len(failed)} ({_failures(failed)})")
    return ", ".join(parts)


def _failures(problems: list[RowProblem]) -> str:
    if len(problems) == 1:
        problem = problems[0]
        what = "" if problem.field == "delivery" else f"{problem.field} "
        return f"row {problem.number}: {what}{problem.reason.split(';')[0]}"
    return f"{rows_text(p.number for p in problems)}; see above"


def ledger_summary(ledger: Ledger, patient_id: str | None = None) -> list[str]:
    """Counts per transport, then each patient's newest delivery (or, for `patient_id`, every record of
    that patient), in local time. Addresses are masked; an id is shown only when it is plainly one."""
    by_transport: dict[str, dict[str, int]] = {}
    for (transport, status), count in sorted(ledger.summary().items()):
        by_transport.setdefault(transport, {})[status] = count
    lines = [f"{len(ledger.records())} delivery record(s) in {ledger.path} (a resend adds one); where each stands now:"]
    for transport, counts in by_transport.items():
        lines.append(f"  {transport}: " + ", ".join(f"{_status_words(status)} {count}"
                                                   for status, count in counts.items()))
    records = [dict(zip(COLUMNS, record)) for record in ledger.records()]
    if patient_id is not None:
        chosen = [r for r in records if patient_key(r["patient_id"]) == patient_key(patient_id)]
        lines.append(f"Every delivery of this patient ({len(chosen)}):" if chosen
                     else "No delivery of this patient_id is recorded.")
    else:
        newest: dict[tuple[str, str], dict] = {}
        for record in records:  # in order: the newest record of a patient and transport wins
            newest[(patient_key(record["patient_id"]), record["transport"])] = record
        chosen = sorted(newest.values(), key=lambda r: r["id"])
        lines.append("Each patient's newest delivery:" if chosen else "No deliveries yet.")
    for record in chosen:
        who = record["patient_id"] if is_safe_id(record["patient_id"]) else "(patient_id not shown)"
        reason = f" ({record['reason']})" if record["reason"] else ""
        lines.append(terminal_safe(f"  {who}: {_status_words(record['status'])}{reason}, {local_time(record['time'])}"
                                   f", appointment {record['appointment']}, to {mask(record['recipient'])}"
                                   f", by {record['transport']}"))
    return lines


def _status_words(status: str) -> str:
    return "handed over, outcome unknown" if status == SENDING else status


def local_time(stamp: str) -> str:
    """A ledger time (UTC, ISO 8601) as this computer's local time: '2026-12-05 08:12'."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp
