"""The console in a real browser (the system's Chromium, driven by Playwright through `executable_path`) against
`handouts serve` as a process and a real mail server (aiosmtpd, STARTTLS, a trustme CA): the morning's flow with
the mouse, then with the keyboard alone; axe-core on every page; the server's output holds no patient value.

Screenshots of each page go to /tmp/handouts-console-screenshots (never committed), to look at."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from consolekit import ADDRESSES, BAD_ROW, GOOD, NAMES, clinic, roster_text, serve  # noqa: F401 (fixtures)
from pdfread import normalized, text
from viewers import axe_script, chromium

USER, PASSWORD = "frontdesk", "correct horse battery staple"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SHOTS = Path("/tmp/handouts-console-screenshots")

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is in the test extras")
    path = chromium()
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path)
        yield launched
        launched.close()


class Driver:
    """Does what a person does, with the mouse or with the keyboard alone (Tab to it, then Enter or Space)."""

    def __init__(self, page, keyboard: bool, shots: str):
        self.page, self.keyboard, self.shots = page, keyboard, shots
        self.checked: list[str] = []  # pages axe-core has checked
        self.violations: list[str] = []

    def tab_to(self, locator, limit: int = 250) -> None:
        handle = locator.element_handle()
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            if self.page.evaluate("element => document.activeElement === element", handle):
                outline = self.page.evaluate("element => getComputedStyle(element).outlineWidth", handle)
                assert outline not in ("0px", ""), "the focus is not visible"
                return
        pytest.fail(f"Tab never reached {locator}")

    def activate(self, locator, navigates: bool = True) -> None:
        if not self.keyboard:
            locator.click()
        elif not navigates:
            self.tab_to(locator)
            self.page.keyboard.press("Enter")
        else:
            self.tab_to(locator)
            with self.page.expect_navigation():
                self.page.keyboard.press("Enter")

    def toggle(self, locator) -> None:
        if self.keyboard:
            self.tab_to(locator)
            self.page.keyboard.press("Space")
        else:
            locator.click()

    def type_into(self, locator, value: str) -> None:
        if self.keyboard:
            self.tab_to(locator)
            self.page.keyboard.press("Control+A")
            self.page.keyboard.type(value)
        else:
            locator.fill(value)

    def choose_file(self, locator, path: Path) -> None:
        if self.keyboard:
            self.tab_to(locator)
            with self.page.expect_file_chooser() as chooser:
                self.page.keyboard.press("Space")
            chooser.value.set_files(str(path))
        else:
            locator.set_input_files(str(path))

    def look(self, name: str) -> None:
        """axe-core on the page as it is now, and a screenshot of it."""
        self.page.wait_for_load_state()
        self.page.add_script_tag(path=str(axe_script()))
        result = self.page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        for violation in result["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:3]
            self.violations.append(f"{name}: {violation['id']} ({violation['help']}) at {targets}")
        self.checked.append(name)
        SHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{self.shots}-{len(self.checked):02d}-{name}.png"), full_page=True)

    def heading(self) -> str:
        return self.page.locator("h1").inner_text()

    def wait_for_heading(self, wanted: str, timeout: float = 120_000) -> None:
        self.page.wait_for_function("wanted => document.querySelector('h1') && "
                                    "document.querySelector('h1').textContent === wanted", arg=wanted,
                                    timeout=timeout)


def nav(page, name: str):
    """A link of the console's navigation."""
    return page.get_by_role("navigation").get_by_role("link", name=name, exact=True)


def settle(driver: Driver, done: str) -> None:
    """A progress page, then (the script reloads it) the results."""
    if driver.heading() != done:
        assert driver.page.locator("[role=status]").first.is_visible()
        driver.wait_for_heading(done)


