"""The root help: fast (no command module imported) and true to the commands it lists."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from apinode_admin_cli.cli import COMMANDS, SUMMARIES, cli


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_static_summary_matches_the_command(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    assert SUMMARIES[name] == command.get_short_help_str(limit=200)


def test_root_help_lists_every_command_without_importing_them() -> None:
    code = (
        "import sys\n"
        "from apinode_admin_cli.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = [m for m in sys.modules if m.startswith('apinode_admin_cli.cli.')]\n"
        "heavy = [m for m in ('requests', 'rich', 'tabulate') if m in sys.modules]\n"
        "print('LOADED', sorted(loaded), 'HEAVY', heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    for name in COMMANDS:
        assert f"  {name} " in proc.stdout
    last = proc.stdout.strip().splitlines()[-1]
    infrastructure = [
        "app",
        "boundary",
        "common",
        "common.options",
        "common.redactor",
        "common.terminal",
    ]
    expected = sorted(f"apinode_admin_cli.cli.{name}" for name in infrastructure)
    assert last == f"LOADED {expected} HEAVY []", last
