"""Worker processes and Ray actors that die with their run.

A run killed with SIGKILL (a preemption, the OOM killer, ``kill -9``) gets no chance to
stop its workers, and its corpus lock dies with it: a worker left behind finishes the
dialogue it holds, writing audio beside the next run on the same folder, then waits for
work forever with its models in memory. So every worker watches the process it serves:

* on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the worker the moment
  its parent dies (then a check of ``os.getppid()`` for a parent that died before that);
* everywhere, a daemon thread that polls the parent (or, for a Ray actor, the driver's
  pid on the same host) and ends the process with :func:`os._exit`; and a check before
  each job (:func:`parent_alive`).

multiprocessing's resource tracker needs nothing: it exits when the last process that
holds its pipe (the workers) is gone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from typing import Callable

__all__ = ["die_with_parent", "die_with_process", "parent_alive", "process_alive", "process_start_time",
           "ORPHAN_EXIT_CODE", "POLL_SECONDS"]

#: exit status of a worker that found its run gone
ORPHAN_EXIT_CODE = 3
#: how often the watchdog thread looks at the process it serves
POLL_SECONDS = 1.0
#: ``PR_SET_PDEATHSIG`` from <linux/prctl.h>
_PR_SET_PDEATHSIG = 1

_expected_parent: int | None = None


def _set_parent_death_signal() -> bool:
    """Ask the Linux kernel to SIGKILL this process when its parent dies; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):  # a C library without prctl
        return False


def _exit_orphaned() -> None:
    """End this process now: no cleanup handlers, no flushing of half-written work."""
    os._exit(ORPHAN_EXIT_CODE)


def _watch(is_alive: Callable[[], bool], poll_seconds: float) -> None:
    """Start the daemon thread that exits the process once ``is_alive()`` is False."""

    def loop() -> None:
        while True:
            time.sleep(poll_seconds)
            if not is_alive():
                _exit_orphaned()

    threading.Thread(target=loop, name="duplexsynth-lifetime", daemon=True).start()


def die_with_parent(parent_pid: int, use_prctl: bool = True, poll_seconds: float = POLL_SECONDS) -> None:
    """Make this process exit when ``parent_pid`` is no longer its parent (call it first thing).

    :param parent_pid: the pid of the run that started this worker (its ``os.getpid()``).
    :param use_prctl: also ask the kernel for SIGKILL on the parent's death (Linux).
    :param poll_seconds: the watchdog thread's period.
    """
    global _expected_parent
    _expected_parent = parent_pid
    if use_prctl:
        _set_parent_death_signal()
    # the parent may have died before prctl: then nobody sends the signal and we are already orphaned
    if os.getppid() != parent_pid:
        _exit_orphaned()
    _watch(lambda: os.getppid() == parent_pid, poll_seconds)


def parent_alive() -> bool:
    """False when :func:`die_with_parent` was called and that parent is gone (check it between jobs)."""
    return _expected_parent is None or os.getppid() == _expected_parent


def _stat(pid: int) -> list[str] | None:
    """Fields 3 on of ``/proc/<pid>/stat`` (state first; Linux; ``None`` elsewhere or when gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            # the command name (field 2) may hold spaces and parentheses: split after its last ')'
            return f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _start_time(pid: int) -> str | None:
    """The start time of ``pid`` in clock ticks since boot (Linux; ``None`` elsewhere or when gone)."""
    fields = _stat(pid)
    return fields[19] if fields and len(fields) > 19 else None


def process_alive(pid: int, start_time: str | None = None) -> bool:
    """Whether ``pid`` runs (and, given its ``start_time``, is still the same process, not a reused pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a pid now held by another user's process: ours is gone
        return False
    fields = _stat(pid)
    if fields and fields[0] in ("Z", "X"):  # killed, not yet reaped by its parent
        return False
    return start_time is None or fields is None or fields[19:20] == [start_time]


def die_with_process(pid: int, start_time: str | None = None, poll_seconds: float = POLL_SECONDS) -> None:
    """Exit this process when ``pid`` (on this host) ends; for Ray actors whose driver runs here.

    :param start_time: the watched process's start time (:func:`process_start_time`), which
        tells its death from the reuse of its pid.
    """
    if not process_alive(pid, start_time):
        _exit_orphaned()
    _watch(lambda: process_alive(pid, start_time), poll_seconds)


def process_start_time(pid: int | None = None) -> str | None:
    """The start time of ``pid`` (default: this process) as :func:`die_with_process` takes it."""
    return _start_time(os.getpid() if pid is None else pid)
