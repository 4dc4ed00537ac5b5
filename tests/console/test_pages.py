"""The console's pages in-process (Starlette's TestClient): each page does what the front desk needs, through
the same runs as the command line."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest
from consolekit import (  # noqa: F401 (fixtures)
    ADDRESSES,
    BAD_ROW,
    GOOD,
    NAMES,
    PATIENTS,
    client,
    clinic,
    make_client,
    roster_text,
)
from pdfread import normalized, text

from handouts.mail.ledger import Ledger


def rows_in_order(html: str) -> list[str]:
    """The review table's row numbers, top to bottom."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[^>]*>\s*<td>.*?</td>\s*<td>(\d+)</td>", body, flags=re.S)


def test_home_shows_the_clinic_and_the_roster_form(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "<h1>Lakeside Pain Clinic</h1>" in page.text
    assert '<label for="roster">Roster (CSV)</label>' in page.text
    assert '<input type="file" id="roster" name="roster"' in page.text
    assert ">Check roster</button>" in page.text
    assert "Ready:" in page.text  # nothing blocks sending


def test_home_says_in_words_what_blocks_sending(tmp_path, make_client):
    """The repository's own content: the sample profile and drafts, each with what to do."""
    from conftest import REPO

    from handouts.console.state import ConsoleConfig

    console = make_client(None, config=ConsoleConfig(REPO / "content", REPO / "layouts", None, tmp_path / "out"))
    page = console.get("/").text
    assert "The clinic profile still holds the sample details" in page
    assert "Some documents are not approved for patients" in page
    assert page.count("What to do:") == 2
    assert "infusion-day-checklist: is a draft, not approved for patients" in page


def test_the_review_lists_problems_first_with_names_and_full_addresses(client):
    assert client.upload().status_code == 303
    page = client.get("/roster")
    assert page.status_code == 200
    assert rows_in_order(page.text) == [str(BAD_ROW), "2", "3", "4", "6"]
    html = page.text
    assert "<strong>Problem:</strong> appointment: is not a real date and time" in html
    assert f'value="{BAD_ROW}"' not in html  # the bad row cannot be chosen
    for number, patient in zip((2, 3, 4, 6), GOOD):
        assert f'<input type="checkbox" name="row" value="{number}" id="row-{number}" checked>' in html
        assert f'<th scope="row">{patient[1]}</th>' in html and patient[3] in html
    assert "Spanish" in html and "large print" in html and "Thursday, December 3, 2026 at 9:30 AM" in html
    assert html.count(">New</td>") == 4


def test_a_row_without_an_address_can_have_a_packet_but_no_email(client):
    patients = [PATIENTS[0], ("P009", "Lena Park", "2026-12-03 12:00", "", "", "")]
    client.upload(roster_text(patients))
    html = client.get("/roster").text
    assert rows_in_order(html) == ["3", "2"]
    assert "<strong>Cannot be emailed</strong> (a packet can be made): email: is empty" in html
    assert 'value="3" id="row-3" checked' in html


def test_the_preview_is_that_patients_packet_made_on_request(client):
    client.upload()
    page = client.get("/preview/3")
    assert page.status_code == 200 and "Preview: Rosa Delgado Vega" in page.text
    assert 'alt="Page 1 of the packet for Rosa Delgado Vega' in page.text
    png = client.get("/preview/3/page-1.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n") and len(png.content) > 10_000
    pdf = client.get("/preview/3/packet.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    shown = normalized(text(pdf.content))
    assert "Rosa Delgado Vega" in shown and "Jack Smith" not in shown
    assert "Preparado para" in shown  # her packet is in Spanish
    assert client.get(f"/preview/{BAD_ROW}").status_code == 404  # a problem row has no packet
    assert not list((client.console.config.out).glob("**/*.pdf"))  # nothing written for a preview


def test_make_packets_writes_them_and_the_print_job(client):
    client.upload()
    started = client.choose(path="/packets")
    assert started.status_code == 303 and started.headers["location"] == "/packets"
    job = client.wait()
    assert job.done == job.total == len(PATIENTS)
    page = client.get("/packets").text
    assert "Wrote 4 packet(s)" in page and "1 row(s) failed" in page and 'href="/packets/print-job"' in page
    assert f"row {BAD_ROW} (patient_id P004): appointment" in page
    job_pdf = client.get("/packets/print-job")
    assert job_pdf.status_code == 200 and job_pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in job_pdf.headers["content-disposition"]
    shown = normalized(text(job_pdf.content))
    assert all(patient[1] in shown for patient in GOOD) and "Noor Badrow" not in shown
    packets = sorted(p.name for p in (client.console.config.packets).glob("*.pdf"))
    assert packets == ["P001_2026-12-03.pdf", "P002_2026-12-03.pdf", "P003_2026-12-03.pdf", "P005_2026-12-04.pdf"]


def test_some_rows_make_a_print_job_of_their_own(client):
    client.upload()
    client.choose([2, 4], path="/packets")
    client.wait()
    page = client.get("/packets").text
    assert "Wrote 2 packet(s)" in page and "print-2026-11-24-P001-P003.pdf" in page


def confirm(client):
    page = client.get("/send")
    assert page.status_code == 200, page.text
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page.text)
    return page.text, digest.group(1) if digest else None


def test_send_confirms_who_gets_what_then_writes_one_draft_each(client):
    client.upload()
    assert client.choose().headers["location"] == "/send"
    page, digest = confirm(client)
    for patient in GOOD:
        assert re.search(rf'<th scope="row">{patient[1]}</th><td class="address">.*?{re.escape(patient[3])}</td>',
                         page)
    assert page.count("appointment-packet.pdf") + page.count("informacion-para-su-cita.pdf") == 4  # in their languages
    assert "Write 4 email drafts" in page
    sent = client.post("/send", {"digest": digest, "generation": "1"})
    assert sent.status_code == 303 and sent.headers["location"] == "/send/progress"
    client.wait()
    results = client.get("/send/progress").text
    assert "Drafted 4" in results and results.count(">Drafted</td>") == 4
    assert results.count(">Resend<span") == 4 and "<strong>Not sent:</strong>" in results
    outbox = client.console.config.outbox
    drafts = {p.name: message_from_bytes(p.read_bytes(), policy=policy.default) for p in outbox.glob("*.eml")}
    assert sorted(drafts) == ["P001_2026-12-03.eml", "P002_2026-12-03.eml", "P003_2026-12-03.eml",
                              "P005_2026-12-04.eml"]
    assert drafts["P002_2026-12-03.eml"]["To"] == "rosa.dv@example.net"
    # The same confirmation again sends nothing: who gets what has changed (they all went).
    again = client.post("/send", {"digest": digest, "generation": "1"})
    assert again.status_code == 409 and "The list changed" in again.text
    assert len(list(outbox.glob("*.eml"))) == 4
    page, _ = confirm(client)
    assert "Nothing to send" in page and page.count("Already drafted") == 4


def test_resend_goes_to_that_patient_alone_after_its_own_confirmation(client):
    client.upload()
    client.choose()
    _, digest = confirm(client)
    client.post("/send", {"digest": digest, "generation": "1"})
    client.wait()
    page = client.get("/resend?id=P003")
    assert page.status_code == 200 and "Write 1 email draft<" in page.text and "Mia Chen" in page.text
    assert page.text.count("appointment-packet.pdf") == 1
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page.text).group(1)
    assert client.post("/send", {"digest": digest, "generation": "1", "resend": "P003"}).status_code == 303
    client.wait()
    results = client.get("/send/progress").text
    assert "Drafted 1" in results and "Mia Chen" in results and "Jack Smith" not in results
    with Ledger(client.console.config.ledger) as ledger:
        assert [r[2] for r in ledger.records()].count("P003") == 2 and len(ledger.records()) == 5


