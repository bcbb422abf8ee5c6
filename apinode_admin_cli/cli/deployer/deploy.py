"""``deployer deploy`` and ``deployer rollout``: health-gated changes of a deployment, rolled back.

Both are the deployment rollout of :mod:`apinode_admin_cli.rollout.deployment`: ``deploy`` is
its single step at 100%, ``rollout`` its steps through a multi-version mapping.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import option_for, output_options, pass_app
from apinode_admin_cli.cli.deployer.common import check_id, deployment_ids, wait_timeout_option

if TYPE_CHECKING:
    from apinode_admin_cli.client import APINodeClient

DEPLOYMENT = click.argument("deployment_id", metavar="DEPLOYMENT", shell_complete=deployment_ids)
VERSION = click.argument("version", metavar="VERSION")


def _probe_options(func: Any) -> Any:
    for decorator in reversed(
        (
            click.option(
                "--probe",
                "probe_file",
                type=click.Path(allow_dash=True),
                metavar="FILE|-",
                help="Records sent to each node's user API with VERSION forced, after the "
                "update: JSON lines of feature objects, or a JSON array.",
            ),
            click.option("--endpoint", metavar="ENDPOINT", help="The endpoint the probes call."),
            click.option(
                "--max-probe-failures",
                type=click.IntRange(min=0),
                default=0,
                show_default=True,
                metavar="N",
                help="Failed probes a step tolerates (over all nodes); one more rolls back.",
            ),
            wait_timeout_option,
            click.option("--dry-run", is_flag=True, help="Check, print the plan, change nothing."),
            option_for("service_key"),
            output_options,
            pass_app,
        )
    ):
        func = decorator(func)
    return func


@click.command("deploy")
@DEPLOYMENT
@VERSION
@_probe_options
def deploy(app: App, deployment_id: str, version: str, **options: Any) -> None:
    """Deploy VERSION: set it, update, require HEALTHY, probe; roll back on any failure.

    The update is waited for at most --wait-timeout seconds (then the deployment must be
    HEALTHY by that time too). On a failure, or Ctrl-C or SIGTERM, the previous version (or
    mapping) is put back and updated again: exit 9 (130, 143). Deploying the version already
    deployed and HEALTHY changes nothing. On success the last line of stdout is VERSION.

    \b
    Examples:
      apinode-admin deployer deploy churn-prod v2 --probe probes.jsonl --endpoint predict
      apinode-admin deployer deploy churn-prod v2 --wait-timeout 300 --dry-run
    """
    _run(app, deployment_id, version, steps="100", pause=0.0, **options)


@click.command("rollout")
@DEPLOYMENT
@VERSION
@click.option(
    "--steps",
    default="10,50,100",
    show_default=True,
    metavar="P,P,...",
    help="Percentages of the traffic for VERSION, increasing, ending at 100.",
)
@click.option(
    "--pause",
    type=float,
    default=0.0,
    metavar="SECONDS",
    help="Wait between steps (Ctrl-C rolls back).  [default: 0]",
)
@_probe_options
def rollout(app: App, deployment_id: str, version: str, **options: Any) -> None:
    """Move a deployment's traffic to VERSION in steps (a multi-version mapping); roll back.

    Each step saves the mapping, updates, requires HEALTHY within --wait-timeout and runs
    the probes on every node with VERSION forced. The same rollback rules as deploy.

    \b
    Examples:
      apinode-admin deployer rollout churn-prod v2 --probe probes.jsonl --endpoint predict
      apinode-admin deployer rollout churn-prod v2 --steps 5,25,100 --pause 600
    """
    _run(app, deployment_id, version, **options)


def _run(
    app: App,
    deployment_id: str,
    version: str,
    steps: str,
    pause: float,
    probe_file: Optional[str],
    endpoint: Optional[str],
    max_probe_failures: int,
    wait_timeout: float,
    dry_run: bool,
    service_key: Optional[str],
) -> None:
    from apinode_admin_cli.cli.common.rollout_plan import drive, plan_from_options
    from apinode_admin_cli.cli.deployer.common import deployer
    from apinode_admin_cli.cli.deployer.deploy_view import DeployView
    from apinode_admin_cli.rollout.deployer_target import DeploymentTarget
    from apinode_admin_cli.rollout.deployment import DeploymentRollout

    check_id(deployment_id, "deployment id")
    check_id(version, "version id")
    plan = plan_from_options(
        deployment_id,
        version,
        steps=steps,
        pause=pause,
        probe_file=probe_file,
        endpoint=endpoint,
        max_probe_failures=max_probe_failures,
    )
    app.update_flags({"service_key": service_key})
    view = DeployView(app, plan, single=len(plan.steps) == 1)
    with deployer(app) as dep:
        target = DeploymentTarget(
            dep.get_deployment(deployment_id), wait_timeout, on_progress=view.progress
        )
        driver = DeploymentRollout(target, plan, lambda url, sid: _user_client(app, url, sid), view)
        drive(driver, view, dry_run)


def _user_client(app: App, url: str, service_id: str) -> APINodeClient:
    """A user-API client of one node of the deployment, with this run's TLS and timeouts."""
    from apinode_admin_cli.client import APINodeClient
    from apinode_admin_cli.config.connect import transport_options

    return APINodeClient(
        url,
        service_id,
        api_key=app.settings.service_key,
        **transport_options(app.settings.values),
    )


__all__ = ["deploy", "rollout"]
