"""The program's entry point: ``apinode-admin`` and ``python -m apinode_admin_cli``.

Ctrl-C must read ``Interrupted.`` (exit 130) from the first instruction on, so this module
handles SIGINT before importing the command tree, whose imports take most of the start-up.

A command's run is mostly Python starting and stopping, so the program (``main()`` reading
the process's own command line; never the library, nor ``main(argv)`` or ``cli.main`` called
from code) also spares itself two costs that buy nothing in a short process:

- The cyclic garbage collector runs every 50,000 allocations instead of every 700. Start-up
  creates about a hundred thousand objects that live until the end (modules, classes,
  functions): collecting them over and over frees nothing. Long runs (``metrics watch``, the
  emulator) still collect; they may hold up to that many unreachable objects in between, a
  few megabytes (``metrics watch`` levels off about 7 MB above Python's default pace).
- Once the command is over, its output flushed and the ``atexit`` handlers run, the process
  leaves with ``os._exit`` instead of tearing down some 300 modules object by object, which
  takes about a sixth of a listing's time and frees only memory the system reclaims anyway.
  When another thread is still running (it gets to finish), under ``python -i``, or when
  code waits for ``main()`` to end (a profiler, ``coverage run``, a debugger, a wrapper), it
  leaves the ordinary way.
"""

from __future__ import annotations

import _signal as signal  # the C module: `signal` imports enum, milliseconds of delay
import gc
import os
import sys

TYPE_CHECKING = False  # as typing's: importing typing here would widen the window below
if TYPE_CHECKING:
    from types import FrameType
    from typing import NoReturn

# The first generation's threshold (Python's default is 700); the others stay as they are.
GC_THRESHOLD = 50_000

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


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line; Ctrl-C is ``Interrupted.`` and exit 130 at any moment.

    With ``argv`` given (code running a command line), it ends by raising ``SystemExit``, as
    any click program does; as the program itself, it leaves through :func:`leave`.
    """
    program = argv is None
    if program:
        gc.set_threshold(GC_THRESHOLD)
    # Code running a command line gets its own Ctrl-C handler back afterwards: the quick exit
    # below is the program's, and would otherwise end the caller at its next Ctrl-C.
    found = signal.getsignal(signal.SIGINT)
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
        status: object = None
    except KeyboardInterrupt:
        _say_interrupted()
        status = int(ExitCode.INTERRUPTED)
    except SystemExit as exc:
        status = exc.code
    finally:
        # Leaving runs code too (atexit handlers, or interpreter shutdown): an interrupt
        # there leaves at once as well.
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _exit_interrupted)
    if not program or not _called_last(sys._getframe(1)):
        _give_back(found)
        raise SystemExit(status)
    leave(status)


def _give_back(handler: object) -> None:
    """Put back the SIGINT handler found at the start, where this module replaced it."""
    if signal.getsignal(signal.SIGINT) is _exit_interrupted and handler is not None:
        try:
            signal.signal(signal.SIGINT, handler)
        except ValueError:  # not the main thread: nothing was replaced
            pass


def leave(status: object) -> NoReturn:
    """Exit with ``status`` (a ``SystemExit`` code), skipping the interpreter's teardown.

    Everything a normal exit does that anyone could notice still happens: ``atexit``
    handlers run (logging's flush, coverage's data), then stdout and stderr are flushed.
    What is skipped is freeing each object. Anything else than a small int, a thread still
    running, or an interactive session after the script (``-i``) leaves the ordinary way.
    """
    if status is None:
        status = 0
    if (
        not isinstance(status, int)
        or not 0 <= status <= 255
        or sys.flags.inspect
        or _threads_running()  # Python waits for them, as it would have
    ):
        raise SystemExit(status)
    import atexit

    try:
        atexit._run_exitfuncs()
    except BaseException:  # noqa: BLE001 (printed already; Python 3.9 raises it again)
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a reader gone, or the stream closed: nothing to add
            pass
    os._exit(int(status))


def _called_last(frame: FrameType | None) -> bool:
    """Whether only a script's top level (or runpy, for ``-m``) is left to run after ``main()``.

    A profiler, ``coverage run``, a debugger or a wrapper function has work to do once the
    program returns (its report, its data, its ``finally``): they get the ordinary exit.
    """
    while frame is not None:
        if frame.f_code.co_name != "<module>" and frame.f_globals.get("__name__") != "runpy":
            return False
        frame = frame.f_back
    return True


def _threads_running() -> bool:
    """Whether a thread other than this one, and not a daemon, is still alive."""
    threading = sys.modules.get("threading")
    if threading is None:
        return False
    current = threading.current_thread()
    return any(t is not current and not t.daemon for t in threading.enumerate())


if __name__ == "__main__":
    main()
