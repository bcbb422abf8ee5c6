"""``deployer``: drive the API Deployer of DSS (stages, services, infrastructures, deployments).

Each resource is a group of its own module, imported only when it runs (or when help lists it).
"""

from __future__ import annotations

import click

from apinode_admin_cli.cli.common.lazygroup import LazyGroup


@click.group(
    cls=LazyGroup,
    lazy={
        "stages": ".stages:stages",
        "services": ".services:services",
        "infras": ".infras:infras",
        "deployments": ".deployments:deployments",
        "deploy": ".deploy:deploy",
        "rollout": ".deploy:rollout",
    },
)
def deployer() -> None:
    """Drive the API Deployer of DSS: services, infrastructures, deployments, updates.

    Needs --dss-uri and --dss-api-key-file (or APINODE_ADMIN_DSS_URI and
    APINODE_ADMIN_DSS_API_KEY[_FILE], or dss_uri and dss_api_key_file in a profile).

    \b
    Examples:
      apinode-admin deployer deployments list
      apinode-admin deployer deployments update churn-prod --wait-timeout 300
      apinode-admin deployer deployments status churn-prod --exit-code
    """
