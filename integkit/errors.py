"""The exceptions integkit raises, each mapped to the exit code the CLI returns."""

from __future__ import annotations


class IntegkitError(Exception):
    """Base class: a problem the user can act on; the CLI prints it as one line."""

    exit_code = 1


class InputError(IntegkitError):
    """A file, column, row or value the user gave is unusable (exit code 2)."""

    exit_code = 2


class WorkspaceError(IntegkitError):
    """The workspace or its registry is missing or inconsistent (exit code 2)."""

    exit_code = 2


class SnapshotError(IntegkitError):
    """A snapshot is missing or fails its checksum (exit code 3)."""

    exit_code = 3
