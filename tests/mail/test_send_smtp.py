"""`handouts send --smtp` end to end against a real mail server (aiosmtpd on 127.0.0.1, trustme certificates)."""

import warnings

import pytest
from conftest import run
from pdfread import normalized, text
from test_send import CLINIC, HEADER, NAMES, NOT_ONE_ADDRESS, PATIENTS, SUBJECT, assert_no_address_shown

from handouts.mail import smtp as smtp_module

USER, PASSWORD = "frontdesk", "correct horse battery staple"

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")


@pytest.fixture
def roster(write_roster):
    return write_roster(PATIENTS, header=HEADER)


def send(capsys, tmp_path, roster, server, ca_file, monkeypatch, *extra, tls=False):
    from conftest import REPO, approved_content

    monkeypatch.setenv("HANDOUTS_SMTP_PASSWORD", PASSWORD)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run(capsys, "send", str(roster), "--smtp", f"{server.host}:{server.port}", "--smtp-user", USER,
                   "--smtp-ca-file", str(ca_file), *(["--smtp-tls"] if tls else []),
                   "--ledger", str(tmp_path / "ledger.sqlite3"), "--clinic", str(CLINIC), "--content",
                   str(approved_content()), "--layouts", str(REPO / "layouts"), "--jobs", "1", "--quiet", "--yes",
                   *extra)


def check_received(server, expected_ids):
    """Each message the server got: to its own row's address, its own packet, no name where logs show it."""
    by_address = {row[4]: row for row in PATIENTS}
    assert sorted(by_address[r.rcpt_tos[0]][0] for r in server.received) == sorted(expected_ids)
    for received in server.received:
        (recipient,) = received.rcpt_tos
        row = by_address[recipient]
        message = received.message
        assert message["To"] == recipient and message["Subject"] == SUBJECT and "X-Unsent" not in message
        assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_filename() == "appointment-packet.pdf"
        shown = normalized(text(attachment.get_content()))
        assert f"Prepared for {NAMES[row[0]]}." in shown
        assert not [other for pid, other in NAMES.items() if pid != row[0] and other in shown]
        for value in (NAMES[row[0]], row[3]):
            assert value not in message["Subject"] and value not in attachment.get_filename()


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_every_patient_is_sent_their_own_packet(capsys, tmp_path, roster, smtp_server, smtp_ca_file, monkeypatch,
                                                mode):
    server = smtp_server(mode, auth=(USER, PASSWORD))
    code, out, err = send(capsys, tmp_path, roster, server, smtp_ca_file, monkeypatch, tls=mode == "tls")
    assert code == 0, err
    assert out.strip().endswith("sent 3")
    check_received(server, ["P001", "P002", "P003"])
    # Run again: the ledger knows all three went.
    code, out, _ = send(capsys, tmp_path, roster, server, smtp_ca_file, monkeypatch, tls=mode == "tls")
    assert code == 0 and "skipped 3" in out and len(server.received) == 3


def test_a_temporary_refusal_is_retried_and_a_permanent_one_fails_only_its_row(capsys, tmp_path, roster,
                                                                                smtp_server, smtp_ca_file,
                                                                                monkeypatch):
    from smtp_server import Recorder

    monkeypatch.setattr(smtp_module.time, "sleep", lambda seconds: None)  # the backoff, without the wait
    handler = Recorder(temporary_failures=1, refuse={"zoe.a@example.net"})
    server = smtp_server("starttls", auth=(USER, PASSWORD), handler=handler)
    code, out, err = send(capsys, tmp_path, roster, server, smtp_ca_file, monkeypatch)
    assert code == 1 and "sent 2" in out and "row 3" in out + err
    assert "zoe.a" not in out + err  # the server echoed the address; the message does not
    check_received(server, ["P001", "P003"])


def test_a_wrong_password_stops_at_once_with_one_line(capsys, tmp_path, roster, smtp_server, smtp_ca_file,
                                                      monkeypatch):
    server = smtp_server("starttls", auth=(USER, "another password"))
    code, _, err = send(capsys, tmp_path, roster, server, smtp_ca_file, monkeypatch)
    assert code == 2 and "Traceback" not in err and PASSWORD not in err
    assert server.received == []


