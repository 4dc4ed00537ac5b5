"""The SMTP transport against a real server (aiosmtpd on 127.0.0.1): TLS, login, faults."""

from __future__ import annotations

import socket
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

pytest.importorskip("aiosmtpd")
pytest.importorskip("trustme")

import trustme
from smtp_server import Recorder

from handouts.errors import InputError, InternalError
from handouts.mail.delivery import AuthenticationFailure, DeliveryFailure, PermanentFailure, TemporaryFailure
from handouts.mail.smtp import ConnectFailure, SmtpTransport, is_loopback, redact

USER, PASSWORD = "frontdesk@clinic.example", "correct horse battery"
NAME, ADDRESS = "Jack Smith", "jack.smith@example.org"
PDF = b"%PDF-1.7\n% a stand-in for the patient's packet\n%%EOF\n"
TIMEOUT = 5.0  # every network wait in these tests is bounded by this

# aiosmtpd cannot tell that an implicit-TLS connection is encrypted (see smtp_server.start_server).
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


def packet(to: str = ADDRESS, name: str = NAME) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Front desk <frontdesk@clinic.example>"
    message["To"] = f"{name} <{to}>"
    message["Subject"] = "Your first visit with Example Clinic"
    message["Message-ID"] = make_msgid(domain="clinic.example")
    message.set_content("Hello,\n\nyour packet is attached.\n")
    message.add_alternative("<p>Hello, your packet is attached.</p>", subtype="html")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="appointment-packet.pdf")
    message.as_bytes()  # fixes the MIME boundaries, so that every flattening gives the same bytes
    return message


@pytest.fixture(autouse=True)
def _no_name_lookups(monkeypatch):
    """smtplib names itself in EHLO with socket.getfqdn(), a DNS lookup that can stall a machine without network."""
    monkeypatch.setattr(socket, "getfqdn", lambda name="": "localhost")


@pytest.fixture
def sleeps() -> list[float]:
    """Stands in for time.sleep: records the waits instead of waiting."""
    return []


@pytest.fixture
def transport(smtp_ca_file, sleeps):
    """transport(server, **options): an SmtpTransport for that server, trusting the test CA."""

    def make(server, **options) -> SmtpTransport:
        options.setdefault("security", "starttls")
        options.setdefault("ca_file", smtp_ca_file)
        options.setdefault("timeout", TIMEOUT)
        options.setdefault("sleep", sleeps.append)
        return SmtpTransport(server.host, server.port, **options)

    return make


def assert_no_recipient(reason: str) -> None:
    for value in (ADDRESS, "jack.smith", "example.org", "Jack", "Smith", USER, PASSWORD):
        assert value.lower() not in reason.lower()


# -- delivery over TLS ---------------------------------------------------------


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_delivers_the_exact_message_over_tls_with_login(smtp_server, transport, security):
    server = smtp_server(security, auth=(USER, PASSWORD))
    message = packet()
    with transport(server, security=security, username=USER, password=PASSWORD) as smtp:
        assert smtp.deliver(message) == "sent"

    [received] = server.received
    assert received.rcpt_tos == [ADDRESS]
    assert received.mail_from == "frontdesk@clinic.example"
    got = received.message
    for header in ("From", "To", "Subject", "Message-ID"):
        assert got[header] == message[header]
    assert got.get_body(("plain",)).get_content() == message.get_body(("plain",)).get_content()
    assert got.get_body(("html",)).get_content() == message.get_body(("html",)).get_content()
    [attachment] = got.iter_attachments()
    assert attachment.get_filename() == "appointment-packet.pdf"
    assert attachment.get_content() == PDF
    # Byte for byte what smtplib sends (CRLF line ends), nothing added or lost on the way.
    assert received.data.rstrip(b"\r\n") == message.as_bytes(policy=message.policy.clone(linesep="\r\n")).rstrip(
        b"\r\n")


def test_default_ports_follow_security():
    assert SmtpTransport("mail.clinic.example").port == 587
    assert SmtpTransport("mail.clinic.example", security="tls").port == 465
    assert SmtpTransport("localhost", security="none").port == 25
    assert SmtpTransport("mail.clinic.example", 2525).port == 2525


def test_context_verifies_certificates_and_host_names(smtp_ca_file):
    import ssl

    context = SmtpTransport("mail.clinic.example", ca_file=smtp_ca_file)._context
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


