"""The ``emulator serve`` command: help, option errors, the start line, a light import footprint."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest
import requests
from support.cli import check

MODULE = [sys.executable, "-m", "apinode_admin_cli.emulator"]
SERVE = [sys.executable, "-m", "apinode_admin_cli", "emulator", "serve"]


def test_serve_help_has_examples(run_cli):
    result = run_cli("emulator", "serve", "--help")
    check(result)
    assert "Examples:" in result.stdout and "--tls-cert" in result.stdout


def test_tls_key_without_cert_is_a_usage_error(run_cli, tmp_path):
    key = tmp_path / "key.pem"
    key.write_text("x")
    result = run_cli("emulator", "serve", "--port", "0", "--tls-key", str(key))
    check(result, 2)
    assert "--tls-key needs --tls-cert" in result.stderr


def test_module_entry_point_refuses_a_key_without_cert(tmp_path):
    key = tmp_path / "key.pem"
    key.write_text("x")
    result = subprocess.run(
        [*MODULE, "--port", "0", "--tls-key", str(key)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2, result.stderr
    assert "--tls-key needs --tls-cert" in result.stderr and result.stdout == ""


def test_unloadable_certificate(run_cli, tmp_path):
    cert = tmp_path / "cert.pem"
    cert.write_text("not a certificate")
    result = run_cli("emulator", "serve", "--port", "0", "--tls-cert", str(cert))
    check(result, 1)
    assert "TLS certificate" in result.stderr


BAD_OPTIONS = [
    (("--port", "99999"), "--port"),
    (("--port", "-1"), "--port"),
    (("--port", "12x"), "--port"),
    (("--latency", "-5"), "--latency"),
    (("--latency", "inf"), "--latency"),
    (("--latency", "1e9"), "--latency"),
    (("--host", "no-such-host.invalid"), "--host"),
    (("--host", ""), "--host"),
    (("--host", "192.0.2.1"), "not an address of this machine"),  # TEST-NET: never local
]


@pytest.mark.parametrize("args, words", BAD_OPTIONS)
def test_bad_options_are_one_line_usage_errors(run_cli, args, words):
    result = run_cli("emulator", "serve", *args)
    check(result, 2)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: invalid ") and words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args, words", BAD_OPTIONS[::3])
def test_module_entry_point_refuses_the_same(args, words):
    result = subprocess.run([*MODULE, *args], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr


def test_start_emulator_refuses_them_too():
    from apinode_admin_cli.emulator import start_emulator

    for kwargs in (
        {"port": 70000},
        {"latency_ms": -5},
        {"latency_ms": 10**400},
        {"host": "no-such-host.invalid"},
    ):
        with pytest.raises(ValueError, match="invalid"):
            start_emulator(**kwargs)


def _start(args, tmp_path):
    env = dict(os.environ, PYTHONUNBUFFERED="1", APINODE_EMULATOR_ADMIN_KEY="serve-key")
    proc = subprocess.Popen(
        [*SERVE, "--port", "0", "--data-dir", str(tmp_path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    return proc, proc.stdout.readline()


@pytest.mark.parametrize("host, local", [("0.0.0.0", "127.0.0.1"), ("::", "[::1]")])
def test_all_interfaces_prints_the_address_clients_use(tmp_path, host, local):
    if host == "::" and not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    proc, line = _start(["--host", host], tmp_path)
    try:
        if host == "::" and not line:
            pytest.skip("IPv6 cannot be bound here")
        assert line.startswith(f"Emulator listening on http://{local}:"), line
        assert "all interfaces" in line and socket.gethostname() in line
        uri = line.split()[3]
        assert requests.get(uri + "/isAlive", timeout=10).json()["alive"] is True
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)
    assert proc.returncode == 0


def test_no_heavy_imports():
    code = (
        "import sys, apinode_admin_cli.cli.emulator, apinode_admin_cli.emulator;"
        "heavy = {'requests', 'rich', 'tabulate', 'urllib3'} & set(sys.modules);"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
