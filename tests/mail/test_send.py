"""Sending packets: drafts end to end through the CLI, and the send job with a fake transport."""

import email
import signal
from dataclasses import replace
from datetime import date
from email.policy import default

import pytest
from conftest import DATA, REPO, approved_content, run
from pdfread import normalized, text

from handouts.batch.plan import ProjectPaths, Selection
from handouts.load.project import Project
from handouts.load.roster import RosterRow
from handouts.mail import drafts
from handouts.mail.delivery import AuthenticationFailure, PermanentFailure, TemporaryFailure
from handouts.mail.ledger import Ledger
from handouts.mail.message import letter
from handouts.mail.send import NameCheck, RateLimit, Sender, mask, parse_rate, parse_server, plan_send, sample_fields

HEADER = ["patient_id", "name", "appointment", "preferred_name", "email"]
PATIENTS = [  # fictional
    ["P001", "Jack Smith", "2026-12-03 09:30", "Jack", "jsmith@example.org"],
    ["P002", '"Zoë Ångström-Łukasiewicz"', "2026-12-03 10:30", "Zoë", "zoe.a@example.net"],
    ["P003", "Nguyễn Thị Minh Khai", "2026-12-04 11:00", "Khai", "khai@example.com"],
]
NAMES = {"P001": "Jack Smith", "P002": "Zoë Ångström-Łukasiewicz", "P003": "Nguyễn Thị Minh Khai"}
CLINIC = DATA / "clinic_send.yaml"
SUBJECT = "Your first appointment with Lakeside Pain Clinic"


@pytest.fixture
def roster(write_roster):
    return write_roster(PATIENTS, header=HEADER)


def send(capsys, tmp_path, roster, *extra, content=None):
    """`handouts send` with the fictional clinic, on the shipped content approved (in a copy) unless `content`."""
    return run(capsys, "send", str(roster), "--outbox", str(tmp_path / "outbox"),
               "--ledger", str(tmp_path / "ledger.sqlite3"), "--clinic", str(CLINIC), "--content",
               str(content or approved_content()), "--layouts", str(REPO / "layouts"), "--jobs", "1", "--quiet",
               "--yes", *extra)


def drafts_in(folder):
    return {path.name: email.message_from_bytes(path.read_bytes(), policy=default)
            for path in sorted(folder.glob("*.eml"))}


def test_each_patient_gets_a_draft_with_their_own_packet(capsys, tmp_path, roster):
    code, out, err = send(capsys, tmp_path, roster)
    assert code == 0, err
    assert out.strip().endswith("drafted 3")
    found = drafts_in(tmp_path / "outbox")
    assert list(found) == ["P001_2026-12-03.eml", "P002_2026-12-03.eml", "P003_2026-12-04.eml"]
    for path in (tmp_path / "outbox").iterdir():  # like the ledger: an address and a packet, for its owner alone
        assert path.stat().st_mode & 0o777 == 0o600
    for (name, message), row in zip(found.items(), PATIENTS):
        patient = NAMES[row[0]]
        assert message["To"] == row[4] and message["X-Unsent"] == "1"
        assert message["Subject"] == SUBJECT and message["From"] == "frontdesk@lakeside-pain.test"
        assert message["Message-ID"] and message["Date"]
        assert message.get_content_type() == "multipart/mixed"
        alternative, attachment = message.get_payload()
        assert alternative.get_content_type() == "multipart/alternative"
        plain = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert f"Hello {row[3]}," in plain and "(512) 413-2270" in plain
        assert "large print or a paper copy" in plain
        assert '<html lang="en-US">' in html and "<h2" in html and "font-size: 18px" in html and "<img" not in html
        assert attachment.get_filename() == "appointment-packet.pdf"
        assert attachment.get_content_type() == "application/pdf"
        shown = normalized(text(attachment.get_content()))
        assert f"Prepared for {patient}." in shown
        assert not [other for other in NAMES.values() if other != patient and other in shown]
        for value in (patient, row[3]):
            assert value not in message["Subject"] and value not in name


