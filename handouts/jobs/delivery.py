"""How a finished email leaves: the transport interface and what can go wrong on the way.

A transport is a context manager (connect on enter, close on exit) with one
method, `deliver(message)`. It raises one of the failures below, whose reasons
never hold a patient's name or address: the send job records them in the
ledger and decides what happens to the row and to the batch.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol


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

    def deliver(self, message: EmailMessage) -> str:
        """Hand the message on; return the status to record ("drafted" or "sent")."""
        ...
