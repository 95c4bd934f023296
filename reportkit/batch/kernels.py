"""Warm kernels for the batch: booted and pre-imported before the parameters arrive.

Two modes (measured on the report notebook, 10 reports on 2 cores: 1.40 s vs 1.80 s per report):

- reuse (the default): one kernel per worker runs report after report; before each later report the kernel is
  brought back to its state just after the warm-up imports (``kernel_reset.py``: ``%reset -f``, matplotlib
  rcParams, pandas options, extensions, the project's own modules, cwd, sys.path, environment, warning filters).
  A kernel is replaced after a failed or timed-out report, when its reset fails, and every ``max_reports``
  reports. This saves the ≈ 1 s of CPU a fresh kernel costs to boot and import, which on 2 cores is throughput.
- fresh (``BatchOptions(fresh_kernels=True)``, ``REPORTKIT_FRESH_KERNELS=1``): every report gets a new kernel, started and pre-imported
  while the previous report runs; nothing can leak, but the boot and import CPU is paid per report.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

# jupyter_client is imported where kernels start, so that reading MAX_REPORTS_PER_KERNEL stays cheap.
if TYPE_CHECKING:
    from jupyter_client import BlockingKernelClient, KernelManager

_MAGIC_EXT = re.compile(r"^\s*%load_ext\s+([\w.]+)", re.MULTILINE)
_KERNEL_SIDE = Path(__file__).with_name("kernel_reset.py")
RESET_CODE = "__import__('sys').modules['_reportkit_kernel'].reset()"
MAX_REPORTS_PER_KERNEL = 25


_INLINE_BACKEND = re.compile(r"^\s*%matplotlib\s+inline\b", re.MULTILINE)


def notebook_imports(nb) -> list[str]:
    """Top-level modules the notebook's code cells import (and ``%load_ext`` extensions, and the inline backend
    ``%matplotlib inline`` loads), in order; then ``module:name`` for each name a cell imports from a module or
    uses of it (``from reportkit.narrative import bar_chart``, ``reportkit.load(…)``), which may load a submodule
    of its own on first use: the warm-up loads them too, before the first report's parameters arrive."""
    found: list[str] = []
    names: list[str] = []
    modules: dict[str, str] = {}  # a name bound by ``import x`` (or ``import x as y``) → the module
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        found += _MAGIC_EXT.findall(source)
        if _INLINE_BACKEND.search(source):
            found.append("matplotlib_inline.backend_inline")
        code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
                modules.update(
                    {(a.asname or a.name): a.name for a in node.names if a.asname or "." not in a.name}
                )
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
                names += [f"{node.module}:{alias.name}" for alias in node.names if alias.name != "*"]
        for node in ast.walk(tree):  # reportkit.load(…): a module's attribute, loaded on first use
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
            ):
                names.append(f"{modules[node.value.id]}:{node.attr}")
    return list(dict.fromkeys([*found, *names]))


# Run first in a local worker's kernel: Linux kills it (SIGKILL) the moment its worker dies. ipykernel's own parent
# poller exits within a second too, but only when its thread gets to run: not while a cell holds the GIL in native
# code. A worker already gone before the request (JPY_PARENT_PID no longer the parent) means exit now.
DIE_WITH_PARENT = """\
import os as _rk_os, sys as _rk_sys
if _rk_sys.platform.startswith("linux"):
    try:
        import ctypes as _rk_ct, signal as _rk_sig
        _rk_ct.CDLL(None, use_errno=True).prctl(1, _rk_sig.SIGKILL)
        del _rk_ct, _rk_sig
    except Exception:
        pass
    if str(_rk_os.getppid()) != _rk_os.environ.get("JPY_PARENT_PID", str(_rk_os.getppid())):
        _rk_os._exit(1)
del _rk_os, _rk_sys"""


