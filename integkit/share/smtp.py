"""One SMTP session: connect with STARTTLS or implicit TLS, log in, send messages (smtplib).

Failures become one line each: the server could not be reached, offers no STARTTLS or an
untrusted certificate, or drops the connection (`MailConnectionError`); it refuses the login
(`MailLoginError`); it refuses a message or a recipient (`MailError`, or the refused addresses
that `send` returns). The password goes only to the server, after TLS is up.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from email.message import EmailMessage
from types import TracebackType

from integkit.errors import MailConnectionError, MailError, MailLoginError
from integkit.share.settings import ENV_SECURITY, SmtpSettings

TIMEOUT = 60  # seconds per network operation


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}"


class SmtpSession:
    """A connection to the configured server, logged in; use as a context manager."""

    def __init__(self, settings: SmtpSettings, timeout: float = TIMEOUT) -> None:
        self.settings = settings
        self.timeout = timeout
        self.where = f"{settings.host}:{settings.port}"
        self.server: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSession:
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.security == "tls":
                self.server = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=context)
            else:
                self.server = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
            self.server.ehlo()
            if s.security == "starttls":
                if not self.server.has_extn("starttls"):
                    raise MailConnectionError(
                        f"{self.where} offers no STARTTLS; nothing is sent in the clear "
                        f"(use {ENV_SECURITY}=tls for a server that speaks TLS from the start)"
                    )
                self.server.starttls(context=context)
                self.server.ehlo()
        except ssl.SSLCertVerificationError as exc:
            self._close()
            raise MailConnectionError(f"{self.where}: the server's certificate is not trusted: {exc.verify_message}") from None
        except (OSError, smtplib.SMTPException) as exc:
            self._close()
            raise MailConnectionError(f"cannot connect to {self.where}: {exc}") from None
        except BaseException:
            self._close()
            raise
        if s.user:
            self._login()
        return self

    def _login(self) -> None:
        assert self.server is not None
        s = self.settings
        try:
            if f"{s.user}{s.password}".isascii():
                self.server.login(s.user, s.password)
            else:
                self._login_utf8()
        except smtplib.SMTPAuthenticationError as exc:
            self._close()
            raise MailLoginError(f"{self.where} refused the login for {s.user}: {_reply(exc.smtp_code, exc.smtp_error)}") from None
        except smtplib.SMTPNotSupportedError:
            self._close()
            raise MailLoginError(f"{self.where} offers no login (AUTH); unset SMTP_USER to send without one") from None
        except (OSError, smtplib.SMTPException) as exc:
            self._close()
            raise MailConnectionError(f"{self.where}: connection lost while logging in: {exc}") from None

    def _login_utf8(self) -> None:
        """AUTH PLAIN with UTF-8 credentials (RFC 4616), which smtplib's login cannot send (it encodes ASCII)."""
        assert self.server is not None
        if "plain" not in self.server.esmtp_features.get("auth", "").lower().split():
            raise smtplib.SMTPNotSupportedError("AUTH PLAIN")
        token = base64.b64encode(f"\0{self.settings.user}\0{self.settings.password}".encode("utf-8")).decode("ascii")
        code, reply = self.server.docmd("AUTH", f"PLAIN {token}")
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, reply)

    def send(self, msg: EmailMessage, to: list[str]) -> dict[str, str]:
        """Send `msg` to the addresses `to`; the refused addresses with the server's reply (all refused: MailError)."""
        assert self.server is not None
        try:
            refused = self.server.send_message(msg, to_addrs=to)
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailError(
                "; ".join(f"{addr} refused: {_reply(code, text)}" for addr, (code, text) in exc.recipients.items())
            ) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise MailError(f"message refused: {_reply(exc.smtp_code, exc.smtp_error)}") from None
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self._close()
            raise MailConnectionError(f"connection to {self.where} lost: {exc or type(exc).__name__}") from None
        except smtplib.SMTPException as exc:
            raise MailError(f"message not sent: {exc}") from None
        return {addr: _reply(code, text) for addr, (code, text) in refused.items()}

    def _close(self) -> None:
        if self.server is not None:
            try:
                self.server.close()
            finally:
                self.server = None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.server is not None:
            try:
                self.server.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._close()
