"""A draft's bytes written with each base64 body put in whole (`drafts.as_bytes`) are the bytes the email
package writes (`message.as_bytes(policy=SMTP)`), for the emails `send` makes."""

import os
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP

import pytest
from conftest import DATA, REPO

from handouts.batch.workers import render_row
from handouts.load.project import Project
from handouts.load.roster import RosterRow
from handouts.mail.drafts import DraftsTransport, as_bytes
from handouts.mail.message import compose, letter

SENDER = "frontdesk@lakeside-pain.test"


@pytest.fixture(scope="module")
def project():
    return Project.open(REPO / "content", REPO / "layouts", DATA / "clinic_send.yaml")


@pytest.mark.parametrize("language", ["en-US", "es"])
@pytest.mark.parametrize("earlier", [None, datetime(2026, 11, 30, 14, 0)])
def test_a_packet_email_is_written_as_the_email_package_writes_it(project, language, earlier):
    row = RosterRow(2, "P001", "Zoë Ana Núñez-O'Brien", "Zoë", datetime(2026, 12, 3, 9, 30), "large-print",
                    ("infusion-day-checklist",), "zoe@example.org", language)
    pdf = render_row(row, project).pdf
    message = compose(project, letter(project, SENDER), row, "zoe@example.org", pdf, earlier)
    fast = DraftsTransport.prepare(message)  # the marker stands in first: the boundaries are chosen then
    assert fast == message.as_bytes(policy=SMTP)
    assert b"X-Unsent: 1\r\n" in fast and fast.count(b"\r\n") > len(pdf) // 57  # the body's lines are there
    assert message.get_payload()[-1].get_content() == pdf  # the message itself is as it was


def test_other_bodies_and_odd_payloads_are_written_the_same(project):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = SENDER, "a@example.org", "Test"
    message.set_content("Hola, ¿qué tal? ñ\n" * 40, cte="base64")  # a text body in base64 too
    message.add_attachment(os.urandom(10_000), maintype="application", subtype="pdf", filename="a.pdf")
    message.add_attachment(b"", maintype="application", subtype="octet-stream", filename="empty.bin")
    message.add_attachment(b"x", maintype="application", subtype="octet-stream", filename="one.bin")
    assert as_bytes(message) == message.as_bytes(policy=SMTP)
    standard_first = EmailMessage()
    standard_first["From"], standard_first["To"] = SENDER, "a@example.org"
    standard_first.add_attachment(os.urandom(3_000), maintype="application", subtype="pdf", filename="b.pdf")
    assert standard_first.as_bytes(policy=SMTP) == as_bytes(standard_first)


@pytest.mark.parametrize("language", ["en-US", "es"])
def test_a_draft_s_boundaries_are_the_email_package_s(project, language):
    """A draft's boundaries are chosen as the email package chooses them (the same draw of `random`), written into
    the same bytes as a copy written by `message.as_bytes` with `random` at the same state; and a boundary that
    some line of the text already is ("--" and it, alone or with "--" after) is passed over for ".0", then ".1",
    as the email package does."""
    import copy
    import random

    row = RosterRow(2, "P001", "Zoë Ana Núñez-O'Brien", "Zoë", datetime(2026, 12, 3, 9, 30), "large-print",
                    ("infusion-day-checklist",), "zoe@example.org", language)
    message = compose(project, letter(project, SENDER), row, "zoe@example.org", render_row(row, project).pdf)
    copied = copy.deepcopy(message)
    random.seed(24)
    fast = DraftsTransport.prepare(message)
    random.seed(24)
    del copied["X-Unsent"]
    copied["X-Unsent"] = "1"
    assert fast == copied.as_bytes(policy=SMTP)
    # The boundary the next draw gives, planted as a line of the text, alone or with "--" (and its ".0" too): passed
    # over, the same way. (A draft's parts end their lines with CRLF, which "$" does not take: the check is the
    # email package's, whatever it finds.)
    from email.generator import BytesGenerator

    from handouts.mail.drafts import _BoundaryWriter

    random.seed(7)
    drawn = BytesGenerator._make_boundary()
    texts = [b"", b"--" + drawn.encode() + b"x", b"a\n--" + drawn.encode(), b"--" + drawn.encode() + b"--\nb",
             b"--%s\n--%s.0--\n--%s.1\r\n" % ((drawn.encode(),) * 3), b"x--" + drawn.encode()]
    chosen = []
    for text in texts:
        random.seed(7)
        expected = BytesGenerator._make_boundary(text)
        random.seed(7)
        chosen.append(_BoundaryWriter._make_boundary(text))
        assert chosen[-1] == expected
    assert chosen == [drawn, drawn, drawn + ".0", drawn + ".0", drawn + ".1", drawn]
