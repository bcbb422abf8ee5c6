"""The wait between steps: a countdown on a terminal, one line in a pipe, never a spinner there."""

from __future__ import annotations

import io

from support.cli import RunCli, check
from support.rollout import Deploy

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.terminal import Terminal
from apinode_admin_cli.cli.services.rollout_view import RolloutView
from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.rollout import RolloutPlan


def view(stderr_tty: bool, quiet: bool = False) -> tuple[RolloutView, io.StringIO]:
    err = io.StringIO()
    app = App(Terminal(stdout=io.StringIO(), stderr=err, stderr_tty=stderr_tty))
    app.term.quiet = quiet
    return RolloutView(app, RolloutPlan("churn", "v2"), fleet=False), err


def wait(shown: RolloutView) -> None:
    shown.pause_started(50, 75)
    for remaining in (75, 74.2, 1.0):
        shown.tick(50, remaining)
    shown.pause_ended()


def test_a_terminal_gets_a_countdown_rewritten_in_place_then_erased() -> None:
    shown, err = view(stderr_tty=True)
    wait(shown)
    text = err.getvalue()
    assert "Step 50% in 1:15  (Ctrl-C rolls back)" in text
    assert "Step 50% in 1 s" in text
    assert "\x1b[" in text  # cursor moves: the line is redrawn, not repeated
    assert "Waiting" not in text


def test_a_pipe_gets_one_line_per_wait_and_no_control_characters() -> None:
    shown, err = view(stderr_tty=False)
    wait(shown)
    assert err.getvalue() == "Waiting 75 s before step 50% (Ctrl-C rolls back)\n"


def test_quiet_shows_no_wait() -> None:
    for tty in (True, False):
        shown, err = view(stderr_tty=tty, quiet=True)
        wait(shown)
        assert err.getvalue() == ""


def test_a_piped_rollout_says_each_step_and_each_wait_once(
    emulator: EmulatorHandle, deploy: Deploy, node_cli: RunCli
) -> None:
    deploy(emulator, {"v1": 1.0}, extra=("v2",))
    result = node_cli("services", "rollout", "churn", "v2", "--pause", "0.01")
    check(result)
    lines = result.stderr.splitlines()
    assert [line for line in lines if line.startswith(("Step", "Waiting"))] == [
        "Step 10%: v2 10% v1 90%; ok",
        "Waiting 0.01 s before step 50% (Ctrl-C rolls back)",
        "Step 50%: v2 50% v1 50%; ok",
        "Waiting 0.01 s before step 100% (Ctrl-C rolls back)",
        "Step 100%: v2 100%; ok",
    ]
    assert "\r" not in result.stderr and "\x1b" not in result.stderr
