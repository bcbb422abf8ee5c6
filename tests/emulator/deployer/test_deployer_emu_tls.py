"""TLS both ways: the deployer served over HTTPS, and nodes behind certificates it may not trust."""

from __future__ import annotations

import ssl

import dataikuapi
import pytest
from support.deployer_emulator import package

from apinode_admin_cli.emulator import start_emulator
from apinode_admin_cli.emulator.deployer import start_deployer

trustme = pytest.importorskip("trustme")


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


def server_context(ca):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


def test_the_official_client_talks_to_an_https_deployer(ca, tmp_path):
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with start_deployer(data_dir=tmp_path / "d", ssl_context=server_context(ca)) as deployer:
        assert deployer.uri.startswith("https://")
        client = dataikuapi.DSSClient(deployer.uri, deployer.api_key)
        client._session.verify = str(bundle)
        assert client.get_apideployer().list_stages()[0]["id"] == "Development"


def test_a_node_whose_certificate_is_not_trusted_fails_until_the_infra_trusts_all(
    ca, tmp_path, deployer
):
    api = dataikuapi.DSSClient(deployer.uri, deployer.api_key).get_apideployer()
    with start_emulator(data_dir=tmp_path / "n", ssl_context=server_context(ca)) as node:
        api.create_service("tls").import_version(package("t1"))
        infra = api.create_infra("tls-infra", "Test", "STATIC")
        settings = infra.get_settings()
        settings.add_apinode(node.uri, node.admin_key)
        settings.save()
        deployment = api.create_deployment("tls-on-infra", "tls", "tls-infra", "t1")
        result = deployment.start_update().wait_for_result()
        assert result["status"] == "FAILED" and "CERTIFICATE" in result["failedNodes"][0]["message"]
        settings = infra.get_settings()
        settings.get_raw()["trustAllCertificates"] = True
        settings.save()
        assert deployment.start_update().wait_for_result()["status"] == "SUCCESS"
        assert deployment.get_status().get_health() == "HEALTHY"
        deployment.delete(disable_first=True)
