#!/usr/bin/env python3
"""Regenerate the files derived from the click tree: completions, README reference, man page.

\b
Examples:
  python scripts/generate_docs.py            # rewrite what is stale
  python scripts/generate_docs.py --check    # exit 1 and name what is stale (CI, tests)
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apinode_admin_cli import __version__  # noqa: E402
from apinode_admin_cli.cli import cli  # noqa: E402
from apinode_admin_cli.cli.completion import SHELLS, completion_script  # noqa: E402

PROG = "apinode-admin"
README = ROOT / "README.md"
MAN_PAGE = ROOT / "apinode_admin_cli" / "data" / "apinode-admin.1"
BEGIN = "<!-- BEGIN COMMAND REFERENCE -->"
END = "<!-- END COMMAND REFERENCE -->"
OUTPUT_OPTIONS = ("output_format", "as_json", "no_headers")
EXIT_CODES = (
    ("0", "success (also when stdout is closed early, e.g. by head)"),
    ("1", "any other failure, including an API error not listed below"),
    ("2", "usage: bad arguments, unreadable or invalid input, invalid mapping, missing --yes"),
    ("3", "configuration: no URI or key, unreadable or invalid config file"),
    ("4", "authentication or permission refused by the node (401/403)"),
    ("5", "not found (404, or the node's not-found error)"),
    ("6", "conflict: already exists (409)"),
    ("7", "node unreachable, TLS failure, timeout, or 5xx after retries"),
    ("130", "interrupted by Ctrl-C"),
)
ENVIRONMENT = (
    ("APINODE_ADMIN_URI", "node base URL (--uri)"),
    ("APINODE_ADMIN_API_KEY", "admin API key (--api-key)"),
    ("APINODE_ADMIN_API_KEY_FILE", "file holding the admin API key (--api-key-file)"),
    ("APINODE_ADMIN_PROFILE", "config profile (--profile)"),
    ("APINODE_ADMIN_CONFIG", "config file (--config)"),
    ("APINODE_ADMIN_NO_CHECK_CERTIFICATE", "skip TLS verification (--no-check-certificate)"),
    ("APINODE_ADMIN_CA_BUNDLE", "CA bundle (--ca-bundle)"),
    ("APINODE_ADMIN_CLIENT_CERT", "client certificate for mutual TLS (--client-cert)"),
    ("APINODE_ADMIN_CLIENT_KEY", "client certificate key (--client-key)"),
    ("APINODE_ADMIN_TIMEOUT", "read timeout in seconds (--timeout)"),
    ("APINODE_ADMIN_RETRIES", "attempts for retryable failures (--retries)"),
    ("APINODE_ADMIN_OUTPUT", "default output format: table, plain, tsv or json"),
    ("APINODE_ADMIN_DEBUG", "1 logs every HTTP exchange to stderr (--verbose)"),
    ("NO_COLOR", "any value: no ANSI colour (--no-color)"),
)


# -- the click tree ---------------------------------------------------------------------------


@dataclass
class Block:
    """A piece of help text: prose, or a verbatim block (``\\b``) with its optional title."""

    text: str
    verbatim: bool = False
    title: str = ""


@dataclass
class Entry:
    """One visible command with what the docs show about it."""

    path: str
    usage: str
    summary: str
    blocks: list[Block]
    options: list[tuple[str, str]]
    output_options: bool
    is_group: bool


def walk(command: click.Command, ctx: click.Context) -> Iterator[Entry]:
    """Every visible command, depth first, in the order ``--help`` lists them."""
    yield describe(command, ctx)
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None:
                # Documentation must not silently lose a command whose module fails to import.
                raise SystemExit(f"error: cannot load command `{ctx.command_path} {name}`")
            if sub.hidden:
                continue
            yield from walk(sub, context(sub, name, ctx))


def context(command: click.Command, name: str, parent: Optional[click.Context]) -> click.Context:
    return click.Context(command, info_name=name, parent=parent, **command.context_settings)


def describe(command: click.Command, ctx: click.Context) -> Entry:
    pieces = command.collect_usage_pieces(ctx)
    options: list[tuple[str, str]] = []
    has_output = False
    for param in command.get_params(ctx):
        if param.name in OUTPUT_OPTIONS:
            has_output = True
            continue
        if not isinstance(param, click.Option) or set(param.opts) & set(ctx.help_option_names):
            continue  # arguments show in the usage line; --help is said once for all
        record = param.get_help_record(ctx)
        if record is not None:
            options.append(record)
    return Entry(
        path=ctx.command_path,
        usage=f"{ctx.command_path} {' '.join(pieces)}".rstrip(),
        summary=command.get_short_help_str(limit=200),
        blocks=parse_help(command.help or ""),
        options=options,
        output_options=has_output,
        is_group=isinstance(command, click.Group),
    )


def parse_help(text: str) -> list[Block]:
    """Split a docstring into prose paragraphs and ``\\b`` verbatim blocks."""
    blocks: list[Block] = []
    for paragraph in re.split(r"\n\s*\n", inspect.cleandoc(text)):
        lines = paragraph.splitlines()
        if lines and lines[0].strip() == "\b":
            body = lines[1:]
            title = ""
            if body and body[0].rstrip().endswith(":") and not body[0].startswith(" "):
                title, body = body[0].strip(), body[1:]
            blocks.append(Block(inspect.cleandoc("\n".join(body)), True, title))
        elif paragraph.strip():
            blocks.append(Block(" ".join(line.strip() for line in lines)))
    return blocks


def entries() -> list[Entry]:
    root = context(cli, PROG, None)
    return list(walk(cli, root))


# -- Markdown ---------------------------------------------------------------------------------


def markdown(items: list[Entry]) -> str:
    root, commands = items[0], items[1:]
    out = [
        "## Command reference",
        "",
        "<!-- Generated by scripts/generate_docs.py from the click tree; do not edit. -->",
        "",
        "Every command takes `-h/--help`. *Output options* are `-o/--output table|plain|tsv|json`,",
        "`--json` (same as `-o json`) and `--no-headers`.",
        "",
        "### Global options",
        "",
        f"Usage: `{root.usage}`",
        "",
    ]
    out += md_options(root)
    for item in commands:
        name = item.path[len(PROG) + 1 :]
        level = "###" if " " not in name else "####"
        out += [f"{level} `{name}`", ""]
        if not item.is_group:
            out += [f"Usage: `{item.usage}`", ""]
        prose = [b.text for b in item.blocks if not b.verbatim]
        if prose:
            out += [" ".join(prose), ""]
        out += md_options(item)
        for block in item.blocks:
            if not block.verbatim:
                continue
            examples = block.title.rstrip(":") in ("Example", "Examples")
            if block.title and not examples:
                out += [block.title, ""]
            out += ["```sh" if examples else "```text", block.text, "```", ""]
    while out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def md_options(item: Entry) -> list[str]:
    lines = [
        f"- `{names}`" + (f": {md_inline(text)}" if text else "") for names, text in item.options
    ]
    if item.output_options:
        lines.append("- *output options*")
    return [*lines, ""] if lines else []


def md_inline(text: str) -> str:
    return text.replace("|", "\\|")


def replace_reference(readme: str, reference: str) -> Optional[str]:
    """The README with the text between the markers replaced; None if the markers are absent."""
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        return None
    return readme[: start + len(BEGIN)] + "\n" + reference + readme[end:]


# -- roff -------------------------------------------------------------------------------------


def roff(text: str) -> str:
    """Escape text for a roff line: backslashes, minus signs, and leading control characters."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(
        ("\\&" + line) if line[:1] in (".", "'") else line for line in text.split("\n")
    )


