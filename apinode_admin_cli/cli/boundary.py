"""The one error boundary: whatever a command raises ends as its exit code and one clear report.

``guard`` wraps every command (the root group's ``invoke``); ``run_main`` wraps the console
script around click's own parsing, which runs before any command. Every report goes through the
run's redactor: no key reaches stderr, no node text drives the terminal.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import TYPE_CHECKING, Any, Callable, NoReturn, Optional

import click

from apinode_admin_cli.errors import ApinodeAdminError, ExitCode, Terminated

if TYPE_CHECKING:
    from apinode_admin_cli.cli.app import App


def guard(ctx: click.Context, app: App, invoke: Callable[[], Any]) -> Any:
    """Run the command; map each way it can end to its exit code, then release the app."""
    try:
        return invoke()
    except ApinodeAdminError as exc:
        report_error(app, exc)
        ctx.exit(exc.exit_code)
    except Terminated:
        report_interrupt(app, "Terminated.")
        ctx.exit(ExitCode.TERMINATED)
    except KeyboardInterrupt:
        report_interrupt(app)
        ctx.exit(ExitCode.INTERRUPTED)
    except click.Abort as exc:
        # click turns Ctrl-C at a prompt, or while a nested command line parses (the
        # demo's steps), into Abort; the contract says 130 for Ctrl-C, 143 for SIGTERM.
        if isinstance(exc.__context__, Terminated):
            report_interrupt(app, "Terminated.")
            ctx.exit(ExitCode.TERMINATED)
        if not isinstance(exc.__context__, KeyboardInterrupt):
            raise
        report_interrupt(app)
        ctx.exit(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        silence_stdout()
        ctx.exit(ExitCode.OK)
    except (click.exceptions.Exit, click.ClickException):
        raise
    except Exception as exc:  # the last line of defence: one line, no traceback
        report_unexpected(app, exc)
        ctx.exit(ExitCode.FAILURE)
    finally:
        app.close()


def report_error(app: App, exc: ApinodeAdminError) -> None:
    """``Error:`` and ``Hint:`` lines on stderr, and the JSON error object under ``-o json``."""
    redactor = app.redactor
    term = app.term
    term.say(term.style(f"Error: {redactor.line(exc.message)}", fg="red"))
    hint = worded_hint(exc)
    if hint:
        term.say(f"Hint: {redactor.line(in_context(app, hint))}")
    if app.wants_json:
        from apinode_admin_cli.jsonutil import dumps

        term.say(dumps(redactor.error_document(exc)))
    trace = _traceback(app)
    if trace:
        # Its last line repeats the node's message: escaped like the Error: line.
        click.echo(redactor.line(trace), file=term.err, nl=False)


def worded_hint(exc: ApinodeAdminError) -> Optional[str]:
    """The error's hint, in this CLI's commands and flags where the library leaves them out."""
    from apinode_admin_cli.rollout.deployer_target import UpdateRunning

    if isinstance(exc, UpdateRunning):
        return (
            f"follow it with: apinode-admin deployer deployments status {exc.deployment_id} --watch"
        )
    return exc.hint


def in_context(app: App, hint: str) -> str:
    """The hint with the run's --profile/--fleet/--config in each command it suggests.

    Copied as printed, a suggested `apinode-admin services ...` would otherwise act on the
    default profile, not on the node (or fleet) this run was about. A command that already
    names its node (`apinode-admin --profile n2 ...`) is left as it is.
    """
    if "apinode-admin " not in hint:
        return hint
    import os
    import re
    import shlex

    env = os.environ if app.env is None else app.env
    chosen = []
    for name, option in (("config", "--config"), ("fleet", "--fleet"), ("profile", "--profile")):
        value = app.flags.get(name) or env.get(f"APINODE_ADMIN_{name.upper()}")
        if value:
            chosen.append(f"{option} {shlex.quote(str(value))}")
    if not chosen:
        return hint
    words = " ".join(chosen)
    return re.sub(
        r"(?<![\w/-])apinode-admin (?!--(?:profile|fleet|config|uri)\b)",
        lambda m: f"apinode-admin {words} ",
        hint,
    )


def report_interrupt(app: App, text: str = "Interrupted.") -> None:
    app.term.say(f"\n{text}")


def report_unexpected(app: App, exc: Exception) -> None:
    redactor = app.redactor
    app.term.say(f"Error: unexpected failure: {redactor.line(f'{type(exc).__name__}: {exc}')}")
    trace = _traceback(app)
    if trace:
        click.echo(redactor.line(trace), file=app.term.err, nl=False)
    else:
        app.term.say("Hint: run again with -v for the full traceback")


def _traceback(app: App) -> Optional[str]:
    if not app.early.verbose:
        return None
    import traceback

    return traceback.format_exc()


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# What writing stdout can fail with, besides a reader gone (EPIPE); not every system has all.
_WRITE_FAILURES = {
    getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EFBIG", "EIO") if hasattr(errno, name)
}


def run_main(command: click.Command, argv: Optional[list[str]], app: App) -> NoReturn:
    """The console script around ``command``: streams made safe, every ending an exit code."""
    # Started with a standard stream closed (`>&-`): Python leaves it None. Output to a
    # closed stdout is discarded as when the reader leaves early; messages likewise.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    # A node's text may hold what the stream cannot encode (a lone surrogate, which JSON
    # allows; any non-ASCII under an ASCII locale): written as \uXXXX, never a crash.
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")
    try:
        # Not standalone: click would turn Ctrl-C while it parses the line into "Aborted!"
        # and exit 1; here every Ctrl-C is "Interrupted." and 130.
        code = command.main(args=argv, prog_name="apinode-admin", obj=app, standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort) as exc:
        if isinstance(exc, click.exceptions.Abort) and not isinstance(
            exc.__cause__ or exc.__context__, KeyboardInterrupt
        ):
            sys.stderr.write("Aborted!\n")
            sys.exit(int(ExitCode.FAILURE))
        sys.stderr.write("Interrupted.\n")
        sys.exit(int(ExitCode.INTERRUPTED))
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except OSError as exc:
        # Writing --help or --version, which click does while it parses the line, before
        # the error boundary: the reader left, or the disk is full.
        if isinstance(exc, BrokenPipeError):
            silence_stdout()
            sys.exit(int(ExitCode.OK))
        if exc.errno not in _WRITE_FAILURES:
            raise
        try:
            sys.stderr.write(f"Error: cannot write the output: {exc.strerror or exc}\n")
        except OSError:  # stderr is full too: the exit code says it
            pass
        sys.exit(int(ExitCode.FAILURE))
    else:
        # A plain int: an IntEnum prints as "ExitCode.OK" on Python 3.9 (sys.exit of it too).
        sys.exit(int(code) if isinstance(code, int) else 0)
    finally:
        try:
            sys.stdout.flush()
        except (BrokenPipeError, ValueError):
            silence_stdout()


__all__ = ["guard", "report_error", "run_main", "silence_stdout"]