def warmup_code(modules: list[str], reusable_in: str | None = None, *, die_with_parent: bool = False) -> str:
    """Silent code importing ``modules``; an import that fails here fails again, visibly, in its cell.

    With ``reusable_in`` (the project folder), the reset helpers are installed and the pristine state recorded;
    with ``die_with_parent``, the kernel asks Linux to kill it when its worker dies.
    """
    lines = [DIE_WITH_PARENT] if die_with_parent else []
    lines.append("import importlib as _rk_il")
    for name in modules:
        module, _, attribute = name.partition(":")
        get = (
            f"getattr(_rk_il.import_module({module!r}), {attribute!r})"
            if attribute
            else f"_rk_il.import_module({module!r})"
        )
        lines.append(f"try:\n    {get}\nexcept Exception:\n    pass")
    lines.append("del _rk_il")
    if reusable_in is not None:
        source = _KERNEL_SIDE.read_text(encoding="utf-8")
        lines.append(
            "import sys as _rk_sys, types as _rk_types\n"
            "_rk_m = _rk_types.ModuleType('_reportkit_kernel')\n"
            f"exec(compile({source!r}, {str(_KERNEL_SIDE)!r}, 'exec'), _rk_m.__dict__)\n"
            "_rk_sys.modules['_reportkit_kernel'] = _rk_m\n"
            "del _rk_sys, _rk_types, _rk_m\n"
            f"__import__('sys').modules['_reportkit_kernel'].snapshot({reusable_in!r})"
        )
    return "\n".join(lines)


def _await_reply(client: BlockingKernelClient, km: KernelManager, msg_id: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"the kernel did not answer within {timeout:.0f} s")
        try:
            msg = client.get_shell_msg(timeout=remaining)
        except Exception as err:  # queue.Empty
            if not km.is_alive():
                raise RuntimeError("the kernel died") from err
            continue
        if msg.get("parent_header", {}).get("msg_id") == msg_id:
            return msg


