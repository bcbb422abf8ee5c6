"""``services clean-unused``: what the node is expected to delete, and what it says it deleted.

The node decides what is unused; the tool can only expect, from the current state, that it
deletes the disabled services (with their generations) and the generations of enabled
services that take no traffic. Its code env cache cannot be listed, so unused code envs are
announced but not named. The node's own answer is undocumented: its usual lists become
rows, anything else is shown as KEY/VALUE rows.
"""

from __future__ import annotations

from typing import Any, Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app, yes_option
from apinode_admin_cli.cli.common.results import Result, Rows, Summary
from apinode_admin_cli.cli.common.targets import confirm, fleet_of, one_node, run

CODE_ENVS_NOTE = "unused code envs go too; the node does not list them beforehand"
_KNOWN = ("deletedServices", "deletedGenerations", "deletedCodeEnvs")


def _row(kind: str, service: Any = None, generation: Any = None, **more: Any) -> dict[str, Any]:
    return {"kind": kind, "service": service, "generation": generation, **more}


def expected(node: Node) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows of what the node should delete, and the same as JSON (the answer's field names)."""
    from apinode_admin_cli.cli.services.common import generations_of, mapped

    services = [s for s in node.client.list_services() if isinstance(s, dict)]
    found = generations_of(node, [str(s.get("serviceId")) for s in services])
    rows: list[dict[str, Any]] = []
    gone_services: list[str] = []
    gone_generations: list[dict[str, str]] = []
    for service, generations in zip(services, found):
        sid = str(service.get("serviceId"))
        if generations is None:
            continue  # deleted meanwhile
        if not service.get("enabled"):
            gone_services.append(sid)
            count = len(generations)
            note = f"disabled; its {count} generation(s) go with it" if count else "disabled"
            rows.append(_row("service", sid, note=note))
            continue
        serving = {gid for gid, _ in mapped(generations)}
        for gen in generations:
            gid = str(gen.get("generationId")) if isinstance(gen, dict) else None
            if gid is not None and gid not in serving:
                gone_generations.append({"serviceId": sid, "generationId": gid})
                rows.append(_row("generation", sid, gid, note="takes no traffic"))
    raw = {"dryRun": True, "deletedServices": gone_services, "deletedGenerations": gone_generations}
    return rows, raw


def _text(item: Any, *fields: str) -> Optional[str]:
    if isinstance(item, dict):
        values = [item.get(f) for f in fields if item.get(f) is not None]
        return str(values[0]) if values else None
    return None if item is None else str(item)


def deleted_result(answer: Any) -> Result:
    """The node's answer as KIND/SERVICE/GENERATION/CODE ENV rows (JSON: the answer)."""
    from apinode_admin_cli.output.columns import CLEANUP

    if not isinstance(answer, dict) or not any(k in answer for k in _KNOWN):
        return Summary(answer)
    rows: list[dict[str, Any]] = []
    for item in answer.get("deletedServices") or []:
        rows.append(_row("service", _text(item, "serviceId", "id")))
    for item in answer.get("deletedGenerations") or []:
        service = _text(item, "serviceId") if isinstance(item, dict) else None
        rows.append(_row("generation", service, _text(item, "generationId", "id")))
    for item in answer.get("deletedCodeEnvs") or []:
        name = _text(item, "name", "envName", "id")
        language = item.get("language") if isinstance(item, dict) else None
        rows.append(_row("code-env", code_env=f"{name} ({language})" if language else name))
    return Rows(rows, CLEANUP, raw=answer)


def expected_rows(node: Node) -> Result:
    """The expectation as rows on stdout; nothing is sent but reads."""
    from apinode_admin_cli.output.columns import CLEANUP

    rows, raw = expected(node)
    node.info(
        f"Dry run: the node is expected to delete {len(rows)} item(s) (computed from its "
        f"current state; nothing was changed); {CODE_ENVS_NOTE}."
    )
    return Rows(rows, CLEANUP, raw=raw)


def preview(app: App) -> None:
    """List what is expected to go, before the question (on stderr: it is part of it)."""
    from apinode_admin_cli.cli.common.redactor import printable

    rows, _ = expected(one_node(app))
    if not rows:
        app.term.say(f"The node is expected to delete no service nor generation; {CODE_ENVS_NOTE}.")
        return
    app.term.say("The node is expected to delete (computed from its current state):")
    for row in rows:
        if row["kind"] == "service":
            what = f"service {row['service']}"
        else:
            what = f"generation {row['generation']} of service {row['service']}"
        app.term.say(printable(f"  {what} ({row['note']})"))
    app.term.say(f"and {CODE_ENVS_NOTE}.")


@click.command("clean-unused")
@click.option(
    "--dry-run",
    is_flag=True,
    help="List what the node is expected to delete, and change nothing.",
)
@yes_option
@output_options
@pass_app
def services_clean_unused(app: App, yes: bool, dry_run: bool) -> None:
    """Delete disabled services, generations that take no traffic, and unused code envs.

    Before asking, it lists what the node is expected to delete, computed from the current
    state (the node decides; its unused code envs cannot be listed beforehand). --dry-run
    prints that list on stdout and changes nothing. The result shows what the node says it
    deleted, one row per item; -o json prints the node's answer (with --dry-run:
    {"dryRun": true, "deletedServices": [...], "deletedGenerations": [...]}).

    \b
    Examples:
      apinode-admin services clean-unused --dry-run
      apinode-admin services clean-unused --yes -o json
    """
    if dry_run:
        run(app, expected_rows)
        return
    if not yes and app.term.can_prompt():
        if fleet_of(app) is None:
            preview(app)
        else:
            app.term.info("See what each node is expected to delete with --dry-run.")
    confirm(app, "Delete disabled services, unused generations and code envs", yes)
    run(app, lambda node: deleted_result(node.client.clean_unused_services_and_generations()))