def test_a_run_cut_off_mid_batch_then_run_again_sends_each_patient_once(capsys, tmp_path, roster, smtp_server,
                                                                        smtp_ca_file, monkeypatch):
    from smtp_server import Recorder

    server = smtp_server("starttls", auth=(USER, PASSWORD), handler=Recorder(drop_after=1))
    real, calls = smtp_module.SmtpTransport.deliver, []

    def deliver_then_lose_power(self, message, name=""):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the machine goes down while the second message is in hand
        return real(self, message, name)

    monkeypatch.setattr(smtp_module.SmtpTransport, "deliver", deliver_then_lose_power)
    code, _, _ = send(capsys, tmp_path, roster, server, smtp_ca_file, monkeypatch)
    assert code == 130 and len(server.received) == 1
    monkeypatch.setattr(smtp_module.SmtpTransport, "deliver", real)
    code, out, err = send(capsys, tmp_path, roster, server, smtp_ca_file, monkeypatch)
    assert code in (0, 1), err
    # The second row was in hand when power went: the ledger says it may have gone, so it is not sent twice.
    check_received(server, ["P001", "P003"])
    assert "--resend" in out + err
    code, out, err = send(capsys, tmp_path, roster, server, smtp_ca_file, monkeypatch, "--resend", "P002")
    check_received(server, ["P001", "P002", "P003"])


@pytest.mark.parametrize("cell, holds", NOT_ONE_ADDRESS)
def test_a_cell_that_is_not_one_address_sends_nothing_for_its_row(capsys, tmp_path, write_roster, smtp_server,
                                                                   smtp_ca_file, monkeypatch, cell, holds):
    server = smtp_server("starttls", auth=(USER, PASSWORD))
    roster = write_roster([PATIENTS[0], [*PATIENTS[1][:4], cell], PATIENTS[2]], header=HEADER)
    code, out, err = send(capsys, tmp_path, roster, server, smtp_ca_file, monkeypatch)
    assert code == 1 and "sent 2, failed 1" in out
    assert f"row 3 (patient_id P002): email: is not one plain address: it holds {holds}" in err
    assert_no_address_shown(out + err)
    check_received(server, ["P001", "P003"])
    # One RCPT a message, for its own row's address: nobody else was even asked for.
    assert server.handler.rcpts == [PATIENTS[0][4], PATIENTS[2][4]]


def test_an_encoded_word_past_the_address_check_still_reaches_no_one(capsys, tmp_path, write_roster, smtp_server,
                                                                     smtp_ca_file, monkeypatch):
    """If the cell check ever let an encoded word through, the read-back of the composed email stops it."""
    import handouts.mail.send as send_module

    monkeypatch.setattr(send_module, "check_address", lambda address, **options: address.strip())
    server = smtp_server("starttls", auth=(USER, PASSWORD))
    roster = write_roster([PATIENTS[0], [*PATIENTS[1][:4], NOT_ONE_ADDRESS[0][0]], PATIENTS[2]], header=HEADER)
    code, out, err = send(capsys, tmp_path, roster, server, smtp_ca_file, monkeypatch)
    assert code == 1 and "sent 2, failed 1 (row 3: its email would not go to this row's address alone" in out
    assert_no_address_shown(out + err)
    check_received(server, ["P001", "P003"])
    assert server.handler.rcpts == [PATIENTS[0][4], PATIENTS[2][4]]


@pytest.mark.parametrize("sender, holds", [(cell.strip('"'), holds) for cell, holds in NOT_ONE_ADDRESS])
def test_from_that_is_not_one_address_sends_nothing(capsys, tmp_path, roster, smtp_server, smtp_ca_file,
                                                    monkeypatch, sender, holds):
    server = smtp_server("starttls", auth=(USER, PASSWORD))
    code, _, err = send(capsys, tmp_path, roster, server, smtp_ca_file, monkeypatch, "--from", sender)
    assert code == 2 and f"--from: the sender address is not one plain address: it holds {holds}" in err
    assert_no_address_shown(err)
    assert server.received == [] and server.handler.rcpts == []
