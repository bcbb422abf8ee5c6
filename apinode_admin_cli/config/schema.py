"""Every setting, declared once: name, type, default, flag, environment variable and help.

Everything else is derived from :data:`SETTINGS`: the global options of the command line
(``cli/common/options.py``), resolution with sources (``resolve.py``), value checks for the command
line, the environment, the config file and ``config set`` (``values.py``), masking in
``config show``, the client's transport options (``connect.py``) and the reference docs.
Adding a setting is adding one :class:`Setting` line below.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

from apinode_admin_cli.config.setting import ENV_PREFIX, Setting

OUTPUT_FORMATS = ("table", "plain", "tsv", "json")
# The largest --parallel accepted; at run time the open-file limit may allow fewer.
MAX_PARALLEL_FLAG = 1024

# Kinds of value: how text becomes the value (values.py), and the TOML type a file must use.
KINDS = ("text", "secret", "path", "uri", "dss_uri", "bool", "seconds", "count", "choice")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "uri",
        "API node base URL, e.g. http://host:12000.",
        kind="uri",
        metavar="URL",
        doc="node base URL, e.g. `http://host:12000` (the tool appends `/admin/api`)",
    ),
    Setting(
        "api_key",
        "Admin API key (prefer --api-key-file).",
        kind="secret",
        metavar="KEY",
        doc="admin API key (prefer the key file: it stays out of `ps` and history)",
    ),
    Setting(
        "api_key_file",
        "Read the admin key from a file (- = stdin).",
        kind="path",
        metavar="PATH",
        doc="file holding the admin API key; `-` reads it from stdin",
    ),
    # On the node itself: the URI and the key Dataiku's own tool would use (config/local.py).
    Setting(
        "data_dir",
        "The node's data dir: local URI and CLI key when not given.",
        kind="path",
        metavar="DIR",
        doc=(
            "the node's data dir (`DKU_LAMBDA_HOME` or the program's `DATA_DIR/bin/` path "
            "otherwise): gives `http://127.0.0.1:PORT` and the data dir's CLI key when no "
            "URI or key is given; where `drain` writes (docs/compat.md)"
        ),
    ),
    # The API Deployer's DSS: its own URL and key, with every rule of the admin key.
    Setting(
        "dss_uri",
        "DSS base URL for `deployer` commands, e.g. https://dss:11200.",
        kind="dss_uri",
        metavar="URL",
        doc="base URL of the DSS that runs the API Deployer, for `deployer` commands",
    ),
    Setting(
        "dss_api_key",
        "DSS API key for `deployer` commands (prefer --dss-api-key-file).",
        kind="secret",
        metavar="KEY",
        doc="DSS API key allowed to deploy (prefer the key file)",
    ),
    Setting(
        "dss_api_key_file",
        "Read the DSS API key from a file (- = stdin).",
        kind="path",
        metavar="PATH",
        doc="file holding the DSS API key; `-` reads it from stdin",
    ),
    Setting(
        "profile",
        "Config profile to use.",
        metavar="NAME",
        in_profile=False,
        doc="which `[profiles.NAME]` table to use (default `default`)",
        complete="profiles",
    ),
    Setting(
        "config",
        "Config file to read.",
        kind="path",
        metavar="PATH",
        in_profile=False,
        doc=(
            "config file (default `$XDG_CONFIG_HOME/apinode-admin/config.toml`, "
            "else `~/.config/apinode-admin/config.toml`)"
        ),
    ),
    Setting(
        "fleet",
        "Run on every node of this fleet of the config file.",
        metavar="NAME",
        in_profile=False,
        doc=(
            "run the command on every node of `[fleets.NAME]` (each with its own profile); "
            "no default: fanning out is always asked for"
        ),
        complete="fleets",
    ),
    Setting(
        "parallel",
        "With --fleet: nodes run at once (default: all, at most 256; 1: rolling).",
        kind="count",
        metavar="N",
        in_profile=False,
        maximum=MAX_PARALLEL_FLAG,
        doc=(
            "with a fleet, how many nodes run at once (default all, at most 256; 1: one by one); "
            "never more than the open-file limit allows"
        ),
    ),
    Setting(
        "no_check_certificate",
        "Skip TLS certificate verification (warns every time).",
        kind="bool",
        default=False,
        transport="no_check_certificate",
        doc="skip TLS verification (warns on stderr every time, even with `-q`)",
    ),
    Setting(
        "ca_bundle",
        "CA bundle to verify the node's certificate.",
        kind="path",
        metavar="PATH",
        transport="ca_bundle",
        doc="CA bundle for TLS",
    ),
    Setting(
        "client_cert",
        "Client certificate for mutual TLS.",
        kind="path",
        metavar="PATH",
        transport="client_certificate",
        doc="client certificate for mutual TLS",
    ),
    Setting(
        "client_key",
        "Client certificate key for mutual TLS.",
        kind="path",
        metavar="PATH",
        transport="client_certificate",
        doc="key of the client certificate for mutual TLS",
    ),
    Setting(
        "timeout",
        "Seconds each attempt may take, answer included (connect: 10 s).",
        kind="seconds",
        default=60.0,
        metavar="SECONDS",
        transport="timeout",
        doc=(
            "seconds each attempt may take, from connecting to the last byte of the answer; "
            "default 60, at most 86400 (connecting: at most 10 s)"
        ),
    ),
    Setting(
        "retries",
        "Attempts for retryable failures (default 3).",
        kind="count",
        default=3,
        metavar="N",
        transport="retries",
        doc="attempts for retryable failures, default 3, at most 100",
    ),
    # Given per command with -o/--output (cli/common/options.py output_options), not as a global.
    Setting(
        "output",
        "Output format: table, plain, tsv or json.",
        kind="choice",
        choices=OUTPUT_FORMATS,
        metavar="FORMAT",
        flag=False,
        short="-o",
        doc="default output format: `table`, `plain`, `tsv` or `json`",
    ),
    # Given to the user-API commands with --service-key: the key of a service, if it has one.
    Setting(
        "service_key",
        "The service's API key, if it has one.",
        kind="secret",
        metavar="KEY",
        flag=False,
        in_profile=False,
        doc="API key of a service's user API, for the user-API commands",
    ),
    # A service secured with JWT/OAuth2 takes a bearer token instead of a key.
    Setting(
        "bearer_token",
        "A bearer token (JWT) for the service's user API.",
        kind="secret",
        metavar="TOKEN",
        flag=False,
        in_profile=False,
        doc="bearer token (JWT, OAuth2) of a service's user API; a service key wins over it",
    ),
    Setting(
        "verbose",
        "Log every HTTP exchange to stderr.",
        kind="bool",
        short="-v",
        env_name="APINODE_ADMIN_DEBUG",
        in_profile=False,
        doc="log every HTTP exchange to stderr, secrets masked (`APINODE_ADMIN_DEBUG=1`)",
    ),
    Setting(
        "quiet",
        "Silence progress, hints and warnings.",
        kind="bool",
        short="-q",
        env_name=None,
        in_profile=False,
        doc="silence progress, hints and warnings",
    ),
    Setting(
        "no_color",
        "No ANSI colour anywhere.",
        kind="bool",
        env_name="NO_COLOR",
        env_presence=True,
        in_profile=False,
        doc="no ANSI colour (`NO_COLOR` with any value, even empty)",
    ),
)

BY_NAME: Mapping[str, Setting] = MappingProxyType({s.name: s for s in SETTINGS})
# What makes a node this node: with a fleet, each node takes them from its own profile only.
NODE_IDENTITY = ("profile", "uri", "api_key", "api_key_file", "data_dir")
# Each key and the file holding it compete as one setting (resolve.py).
KEY_FILES = {"api_key": "api_key_file", "dss_api_key": "dss_api_key_file"}
# Path settings that name a directory, not a file (`config set` checks which).
DIRECTORIES = frozenset({"data_dir"})
# What a [profiles.NAME] table may hold, in declaration order.
PROFILE_KEYS = tuple(s.name for s in SETTINGS if s.in_profile)
DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {s.name: s.default for s in SETTINGS if s.default is not None}
)


def setting(name: str) -> Setting:
    """The declaration of ``name``; KeyError for an unknown one."""
    return BY_NAME[name]


__all__ = [
    "BY_NAME",
    "DEFAULTS",
    "DIRECTORIES",
    "ENV_PREFIX",
    "KEY_FILES",
    "KINDS",
    "NODE_IDENTITY",
    "OUTPUT_FORMATS",
    "PROFILE_KEYS",
    "SETTINGS",
    "Setting",
    "setting",
]
