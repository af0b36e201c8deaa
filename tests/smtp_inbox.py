"""A real SMTP server for tests (aiosmtpd on a free local port) and its inbox: what it
accepted, per message and per recipient; addresses in `refuse` are refused at RCPT."""

from __future__ import annotations

import email
import socket
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self, refusal: str = "550 mailbox unavailable"):
        self.messages: list[email.message.EmailMessage] = []
        self.deliveries: Counter[str] = Counter()     # per recipient, every delivery
        self.refuse: set[str] = set()
        self.refusal = refusal
        self.port = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for recipient in envelope.rcpt_tos:
            self.deliveries[recipient] += 1
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self) -> list[str]:
        return [m["To"].addresses[0].addr_spec for m in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(inbox: Inbox | None = None) -> Iterator[Inbox]:
    """The inbox behind a running SMTP server on 127.0.0.1:inbox.port."""
    inbox = inbox or Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