def test_a_second_send_is_told_a_send_is_running(client):
    """The ledger's lock: held by another run (here: as `handouts send` holds it), the console sends nothing."""
    client.upload()
    client.choose()
    _, digest = confirm(client)
    ledger = Ledger(client.console.config.ledger)
    ledger.hold()
    try:
        busy = client.post("/send", {"digest": digest, "generation": "1"})
    finally:
        ledger.close()
    assert busy.status_code == 409 and "<h1>A send is running</h1>" in busy.text
    assert not list(client.console.config.outbox.glob("*.eml"))


def test_two_clicks_send_once(client, monkeypatch):
    """While one send runs, a second click (another tab) is told a send is running."""
    import threading

    from handouts.console import runs

    release = threading.Event()
    original = runs.send_outcome

    def slow(session, settings, job):
        release.wait(30)
        return original(session, settings, job)

    monkeypatch.setattr(runs, "send_outcome", slow)
    client.upload()
    client.choose()
    _, digest = confirm(client)
    assert client.post("/send", {"digest": digest, "generation": "1"}).status_code == 303
    second = client.post("/send", {"digest": digest, "generation": "1"})
    assert second.status_code == 409 and "A send is running" in second.text
    progress = client.get("/send/progress")
    assert "Emails: 0 of" in progress.text and 'role="status"' in progress.text
    release.set()
    client.wait()
    assert len(list(client.console.config.outbox.glob("*.eml"))) == 4


def test_sent_mail_finds_a_patient_by_name_or_id(client):
    client.upload()
    client.choose()
    _, digest = confirm(client)
    client.post("/send", {"digest": digest, "generation": "1"})
    client.wait()
    page = client.get("/sent").text
    assert "4 record(s)." in page and all(patient[3] in page for patient in GOOD)
    found = client.get("/sent", params={"q": "rosa delgado"}).text
    assert "1 record(s) for" in found and "rosa.dv@example.net" in found and "jack.smith" not in found
    assert "<td>drafted</td>" in found and "2026-12-03 10:30" in found
    assert "1 record(s)" in client.get("/sent", params={"q": "p005"}).text


