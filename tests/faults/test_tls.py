"""TLS from the command line against an HTTPS emulator with certificates made in the test."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any, Iterator

import pytest
from support.cli import RunCli, RunProc
from support.faults import assert_clean_failure

from apinode_admin_cli.emulator import start_emulator
from apinode_admin_cli.errors import TLSFailure

trustme = pytest.importorskip("trustme")

INSECURE = "Warning: TLS certificate verification is disabled (--no-check-certificate)."


@pytest.fixture(scope="module")
def ca() -> Any:
    return trustme.CA()


@pytest.fixture
def bundle(ca: Any, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def _server_context(ca: Any, *, client_certs: bool = False) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    if client_certs:
        context.verify_mode = ssl.CERT_REQUIRED
        ca.configure_trust(context)
    return context


@pytest.fixture
def https_node(ca: Any, tmp_path: Path) -> Iterator[Any]:
    with start_emulator(data_dir=tmp_path / "https", ssl_context=_server_context(ca)) as node:
        yield node


@pytest.fixture
def mtls_node(ca: Any, tmp_path: Path) -> Iterator[Any]:
    context = _server_context(ca, client_certs=True)
    with start_emulator(data_dir=tmp_path / "mtls", ssl_context=context) as node:
        yield node


def _args(node: Any, *args: str) -> list[str]:
    return ["--uri", node.uri, "--api-key", node.admin_key, "--retries", "1", *args]


def test_unknown_authority_fails_with_both_hints(run_cli: RunCli, https_node: Any) -> None:
    result = run_cli(*_args(https_node, "services", "list"))
    assert result.exit_code == 7, result.output
    assert result.stdout == ""
    assert_clean_failure(result.stderr)
    assert result.stderr.startswith("Error: TLS with 127.0.0.1:")
    assert "certificate verify failed" in result.stderr
    hint = result.stderr.splitlines()[1]
    assert "--ca-bundle" in hint and "--no-check-certificate" in hint
    assert https_node.received == []


def test_ca_bundle_flag(run_cli: RunCli, https_node: Any, bundle: str) -> None:
    result = run_cli(*_args(https_node, "--ca-bundle", bundle, "services", "list", "-o", "json"))
    assert result.exit_code == 0, result.output
    assert result.stdout == "[]\n" and result.stderr == ""


@pytest.mark.parametrize("variable", ["APINODE_ADMIN_CA_BUNDLE", "REQUESTS_CA_BUNDLE"])
def test_ca_bundle_from_the_environment(
    run_cli: RunCli, https_node: Any, bundle: str, variable: str
) -> None:
    result = run_cli(*_args(https_node, "services", "list"), env={variable: bundle})
    assert result.exit_code == 0, result.output


def test_ca_bundle_from_the_config_file(run_cli: RunCli, https_node: Any, bundle: str) -> None:
    assert run_cli("config", "set", "ca_bundle", bundle).exit_code == 0
    assert run_cli(*_args(https_node, "services", "list")).exit_code == 0


def test_missing_ca_bundle_is_a_config_error(
    run_cli: RunCli, https_node: Any, tmp_path: Path
) -> None:
    result = run_cli(
        *_args(https_node, "--ca-bundle", str(tmp_path / "no.pem"), "services", "list")
    )
    assert result.exit_code == 3, result.output
    assert "CA bundle not found" in result.stderr and "--ca-bundle" in result.stderr


def test_no_check_certificate_works_and_warns_every_time(
    run_proc: RunProc, https_node: Any
) -> None:
    for extra in ([], ["-q"], ["-o", "json"]):
        args = _args(https_node, "--no-check-certificate", "services", "list", *extra)
        proc = run_proc(*args)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.splitlines() == [INSECURE]
        assert "InsecureRequestWarning" not in proc.stderr


def test_no_check_certificate_from_the_environment(run_proc: RunProc, https_node: Any) -> None:
    env = {"APINODE_ADMIN_NO_CHECK_CERTIFICATE": "1"}
    proc = run_proc(*_args(https_node, "services", "list", "-o", "json"), env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "[]\n"
    assert proc.stderr.splitlines() == [INSECURE]


def test_https_uri_on_a_plain_http_node(run_cli: RunCli, emulator: Any) -> None:
    uri = emulator.uri.replace("http://", "https://")
    result = run_cli("--uri", uri, "--api-key", "secret-key", "--retries", "1", "services", "list")
    assert result.exit_code == 7, result.output
    assert_clean_failure(result.stderr)
    assert "http://" in result.stderr


def test_http_uri_on_an_https_node_suggests_https_not_a_proxy(
    run_cli: RunCli, https_node: Any
) -> None:
    """Issue 22, smaller things: the hint blamed a proxy or load balancer only."""
    uri = https_node.uri.replace("https://", "http://")
    result = run_cli("--uri", uri, "--api-key", "secret-key", "--retries", "1", "services", "list")
    assert result.exit_code == 7, result.output
    assert_clean_failure(result.stderr)
    assert "the node may be serving HTTPS: try an https:// URI" in result.stderr


@pytest.fixture
def client_pems(ca: Any, tmp_path: Path) -> tuple[str, str, str]:
    issued = ca.issue_cert("deploy-bot@example.org")
    cert, key, both = tmp_path / "client.pem", tmp_path / "client.key", tmp_path / "both.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    issued.private_key_and_cert_chain_pem.write_to_path(str(both))
    return str(cert), str(key), str(both)


def test_client_certificate_required_but_missing(
    run_cli: RunCli, mtls_node: Any, bundle: str
) -> None:
    result = run_cli(*_args(mtls_node, "--ca-bundle", bundle, "services", "list"))
    assert result.exit_code == 7, result.output
    assert result.stdout == ""
    assert_clean_failure(result.stderr)
    # The node sends its "certificate required" alert or, racing it, just hangs up.
    assert "--client-cert and --client-key" in result.stderr.splitlines()[1]


def test_a_missing_client_certificate_is_named_however_the_node_hangs_up(
    mtls_node: Any, bundle: str
) -> None:
    # The node refuses with an alert and closes the connection, sometimes before the request
    # is all written (a broken pipe): what it said is read all the same, every time.
    from apinode_admin_cli.client.transport import Transport

    hints: list[str] = []
    for _ in range(40):
        transport = Transport(mtls_node.uri, mtls_node.admin_key, verify=bundle, retries=1)
        try:
            with pytest.raises(TLSFailure) as caught:
                transport.request("GET", ["admin", "api", "services"])
        finally:
            transport.close()
        hints.append(caught.value.hint or "")
    # The alert itself, or a hang-up during the handshake: both name the missing certificate.
    assert all("--client-cert and --client-key" in hint for hint in hints), set(hints)


def test_client_certificate_and_key(
    run_cli: RunCli, mtls_node: Any, bundle: str, client_pems: tuple[str, str, str]
) -> None:
    cert, key, _ = client_pems
    args = ["--ca-bundle", bundle, "--client-cert", cert, "--client-key", key]
    result = run_cli(*_args(mtls_node, *args, "services", "list", "-o", "json"))
    assert result.exit_code == 0, result.output
    assert result.stdout == "[]\n"


def test_client_certificate_from_env_in_one_file(
    run_cli: RunCli, mtls_node: Any, bundle: str, client_pems: tuple[str, str, str]
) -> None:
    env = {"APINODE_ADMIN_CLIENT_CERT": client_pems[2], "APINODE_ADMIN_CA_BUNDLE": bundle}
    result = run_cli(*_args(mtls_node, "services", "create", "mtls"), env=env)
    assert result.exit_code == 0, result.output


def test_client_certificate_from_an_untrusted_authority(
    run_cli: RunCli, mtls_node: Any, bundle: str, tmp_path: Path
) -> None:
    stranger = trustme.CA().issue_cert("intruder@example.org")
    pem = tmp_path / "stranger.pem"
    stranger.private_key_and_cert_chain_pem.write_to_path(str(pem))
    result = run_cli(*_args(mtls_node, "--ca-bundle", bundle, "--client-cert", str(pem), "ping"))
    assert result.exit_code == 7, result.output
    assert_clean_failure(result.stderr)
    assert "client certificate" in result.stderr.splitlines()[1]


def test_missing_client_certificate_file(run_cli: RunCli, mtls_node: Any, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.pem")
    result = run_cli(*_args(mtls_node, "--client-cert", missing, "services", "list"))
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith(f"Error: client certificate file not found: {missing}")
