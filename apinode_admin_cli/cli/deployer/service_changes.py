"""``deployer services create|delete|upload|delete-version``: change published services."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app, yes_option
from apinode_admin_cli.cli.deployer.common import check_id, confirm, deployer, done, service_ids
from apinode_admin_cli.errors import UsageError

SERVICE = click.argument("service_id", metavar="SERVICE", shell_complete=service_ids)


@click.command("create")
@SERVICE
@output_options
@pass_app
def services_create(app: App, service_id: str) -> None:
    """Create a published service.

    Then upload versions to it.

    \b
    Examples:
      apinode-admin deployer services create churn
    """
    check_id(service_id, "service id")
    with deployer(app) as dep:
        dep.create_service(service_id)
    done(app, f"Created service {service_id}.", {"publishedServiceId": service_id})


@click.command("delete")
@SERVICE
@yes_option
@output_options
@pass_app
def services_delete(app: App, service_id: str, yes: bool) -> None:
    """Delete a published service.

    DSS refuses while deployments use it.

    \b
    Examples:
      apinode-admin deployer services delete churn -y
    """
    check_id(service_id, "service id")
    confirm(app, f"Delete published service {service_id}", yes)
    with deployer(app) as dep:
        dep.get_service(service_id).delete()
    done(app, f"Deleted service {service_id}.", {"publishedServiceId": service_id, "deleted": True})


@click.command("upload")
@SERVICE
@click.argument("archive", metavar="ARCHIVE", type=click.Path(dir_okay=False))
@output_options
@pass_app
def services_upload(app: App, service_id: str, archive: str) -> None:
    """Upload a version (a package from DSS).

    The package is a zip file exported from DSS, on this machine.

    The version's id is the one inside the package.

    \b
    Examples:
      apinode-admin deployer services upload churn churn-v2.zip
    """
    import zipfile

    check_id(service_id, "service id")
    try:
        handle = open(archive, "rb")  # noqa: SIM115 - closed below, after the upload
    except OSError as exc:
        raise UsageError(f"cannot read {archive}: {exc.strerror or exc}") from None
    with handle:
        if not zipfile.is_zipfile(handle):
            raise UsageError(
                f"{archive} is not a zip archive",
                hint="export the API service package from DSS (a .zip)",
            )
        handle.seek(0)
        with deployer(app) as dep:
            dep.get_service(service_id).import_version(handle)
    done(app, f"Uploaded {archive} to service {service_id}.", {"publishedServiceId": service_id})


@click.command("delete-version")
@SERVICE
@click.argument("version")
@yes_option
@output_options
@pass_app
def services_delete_version(app: App, service_id: str, version: str, yes: bool) -> None:
    """Delete a version of a published service.

    DSS refuses while it is deployed.

    \b
    Examples:
      apinode-admin deployer services delete-version churn v1 -y
    """
    check_id(service_id, "service id")
    check_id(version, "version id")
    confirm(app, f"Delete version {version} of service {service_id}", yes)
    with deployer(app) as dep:
        dep.get_service(service_id).delete_version(version)
    answer = {"publishedServiceId": service_id, "version": version, "deleted": True}
    done(app, f"Deleted version {version} of service {service_id}.", answer)
