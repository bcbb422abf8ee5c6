"""``emulator demo``: a guided deployment on a throwaway emulator, with the real commands."""

from __future__ import annotations

import os
import secrets
import shlex
import sys
from contextlib import contextmanager, redirect_stderr
from pathlib import Path
from typing import Any, Iterator

import click

from apinode_admin_cli.errors import ApinodeAdminError, ExitCode

SERVICE = "churn"
ENDPOINT = "score"
FLEET = "ha"


def build_archive(path: Path, version: str) -> Path:
    """A small package archive: the emulator reads its manifest, not a model."""
    import zipfile

    manifest = f'{{"endpoints": ["{ENDPOINT}"], "version": "{version}"}}'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", manifest)
        archive.writestr(f"{ENDPOINT}/README.txt", f"Demo package {version} (emulated model)\n")
    return path


@contextmanager
def _isolated_settings() -> Iterator[None]:
    """Hide the user's APINODE_ADMIN_* variables so the tour only sees its own node."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("APINODE_ADMIN_")}
    for name in saved:
        del os.environ[name]
    try:
        yield
    finally:
        os.environ.update(saved)


class Tour:
    """Runs the steps: prints each command line, then the command's own output."""

    def __init__(self, uri: str, admin_key: str, config: Path, color: bool) -> None:
        self.config = str(config)
        self.connection = ["--uri", uri, "--api-key", admin_key]
        self.color = color
        self.steps = 0

    def say(self, text: str) -> None:
        self.steps += 1
        click.echo()
        title = f"# {self.steps}. {text}"
        click.echo(click.style(title, bold=True) if self.color else title)

    def run_on_fleet(self, *args: str) -> None:
        """Run ``apinode-admin --fleet ha ARGS``: the nodes come from the config file."""
        self._main([], "--fleet", FLEET, *args)

    def run(self, *args: str) -> None:
        """Run ``apinode-admin ARGS`` against the first node."""
        self._main(self.connection, *args)

    def _main(self, hidden: list[str], *args: str) -> None:
        """Run the real command tree in this process; ``args`` are shown, ``hidden`` are not."""
        from apinode_admin_cli.cli import cli
        from apinode_admin_cli.cli.app import App

        line = "$ apinode-admin " + " ".join(shlex.quote(a) for a in args)
        click.echo(click.style(line, fg="cyan") if self.color else line)
        sys.stdout.flush()
        extra = [] if self.color else ["--no-color"]
        # The command's messages join its data on stdout so that the tour reads in order
        # even when piped into a pager or a file.
        with redirect_stderr(sys.stdout):
            code = cli.main(
                args=[*hidden, "--config", self.config, *extra, *args],
                prog_name="apinode-admin",
                obj=App(),
                standalone_mode=False,
            )
            sys.stdout.flush()
        if code in (ExitCode.INTERRUPTED, ExitCode.TERMINATED):
            # The step said "Interrupted." (or "Terminated."): the tour stops with its code.
            raise click.exceptions.Exit(code)
        if code:
            raise ApinodeAdminError(f"the demo step `{line[2:]}` failed with exit code {code}")


@click.command("demo")
@click.option("--keep", is_flag=True, help="Keep the emulator's data dir and print its path.")
@click.pass_context
def demo(ctx: click.Context, keep: bool) -> None:
    """Tour a deployment on a throwaway emulator (no node, settings or network needed).

    It starts an emulator on a free local port, builds two package archives and runs the
    real commands against it over HTTP, each shown as the command line you would type:
    create a service, import and activate v1, canary v2 at 10%, read generations and
    metrics, predict, roll v2 out in probed steps, create and revoke an admin key, clean up;
    then a second node joins and both are deployed as one fleet, and checked for drift.

    \b
    Examples:
      apinode-admin emulator demo
      apinode-admin emulator demo | less -R
    """
    import tempfile

    from apinode_admin_cli.cli.app import App
    from apinode_admin_cli.rollout.listener import terminate_as_interrupt

    app = ctx.find_object(App)
    color = bool(app.term.color if app else True) and sys.stdout.isatty()
    workdir = Path(tempfile.mkdtemp(prefix="apinode-admin-demo-"))
    try:
        # SIGTERM (a CI job cancelled) stops the tour as Ctrl-C does: the data dir goes too.
        with _isolated_settings(), terminate_as_interrupt():
            _tour(workdir, color)
    finally:
        if keep:
            click.echo(f"\nThe emulator's data is kept in {workdir}", err=True)
        else:
            _remove(workdir)


def _start_node(data_dir: Path) -> Any:
    """A local emulator on a free port, with an admin key of its own."""
    from apinode_admin_cli.emulator import start_emulator

    key = "demo-" + secrets.token_hex(16)
    return start_emulator(host="127.0.0.1", port=0, data_dir=str(data_dir), admin_key=key)


