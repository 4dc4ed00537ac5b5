"""A send run from start to end, for any face (the command line, the console).

`open_send` checks everything before anything goes (the profile, the sender,
the roster and every address, sign-off, where it writes), opens and holds the
ledger and reviews each row against it: the review is what a person confirms.
`SendSession.run` then delivers. `ledger_report` answers "was this patient
emailed?" from the ledger alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..batch.plan import ProjectPaths, Selection
from ..errors import InputError
from ..files.outputs import check_ledger_export, check_send_writes, inputs_of
from ..load.profile import sample_fields
from ..load.project import Project
from ..load.signoff import require_approved
from ..pipeline import OPENING
from .drafts import DraftsTransport
from .ledger import Ledger
from .message import EMAIL, letter
from .review import Line
from .send import (
    RateLimit,
    Sender,
    SendPlan,
    SendResult,
    check_address,
    check_profile,
    ledger_summary,
    parse_rate,
    parse_server,
    plan_send,
)
from .smtp import SmtpTransport


@dataclass(frozen=True)
class MailSettings:
    """How the emails leave: as drafts in an outbox, or through a mail server."""

    outbox: Path
    server: str | None = None  # HOST[:PORT]; None: drafts
    implicit_tls: bool = False  # port 465; else STARTTLS
    ca_file: Path | None = None
    user: str | None = None
    sender: str | None = None  # the From address; None: the clinic profile's email
    rate: str | None = None  # "30/min"


@dataclass(frozen=True)
class SendOptions:
    paths: ProjectPaths
    selection: Selection
    ledger: Path
    jobs: int = 1
    resend: frozenset[str] = frozenset()
    allow_shared_address: bool = False
    allow_draft: bool = False  # drafts only: refused with a mail server


@dataclass
class SendSession:
    """One send run, reviewed and holding its ledger; a context manager that closes the ledger."""

    plan: SendPlan
    lines: list[Line]  # the review: who gets what, each row's state
    sender: Sender
    ledger: Ledger | None  # None only for a dry run with no ledger yet
    dry_run: bool
    notes: list[str] = field(default_factory=list)

    @property
    def transport(self):
        return self.sender.transport

    @property
    def due(self) -> list[Line]:
        return [line for line in self.lines if line.due]

    def run(self, progress: Callable[[int], None] = lambda n: None) -> SendResult:
        self.sender.progress = progress
        return self.sender.run(self.plan, self.dry_run, self.lines)

    def close(self) -> None:
        if self.ledger is not None:
            self.ledger.close()

    def __enter__(self) -> SendSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_send(project: Project, roster: Path, settings: MailSettings, options: SendOptions, *, dry_run: bool,
              password: Callable[[str], str | None] = lambda user: None) -> SendSession:
    """Check everything, open the transport and the ledger (held against a second run), and review each row.
    `password(user)` is asked only when a real run logs in."""
    if options.allow_draft and settings.server:
        raise InputError("documents not approved go into drafts (.eml) to review, never into email that goes out",
                         source="--smtp", rule="allow-draft-smtp",
                         hint="approve the documents (handouts approve), or write drafts instead")
    check_profile(project.clinic, options.paths.clinic or Path(options.paths.content) / "clinic.yaml")
    common = letter(project, sender_address(settings.sender or project.clinic.get("email")))
    limit = rate_limit(settings.rate)
    selection = options.selection
    plan = plan_send(project, roster, Selection(selection.today, selection.day, selection.ids, options.allow_draft,
                                                selection.fallback_to_english, (EMAIL,)), options.allow_shared_address)
    notes = []
    if not options.allow_draft and plan.outgoing:
        documents = [name for outgoing in plan.outgoing for name in outgoing.row.documents]
        notes += require_approved(project.content, [OPENING, EMAIL, *documents], bool(sample_fields(project.clinic)))
    notes += plan.notes
    unknown = {i.casefold() for i in options.resend} - {o.row.patient_id.casefold() for o in plan.outgoing}
    if unknown:
        notes.append(f"{len(unknown)} --resend id(s) match no row that can be sent")
    transport = open_transport(settings, None if dry_run else password)
    if not dry_run:
        check_send_writes(options.ledger, None if settings.server else settings.outbox,
                          inputs_of(roster, options.paths.content, options.paths.layouts, options.paths.clinic))
    ledger = Ledger.existing(options.ledger, read_only=True) if dry_run else Ledger(options.ledger)
    try:
        if ledger is not None and not dry_run:
            ledger.hold()
        sender = Sender(project, options.paths, common, transport, ledger, options.jobs, options.resend, limit,
                        today=selection.today)
        return SendSession(plan, sender.review(plan), sender, ledger, dry_run, notes)
    except BaseException:
        if ledger is not None:
            ledger.close()
        raise


def sender_address(address: str | None) -> str:
    """The From address, checked as strictly as a patient's: one plain address."""
    if not address:
        raise InputError("there is no sender address", source="--from", rule="sender-missing",
                         hint="add 'email: ...' to the clinic profile")
    try:
        return check_address(address, allow_reserved=True)
    except ValueError as exc:  # its reason names the rule (one plain address), never the address
        raise InputError(f"the sender address {getattr(exc, 'reason', 'is not a valid email address')}",
                         source="--from", rule="sender-invalid",
                         hint="give one plain address, or fix 'email' in the clinic profile") from None