def run_flow(driver: Driver, served, mail, ca_file: Path, roster: Path, password: str | None) -> None:
    page = driver.page
    page.goto(served.url)
    assert page.url == served.base + "/"  # the token is gone from the address
    assert driver.heading() == "Lakeside Pain Clinic"
    driver.look("home")

    driver.activate(nav(page, "Mail settings"))
    driver.type_into(page.get_by_label("Mail server", exact=True), f"{mail.host}:{mail.port}")
    driver.type_into(page.get_by_label("Certificate authority file"), str(ca_file))
    driver.type_into(page.get_by_label("User name on the mail server"), USER)
    driver.activate(page.get_by_role("button", name="Save settings"))
    assert "Saved." in page.locator("[role=status]").inner_text()
    driver.look("settings")

    driver.activate(nav(page, "Home"))
    driver.choose_file(page.get_by_label("Roster (CSV)"), roster)
    driver.activate(page.get_by_role("button", name="Check roster"))
    assert driver.heading() == "Roster review"
    rows = page.locator("table tbody tr")
    assert rows.count() == 5
    first = rows.nth(0).inner_text()
    assert f"{BAD_ROW}\tP004" in first and "Problem: appointment: is not a real date and time" in first
    assert rows.nth(0).locator("input[type=checkbox]").count() == 0
    for patient in GOOD:
        row = page.locator("tbody tr", has_text=patient[0])
        assert patient[1] in row.inner_text() and patient[3] in row.inner_text()
        assert row.locator("input[type=checkbox]").is_checked()
    driver.look("roster")

    check_preview(driver, served)
    driver.activate(nav(page, "Roster review"))
    driver.activate(page.get_by_role("button", name="Make packets"))
    settle(driver, "Packets made")
    assert "Wrote 4 packet(s)" in page.locator("[role=status]").inner_text()
    driver.look("packets")
    with page.expect_download() as download:
        driver.activate(page.get_by_role("link", name="Print job"), navigates=False)
    shown = normalized(text(Path(download.value.path()).read_bytes()))
    assert all(patient[1] in shown for patient in GOOD) and "Noor Badrow" not in shown

    driver.activate(nav(page, "Roster review"))
    driver.activate(page.get_by_role("button", name="Send emails"))
    assert driver.heading() == "Check before sending"
    due = page.locator("table").first.locator("tbody tr")
    assert due.count() == 4
    for patient in GOOD:
        line = page.locator("tbody tr", has_text=patient[0]).first.inner_text()
        assert patient[1] in line and patient[3] in line
        assert "appointment-packet.pdf" in line or "informacion-para-su-cita.pdf" in line  # its language
    driver.look("confirm")
    if password:
        driver.type_into(page.get_by_label(f"Password for {USER} on the mail server"), password)
    driver.activate(page.get_by_role("button", name="Send 4 emails"))
    settle(driver, "Emails: results")
    assert "Sent 4" in page.locator("[role=status]").first.inner_text()
    driver.look("results")
    check_received(mail, [patient[0] for patient in GOOD])

    driver.activate(page.get_by_role("button", name="Resend to Mia Chen"))
    assert driver.heading() == "Check before sending"
    assert page.locator("table").first.locator("tbody tr").count() == 1
    driver.look("confirm-resend")
    if password:
        driver.type_into(page.get_by_label(f"Password for {USER} on the mail server"), password)
    driver.activate(page.get_by_role("button", name="Send 1 email"))
    settle(driver, "Emails: results")
    assert "Sent 1" in page.locator("[role=status]").first.inner_text()
    check_received(mail, [patient[0] for patient in GOOD] + ["P003"])

    driver.activate(nav(page, "Sent mail"))
    driver.type_into(page.get_by_label("Find a patient by name or patient id"), "mia")
    driver.activate(page.get_by_role("button", name="Search"))
    assert "2 record(s)" in page.locator("[role=status]").inner_text()
    assert page.locator("tbody tr").count() == 2 and "mchen@example.org" in page.locator("tbody").inner_text()
    driver.look("sent-mail")


def check_preview(driver: Driver, served) -> None:
    page = driver.page
    driver.activate(page.get_by_role("link", name="Preview the packet of row 3, Rosa Delgado Vega"))
    assert driver.heading() == "Preview: Rosa Delgado Vega"
    image = page.get_by_role("img", name=re.compile("Page 1 of the packet for Rosa Delgado Vega"))
    image.wait_for()
    page.wait_for_function("image => image.complete && image.naturalWidth > 800", arg=image.element_handle(),
                           timeout=60_000)
    png = page.request.get(f"{served.base}/preview/3/page-1.png")
    assert png.ok and png.headers["content-type"] == "image/png" and png.body().startswith(b"\x89PNG")
    pdf = page.request.get(f"{served.base}/preview/3/packet.pdf").body()
    first_page = pdfium_text(pdf)
    assert "Rosa Delgado Vega" in first_page and "Jack Smith" not in first_page
    driver.look("preview")


def pdfium_text(pdf: bytes) -> str:
    """Page 1's text as pypdfium2 reads it (the library the preview is drawn with)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return " ".join(document[0].get_textpage().get_text_range().split())
    finally:
        document.close()


def check_received(mail, expected_ids: list[str]) -> None:
    """Exactly one message per patient (plus the resend), each to that patient's address with their own packet."""
    by_address = {patient[3]: patient for patient in GOOD}
    got = [by_address[received.rcpt_tos[0]][0] for received in mail.received]
    assert sorted(got) == sorted(expected_ids)
    for received in mail.received:
        (recipient,) = received.rcpt_tos
        patient = by_address[recipient]
        message = received.message
        assert message["To"] == recipient
        (attachment,) = list(message.iter_attachments())
        spanish = message["Content-Language"] == "es-US"  # the file is named in the email's language
        assert attachment.get_filename() == ("informacion-para-su-cita.pdf" if spanish else "appointment-packet.pdf")
        shown = normalized(text(attachment.get_content()))
        assert patient[1] in shown and not [name for name in NAMES if name != patient[1] and name in shown]


