"""Settings kept, secrets not: the clinic profile's `mail:` section, `send` taking it as its defaults (the command
line wins), and the password from the environment, the system keyring or a prompt, never from a file."""

import shutil
import sys
import types
import warnings

import pytest
from conftest import DATA, REPO, approved_copy, load_profile, run
from test_send import CLINIC, HEADER, PATIENTS
from test_send_smtp import PASSWORD, USER, check_received

from handouts.load.profile import mail_profile
from handouts.mail.session import KEYRING_SERVICE, smtp_password

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")

SENDER = "desk@lakeside-pain.test"  # not the profile's `email:` (frontdesk@...): the From is mail's own


def with_mail(folder, mail: str, name="clinic.yaml"):
    """The fictional clinic's profile in `folder`, with `mail` (YAML lines, indented) as its mail: section."""
    path = folder / name
    path.write_text(CLINIC.read_text(encoding="utf-8") + "mail:\n" + mail, encoding="utf-8")
    return path


def line_of(path, text):
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if line.lstrip().startswith(text))


def test_the_mail_section_is_read_into_plain_settings(tmp_path):
    path = with_mail(tmp_path, "  server: mail.lakeside-pain.test\n  port: 2587\n  security: TLS\n  user: frontdesk\n"
                               f"  from: {SENDER}\n  ca_file: certs/ca.pem\n  rate: 30/min\n  outbox: drafts\n"
                               "  ledger: /srv/handouts/ledger.sqlite3\n")
    mail = mail_profile(load_profile(path))
    assert (mail.server, mail.port, mail.security, mail.user, mail.sender, mail.rate) == (
        "mail.lakeside-pain.test", 2587, "tls", "frontdesk", SENDER, "30/min")
    assert mail.address == "mail.lakeside-pain.test:2587"
    # Paths are the clinic folder's (the profile's folder), wherever the command runs.
    assert mail.ca_file == tmp_path / "certs" / "ca.pem" and mail.outbox == tmp_path / "drafts"
    assert str(mail.ledger) == "/srv/handouts/ledger.sqlite3"
    assert mail.lines["ca_file"] == line_of(path, "ca_file:")
    profile = load_profile(path)
    assert "mail" not in profile and profile["email"] == "frontdesk@lakeside-pain.test"  # templates never see it
    assert mail_profile(load_profile(CLINIC)).address is None  # no mail: section, no server: drafts


def test_the_sample_profiles_mail_example_is_a_valid_mail_section(tmp_path):
    """content/clinic.yaml shows a mail: section in comments; uncommented, it is read as it says."""
    lines = (REPO / "content" / "clinic.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("# mail:")
    example = [lines[start][2:]] + [line[2:] for line in lines[start + 1:] if line.startswith("#   ")]
    (tmp_path / "clinic.yaml").write_text("\n".join(lines + example) + "\n", encoding="utf-8")
    mail = mail_profile(load_profile(tmp_path / "clinic.yaml"))
    assert mail.server and mail.port == 587 and mail.security == "starttls" and mail.user and mail.rate
    assert mail.ca_file == tmp_path / "certs" / "clinic-ca.pem"


@pytest.mark.parametrize("mail, at, says", [
    ("  sever: mail.clinic.test\n", "sever:", "unknown key 'sever' in 'mail' in the clinic profile; did you mean "
                                              "'server'?"),
    ("  server: mail.clinic.test:587\n", "server:", "'mail: server' holds a port; write the host name alone"),
    ("  server: smtp://mail.clinic.test\n", "server:", "'mail: server' is not a host name"),
    ("  port: 70000\n", "port:", "'mail: port' must be a port number from 1 to 65535"),
    ("  port: '587'\n", "port:", "'mail: port' must be a port number"),
    ("  security: ssl\n", "security:", "'mail: security' must be starttls or tls"),
    ("  from: Front Desk <desk@clinic.test>\n", "from:", "'mail: from' is not one plain address"),
    ("  rate: fast\n", "rate:", "'mail: rate' is not a rate; write deliveries a minute"),
    ("  user: [a, b]\n", "user:", "'mail: user' must be"),
    ("  - server\n", "mail:", "'mail' must hold 'key: value' lines"),
])
def test_a_mistake_in_the_mail_section_is_one_line_at_its_place(capsys, tmp_path, mail, at, says):
    path = with_mail(tmp_path, mail)
    code, out, err = run(capsys, "list", "--clinic", str(path), "--content", str(REPO / "content"))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"error: {path}:{line_of(path, at)}: {says}"), err


