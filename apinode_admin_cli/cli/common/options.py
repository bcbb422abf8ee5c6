"""Options shared by many commands, each declared once.

The global options come from the settings schema; their environment variables are shown in
the help and read by the resolver alone. Click parses them on the root group and,
as hidden copies, on every command, so they may follow the command as with kubectl
(`apinode-admin services list --profile prod`) and an option value such as
`keys create --label -q` stays the label it is.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional, TypeVar, overload

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.config.schema import OUTPUT_FORMATS, SETTINGS, Setting, setting

F = TypeVar("F", bound=Callable[..., Any])

# Input files and stdin are read whole: a bound keeps `/dev/zero` or a wrong file from
# exhausting memory.
# The one bound on what a user hands the tool (apinode_admin_cli/inputs.py reads it).
MAX_INPUT_BYTES = 16 * 1024 * 1024


def _help(decl: Setting) -> str:
    # Written out rather than click's show_envvar: that looks up a translation per option,
    # which costs --help several milliseconds, and would make click read the variable.
    return f"{decl.help}  [env var: {decl.env}]" if decl.env else decl.help


def _option_spec(decl: Setting, **overrides: Any) -> tuple[list[str], dict[str, Any]]:
    names = [decl.short, decl.option] if decl.short else [decl.option]
    kwargs: dict[str, Any] = {"help": _help(decl)}
    if decl.kind == "bool":
        kwargs.update(is_flag=True, default=None)
    else:
        kwargs["metavar"] = decl.metavar or "VALUE"
    if decl.complete:
        kwargs["shell_complete"] = _completer(decl.complete)
    kwargs.update(overrides)
    return [*names, decl.name], kwargs


def _completer(kind: str) -> Callable[..., Any]:
    """A completion callback that imports the completion code only when a shell asks."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
        from apinode_admin_cli.cli.common.completers import config_names

        return config_names(ctx, kind, incomplete)

    return complete


def setting_option(decl: Setting, hidden: bool = False) -> click.Option:
    """The click option of one declared setting."""
    names, kwargs = _option_spec(decl, hidden=hidden)
    return click.Option(names, **kwargs)


def option_for(name: str, **overrides: Any) -> Callable[[F], F]:
    """Decorator: a command's own option for a setting that is not global (``--service-key``)."""
    names, kwargs = _option_spec(setting(name), **overrides)
    return click.option(*names, **kwargs)


def global_options(hidden: bool = False) -> list[click.Option]:
    """Fresh options for every setting that has a global flag, in declaration order."""
    return [setting_option(decl, hidden) for decl in SETTINGS if decl.flag]


_HIDDEN_GLOBALS: list[click.Option] = []


def _hidden_globals() -> list[click.Option]:
    """The hidden copies every command shares: click keeps no parsing state in an option."""
    if not _HIDDEN_GLOBALS:
        _HIDDEN_GLOBALS.extend(global_options(hidden=True))
    return _HIDDEN_GLOBALS


def with_global_options(command: click.Command) -> click.Command:
    """Let the global options follow ``command`` (and its subcommands), hidden from its help.

    An option of the command's own wins over a global of the same name or spelling.
    """
    if getattr(command, "_takes_global_options", False):
        return command
    command._takes_global_options = True  # type: ignore[attr-defined]
    taken = {name for param in command.params for name in (*param.opts, *param.secondary_opts)}
    taken |= {param.name for param in command.params if param.name}
    added = [
        option
        for option in _hidden_globals()
        if option.name not in taken and not set(option.opts) & taken
    ]
    command.params.extend(added)
    names = [option.name for option in added]
    original = command.callback

    def callback(*args: Any, **kwargs: Any) -> Any:
        given = {name: kwargs.pop(name, None) for name in names}
        click.get_current_context().ensure_object(App).update_flags(given)
        return original(*args, **kwargs) if original is not None else None

    if original is not None:
        functools.update_wrapper(callback, original)
    command.callback = callback
    if isinstance(command, click.Group):
        # Subcommands get theirs when looked up: building options for every command of a
        # group on each run would cost start-up time for the one command that runs.
        lookup = command.get_command

        def get_command(ctx: click.Context, name: str) -> Optional[click.Command]:
            found = lookup(ctx, name)
            return with_global_options(found) if found is not None else None

        command.get_command = get_command  # type: ignore[method-assign,assignment]
    return command


@overload
def output_options(func: F) -> F: ...


@overload
def output_options(*, extra: tuple[str, ...]) -> Callable[[F], F]: ...


def output_options(func: Optional[F] = None, *, extra: tuple[str, ...] = ()) -> Any:
    """Add ``-o/--output``, ``--json`` and ``--no-headers`` and hand them to the app.

    ``extra`` formats belong to one command (``metrics show -o prometheus``): the command gets
    the one chosen as its ``output_format`` argument (None for the others), and they never
    become the ``output`` setting, whose values (environment, profile) stay the shared ones.
    """
    if func is None:
        return functools.partial(output_options, extra=extra)
    decl = setting("output")
    own = f" {', '.join(extra)}: this command only." if extra else ""

    @click.option(
        *[name for name in (decl.short, decl.option) if name],
        "output_format",
        type=click.Choice(OUTPUT_FORMATS + extra, case_sensitive=False),
        default=None,
        help=f"Output format (default: table on a terminal, plain otherwise).{own}  "
        f"[env var: {decl.env}]",
    )
    @click.option("--json", "as_json", is_flag=True, help="Same as -o json.")
    @click.option("--no-headers", is_flag=True, help="Omit the header row.")
    @functools.wraps(func)
    def wrapper(*args: Any, output_format: Any, as_json: bool, no_headers: bool, **kw: Any) -> Any:
        app = click.get_current_context().ensure_object(App)
        special = output_format if output_format in extra else None
        app.set_output(None if special else output_format, as_json, no_headers)
        if extra:
            # --json wins over -o, as it does for the shared formats.
            kw["output_format"] = None if as_json else special
        return func(*args, **kw)

    return wrapper


yes_option = click.option(
    "-y", "--yes", is_flag=True, help="Do not ask for confirmation (required off a terminal)."
)

pass_app = click.make_pass_decorator(App, ensure=True)


def read_text_input(
    path: str, max_bytes: int = MAX_INPUT_BYTES, stdin: Optional[Any] = None
) -> str:
    """Text of a file, or of stdin for ``-``; exit 2 when it cannot be read or is too large."""
    from apinode_admin_cli.inputs import read_input

    shown = "standard input" if path == "-" else path
    return read_input(path, shown, max_bytes, stdin)


def read_stream(
    stream: Any, shown: str = "standard input", max_bytes: int = MAX_INPUT_BYTES
) -> str:
    """All the text of a stream (stdin), at most ``max_bytes``; exit 2 otherwise."""
    from apinode_admin_cli.inputs import read_source

    return read_source(stream, shown, max_bytes)


@contextmanager
def naming(flag: str) -> Iterator[None]:
    """A usage error raised while the block parses ``flag``'s value names the flag.

    The library's parsers word their errors without the command line's names; this is where
    the command line adds them, so that the message says which option to fix.
    """
    from apinode_admin_cli.errors import UsageError

    try:
        yield
    except UsageError as exc:
        raise UsageError(f"{flag}: {exc.message}", hint=exc.hint) from None
