"""The console's Starlette app: the pages, each a small function, over the state in `state.Console`.

`create_app(console)` is the one entry point; `handouts serve` builds it and runs it (`serve.py`). The pages
call the library's runs (`runs.py` for packets and sending); nothing here checks or renders a second way.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from ..errors import HandoutsError, internal_error_log
from ..load.profile import sample_fields
from ..load.roster import patient_key
from ..load.signoff import OUTDATED, everything, sign_off
from ..mail.ledger import COLUMNS, SENDING, Ledger
from ..mail.send import local_time
from . import runs
from .forms import CSRF_FIELD, FormRefused, read_form
from .preview import first_page_png, packet_pdf
from .security import guarded
from .state import UPLOAD_LIMIT, Console
from .table import Table, roster_table

HERE = Path(__file__).parent
TEMPLATES = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                        trim_blocks=True, lstrip_blocks=True)
TEMPLATES.globals["CSRF_FIELD"] = CSRF_FIELD
TEMPLATES.globals["upload_mb"] = UPLOAD_LIMIT // (1024 * 1024)

# Refusals and errors, in words: (title, what happened, what to do).
REFUSALS = {
    "host": ("Not the console's address", "This page was asked for under another name than the console's own.",
             "Open the console with the link that handouts serve printed."),
    "no-session": ("Open the console with its link", "This browser has not opened the console's link yet.",
                   "Use the link that handouts serve printed in the terminal (Open http://127.0.0.1:…). If it was "
                   "already used in another browser, stop the console with Ctrl-C and start it again: it prints a "
                   "new link."),
    "token-used": ("This link was already used", "Each link the console prints works once.",
                   "Stop the console with Ctrl-C and start it again with handouts serve: it prints a new link."),
    "origin": ("Not done: the form came from elsewhere", "Only the console's own pages can make it do something; "
               "nothing was done.", "Go back to the console's page and try again from there."),
    "form-token": ("Not done: the form is out of date", "The form did not carry this console's form token; "
                   "nothing was done.", "Go back, reload the page, and try again."),
    "too-large": ("The file is too large", f"A roster may be at most {UPLOAD_LIMIT // (1024 * 1024)} MB; this one "
                  "was not read.", "Export only the coming appointments, or split the roster into several files."),
    "not-a-form": ("Not done: the form could not be read", "Nothing was done.", "Go back and try again."),
    "not-found": ("There is no such page", "The address does not name a page of the console.",
                  "Go to the home page."),
}


def render(name: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(name).render(**context), status_code=status)


def page_for(console: Console) -> Callable[[Scope, int, str], Response]:
    """How the guards show a refusal (and CatchAll a bug): a page in words, never a traceback."""

    def page(scope: Scope, status: int, reason: str) -> Response:
        if status == 500:
            return render("refused.html", 500, title="Something went wrong inside handouts",
                          happened="Something went wrong inside handouts; what was being done may not have "
                                   "finished.",
                          todo=f"Send IT the file {reason} (it holds no patient data), then try again.",
                          nav=False)
        title, happened, todo = REFUSALS[reason]
        return render("refused.html", status, title=title, happened=happened, todo=todo, nav=False)

    return page


class Pages:
    """The console's pages over one `Console`."""

    def __init__(self, console: Console):
        self.console = console

    # -- helpers ---------------------------------------------------------------------------------------------

    def view(self, name: str, status: int = 200, **context) -> HTMLResponse:
        context.setdefault("nav", True)
        context.setdefault("clinic", self._clinic_name())
        return render(name, status, console=self.console, csrf=self.console.csrf, running=self.console.running(),
                      settings=self.console.mail_settings(), **context)

    def _clinic_name(self) -> str:
        with contextlib.suppress(HandoutsError):
            return str(self.console.config.project().clinic.get("name") or "")
        return ""

    def problem(self, exc: HandoutsError, title: str = "This could not be done", status: int = 400) -> HTMLResponse:
        return self.view("problem.html", status, title=title, findings=exc.findings)

    async def form(self, request: Request):
        """The posted form (the form token checked), or the page that refuses it."""
        try:
            return await read_form(request, self.console)
        except FormRefused as refused:
            title, happened, todo = REFUSALS[refused.reason]
            return render("refused.html", refused.status, title=title, happened=happened, todo=todo, nav=False)

    def table(self) -> Table:
        roster = self.console.roster
        return roster_table(self.console.config.project(), roster.path, self.console.mail_settings(),
                            self.console.config.ledger, self.console.selected)

    # -- pages -------------------------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        try:
            project = await run_in_threadpool(self.console.config.project)
        except HandoutsError as exc:
            return self.problem(exc, "The clinic's files cannot be used")
        blockers = await run_in_threadpool(blocking, project)
        return self.view("home.html", title="Home", current="home", blockers=blockers,
                         roster=self.console.roster)

    async def upload(self, request: Request) -> Response:
        form = await self.form(request)
        if isinstance(form, Response):
            return form
        name, data = form.files.get("roster", ("", b""))
        if not data:
            return self.view("home_again.html", 400, title="Choose a roster file",
                             message="No file was chosen, or the file is empty: choose the roster's CSV file, "
                                     "then press Check roster.")
        self.console.keep_roster(data, Path(name).name or "roster.csv")
        return RedirectResponse("/roster", status_code=303)

    async def roster(self, request: Request) -> Response:
        if self.console.roster is None:
            return RedirectResponse("/", status_code=303)
        try:
            table = await run_in_threadpool(self.table)
        except HandoutsError as exc:
            return self.problem(exc, "The roster cannot be used")
        return self.view("roster.html", title="Roster review", current="roster", table=table,
                         roster=self.console.roster)

    async def choose(self, request: Request) -> Response:
        """The rows ticked on the review page, kept for Make packets and Send emails."""
        form = await self.form(request)
        if isinstance(form, Response):
            return form
        if form.get("generation") != str(getattr(self.console.roster, "generation", "")):
            return self.view("home_again.html", 409, title="The roster changed",
                             message="Another roster was checked since this page was shown: review it again.")
        self.console.selected = {int(n) for n in form.getlist("row") if n.isdigit()}
        return form

    async def preview(self, request: Request) -> Response:
        found = await self._row(request)
        if isinstance(found, Response):
            return found
        return self.view("preview.html", title=f"Preview, row {found.number}", current="roster", item=found)

    async def preview_png(self, request: Request) -> Response:
        pdf = await self._packet(request)
        if isinstance(pdf, Response):
            return pdf
        return Response(await run_in_threadpool(first_page_png, pdf), media_type="image/png")

    async def preview_pdf(self, request: Request) -> Response:
        pdf = await self._packet(request)
        if isinstance(pdf, Response):
            return pdf
        return Response(pdf, media_type="application/pdf",
                        headers={"content-disposition": 'inline; filename="appointment-packet.pdf"'})

    async def _packet(self, request: Request) -> bytes | Response:
        """The packet of the row the request names, made now (never kept on disk), or the page that says why not."""
        found = await self._row(request)
        if isinstance(found, Response):
            return found
        try:
            return await run_in_threadpool(packet_pdf, self.console.config.project(), found.row,
                                           self.console.config.forms)
        except HandoutsError as exc:
            return self.problem(exc, "The packet could not be made")

    async def _row(self, request: Request):
        if self.console.roster is None:
            return RedirectResponse("/", status_code=303)
        try:
            table = await run_in_threadpool(self.table)
        except HandoutsError as exc:
            return self.problem(exc, "The roster cannot be used")
        found = table.by_number(request.path_params["number"])
        if found is None or found.row is None:
            return self.not_found()
        return found

    def not_found(self) -> HTMLResponse:
        title, happened, todo = REFUSALS["not-found"]
        return self.view("refused.html", 404, title=title, happened=happened, todo=todo)

    async def sent(self, request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        records, names = await run_in_threadpool(self._ledger_and_names)
        for record in records:
            record["name"] = names.get(patient_key(record["patient_id"]), "")
        if query:
            wanted = query.casefold()
            records = [r for r in records if wanted in r["patient_id"].casefold() or wanted in r["name"].casefold()]
        return self.view("sent.html", title="Sent mail", current="sent", records=records, query=query)

    def _ledger_and_names(self) -> tuple[list[dict], dict[str, str]]:
        ledger = Ledger.existing(self.console.config.ledger, read_only=True)
        records = []
        if ledger is not None:
            with ledger:
                records = [dict(zip(COLUMNS, record)) for record in reversed(ledger.records())]
        for record in records:
            record["local_time"] = local_time(record["time"])
            record["state"] = "handed over, outcome unknown" if record["status"] == SENDING else record["status"]
        names: dict[str, str] = {}
        if self.console.roster is not None:
            with contextlib.suppress(HandoutsError):
                for item in self.table().rows:
                    if item.row is not None:
                        names[patient_key(item.patient_id)] = item.row.name
        return records, names

    async def settings(self, request: Request) -> Response:
        return self.view("settings.html", title="Mail settings", current="settings",
                         saved=request.query_params.get("saved") == "1",
                         password_from_environment=bool(os.environ.get("HANDOUTS_SMTP_PASSWORD")))

    async def save_settings(self, request: Request) -> Response:
        form = await self.form(request)
        if isinstance(form, Response):
            return form
        try:
            self.console.mail = runs.posted_settings(form, self.console.config)
        except HandoutsError as exc:
            return self.problem(exc, "The mail settings were not saved")
        return RedirectResponse("/settings?saved=1", status_code=303)

    async def progress(self, request: Request) -> Response:
        job = self.console.job
        if job is None:
            return JSONResponse({"running": False})
        return JSONResponse({"kind": job.kind, "done": job.done, "total": job.total, "running": not job.finished})


def blocking(project) -> list[dict]:
    """What stops packets or emails from going to patients, in words, with what to do."""
    found = []
    fields = sample_fields(project.clinic)
    if fields:
        found.append({"title": "The clinic profile still holds the sample details",
                      "what": f"These are the shipped sample's: {', '.join(fields)}. Every page says SAMPLE, and "
                              "no email can be sent.", "details": [],
                      "todo": "Ask IT to put the clinic's own details in the clinic profile (clinic.yaml)."})
    unsigned = [signed for signed in (sign_off(project.content, name, language)
                                      for name, language in everything(project.content)) if not signed.approved]
    drafts = [s for s in unsigned if s.state != OUTDATED]
    outdated = [s for s in unsigned if s.state == OUTDATED]
    if drafts:
        found.append({"title": "Some documents are not approved for patients",
                      "what": "", "details": [f"{s.label}: {s.reason}" for s in drafts],
                      "todo": "Ask a clinician to review them; IT then records it with handouts approve."})
    if outdated:
        found.append({"title": "Some translations are out of date",
                      "what": "", "details": [f"{s.label}: {s.reason}" for s in outdated],
                      "todo": "Ask the translator to update them against the English; then they are approved "
                              "again."})
    return found


def create_app(console: Console) -> Starlette:
    pages = Pages(console)
    routes = [
        Route("/", pages.home),
        Route("/roster", pages.upload, methods=["POST"]),
        Route("/roster", pages.roster),
        Route("/preview/{number:int}", pages.preview),
        Route("/preview/{number:int}/page-1.png", pages.preview_png),
        Route("/preview/{number:int}/packet.pdf", pages.preview_pdf),
        Route("/sent", pages.sent),
        Route("/settings", pages.settings),
        Route("/settings", pages.save_settings, methods=["POST"]),
        Route("/progress.json", pages.progress),
        *runs.routes(pages),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    async def not_found(request: Request, exc) -> Response:
        return pages.not_found()

    async def bug(request: Request, exc: Exception) -> Response:
        """A bug in a page: its log (no patient data), and a page that names it; never a traceback."""
        return page_for(console)(request.scope, 500, internal_error_log())

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        await run_in_threadpool(console.close)

    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found, Exception: bug},
                    lifespan=lifespan)
    return guarded(app, console, page_for(console))
