"""The README's command table is a contract: every command and option it names exists in the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from integkit.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| `integkit ([^`]+)` \|", re.MULTILINE)


def readme_commands() -> list[str]:
    return ROW.findall(README.read_text(encoding="utf-8"))


def is_group(command) -> bool:
    return hasattr(command, "commands")  # typer may carry its own copy of click: no isinstance


def resolve(usage: str):
    """The command a README usage line names, and the options it shows."""
    command = typer.main.get_command(app)
    for word in usage.split():
        if not is_group(command) or word not in command.commands:
            break
        command = command.commands[word]
    return command, re.findall(r"(?<![\w-])--[a-z][a-z-]*", usage)


def test_the_readme_lists_every_command() -> None:
    named = {" ".join(usage.split()[:2]) if usage.startswith("themes ") else usage.split()[0] for usage in readme_commands()}
    group = typer.main.get_command(app)
    everything = {
        f"{name} {sub}" if is_group(cmd) else name
        for name, cmd in group.commands.items()
        for sub in (cmd.commands if is_group(cmd) else [None])
    }
    assert everything <= named, sorted(everything - named)


@pytest.mark.parametrize("usage", readme_commands())
def test_each_option_the_readme_names_exists(usage: str) -> None:
    command, options = resolve(usage)
    assert not is_group(command), usage
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    assert set(options) <= known, (usage, sorted(set(options) - known))