@dataclass
class WarmKernel:
    km: KernelManager
    warm_client: BlockingKernelClient
    warm_msg_id: str
    key: tuple
    started: float
    reusable: bool = False
    uses: int = 0
    warmed: bool = False

    def wait_warm(self, timeout: float) -> None:
        """Block until the warm-up imports are done (the kernel is then idle and ready)."""
        if self.warmed:
            return
        try:
            reply = _await_reply(self.warm_client, self.km, self.warm_msg_id, timeout)
        except TimeoutError:
            raise TimeoutError(f"the kernel did not start within {timeout:.0f} s") from None
        self.warmed = True
        # A kernel whose snapshot failed (an unusual kernel) is simply used once, like a fresh one.
        self.reusable = self.reusable and reply.get("content", {}).get("status") == "ok"
        if not self.reusable:
            self.warm_client.stop_channels()

    def reset(self, timeout: float) -> bool:
        """Restore the post-warm-up state before the next report; False when that failed (replace the kernel)."""
        try:
            msg_id = self.warm_client.execute(RESET_CODE, silent=True, store_history=False)
            reply = _await_reply(self.warm_client, self.km, msg_id, timeout)
        except Exception:
            return False
        return reply.get("content", {}).get("status") == "ok"

    def exit_code(self, wait: float = 1.0) -> int | None:
        """The kernel process's exit status once it died (negative: the signal that killed it), else None."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is None:
            return None
        deadline = time.monotonic() + wait
        while (code := process.poll()) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        return code

    def shutdown(self) -> None:
        with contextlib.suppress(Exception):
            self.warm_client.stop_channels()
        with contextlib.suppress(Exception):
            self.km.shutdown_kernel(now=True)


SOCKET_PATH_MAX = 107
"""The longest path of a Unix socket Linux binds (``sun_path`` holds 108 bytes with the final NUL)."""


def sockets_fit(folder: str) -> bool:
    """Whether a pool's kernel sockets fit under ``folder``: ``<folder>/reportkit-kernels-<8>/k<n>-<port>``, at
    most :data:`SOCKET_PATH_MAX` bytes (jupyter_client numbers an IPC kernel's five sockets 1–5)."""
    return len(os.fsencode(os.path.join(folder, "reportkit-kernels-xxxxxxxx", "k9999-99"))) <= SOCKET_PATH_MAX


def socket_temp_dir(inside: str = "") -> str:
    """The temporary folder, or /tmp when kernel sockets made under ``<it>/<inside>`` would be too long for Linux
    (a ``TMPDIR`` 80 characters deep: every kernel failed to start, "File name too long")."""
    base = tempfile.gettempdir()
    if sockets_fit(os.path.join(base, inside)) or not os.path.isdir("/tmp"):
        return base
    return "/tmp"


def ipc_folder() -> str:
    """A new private folder for a pool's kernel sockets, in the temporary folder (a local worker's, which its runner
    removes with it) unless the sockets would not fit there (:func:`socket_temp_dir`)."""
    return tempfile.mkdtemp(prefix="reportkit-kernels-", dir=socket_temp_dir())


class KernelPool:
    """A worker's kernels: the one it reuses (reuse mode) and at most one spare booting for the next report."""

    def __init__(
        self,
        startup_timeout: float = 120.0,
        reuse: bool = True,
        max_reports: int = MAX_REPORTS_PER_KERNEL,
        die_with_parent: bool = False,
    ):
        self.startup_timeout = startup_timeout
        self.reuse = reuse
        self.die_with_parent = die_with_parent
        self.max_reports = max(1, max_reports)
        self.spare: WarmKernel | None = None
        self.current: WarmKernel | None = None
        # IPC sockets in a private folder: no TCP port races between workers, no plain-TCP warning per kernel.
        self._ipc_dir = ipc_folder()
        self._count = 0

    def _start(self, kernel_name: str, cwd: str, modules: tuple[str, ...]) -> WarmKernel:
        from jupyter_client import BlockingKernelClient, KernelManager

        self._count += 1
        km = KernelManager(
            kernel_name=kernel_name,
            client_class="jupyter_client.asynchronous.AsyncKernelClient",
            transport="ipc",
            ip=os.path.join(self._ipc_dir, f"k{self._count}"),
        )
        # No history database: a report's cells are not a session to recall, and IPython's thread writing each
        # cell to SQLite costs CPU on every report (the execution counter still starts again at 1 per report).
        km.start_kernel(cwd=cwd, extra_arguments=["--HistoryManager.enabled=False"])
        client = BlockingKernelClient()
        try:
            client.load_connection_info(km.get_connection_info())
            client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
            # Queued now, run by the kernel as soon as it is up: the imports happen before the parameters arrive.
            code = warmup_code(
                list(modules), cwd if self.reuse else None, die_with_parent=self.die_with_parent
            )
            msg_id = client.execute(code, silent=True, store_history=False)
        except BaseException:
            # The kernel is running but nothing will talk to it: it must not outlive this failure, nor the
            # client's sockets opened so far.
            with contextlib.suppress(Exception):
                client.stop_channels()
            with contextlib.suppress(Exception):
                km.shutdown_kernel(now=True)
            raise
        return WarmKernel(
            km, client, msg_id, (kernel_name, cwd, modules), time.monotonic(), reusable=self.reuse
        )

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
        """A warm kernel for this report; give it back with :meth:`release`.

        Reuse mode: the worker's kernel, reset, unless it is due for replacement. Fresh mode: the spare, and the
        next one is started at once so that it boots while this report runs.
        """
        key = (kernel_name, cwd, modules)
        current, self.current = self.current, None
        if current is not None:
            if current.key == key and current.km.is_alive() and current.reset(self.startup_timeout):
                current.uses += 1
                if current.uses >= self.max_reports and prestart_next and self.spare is None:
                    self.spare = self._start(kernel_name, cwd, modules)  # boots while its predecessor works
                return current
            current.shutdown()
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
        kernel.uses = 1
        if prestart_next and (not kernel.reusable or kernel.uses >= self.max_reports):
            self.spare = self._start(kernel_name, cwd, modules)
        return kernel

    def release(self, kernel: WarmKernel, healthy: bool, more: bool = True) -> None:
        """Keep ``kernel`` for the next report when it can be reused; otherwise shut it down (and, when more
        reports follow, start its successor now)."""
        if healthy and kernel.reusable and kernel.uses < self.max_reports and kernel.km.is_alive():
            self.current = kernel
            return
        kernel.shutdown()
        if more and self.spare is None:
            self.spare = self._start(*kernel.key)

    def close(self) -> None:
        for kernel in (self.spare, self.current):
            if kernel is not None:
                kernel.shutdown()
        self.spare = self.current = None
        shutil.rmtree(self._ipc_dir, ignore_errors=True)


async def iopub_subscribed(client, timeout: float, alive=None) -> None:
    """Return once ``client`` (an ``AsyncKernelClient`` whose channels are started) hears the kernel on iopub.

    jupyter_client's ``wait_for_ready`` proves it the same way, then listens for 0.2 s more to drain iopub: on a
    warm kernel that pause is a fifth of a report. Here the proof is the kernel's own "idle" status for our
    kernel-info request, which it publishes after its reply: once it arrives the subscription is live and nothing
    of an earlier request is still on its way. Messages published before the subscription was live are never
    delivered, so a missed status is asked for again, not waited for. ``alive`` (the kernel manager's
    ``is_alive``): a kernel that died meanwhile is nbclient's ``DeadKernelError`` at once, not a timeout.
    """
    from queue import Empty

    deadline = time.monotonic() + timeout
    answered = False  # on shell, to an earlier request: then a timeout is the output channel's silence
    while True:
        msg_id = client.kernel_info()
        while True:  # the reply on shell: the kernel is up and answering
            left = deadline - time.monotonic()
            if left <= 0:
                if answered:
                    break
                raise TimeoutError(f"the kernel did not answer within {timeout:.0f} s")
            try:
                reply = await client.shell_channel.get_msg(timeout=min(left, 1.0))
            except Empty:
                if alive is not None and not alive():
                    from nbclient.exceptions import DeadKernelError

                    raise DeadKernelError("the kernel died before it answered") from None
                continue
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                answered = True
                break
        listen_until = min(deadline, time.monotonic() + 0.5)
        while (left := listen_until - time.monotonic()) > 0:
            try:
                msg = await client.iopub_channel.get_msg(timeout=left)
            except Empty:
                break
            if (
                msg.get("msg_type") == "status"
                and msg.get("content", {}).get("execution_state") == "idle"
                and msg.get("parent_header", {}).get("msg_id") == msg_id
            ):
                return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"the kernel's output channel did not answer within {timeout:.0f} s")


def notebook_client(nb, kernel: WarmKernel, **options):
    """An nbclient ``NotebookClient`` for ``nb`` on the warm ``kernel``: its client is ready as soon as the
    kernel is heard on iopub (:func:`iopub_subscribed`), not after jupyter_client's fixed 0.2 s."""
    return _warm_client_class()(nb, km=kernel.km, **options)


@functools.cache
def _warm_client_class() -> type:
    from nbclient import NotebookClient
    from nbclient.util import run_hook

    class WarmNotebookClient(NotebookClient):
        async def async_start_new_kernel_client(self):
            self.kc = self.km.client()
            try:
                self.kc.start_channels()
                await iopub_subscribed(self.kc, self.startup_timeout, self.km.is_alive)
            except Exception:
                self.kc.stop_channels()
                self.kc = None
                raise
            self.kc.allow_stdin = False
            await run_hook(self.on_notebook_start, notebook=self.nb)
            return self.kc

    return WarmNotebookClient
