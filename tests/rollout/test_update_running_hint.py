"""A running update refuses a deploy: the library says why, the CLI names the command."""

from __future__ import annotations

from apinode_admin_cli.cli.boundary import worded_hint
from apinode_admin_cli.errors import ConflictError, ExitCode, UsageError
from apinode_admin_cli.rollout.deployer_target import UpdateRunning


def test_the_library_names_no_flag_and_the_cli_names_its_command() -> None:
    error = UpdateRunning("churn-prod", "job-7")
    assert isinstance(error, ConflictError) and error.exit_code == ExitCode.CONFLICT
    assert error.message == (
        "an update of deployment churn-prod is running (job job-7): nothing was changed"
    )
    assert error.hint is not None and "--" not in error.hint
    assert worded_hint(error) == (
        "follow it with: apinode-admin deployer deployments status churn-prod --watch"
    )


def test_other_errors_keep_their_own_hint() -> None:
    assert worded_hint(UsageError("bad", hint="pass -y")) == "pass -y"
    assert worded_hint(UsageError("bad")) is None
