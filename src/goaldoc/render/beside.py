"""One file of a department rendered in a child process while this one renders the other
(issue 23: a clerk's one department waited for its .docx and then its .xlsx, one core
idle). Linux only (fork, the parent-death signal); elsewhere, and whenever the child gives
no result, the caller renders here as before: slower, never different.

The child is forked after the data is loaded and checked and its context built, so it
starts with all of it; it renders, sends the bytes (or the template's problems) back
through a pipe, and ends with ``os._exit`` (none of the parent's exit handlers, buffers or
temporary folders are its own). It ignores Ctrl-C: the parent, interrupted, kills it and
waits for it, so nothing is left running; killed itself (kill -9), it takes the child
with it (PR_SET_PDEATHSIG). Nothing is written by the child: the caller writes both files
at once, as before (all or none).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from ..errors import GoaldocError

_OK, _FAILED = b"o", b"f"


def available() -> bool:
    """Whether a render can go to a child: Linux (fork), and no other thread in this process
    (a fork copies only this one: a lock another held would stay held in the child)."""
    return sys.platform == "linux" and threading.active_count() == 1


class Beside:
    """A child rendering ``fn(*args)``; :meth:`result` is what it returned."""

    def __init__(self, pid: int, fd: int):
        self.pid = pid
        self.fd = fd

    @classmethod
    def start(cls, fn: Callable[..., bytes], *args: Any) -> Beside | None:
        """The child under way, or None when none could be started (the caller renders here)."""
        if not available():
            return None
        parent = os.getpid()
        try:
            read, write = os.pipe()
        except OSError:
            return None
        try:
            pid = os.fork()
        except OSError:  # no memory, no process slots: here, as before
            os.close(read)
            os.close(write)
            return None
        if pid == 0:  # pragma: no cover - the child (its work is checked through the parent)
            os.close(read)
            _child(parent, write, fn, args)
        os.close(write)
        return cls(pid, read)

    def result(self) -> bytes | None:
        """The bytes the child rendered; raises the template's problems it found
        (:class:`GoaldocError`); None when it gave no result (it died): render here."""
        try:
            with open(self.fd, "rb", closefd=True) as pipe:
                self.fd = -1
                data = pipe.read()
        finally:
            self._reap()
        if data[:1] == _OK:
            return data[1:]
        if data[:1] == _FAILED:
            raise pickle.loads(data[1:])  # noqa: S301 - from this process's own fork (GoaldocError.__reduce__)
        return None

    def cancel(self) -> None:
        """Stop the child now and wait until it is gone (an interrupt, the other format's error
        of another kind)."""
        if self.pid > 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        self._reap()
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1

    def _reap(self) -> None:
        if self.pid > 0:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)  # an interrupted wait is retried by Python (PEP 475)
            self.pid = 0


def _child(parent: int, fd: int, fn: Callable[..., bytes], args: tuple[Any, ...]) -> None:  # pragma: no cover
    """In the child: render, send, end. Whatever happens, it ends here (``os._exit``)."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's (see the module doc)
        gc.disable()  # the parent's heap stays shared: a collection would write to every page of it
        die_with_parent()
        if os.getppid() != parent:  # it went before the signal was asked for
            os._exit(1)
        try:
            payload = _OK + fn(*args)
        except GoaldocError as exc:
            payload = _FAILED + pickle.dumps(exc, protocol=pickle.HIGHEST_PROTOCOL)
        with open(fd, "wb", closefd=True) as pipe:
            pipe.write(payload)
        code = 0
    except BaseException:  # noqa: BLE001 - nothing is sent: the parent renders it itself
        pass
    finally:
        os._exit(code)


def die_with_parent() -> None:
    """This process killed when its parent goes (kill -9, a crash): Linux's parent-death
    signal. The caller then looks whether the parent went before it was asked for."""
    if sys.platform != "linux":  # pragma: no cover
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        pass
