"""Who gets what, before anything goes: each roster row's state against the ledger.

A patient is emailed their first-visit packet once. The ledger is read by
patient (ids compared as the roster compares them, ignoring letter case), so a
series of infusions is one email, and a re-run skips what already went. The
states a person sees in the review:

- new: nothing went to this patient by this transport yet (or it failed);
- already drafted / already sent: it went, for this appointment (or one of the
  patient's series, or a visit that has passed) to this address;
- appointment changed: it went for another upcoming appointment; the new email
  says that it replaces the earlier one;
- address changed: it went for this appointment, to another address;
- resend: asked for by id (`--resend`);
- may have gone: a stopped run was handing it over (SMTP); never sent again
  without `--resend`;
- not asked: `--resend` names other patients, so this row waits;
- refused: the row's problem, in words.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from ..load.roster import RosterRow, RowProblem, patient_key
from .ledger import DONE, SENDING, Key

NEW, ALREADY, CHANGED, ADDRESS, RESEND, UNSURE, NOT_ASKED, REFUSED = (
    "new", "already", "appointment changed", "address changed", "resend", "may have gone", "not asked", "refused")
DUE = (NEW, CHANGED, ADDRESS, RESEND)
APPOINTMENT = "%Y-%m-%d %H:%M"  # how the ledger writes an appointment


@dataclass(frozen=True)
class Line:
    """One row of the review: the roster row, where it goes, its state and (refused, may have gone) why."""

    number: int
    patient_id: str
    state: str
    row: RosterRow | None = None
    recipient: str | None = None
    reason: str = ""
    earlier: datetime | None = None  # appointment changed: the appointment the earlier email was for

    @property
    def due(self) -> bool:
        return self.state in DUE


def refused(problem: RowProblem) -> Line:
    return Line(problem.number, problem.patient_id, REFUSED, reason=f"{problem.field}: {problem.reason}")


def state_of(row: RosterRow, recipient: str, history: list[tuple[Key, str]], *, asked: bool, resending: bool,
             redo_sending: bool, today: date) -> Line:
    """This row's state, from the ledger records of its patient (by this transport) that `history` holds."""
    line = Line(row.number, row.patient_id, NEW, row, recipient)
    if resending and not asked:
        return replace(line, state=NOT_ASKED)  # the summary says why: only the ids given to --resend go
    if asked:
        return replace(line, state=RESEND)
    series = {f"{moment:{APPOINTMENT}}" for moment in (*row.series, row.appointment)}
    done = [key for key, status in history if status in DONE]
    # The first-visit packet went for this appointment, another of the series, or a visit that has passed.
    covered = [key for key in done if key.appointment in series or key.appointment[:10] < today.isoformat()]
    if covered:
        this = f"{row.appointment:{APPOINTMENT}}"
        moved = [key for key in covered if key.appointment == this] and \
            not [key for key in covered if key.recipient == recipient]
        return replace(line, state=ADDRESS) if moved else replace(line, state=ALREADY)
    if not redo_sending and [key for key, status in history if status == SENDING and key.appointment in series]:
        return replace(line, state=UNSURE, reason="a stopped run was handing it over, so it may have gone: check "
                                                  "the sent mail, then use --resend with its id if not")
    if done:
        earlier = max(key.appointment for key in done)
        return replace(line, state=CHANGED, earlier=datetime.strptime(earlier, APPOINTMENT))
    return line


def by_patient(latest: dict[Key, str], transport: str) -> dict[str, list[tuple[Key, str]]]:
    """The ledger's newest status of each delivery by `transport`, grouped by patient."""
    grouped: dict[str, list[tuple[Key, str]]] = {}
    for key, status in latest.items():
        if key.transport == transport:
            grouped.setdefault(patient_key(key.patient_id), []).append((key, status))
    return grouped
