"""The ``emulator serve`` command: help, option errors, and a light import footprint."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from apinode_admin_cli.cli.emulator import emulator


def test_serve_help_has_examples():
    result = CliRunner().invoke(emulator, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    assert "Examples:" in result.output and "--tls-cert" in result.output


def test_tls_key_without_cert_is_a_usage_error(tmp_path):
    key = tmp_path / "key.pem"
    key.write_text("x")
    result = CliRunner().invoke(emulator, ["serve", "--port", "0", "--tls-key", str(key)])
    assert result.exit_code == 2, result.output
    assert "--tls-key needs --tls-cert" in result.output


def test_module_entry_point_refuses_a_key_without_cert(tmp_path):
    key = tmp_path / "key.pem"
    key.write_text("x")
    args = [sys.executable, "-m", "apinode_admin_cli.emulator", "--port", "0"]
    result = subprocess.run(
        [*args, "--tls-key", str(key)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2, result.stderr
    assert "--tls-key needs --tls-cert" in result.stderr and result.stdout == ""


def test_unloadable_certificate(tmp_path):
    cert = tmp_path / "cert.pem"
    cert.write_text("not a certificate")
    result = CliRunner().invoke(emulator, ["serve", "--port", "0", "--tls-cert", str(cert)])
    assert result.exit_code == 1 and "TLS certificate" in result.output


def test_no_heavy_imports():
    code = (
        "import sys, apinode_admin_cli.cli.emulator, apinode_admin_cli.emulator;"
        "heavy = {'requests', 'rich', 'tabulate', 'urllib3'} & set(sys.modules);"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