def test_a_second_run_drafts_nothing_and_resend_is_explicit(capsys, tmp_path, roster):
    send(capsys, tmp_path, roster)
    first = {p.name: p.read_bytes() for p in (tmp_path / "outbox").iterdir()}
    code, out, _ = send(capsys, tmp_path, roster)
    assert code == 0 and "drafted 0, skipped 3 (already drafted)" in out
    assert {p.name: p.read_bytes() for p in (tmp_path / "outbox").iterdir()} == first
    code, out, _ = send(capsys, tmp_path, roster, "--resend", "P002")
    assert code == 0 and out.strip().endswith("drafted 1")  # only the id asked for: never the others
    assert "Not asked this time: 2 row(s)" in out and "row 3, P002: resend" in out
    assert (tmp_path / "outbox" / "P002_2026-12-03.eml").stat().st_mode & 0o777 == 0o600  # replaced, still 0600
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        assert [r[2] for r in ledger.records()] == ["P001", "P002", "P003", "P002"]


def test_a_run_stopped_mid_batch_then_run_again_drafts_each_patient_once(capsys, tmp_path, roster, monkeypatch):
    deliver = drafts.DraftsTransport.deliver
    calls = []

    def crash_on_second(self, message, name):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as if the process stopped while handing the message over
        return deliver(self, message, name)

    monkeypatch.setattr(drafts.DraftsTransport, "deliver", crash_on_second)
    code, _, err = send(capsys, tmp_path, roster)
    assert code == 130 and "Interrupted" in err
    assert [p.name for p in (tmp_path / "outbox").glob("*.eml")] == ["P001_2026-12-03.eml"]
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        assert sorted(ledger.latest().values()) == ["drafted", "sending"]
    monkeypatch.setattr(drafts.DraftsTransport, "deliver", deliver)
    code, out, _ = send(capsys, tmp_path, roster)
    assert code == 0 and "drafted 2, skipped 1" in out
    assert len(drafts_in(tmp_path / "outbox")) == 3
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        assert sorted(ledger.latest().values()) == ["drafted"] * 3


def test_dry_run_reviews_who_gets_what_and_writes_nothing(capsys, tmp_path, roster):
    code, out, err = send(capsys, tmp_path, roster, "--dry-run")  # piped: `run` fails on any name shown
    assert code == 0
    review = out.split("Review: who gets what, as drafts in ")[1]
    assert "  row 2, P001: new\n      to j***@example.org (names and addresses show at a terminal)\n" \
           "      Thursday, December 3, 2026 at 9:30 AM; English; standard\n" in review
    assert "row 2 (patient_id P001): to j***@example.org, packet PDF" in out
    assert "KB" in out and out.strip().endswith("ready 3")
    assert "Jack" not in err and "@" not in err
    assert not (tmp_path / "outbox").exists() and not (tmp_path / "ledger.sqlite3").exists()


def test_piped_into_a_log_the_review_shows_ids_and_masked_addresses_only(capsys, tmp_path, roster):
    code, out, _ = send(capsys, tmp_path, roster)  # the guard in `run` fails on any name in the output
    assert code == 0 and "  row 2, P001: new\n      to j***@example.org (names and addresses show at a terminal)" in out
    assert "jsmith@" not in out


def test_invalid_and_shared_addresses_are_reported_and_skipped(capsys, tmp_path, write_roster):
    rows = [PATIENTS[0], [*PATIENTS[1][:4], "not an address"], [*PATIENTS[2][:4], "JSmith@example.org"],
            ["P004", "Omar Haddad", "2026-12-05 09:00", "", ""]]
    roster = write_roster(rows, header=HEADER)
    code, out, err = send(capsys, tmp_path, roster)
    assert code == 1
    assert "row 3 (patient_id P002): email: is not a valid email address" in err
    assert "row 5 (patient_id P004): email: is empty" in err
    assert "row 2 (patient_id P001): email: is the same address as row(s) 4" in err
    assert "drafted 0, failed 4 (rows 2, 3, 4 and 5; see above)" in out
    assert not list((tmp_path / "outbox").glob("*.eml"))
    code, out, _ = send(capsys, tmp_path, roster, "--allow-shared-address")
    assert code == 1 and out.strip().endswith("drafted 2, failed 2 (rows 3 and 5; see above)")


