"""Where the LimeSurvey connection comes from: the server URL, the user name and the password.

URL and user name come from the environment (`LIMESURVEY_URL`, `LIMESURVEY_USER`) or the
workspace's `.env` file. The password comes from `LIMESURVEY_PASSWORD`, the `.env` file, or
the system keyring (`integkit login` puts it there). It never comes from a command-line
argument or a notebook parameter, and it is never written anywhere by integkit.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from integkit.errors import CredentialsError

ENV_URL = "LIMESURVEY_URL"
ENV_USER = "LIMESURVEY_USER"
ENV_PASSWORD = "LIMESURVEY_PASSWORD"
DOTENV = ".env"
KEYRING_SERVICE = "integkit-limesurvey"


@dataclass(frozen=True)
class Connection:
    """Where and as whom to connect; the password never shows in repr or messages."""

    url: str
    user: str
    password: str = field(repr=False)
    password_source: str = ""

    @property
    def safe_url(self) -> str:
        return safe_url(self.url)


def safe_url(url: str) -> str:
    """The URL without user info, query or fragment: safe to print, log and store."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def keyring_key(url: str, user: str) -> str:
    """The keyring entry name: one password per server URL and user name."""
    return f"{user}@{safe_url(url)}"


def read_dotenv(root: Path) -> dict[str, str]:
    """The settings in `<root>/.env` (empty if there is none); not copied into os.environ."""
    path = Path(root) / DOTENV
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def dotenv_is_tracked(root: Path) -> bool:
    """True if `<root>/.env` sits in a git work tree and git would not ignore it."""
    path = Path(root) / DOTENV
    try:
        inside = subprocess.run(
            ["git", "-C", str(path.parent), "rev-parse", "--is-inside-work-tree"],
            capture_output=True, text=True, timeout=5,
        )
        if inside.returncode != 0:
            return False
        ignored = subprocess.run(
            ["git", "-C", str(path.parent), "check-ignore", "-q", DOTENV], capture_output=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return ignored.returncode == 1


def server_and_user(
    root: Path, url: str | None = None, user: str | None = None, environ: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """URL and user name: explicit values first, then the environment, then `.env`."""
    environ = os.environ if environ is None else environ
    dotenv = read_dotenv(root)
    url = url or environ.get(ENV_URL) or dotenv.get(ENV_URL) or ""
    user = user or environ.get(ENV_USER) or dotenv.get(ENV_USER) or ""
    missing = [name for name, value in ((ENV_URL, url), (ENV_USER, user)) if not value]
    if missing:
        raise CredentialsError(
            f"{' and '.join(missing)} not set: set {'them' if len(missing) > 1 else 'it'} in the environment "
            f"or in {Path(root) / DOTENV} (e.g. {ENV_URL}=https://umfrage.example.org/index.php/admin/remotecontrol)"
        )
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise CredentialsError(
            f"{ENV_URL} {safe_url(url)!r} is not an http(s) URL; expected …/index.php/admin/remotecontrol"
        )
    return url.strip(), user.strip()


def password_from_keyring(url: str, user: str) -> str | None:
    """The stored password, or None if there is none or no usable keyring on this machine."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_key(url, user))
    except KeyringError:
        return None


def store_password(url: str, user: str, password: str) -> None:
    """Put the password into the system keyring (what `integkit login` does)."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, keyring_key(url, user), password)
    except KeyringError as exc:
        raise CredentialsError(
            f"cannot store the password in the system keyring ({type(exc).__name__}); "
            f"set {ENV_PASSWORD} in the environment or in the workspace's {DOTENV} instead"
        ) from None


def forget_password(url: str, user: str) -> bool:
    """Remove a stored password; False if there was none."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, keyring_key(url, user))
    except PasswordDeleteError:
        return False
    except KeyringError as exc:
        raise CredentialsError(f"cannot reach the system keyring ({type(exc).__name__})") from None
    return True


def resolve_connection(root: Path, environ: Mapping[str, str] | None = None) -> Connection:
    """The full connection: URL and user (environment, `.env`), password (environment, `.env`, keyring)."""
    environ = os.environ if environ is None else environ
    url, user = server_and_user(root, environ=environ)
    dotenv = read_dotenv(root)
    if environ.get(ENV_PASSWORD):
        return Connection(url, user, environ[ENV_PASSWORD], f"environment variable {ENV_PASSWORD}")
    if dotenv.get(ENV_PASSWORD):
        return Connection(url, user, dotenv[ENV_PASSWORD], f"{DOTENV} file")
    stored = password_from_keyring(url, user)
    if stored:
        return Connection(url, user, stored, "system keyring")
    raise CredentialsError(
        f"no password for {user} at {safe_url(url)}: run `integkit login`, or set {ENV_PASSWORD} "
        f"in the environment or in {Path(root) / DOTENV}"
    )
