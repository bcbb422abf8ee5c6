"""``deployer deployments create|delete|set-version|enable|disable``: settings of deployments.

Except deletion, these change the deployment's settings only, as in DSS: the nodes see the
change at the next ``deployments update``.
"""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app, yes_option
from apinode_admin_cli.cli.deployer.common import (
    check_id,
    confirm,
    deployer,
    deployment_ids,
    done,
    infra_ids,
    service_ids,
)

DEPLOYMENT = click.argument("deployment_id", metavar="DEPLOYMENT", shell_complete=deployment_ids)


def _then_update(deployment_id: str) -> str:
    return f"run `apinode-admin deployer deployments update {deployment_id}` to push it"


@click.command("create")
@DEPLOYMENT
@click.option(
    "--service", "service_id", required=True, shell_complete=service_ids, help="Published service."
)
@click.option(
    "--infra", "infra_id", required=True, shell_complete=infra_ids, help="Infrastructure."
)
@click.option("--version", "version", required=True, help="Version of the service to deploy.")
@output_options
@pass_app
def deployments_create(
    app: App, deployment_id: str, service_id: str, infra_id: str, version: str
) -> None:
    """Create a deployment (not started: see `update`).

    A deployment of a version of a service on an infrastructure.

    \b
    Examples:
      apinode-admin deployer deployments create churn-dev --service churn --infra dev --version v1
      apinode-admin deployer deployments update churn-dev
    """
    for value, what in (
        (deployment_id, "deployment id"),
        (service_id, "service id"),
        (infra_id, "infrastructure id"),
        (version, "version id"),
    ):
        check_id(value, what)
    with deployer(app) as dep:
        dep.create_deployment(deployment_id, service_id, infra_id, version)
    answer = {
        "deploymentId": deployment_id,
        "publishedServiceId": service_id,
        "infraId": infra_id,
        "version": version,
    }
    done(
        app,
        f"Created deployment {deployment_id} ({service_id} {version} on {infra_id}); "
        f"{_then_update(deployment_id)}.",
        answer,
    )


@click.command("delete")
@DEPLOYMENT
@click.option(
    "--disable-first",
    is_flag=True,
    help="Disable an enabled deployment, then delete it (else DSS's rule: refused).",
)
@yes_option
@output_options
@pass_app
def deployments_delete(app: App, deployment_id: str, disable_first: bool, yes: bool) -> None:
    """Delete a deployment.

    An enabled deployment needs --disable-first.

    As in DSS, disabling without an update leaves the service on the nodes of a static
    infrastructure: run `deployments disable` then `deployments update` first to remove it.

    \b
    Examples:
      apinode-admin deployer deployments delete churn-dev --disable-first -y
    """
    check_id(deployment_id, "deployment id")
    confirm(app, f"Delete deployment {deployment_id}", yes)
    with deployer(app) as dep:
        dep.get_deployment(deployment_id).delete(disable_first=disable_first)
    done(app, f"Deleted deployment {deployment_id}.", {"id": deployment_id, "deleted": True})


@click.command("set-version")
@DEPLOYMENT
@click.argument("version")
@output_options
@pass_app
def deployments_set_version(app: App, deployment_id: str, version: str) -> None:
    """Set the version (at the next update).

    Sends all traffic to VERSION once `deployments update` pushes it (settings only).

    \b
    Examples:
      apinode-admin deployer deployments set-version churn-prod v2
      apinode-admin deployer deployments update churn-prod
    """
    check_id(deployment_id, "deployment id")
    check_id(version, "version id")
    with deployer(app) as dep:
        settings = dep.get_deployment(deployment_id).get_settings()
        settings.set_single_version(version)
        settings.save()
    done(
        app,
        f"Deployment {deployment_id} set to version {version}; {_then_update(deployment_id)}.",
        settings.get_raw(),
    )


def _set_enabled(app: App, deployment_id: str, enabled: bool) -> None:
    check_id(deployment_id, "deployment id")
    with deployer(app) as dep:
        settings = dep.get_deployment(deployment_id).get_settings()
        settings.set_enabled(enabled)
        settings.save()
    word = "enabled" if enabled else "disabled"
    done(
        app,
        f"Deployment {deployment_id} {word}; {_then_update(deployment_id)}.",
        settings.get_raw(),
    )


@click.command("enable")
@DEPLOYMENT
@output_options
@pass_app
def deployments_enable(app: App, deployment_id: str) -> None:
    """Enable a deployment (at the next update).

    \b
    Examples:
      apinode-admin deployer deployments enable churn-prod
    """
    _set_enabled(app, deployment_id, True)


@click.command("disable")
@DEPLOYMENT
@output_options
@pass_app
def deployments_disable(app: App, deployment_id: str) -> None:
    """Disable a deployment (at the next update).

    \b
    Examples:
      apinode-admin deployer deployments disable churn-prod
    """
    _set_enabled(app, deployment_id, False)
