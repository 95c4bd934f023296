"""Warm kernels: each report gets a fresh kernel, started and pre-imported while the previous report runs.

A kernel is never reused, so no state (matplotlib rcParams, pandas options, module-level counters of the
notebook's helpers) can leak from one report into the next. What is saved is latency: when a report starts, its
kernel has already booted and imported the modules the notebook imports.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass

from jupyter_client import BlockingKernelClient, KernelManager

_MAGIC_EXT = re.compile(r"^\s*%load_ext\s+([\w.]+)", re.MULTILINE)


def notebook_imports(nb) -> list[str]:
    """Top-level modules the notebook's code cells import (and ``%load_ext`` extensions), in order."""
    found: list[str] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        found += _MAGIC_EXT.findall(source)
        code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
    return list(dict.fromkeys(found))


def warmup_code(modules: list[str]) -> str:
    """Silent code importing ``modules``; an import that fails here fails again, visibly, in its cell."""
    lines = ["import importlib as _rk_il"]
    for name in modules:
        lines.append(f"try:\n    _rk_il.import_module({name!r})\nexcept Exception:\n    pass")
    lines.append("del _rk_il")
    return "\n".join(lines)


@dataclass
class WarmKernel:
    km: KernelManager
    warm_client: BlockingKernelClient
    warm_msg_id: str
    key: tuple
    started: float

    def wait_warm(self, timeout: float) -> None:
        """Block until the warm-up imports are done (the kernel is then idle and ready)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"the kernel did not start within {timeout:.0f} s")
            try:
                msg = self.warm_client.get_shell_msg(timeout=remaining)
            except Exception as err:  # queue.Empty
                if not self.km.is_alive():
                    raise RuntimeError("the kernel died while starting") from err
                continue
            if msg.get("parent_header", {}).get("msg_id") == self.warm_msg_id:
                break
        self.warm_client.stop_channels()

    def shutdown(self) -> None:
        with contextlib.suppress(Exception):
            self.warm_client.stop_channels()
        with contextlib.suppress(Exception):
            self.km.shutdown_kernel(now=True)


class KernelPool:
    """Holds at most one spare warm kernel for the next report of this worker."""

    def __init__(self, startup_timeout: float = 120.0):
        self.startup_timeout = startup_timeout
        self.spare: WarmKernel | None = None
        # IPC sockets in a private folder: no TCP port races between workers, no plain-TCP warning per kernel.
        self._ipc_dir = tempfile.mkdtemp(prefix="reportkit-kernels-")
        self._count = 0

    def _start(self, kernel_name: str, cwd: str, modules: tuple[str, ...]) -> WarmKernel:
        self._count += 1
        km = KernelManager(
            kernel_name=kernel_name,
            client_class="jupyter_client.asynchronous.AsyncKernelClient",
            transport="ipc",
            ip=os.path.join(self._ipc_dir, f"k{self._count}"),
        )
        km.start_kernel(cwd=cwd)
        client = BlockingKernelClient()
        client.load_connection_info(km.get_connection_info())
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        # Queued now, run by the kernel as soon as it is up: the imports happen before the parameters arrive.
        msg_id = client.execute(warmup_code(list(modules)), silent=True, store_history=False)
        return WarmKernel(km, client, msg_id, (kernel_name, cwd, modules), time.monotonic())

    def prestart(self, kernel_name: str, cwd: str, modules: tuple[str, ...]) -> None:
        key = (kernel_name, cwd, modules)
        if self.spare is not None and self.spare.key == key and self.spare.km.is_alive():
            return
        if self.spare is not None:
            self.spare.shutdown()
        self.spare = self._start(kernel_name, cwd, modules)

    def take(
        self, kernel_name: str, cwd: str, modules: tuple[str, ...], prestart_next: bool = True
    ) -> WarmKernel:
        """A warm kernel for this report; starts the next one at once so it boots while this report runs."""
        key = (kernel_name, cwd, modules)
        kernel = self.spare if self.spare is not None and self.spare.key == key else None
        if kernel is None or not kernel.km.is_alive():
            if self.spare is not None:
                self.spare.shutdown()
            kernel = self._start(kernel_name, cwd, modules)
        self.spare = None
        try:
            kernel.wait_warm(self.startup_timeout)
        except Exception:
            kernel.shutdown()
            raise
        if prestart_next:
            self.spare = self._start(kernel_name, cwd, modules)
        return kernel

    def close(self) -> None:
        if self.spare is not None:
            self.spare.shutdown()
            self.spare = None
        shutil.rmtree(self._ipc_dir, ignore_errors=True)
