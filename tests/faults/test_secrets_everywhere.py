"""The admin key stays secret in real processes, in exceptions, and in the config file on disk."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path
from typing import Any, Iterator

import pytest
from support.cli import RunCli, RunProc, free_port

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle, start_emulator
from apinode_admin_cli.errors import ApinodeAdminError

KEY = "Recognisable-Admin-Key-5f3a9c0e7b2d4816WXYZ"


def _spellings(secret: str) -> list[str]:
    basic = [base64.b64encode(text.encode()).decode() for text in (f"{secret}:", secret)]
    return [secret, secret[:-4], *basic, *(b.rstrip("=") for b in basic)]


def assert_hidden(*texts: str) -> None:
    for text in texts:
        for form in _spellings(KEY):
            assert form not in text, f"{form!r} leaked in:\n{text}"


@pytest.fixture
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    with start_emulator(data_dir=tmp_path_factory.mktemp("secret"), admin_key=KEY) as handle:
        yield handle


def test_verbose_real_processes_never_print_the_key(
    run_proc: RunProc, node: EmulatorHandle
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    node.add_fault(method="GET", path="/admin/api/metrics", status=503, retryAfter=0, count=9)
    node.add_fault(method="GET", path="/admin/api/keys", delayMs=1500)
    runs = [
        ((node.uri, "services", "list"), 0),
        ((node.uri, "ping"), 0),
        ((node.uri, "config", "show"), 0),
        ((node.uri, "metrics", "show"), 7),
        ((node.uri, "--timeout", "0.5", "keys", "list"), 7),
        ((node.uri, "services", "delete", "nope", "-y"), 5),
        ((dead, "services", "list"), 7),
        (("http://secret-node.invalid:1", "services", "list", "-o", "json"), 7),
    ]
    for (uri, *args), code in runs:
        proc = run_proc(
            "-v", "--retries", "2", "--uri", uri, *args, env={"APINODE_ADMIN_API_KEY": KEY}
        )
        assert proc.returncode == code, (args, proc.stderr)
        assert_hidden(proc.stdout, proc.stderr)
        if code:
            assert "Traceback" in proc.stderr  # -v shows it, and it is scrubbed too
    debug = run_proc("--uri", node.uri, "services", "list",
                     env={"APINODE_ADMIN_API_KEY": KEY, "APINODE_ADMIN_DEBUG": "1"})  # fmt: skip
    assert "[http] GET" in debug.stderr
    assert_hidden(debug.stdout, debug.stderr)


def test_key_given_in_a_file_or_on_stdin(
    run_proc: RunProc, node: EmulatorHandle, tmp_path: Path
) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o600)
    by_file = run_proc("-v", "--uri", node.uri, "--api-key-file", str(key_file), "keys", "list")
    by_stdin = run_proc("-v", "--uri", node.uri, "--api-key-file", "-", "ping", input=KEY)
    for proc in (by_file, by_stdin):
        assert proc.returncode == 0, proc.stderr
        assert_hidden(proc.stdout, proc.stderr)


def test_unexpected_failure_message_is_scrubbed(
    run_cli: RunCli, node: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(self: Any) -> Any:
        raise RuntimeError(f"bug while holding {KEY} and Basic {_spellings(KEY)[2]}")

    monkeypatch.setattr(APINodeAdminClient, "list_services", explode)
    for extra in ((), ("-v",)):
        result = run_cli(*extra, "--uri", node.uri, "--api-key", KEY, "services", "list")
        assert result.exit_code == 1, result.output
        assert "unexpected failure: RuntimeError" in result.stderr
        assert_hidden(result.stdout, result.stderr)


def test_library_exceptions_hold_no_key(node: EmulatorHandle) -> None:
    basic = _spellings(KEY)[2]
    body = {"message": f"bad key {KEY}", "detailedMessage": f"Authorization: Basic {basic}"}
    node.add_fault(method="GET", path="/admin/api/services", status=400, body=body)
    node.add_fault(method="GET", path="/admin/api/metrics", status=503, body=f"<p>{KEY}</p>")
    client = APINodeAdminClient(node.uri, KEY, retries=1)
    wrong = APINodeAdminClient(node.uri, KEY[::-1], retries=1)
    dead = APINodeAdminClient(f"http://127.0.0.1:{free_port()}/", KEY, retries=1)
    calls = [client.list_services, client.get_metrics, wrong.list_services, dead.list_services]
    for call in calls:
        with pytest.raises(ApinodeAdminError) as info:
            call()
        exc = info.value
        texts = [str(exc), repr(exc), str(exc.args), str(exc.to_json()), str(exc.hint)]
        texts.append(str(getattr(exc, "detailed_message", "")))
        assert_hidden(*texts)
    assert_hidden(repr(client), repr(wrong), repr(dead))


# -- the config file --------------------------------------------------------------------------


@pytest.fixture
def config_path(config_home: Path) -> Path:
    return config_home / "apinode-admin" / "config.toml"


def test_config_set_writes_0600_from_the_first_byte(
    run_cli: RunCli, config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, int, bytes]] = []
    real_replace = os.replace

    def spy(src: Any, dst: Any) -> None:
        # Just before the rename: the temp file already holds everything, privately.
        seen.append(
            (os.path.basename(src), stat.S_IMODE(os.stat(src).st_mode), Path(src).read_bytes())
        )
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    old_umask = os.umask(0)
    try:
        result = run_cli("config", "set", "api_key", KEY)
        again = run_cli("config", "set", "uri", "http://127.0.0.1:12000")
    finally:
        os.umask(old_umask)
    assert result.exit_code == 0 and again.exit_code == 0, result.output + again.output
    assert_hidden(result.stdout, result.stderr)
    assert [mode for _, mode, _ in seen] == [0o600, 0o600]
    assert all(name.startswith(".config.toml.") for name, _, _ in seen)
    assert KEY.encode() in seen[0][2]
    assert stat.S_IMODE(config_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(config_path.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in config_path.parent.iterdir()) == ["config.toml"]


def test_config_set_is_atomic_when_the_rename_fails(
    run_cli: RunCli, config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_cli("config", "set", "api_key", KEY).exit_code == 0
    before = config_path.read_bytes()

    def fail(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    result = run_cli("config", "set", "uri", "http://127.0.0.1:12000")
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("Error: cannot write config file")
    assert "No space left on device" in result.stderr
    assert config_path.read_bytes() == before
    assert sorted(p.name for p in config_path.parent.iterdir()) == ["config.toml"]


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_readable_config_holding_a_key_warns(
    run_cli: RunCli, node: EmulatorHandle, config_path: Path, mode: int
) -> None:
    assert run_cli("config", "set", "api_key", KEY).exit_code == 0
    assert run_cli("config", "set", "uri", node.uri).exit_code == 0
    config_path.chmod(mode)
    result = run_cli("services", "list")
    assert result.exit_code == 0, result.output
    assert f"mode {mode:04o}" in result.stderr and "chmod 600" in result.stderr
    assert_hidden(result.stdout, result.stderr)
    config_path.chmod(0o600)
    assert "Warning" not in run_cli("services", "list").stderr


def test_a_readable_key_file_warns(run_cli: RunCli, node: EmulatorHandle, tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(KEY)
    key_file.chmod(0o644)
    result = run_cli("--uri", node.uri, "--api-key-file", str(key_file), "services", "list")
    assert result.exit_code == 0, result.output
    assert "API key file" in result.stderr and "chmod 600" in result.stderr
    assert_hidden(result.stdout, result.stderr)


def test_a_readable_config_without_a_key_is_fine(
    run_cli: RunCli, node: EmulatorHandle, config_path: Path
) -> None:
    assert run_cli("config", "set", "uri", node.uri).exit_code == 0
    config_path.chmod(0o644)
    result = run_cli("--api-key", KEY, "services", "list")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