def test_mail_settings_are_checked_and_used(client, tmp_path):
    refused = client.post("/settings", {"server": "mail.clinic.test:port", "sender": "", "rate": "", "ca_file": "",
                                        "user": ""})
    assert refused.status_code == 400 and "mail server is not a host name" in refused.text
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    saved = client.post("/settings", {"server": "127.0.0.1:2525", "ca_file": str(ca), "user": "frontdesk",
                                      "sender": "", "rate": "30/min"})
    assert saved.status_code == 303
    assert client.console.mail_settings().server == "127.0.0.1:2525"
    assert "Through the mail server 127.0.0.1:2525, as frontdesk." in client.get("/").text


@pytest.mark.parametrize("roster, problem", [
    ("patient_id,name,appointment\n", "the roster has a header row but no patient rows"),
    ("patient_id,name\nP1,Jack\n", "appointment"),
])
def test_a_roster_that_cannot_be_used_is_a_page_in_words(client, roster, problem):
    client.upload(roster)
    page = client.get("/roster")
    assert page.status_code == 400 and "<strong>Problem:</strong>" in page.text and problem in page.text
    assert "Traceback" not in page.text


def test_an_upload_over_the_limit_is_refused_unread(client, monkeypatch):
    from handouts.console import forms

    monkeypatch.setattr(forms, "FORM_LIMIT", 1000)
    refused = client.upload("x" * 2000)
    assert refused.status_code == 413 and "The file is too large" in refused.text
    assert client.console.roster is None


def test_no_file_and_no_rows_chosen_are_pages_in_words(client):
    assert "No file was chosen" in client.post("/roster", files={"roster": ("", b"", "text/csv")}).text
    client.upload()
    client.choose([])
    page = client.get("/send")
    assert page.status_code == 400 and "No row is chosen" in page.text


def test_the_uploaded_roster_is_private_and_gone_when_the_console_stops(clinic, make_client):
    client = make_client(clinic)
    client.upload()
    folder, path = client.console.folder, client.console.roster.path
    assert folder.stat().st_mode & 0o777 == 0o700 and path.stat().st_mode & 0o777 == 0o600
    client.upload(roster_text(PATIENTS[:2]))
    assert not path.exists()  # the earlier roster goes with the new one
    client.http.__exit__(None, None, None)  # the console stops
    assert not folder.exists()


def test_no_patient_value_in_urls_or_file_names(client):
    """Links name rows by number and patients by id, never by name or address."""
    client.upload()
    html = client.get("/roster").text
    for href in re.findall(r'href="([^"]+)"', html):
        assert not any(value.split()[0] in href or value in href for value in NAMES + ADDRESSES)


def test_the_console_sends_as_the_profile_says_into_the_same_ledger_as_the_command(clinic):
    """One ledger for both faces: a patient emailed from the console is never emailed again by `handouts send`."""
    from consolekit import config_for

    from handouts.console.state import profile_mail_settings

    config = config_for(clinic)
    assert profile_mail_settings(config).server is None  # no mail: section: drafts into output/outbox
    assert config.ledger == clinic / "output" / "send-ledger.sqlite3"
    with open(clinic / "clinic.yaml", "a", encoding="utf-8") as profile:
        profile.write("mail:\n  server: mail.lakeside-pain.test\n  port: 587\n  user: frontdesk\n"
                      "  from: frontdesk@lakeside-pain.test\n  ledger: records/sent.sqlite3\n  outbox: drafts\n")
    settings = profile_mail_settings(config)
    assert (settings.server, settings.implicit_tls, settings.user) == ("mail.lakeside-pain.test:587", False,
                                                                      "frontdesk")
    assert settings.outbox == clinic / "drafts" and config.ledger == clinic / "records" / "sent.sqlite3"


def test_a_missing_ca_file_stops_sending_only(clinic, make_client):
    """A profile naming a CA file that is not there: the console still shows every page and makes packets; the
    send is refused with the file's line in the profile, before anything goes."""
    with open(clinic / "clinic.yaml", "a", encoding="utf-8") as profile:
        profile.write("mail:\n  server: mail.lakeside-pain.test\n  user: frontdesk\n  ca_file: certs/clinic-ca.pem\n")
    client = make_client(clinic)
    assert client.get("/").status_code == 200
    assert client.upload().status_code == 303
    assert client.get("/roster").status_code == 200
    client.choose()
    page = client.get("/send")
    assert "ca_file" in page.text and "names no file" in page.text
    assert not (clinic / "output" / "send-ledger.sqlite3").exists()