# -- certificates: nothing is sent to a server that cannot be trusted ----------------


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_certificate_from_another_ca_stops_before_sending(smtp_server, transport, security):
    server = smtp_server(security, ca=trustme.CA())
    with pytest.raises(ConnectFailure) as info, transport(server, security=security) as smtp:
        smtp.deliver(packet())
    assert isinstance(info.value, AuthenticationFailure)  # the send job stops the batch on it
    assert "certificate" in info.value.reason
    assert server.received == []


def test_system_store_does_not_trust_a_private_ca(smtp_server, transport):
    server = smtp_server("tls")
    with pytest.raises(ConnectFailure, match="certificate"):
        transport(server, security="tls", ca_file=None).__enter__()
    assert server.received == []


def test_certificate_for_another_host_name_is_refused(smtp_server, transport):
    server = smtp_server("tls", names=("mail.clinic.example",))  # signed by the trusted CA, wrong name
    with pytest.raises(ConnectFailure, match="certificate"):
        transport(server, security="tls").__enter__()
    assert server.received == []


def test_bad_ca_file_is_an_input_error(tmp_path):
    missing = tmp_path / "nope.pem"
    with pytest.raises(InputError):
        SmtpTransport("mail.clinic.example", ca_file=missing)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(InputError):
        SmtpTransport("mail.clinic.example", ca_file=garbage)


# -- login -------------------------------------------------------------------------


def test_wrong_password_is_an_authentication_failure(smtp_server, transport, sleeps):
    server = smtp_server("starttls", auth=(USER, PASSWORD))
    with pytest.raises(AuthenticationFailure) as info, transport(server, username=USER, password="wrong"):
        pass
    assert not isinstance(info.value, ConnectFailure)
    assert "login" in info.value.reason and "535" in info.value.reason
    assert "wrong" not in info.value.reason and USER not in info.value.reason
    assert sleeps == [] and server.received == []


def test_password_never_in_repr():
    smtp = SmtpTransport("mail.clinic.example", username=USER, password=PASSWORD)
    assert PASSWORD not in repr(smtp)


# -- faults while sending --------------------------------------------------------------


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
def test_451_then_accepted_is_delivered_once(smtp_server, transport, sleeps, stage):
    server = smtp_server("starttls", handler=Recorder(temporary_failures=1, temporary_at=stage))
    message = packet()
    with transport(server) as smtp:
        assert smtp.deliver(message) == "sent"
    assert sleeps == [2.0]
    assert [r.message["Message-ID"] for r in server.received] == [message["Message-ID"]]


def test_451_every_time_is_a_temporary_failure_after_backoff(smtp_server, transport, sleeps):
    server = smtp_server("starttls", handler=Recorder(temporary_failures=99))
    with transport(server, retries=3, backoff=0.5) as smtp:
        with pytest.raises(TemporaryFailure) as info:
            smtp.deliver(packet())
        assert sleeps == [0.5, 1.0, 2.0]
        assert server.handler.attempts == 4
        assert "451" in info.value.reason
        assert_no_recipient(info.value.reason)
        # The session is still good for the next message once the server recovers.
        server.handler.temporary_failures = 0
        assert smtp.deliver(packet()) == "sent"
    assert len(server.received) == 1


def test_550_is_permanent_and_names_no_one(smtp_server, transport, sleeps):
    server = smtp_server("starttls", handler=Recorder(refuse={ADDRESS}))
    with transport(server) as smtp:
        with pytest.raises(PermanentFailure) as info:
            smtp.deliver(packet())
        # The batch goes on: the next patient's message uses the same session.
        assert smtp.deliver(packet("ann.other@example.net", "Ann Other")) == "sent"
    reason = info.value.reason
    assert reason.startswith("the server refused the recipient (550")
    assert "mailbox unavailable" in reason and "<recipient>" in reason
    assert_no_recipient(reason)
    assert sleeps == []
    assert [r.rcpt_tos for r in server.received] == [["ann.other@example.net"]]


@pytest.mark.parametrize("header, value", [
    ("To", "Jack Smith <jack.smith@example.org>, Ann Other <ann.other@example.net>"),
    ("To", "=?utf-8?q?ann.other=40example.net=2C_?=jack.smith@example.org"),
    ("Cc", "ann.other@example.net"),
    ("Bcc", "ann.other@example.net"),
    ("Resent-To", "ann.other@example.net"),
    ("From", "frontdesk@clinic.example, ann.other@example.net"),
])
def test_a_message_for_more_than_one_recipient_is_refused_before_the_server_hears_of_it(smtp_server, transport,
                                                                                        header, value):
    server = smtp_server("starttls")
    message = packet()
    del message[header]
    message[header] = value
    with transport(server) as smtp:
        with pytest.raises(PermanentFailure) as info:
            smtp.deliver(message)
        assert smtp.deliver(packet()) == "sent"  # the batch goes on
    assert_no_recipient(info.value.reason)
    assert "ann.other" not in info.value.reason
    assert server.handler.rcpts == [ADDRESS]  # only the good message's one recipient was ever named


