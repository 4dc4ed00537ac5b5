"""Ctrl-C, in one place: when a run may be stopped, and when it must finish a step first.

Three needs, three tools:
- `held`: a few system calls (make, rename or remove a file) run with Ctrl-C
  blocked; it arrives right after, so no window leaves a stray file;
- `deferred`: a step that must end with a record (an email handed over, then
  its outcome in the ledger) finishes, then the run stops; a second Ctrl-C
  stops it at once;
- `ignored`: worker processes leave Ctrl-C to the main process, which
  answers it for the whole run (`ignored_while` covers their birth).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def held() -> Iterator[None]:
    """Hold Ctrl-C back for a few system calls. Nested holds keep it held until the outermost ends."""
    if not hasattr(signal, "pthread_sigmask") or not _main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


@contextmanager
def deferred() -> Iterator[None]:
    """Ctrl-C waits until the block ends, then raises KeyboardInterrupt; a second Ctrl-C raises at once."""
    if not _main_thread():
        yield
        return
    caught: list[int] = []

    def later(signum, frame):
        if caught:
            raise KeyboardInterrupt
        caught.append(signum)

    previous = signal.signal(signal.SIGINT, later)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def ignored() -> None:
    """This process leaves Ctrl-C to the main one (a worker's initializer)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def ignored_while() -> Iterator[None]:
    """Ctrl-C is ignored while the block runs (processes forked in it are born ignoring it), then answered."""
    answer = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, answer)
