"""The Jupyter kernels and worker processes that render reports, and how they end.

A worker keeps one warm kernel for all its reports and clears its namespace between them.
Kernels and workers die with the process that started them: on Linux the kernel's parent
death signal is set between fork and exec (`prctl(PR_SET_PDEATHSIG)`), so a kernel stuck in
a C loop (a catastrophic regular expression holds the GIL, and ipykernel's own parent poller
is a Python thread) is killed as well when `integkit report` is killed. Elsewhere a watchdog
thread ends a worker whose parent has gone.

On POSIX a kernel talks over Unix sockets in a directory of its own (mode 0700) rather than on
loopback TCP ports. Free TCP ports are picked by binding and releasing them, so two processes
starting kernels at the same moment can pick the same port, and another kernel's heartbeat then
lands on this kernel's control channel (a traceback per ping on the user's terminal). A socket
file cannot be shared that way, and no other local user can connect to it.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

KERNEL = "python3"
DEFAULT_TIMEOUT = 600  # seconds one cell may run; the largest meetings need well under a minute
# Start-up notices say nothing a user can act on; errors still come through.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
PR_SET_PDEATHSIG = 1
WATCHDOG_SECONDS = 1.0
CHANNELS_PREFIX = "integkit-kernel-"  # then the pid of the process that started the kernel (for people)
SOCKET_PATH_MAX = 100  # a Unix socket path must stay below 108 bytes (Linux) or 104 (macOS)

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

    km = AsyncKernelManager(kernel_name=KERNEL, **_private_channels())
    try:
        run_sync(km.start_kernel)(extra_arguments=KERNEL_ARGUMENTS, preexec_fn=_kernel_dies_with(os.getpid()))
    except BaseException:
        _remove_channels(km)
        raise
    return km


def _private_channels() -> dict[str, str]:
    """Connection settings for Unix sockets in a fresh private directory (POSIX); none elsewhere (TCP)."""
    if os.name != "posix":  # pragma: no cover - Windows
        return {}
    _remove_stale_channels()
    folder = tempfile.mkdtemp(prefix=f"{CHANNELS_PREFIX}{os.getpid()}-")
    ip = os.path.join(folder, "k")
    if len(os.fsencode(ip)) + len("-99") > SOCKET_PATH_MAX:  # a very long TMPDIR
        os.rmdir(folder)
        return {}
    return {"transport": "ipc", "ip": ip, "connection_file": os.path.join(folder, "kernel.json")}


def _remove_stale_channels() -> None:
    """Remove the socket directories of kernels that have gone (a killed batch's): nothing listens there.

    Asked of the sockets rather than of the starting pid, which may linger as a zombie.
    """
    for folder in Path(tempfile.gettempdir()).glob(f"{CHANNELS_PREFIX}*"):
        try:
            ours = folder.is_dir() and folder.stat().st_uid == os.getuid()
        except OSError:
            continue
        sockets = sorted(folder.glob("k-*")) if ours else []
        if sockets and not _listening(sockets[-1]):  # no sockets yet: a kernel still starting
            shutil.rmtree(folder, ignore_errors=True)


def _listening(path: Path) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
    except ConnectionRefusedError:
        return False
    except OSError:  # gone meanwhile, or not a socket: not ours to judge
        return True
    finally:
        probe.close()
    return True


def _remove_channels(km: Any) -> None:
    """Remove the kernel's private socket directory (its files are gone once the kernel has stopped)."""
    if km.transport == "ipc":
        shutil.rmtree(os.path.dirname(km.connection_file), ignore_errors=True)


def stop_kernel(km: Any) -> None:
    """Kill the kernel at once (a kernel busy in a cell that timed out cannot shut down politely)."""
    from jupyter_core.utils import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=True)
    finally:
        _remove_channels(km)


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
