"""Sending an outbox email over SMTP (aiosmtplib), with timeouts on every socket operation."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime
from types import TracebackType
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from core.notifications.outbox import PendingEmail, subject_line
from core.settings import Settings

#: Seconds for connecting and for each SMTP command (a hung server cannot hold a worker).
SMTP_TIMEOUT = 20.0


class Mailer(Protocol):
    async def send(self, email: PendingEmail) -> None: ...

    async def close(self) -> None: ...


def build_message(email: PendingEmail, sender: str) -> EmailMessage:
    """The RFC 5322 message of an outbox row; its Message-ID is the row's stable one."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.recipient
    message["Subject"] = subject_line(email.subject)
    message["Date"] = format_datetime(email.created_at)
    message["Message-ID"] = email.message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email.body)
    return message


class SmtpMailer:
    """One SMTP connection, opened on first send and reopened after a failure."""

    def __init__(self, url: str, sender: str, *, timeout: float = SMTP_TIMEOUT) -> None:
        parts = urlsplit(url)
        self.hostname = parts.hostname or "127.0.0.1"
        self.use_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.use_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout = timeout
        self._smtp: aiosmtplib.SMTP | None = None

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._smtp is None or not self._smtp.is_connected:
            smtp = aiosmtplib.SMTP(
                hostname=self.hostname,
                port=self.port,
                use_tls=self.use_tls,
                start_tls=None,  # STARTTLS when the server offers it
                timeout=self.timeout,
            )
            await smtp.connect()
            if self.username:
                await smtp.login(self.username, self.password or "")
            self._smtp = smtp
        return self._smtp

    async def send(self, email: PendingEmail) -> None:
        smtp = await self._connection()
        try:
            await smtp.send_message(build_message(email, self.sender), timeout=self.timeout)
        except Exception:
            await self.close()
            raise

    async def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None or not smtp.is_connected:
            return
        try:
            await smtp.quit(timeout=self.timeout)
        except Exception:
            smtp.close()

    async def __aenter__(self) -> SmtpMailer:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


def mailer_for(settings: Settings) -> SmtpMailer | None:
    """The SMTP mailer of ``settings``; None without ``PORTAL_SMTP_URL`` (emails stay queued)."""
    if not settings.smtp_url:
        return None
    return SmtpMailer(settings.smtp_url, f"Placement portal <noreply@{settings.mail_domain}>")
