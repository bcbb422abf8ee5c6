"""``metrics show``, ``code-envs`` and ``model-cache`` against the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
import requests
from support.cli import RunCli, check


def tsv_rows(stdout: str) -> dict[str, str]:
    rows = [line.split("\t") for line in stdout.splitlines()]
    assert all(len(row) == 2 for row in rows), stdout
    return dict(rows)  # type: ignore[arg-type]


@pytest.fixture
def served(node_cli: RunCli, emulator: Any, make_archive: Callable[..., Path]) -> str:
    """Service ``churn`` serving v1, which answered two predictions."""
    check(node_cli("services", "create", "churn"))
    check(node_cli("generations", "import", "churn", str(make_archive("v1")), "--activate"))
    for value in (1, 2):
        answer = requests.post(
            f"{emulator.uri}/public/api/v1/churn/predict/predict",
            json={"features": {"x": value}},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
    return "churn"


# -- metrics ----------------------------------------------------------------------------------


def test_metrics_show_flattens_nested_keys(node_cli: RunCli, served: str) -> None:
    result = node_cli("metrics", "show", "-o", "tsv")
    check(result)
    rows = tsv_rows(result.stdout)
    assert rows.pop("METRIC") == "VALUE"
    assert rows["emulated"] == "true"
    assert int(rows["admin.requests"]) > 0
    assert int(rows["admin.byMethod.POST"]) >= 2
    prefix = "services.churn.endpoints.predict"
    assert rows[f"{prefix}.requests"] == "2"
    assert rows[f"{prefix}.records"] == "2"
    assert rows[f"{prefix}.generations.v1"] == "2"
    assert float(rows[f"{prefix}.latencyMs.mean"]) >= 0
    assert not any(value.startswith("{") for value in rows.values())
    assert result.stderr == ""


def test_metrics_show_plain(node_cli: RunCli, served: str) -> None:
    result = node_cli("metrics", "show")
    check(result)
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["METRIC", "VALUE"]
    names = [row.split()[0] for row in rows]
    assert "services.churn.endpoints.predict.records" in names
    assert "admin" not in names and "services" not in names


def test_metrics_show_json_is_the_node_object(node_cli: RunCli, served: str, emulator: Any) -> None:
    result = node_cli("metrics", "show", "-o", "json")
    check(result)
    shown = json.loads(result.stdout)
    direct = requests.get(
        f"{emulator.uri}/admin/api/metrics", auth=(emulator.admin_key, ""), timeout=10
    ).json()
    # Only the admin counters moved in between (the direct GET counts itself).
    assert {k: v for k, v in shown.items() if k != "admin"} == {
        k: v for k, v in direct.items() if k != "admin"
    }
    assert list(shown) == list(direct)
    assert shown["admin"]["requests"] < direct["admin"]["requests"]


# -- code-envs --------------------------------------------------------------------------------


@pytest.fixture
def env_dirs(tmp_path: Path) -> dict[str, Path]:
    made = {}
    for name in ("py39", "unused", "built"):
        made[name] = tmp_path / "envs" / name
        made[name].mkdir(parents=True)
    return made


def test_code_envs_import(node_cli: RunCli, env_dirs: dict[str, Path]) -> None:
    result = node_cli("code-envs", "import", str(env_dirs["py39"]), "--language", "python")
    check(result)
    rows = tsv_rows(
        node_cli(
            "code-envs",
            "import",
            str(env_dirs["py39"]),
            "--language",
            "python",
            "-o",
            "tsv",
            "--no-headers",
        ).stdout
    )
    assert rows["codeEnv.name"] == "py39"
    assert rows["codeEnv.kind"] == "imported"
    assert rows["codeEnv.fileDir"] == str(env_dirs["py39"])
    assert rows["replaced"] == "true"  # the second import replaced the first
    header = result.stdout.splitlines()[0]
    assert header.split() == ["KEY", "VALUE"]


def test_code_envs_import_json(node_cli: RunCli, env_dirs: dict[str, Path]) -> None:
    result = node_cli("code-envs", "import", str(env_dirs["py39"]), "--language", "R", "--json")
    check(result)
    answer = json.loads(result.stdout)
    assert answer["ok"] is True and answer["replaced"] is False
    assert answer["codeEnv"]["language"] == "R"
    assert answer["codeEnv"]["builtEnvDir"] is None


def test_code_envs_register(node_cli: RunCli, env_dirs: dict[str, Path]) -> None:
    result = node_cli(
        "code-envs",
        "register",
        str(env_dirs["py39"]),
        str(env_dirs["built"]),
        "--language",
        "python",
        "-o",
        "json",
    )
    check(result)
    env = json.loads(result.stdout)["codeEnv"]
    assert env["kind"] == "registered"
    assert env["builtEnvDir"] == str(env_dirs["built"])


@pytest.mark.parametrize(
    "args",
    [("--language", "java"), ()],
    ids=["bad-language", "no-language"],
)
def test_code_envs_import_usage_errors_exit_2(
    node_cli: RunCli, env_dirs: dict[str, Path], emulator: Any, args: tuple[str, ...]
) -> None:
    result = node_cli("code-envs", "import", str(env_dirs["py39"]), *args)
    check(result, 2)
    assert result.stdout == ""
    assert "--language" in result.stderr
    assert emulator.received == []


def test_code_envs_import_missing_dir_exits_2(
    node_cli: RunCli, tmp_path: Path, emulator: Any
) -> None:
    result = node_cli("code-envs", "import", str(tmp_path / "nope"), "--language", "python")
    check(result, 2)
    assert "does not exist" in result.stderr
    assert emulator.received == []


def test_code_envs_clean_keeps_used_envs(
    node_cli: RunCli, env_dirs: dict[str, Path], make_archive: Callable[..., Path]
) -> None:
    for name in ("py39", "unused"):
        check(node_cli("code-envs", "import", str(env_dirs[name]), "--language", "python"))
    check(node_cli("services", "create", "churn"))
    archive = make_archive("v1", code_envs=("py39",))
    check(node_cli("generations", "import", "churn", str(archive), "--activate"))

    refused = node_cli("code-envs", "clean")
    check(refused, 2)
    assert "--yes" in refused.stderr

    result = node_cli("code-envs", "clean", "-y", "-o", "json")
    check(result)
    answer = json.loads(result.stdout)
    assert answer["deletedCodeEnvs"] == [{"name": "unused", "language": "python"}]
    assert answer["keptCodeEnvs"] == [{"name": "py39", "language": "python"}]
    again = node_cli("code-envs", "clean", "--yes", "-o", "json")
    check(again)
    assert json.loads(again.stdout)["deletedCodeEnvs"] == []


# -- model-cache ------------------------------------------------------------------------------


def test_model_cache_import_and_clear(node_cli: RunCli, tmp_path: Path, emulator: Any) -> None:
    model = tmp_path / "llm-small.zip"
    model.write_bytes(b"0123456789")
    result = node_cli("model-cache", "import", str(model))
    check(result)
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()}
    assert rows["KEY"] == ["VALUE"]
    assert rows["model.name"] == ["llm-small.zip"]
    assert rows["model.sizeBytes"] == ["10"]

    emulator.clear_received()
    refused = node_cli("model-cache", "clear")
    check(refused, 2)
    assert refused.stdout == "" and "--yes" in refused.stderr
    assert emulator.received == []

    cleared = node_cli("model-cache", "clear", "-y")
    check(cleared)
    assert cleared.stdout == ""
    assert "Model cache cleared." in cleared.stderr
    again = node_cli("model-cache", "clear", "-y", "-o", "json")
    check(again)
    assert json.loads(again.stdout) == {"ok": True, "deletedModels": 0}


def test_model_cache_clear_json_counts(node_cli: RunCli, tmp_path: Path) -> None:
    for name in ("a.zip", "b.zip"):
        (tmp_path / name).write_bytes(b"x")
        result = node_cli("model-cache", "import", str(tmp_path / name), "-o", "json")
        check(result)
        assert json.loads(result.stdout)["model"]["name"] == name
    result = node_cli("model-cache", "clear", "-y", "-o", "json")
    check(result)
    assert json.loads(result.stdout) == {"ok": True, "deletedModels": 2}


def test_model_cache_import_missing_file_exits_2(
    node_cli: RunCli, tmp_path: Path, emulator: Any
) -> None:
    result = node_cli("model-cache", "import", str(tmp_path / "missing.zip"))
    check(result, 2)
    assert result.stdout == ""
    assert emulator.received == []