def rate_limit(text: str | None) -> RateLimit:
    """'30/min' -> at most 30 deliveries a minute; None: as fast as the transport takes them."""
    try:
        return RateLimit(parse_rate(text) if text else None)
    except ValueError as exc:
        raise InputError(f"the rate is not one this can follow ({exc})", source="--rate", rule="rate-invalid",
                         hint="write it as deliveries a minute, e.g. 30/min") from None


def open_transport(settings: MailSettings, password: Callable[[str], str | None] | None):
    """The drafts transport, or the SMTP one; the password never comes from the command line."""
    if not settings.server:
        return DraftsTransport(settings.outbox)
    try:
        host, port = parse_server(settings.server)
    except ValueError as exc:
        raise InputError("the mail server is not a host name with an optional port", source="--smtp",
                         rule="smtp-server-invalid", hint=str(exc)) from None
    secret = smtp_password(settings.user, password) if settings.user and password is not None else None
    return SmtpTransport(host, port, security="tls" if settings.implicit_tls else "starttls",
                         ca_file=settings.ca_file, username=settings.user, password=secret)


PASSWORD_ENV = "HANDOUTS_SMTP_PASSWORD"
KEYRING_SERVICE = "handouts"  # the system keyring's service name; its username is the mail user


def smtp_password(user: str, ask: Callable[[str], str | None]) -> str | None:
    """The mail server's password for `user`, from the first place that has one: `HANDOUTS_SMTP_PASSWORD`; the
    system keyring (service "handouts", username `user`), when the optional `keyring` package is installed and has
    a backend; else `ask(user)`, the face's hidden prompt. Never from the clinic profile (it refuses a password)
    nor from the command line (the process list would show it)."""
    secret = os.environ.get(PASSWORD_ENV)
    if secret:
        return secret
    try:
        import keyring  # the optional extra `handouts[keyring]`
    except ImportError:
        keyring = None
    if keyring is not None:
        try:
            secret = keyring.get_password(KEYRING_SERVICE, user)
        except Exception:  # no backend (NoKeyringError), a locked or a broken one: none of them stops a send
            secret = None
        if secret:
            return secret
    return ask(user)


def ledger_report(ledger_path: Path, status: str | None, export: Path | None, inputs, force: bool = False
                  ) -> list[str]:
    """`--status [ID]` lines and/or the CSV export, from the ledger alone (read-only: it may belong to
    another user of a shared drive)."""
    ledger = Ledger.existing(ledger_path, read_only=True)
    if ledger is None:
        raise InputError("there is no ledger here yet", source=str(ledger_path), rule="ledger-missing",
                         hint="send first, or name the ledger")
    with ledger:
        lines = ledger_summary(ledger, status or None) if status is not None else []
        if export:
            check_ledger_export(export, ledger_path, inputs, replace=force)
            lines.append(f"Wrote {ledger.export_csv(export)} record(s) to {export}.")
    return lines
