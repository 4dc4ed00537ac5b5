"""The SMTP transport: hands each message to the clinic's mail server over TLS.

Security: the connection is always encrypted and the server's certificate and
host name are always checked. `security="starttls"` (port 587) upgrades a plain
connection before anything else is said; `"tls"` (port 465) speaks TLS from the
first byte. `ca_file` trusts a clinic's own certificate authority instead of the
system's; there is no way to skip verification. `security="none"` (port 25,
plain text) exists only for a relay on this machine (e.g. a local Postfix that
does the encrypted hop itself) and is refused for any host but a loopback one.

Faults map onto delivery.py's failures: 4xx replies and lost connections are
retried with exponential backoff, then `TemporaryFailure`; a 5xx for the
recipient is `PermanentFailure`; a refused login or sender is
`AuthenticationFailure`; a server that cannot be reached or trusted is
`ConnectFailure`, which is an `AuthenticationFailure` so that the send job stops
the batch for it too. Reasons carry reply codes and the server's words with
every address and recipient name replaced by "<recipient>".

The envelope names the message's one sender and one recipient (`delivery.envelope`),
never what smtplib would gather from the headers: a message whose headers name
more than that is refused before a word reaches the server.

A connection lost after the message was sent but before the server's reply is
ambiguous in SMTP itself; it is retried, so that rare case may deliver twice
(never zero times).
"""

from __future__ import annotations

import email.utils
import ipaddress
import re
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from handouts.errors import AddressingError, InputError, InternalError, terminal_safe
from handouts.mail.delivery import (
    AuthenticationFailure,
    DeliveryFailure,
    PermanentFailure,
    TemporaryFailure,
    envelope,
)

SECURITY_PORTS = {"starttls": 587, "tls": 465, "none": 25}
_REASON_TEXT_LIMIT = 120  # server replies can be long; the ledger needs the gist
# Anything shaped like an address, with its angle brackets if it has them.
_ADDRESS = re.compile(r"<?[^\s<>@\"'(),;:\[\]]+@[^\s<>@\"'(),;:\[\]]+>?")


class ConnectFailure(AuthenticationFailure):
    """The server could not be reached, or its certificate could not be trusted.

    Nothing can be sent, so like a refused login it stops the batch; it subclasses
    `AuthenticationFailure` so the send job needs no extra case for it.
    """


class _Unreachable(Exception):
    """Internal: connecting failed in a way worth retrying (refused, timed out, dropped)."""

    def __init__(self, failure: ConnectFailure):
        super().__init__(failure.reason)
        self.failure = failure


