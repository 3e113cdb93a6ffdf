"""Where the SMTP settings come from: host, port, security, user, sender, and the password.

`SMTP_HOST`, `SMTP_PORT`, `SMTP_USER`, `SMTP_FROM` and `SMTP_SECURITY` come from the
environment or the workspace's `.env` file; the password from `SMTP_PASSWORD` in the
environment, then `.env`, then the system keyring (service `integkit-smtp`, entry
`USER@HOST`; store it with `keyring set integkit-smtp USER@HOST`). It never comes from a
command-line option or any other file, and integkit never writes it anywhere.

Security: `starttls` (the default; port 587) upgrades the connection before anything else is
said, `tls` (the default on port 465) speaks TLS from the start, `none` sends in the clear and
is refused when a password would have to go with it. Certificates are checked against the
system's trust store (or the file `SSL_CERT_FILE` names).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from pathlib import Path

from integkit.errors import InputError, MailSettingsError
from integkit.ingest.credentials import DOTENV, read_dotenv

ENV_HOST = "SMTP_HOST"
ENV_PORT = "SMTP_PORT"
ENV_USER = "SMTP_USER"
ENV_FROM = "SMTP_FROM"
ENV_PASSWORD = "SMTP_PASSWORD"
ENV_SECURITY = "SMTP_SECURITY"
KEYRING_SERVICE = "integkit-smtp"
SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server and as whom; the password never shows in repr or messages."""

    host: str
    port: int
    security: str
    sender: Address
    user: str = ""
    password: str = field(default="", repr=False)
    password_source: str = ""


def _settings(root: Path, environ: Mapping[str, str] | None) -> dict[str, str]:
    """The SMTP_* values: the environment first, then the workspace's .env."""
    environ = os.environ if environ is None else environ
    dotenv = read_dotenv(root)
    names = (ENV_HOST, ENV_PORT, ENV_USER, ENV_FROM, ENV_SECURITY)
    return {name: (environ.get(name) or dotenv.get(name) or "").strip() for name in names}


def sender_address(root: Path, environ: Mapping[str, str] | None = None) -> Address | None:
    """The sender (`SMTP_FROM`, else an address-shaped `SMTP_USER`), or None if neither is set."""
    values = _settings(root, environ)
    value = values[ENV_FROM] or (values[ENV_USER] if "@" in values[ENV_USER] else "")
    if not value:
        return None
    from integkit.share.recipients import parse_address

    try:
        return parse_address(value, ENV_FROM if values[ENV_FROM] else ENV_USER)
    except InputError as exc:
        raise MailSettingsError(str(exc)) from None


def password_from_keyring(host: str, user: str) -> str | None:
    """The stored SMTP password, or None if there is none or no usable keyring on this machine."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, f"{user}@{host}")
    except KeyringError:
        return None


def resolve_smtp(root: Path, environ: Mapping[str, str] | None = None) -> SmtpSettings:
    """The full settings for sending, checked; a missing or unusable one is one clear line (exit code 21)."""
    environ = os.environ if environ is None else environ
    values = _settings(root, environ)
    where = f"the environment or {Path(root) / DOTENV}"
    host = values[ENV_HOST]
    if not host:
        raise MailSettingsError(f"{ENV_HOST} not set: set it in {where} (e.g. {ENV_HOST}=smtp.example.org)")
    security = (values[ENV_SECURITY] or ("tls" if values[ENV_PORT] == "465" else "starttls")).lower()
    if security not in SECURITY:
        raise MailSettingsError(f"{ENV_SECURITY}={values[ENV_SECURITY]!r}: use one of {', '.join(SECURITY)}")
    try:
        port = int(values[ENV_PORT]) if values[ENV_PORT] else DEFAULT_PORTS[security]
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise MailSettingsError(f"{ENV_PORT}={values[ENV_PORT]!r} is not a port number")
    sender = sender_address(root, environ)
    if sender is None:
        raise MailSettingsError(f"{ENV_FROM} not set: set the sender's address in {where} (e.g. {ENV_FROM}=integration@lra.example.org)")
    user = values[ENV_USER]
    if not user:
        return SmtpSettings(host, port, security, sender)
    if security == "none":
        raise MailSettingsError(
            f"{ENV_SECURITY}=none would send the password for {user} unencrypted; use starttls or tls, or unset {ENV_USER}"
        )
    dotenv = read_dotenv(root)
    if environ.get(ENV_PASSWORD):
        return SmtpSettings(host, port, security, sender, user, environ[ENV_PASSWORD], f"environment variable {ENV_PASSWORD}")
    if dotenv.get(ENV_PASSWORD):
        return SmtpSettings(host, port, security, sender, user, dotenv[ENV_PASSWORD], f"{DOTENV} file")
    stored = password_from_keyring(host, user)
    if stored:
        return SmtpSettings(host, port, security, sender, user, stored, "system keyring")
    raise MailSettingsError(
        f"no SMTP password for {user} at {host}: set {ENV_PASSWORD} in {where}, "
        f"or store it with `keyring set {KEYRING_SERVICE} {user}@{host}`"
    )
