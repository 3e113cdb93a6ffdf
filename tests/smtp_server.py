"""A real SMTP server on loopback for the tests (aiosmtpd): plain, STARTTLS or implicit TLS, with or without login.

It keeps every message it accepted (envelope and raw bytes), can refuse chosen recipients, and
can drop the connection at the n-th message, so a test sees what a mail server would see.
Certificates are made per server with trustme; `ca_file` is what a client must trust
(`SSL_CERT_FILE`).
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.data)  # type: ignore[return-value]


@dataclass
class Mailbox:
    """The aiosmtpd handler: stores accepted messages, refuses chosen recipients, may drop the line."""

    refuse: set[str] = field(default_factory=set)
    drop_at: int | None = None  # drop the connection instead of accepting the n-th message (1-based)
    received: list[Received] = field(default_factory=list)
    seen: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.drop_at is not None and self.seen == self.drop_at:
            server.transport.close()
            return "421 4.3.0 closing"
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopbackSMTP:
    """An SMTP server on 127.0.0.1; `security` is "none", "starttls" or "tls"; `users` enables login."""

    def __init__(self, tmp: Path, security: str = "starttls", users: dict[str, str] | None = None, mailbox: Mailbox | None = None):
        self.security = security
        self.users = users or {}
        self.mailbox = mailbox or Mailbox()
        self.port = free_port()
        ca = trustme.CA()
        self.ca_file = tmp / "smtp-test-ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
        options: dict = {"hostname": "127.0.0.1", "port": self.port, "server_hostname": "mail.test"}
        if security == "starttls":
            options.update(tls_context=server_context, require_starttls=True)
        elif security == "tls":
            # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; an implicit-TLS socket is TLS throughout
            options.update(ssl_context=server_context, auth_require_tls=False)
        if self.users:
            options.update(authenticator=self._authenticate, auth_required=True)
        self.controller = Controller(self.mailbox, **options)
        self.logins: list[tuple[str, bool]] = []

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        ok = self.users.get(user) == password
        self.logins.append((user, ok))
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself

    def environ(self, **extra: str) -> dict[str, str]:
        """SMTP_* settings that reach this server (plus `extra`)."""
        env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.port), "SMTP_SECURITY": self.security,
               "SMTP_FROM": "Integrationsbeauftragte <integration@lra-freising.example>"}
        env.update(extra)
        return env

    def __enter__(self) -> LoopbackSMTP:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
