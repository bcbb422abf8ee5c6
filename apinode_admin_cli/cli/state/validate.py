"""``state validate``: check a state file offline and list every problem it has."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.redactor import printable
from apinode_admin_cli.cli.state.common import file_option
from apinode_admin_cli.errors import ExitCode


@click.command("validate")
@file_option
@output_options
@pass_app
def state_validate(app: App, path: str) -> None:
    """Check FILE without any node: syntax, keys, types, mapping rules, paths.

    Every problem is listed, one per line on stderr (`diff` and `apply` name the first one
    only), and the exit code is 2; a valid file prints what it manages and exits 0. No node is
    contacted and no setting is needed (the checks that need the node, such as a generation
    it lacks, are left to `diff`). -o json prints {"valid", "services", "problems"}.

    \b
    Examples:
      apinode-admin state validate -f apinode/prod.toml
      git diff --name-only | grep '^apinode/' | xargs -n1 apinode-admin state validate -f
    """
    from apinode_admin_cli.state import StateFileError, read_state_file

    problems: list[str] = []
    services: list[str] = []
    deployments: list[str] = []
    try:
        desired = read_state_file(path, stdin=app.term.inp)
        services = desired.service_ids()
        deployments = [d.deployment_id for d in desired.deployments]
    except StateFileError as exc:
        problems = exc.problems
    if app.wants_json:
        answer = {"valid": not problems, "services": services, "problems": problems}
        if deployments:
            answer["deployments"] = deployments
        app.term.emit_json(answer)
    elif not problems:
        count = len(services)
        line = f"{path}: valid, {count} service{'' if count == 1 else 's'}"
        line += f" ({', '.join(services)})" if services else ""
        if deployments:
            many = "s" if len(deployments) != 1 else ""
            line += f", {len(deployments)} deployment{many} ({', '.join(deployments)})"
        app.term.echo(printable(line))
    for problem in problems:
        app.term.say(printable(problem))
    if problems:
        raise click.exceptions.Exit(ExitCode.USAGE)
