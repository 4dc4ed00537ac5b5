"""Making packets and sending emails from the console: the library's runs, in a thread, one at a time.

Packets: `prepare_packets` checks everything before anything is written (an error is a page at once), then
`write_packets` runs in a thread and the page shows its progress. Sending: the confirmation page is the send
review (`open_send`, dry run) for the rows chosen; "Send N emails" opens the real run, which holds the
ledger's lock for as long as it runs (a second send, from another tab or another program, is told one is
running), checks that it would deliver exactly what the person confirmed, then delivers in a thread.
"""

from __future__ import annotations

import hashlib
import queue
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from ..batch.plan import Selection
from ..batch.run import PacketsPlan, RunOptions, prepare_packets, write_packets
from ..clock import today
from ..errors import HandoutsError, InputError
from ..load.project import Project
from ..mail.message import attachment_name
from ..mail.review import Line
from ..mail.send import parse_server
from ..mail.session import (
    MailSettings,
    SendOptions,
    SendSession,
    open_send,
    rate_limit,
    sender_address,
    smtp_password,
)
from .state import Bug, ConsoleConfig, Job
from .table import state_words

BUSY = "ledger-busy"  # the ledger's lock is held: another send is running
STARTED, CHANGED = "started", "changed"  # how opening a send run went: it runs, or the review changed


def routes(pages) -> list[Route]:
    runs = Runs(pages)
    return [
        Route("/packets", runs.make, methods=["POST"]),
        Route("/packets", runs.packets),
        Route("/packets/print-job", runs.print_job),
        Route("/send/choose", runs.choose, methods=["POST"]),
        Route("/send", runs.confirm),
        Route("/resend", runs.confirm_resend),
        Route("/send", runs.send, methods=["POST"]),
        Route("/send/progress", runs.sending),
    ]


