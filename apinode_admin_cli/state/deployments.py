"""Desired state for the API Deployer: ``[deployments.NAME]`` tables, planned and applied.

A table names the published ``service``, the ``infra``, what it serves (``version = "v2"``,
or ``mapping = {v1 = 0.9, v2 = 0.1}``) and ``enabled`` (default true). The plan reads every
deployment first (nothing is written until all of them were read and found consistent);
each deployment's changes then run in order: create, settings (mapping, enabled), update.
A deployment whose settings already match and whose health is HEALTHY sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional

from apinode_admin_cli.errors import ApinodeAdminError, NotFoundError
from apinode_admin_cli.state.model import Shares, describe_mapping, shares_equal

if TYPE_CHECKING:
    from apinode_admin_cli.client.deployer.apideployer import DSSAPIDeployer

DEPLOYMENT_KEYS = ("service", "infra", "version", "mapping", "enabled")


@dataclass(frozen=True)
class DeploymentSpec:
    """One ``[deployments.NAME]`` table, checked."""

    deployment_id: str
    service: str
    infra: str
    mapping: Shares
    enabled: bool = True


def check_deployments(tables: Any, fail: Callable[[str, str], None]) -> list[DeploymentSpec]:
    """The specs of ``deployments``; every problem reported through ``fail(where, what)``."""
    if not isinstance(tables, dict):
        fail("deployments", "must be a table of [deployments.NAME] tables")
        return []
    specs = []
    for name, table in tables.items():
        spec = _check_one(str(name), table, fail)
        if spec is not None:
            specs.append(spec)
    return specs


def _check_one(name: str, table: Any, fail: Callable[[str, str], None]) -> Optional[DeploymentSpec]:
    where = f"deployments.{name}"
    if not isinstance(table, dict):
        fail(where, "must be a table")
        return None
    problems: list[tuple[str, str]] = []

    def bad(key: str, message: str) -> None:
        problems.append((f"{where}.{key}" if key else where, message))

    for key in table:
        if key not in DEPLOYMENT_KEYS:
            bad(key, f"unknown key (expected one of: {', '.join(DEPLOYMENT_KEYS)})")
    for key in ("service", "infra"):
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            bad(key, "required: a non-empty string")
    if not isinstance(table.get("enabled", True), bool):
        bad("enabled", "must be true or false")
    mapping = _mapping(table, bad)
    for place, message in problems:
        fail(place, message)
    if problems or not mapping:
        return None
    return DeploymentSpec(
        name, table["service"], table["infra"], mapping, table.get("enabled", True)
    )


def _mapping(table: dict[str, Any], bad: Callable[[str, str], None]) -> Shares:
    if ("version" in table) == ("mapping" in table):
        bad("", "give exactly one of `version` or `mapping`")
        return ()
    if "version" in table:
        version = table["version"]
        if not isinstance(version, str) or not version.strip():
            bad("version", "must be a non-empty string")
            return ()
        return ((version, 1.0),)
    shares = table["mapping"]
    if not isinstance(shares, dict) or not shares:
        bad("mapping", "must be a table of VERSION = SHARE")
        return ()
    for version, share in shares.items():
        ok = isinstance(share, (int, float)) and not isinstance(share, bool)
        if not ok or not 0 < share <= 1:
            bad(f"mapping.{version}", "must be a share from 0 (excluded) to 1")
            return ()
    if abs(sum(shares.values()) - 1.0) > 1e-6:
        bad("mapping", "the shares must sum to 1")
        return ()
    return tuple((str(v), float(s)) for v, s in shares.items())


@dataclass
class DeploymentChange:
    """One change of one deployment: ``create``, ``settings`` or ``update``."""

    deployment_id: str
    action: str
    text: str
    spec: DeploymentSpec
    status: str = "planned"
    error: Optional[str] = None

    def line(self) -> str:
        sign = "+" if self.action == "create" else "~"
        return f"{sign} deployment {self.deployment_id}: {self.text}"

    def to_json(self) -> dict[str, Any]:
        item = {"deployment": self.deployment_id, "action": self.action, "change": self.text}
        item["status"] = self.status
        if self.error:
            item["error"] = self.error
        return item


def plan_deployments(api: DSSAPIDeployer, specs: list[DeploymentSpec]) -> list[DeploymentChange]:
    """Read every deployment, check what it needs exists, and list the changes (no write)."""
    from apinode_admin_cli.rollout.deployer_target import shares_of

    versions: dict[str, list[str]] = {}
    changes: list[DeploymentChange] = []
    for spec in specs:
        if spec.service not in versions:
            status = api.get_service(spec.service).get_status()
            versions[spec.service] = [str(p.get("id")) for p in status.get_versions()]
        missing = [v for v, _ in spec.mapping if v not in versions[spec.service]]
        if missing:
            raise NotFoundError(
                f"deployments.{spec.deployment_id}: version {missing[0]!r} is not in service "
                f"{spec.service!r} of the deployer; nothing was changed",
                status=404,
            )
        changes += _plan_one(api, spec, shares_of)
    return changes


def _plan_one(api: DSSAPIDeployer, spec: DeploymentSpec, shares_of: Any) -> list[DeploymentChange]:
    wanted = describe_mapping(spec.mapping)
    deployment = api.get_deployment(spec.deployment_id)
    try:
        settings = deployment.get_settings().get_raw()
    except NotFoundError:
        api.get_infra(spec.infra).get_settings()  # a 404 naming the infra, before any write
        made = f"{spec.service} {wanted} on {spec.infra}"
        return [
            DeploymentChange(spec.deployment_id, "create", made, spec),
            DeploymentChange(spec.deployment_id, "update", "update (push to the nodes)", spec),
        ]
    changes = []
    current = shares_of(settings.get("generationsMapping"))
    enabled = settings.get("enabled", True) is not False
    said = []
    if not shares_equal(current, spec.mapping):
        said.append(f"{describe_mapping(current)} -> {wanted}")
    if enabled != spec.enabled:
        said.append("enable" if spec.enabled else "disable")
    if said:
        changes.append(DeploymentChange(spec.deployment_id, "settings", ", ".join(said), spec))
    health = str(deployment.get_status().get_health())
    if said or health != "HEALTHY":
        why = "" if said else f" (health {health})"
        changes.append(
            DeploymentChange(spec.deployment_id, "update", f"update (push to the nodes){why}", spec)
        )
    return changes


def apply_deployments(
    api: DSSAPIDeployer,
    changes: list[DeploymentChange],
    wait_timeout: float,
    report: Callable[[DeploymentChange], None] = lambda change: None,
) -> bool:
    """Run the changes in order; the first failure stops the rest (``not run``). True if all ok."""
    from apinode_admin_cli.rollout.deployer_target import mapping_of

    failed = False
    for change in changes:
        if failed:
            change.status = "not run"
            continue
        spec = change.spec
        try:
            deployment = api.get_deployment(spec.deployment_id)
            if change.action == "create":
                first = spec.mapping[0][0]
                api.create_deployment(spec.deployment_id, spec.service, spec.infra, first)
            if change.action in ("create", "settings"):
                settings = deployment.get_settings()
                settings.get_raw()["generationsMapping"] = mapping_of(spec.mapping)
                settings.set_enabled(spec.enabled)
                settings.save()
            elif change.action == "update":
                _update(deployment, wait_timeout)
            change.status = "done"
        except ApinodeAdminError as exc:
            change.status, change.error, failed = "failed", exc.message, True
        report(change)
    return not failed


def _update(deployment: Any, wait_timeout: float) -> None:
    import time

    from apinode_admin_cli.rollout.deployer_target import DeploymentTarget

    target = DeploymentTarget(deployment, wait_timeout)
    deadline = time.monotonic() + wait_timeout
    target.update(deadline)
    if deployment.get_settings().get_raw().get("enabled", True) is not False:
        target.wait_healthy(deadline)


def export_deployments(api: DSSAPIDeployer) -> dict[str, Any]:
    """``{"deployments": {NAME: {...}}}`` of every deployment of the deployer."""
    from apinode_admin_cli.rollout.deployer_target import shares_of

    tables: dict[str, Any] = {}
    for light in api.list_deployments(as_objects=False):
        info = light.get("deploymentBasicInfo") or {}
        name = info.get("id")
        if not name:
            continue
        settings = api.get_deployment(name).get_settings().get_raw()
        shares = shares_of(settings.get("generationsMapping"))
        table: dict[str, Any] = {
            "service": info.get("publishedServiceId") or settings.get("publishedServiceId"),
            "infra": info.get("infraId") or settings.get("infraId"),
        }
        if len(shares) == 1:
            table["version"] = shares[0][0]
        else:
            table["mapping"] = {g: s for g, s in shares}
        table["enabled"] = settings.get("enabled", True) is not False
        tables[name] = table
    return {"deployments": tables}


__all__ = [
    "DeploymentChange",
    "DeploymentSpec",
    "apply_deployments",
    "check_deployments",
    "export_deployments",
    "plan_deployments",
]
