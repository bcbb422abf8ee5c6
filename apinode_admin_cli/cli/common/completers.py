"""Shell-completion callbacks that offer live values (service, generation and key ids).

They ask the node configured for the command line being completed, with a short timeout and a
single attempt, and offer nothing at all when it is unconfigured, unreachable or refuses: a
completion must never print an error into the user's prompt nor hang it. Only a callback that
really queries the node imports the HTTP client.
"""

from __future__ import annotations

import io
import time
from typing import Any, Callable, Optional

import click

# Long enough for a node on the LAN, short enough that a Tab press never feels stuck.
COMPLETION_TIMEOUT = 2.0


def _line_flags(ctx: click.Context) -> dict[str, Any]:
    """The global options given so far on the line being completed, wherever they stand."""
    from apinode_admin_cli.config.schema import SETTINGS

    names = {decl.name for decl in SETTINGS if decl.flag}
    flags: dict[str, Any] = {}
    node: Optional[click.Context] = ctx
    chain = []
    while node is not None:
        chain.append(node)
        node = node.parent
    for level in reversed(chain):  # the root first: options after the command win
        flags.update(
            {k: v for k, v in level.params.items() if k in names and v not in (None, False)}
        )
    return flags


def _client(ctx: click.Context) -> Any:
    """An admin client for the line's node, or None when settings are missing or unusable."""
    from apinode_admin_cli.config import env_value, resolve_settings
    from apinode_admin_cli.config.connect import admin_client

    flags = _line_flags(ctx)
    if flags.get("api_key_file") == "-" or env_value("api_key_file") == "-":
        return None  # stdin belongs to the shell during completion
    settings = resolve_settings(flags, stdin=io.StringIO(""))
    if not settings.uri or not settings.api_key:
        return None
    return admin_client(
        settings.values,
        settings.uri,
        settings.api_key,
        timeout=COMPLETION_TIMEOUT,
        connect_timeout=COMPLETION_TIMEOUT,
        # The promise holds for the whole exchange, not each read: a node sending a byte
        # every 0.1 s, or answering slowly at every step, is cut off all the same.
        deadline=time.monotonic() + COMPLETION_TIMEOUT,
        retries=1,
    )


def _offer(
    ctx: click.Context, incomplete: str, fetch: Callable[[Any], list[Any]]
) -> list[click.shell_completion.CompletionItem]:
    from click.shell_completion import CompletionItem

    try:
        client = _client(ctx)
        if client is None:
            return []
        try:
            values = fetch(client)
        finally:
            client.close()
    except Exception:  # any failure means "no suggestions", never noise in the prompt
        return []
    seen: list[str] = []
    for value in values:
        text = str(value)
        if value is not None and text.startswith(incomplete) and text not in seen:
            seen.append(text)
    if _bash_wants_quoted():
        import shlex

        return [CompletionItem(shlex.quote(text)) for text in seen]
    return [CompletionItem(text) for text in seen]


def _bash_wants_quoted() -> bool:
    """Whether the offers must come shell-quoted: bash inserts them exactly as given.

    zsh (compadd) and fish quote what they insert themselves. Bash does not, except inside
    a quote the user opened (`'my s<TAB>`), where it adds the closing quote itself.
    """
    import os

    if not os.environ.get("_APINODE_ADMIN_COMPLETE", "").startswith("bash"):
        return False
    words = raw_words(os.environ.get("COMP_WORDS", ""))
    try:
        current = words[int(os.environ.get("COMP_CWORD", ""))]
    except (ValueError, IndexError):
        current = ""
    return not current.startswith(("'", '"'))


def raw_words(line: str) -> list[str]:
    """Words of a command line as typed, quotes and backslashes kept (unclosed ones too)."""
    words: list[str] = []
    word: list[str] = []
    quote = ""
    escaped = started = False
    for char in line:
        if escaped:
            escaped = False
        elif quote:
            quote = "" if char == quote else quote
        elif char == "\\":
            escaped = True
        elif char in "'\"":
            quote = char
        elif char.isspace():
            if started:
                words.append("".join(word))
            word, started = [], False
            continue
        word.append(char)
        started = True
    if started:
        words.append("".join(word))
    return words


def _ids(records: Any, field: str) -> list[Any]:
    return [r.get(field) for r in records if isinstance(r, dict)] if records else []


def _positional(ctx: click.Context, name: str) -> Any:
    """An argument's word when click left the positionals unparsed.

    That happens while an option's value is being completed (`predict churn score
    --forced-generation <TAB>`): parsing stops at the option that still lacks its value.
    """
    names = [p.name for p in ctx.command.params if isinstance(p, click.Argument)]
    words = [w for w in ctx.args if not w.startswith("-")]
    if name in names and names.index(name) < len(words):
        return words[names.index(name)]
    return None


def service_ids(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Ids of the node's services."""
    return _offer(ctx, incomplete, lambda c: _ids(c.list_services(), "serviceId"))


def generation_ids(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Generation ids of the service already given on the line (newest last)."""
    service_id = ctx.params.get("service_id") or _positional(ctx, "service_id")
    if not service_id:
        return []
    return _offer(
        ctx,
        incomplete,
        lambda c: _ids(c.service(service_id).list_generations(), "generationId"),
    )


def key_ids(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Ids (never secrets) of the node's admin keys."""
    return _offer(ctx, incomplete, lambda c: _ids(c.auth().list_keys(), "id"))


def config_names(
    ctx: click.Context, kind: str, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Names from the config file of the line: ``profiles`` or ``fleets`` (no node asked)."""
    from click.shell_completion import CompletionItem

    from apinode_admin_cli.config import list_fleets, list_profiles, locate_config

    try:
        path, _ = locate_config(_line_flags(ctx), _environ())
        names = list(list_fleets(path)) if kind == "fleets" else list_profiles(path)
    except Exception:  # a broken config file completes nothing, quietly
        return []
    return [CompletionItem(n) for n in names if n.startswith(incomplete)]


def _environ() -> Any:
    import os

    return os.environ