def roff_option(names: str) -> str:
    """``-o, --output [a|b]`` with the option names in bold and the metavar in italics."""
    parts = re.split(r"(\s+)", names)
    styled = []
    for part in parts:
        if part.startswith("-"):
            comma = part.endswith(",")
            styled.append(f"\\fB{roff(part.rstrip(','))}\\fR" + ("," if comma else ""))
        elif part.strip():
            styled.append(f"\\fI{roff(part)}\\fR")
        else:
            styled.append(part)
    return "".join(styled)


def man_page(items: list[Entry]) -> str:
    root, commands = items[0], items[1:]
    out = [
        f'.TH APINODE\\-ADMIN 1 "" "apinode\\-admin {roff(__version__)}" "User Commands"',
        ".nh",
        ".ad l",
        ".SH NAME",
        "apinode\\-admin \\- administer Dataiku DSS API nodes, remotely or locally",
        ".SH SYNOPSIS",
        ".B apinode\\-admin",
        "[\\fIGLOBAL OPTIONS\\fR] \\fIGROUP\\fR \\fICOMMAND\\fR [\\fIARGS\\fR] [\\fIOPTIONS\\fR]",
        ".SH DESCRIPTION",
    ]
    out += man_blocks(root.blocks)
    out.append(".SH GLOBAL OPTIONS")
    out += man_options(root.options)
    out += [".SH COMMANDS", "Every command takes \\fB\\-h\\fR, \\fB\\-\\-help\\fR."]
    out += [
        "Commands marked \\fIoutput options\\fR take \\fB\\-o\\fR, "
        "\\fB\\-\\-output\\fR \\fItable|plain|tsv|json\\fR, "
        "\\fB\\-\\-json\\fR and \\fB\\-\\-no\\-headers\\fR."
    ]
    for item in commands:
        out.append(f'.SS "{roff(item.path)}"')
        out += [".nf", roff(item.usage), ".fi"]
        out += man_blocks(item.blocks)
        out += man_options(item.options)
        if item.output_options:
            out += [".TP", "\\fIoutput options\\fR", "see above"]
    out.append(".SH ENVIRONMENT")
    for name, meaning in ENVIRONMENT:
        out += [".TP", f"\\fB{roff(name)}\\fR", roff(meaning)]
    out += [
        ".SH FILES",
        ".TP",
        "\\fI$XDG_CONFIG_HOME/apinode\\-admin/config.toml\\fR",
        "The config file (TOML, mode 0600), else \\fI~/.config/apinode\\-admin/config.toml\\fR.",
        ".SH EXIT STATUS",
    ]
    for code, meaning in EXIT_CODES:
        out += [".TP", f"\\fB{code}\\fR", roff(meaning)]
    out += [
        ".SH SEE ALSO",
        "\\fBapinode\\-admin\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR, and the README of the "
        "apinode\\-admin project.",
    ]
    return "\n".join(out) + "\n"