def error_pages(driver: Driver, served, browser) -> None:
    """axe-core on the pages that say something went wrong, too."""
    page = driver.page
    page.goto(f"{served.base}/nowhere")
    assert driver.heading() == "There is no such page"
    driver.look("not-found")
    page.goto(f"{served.base}/roster")
    for box in page.locator("tbody input[type=checkbox]").all():
        box.uncheck()
    page.get_by_role("button", name="Send emails").click()
    page.goto(f"{served.base}/send")
    assert driver.heading() == "No row is chosen"
    driver.look("nothing-chosen")
    page.goto(f"{served.base}/")
    page.get_by_label("Roster (CSV)").set_input_files(files=[{"name": "empty.csv", "mimeType": "text/csv",
                                                               "buffer": b"patient_id,name,appointment\n"}])
    page.get_by_role("button", name="Check roster").click()
    assert driver.heading() == "The roster cannot be used"
    driver.look("roster-problem")
    for name, template, context in rendered_only():  # pages a flow rarely meets: written into the console's page
        page.goto(f"{served.base}/nowhere")
        page.set_content(render_page(template, context))
        driver.look(name)
    stranger = browser.new_context(bypass_csp=True)
    try:
        other = Driver(stranger.new_page(), False, driver.shots)
        other.checked = driver.checked
        other.page.goto(served.url)  # the link again: it worked once already
        assert other.heading() == "This link was already used"
        other.look("refused")
        driver.violations += other.violations
    finally:
        stranger.close()


def rendered_only() -> list[tuple[str, str, dict]]:
    """The busy page, a progress page and the bug page, with what the app passes them."""
    from handouts.console.state import Job

    job = Job("send", 5, done=2)
    return [("busy", "busy.html", {"title": "A send is running", "kind": "send", "running": job}),
            ("progress", "progress.html", {"title": "Sending emails", "job": job}),
            ("bug", "bug.html", {"title": "Something went wrong inside handouts",
                                 "log": "/tmp/handouts-error-example.log"})]


def render_page(template: str, context: dict) -> str:
    from types import SimpleNamespace

    from handouts.console.app import TEMPLATES
    from handouts.mail.session import MailSettings

    common = {"nav": True, "clinic": "Lakeside Pain Clinic", "csrf": "x", "settings": MailSettings(Path("outbox")),
              "console": SimpleNamespace(roster=None), "running": None}
    page = TEMPLATES.get_template(template).render(**{**common, **context})
    return page.replace('<script src="/static/console.js" defer></script>', "")  # it would reload the page


@pytest.mark.parametrize("keyboard", [False, True], ids=["mouse", "keyboard-only"])
def test_the_mornings_flow_in_chromium(browser, clinic, serve, smtp_server, smtp_ca_file, tmp_path, keyboard):
    roster = tmp_path / "roster-export.csv"
    roster.write_text(roster_text(), encoding="utf-8")
    mail = smtp_server("starttls", auth=(USER, PASSWORD))
    # With the mouse the password comes from the environment; with the keyboard it is typed when sending.
    served = serve(clinic, env={} if keyboard else {"HANDOUTS_SMTP_PASSWORD": PASSWORD})
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})  # for axe-core's script
    try:
        driver = Driver(context.new_page(), keyboard, "keyboard" if keyboard else "mouse")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run_flow(driver, served, mail, smtp_ca_file, roster, PASSWORD if keyboard else None)
            if not keyboard:
                error_pages(driver, served, browser)
    finally:
        context.close()
    assert not driver.violations, "\n".join(driver.violations)
    assert len(driver.checked) >= (8 if keyboard else 15)
    assert served.stop() == 0
    printed = served.stdout + served.stderr
    assert served.stdout == served.first_line
    leaked = [value for value in NAMES + ADDRESSES if value in printed]
    assert not leaked and "Traceback" not in printed


def test_the_pages_keep_their_policy_reflow_and_script(browser, clinic, serve, tmp_path):
    """Without bypassing the Content-Security-Policy: the style sheet and the script load, nothing is refused; at
    320 CSS pixels wide (1280 at 400 %) and 640 (200 %) the page itself never scrolls sideways."""
    served = serve(clinic)
    context = browser.new_context(viewport={"width": 640, "height": 900})
    refused: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        page.goto(served.url)
        page.get_by_label("Roster (CSV)").set_input_files(files=[{"name": "roster.csv", "mimeType": "text/csv",
                                                                   "buffer": roster_text().encode()}])
        page.get_by_role("button", name="Check roster").click()
        for width in (640, 320):
            page.set_viewport_size({"width": width, "height": 900})
            for path in ("/", "/roster", "/sent", "/settings", "/preview/2"):
                page.goto(served.base + path)
                assert page.evaluate("document.styleSheets[0].cssRules.length") > 10
                assert page.evaluate("document.documentElement.scrollWidth <= "
                                     "document.documentElement.clientWidth + 1"), (path, width)
            SHOTS.mkdir(exist_ok=True)
            page.goto(served.base + "/roster")
            page.screenshot(path=str(SHOTS / f"reflow-{width}-roster.png"), full_page=True)
        page.get_by_role("button", name="Make packets").click()
        page.locator("h1", has_text="Packets made").wait_for(timeout=120_000)  # the script reloaded the page
    finally:
        context.close()
    assert not refused, refused
