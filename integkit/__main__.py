"""`python -m integkit`: the same as the `integkit` command."""

from integkit.cli import app

app(prog_name="integkit")