@pytest.mark.parametrize("key", ["password", "smtp_password", "pass", "secret"])
def test_a_password_in_the_profile_is_refused_and_never_shown(capsys, tmp_path, key):
    path = with_mail(tmp_path, f"  server: mail.clinic.test\n  user: frontdesk\n  {key}: hunter2-secret\n")
    code, out, err = run(capsys, "list", "--clinic", str(path), "--content", str(REPO / "content"))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"error: {path}:{line_of(path, key + ':')}: 'mail: {key}': a password is never kept "
                          "in the clinic profile; remove the line; the password comes from HANDOUTS_SMTP_PASSWORD, "
                          "the system keyring"), err
    assert "hunter2" not in out + err


@pytest.fixture
def clinic_folder(tmp_path, smtp_ca_file):
    """A clinic folder for the fictional clinic: its profile (mail: added by each test), the shipped content
    approved, the layouts, and the mail server's CA file in certs/."""
    folder = tmp_path / "clinic"
    approved_copy(folder / "content")
    shutil.copytree(REPO / "layouts", folder / "layouts")
    (folder / "certs").mkdir()
    shutil.copy(smtp_ca_file, folder / "certs" / "clinic-ca.pem")
    return folder


def mail_section(server, **more):
    settings = {"server": server.host, "port": server.port, "security": "starttls", "user": USER, "from": SENDER,
                "ca_file": "certs/clinic-ca.pem", **more}
    return "".join(f"  {key}: {value}\n" for key, value in settings.items())


def send(capsys, folder, roster, *extra):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run(capsys, "--home", str(folder), "send", str(roster), "--jobs", "1", "--quiet", "--yes", *extra)


@pytest.fixture
def roster(write_roster):
    return write_roster(PATIENTS, header=HEADER)


def test_the_morning_command_sends_as_the_profile_says(capsys, clinic_folder, roster, smtp_server, monkeypatch):
    server = smtp_server("starttls", auth=(USER, PASSWORD))
    with_mail(clinic_folder, mail_section(server))
    monkeypatch.setenv("HANDOUTS_SMTP_PASSWORD", PASSWORD)
    code, out, err = send(capsys, clinic_folder, roster)
    assert code == 0, err
    assert f"by email through {server.host}" in out and out.strip().endswith("sent 3")
    check_received(server, ["P001", "P002", "P003"])
    assert {received.message["From"] for received in server.received} == {SENDER}
    assert {received.mail_from for received in server.received} == {SENDER}
    assert (clinic_folder / "output" / "send-ledger.sqlite3").is_file()  # the clinic folder's own ledger
    code, out, _ = send(capsys, clinic_folder, roster)
    assert code == 0 and "skipped 3" in out and len(server.received) == 3


def test_options_on_the_command_line_win_over_the_profile(capsys, clinic_folder, roster, smtp_server, tmp_path):
    server = smtp_server("starttls", auth=(USER, PASSWORD))
    with_mail(clinic_folder, mail_section(server, outbox="outbox-from-profile"))
    code, out, err = send(capsys, clinic_folder, roster, "--drafts", "--from", "other@lakeside-pain.test")
    assert code == 0 and out.strip().endswith("drafted 3"), err
    drafted = sorted((clinic_folder / "outbox-from-profile").glob("*.eml"))
    assert len(drafted) == 3 and server.received == []
    assert all(b"From: other@lakeside-pain.test" in path.read_bytes() for path in drafted)
    code, out, err = send(capsys, clinic_folder, roster, "--drafts", "--outbox", str(tmp_path / "mine"),
                          "--ledger", str(tmp_path / "mine.sqlite3"))
    assert code == 0 and len(list((tmp_path / "mine").glob("*.eml"))) == 3, err
    code, out, err = send(capsys, clinic_folder, roster, "--drafts", "--smtp", "mail.lakeside-pain.test")
    assert code == 2 and "--drafts" in err and "--smtp" in err


