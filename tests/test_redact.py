"""Masking and scrubbing of secrets."""

from __future__ import annotations

import base64

from apinode_admin_cli.redact import mask, scrub

KEY = "S3CRET-admin-key-0123456789"


def test_mask_keeps_only_the_last_four_characters_of_long_secrets() -> None:
    assert mask(KEY) == "****6789"
    assert mask("short") == "****"
    assert mask(None) == ""


def test_scrub_removes_the_raw_and_basic_forms() -> None:
    basic = base64.b64encode(f"{KEY}:".encode()).decode()
    text = f"key {KEY} header Basic {basic} again{KEY}"
    scrubbed = scrub(text, [KEY])
    assert KEY not in scrubbed and basic not in scrubbed
    assert scrubbed == "key ****6789 header Basic ****6789 again****6789"


def test_a_short_key_is_scrubbed_where_it_stands_alone_only() -> None:
    assert scrub("check the host k", ["k"]) == "check the host ****"
    assert scrub("key=k;", ["k"]) == "key=****;"


def test_no_secret_no_change() -> None:
    assert scrub("nothing to hide", [None, ""]) == "nothing to hide"