def test_dropped_connection_reconnects_and_sends_each_message_once(smtp_server, transport, sleeps):
    server = smtp_server("starttls", handler=Recorder(drop_after=2))
    messages = [packet(f"patient{i}@example.org", f"Patient Number{i}") for i in range(5)]
    with transport(server) as smtp:
        assert [smtp.deliver(m) for m in messages] == ["sent"] * 5
    assert [r.message["Message-ID"] for r in server.received] == [m["Message-ID"] for m in messages]
    assert [r.connection for r in server.received] == [1, 1, 2, 2, 3]  # the server did hang up, twice
    assert sleeps == []  # a server hanging up between messages costs a reconnect, not a wait


def test_server_gone_for_good_stops_the_batch(smtp_server, transport, sleeps):
    server = smtp_server("starttls")
    with transport(server, retries=2) as smtp:
        assert smtp.deliver(packet()) == "sent"
        server.stop()
        with pytest.raises(ConnectFailure) as info:
            smtp.deliver(packet())
    assert isinstance(info.value, AuthenticationFailure)
    assert sleeps == [2.0, 4.0]
    assert len(server.received) == 1


def test_unreachable_server_stops_at_connect(transport, sleeps):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = SmtpTransport("127.0.0.1", port, timeout=TIMEOUT, sleep=sleeps.append)
    with pytest.raises(ConnectFailure, match="refused"):
        smtp.__enter__()
    assert sleeps == []


def test_deliver_outside_with_block_is_a_bug():
    with pytest.raises(InternalError):
        SmtpTransport("mail.clinic.example").deliver(packet())


# -- plain text: only to this machine, only when asked -------------------------------


@pytest.mark.parametrize("host", ["mail.clinic.example", "192.0.2.10", "10.0.0.1", "localhost.clinic.example"])
def test_plain_text_refused_to_other_hosts(host):
    with pytest.raises(InputError, match="plain-text"):
        SmtpTransport(host, security="none")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"])
def test_loopback_hosts(host):
    assert is_loopback(host)
    SmtpTransport(host, security="none")


def test_plain_text_to_loopback_needs_security_none(smtp_server, transport):
    server = smtp_server("plain")
    # Without STARTTLS on offer, the default refuses rather than falling back to plain text.
    with pytest.raises(ConnectFailure, match="STARTTLS"):
        transport(server).__enter__()
    assert server.received == []
    with transport(server, security="none", ca_file=None) as smtp:
        assert smtp.deliver(packet()) == "sent"
    assert len(server.received) == 1


def test_implicit_tls_to_a_plain_server_fails_cleanly(smtp_server, transport):
    server = smtp_server("plain")
    with pytest.raises(ConnectFailure):
        transport(server, security="tls").__enter__()
    assert server.received == []


def test_unknown_security_is_an_input_error():
    with pytest.raises(InputError):
        SmtpTransport("mail.clinic.example", security="ssl-please")


# -- reasons -----------------------------------------------------------------------------


def test_redact_removes_addresses_names_and_controls():
    private = ("jack.smith@example.org", "jack.smith", "Jack Smith", "Jack", "Smith")
    text = b"550 5.1.1 <JACK.SMITH@example.org>: user jack.smith (Jack Smith) unknown\x1b[31m; cannot deliver"
    out = redact(text, private)
    assert "jack" not in out.lower() and "smith" not in out.lower() and "\x1b" not in out
    assert "cannot deliver" in out and "<recipient>" in out
    assert redact("ann@x.org wrote", ("Ann",)) == "<recipient> wrote"
    assert redact("cannot", ("Ann",)) == "cannot"  # whole words only
    assert len(redact("x" * 1000)) <= 120


def test_failures_are_delivery_failures():
    assert issubclass(ConnectFailure, AuthenticationFailure)
    assert issubclass(ConnectFailure, DeliveryFailure)


def test_interrupted_batch_hangs_up_without_waiting(smtp_server, transport):
    server = smtp_server("starttls")
    with pytest.raises(KeyboardInterrupt), transport(server) as smtp:
        assert smtp.deliver(packet()) == "sent"
        raise KeyboardInterrupt
    assert smtp._smtp is None
    assert len(server.received) == 1