def man_blocks(blocks: list[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        out.append(".PP")
        if block.verbatim:
            if block.title:
                out += [roff(block.title)]
            out += [".RS 4", ".nf", roff(block.text), ".fi", ".RE"]
        else:
            out.append(roff(block.text))
    return out


def man_options(options: list[tuple[str, str]]) -> list[str]:
    out: list[str] = []
    for names, help_text in options:
        out += [".TP", roff_option(names), roff(help_text) if help_text else "\\&"]
    return out


# -- files ------------------------------------------------------------------------------------


def targets() -> tuple[dict[Path, str], list[str]]:
    """Every generated file with its expected text, and notes for the person running this."""
    items = entries()
    wanted = {ROOT / "completions" / f"{PROG}.{s}": completion_script(s) for s in SHELLS}
    wanted[MAN_PAGE] = man_page(items)
    notes: list[str] = []
    current = README.read_text(encoding="utf-8") if README.exists() else ""
    updated = replace_reference(current, markdown(items))
    if updated is None:
        notes.append(f"README.md has no {BEGIN} / {END} markers: left alone")
    else:
        wanted[README] = updated
    return wanted, notes


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    args = parser.parse_args(argv)
    wanted, notes = targets()
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    stale = []
    for path, text in wanted.items():
        have = path.read_text(encoding="utf-8") if path.exists() else None
        if have == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
    for path in stale:
        verb = "stale" if args.check else "updated"
        print(f"{verb}: {path.relative_to(ROOT)}", file=sys.stderr)
    if args.check and stale:
        print("run: python scripts/generate_docs.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
