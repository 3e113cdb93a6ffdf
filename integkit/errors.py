"""Every exception integkit raises, and the exit code the CLI returns for each.

An `IntegkitError` is a problem the user can act on: the CLI prints its message as one line
(`integkit: error: ...`) and exits with its code. Anything else is a bug and keeps its traceback.

| code | meaning |
|---|---|
| 1  | a report failed (`ReportError`; a cell that ran past its time limit: `ReportTimeoutError`) |
| 2  | bad input: a file, column, row, value or option (`InputError`), or the workspace/registry (`WorkspaceError`) |
| 2  | a codebook pattern ran past its time limit on an answer (`PatternTimeoutError`, an `InputError`) |
| 3  | a stored snapshot is missing or fails its checksum (`SnapshotError`) |
| 4  | the workspace cannot be written: disk full, read-only, no permission (`StorageError`) |
| 10 | other LimeSurvey refusal (`LimeSurveyError`) |
| 11 | LimeSurvey URL, user or password not set (`CredentialsError`) |
| 12 | wrong user name or password (`LoginError`) |
| 13 | session key rejected again after a new login (`SessionKeyError`) |
| 14 | unknown survey id, or no permission (`SurveyNotFoundError`) |
| 15 | survey never activated (`SurveyNotActiveError`) |
| 16 | RemoteControl interface switched off (`RemoteControlDisabledError`) |
| 17 | HTTP or server error, e.g. unknown method (`ServerError`) |
| 18 | network error or timeout (`NetworkError`) |
| 20 | the SMTP server refused a message or a recipient, or the run ended with messages unsent (`MailError`) |
| 21 | SMTP host, sender or password not set, or unusable (`MailSettingsError`) |
| 22 | the SMTP server refused the login (`MailLoginError`) |
| 23 | the SMTP server could not be reached, refused TLS, or the connection was lost (`MailConnectionError`) |
| 24 | an attachment's provenance does not match its recipient; nothing was sent (`AttachmentMismatchError`) |
"""

from __future__ import annotations


class IntegkitError(Exception):
    """Base class: a problem the user can act on; the CLI prints it as one line."""

    exit_code = 1


class InputError(IntegkitError):
    """A file, column, row, value or option the user gave is unusable (exit code 2)."""

    exit_code = 2


class PatternTimeoutError(InputError):
    """A codebook pattern ran longer than its time limit on one answer (catastrophic backtracking, exit code 2)."""

    exit_code = 2


class WorkspaceError(IntegkitError):
    """The workspace or its registry is missing or inconsistent (exit code 2)."""

    exit_code = 2


class SnapshotError(IntegkitError):
    """A snapshot is missing or fails its checksum (exit code 3)."""

    exit_code = 3


class StorageError(IntegkitError, OSError):
    """A file of the workspace cannot be written: full disk, read-only file system, no permission (exit code 4).

    Also an OSError, so code that handles failing writes keeps handling it; the message names the file.
    """

    exit_code = 4


class ReportError(IntegkitError):
    """A report could not be rendered (the message names the report and the failing step)."""

    exit_code = 1


class ReportTimeoutError(ReportError):
    """A cell of a report ran longer than its time limit and was stopped (exit code 1)."""


# --- LimeSurvey ---------------------------------------------------------------------------------
class LimeSurveyError(IntegkitError):
    """LimeSurvey refused a request for a reason not covered below (exit code 10)."""

    exit_code = 10


class CredentialsError(IntegkitError):
    """The LimeSurvey URL, user name or password is not set anywhere integkit looks (exit code 11)."""

    exit_code = 11


class LoginError(LimeSurveyError):
    """Wrong user name or password (exit code 12)."""

    exit_code = 12


class SessionKeyError(LimeSurveyError):
    """The server rejected the session key again right after a new login (exit code 13)."""

    exit_code = 13


class SurveyNotFoundError(LimeSurveyError):
    """No survey with this id, or the user may not read it (exit code 14)."""

    exit_code = 14


class SurveyNotActiveError(LimeSurveyError):
    """The survey was never activated, so it has no responses table (exit code 15)."""

    exit_code = 15


class RemoteControlDisabledError(LimeSurveyError):
    """The server's RemoteControl (JSON-RPC) interface is switched off (exit code 16)."""

    exit_code = 16


class ServerError(LimeSurveyError):
    """HTTP error, unknown method, or a reply that is not JSON-RPC (exit code 17)."""

    exit_code = 17


class NetworkError(LimeSurveyError):
    """The server could not be reached, timed out or dropped the connection, also after retries (exit code 18)."""

    exit_code = 18


EXIT_CODES: dict[str, int] = {
    cls.__name__: cls.exit_code
    for cls in (
        ReportError, InputError, WorkspaceError, SnapshotError, StorageError, PatternTimeoutError, LimeSurveyError, CredentialsError, LoginError,
        SessionKeyError, SurveyNotFoundError, SurveyNotActiveError, RemoteControlDisabledError, ServerError,
        NetworkError,
    )
}
"""Exit code per exception class name, as the table above gives them."""

USAGE_EXIT_CODE = 2
"""A bad command-line option or value (typer/click's own usage errors exit 2 as well)."""


# --- sharing reports by e-mail (integkit share) -------------------------------------------------
class MailError(IntegkitError):
    """The SMTP server refused a message or recipient, or a run ended with messages unsent (exit code 20)."""

    exit_code = 20


class MailSettingsError(MailError):
    """SMTP_HOST, SMTP_FROM or the password is not set, or a setting is unusable (exit code 21)."""

    exit_code = 21


class MailLoginError(MailError):
    """The SMTP server refused the user name or password (exit code 22)."""

    exit_code = 22


class MailConnectionError(MailError):
    """The SMTP server could not be reached, offered no usable TLS, or dropped the connection (exit code 23)."""

    exit_code = 23


class AttachmentMismatchError(IntegkitError):
    """A report's own provenance names another meeting or municipality than its recipient (exit code 24)."""

    exit_code = 24


EXIT_CODES.update(
    {cls.__name__: cls.exit_code for cls in (MailError, MailSettingsError, MailLoginError, MailConnectionError, AttachmentMismatchError)}
)
