"""Read a state file (TOML or JSON) and check all of it before anything is sent to a node."""

from __future__ import annotations

import json
import sys
from typing import IO, Any, Optional, Union

from apinode_admin_cli.errors import UsageError
from apinode_admin_cli.state.check import check_state_data
from apinode_admin_cli.state.model import DesiredState

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on the oldest supported Pythons only
    import tomli as tomllib

MAX_BYTES = 16 * 1024 * 1024
FORMATS = ("toml", "json")


class StateFileError(UsageError):
    """A state file that cannot be used; ``problems`` lists every fault found, not just one."""

    def __init__(self, source: str, problems: list[str]) -> None:
        more = len(problems) - 1
        message = f"{source}: {problems[0]}"
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        hint = "nothing was sent to the node; fix the file and retry"
        if more:
            hint += " (`apinode-admin state validate -f FILE` lists every problem)"
        super().__init__(message, hint=hint)
        self.source = source
        self.problems = [f"{source}: {p}" for p in problems]

    def to_json(self) -> dict[str, Any]:
        payload = super().to_json()
        payload["error"]["problems"] = list(self.problems)
        return payload


def source_name(path: str) -> str:
    """How messages name the file: ``state file prod.toml``, ``state file on stdin``."""
    return "state file on stdin" if path == "-" else f"state file {path}"


def read_state_file(
    path: str, stdin: Union[IO[str], IO[bytes], str, bytes, None] = None, fmt: Optional[str] = None
) -> DesiredState:
    """Read, parse and check ``path`` (``-``: ``stdin``, a stream or its text); UsageError if bad.

    The format is ``fmt`` if given, else JSON for a ``.json`` name (or stdin text starting with
    ``{``), else TOML.
    """
    from apinode_admin_cli.inputs import read_input

    source = source_name(path)
    text = read_input(path, source, MAX_BYTES, stdin)
    if fmt is None:
        is_json = text.lstrip().startswith("{") if path == "-" else path.lower().endswith(".json")
        fmt = "json" if is_json else "toml"
    return parse_state_text(text, source, fmt)


def parse_state_text(text: str, source: str = "state file", fmt: str = "toml") -> DesiredState:
    """Parse state file text (``fmt``: ``toml`` or ``json``) and check it; UsageError if bad."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown state file format {fmt!r}")
    if len(text) > MAX_BYTES:
        from apinode_admin_cli.inputs import too_large

        raise too_large(source, MAX_BYTES)
    data = _load_json(text, source) if fmt == "json" else _load_toml(text, source)
    return parse_state_data(data, source)


def parse_state_data(data: Any, source: str = "state file") -> DesiredState:
    """Check an already parsed state structure (``{"services": {...}}``); UsageError if bad."""
    problems, desired = check_state_data(data, source)
    if problems or desired is None:
        raise StateFileError(source, problems or ["not a state file"])
    return desired


def _load_toml(text: str, source: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with "(at line L, column C)".
        raise UsageError(f"{source}: invalid TOML: {exc}") from None
    except RecursionError:
        raise UsageError(f"{source}: invalid TOML: nested too deeply") from None
    except ValueError:  # Python's own limit on the digits of an integer (3.11 and later)
        raise UsageError(f"{source}: invalid TOML: {_TOO_LONG}") from None


# No value of a state file comes near this: a number this long is a broken file.
_TOO_LONG = "a number has too many digits"


class _Refused(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number in strict JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(f"key {key!r} appears twice in one object")
        result[key] = value
    return result


def _load_json(text: str, source: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{source}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except _Refused as exc:
        where = _constant_position(text) if "strict JSON" in str(exc) else None
        at = f" at line {where[0]}, column {where[1]}" if where else ""
        raise UsageError(f"{source}: invalid JSON{at}: {exc}") from None
    except RecursionError:
        raise UsageError(f"{source}: invalid JSON: nested too deeply") from None
    except ValueError:  # Python's own limit on the digits of an integer (3.11 and later)
        raise UsageError(f"{source}: invalid JSON: {_TOO_LONG}") from None


def _constant_position(text: str) -> Optional[tuple[int, int]]:
    """Line and column of the first NaN/Infinity outside strings (the hook gets no position)."""
    in_string = escaped = False
    line, column = 1, 1
    for index, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif text.startswith(("NaN", "Infinity", "-Infinity"), index):
            return line, column
        if ch == "\n":
            line, column = line + 1, 1
        else:
            column += 1
    return None
