"""Mail transports: SMTP, or .eml files in a folder when no mail server is configured;
RateLimited around either keeps a mail job within the mail server's limit."""

from __future__ import annotations

import re
import smtplib
import time
from contextlib import AbstractContextManager, suppress
from email.message import EmailMessage
from pathlib import Path

from flask_babel import gettext

# Control characters and everything str.splitlines() splits on: none of it may reach a
# header (the email package refuses CR and LF; the others split a name on the reader's
# screen, or are not text at all).
_NOT_IN_HEADER = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def can_address(address: str | None) -> bool:
    """Whether a mail header can carry the address as it is: ASCII (the servers here do
    not speak SMTPUTF8) on one line, one @. Otherwise composing would raise."""
    return bool(address) and address.isascii() and header_text(address) == address \
        and " " not in address and address.count("@") == 1


def header_text(value: str) -> str:
    """A value as one header line: controls and line breaks become spaces, runs of
    white space one space. The email package then encodes what is not ASCII."""
    return " ".join(_NOT_IN_HEADER.sub(" ", value).split())


class MailError(RuntimeError):
    """The mail server refused a message (or could not be reached)."""


class OutboxTransport(AbstractContextManager):
    """Development: each message becomes a file <message-id>.eml in the folder."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc):
        return None

    def send(self, message: EmailMessage) -> None:
        name = message["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
        (self.folder / f"{name}.eml").write_bytes(bytes(message))


class SmtpTransport(AbstractContextManager):
    """One SMTP connection for a batch of messages, opened anew after `per_connection`
    messages: a whole round is one batch, and many servers end a connection after some
    hundred messages. A new connection is made only between two messages, never while
    one may be on its way, so it never sends one twice."""

    def __init__(self, host: str, port: int = 25, user: str = "", password: str = "",
                 starttls: bool = False, timeout: float = 30, per_connection: int = 100):
        self.host, self.port, self.user, self.password = host, port, user, password
        self.starttls, self.timeout = starttls, timeout
        self.per_connection = max(per_connection, 1)
        self.smtp: smtplib.SMTP | None = None
        self._sent_here = 0

    def __enter__(self):
        self._sent_here = 0
        try:
            self.smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                self.smtp.starttls()
            if self.user:
                self.smtp.login(self.user, self.password)
        except (OSError, smtplib.SMTPException) as exc:
            if self.smtp is not None:          # connected, but STARTTLS or login failed
                with suppress(OSError, smtplib.SMTPException):
                    self.smtp.close()
                self.smtp = None
            raise MailError(gettext("mailserver %(host)s:%(port)s: %(error)s", host=self.host,
                                    port=self.port, error=exc)) from exc
        return self

    def __exit__(self, *exc):
        if self.smtp is not None:
            with suppress(OSError, smtplib.SMTPException):
                self.smtp.quit()
            self.smtp = None
        return None

    def send(self, message: EmailMessage) -> None:
        if self.smtp is None or self._sent_here >= self.per_connection:
            self.__exit__(None, None, None)
            self.__enter__()        # a MailError here fails this message, not the batch
        try:
            self.smtp.send_message(message)
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self.smtp = None        # gone: the next message opens a new connection
            raise MailError(str(exc)) from exc
        except smtplib.SMTPException as exc:
            raise MailError(str(exc)) from exc
        finally:
            self._sent_here += 1


def transport_for(config, instance_path: str):
    if config.get("SURVEY_SMTP_HOST"):
        return SmtpTransport(config["SURVEY_SMTP_HOST"], config["SURVEY_SMTP_PORT"],
                             config["SURVEY_SMTP_USER"], config["SURVEY_SMTP_PASSWORD"],
                             config["SURVEY_SMTP_STARTTLS"],
                             per_connection=int(config.get("SURVEY_SMTP_PER_CONNECTION")
                                                or 100))
    return OutboxTransport(Path(instance_path) / "outbox")


class RateLimited(AbstractContextManager):
    """At most `per_minute` messages a minute handed to the transport it wraps, evenly
    spaced (no burst at the start of each minute): any 60 seconds hold no more than
    per_minute sends. A mail job sends a whole round through one of these, so that the
    mail server's limit holds however many schools the round has."""

    def __init__(self, transport, per_minute: int, *, clock=time.monotonic,
                 sleep=time.sleep):
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.transport, self.interval = transport, 60.0 / per_minute
        self.clock, self.sleep = clock, sleep
        self._next: float | None = None

    def __enter__(self):
        self.transport.__enter__()
        return self

    def __exit__(self, *exc):
        return self.transport.__exit__(*exc)

    def send(self, message: EmailMessage) -> None:
        now = self.clock()
        if self._next is not None and now < self._next:
            self.sleep(self._next - now)
            now = self._next
        # from when this send may start, not from when it ended: a slow server does not
        # slow the pace further, a fast one never exceeds it
        self._next = now + self.interval
        self.transport.send(message)


def job_transport(config, instance_path: str):
    """The transport of a background mail job: the configured one, within
    SURVEY_MAIL_PER_MINUTE (0: no limit)."""
    transport = transport_for(config, instance_path)
    per_minute = int(config.get("SURVEY_MAIL_PER_MINUTE") or 0)
    return RateLimited(transport, per_minute) if per_minute > 0 else transport