class Runs:
    def __init__(self, pages):
        self.pages = pages
        self.console = pages.console

    def busy(self, job: Job | None = None) -> Response:
        kind = (job or self.console.running() or Job("send", 0)).kind
        return self.pages.view("busy.html", 409, title="A send is running" if kind == "send"
                               else "Packets are being made", kind=kind)

    def nothing_chosen(self, what: str) -> Response:
        return self.pages.view("home_again.html", 400, title="No row is chosen",
                               message=f"Tick at least one row on the roster review to {what}.")

    # -- packets -------------------------------------------------------------------------------------------------

    async def make(self, request: Request) -> Response:
        chosen = await self.pages.choose(request)
        if isinstance(chosen, Response):
            return chosen
        if self.console.running():
            return self.busy()
        try:
            started = await run_in_threadpool(self._start_packets)
        except HandoutsError as exc:
            return self.pages.problem(exc, "The packets cannot be made")
        if isinstance(started, Response):
            return started
        return RedirectResponse("/packets", status_code=303)

    def _start_packets(self):
        config, table = self.console.config, self.pages.table()
        rows = table.chosen(self.console.selected)
        if not rows:
            return self.nothing_chosen("make packets for")
        everyone = len(rows) == len(table.chosen(None))
        # Everyone chosen: the day's print job; some: a print job of their own, as `packets --id` names it.
        options = RunOptions(config.paths, Selection(today(), ids=() if everyone else
                                                     tuple(row.patient_id for row in rows)))
        project = config.project()
        packets = prepare_packets(project, self.console.roster.path, config.packets, config.print_job(today()),
                                  options)
        if not packets.plan.total:
            return self.nothing_chosen("make packets for")
        job = self.console.start_job("packets", packets.plan.total,
                                     lambda job: packets_outcome(project, packets, options, job))
        return job if job is not None else self.busy()

    async def packets(self, request: Request) -> Response:
        job = self.console.job
        if job is None or job.kind != "packets":
            return RedirectResponse("/roster", status_code=303)
        return self._unfinished(job, "Making packets") or \
            self.pages.view("packets.html", title="Packets made", current="roster", outcome=job.outcome)

    def _unfinished(self, job, title: str) -> Response | None:
        """The progress page while the job runs, the bug page if it broke; None once it has its outcome."""
        if not job.finished:
            return self.pages.view("progress.html", title=title, current="roster", job=job)
        if isinstance(job.outcome, Bug):
            return self.pages.view("bug.html", 500, title="Something went wrong inside handouts", log=job.outcome.log)
        return None

    async def print_job(self, request: Request) -> Response:
        job = self.console.job
        outcome = job.outcome if job is not None and job.finished and job.kind == "packets" else None
        path = outcome.get("print_job") if isinstance(outcome, dict) else None
        if path is None or not Path(path).is_file():
            return self.pages.not_found()
        return FileResponse(path, media_type="application/pdf", filename=Path(path).name)

    # -- sending -------------------------------------------------------------------------------------------------

    async def choose(self, request: Request) -> Response:
        chosen = await self.pages.choose(request)
        if isinstance(chosen, Response):
            return chosen
        return RedirectResponse("/send", status_code=303)

    def _ids(self) -> tuple[str, ...]:
        table = self.pages.table()
        return tuple(row.patient_id for row in table.chosen(self.console.selected) if row.sendable)

    def _options(self, ids: tuple[str, ...], resend: str | None) -> SendOptions:
        config = self.console.config
        return SendOptions(config.paths, Selection(today(), ids=ids), config.ledger,
                           resend=frozenset([resend] if resend else []))

    async def confirm(self, request: Request) -> Response:
        return await self._confirm(None)

    async def confirm_resend(self, request: Request) -> Response:
        patient_id = request.query_params.get("id", "")
        if not patient_id:
            return self.pages.not_found()
        return await self._confirm(patient_id)

    async def _confirm(self, resend: str | None) -> Response:
        if self.console.roster is None:
            return RedirectResponse("/", status_code=303)
        try:
            review = await run_in_threadpool(self._review, resend)
        except HandoutsError as exc:
            return self._refused_send(exc)
        if isinstance(review, Response):
            return review
        return self.pages.view("confirm.html", title="Check before sending", current="roster", resend=resend,
                               generation=self.console.roster.generation, password=self._asks_password(), **review)

    def _review(self, resend: str | None):
        ids = (resend,) if resend else self._ids()
        if not ids:
            return self.nothing_chosen("email")
        project = self.console.config.project()
        settings = self.console.mail_settings(sending=True)
        with open_send(project, self.console.roster.path, settings, self._options(ids, resend),
                       dry_run=True) as session:
            return {"due": [line_view(line, settings, project) for line in session.due],
                    "others": [line_view(line, settings, project) for line in session.lines if not line.due],
                    "notes": session.notes, "digest": digest(session.due)}

    def _asks_password(self) -> bool:
        settings = self.console.mail_settings()
        # The password field shows only when neither the environment nor the keyring has it.
        return bool(settings.server and settings.user and smtp_password(settings.user, lambda user: None) is None)

    def _refused_send(self, exc: HandoutsError) -> Response:
        if exc.finding.rule == BUSY:
            return self.busy(Job("send", 0))
        return self.pages.problem(exc, "The emails cannot be sent")

    async def send(self, request: Request) -> Response:
        form = await self.pages.form(request)
        if isinstance(form, Response):
            return form
        if self.console.roster is None or form.get("generation") != str(self.console.roster.generation):
            return self.pages.view("home_again.html", 409, title="The roster changed",
                                   message="Another roster was checked since this page was shown: check it again.")
        if self.console.running():
            return self.busy()
        try:
            started = await run_in_threadpool(self._start_send, form.get("resend") or None, form.get("digest"),
                                              form.get("password") or None)
        except HandoutsError as exc:
            return self._refused_send(exc)
        if isinstance(started, Response):
            return started
        return RedirectResponse("/send/progress", status_code=303)

    def _start_send(self, resend: str | None, confirmed: str, password: str | None):
        """Open the send run in the job's own thread (the ledger's connection lives there), and answer once it
        holds the ledger and has checked that it would deliver what was confirmed, or could not."""
        ids = (resend,) if resend else self._ids()
        if not ids:
            return self.nothing_chosen("email")
        settings = self.console.mail_settings(sending=True)
        project, roster = self.console.config.project(), self.console.roster.path
        opened: queue.Queue = queue.Queue(maxsize=1)

        def work(job: Job):
            try:
                session = open_send(project, roster, settings, self._options(ids, resend), dry_run=False,
                                    password=lambda user: password)
            except HandoutsError as exc:  # refused, or busy: the page says so
                opened.put(exc)
                return None
            except BaseException as exc:  # a bug: the job records where it happened
                opened.put(exc)
                raise
            with session:
                if digest(session.due) != confirmed:
                    opened.put(CHANGED)
                    return None
                job.total = session.plan.total
                opened.put(STARTED)
                return send_outcome(session, settings, job)

        job = self.console.start_job("send", 0, work)
        if job is None:
            return self.busy()
        answer = opened.get()
        if isinstance(answer, HandoutsError):
            raise answer
        if isinstance(answer, BaseException):
            return self.pages.view("bug.html", 500, title="Something went wrong inside handouts",
                                   log=job_log(job))
        if answer == CHANGED:
            return self.pages.view("home_again.html", 409, title="The list changed",
                                   message="Who gets what is no longer what the confirmation page showed (the sent "
                                           "mail or the roster changed): nothing was sent. Check it again.")
        return job

    async def sending(self, request: Request) -> Response:
        job = self.console.job
        if job is None or job.kind != "send":
            return RedirectResponse("/send", status_code=303)
        if job.finished and job.outcome is None:  # it never started (refused, or the review changed): shown then
            return RedirectResponse("/send", status_code=303)
        return self._unfinished(job, "Sending emails") or \
            self.pages.view("results.html", title="Emails: results", current="roster", outcome=job.outcome)


