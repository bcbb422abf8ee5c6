"""``deployer deployments update|test``: push a deployment to its nodes, query it."""

from __future__ import annotations

from typing import Any, Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app, read_text_input
from apinode_admin_cli.cli.deployer.common import (
    check_id,
    deployer,
    deployment_ids,
    show_summary,
    wait_timeout_option,
)
from apinode_admin_cli.errors import JobFailed, JobStillRunning, UsageError

DEPLOYMENT = click.argument("deployment_id", metavar="DEPLOYMENT", shell_complete=deployment_ids)


def progress_line(state: dict[str, Any]) -> Optional[str]:
    """What a job's state says of its progress, in one line (None when it says nothing)."""
    progress = state.get("progress")
    steps = progress.get("states") if isinstance(progress, dict) else None
    if not isinstance(steps, list) or not steps:
        return None
    parts = []
    for step in steps:
        if not isinstance(step, dict):
            continue
        name, cur, target = step.get("name"), step.get("cur"), step.get("target")
        if isinstance(target, (int, float)) and target > 0 and isinstance(cur, (int, float)):
            parts.append(f"{name} {cur:g}/{target:g}")
        elif name:
            parts.append(str(name))
    return ", ".join(parts) or None


@click.command("update")
@DEPLOYMENT
@click.option("--no-wait", is_flag=True, help="Start the update and print its job id.")
@wait_timeout_option
@output_options
@pass_app
def deployments_update(app: App, deployment_id: str, no_wait: bool, wait_timeout: float) -> None:
    """Push a deployment to its nodes and wait.

    Starts DSS's update job and waits for it, with a bound.

    Progress goes to stderr. A failed job exits 1 with DSS's message and the log tail; a job
    still running at --wait-timeout (default 600 s) goes on in DSS and the exit is 7.

    \b
    Examples:
      apinode-admin deployer deployments update churn-prod
      apinode-admin deployer deployments update churn-prod --no-wait -o json | jq -r .jobId
    """
    check_id(deployment_id, "deployment id")
    with deployer(app) as dep:
        deployment = dep.get_deployment(deployment_id)
        future = deployment.start_update()
        job = future.job_id
        if no_wait:
            app.term.info(f"Started update job {job} of deployment {deployment_id}.")
            _answer(app, future.state or {"jobId": job}, str(job))
            return
        try:
            app.term.info(f"Updating deployment {deployment_id} (job {job})...")
            seen: list[Optional[str]] = [None]

            def report(state: dict[str, Any]) -> None:
                line = progress_line(state)
                if line and line != seen[0]:
                    seen[0] = line
                    app.term.info(f"  {line}")

            result = future.wait_for_result(timeout=wait_timeout, on_progress=report)
            _raise_if_nodes_failed(result, job, future.state)
        except JobStillRunning as exc:
            exc.message = (
                f"the update of deployment {deployment_id} (job {job}) is still running after "
                f"{wait_timeout:g} s; it goes on in DSS"
            )
            exc.hint = (
                f"follow it with `apinode-admin deployer deployments status {deployment_id} "
                f"--watch` and `apinode-admin deployer deployments updates {deployment_id}`"
            )
            raise
        except JobFailed as exc:
            _explain_failure(app, deployment, deployment_id, exc)
            raise
        except KeyboardInterrupt:
            # Only the wait stops: say so before the usual "Interrupted." and exit 130.
            app.term.say(
                f"Stopped waiting; update job {job} of deployment {deployment_id} goes on in DSS."
            )
            raise
    app.term.info(f"Updated deployment {deployment_id}.")
    _answer(app, {"deploymentId": deployment_id, "jobId": job, "result": result}, None)


def _raise_if_nodes_failed(result: Any, job: Optional[str], state: Any) -> None:
    """JobFailed for a job that finished but whose result says nodes did not take the update.

    DSS's update jobs report ``nbNOKNodes`` (nodes that failed); a ``status`` of FAILED says
    the same. The job itself ended, so the wait does not see a failure.
    """
    if not isinstance(result, dict):
        return
    failed_nodes = result.get("nbNOKNodes")
    status = str(result.get("status") or "").upper()
    if not (isinstance(failed_nodes, int) and failed_nodes > 0) and status != "FAILED":
        return
    details = []
    for node in result.get("failedNodes") or []:
        if isinstance(node, dict):
            details.append(f"{node.get('url')}: {node.get('message')}")
    said = result.get("message")
    if isinstance(said, str) and said.strip():
        details.insert(0, said.strip())
    what = f"{failed_nodes} node(s) did not take it" if failed_nodes else "the job says FAILED"
    message = what + (f": {'; '.join(details)}" if details else "")
    from apinode_admin_cli.client.deployer.future import log_tail

    tail = log_tail(state.get("log")) if isinstance(state, dict) else []
    raise JobFailed(message, job_id=job, log_tail=tail)


def _answer(app: App, data: Any, text: Optional[str]) -> None:
    if app.wants_json:
        app.term.emit_json(data)
    elif text is not None:
        app.term.echo(text)


def _explain_failure(app: App, deployment: Any, deployment_id: str, exc: JobFailed) -> None:
    """The failure's message names the deployment; the log tail goes to stderr."""
    exc.message = f"the update of deployment {deployment_id} failed: {exc.message}"
    exc.hint = f"the whole log: `apinode-admin deployer deployments updates {deployment_id} -v`"
    tail = exc.log_tail
    if not tail:
        try:  # the job said nothing more: the last update's log may
            lines = deployment.get_update().logs or []
            tail = [str(line) for line in lines[-20:]]
        except Exception:  # the failure itself is what matters: report it as it is
            tail = []
    if tail:
        app.term.say("Last lines of the update's log:")
        for line in tail:
            app.term.say(f"  | {line}")


@click.command("test")
@DEPLOYMENT
@click.option("--endpoint", "endpoint_id", required=True, help="Endpoint to query.")
@click.option(
    "--queries",
    "queries_file",
    required=True,
    metavar="FILE",
    help='JSON list of test queries, e.g. [{"q": {"features": {...}}}] (- reads stdin).',
)
@output_options
@pass_app
def deployments_test(app: App, deployment_id: str, endpoint_id: str, queries_file: str) -> None:
    """Run test queries through the deployer.

    Each query is {"q": QUERY} (a prediction's QUERY is {"features": {...}}); a bare
    {"features": ...} object is taken as one.

    \b
    Examples:
      apinode-admin deployer deployments test churn-prod --endpoint score --queries q.json
    """
    import json

    check_id(deployment_id, "deployment id")
    check_id(endpoint_id, "endpoint id")
    text = read_text_input(queries_file, stdin=app.term.inp)
    try:
        queries = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{queries_file} is not JSON: {exc}") from None
    if isinstance(queries, dict):
        queries = [queries]
    if (
        not isinstance(queries, list)
        or not queries
        or not all(isinstance(q, dict) for q in queries)
    ):
        raise UsageError(f"{queries_file} must hold a JSON list of query objects")
    queries = [q if "q" in q else {"q": q} for q in queries]
    with deployer(app) as dep:
        answer = dep.get_deployment(deployment_id).run_test_queries(endpoint_id, queries)
    show_summary(app, answer if isinstance(answer, dict) else {"answer": answer}, answer)
