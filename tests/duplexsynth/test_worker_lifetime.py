"""Workers die with their run: a SIGKILLed parent takes its worker processes with it.

Each test runs real processes: a "run" process that spawns a worker the way the local
executor does (multiprocessing's spawn context, :func:`die_with_parent` first thing), and
is then killed with SIGKILL; the worker must be gone within 15 s (the issue's bound).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from duplexsynth.lifetime import ORPHAN_EXIT_CODE, parent_alive

REPO = Path(__file__).resolve().parents[2]
#: a process of a killed run may live this long (seconds), no longer
GRACE = 15.0

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

RUN = """\
import multiprocessing, os, sys, time
from duplexsynth.lifetime import die_with_parent

def work(parent_pid, use_prctl, beat):
    die_with_parent(parent_pid, use_prctl=use_prctl, poll_seconds=0.2)
    while True:  # a worker between jobs, or one writing audio: it must not outlive the run
        with open(beat, "a") as f:
            f.write("x")
        time.sleep(0.05)

if __name__ == "__main__":
    ctx = multiprocessing.get_context("spawn")
    child = ctx.Process(target=work, args=(os.getpid(), sys.argv[1] == "prctl", sys.argv[2]))
    child.start()
    print(child.pid, flush=True)
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """A running process (a zombie waiting to be reaped by init is dead)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return not _alive(pid)


def _python(*args: str, **kwargs: object) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.PIPE, text=True, **kwargs)


@pytest.mark.parametrize("how", ["prctl", "watchdog"])
def test_a_worker_dies_with_its_sigkilled_run(tmp_path: Path, how: str) -> None:
    """Both ways work on their own: the kernel's parent-death signal, and the polling thread
    (what other platforms get)."""
    script, beat = tmp_path / "run.py", tmp_path / "beat"
    script.write_text(RUN)
    run = _python(str(script), how, str(beat))
    worker = 0
    try:
        assert run.stdout is not None
        worker = int(run.stdout.readline())
        while not beat.exists():  # the worker has set up its watch and works
            assert run.poll() is None and _alive(worker)
            time.sleep(0.05)
        run.send_signal(signal.SIGKILL)
        run.wait()
        assert _gone_within(worker, GRACE), f"worker {worker} outlived its killed run ({how})"
        # and it wrote nothing more once gone
        size = beat.stat().st_size
        time.sleep(0.3)
        assert beat.stat().st_size == size
    finally:
        if worker and _alive(worker):
            os.kill(worker, signal.SIGKILL)
        if run.poll() is None:
            run.kill()
            run.wait()


def test_a_worker_whose_parent_died_before_it_set_its_watch_exits_at_once() -> None:
    """The race prctl leaves open: a parent that died first sends no signal; the pid check catches it."""
    child = _python("-c", "from duplexsynth.lifetime import die_with_parent\n"
                          "die_with_parent(1)  # not our parent: as if ours had died and init adopted us\n"
                          "print('survived')")
    out, _ = child.communicate(timeout=60)
    assert child.returncode == ORPHAN_EXIT_CODE and "survived" not in out


def test_a_ray_style_watch_of_another_process_ends_with_it() -> None:
    """An actor on the driver's host watches the driver's pid (not its parent, which is Ray's)."""
    driver = subprocess.Popen(["sleep", "600"])
    watcher = _python("-c", textwrap.dedent(f"""\
        import time
        from duplexsynth.lifetime import die_with_process, process_start_time
        die_with_process({driver.pid}, process_start_time({driver.pid}), poll_seconds=0.2)
        print('watching', flush=True)
        time.sleep(600)
        """))
    try:
        assert watcher.stdout is not None and watcher.stdout.readline().strip() == "watching"
        driver.send_signal(signal.SIGKILL)
        driver.wait()
        assert watcher.wait(timeout=GRACE) == ORPHAN_EXIT_CODE
    finally:
        for proc in (driver, watcher):
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_a_reused_pid_is_not_taken_for_the_driver() -> None:
    """The driver's start time tells its death from another process that got the same pid."""
    child = _python("-c", "import os\nfrom duplexsynth.lifetime import die_with_process\n"
                          "die_with_process(os.getppid(), start_time='0')\nprint('survived')")
    out, _ = child.communicate(timeout=60)
    assert child.returncode == ORPHAN_EXIT_CODE and "survived" not in out


def test_a_process_without_a_watch_counts_its_parent_alive() -> None:
    assert parent_alive()
