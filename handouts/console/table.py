"""The roster review: one line per patient, with the same checks and review states as `packets` and `send`.

A row the packets run refuses (`read_roster`'s problems) is a problem row: listed first, never selectable. A
row whose packet can be made but whose email cannot go (no address, not one plain address, an address another
row has) is listed first too, with that problem: it can be chosen for a printed packet, and is never emailed.
Every other row's status is its state in the send review (`mail.review`), against the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..batch.plan import Selection, read_roster
from ..clock import today
from ..load.dates import in_words
from ..load.languages import language_name
from ..load.project import Project
from ..load.roster import RosterRow, RowProblem, patient_key
from ..mail.ledger import Ledger
from ..mail.message import EMAIL
from ..mail.review import ADDRESS, ALREADY, CHANGED, NEW, NOT_ASKED, RESEND, UNSURE, Line, by_patient, state_of
from ..mail.send import plan_send
from ..mail.session import MailSettings


@dataclass
class TableRow:
    number: int
    patient_id: str
    status: str
    problem: bool = False  # the packets run refuses it: it cannot be chosen
    mail_problem: bool = False  # its packet can be made, its email cannot go
    row: RosterRow | None = None
    documents: str = ""
    email: str = ""
    selected: bool = False

    @property
    def selectable(self) -> bool:
        return not self.problem

    @property
    def sendable(self) -> bool:
        return not self.problem and not self.mail_problem

    @property
    def name(self) -> str:
        return self.row.name if self.row else ""

    @property
    def appointment(self) -> str:
        return in_words(self.row.appointment) if self.row else ""

    @property
    def language(self) -> str:
        return language_name(self.row.language) if self.row else ""

    @property
    def print_size(self) -> str:
        return self.row.layout.replace("-", " ") if self.row else ""


@dataclass
class Table:
    rows: list[TableRow]
    notes: list[str] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return sum(row.problem or row.mail_problem for row in self.rows)

    def chosen(self, numbers: set[int] | None) -> list[TableRow]:
        return [row for row in self.rows if row.selectable and (numbers is None or row.number in numbers)]

    def by_number(self, number: int) -> TableRow | None:
        return next((row for row in self.rows if row.number == number), None)


def selection() -> Selection:
    return Selection(today())


def roster_table(project: Project, roster: Path, settings: MailSettings, ledger: Path,
                 chosen: set[int] | None = None) -> Table:
    """Every row of the roster the runs would use, problems first; `chosen`: the rows ticked (None: all)."""
    rows, problems, notes = read_roster(project, roster, selection())
    plan = plan_send(project, roster, Selection(today(), parts=(EMAIL,)))
    packet_problems = {problem.number for problem in problems}
    mail_problems = {problem.number: problem for problem in plan.problems if problem.number not in packet_problems}
    states = {line.number: line for line in review_lines(plan.outgoing, settings, ledger)}
    table = [TableRow(p.number, p.patient_id, _problem_words(p), problem=True) for p in problems]
    for row in rows:
        mail = mail_problems.get(row.number)
        line = states.get(row.number)
        status = _problem_words(mail) if mail else _state_words(line, settings)
        table.append(TableRow(row.number, row.patient_id, status, mail_problem=mail is not None, row=row,
                              documents=", ".join(_title(project, name) for name in row.documents),
                              email=row.email,
                              selected=chosen is None or row.number in chosen))
    table.sort(key=lambda r: (not (r.problem or r.mail_problem), r.number))
    return Table(table, notes)


def review_lines(outgoing, settings: MailSettings, ledger_path: Path) -> list[Line]:
    """Each row's state against the ledger, by the transport the settings choose (`mail.review.state_of`)."""
    ledger = Ledger.existing(ledger_path, read_only=True)
    try:
        history = by_patient(ledger.latest() if ledger else {}, "smtp" if settings.server else "drafts")
    finally:
        if ledger is not None:
            ledger.close()
    return [state_of(o.row, o.recipient, history.get(patient_key(o.row.patient_id), []), asked=False,
                     resending=False, redo_sending=not settings.server, today=today()) for o in outgoing]


def _title(project: Project, name: str) -> str:
    try:
        return project.content.load(name).title
    except Exception:  # the packets run says why a document cannot be read
        return name


def _problem_words(problem: RowProblem) -> str:
    return f"{problem.field}: {problem.reason}"


def state_words(state: str, drafts: bool, earlier: datetime | None = None) -> str:
    """A review state as the front desk reads it."""
    done = "drafted" if drafts else "sent"
    words = {
        NEW: "New",
        ALREADY: f"Already {done}",
        CHANGED: "Appointment changed" + (f" (this email replaces the one for {in_words(earlier)})"
                                          if earlier else ""),
        ADDRESS: "Address changed: it goes to the new address",
        RESEND: "Resend",
        UNSURE: "May have gone: a stopped send was handing it over; check the clinic's sent mail, then use "
                "Resend if it did not go",
        NOT_ASKED: "Not asked this time",
    }
    return words.get(state, state)


def _state_words(line: Line | None, settings: MailSettings) -> str:
    if line is None:
        return "New"
    return state_words(line.state, not settings.server, line.earlier)
