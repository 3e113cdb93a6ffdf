"""The Jupyter kernels and worker processes that render reports, and how they end.

A worker keeps one warm kernel for all its reports and clears its namespace between them.
Kernels and workers die with the process that started them: on Linux the kernel's parent
death signal is set between fork and exec (`prctl(PR_SET_PDEATHSIG)`), so a kernel stuck in
a C loop (a catastrophic regular expression holds the GIL, and ipykernel's own parent poller
is a Python thread) is killed as well when `integkit report` is killed. Elsewhere a watchdog
thread ends a worker whose parent has gone.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from typing import Any

KERNEL = "python3"
DEFAULT_TIMEOUT = 600  # seconds one cell may run; the largest meetings need well under a minute
# The kernel's notice at every start that it talks TCP on loopback without encryption says
# nothing a user can act on; errors still come through.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
PR_SET_PDEATHSIG = 1
WATCHDOG_SECONDS = 1.0

_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent(parent_pid: int) -> None:
    """End this process when `parent_pid` (its parent) ends: SIGKILL on Linux, else a watchdog thread.

    If the parent has already gone by the time this runs, the process ends at once.
    """
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    else:  # pragma: no cover - not Linux
        def watch() -> None:
            while os.getppid() == parent_pid:
                time.sleep(WATCHDOG_SECONDS)
            os._exit(1)

        threading.Thread(target=watch, name="integkit-parent-watchdog", daemon=True).start()
    if os.getppid() != parent_pid:
        os._exit(1)


def _kernel_dies_with(parent_pid: int):
    """A `preexec_fn` for the kernel's Popen: runs in the child between fork and exec."""

    def preexec() -> None:
        if _LIBC is not None:
            _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # kept across exec
            if os.getppid() != parent_pid:
                os._exit(1)

    return preexec


def start_kernel() -> Any:
    """A started Jupyter kernel for reports that ends when this process ends."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    km = AsyncKernelManager(kernel_name=KERNEL)
    run_sync(km.start_kernel)(extra_arguments=KERNEL_ARGUMENTS, preexec_fn=_kernel_dies_with(os.getpid()))
    return km


def stop_kernel(km: Any) -> None:
    """Kill the kernel at once (a kernel busy in a cell that timed out cannot shut down politely)."""
    from jupyter_core.utils import run_sync

    run_sync(km.shutdown_kernel)(now=True)


def kernel_is_alive(km: Any) -> bool:
    from jupyter_core.utils import run_sync

    return bool(run_sync(km.is_alive)())


def reset_kernel(km: Any, timeout: int = 60) -> None:
    """Clear the warm kernel's namespace so that no report sees another report's variables."""
    from jupyter_core.utils import run_sync

    async def reset() -> None:
        client = km.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=timeout)
            await client.execute_interactive("%reset -f", timeout=timeout, store_history=False)
        finally:
            client.stop_channels()

    run_sync(reset)()