def test_documents_not_approved_never_go_through_the_profiles_mail_server(capsys, clinic_folder, roster,
                                                                           smtp_server):
    server = smtp_server("starttls", auth=(USER, PASSWORD))
    with_mail(clinic_folder, mail_section(server))
    code, out, err = send(capsys, clinic_folder, roster, "--allow-draft")
    assert code == 2 and "--drafts" in err and server.received == [], err
    code, out, err = send(capsys, clinic_folder, roster, "--allow-draft", "--drafts")
    assert code == 0 and out.strip().endswith("drafted 3") and server.received == [], err


def test_a_missing_ca_file_is_named_at_its_line_when_sending(capsys, clinic_folder, roster, smtp_server):
    server = smtp_server("starttls", auth=(USER, PASSWORD))
    path = with_mail(clinic_folder, mail_section(server, ca_file="certs/missing.pem"))
    code, out, err = send(capsys, clinic_folder, roster, "--dry-run")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"error: {path}:{line_of(path, 'ca_file:')}: 'mail: ca_file' names no file"), err
    code, _, err = send(capsys, clinic_folder, roster, "--dry-run", "--drafts")  # drafts need no CA file
    assert code == 0, err


class FakeKeyring(types.ModuleType):
    """A stand-in for the `keyring` package: a system keyring holding one password."""

    def __init__(self, passwords=None, broken=False):
        super().__init__("keyring")
        self.passwords, self.broken, self.asked = dict(passwords or {}), broken, []

    def get_password(self, service, username):
        self.asked.append((service, username))
        if self.broken:
            raise RuntimeError("No recommended backend was available.")  # keyring's NoKeyringError is one
        return self.passwords.get((service, username))


def never_asked(user):
    raise AssertionError("the prompt was used")


def test_the_password_comes_from_the_environment_then_the_keyring_then_the_prompt(monkeypatch):
    keyring = FakeKeyring({(KEYRING_SERVICE, "frontdesk"): "from the keyring"})
    monkeypatch.setitem(sys.modules, "keyring", keyring)
    monkeypatch.setenv("HANDOUTS_SMTP_PASSWORD", "from the environment")
    assert smtp_password("frontdesk", never_asked) == "from the environment" and keyring.asked == []
    monkeypatch.delenv("HANDOUTS_SMTP_PASSWORD")
    assert smtp_password("frontdesk", never_asked) == "from the keyring"
    assert keyring.asked == [("handouts", "frontdesk")]  # service "handouts", the mail user
    assert smtp_password("someone-else", lambda user: f"typed for {user}") == "typed for someone-else"
    monkeypatch.setitem(sys.modules, "keyring", FakeKeyring(broken=True))  # no backend: the prompt asks
    assert smtp_password("frontdesk", lambda user: "typed") == "typed"
    monkeypatch.setitem(sys.modules, "keyring", None)  # not installed: `import keyring` fails
    assert smtp_password("frontdesk", lambda user: "typed") == "typed"


def test_send_logs_in_with_the_keyring_password(capsys, clinic_folder, roster, smtp_server, monkeypatch):
    server = smtp_server("starttls", auth=(USER, PASSWORD))
    with_mail(clinic_folder, mail_section(server))
    monkeypatch.delenv("HANDOUTS_SMTP_PASSWORD", raising=False)
    keyring = FakeKeyring({(KEYRING_SERVICE, USER): PASSWORD})
    monkeypatch.setitem(sys.modules, "keyring", keyring)
    import handouts.cli

    monkeypatch.setattr(handouts.cli.click, "prompt", never_asked)
    code, out, err = send(capsys, clinic_folder, roster)
    assert code == 0 and out.strip().endswith("sent 3"), err
    assert keyring.asked == [(KEYRING_SERVICE, USER)] and PASSWORD not in out + err
    check_received(server, ["P001", "P002", "P003"])


def test_the_profile_mail_section_is_shown_by_status_too(capsys, tmp_path):
    """--status reads the ledger the profile names, with no content folder needed."""
    folder = tmp_path / "clinic"
    folder.mkdir()
    with_mail(folder, "  ledger: records/deliveries.sqlite3\n")
    code, _, err = run(capsys, "--home", str(folder), "send", "--status")
    assert code == 2 and f"{folder / 'records' / 'deliveries.sqlite3'}: there is no ledger here yet" in err


def test_data_clinic_profiles_have_no_mail_section():
    """The tests' fictional profiles send drafts unless a test adds a mail: section."""
    for path in (CLINIC, DATA / "clinic.yaml"):
        assert mail_profile(load_profile(path)).address is None
