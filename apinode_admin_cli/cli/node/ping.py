"""``ping``: is the node there, does it take the key, how fast, which DSS version."""

from __future__ import annotations

from typing import Any

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.results import Result, Rows
from apinode_admin_cli.cli.common.targets import run
from apinode_admin_cli.errors import AuthenticationError, ConnectionFailure


def ping_report(uri: str, result: Any) -> dict[str, Any]:
    """The JSON object of ``ping -o json``: the probe's findings plus the URI probed."""
    return {
        "uri": uri,
        "alive": bool(result.alive),
        "drained": bool(getattr(result, "drained", False)),
        "authenticated": bool(result.authenticated),
        "status": result.status,
        "elapsedMs": round(float(result.elapsed_ms), 1),
        "dssVersion": result.dss_version,
        "dssApiVersion": result.dss_api_version,
    }


def check_ping(uri: str, result: Any) -> None:
    """Turn a failed probe into the error (and exit code) any other command would give."""
    if not result.alive and not getattr(result, "drained", False):
        raise ConnectionFailure(
            f"{uri} answered, but its /isAlive/ check failed: not a running API node",
            hint="check --uri (the node's base URL, e.g. http://host:12000) and the node's logs",
        )
    if not result.authenticated:
        raise AuthenticationError(
            f"the API node at {uri} is up but refused the admin key (HTTP {result.status})"
            + (f": {result.message}" if getattr(result, "message", None) else ""),
            status=result.status,
            hint="check the admin API key (--api-key, --api-key-file or APINODE_ADMIN_API_KEY)",
        )


@click.command()
@output_options
@pass_app
def ping(app: App) -> None:
    """Check that the node answers and accepts the key; show round trip and version.

    Exits 0 when the node answered and took the key, 7 when it cannot be reached,
    4 when it refused the key and 3 when no URI or key is configured. A drained node
    (/isAlive/ fails while its admin API answers: `apinode-admin drain`) exits 0 and says so.

    \b
    Examples:
      apinode-admin ping
      apinode-admin --profile prod ping -o json | jq .elapsedMs
      apinode-admin ping -q >/dev/null && echo "node is up"
    """
    run(app, ping_node)


class KeyRefused(AuthenticationError):
    """The node is up but refused the key; ``partial_report`` is the report that says so."""

    partial_report: Rows


def ping_node(node: Node) -> Result:
    """Probe one node; a failed probe raises the error any other command would give.

    A refused key raises :class:`KeyRefused`, which carries the report (``authenticated``
    false) for the command to print before it exits 4; on a fleet, the node's JSON has it.
    """
    from apinode_admin_cli.output.columns import SUMMARY

    result = node.client.ping()
    report = ping_report(node.uri, result)
    try:
        check_ping(node.uri, result)
    except AuthenticationError as exc:
        refused = KeyRefused(exc.message, status=exc.status, hint=exc.hint)
        refused.partial_report = Rows(_rows(report), SUMMARY, raw=report)
        refused.result = report  # type: ignore[attr-defined]
        raise refused from None
    if report["drained"]:
        node.info(
            "Note: the node is drained: /isAlive/ fails, so its load balancer sends it nothing, "
            "while its services keep answering; `apinode-admin undrain` puts it back"
        )
    return Rows(_rows(report), SUMMARY, raw=report)


def _rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"key": "uri", "value": report["uri"]},
        {"key": "alive", "value": report["alive"]},
        {"key": "drained", "value": report["drained"]},
        {"key": "authenticated", "value": report["authenticated"]},
        {"key": "status", "value": report["status"]},
        {"key": "round trip", "value": f"{report['elapsedMs']:.1f} ms"},
        {"key": "DSS-Version", "value": report["dssVersion"] or "-"},
        {"key": "DSS-API-Version", "value": report["dssApiVersion"] or "-"},
    ]