# Cells that a mail program could read as more than one recipient (fictional addresses). The encoded word
# passes an address syntax check, then decodes into "alice.ngata@example.net, bob@example.org".
NOT_ONE_ADDRESS = [
    ("=?utf-8?q?alice.ngata=40example.net=2C_?=bob@example.org", "an encoded word"),
    ("Bob <bob@example.org>", "angle brackets (a name with an address)"),
    ('"alice.ngata@example.net, bob@example.org"', "a comma or semicolon"),
    ('"alice.ngata@example.net;bob@example.org"', "a comma or semicolon"),
]


def assert_no_address_shown(text):
    for value in ("alice", "bob@", "bob <", "example.net,", "=?utf-8"):
        assert value not in text.lower()


@pytest.mark.parametrize("cell, holds", NOT_ONE_ADDRESS)
def test_an_email_cell_must_be_one_plain_address(capsys, tmp_path, write_roster, cell, holds):
    roster = write_roster([PATIENTS[0], [*PATIENTS[1][:4], cell], PATIENTS[2]], header=HEADER)
    code, out, err = send(capsys, tmp_path, roster, "--dry-run")
    assert code == 1 and "ready 2, failed 1" in out and "row 3 (patient_id P002): email:" in err
    assert_no_address_shown(err + out.split("Review:")[1])  # the refused row shows its problem, not its cell
    code, out, err = send(capsys, tmp_path, roster)
    assert code == 1
    assert f"row 3 (patient_id P002): email: is not one plain address: it holds {holds}" in err
    assert "drafted 2, failed 1 (row 3: email is not one plain address" in out
    assert_no_address_shown(out + err)
    found = drafts_in(tmp_path / "outbox")
    assert list(found) == ["P001_2026-12-03.eml", "P003_2026-12-04.eml"]  # nothing for row 3, to anyone
    for message, row in zip(found.values(), (PATIENTS[0], PATIENTS[2])):
        assert [a.addr_spec for a in message["To"].addresses] == [row[4]] and "Cc" not in message
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        assert [(r[2], r[4]) for r in ledger.records()] == [("P001", PATIENTS[0][4]), ("P003", PATIENTS[2][4])]


@pytest.mark.parametrize("sender, holds", [(cell.strip('"'), holds) for cell, holds in NOT_ONE_ADDRESS])
def test_from_must_be_one_plain_address(capsys, tmp_path, roster, sender, holds):
    code, _, err = send(capsys, tmp_path, roster, "--from", sender)
    assert code == 2 and err.count("\n") == 1
    assert f"error: --from: the sender address is not one plain address: it holds {holds}" in err
    assert_no_address_shown(err)
    assert not (tmp_path / "outbox").exists() and not (tmp_path / "ledger.sqlite3").exists()


def test_the_ledger_records_the_normalized_address(capsys, tmp_path, write_roster):
    roster = write_roster([[*PATIENTS[0][:4], "  jsmith@EXAMPLE.ORG "]], header=HEADER)
    code, _, err = send(capsys, tmp_path, roster)
    assert code == 0, err
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        assert [r[4] for r in ledger.records()] == ["jsmith@example.org"]
    assert drafts_in(tmp_path / "outbox")["P001_2026-12-03.eml"]["To"] == "jsmith@example.org"


def test_the_sample_clinic_profile_is_refused(capsys, tmp_path, roster):
    code, _, err = run(capsys, "send", str(roster), "--outbox", str(tmp_path / "outbox"), "--ledger",
                       str(tmp_path / "l.sqlite3"), "--content", str(REPO / "content"), "--layouts",
                       str(REPO / "layouts"))
    assert code == 2
    assert err.count("\n") == 1
    assert "still holds the sample contact details in:" in err
    for field in ("phone", "after_hours_phone", "address", "website", "email"):
        assert field in err.split("details in:")[1]
    assert not (tmp_path / "outbox").exists() and not (tmp_path / "l.sqlite3").exists()


def test_sample_fields_are_the_shipped_markers():
    real = {"phone": "(512) 413-2270", "email": "care@lakeside-pain.test", "address": "2 Oak Street"}
    assert sample_fields(real) == []
    assert sample_fields({"phone": "512.555.0142", "website": "https://www.example.com/x",
                          "email": "a@clinic.example", "address": "1 Example Street"}) == [
        "phone", "website", "email", "address"]  # in the profile's own order
    assert sample_fields({"phone": "(512) 555-0200", "website": "https://example.community"}) == []


