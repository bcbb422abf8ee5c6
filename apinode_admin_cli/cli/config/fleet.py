"""``config fleet``: create, change and delete the fleets of the config file."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import pass_app, yes_option
from apinode_admin_cli.cli.common.targets import confirm
from apinode_admin_cli.cli.config.common import config_file
from apinode_admin_cli.cli.config.fleets import config_fleets


@click.group("fleet")
def config_fleet() -> None:
    """Create, change and delete fleets: [fleets.NAME] profiles = [...] in the config file.

    Each edit is checked (the profiles must be in the file, each named once, a fleet
    never left empty) and written atomically under the file's lock. `config fleets` lists
    them.
    """


# `config fleet list` is `config fleets`, options and all: one command under two names.
config_fleet.add_command(config_fleets, "list")


@config_fleet.command("set")
@click.argument("name")
@click.argument("profiles", nargs=-1, required=True)
@pass_app
def fleet_set(app: App, name: str, profiles: tuple[str, ...]) -> None:
    """Create fleet NAME, or replace its profiles, with PROFILES in this order.

    \b
    Example:
      apinode-admin config fleet set prod prod-1 prod-2
    """
    from apinode_admin_cli.config.fleet_edit import set_fleet

    path = config_file(app)
    created = set_fleet(path, name, profiles)
    verb = "Created" if created else "Set"
    app.term.info(f"{verb} fleet {name!r} in {path}: {', '.join(profiles)}.")


@config_fleet.command("add")
@click.argument("name")
@click.argument("profiles", nargs=-1, required=True)
@pass_app
def fleet_add(app: App, name: str, profiles: tuple[str, ...]) -> None:
    """Add PROFILES at the end of fleet NAME (those it lists already stay where they are).

    \b
    Example:
      apinode-admin config fleet add prod prod-3
    """
    from apinode_admin_cli.config.fleet_edit import add_to_fleet

    path = config_file(app)
    added = add_to_fleet(path, name, profiles)
    said = ", ".join(added) if added else "nothing (already listed)"
    app.term.info(f"Added to fleet {name!r} in {path}: {said}.")


@config_fleet.command("remove")
@click.argument("name")
@click.argument("profiles", nargs=-1, required=True)
@pass_app
def fleet_remove(app: App, name: str, profiles: tuple[str, ...]) -> None:
    """Remove PROFILES from fleet NAME (the profiles themselves stay).

    \b
    Example:
      apinode-admin config fleet remove prod prod-3
    """
    from apinode_admin_cli.config.fleet_edit import remove_from_fleet

    path = config_file(app)
    left = remove_from_fleet(path, name, profiles)
    app.term.info(f"Fleet {name!r} in {path} is now: {', '.join(left)}.")


@config_fleet.command("delete")
@click.argument("name")
@yes_option
@pass_app
def fleet_delete(app: App, name: str, yes: bool) -> None:
    """Delete fleet NAME from the config file (its profiles stay).

    \b
    Example:
      apinode-admin config fleet delete staging --yes
    """
    from apinode_admin_cli.config.fleet_edit import delete_fleet

    path = config_file(app)
    confirm(app, f"Delete fleet {name!r} from {path}", yes)
    delete_fleet(path, name)
    app.term.info(f"Deleted fleet {name!r} from {path}.")
