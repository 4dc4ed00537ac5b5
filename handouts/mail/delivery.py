"""How a finished email leaves: the transport interface and what can go wrong on the way.

A transport is a context manager (connect on enter, close on exit) with one
method, `deliver(message)`. It raises one of the failures below, whose reasons
never hold a patient's name or address: the send job records them in the
ledger and decides what happens to the row and to the batch. A message has
one sender and one recipient, and a transport delivers it to that one alone
(`envelope`): never to whatever else its headers might be read to name.
"""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default
from typing import Protocol

from ..errors import AddressingError

# Headers besides From and To that name a recipient, or a sender that mail software would use instead.
_OTHER_ADDRESSES = ("cc", "bcc", "sender", "apparently-to")


class DeliveryFailure(Exception):
    """Delivery of one message failed; `reason` is safe to show and to store."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TemporaryFailure(DeliveryFailure):
    """A 4xx reply or a lost connection: the same message may go through later."""


class PermanentFailure(DeliveryFailure):
    """A 5xx reply for this recipient: this row failed, the batch goes on."""


class AuthenticationFailure(DeliveryFailure):
    """The server refused the login: nothing can be sent, the batch stops at once."""


class Transport(Protocol):
    name: str  # "drafts" or "smtp": recorded in the ledger

    def __enter__(self) -> "Transport": ...

    def __exit__(self, *exc) -> None: ...

    def deliver(self, message: EmailMessage, name: str) -> str:
        """Hand the message on; return the status to record ("drafted" or "sent"). `name` is the file a
        draft is written to ('<patient_id>_<date>.eml', never a patient's name); a server has no use for it."""
        ...


def envelope(message: EmailMessage) -> tuple[Address, Address]:
    """The message's one sender (From) and one recipient (To); `AddressingError` unless there is exactly one
    of each, outside any group, and no other header names a recipient or sender (Cc, Bcc, Sender, Resent-*)."""
    for name in message:  # the header names
        if name.lower() in _OTHER_ADDRESSES or name.lower().startswith("resent-"):
            raise AddressingError("the email has a header that names more recipients or another sender "
                                  "(Cc, Bcc, Sender or Resent-)", "email-one-recipient")
    return _one_address(message, "From", "email-one-sender"), _one_address(message, "To", "email-one-recipient")


def _one_address(message: EmailMessage, name: str, rule: str) -> Address:
    values = message.get_all(name) or []
    # A message made with another policy (compat32) holds plain strings: parse them as the default policy does.
    headers = [value if hasattr(value, "groups") else default.header_factory(name, str(value)) for value in values]
    if len(headers) != 1 or len(headers[0].groups) != 1 or headers[0].groups[0].display_name is not None \
            or len(headers[0].addresses) != 1:
        raise AddressingError(f"the email's {name} header does not hold exactly one address", rule)
    return headers[0].addresses[0]