def test_status_and_csv_export(capsys, tmp_path, roster):
    send(capsys, tmp_path, roster)
    code, out, _ = run(capsys, "send", "--status", "--ledger", str(tmp_path / "ledger.sqlite3"))
    assert code == 0 and "drafts: drafted 3" in out
    target = tmp_path / "records.csv"
    code, out, _ = run(capsys, "send", "--export-ledger", str(target), "--ledger", str(tmp_path / "ledger.sqlite3"))
    assert code == 0 and "Wrote 3 record(s)" in out
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_text().splitlines()[0].startswith("id,row,patient_id,appointment,recipient")
    code, _, err = run(capsys, "send", "--status", "--ledger", str(tmp_path / "none.sqlite3"))
    assert code == 2 and "no ledger here yet" in err


def test_options_are_parsed():
    assert parse_rate("30/min") == 30 and parse_rate("2/s") == 120 and parse_rate("120/hour") == 2
    with pytest.raises(ValueError):
        parse_rate("fast")
    assert parse_server("mail.clinic.org") == ("mail.clinic.org", None)
    assert parse_server("mail.clinic.org:465") == ("mail.clinic.org", 465)
    assert parse_server("[::1]:2525") == ("::1", 2525)
    assert mask("jack.smith@example.org") == "j***@example.org"


# -- the send job with a fake transport ---------------------------------------------------------------


class FakeTransport:
    """Accepts every message, except for addresses given a failure to raise."""

    name = "smtp"

    def __init__(self, failures=None):
        self.failures = failures or {}  # address -> a failure, or a callable that returns one (or acts)
        self.sent = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def deliver(self, message, name=""):
        failure = self.failures.get(message["To"])
        if callable(failure):
            failure = failure()
        if failure is not None:
            raise failure
        self.sent.append(message)
        return "sent"


@pytest.fixture(scope="module")
def send_project():
    return Project.open(REPO / "content", REPO / "layouts", CLINIC)


def job(project, transport, ledger, **options):
    return Sender(project, ProjectPaths(REPO / "content", REPO / "layouts", CLINIC),
                  letter(project, "frontdesk@lakeside-pain.test"), transport, ledger, **options)


def plan(project, roster):
    return plan_send(project, roster, Selection(date(2026, 11, 24)))


def test_a_permanent_failure_fails_its_row_and_the_batch_goes_on(send_project, roster, tmp_path):
    transport = FakeTransport({"zoe.a@example.net": PermanentFailure("550 mailbox unavailable")})
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        result = job(send_project, transport, ledger).run(plan(send_project, roster))
        assert [m["To"] for m in transport.sent] == ["jsmith@example.org", "khai@example.com"]
        assert [(p.number, p.reason) for p in result.failed] == [(3, "550 mailbox unavailable")]
        assert result.stopped is None
        assert sorted(ledger.latest().values()) == ["failed", "sent", "sent"]
        # A re-run tries the failed row only.
        again = FakeTransport()
        result = job(send_project, again, ledger).run(plan(send_project, roster))
        assert [m["To"] for m in again.sent] == ["zoe.a@example.net"] and len(result.skipped) == 2


def test_a_temporary_failure_is_tried_again_by_the_next_run(send_project, roster, tmp_path):
    transport = FakeTransport({"jsmith@example.org": TemporaryFailure("451 try again later")})
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        result = job(send_project, transport, ledger).run(plan(send_project, roster))
        assert len(transport.sent) == 2 and [p.number for p in result.failed] == [2]
        again = FakeTransport()
        job(send_project, again, ledger).run(plan(send_project, roster))
        assert [m["To"] for m in again.sent] == ["jsmith@example.org"]


def test_an_authentication_failure_stops_at_once(send_project, roster, tmp_path):
    transport = FakeTransport({"jsmith@example.org": AuthenticationFailure("535 authentication failed")})
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        result = job(send_project, transport, ledger).run(plan(send_project, roster))
        assert transport.sent == [] and result.stopped.message == "535 authentication failed"
        assert list(ledger.latest().values()) == ["failed"]