def _tour(workdir: Path, color: bool) -> None:
    packages = workdir / "packages"
    packages.mkdir()
    v1 = build_archive(packages / "v1.zip", "v1")
    v2 = build_archive(packages / "v2.zip", "v2")
    handle = _start_node(workdir / "node")
    try:
        click.echo(f"Started a throwaway API node emulator at {handle.uri}")
        click.echo(
            "Each step below runs as if you had typed it after:\n"
            f"  export APINODE_ADMIN_URI={handle.uri}\n"
            "  export APINODE_ADMIN_API_KEY=<the emulator's admin key>"
        )
        # An empty config file of its own: the user's is never read, and one named but
        # missing would be an error.
        config = workdir / "config.toml"
        config.touch(mode=0o600)
        tour = Tour(handle.uri, handle.admin_key, config, color)
        _steps(tour, v1, v2, handle)
        second = _start_node(workdir / "node-2")
        try:
            _fleet_steps(tour, v2, config, [handle, second])
        finally:
            second.stop()
        click.echo()
        click.echo(
            "Done. Rehearse your own deployment with `apinode-admin emulator serve`, "
            "then point --uri at a real node."
        )
    finally:
        handle.stop()


def _steps(tour: Tour, v1: Path, v2: Path, handle: Any) -> None:
    tour.say("The node is up and takes the key")
    tour.run("ping")
    tour.say("Create a service")
    tour.run("services", "create", SERVICE)
    tour.say("Import the first package: a new generation, not active yet")
    tour.run("generations", "import", SERVICE, str(v1))
    tour.say("Activate it: all traffic goes to the newest generation")
    tour.run("services", "switch-to-newest", SERVICE)
    tour.say("Ask it for a prediction (results are emulated placeholders)")
    tour.run("predict", SERVICE, ENDPOINT, "--feature", "tenure=3", "--feature", "plan=basic")
    tour.say("Import v2 and send it 10% of the traffic: a canary")
    tour.run("generations", "import", SERVICE, str(v2))
    tour.run("services", "set-mapping", SERVICE, "--entry", "v1=0.9", "--entry", "v2=0.1")
    tour.say("Look at the generations and their share of traffic")
    tour.run("generations", "list", SERVICE)
    tour.say("A few predictions; a dispatch key always reaches the same generation")
    for customer in ("customer-17", "customer-42"):
        tour.run("predict", SERVICE, ENDPOINT, "--feature", "tenure=12", "--dispatch-key", customer)
    tour.run("predict", SERVICE, ENDPOINT, "--feature", "tenure=12", "--forced-generation", "v2")
    tour.say("Read the node's metrics")
    tour.run("metrics", "show")
    tour.say("v2 looks good: roll it out in steps, probing it; a failed probe would roll back")
    probes = v2.parent / "probes.jsonl"
    probes.write_text(
        '{"tenure": 3, "plan": "basic"}\n{"tenure": 24, "plan": "pro"}\n', encoding="utf-8"
    )
    tour.run("services", "rollout", SERVICE, "v2", "--steps", "50,100",
             "--probe", str(probes), "--endpoint", ENDPOINT)  # fmt: skip
    tour.run("generations", "list", SERVICE)
    tour.say("Create an admin key for CI (its secret is printed once), list, revoke it")
    tour.run("keys", "create", "--label", "ci", "--description", "demo key")
    tour.run("keys", "list")
    # --force: the tour knows this is the key it just made, not the one it uses.
    tour.run("keys", "delete", "--id", _key_id(handle, "ci"), "--yes", "--force")
    tour.say("Clean up")
    tour.run("services", "delete", SERVICE, "--yes")
    tour.run("services", "list")


def _fleet_steps(tour: Tour, archive: Path, config: Path, nodes: list[Any]) -> None:
    from apinode_admin_cli.config import dumps_toml

    profiles = {
        f"node-{i}": {"uri": node.uri, "api_key": node.admin_key} for i, node in enumerate(nodes, 1)
    }
    data = {"profiles": profiles, "fleets": {FLEET: {"profiles": list(profiles)}}}
    config.write_text(dumps_toml(data), encoding="utf-8")
    config.chmod(0o600)
    tour.say("High availability: two nodes behind a load balancer, one fleet in the config")
    click.echo(f"[fleets.{FLEET}]\nprofiles = {list(profiles)}".replace("'", '"'))
    tour.run_on_fleet("services", "create", SERVICE)
    tour.say("Import and activate the package on both nodes at once")
    tour.run_on_fleet("generations", "import", SERVICE, str(archive), "--activate")
    tour.say("Do the nodes serve the same thing? (--exit-code makes drift exit 8)")
    tour.run_on_fleet("fleet", "status")


def _key_id(handle: Any, label: str) -> str:
    """The id of the key just created: the demo reads it the way a script would."""
    from apinode_admin_cli.client import APINodeAdminClient

    with APINodeAdminClient(handle.uri, handle.admin_key, retries=1) as client:
        ids = [k.get("id") for k in client.auth().list_keys() if k.get("label") == label]
    if not ids:
        raise ApinodeAdminError(f"the demo could not find the key labelled {label!r}")
    return str(ids[-1])


def _remove(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