class SmtpTransport:
    """Deliver messages through an SMTP server; use as a context manager (see delivery.Transport)."""

    name = "smtp"

    def __init__(self, host: str, port: int | None = None, *, security: str = "starttls",
                 ca_file: Path | None = None, username: str | None = None, password: str | None = None,
                 timeout: float = 30.0, retries: int = 3, backoff: float = 2.0,
                 sleep: Callable[[float], object] = time.sleep):
        if security not in SECURITY_PORTS:
            raise InputError(f"unknown SMTP security {security!r}", rule="smtp-security",
                             hint="use starttls (port 587) or tls (port 465)")
        if security == "none" and not is_loopback(host):
            # Plain text would expose patients' PDFs and the password on the network.
            raise InputError("plain-text SMTP is allowed only to a relay on this machine", rule="smtp-plaintext",
                             hint="use starttls (port 587) or tls (port 465)")
        if port is None:
            port = SECURITY_PORTS[security]
        if not 0 < port < 65536:
            raise InputError(f"the SMTP port must be 1 to 65535, not {port}", rule="smtp-port")
        if password is not None and username is None:
            raise InputError("an SMTP password needs a user name", rule="smtp-login")
        self.host, self.port, self.security = host, port, security
        self.username, self._password = username, password
        self.timeout, self.retries, self.backoff, self._sleep = timeout, retries, backoff, sleep
        self._context = None if security == "none" else _tls_context(ca_file)
        self._smtp: smtplib.SMTP | None = None
        self._entered = False

    def __repr__(self) -> str:  # never the password
        return f"SmtpTransport({self.host!r}, {self.port}, security={self.security!r}, username={self.username!r})"

    def __enter__(self) -> SmtpTransport:
        try:
            self._smtp = self._connect()
        except _Unreachable as exc:
            raise exc.failure from None
        self._entered = True
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self._entered = False
        if exc_type is None or issubclass(exc_type, DeliveryFailure):
            self._disconnect()  # the session is between messages: say goodbye
        else:
            # Interrupted (Ctrl-C, a bug) maybe mid-message: hang up, so the server drops any half-sent
            # message instead of reading QUIT as part of it and waiting.
            self._forget_connection()

    def deliver(self, message: EmailMessage, name: str = "") -> str:
        """Send `message`; return "sent" or raise a `DeliveryFailure`. (`name`, a draft's file name, is not
        needed to send.)"""
        if not self._entered:
            raise InternalError("SmtpTransport.deliver called outside its with-block")
        try:
            sender, recipient = envelope(message)
        except AddressingError as exc:
            raise PermanentFailure(f"{exc.finding.message}; not sent") from None
        private = _private_values(message)
        attempt, free_reconnect = 0, True
        while True:
            reused = self._smtp is not None
            failure, lost = self._attempt(message, sender, recipient, private)
            if failure is None:
                return "sent"
            if lost and reused and free_reconnect:
                # Servers close idle or busy connections between messages: reconnect at once, once.
                free_reconnect = False
                continue
            if not isinstance(failure, (TemporaryFailure, ConnectFailure)) or attempt >= self.retries:
                raise failure
            self._drop_if_closed()
            attempt += 1
            self._sleep(self.backoff * 2 ** (attempt - 1))

    def _attempt(self, message: EmailMessage, sender, recipient, private) -> tuple[DeliveryFailure | None, bool]:
        """One try: (None, False) when the message went; else the failure and whether the connection was lost.
        What can never pass on another try is raised."""
        try:
            if self._smtp is None:  # dropped on an earlier try, or by the server after the last message
                self._smtp = self._connect()
            # The envelope, given: one RCPT for the one recipient, whatever else the headers might say.
            refused = self._smtp.send_message(message, from_addr=sender.addr_spec, to_addrs=[recipient.addr_spec])
        except _Unreachable as exc:
            return exc.failure, False  # if it lasts through the retries, the batch stops
        except smtplib.SMTPRecipientsRefused as exc:
            return _refused(exc.recipients, private), False
        except smtplib.SMTPSenderRefused as exc:
            # A 5xx for the sender would refuse every message (wrong From for this login): stop,
            # unless it is about this message's size.
            permanent = PermanentFailure if exc.smtp_code == 552 else AuthenticationFailure
            return _reply_failure(exc, "the server refused the sender", private, permanent=permanent), False
        except smtplib.SMTPNotSupportedError:
            # e.g. a non-ASCII address to a server without SMTPUTF8: this message can never go.
            raise PermanentFailure("the server cannot take this message's address (no SMTPUTF8)") from None
        except smtplib.SMTPResponseException as exc:  # DATA refused, 421 closing, ...
            return _reply_failure(exc, "the server refused the message", private), False
        except (smtplib.SMTPServerDisconnected, OSError) as exc:  # dropped, reset, timed out
            failure = TemporaryFailure(f"the connection was lost ({_connection_problem(exc, self.timeout)})")
            self._forget_connection()
            return failure, True
        if refused:
            # Some recipients took it: a retry would send them a second copy.
            raise _refused(refused, private)
        return None, False

    # -- connection --------------------------------------------------------------

    def _connect(self) -> smtplib.SMTP:
        """A connected, encrypted (unless "none") and logged-in session.

        Raises `_Unreachable` for what may pass (refused, timed out, dropped),
        `ConnectFailure` for what will not (certificate, no STARTTLS), and
        `AuthenticationFailure` for a refused login.
        """
        smtp = None
        try:
            if self.security == "tls":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo()
            where = f"{self.host} port {self.port}"
            if self.security == "starttls":
                if not smtp.has_extn("starttls"):  # never fall back to plain text
                    raise ConnectFailure(f"the server at {where} does not offer STARTTLS; "
                                         "try implicit TLS (port 465)")
                smtp.starttls(context=self._context)
                smtp.ehlo()
            if self.username is not None:
                if not smtp.has_extn("auth"):
                    raise AuthenticationFailure(f"the server at {where} does not offer a login (AUTH)")
                smtp.login(self.username, self._password or "")
            return smtp
        except BaseException as exc:
            if smtp is not None:
                smtp.close()
            if isinstance(exc, DeliveryFailure):
                raise
            failure = self._connect_failure(exc)
            if failure is None:
                raise
            if isinstance(failure, ConnectFailure) and _worth_retrying(exc):
                raise _Unreachable(failure) from None
            raise failure from None

    def _connect_failure(self, exc: BaseException) -> DeliveryFailure | None:
        where = f"{self.host} port {self.port}"
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            # Even a 454 "try later" login is a login that failed: stop rather than lock the account.
            return _reply_failure(exc, "the server refused the login", (), permanent=AuthenticationFailure,
                                  temporary=AuthenticationFailure, placeholder="<user>")
        if isinstance(exc, ssl.SSLCertVerificationError):
            return ConnectFailure(f"the certificate of {where} could not be verified ({exc.verify_message}); "
                                  "check the host name, or trust the clinic's CA file")
        if isinstance(exc, ssl.SSLError):
            return ConnectFailure(f"the TLS handshake with {where} failed ({exc.reason or exc})")
        if isinstance(exc, smtplib.SMTPResponseException):  # a refusing greeting, EHLO or STARTTLS reply
            return _reply_failure(exc, f"the server at {where} refused the session", (), permanent=ConnectFailure,
                                  temporary=ConnectFailure)
        if isinstance(exc, (smtplib.SMTPServerDisconnected, OSError)):
            return ConnectFailure(f"could not connect to {where} ({_connection_problem(exc, self.timeout)})")
        return None

    def _drop_if_closed(self) -> None:
        """Forget a session that smtplib or the server closed, so the next try reconnects."""
        smtp = self._smtp
        if smtp is None:
            return
        if smtp.sock is None:
            self._smtp = None
            return
        try:
            smtp.rset()  # a 4xx left a half transaction; also proves the line is alive
        except (smtplib.SMTPException, OSError):
            self._forget_connection()

    def _forget_connection(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def _disconnect(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass  # leaving anyway: everything sent has already been confirmed
        finally:
            smtp.close()


# -- helpers -----------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine: "localhost" or a loopback address (never looked up)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _tls_context(ca_file: Path | None) -> ssl.SSLContext:
    try:
        context = ssl.create_default_context(cafile=None if ca_file is None else str(ca_file))
    except (OSError, ssl.SSLError) as exc:
        raise InputError(f"cannot read the CA file ({getattr(exc, 'strerror', None) or exc})",
                         source=str(ca_file), rule="smtp-ca-file",
                         hint="give a PEM file with the clinic's CA certificate") from None
    # create_default_context already does both; stated so that nobody relaxes them by accident.
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def _worth_retrying(exc: BaseException) -> bool:
    """Connection problems that often pass: refused, reset, timed out, dropped; not DNS or TLS."""
    if isinstance(exc, (ssl.SSLError, socket.gaierror)):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, (smtplib.SMTPServerDisconnected, OSError))


def _connection_problem(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, socket.gaierror):
        return "the host name could not be resolved"
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return type(exc).__name__


def _private_values(message: EmailMessage) -> tuple[str, ...]:
    """Recipient addresses, their local parts and display names: what a server reply must not carry on."""
    values: set[str] = set()
    fields = [str(v) for key in ("To", "Cc", "Bcc") for v in (message.get_all(key) or [])]
    for display, address in email.utils.getaddresses(fields):
        for value in (address, address.rpartition("@")[0], display, *display.split()):
            if len(value) >= 3:  # shorter pieces are common words, and too short to identify anyone
                values.add(value)
    return tuple(sorted(values, key=len, reverse=True))  # longest first: "a@b" before "a"


def redact(text: str | bytes, private: tuple[str, ...] = (), placeholder: str = "<recipient>") -> str:
    """Server reply text safe to store: no address, no recipient value, no control character, bounded."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = _ADDRESS.sub(placeholder, text)
    for value in private:  # whole words only: "Ann" must not eat "cannot"
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", placeholder, text, flags=re.IGNORECASE)
    text = terminal_safe(" ".join(text.split()))
    return text if len(text) <= _REASON_TEXT_LIMIT else text[:_REASON_TEXT_LIMIT - 1] + "…"


def _reply_failure(exc: smtplib.SMTPResponseException, what: str, private: tuple[str, ...], *,
                   permanent: type[DeliveryFailure] = PermanentFailure,
                   temporary: type[DeliveryFailure] = TemporaryFailure,
                   placeholder: str = "<recipient>") -> DeliveryFailure:
    code = exc.smtp_code
    kind = temporary if 400 <= code < 500 else permanent
    return kind(f"{what} ({_reply(code, exc.smtp_error, private, placeholder)})")


def _reply(code: int, text: str | bytes, private: tuple[str, ...], placeholder: str = "<recipient>") -> str:
    return " ".join(part for part in (str(code), redact(text, private, placeholder)) if part)


def _refused(recipients: dict, private: tuple[str, ...]) -> DeliveryFailure:
    """The failure for refused recipients: temporary only if every refusal was a 4xx."""
    if not recipients:
        return PermanentFailure("the message has no recipient")
    replies = list(recipients.values())
    code, text = max(replies, key=lambda reply: reply[0])  # the 5xx, if any, is the one that decides
    kind = TemporaryFailure if code < 500 else PermanentFailure
    return kind(f"the server refused the recipient ({_reply(code, text, private)})")