def test_a_message_left_sending_by_smtp_is_reported_not_sent_twice(send_project, roster, tmp_path):
    transport = FakeTransport({"zoe.a@example.net": lambda: KeyboardInterrupt()})
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        result = job(send_project, transport, ledger).run(plan(send_project, roster))
        assert result.interrupted and len(transport.sent) == 1
        again = FakeTransport()
        result = job(send_project, again, ledger).run(plan(send_project, roster))
        assert [m["To"] for m in again.sent] == ["khai@example.com"]
        assert [p.number for p in result.failed] == [3] and "--resend" in result.failed[0].reason
        third = FakeTransport()
        job(send_project, third, ledger, resend=frozenset({"P002"})).run(plan(send_project, roster))
        assert [m["To"] for m in third.sent] == ["zoe.a@example.net"]


def test_ctrl_c_waits_until_the_message_in_hand_is_recorded(send_project, roster, tmp_path):
    def interrupt_while_sending():
        signal.raise_signal(signal.SIGINT)  # arrives while the transport has the message

    transport = FakeTransport({"jsmith@example.org": interrupt_while_sending})
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        result = job(send_project, transport, ledger).run(plan(send_project, roster))
        assert result.interrupted and [m["To"] for m in transport.sent] == ["jsmith@example.org"]
        assert list(ledger.latest().values()) == ["sent"]  # recorded, and nothing after it was tried


def test_the_rate_limit_spaces_deliveries(send_project, roster, tmp_path):
    now, pauses = [0.0], []

    def sleep(seconds):
        pauses.append(seconds)
        now[0] += seconds

    limit = RateLimit(30, clock=lambda: now[0], sleep=sleep)
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        job(send_project, FakeTransport(), ledger, rate=limit).run(plan(send_project, roster))
    assert pauses == [2.0, 2.0]


def test_an_email_that_would_go_to_two_addresses_is_never_handed_over(send_project, write_roster, tmp_path,
                                                                      monkeypatch):
    """The check after composing holds even if an encoded word got past the address check."""
    import handouts.mail.send as send_module

    monkeypatch.setattr(send_module, "check_address", lambda address, **options: address.strip())
    cell = NOT_ONE_ADDRESS[0][0]
    roster = write_roster([PATIENTS[0], [*PATIENTS[1][:4], cell], PATIENTS[2]], header=HEADER)
    transport = FakeTransport()
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        result = job(send_project, transport, ledger).run(plan(send_project, roster))
        assert [m["To"] for m in transport.sent] == ["jsmith@example.org", "khai@example.com"]
        assert [(p.number, p.reason) for p in result.failed] == [
            (3, "its email would not go to this row's address alone (email-one-recipient); not sent")]
        assert sorted(ledger.latest().values()) == ["failed", "sent", "sent"]
        assert not [r for r in ledger.records() if r[9] and "alice" in r[9]]
    dry = job(send_project, FakeTransport(), None).run(plan(send_project, roster), dry_run=True)
    assert [p.number for p in dry.previews] == [2, 4] and [p.number for p in dry.failed] == [3]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("swap, reason", [
    ("packet", "its packet does not show this patient's name when read back"),  # the first row's packet
    ("preferred", "its packet shows the name of row 2's patient"),  # its own, greeting the first row's patient
])
def test_a_packet_that_shows_another_patients_name_is_not_sent(send_project, roster, tmp_path, monkeypatch, jobs,
                                                               swap, reason):
    """The packet is made and read back where the email is made: in this process, or in each worker."""
    import handouts.mail.send as send_module

    real = send_module.render_row

    def swapped(row, *args):
        if row.number == 3 and row.name == NAMES["P002"]:
            row = replace(row, name=NAMES["P001"], preferred_name="Jack") if swap == "packet" \
                else replace(row, preferred_name=NAMES["P001"])
        return real(row, *args)

    monkeypatch.setattr(send_module, "render_row", swapped)  # the workers are forked: they have it too
    transport = FakeTransport()
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        result = job(send_project, transport, ledger, jobs=jobs).run(plan(send_project, roster))
        recorded = [r[9] for r in ledger.records() if r[9]]
    assert [m["To"] for m in transport.sent] == ["jsmith@example.org", "khai@example.com"]
    assert [(p.number, p.reason) for p in result.failed] == [(3, reason + "; not sent")]
    assert recorded == [reason]
    attached = [normalized(text(m.get_payload()[1].get_content())) for m in transport.sent]
    assert "Prepared for Jack Smith." in attached[0] and "Prepared for Nguyễn Thị Minh Khai." in attached[1]