def digest(due: list[Line]) -> str:
    """What a person confirmed: each row's number, patient id and address."""
    text = "\n".join(f"{line.number}\t{line.patient_id}\t{line.recipient}" for line in due)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def line_view(line: Line, settings: MailSettings, project: Project) -> dict:
    row = line.row
    from ..load.dates import in_words

    return {"number": line.number, "patient_id": line.patient_id, "name": row.name if row else "",
            "recipient": line.recipient or "", "appointment": in_words(row.appointment) if row else "",
            "state": state_words(line.state, not settings.server, line.earlier),
            "reason": line.reason if not row else "",
            "attachment": attachment_name(project, row) if row else ""}


def packets_outcome(project: Project, packets: PacketsPlan, options: RunOptions, job: Job) -> dict:
    """Write the packets (the library's run) and say how it went, in words."""
    run = write_packets(project, packets, options, job.progress)
    return {
        "written": len(run.result.written), "folder": str(packets.out_dir),
        "print_job": str(packets.print_job) if run.pages is not None else None, "pages": run.pages,
        "listed": run.listed, "withdrawn": run.withdrawn,
        "removed_print_job": str(run.removed_print_job) if run.removed_print_job else None,
        "problems": [str(problem) for problem in run.problems], "notes": packets.notes,
        "unlisted": run.unlisted, "stopped": run.result.stopped, "interrupted": run.result.interrupted,
        "unwritten": run.unwritten,
    }


def send_outcome(session: SendSession, settings: MailSettings, job: Job) -> dict:
    """Deliver (the library's run, holding the ledger) and say, row by row, how it went."""
    result = session.run(job.progress)
    drafts = not settings.server
    rows = [_result_row(o, "Drafted" if drafts else "Sent", True) for o in result.done]
    rows += [_result_row(o, "Already drafted" if drafts else "Already sent", True) for o in result.skipped]
    rows += [_result_row(o, "Not asked this time", False) for o in result.waiting]
    by_number = {o.row.number: o for o in session.plan.outgoing}
    for problem in sorted(session.plan.problems + result.failed, key=lambda p: p.number):
        outgoing = by_number.get(problem.number)
        rows.append({"number": problem.number, "patient_id": problem.patient_id,
                     "name": outgoing.row.name if outgoing else "", "recipient": outgoing.recipient if outgoing else "",
                     "result": f"Not sent: {problem.reason}" if problem.field == "delivery"
                     else f"Not sent: {problem.field}: {problem.reason}", "failed": True, "resend": False})
    rows.sort(key=lambda r: r["number"])
    return {"rows": rows, "done": len(result.done), "skipped": len(result.skipped),
            "failed": len(session.plan.problems) + len(result.failed), "drafts": drafts,
            "outbox": str(settings.outbox), "stopped": result.stopped, "interrupted": result.interrupted}


def _result_row(outgoing, words: str, resend: bool) -> dict:
    return {"number": outgoing.row.number, "patient_id": outgoing.row.patient_id, "name": outgoing.row.name,
            "recipient": outgoing.recipient, "result": words, "failed": False, "resend": resend}


def posted_settings(form, config: ConsoleConfig) -> MailSettings:
    """The Mail settings form as MailSettings, each value checked as `send` checks it (InputError if not)."""
    server = form.get("server").strip() or None
    if server:
        try:
            parse_server(server)
        except ValueError as exc:
            raise InputError("the mail server is not a host name with an optional port", source="Mail server",
                             rule="smtp-server-invalid", hint=str(exc)) from None
    sender = form.get("sender").strip() or None
    if sender:
        sender_address(sender)
    rate = form.get("rate").strip() or None
    rate_limit(rate)
    ca_file = form.get("ca_file").strip() or None
    if ca_file and not Path(ca_file).is_file():
        raise InputError("there is no file there", source="Certificate authority file", rule="ca-file-missing",
                         hint="give the full path of the clinic's certificate authority file (PEM)")
    return MailSettings(config.outbox, server, form.get("tls") == "on", Path(ca_file) if ca_file else None,
                        form.get("user").strip() or None, sender, rate)


def job_log(job: Job) -> str:
    """The log of a job that ended in a bug (it is written as the thread ends)."""
    if job.thread is not None:
        job.thread.join()
    return job.outcome.log if isinstance(job.outcome, Bug) else ""
