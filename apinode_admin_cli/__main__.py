"""The program's entry point: ``apinode-admin`` and ``python -m apinode_admin_cli``.

Ctrl-C must read ``Interrupted.`` (exit 130) from the first instruction on, so this module
handles SIGINT before importing the command tree, whose imports take most of the start-up.
"""

from __future__ import annotations

import _signal as signal  # the C module: `signal` imports enum, milliseconds of delay
import os

# Nothing else is imported here: every millisecond before the handler is a window.


def _say_interrupted() -> None:
    try:
        os.write(2, b"\nInterrupted.\n")
    except OSError:  # stderr closed: the exit code says it
        pass


def _exit_interrupted(signum: int, frame: object) -> None:
    """Leave at once, as a shell expects of a program killed by Ctrl-C (128 + SIGINT)."""
    _say_interrupted()
    os._exit(128 + signum)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; Ctrl-C is ``Interrupted.`` and exit 130 at any moment."""
    # A program started with Ctrl-C ignored (a background job) keeps ignoring it, as Python
    # does; from another thread than the main one, the embedding program owns the signals.
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        try:
            signal.signal(signal.SIGINT, _exit_interrupted)
        except ValueError:
            pass
    # Until the commands run, an interrupt leaves at once: nothing needs cleaning up yet.
    from apinode_admin_cli.cli import main as run
    from apinode_admin_cli.errors import ExitCode

    try:
        # From here on it raises KeyboardInterrupt, which the command tree turns into exit 130
        # after cleaning up (closing connections, restoring the terminal after a prompt).
        if signal.getsignal(signal.SIGINT) is _exit_interrupted:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        run(argv)
    except KeyboardInterrupt:
        _say_interrupted()
        raise SystemExit(ExitCode.INTERRUPTED) from None
    finally:
        # Interpreter shutdown runs code too: an interrupt there leaves at once as well.
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _exit_interrupted)


if __name__ == "__main__":
    main()