def checklist_row(number, name, preferred):
    return RosterRow(number, f"P{number:03d}", name, preferred, plan_date(), "standard", ("infusion-day-checklist",),
                     f"p{number}@example.org", "en-US")


def test_name_check_finds_another_rows_name(send_project):
    from handouts.batch.workers import render_row

    row = checklist_row(2, "Jack Smith", "Jack")
    pdf = render_row(row, send_project).pdf
    assert NameCheck({2: "Jack Smith", 3: "Ana Ruiz"}, send_project).problem(row, pdf) is None
    other = checklist_row(3, "Ana Ruiz", "Ana")
    assert "does not show" in NameCheck({2: "Jack Smith", 3: "Ana Ruiz"}, send_project).problem(other, pdf)
    names = {2: "Jack Smith", 3: "Ana Ruiz", 4: "Smith"}
    assert NameCheck(names, send_project).problem(row, pdf) is None  # 'Smith' is part of this patient's own name
    smith = checklist_row(4, "Smith", "Smith")
    assert NameCheck(names, send_project).problem(smith, pdf) == "its packet shows the name of row 2's patient"


# One-word names that every packet shows anyway: the clinic is at "2400 Lakeshore Drive", the checklist is
# about a ketamine infusion (tests/data/clinic_send.yaml, content/infusion-day-checklist.md), the appointment
# is on December 3.
SHARED_NAMES = {3: "Lakeshore", 4: "Drive", 5: "Ketamine", 7: "December"}


def test_a_name_in_the_clinics_address_or_the_content_is_no_leak(send_project):
    from handouts.batch.workers import render_row

    names = {2: "Jack Smith", **SHARED_NAMES, 6: "Ana Ruiz"}
    check = NameCheck(names, send_project)
    jack = checklist_row(2, "Jack Smith", "Jack")
    jack_pdf = render_row(jack, send_project).pdf
    assert all(name.lower() in text(jack_pdf).lower() for name in SHARED_NAMES.values())
    assert check.problem(jack, jack_pdf) is None  # Lakeshore, Drive, Ketamine, December: every packet's words
    for number, name in SHARED_NAMES.items():  # their own packets show them, beyond the shared words
        own = checklist_row(number, name, name)
        assert check.problem(own, render_row(own, send_project).pdf) is None
        # ... and Jack's packet, which holds their name only where every packet does, is not theirs.
        assert check.problem(own, jack_pdf) == "its packet does not show this patient's name when read back"


def test_a_distinctive_name_is_still_a_leak_beside_shared_ones(send_project):
    from handouts.batch.workers import render_row

    names = {2: "Jack Smith", **SHARED_NAMES, 6: "Ana Ruiz"}
    # Ana's packet that also shows Jack Smith's name (as if a value had come from the wrong row).
    pdf = render_row(checklist_row(6, "Ana Ruiz", "Jack Smith"), send_project).pdf
    ana = checklist_row(6, "Ana Ruiz", "Ana")
    assert NameCheck(names, send_project).problem(ana, pdf) == "its packet shows the name of row 2's patient"
    # Lakeshore's packet that shows Ana's name: refused for Ana's name, not for the clinic's street.
    lakeshore = checklist_row(3, "Lakeshore", "Lakeshore")
    pdf = render_row(checklist_row(3, "Lakeshore", "Ana Ruiz"), send_project).pdf
    assert NameCheck(names, send_project).problem(lakeshore, pdf) == "its packet shows the name of row 6's patient"


def test_patients_named_like_the_clinics_street_get_their_packets(capsys, tmp_path, write_roster):
    rows = [PATIENTS[0], ["P004", "Lakeshore", "2026-12-03 11:00", "", "lake@example.org"],
            ["P005", "Ketamine", "2026-12-03 11:30", "", "ket@example.org"]]
    code, out, err = send(capsys, tmp_path, write_roster(rows, header=HEADER))
    assert code == 0, err
    assert out.strip().endswith("drafted 3")


def plan_date():
    from datetime import datetime

    return datetime(2026, 12, 3, 9, 30)
