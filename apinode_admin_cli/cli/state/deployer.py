"""``state diff|apply|export``: the ``[deployments.NAME]`` part, through the API Deployer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apinode_admin_cli.cli.common.redactor import printable
from apinode_admin_cli.errors import ApinodeAdminError

if TYPE_CHECKING:
    from apinode_admin_cli.cli.app import App
    from apinode_admin_cli.state import DesiredState
    from apinode_admin_cli.state.deployments import DeploymentChange

# The bound on each update job a state apply waits for (as `deployments update`'s default).
WAIT_TIMEOUT = 600.0


def diff_deployments(app: App, desired: DesiredState) -> bool:
    """Print the deployments' plan (lines, or JSON); True when something would change."""
    from apinode_admin_cli.cli.deployer.common import deployer
    from apinode_admin_cli.state.deployments import plan_deployments

    with deployer(app) as dep:
        changes = plan_deployments(dep, list(desired.deployments))
    _show(app, changes, json_key="changes")
    return bool(changes)


def apply_deployments_cli(app: App, desired: DesiredState, yes: bool) -> None:
    """Plan, confirm, apply in order; a report of what was done, failed and not run."""
    from apinode_admin_cli.cli.common.targets import confirm
    from apinode_admin_cli.cli.deployer.common import deployer
    from apinode_admin_cli.state.deployments import apply_deployments, plan_deployments

    with deployer(app) as dep:
        changes = plan_deployments(dep, list(desired.deployments))
        if not changes:
            _show(app, changes, json_key="changes", ok=True)
            return
        for change in changes:
            app.term.info(printable(change.line()))
        count = len(changes)
        confirm(app, f"Apply {count} deployment change{'s' if count > 1 else ''}", yes)

        def report(change: DeploymentChange) -> None:
            if change.status == "done":
                app.term.info(printable(f"done: {change.line()}"))
            else:
                app.term.say(printable(f"failed: {change.line()}: {change.error}"))

        try:
            ok = apply_deployments(dep, changes, WAIT_TIMEOUT, report)
        except KeyboardInterrupt:
            _not_run(app, changes, interrupted=True)
            raise
    _not_run(app, changes)
    if app.wants_json:
        app.term.emit_json({"ok": ok, "changes": [c.to_json() for c in changes]})
    if not ok:
        failed = next(c for c in changes if c.status == "failed")
        raise ApinodeAdminError(
            f"{failed.line()} failed: {failed.error}",
            hint="what was done stays done; `state apply` again finishes the work",
        )
    done = sum(1 for c in changes if c.status == "done")
    app.term.info(f"Apply complete: {done} deployment change(s) done.")


def _not_run(app: App, changes: list[DeploymentChange], interrupted: bool = False) -> None:
    for change in changes:
        if change.status in ("not run", "planned"):
            if interrupted and change.status == "planned":
                change.status = "not run"
            app.term.say(printable(f"not run: {change.line()}"))


def _show(app: App, changes: list[DeploymentChange], json_key: str, ok: Any = None) -> None:
    if app.wants_json:
        data: dict[str, Any] = {json_key: [c.to_json() for c in changes]}
        if ok is not None:
            data = {"ok": ok, **data}
        app.term.emit_json(data)
        return
    if not changes:
        app.term.echo("No deployment changes.")
    for change in changes:
        app.term.echo(printable(change.line()))


def export_deployments_cli(app: App) -> None:
    """Every deployment of the deployer as ``[deployments.NAME]`` tables (JSON with -o json)."""
    from apinode_admin_cli.cli.deployer.common import deployer
    from apinode_admin_cli.state.deployments import export_deployments

    with deployer(app) as dep:
        data = export_deployments(dep)
    if app.wants_json:
        app.term.emit_json(data)
        return
    from apinode_admin_cli.config.files import dumps_toml

    app.term.echo(dumps_toml(data), nl=False)


__all__ = ["apply_deployments_cli", "diff_deployments", "export_deployments_cli"]
