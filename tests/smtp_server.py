"""A real SMTP server for tests: aiosmtpd on a free loopback port, with faults to order.

`start_server(mode, ...)` returns a running `MailServer`; `mode` is "plain",
"starttls" (STARTTLS required) or "tls" (implicit TLS). Certificates come from
trustme. The handler records every accepted message and can refuse logins,
answer 451 for the first tries, 550 for some recipients, or hang up after a
number of messages on a connection.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"
READY_TIMEOUT = 5.0  # seconds for the server thread to come up


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    connection: int  # 1 for the first connection that delivered a message, 2 for the next ...

    @property
    def message(self) -> EmailMessage:
        """The message as parsed by `email`, with the wire's CRLF line ends turned back into \\n."""
        return message_from_bytes(self.data.replace(b"\r\n", b"\n"), policy=policy.default)


@dataclass
class Recorder:
    """aiosmtpd handler: records accepted messages; fault settings are plain attributes."""

    temporary_failures: int = 0  # answer 451 to this many tries, then accept
    temporary_at: str = "DATA"  # where the 451 comes: "RCPT" or "DATA"
    refuse: set[str] = field(default_factory=set)  # answer 550 (echoing the address) for these recipients
    drop_after: int | None = None  # hang up after this many messages on one connection
    received: list[Received] = field(default_factory=list)
    rcpts: list[str] = field(default_factory=list)  # every RCPT TO address asked for, accepted or not
    attempts: int = 0  # transactions that reached the fault point
    connections: int = 0  # connections that delivered at least one message

    def _temporary(self, stage: str) -> str | None:
        if self.temporary_at != stage:
            return None
        self.attempts += 1
        if self.attempts <= self.temporary_failures:
            return "451 4.3.0 Temporary local problem, try again later"
        return None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpts.append(address)
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: mailbox unavailable"
        if reply := self._temporary("RCPT"):
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if reply := self._temporary("DATA"):
            return reply
        # The server runs its handler on one event-loop thread; tests read `received` after the reply.
        session.messages = getattr(session, "messages", 0) + 1  # per connection: a session is one connection
        if session.messages == 1:
            self.connections += 1
            session.number = self.connections
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content),
                                      session.number))
        if self.drop_after is not None and session.messages >= self.drop_after:
            # Confirm this message, then hang up once the reply is written (close() flushes first).
            server.loop.call_soon(server.transport.close)
        return "250 2.0.0 OK: queued"


def password_checker(user: str, password: str):
    """An aiosmtpd authenticator that accepts exactly one user and password."""

    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data == (user.encode(), password.encode())
        return AuthResult(success=ok, handled=False)

    return check


class _FreePortController(Controller):
    """A Controller that binds port 0 and reads back the port the system chose (no race for a port)."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class MailServer:
    controller: Controller
    handler: Recorder
    host: str
    port: int

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def stop(self) -> None:
        """Stop the server; stopping twice is harmless (a test may stop it early)."""
        if self.controller._thread is not None:
            self.controller.stop()


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    return context


def start_server(mode: str = "starttls", *, ca: trustme.CA | None = None, auth: tuple[str, str] | None = None,
                 handler: Recorder | None = None, names: tuple[str, ...] = (HOST, "localhost")) -> MailServer:
    """Start a server on 127.0.0.1 and a free port, its certificate for `names`; stop it with `.stop()`."""
    handler = handler or Recorder()
    options: dict = {"server_hostname": "localhost", "ready_timeout": READY_TIMEOUT,
                     "timeout": 5}  # the server hangs up on a silent client, so nothing waits forever
    if mode != "plain":
        context = server_context(ca or trustme.CA(), *names)
        if mode == "starttls":
            options.update(tls_context=context, require_starttls=True)
        elif mode == "tls":
            options.update(ssl_context=context)
        else:
            raise ValueError(mode)
    if auth:
        # aiosmtpd counts only STARTTLS as TLS; an implicit-TLS connection is encrypted too
        # (it warns "Requiring AUTH while not requiring TLS" for it: tests filter that warning).
        options.update(authenticator=password_checker(*auth), auth_required=True,
                       auth_require_tls=mode == "starttls")
    controller = _FreePortController(handler, hostname=HOST, port=0, **options)
    controller.start()
    return MailServer(controller, handler, HOST, controller.port)
