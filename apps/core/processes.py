"""Stopping child processes: SIGTERM, a shared grace period, then SIGKILL to the whole group.

Used by `start_portal` for web, worker and beat, and by the tests and benchmarks for the
servers they start. Children should be started with `start_new_session=True` so that killing
the group also takes gunicorn's workers and Celery's pool when their parent is gone.
"""

import os
import signal
import subprocess
import time
from collections.abc import Iterable


def stop_processes(procs: Iterable[subprocess.Popen], timeout: float = 30.0) -> list:
    """Stop `procs` within `timeout` seconds together; returns those that had to be killed."""
    procs = list(procs)
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    killed = []
    for proc in procs:
        if proc.poll() is None:
            killed.append(proc)
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # leftovers of the group, even if the leader left
        except (ProcessLookupError, PermissionError):
            pass
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    return killed
