"""The email around a packet: structure, plain language, accessible HTML, values as data."""

from datetime import datetime

import pytest
from conftest import DATA, REPO

from handouts.errors import AddressingError
from handouts.load.project import Project
from handouts.load.roster import RosterRow
from handouts.mail.message import check_addressed, compose, letter
from handouts.mail.send import check_address
from handouts.text.readability import measure

HOSTILE = "Ana <b>Bold</b> & Sons {{ clinic.phone }}"


@pytest.fixture(scope="module")
def project():
    return Project.open(REPO / "content", REPO / "layouts", DATA / "clinic_send.yaml")


SENDER, RECIPIENT = "frontdesk@lakeside-pain.test", "jsmith@example.org"


def message_for(project, name="Jack Smith", preferred="Jack", recipient=RECIPIENT):
    row = RosterRow(2, "P001", name, preferred, datetime(2026, 12, 3, 9, 30), "standard", (), "", "en-US")
    return compose(project, letter(project, SENDER), row, recipient, b"%PDF-1.4")


def test_the_message_is_mixed_alternative_with_the_packet(project):
    message = message_for(project)
    assert message.get_content_type() == "multipart/mixed"
    assert [p.get_content_type() for p in message.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf"]
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == "appointment-packet.pdf" and attachment.get_content() == b"%PDF-1.4"
    assert message["Subject"] == "Your first appointment with Lakeside Pain Clinic"
    assert message["To"] == "jsmith@example.org" and message["Content-Language"] == "en-US"
    assert message["Message-ID"].endswith("@lakeside-pain.test>")
    assert message["Message-ID"] != message_for(project)["Message-ID"]


def test_the_text_is_plain_language(project):
    plain = message_for(project).get_body(("plain",)).get_content()
    assert measure(plain).grade <= 6
    assert "(512) 413-2270" in plain and "reply or call if you need large print or a paper copy" in plain
    assert "Thursday, December 3, 2026 at 9:30 AM" in plain


def test_the_html_is_accessible(project):
    html = message_for(project).get_body(("html",)).get_content()
    assert '<html lang="en-US">' in html and "<title>Your first appointment with Lakeside Pain Clinic</title>" in html
    assert "<h1" in html and "<h2" in html and "<img" not in html
    assert "font-size: 18px" in html and 'href="tel:+15124132270"' in html


def test_values_stay_data(project):
    message = message_for(project, HOSTILE, HOSTILE)
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"Hello {HOSTILE}," in plain
    assert "Ana &lt;b&gt;Bold&lt;/b&gt; &amp; Sons {{ clinic.phone }}" in html and "<b>" not in html
    assert HOSTILE not in message["Subject"]


def test_a_timeline_in_the_email_is_its_caption_and_numbered_steps(project, tmp_path):
    """An email has no pictures: a timeline is said in words, never dropped."""
    content = tmp_path / "content"
    content.mkdir()
    for path in (REPO / "content").glob("*.md"):
        (content / path.name).write_text(path.read_text())
    body = (content / "_email.md").read_text() + "\n```timeline\ncaption: Your day <b>\n- Arrive\n- Go home\n```\n"
    (content / "_email.md").write_text(body)
    message = message_for(Project.open(content, REPO / "layouts", DATA / "clinic_send.yaml"))
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "\n\nYour day <b>\n1. Arrive\n2. Go home\n" in plain
    assert "<p><strong>Your day &lt;b&gt;</strong></p>\n<ol>\n<li>Arrive</li>\n<li>Go home</li>\n</ol>" in html


def test_the_subject_may_use_clinic_values_only(project, tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for path in (REPO / "content").glob("*.md"):
        (content / path.name).write_text(path.read_text())
    source = (content / "_email.md").read_text().replace("{{ clinic.name }}", "{{ patient.name }}", 1)
    (content / "_email.md").write_text(source)
    other = Project.open(content, REPO / "layouts", DATA / "clinic_send.yaml")
    from handouts.errors import ContentError

    with pytest.raises(ContentError) as info:
        letter(other, "frontdesk@lakeside-pain.test")
    assert info.value.finding.rule == "placeholder-empty"


# -- one sender, one recipient, as a mail program reads the message ------------------------------------


def readdressed(header, value):
    def edit(message):
        del message[header]
        message[header] = value

    return edit


@pytest.mark.parametrize("edit, rule", [
    (readdressed("To", "jsmith@example.org, ann.other@example.net"), "email-one-recipient"),
    (readdressed("To", "=?utf-8?q?ann.other=40example.net=2C_?=jsmith@example.org"), "email-one-recipient"),
    (readdressed("To", "Jack Smith <jsmith@example.org>"), "email-one-recipient"),  # a name where logs show it
    (readdressed("To", "patients: jsmith@example.org;"), "email-one-recipient"),
    (readdressed("To", "ann.other@example.net"), "email-one-recipient"),
    (readdressed("Cc", "ann.other@example.net"), "email-one-recipient"),
    (readdressed("Bcc", "ann.other@example.net"), "email-one-recipient"),
    (readdressed("Resent-To", "ann.other@example.net"), "email-one-recipient"),
    (readdressed("From", "frontdesk@lakeside-pain.test, ann.other@example.net"), "email-one-sender"),
    (lambda message: message.set_raw("To", "ann.other@example.net"), "email-one-recipient"),  # a second To
])
def test_the_read_back_refuses_a_message_not_for_its_one_recipient(project, edit, rule):
    message = message_for(project)
    check_addressed(message, SENDER, RECIPIENT)  # as composed: from the sender alone, to the recipient alone
    edit(message)
    with pytest.raises(AddressingError) as info:
        check_addressed(message, SENDER, RECIPIENT)
    assert info.value.finding.rule == rule
    assert "example" not in str(info.value) and "jsmith" not in str(info.value)  # no address in the message


def test_compose_refuses_an_encoded_word_that_decodes_into_two_addresses(project):
    with pytest.raises(AddressingError) as info:
        message_for(project, recipient="=?utf-8?q?ann.other=40example.net=2C_?=jsmith@example.org")
    assert info.value.finding.rule == "email-one-recipient"


def test_an_internationalized_address_is_still_one_recipient(project):
    recipient = check_address("zoë.ångström@bücher.example")
    message = message_for(project, recipient=recipient)
    assert [a.addr_spec for a in message["To"].addresses] == [recipient]


def test_the_read_back_parses_the_header_block_as_the_message_is_written(project):
    """What `check_addressed` reads is the beginning of the message as it leaves, in both forms."""
    from email.policy import SMTP, SMTPUTF8

    from handouts.mail.message import _header_block

    message = message_for(project, "Zoë Ångström", "Zoë", "zoë@exämple.org")
    for policy in (SMTP, SMTPUTF8):
        written = message.as_bytes(policy=policy)
        assert written.startswith(_header_block(message, policy))
        assert _header_block(message, policy).endswith(b"\r\n\r\n")


# -- headers every email shares, parsed and folded once ------------------------------------------------------------

ROWS = [("Jack Smith", "Jack", "jsmith@example.org", "en-US"), ("Zoë Q. Ångström", "Zoë", "zoë@bücher.example", "es"),
        ("Nguyễn Thị Minh Khai", "Khai", "khai@example.com", "en-US"), (HOSTILE, HOSTILE, "ana@example.net", "es")]


def composed(project, monkeypatch, policy=None) -> list:
    """Each of ROWS' emails, at a fixed time with a fixed Message-ID and fixed boundaries, with `policy`."""
    import handouts.mail.message as message_module

    if policy is not None:
        monkeypatch.setattr(message_module, "POLICY", policy)
    monkeypatch.setattr(message_module, "now", lambda: datetime(2026, 12, 1, 8, 0).astimezone())
    monkeypatch.setattr(message_module, "make_msgid", lambda domain: f"<1.2.3@{domain}>")
    made = []
    for number, (name, preferred, recipient, language) in enumerate(ROWS, start=2):
        row = RosterRow(number, f"P{number:03d}", name, preferred, datetime(2026, 12, 3, 9, 30), "standard", (), "",
                        language)
        message = compose(project, letter(project, SENDER), row, recipient, bytes(range(256)) * 40,
                          datetime(2026, 11, 30, 10, 0) if number % 2 else None)
        for depth, part in enumerate(part for part in message.walk() if part.is_multipart()):
            part.set_boundary(f"boundary-{depth}")
        made.append(message)
    monkeypatch.undo()
    return made


def test_the_shared_headers_change_no_byte_of_an_email(project, monkeypatch):
    """With the headers every email shares parsed once and folded once (`message.POLICY`), each email is byte
    for byte what the email package makes on its own (its default policy), written out every way it leaves,
    the first time and again."""
    from email.policy import SMTP, SMTPUTF8, default

    from handouts.mail.drafts import DraftsTransport

    for _ in range(2):
        plain, shared = composed(project, monkeypatch, default), composed(project, monkeypatch)
        for ours, theirs in zip(shared, plain):
            for policy in (SMTP, SMTPUTF8):
                assert ours.as_bytes(policy=policy) == theirs.as_bytes(policy=policy)
            assert DraftsTransport.prepare(ours) == DraftsTransport.prepare(theirs)
            assert str(ours) == str(theirs)


def test_the_shared_headers_hold_no_patients_value(project, monkeypatch):
    """What is kept from one email to the next holds no name, preferred name or address of any patient."""
    from handouts.mail.message import _FOLDS, POLICY

    composed(project, monkeypatch)
    kept = [f"{name}: {value}" for name, value in POLICY.header_factory._shared] + [
        folded for _, folded in _FOLDS.values()]
    assert any("Subject" in text for text in kept) and any("application/pdf" in text for text in kept)
    values = [value for name, preferred, recipient, _ in ROWS for value in (name, preferred, recipient)]
    assert not [text for text in kept for value in values if value.lower() in text.lower()]
    assert not [text for text in kept if text.lower().startswith(("to:", "date:", "message-id:"))]
