"""Any JSON object the node returns for ``GET metrics`` in the Prometheus text format 0.0.4.

The rule (docs/monitoring.md shows it on the emulator's metrics):

- Every number is a sample (:mod:`~apinode_admin_cli.output.leaves` decides what a number is);
  NaN and infinities are written ``NaN``, ``+Inf``, ``-Inf`` as the format allows.
- The name is ``apinode_`` plus the path's keys joined by ``_``; only keys that are already
  valid name parts (``[A-Za-z_][A-Za-z0-9_]*``) go into the name, with their case kept.
- A key becomes a label instead when it sits under a container key, or when it is not a
  valid name part (spaces, dots, dashes, unicode, a list index, a number). Container keys are
  ``services``, ``endpoints``, ``generations`` (their labels ``service``, ``endpoint``,
  ``generation``, and they are written singular in the name) and any key ``byXxx`` or
  ``by_xxx`` (label ``xxx``; the key stays as it is in the name). Another key's label is named
  after its parent key, or ``key`` at the top or under an id.
- A label name already used in the sample gets ``_2``, ``_3``...; ``node`` is kept for the
  fleet's node label.
- Every family gets ``# TYPE NAME untyped`` (the JSON does not say which numbers are
  counters) and its samples together, in the order first met.
- Two paths giving the same name and labels: the first is kept, the later ones are skipped
  (:attr:`Exposition.skipped` lists them).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional

from apinode_admin_cli.output.leaves import Number, as_number, leaves

PREFIX = "apinode"
CONTAINERS: Mapping[str, str] = {
    "services": "service",
    "endpoints": "endpoint",
    "generations": "generation",
}
NODE_LABEL = "node"

_NAME_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_BY_KEY = re.compile(r"by(?:_|(?=[A-Z]))_?(\w+)\Z")
_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")


@dataclass(frozen=True)
class Sample:
    """One line of the exposition, with the JSON path it came from."""

    name: str
    labels: tuple[tuple[str, str], ...]
    value: Number
    path: tuple[str, ...]
    node: Optional[str] = None

    def line(self) -> str:
        """``name{label="value",...} value``, escaped as the format requires."""
        if not self.labels:
            return f"{self.name} {format_number(self.value)}"
        pairs = ",".join(f'{key}="{escape_label_value(val)}"' for key, val in self.labels)
        return f"{self.name}{{{pairs}}} {format_number(self.value)}"


@dataclass
class Exposition:
    """Samples grouped by family, and the samples skipped as duplicates of an earlier one."""

    families: dict[str, list[Sample]] = field(default_factory=dict)
    skipped: list[Sample] = field(default_factory=list)

    def text(self) -> str:
        """The exposition: ``# TYPE`` then the samples of each family; empty when no samples."""
        lines: list[str] = []
        for name, samples in self.families.items():
            lines.append(f"# TYPE {name} untyped")
            lines.extend(sample.line() for sample in samples)
        return "".join(line + "\n" for line in lines)


def exposition(
    nodes: Iterable[tuple[Optional[str], Any]],
    *,
    prefix: str = PREFIX,
    containers: Mapping[str, str] = CONTAINERS,
) -> str:
    """The text exposition of ``(node name or None, metrics object)`` pairs, one for all."""
    return collect(nodes, prefix=prefix, containers=containers).text()


def collect(
    nodes: Iterable[tuple[Optional[str], Any]],
    *,
    prefix: str = PREFIX,
    containers: Mapping[str, str] = CONTAINERS,
) -> Exposition:
    """The samples of every node grouped by family; a node named None gets no ``node`` label."""
    result = Exposition()
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    for node, metrics in nodes:
        for sample in samples(metrics, node, prefix=prefix, containers=containers):
            identity = (sample.name, tuple(sorted(sample.labels)))
            if identity in seen:
                result.skipped.append(sample)
                continue
            seen.add(identity)
            result.families.setdefault(sample.name, []).append(sample)
    return result


def samples(
    metrics: Any,
    node: Optional[str] = None,
    *,
    prefix: str = PREFIX,
    containers: Mapping[str, str] = CONTAINERS,
) -> list[Sample]:
    """One sample per number of ``metrics``, named and labelled by the module's rule."""
    if not _METRIC_NAME.match(prefix):
        raise ValueError(f"not a valid Prometheus metric name: {prefix!r}")
    found: list[Sample] = []
    for path, value in leaves(metrics):
        number = as_number(value)
        if number is None:
            continue
        name, labels = name_and_labels(path, prefix=prefix, containers=containers)
        if node is not None:
            labels = ((NODE_LABEL, _utf8(node)),) + labels
        found.append(Sample(name, labels, number, path, node))
    return found


def name_and_labels(
    path: tuple[str, ...],
    *,
    prefix: str = PREFIX,
    containers: Mapping[str, str] = CONTAINERS,
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The metric name and labels of one JSON path (``("services", "churn", "requests")``)."""
    parts: list[str] = []
    labels: list[tuple[str, str]] = []
    used = {NODE_LABEL}
    # The previous key's label name when it went into the name, None when it was an id.
    parent: Optional[str] = None
    # Whether the previous key was a container key written in the name.
    under_container = False
    last = len(path) - 1
    for index, key in enumerate(path):
        if under_container or not _NAME_PART.match(key):
            labels.append((_unique(parent or "key", used), _utf8(key)))
            parent, under_container = None, False
            continue
        is_container = index < last and (key in containers or _BY_KEY.match(key) is not None)
        parts.append(containers.get(key, key) if index < last else key)
        parent, under_container = _label_for(key, containers), is_container
    name = "_".join([prefix, *parts])
    return name, tuple(labels)


def _label_for(key: str, containers: Mapping[str, str]) -> str:
    if key in containers:
        return containers[key]
    by_key = _BY_KEY.match(key)
    if by_key:
        key = _snake(by_key.group(1))
    # Label names starting with __ are reserved for Prometheus itself.
    key = key.lstrip("_") or "key"
    # Nor may one start with a digit (`by_2xx`): a parser would refuse the whole exposition.
    return key if _LABEL_NAME.match(key) else f"key_{key}"


def _snake(text: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    return text.lower()


def _unique(label: str, used: set[str]) -> str:
    candidate, suffix = label, 2
    while candidate in used:
        candidate, suffix = f"{label}_{suffix}", suffix + 1
    used.add(candidate)
    return candidate


# Control characters (ESC and its kin) in a label value would drive the terminal the
# exposition is printed on, or be stripped by it in a pipe: written as the text \xHH instead.
_LABEL_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0)) if c != 0x0A}


def _utf8(value: str) -> str:
    # Lone surrogates (json.loads lets "\ud800" through) cannot be written as UTF-8, and
    # controls must not reach a terminal. Both are replaced in the sample's labels, not only
    # when written, so that two keys written alike ("bad?key") are one sample (the first)
    # and never a duplicate line, whatever the output does with them afterwards.
    return value.encode("utf-8", "replace").decode("utf-8").translate(_LABEL_CONTROLS)


def escape_label_value(value: str) -> str:
    """A label value with backslash, double quote and newline escaped; valid UTF-8."""
    value = _utf8(value)
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def format_number(value: Number) -> str:
    """A sample value as the format spells it: ``12``, ``0.5``, ``1e+300``, ``NaN``, ``+Inf``."""
    if isinstance(value, int):
        # Beyond 2**53 the value is a float for Prometheus anyway; keep the line short.
        return str(value) if abs(value) <= 2**53 else repr(float(value))
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)
