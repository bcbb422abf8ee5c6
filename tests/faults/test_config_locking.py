"""Writers of the config file, in parallel processes, lose nothing; a symlinked file stays one."""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator

import pytest
from support.cli import clean_env, cli_command

from apinode_admin_cli.config import load_config

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the lock is POSIX-only")

WRITERS = 20


def _run_together(commands: list[list[str]], env: dict[str, str]) -> None:
    """Start every command before waiting for any: real processes racing on one file."""
    procs = [
        subprocess.Popen(
            cli_command(*args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for args in commands
    ]
    for proc, args in zip(procs, commands):
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, (args, err.decode())


def _profiles(path: Path) -> dict[str, dict[str, object]]:
    return dict(load_config(path).get("profiles", {}))


@pytest.fixture
def env(config_home: Path) -> dict[str, str]:
    return clean_env(config_home)


def test_parallel_config_set_keeps_every_update(env: dict[str, str], config_home: Path) -> None:
    path = config_home / "apinode-admin" / "config.toml"
    _run_together(
        [
            ["--profile", f"p{n:02d}", "config", "set", "uri", f"http://node-{n}:12000"]
            for n in range(WRITERS)
        ],
        env,
    )
    assert _profiles(path) == {
        f"p{n:02d}": {"uri": f"http://node-{n}:12000"} for n in range(WRITERS)
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.toml"]  # no leftovers


def test_every_kind_of_writer_takes_the_lock(env: dict[str, str], config_home: Path) -> None:
    path = config_home / "apinode-admin" / "config.toml"
    seed = [["--profile", f"p{n:02d}", "config", "set", "timeout", "5"] for n in range(WRITERS)]
    _run_together(seed, env)
    mixed: list[list[str]] = []
    for n in range(WRITERS):
        profile = ["--profile", f"p{n:02d}"]
        if n % 4 == 0:
            mixed.append([*profile, "config", "unset", "timeout"])
        elif n % 4 == 1:
            mixed.append([*profile, "config", "set", "retries", "7"])
        else:
            mixed.append(
                [f"--profile=i{n:02d}", "config", "init", "--uri", "http://x:1", "--api-key", "k"]
                + ["--no-verify"]
            )
    _run_together(mixed, env)
    profiles = _profiles(path)
    for n in range(WRITERS):
        if n % 4 == 0:
            assert profiles[f"p{n:02d}"] == {}
        elif n % 4 == 1:
            assert profiles[f"p{n:02d}"] == {"timeout": 5.0, "retries": 7}
        else:
            assert profiles[f"p{n:02d}"] == {"timeout": 5.0}
            assert profiles[f"i{n:02d}"] == {"uri": "http://x:1", "api_key": "k"}


def test_a_symlinked_config_file_stays_a_link(env: dict[str, str], tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "apinode-admin.toml"
    target.write_text("[profiles.default]\ntimeout = 9\n")
    target.chmod(0o600)
    link = Path(env["XDG_CONFIG_HOME"]) / "apinode-admin" / "config.toml"
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    _run_together(
        [
            ["--profile", f"p{n:02d}", "config", "set", "uri", f"http://node-{n}:12000"]
            for n in range(WRITERS // 2)
        ]
        + [["config", "set", "retries", "4"]],
        env,
    )
    assert link.is_symlink() and link.resolve() == target.resolve()
    profiles = _profiles(target)
    assert profiles["default"] == {"timeout": 9, "retries": 4}
    assert len(profiles) == 1 + WRITERS // 2
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in dotfiles.iterdir()) == ["apinode-admin.toml"]


def test_a_dangling_link_gets_its_target_created(env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.toml"
    link = Path(env["XDG_CONFIG_HOME"]) / "apinode-admin" / "config.toml"
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    proc = subprocess.run(
        cli_command("config", "set", "uri", "http://n:1"), env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and _profiles(target) == {"default": {"uri": "http://n:1"}}


def test_unset_on_a_missing_file_creates_nothing(env: dict[str, str], config_home: Path) -> None:
    proc = subprocess.run(
        cli_command("config", "unset", "uri"), env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr  # not set: nothing to do
    assert "nothing to do" in proc.stderr
    assert not (config_home / "apinode-admin").exists()


@contextmanager
def _fed(fifo: Path) -> Iterator[None]:
    """Be the writer of ``fifo`` for each reader in turn: each read finds it empty."""
    done = threading.Event()

    def write() -> None:
        while not done.is_set():
            os.close(os.open(fifo, os.O_WRONLY))  # waits for the next reader

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))  # release a waiting writer
        thread.join(5)


def _special_files(tmp_path: Path) -> list[Path]:
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    files = [fifo]
    try:  # a private copy of /dev/null: `--config /dev/null` is a common "no config" idiom
        os.mknod(tmp_path / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        files.append(tmp_path / "null")
    except (OSError, AttributeError):
        pass  # not root: the FIFO alone shows it
    return files


@pytest.mark.parametrize("how", ["direct", "symlink"])
def test_a_config_that_is_not_a_regular_file_is_never_replaced(
    env: dict[str, str], tmp_path: Path, how: str
) -> None:
    for special in _special_files(tmp_path):
        kind = stat.S_IFMT(special.lstat().st_mode)
        config = special
        if how == "symlink":
            config = tmp_path / f"link-to-{special.name}"
            config.symlink_to(special)
        with _fed(special) if stat.S_ISFIFO(kind) else nullcontext():
            proc = subprocess.run(
                cli_command("--config", str(config), "config", "set", "uri", "http://n:1"),
                env=env,
                capture_output=True,
                text=True,
                timeout=30,
            )
        assert proc.returncode == 3, (special, proc.stderr)
        assert proc.stderr.startswith(f"Error: cannot write config file {config}: not a regular")
        assert "Traceback" not in proc.stderr
        assert stat.S_IFMT(special.lstat().st_mode) == kind, special  # still what it was
