"""Kernel-side code of a reused kernel: remember the state just after the warm-up imports, restore it per report.

This file is not imported by the runner: its source is sent to the kernel (which may be any Python kernel, even
one without reportkit installed) and installed there as the module ``_reportkit_kernel``. :func:`snapshot` runs
once, after the warm-up imports; :func:`reset` runs before every later report and brings back what a fresh,
warmed kernel would have:

- the user namespace, the input/output history and the execution counter (``%reset -f``, ``In [1]`` again);
- matplotlib: every figure closed, every rcParam as it was (``%matplotlib inline`` then applies its own again);
- pandas: every option at its default (``pd.reset_option("all")``);
- IPython extensions loaded by the report are forgotten, so ``%load_ext`` loads them again, silently;
- modules imported from the project's own folders (not installed packages) are dropped, so their module-level
  state starts over on the next import;
- the working directory, ``sys.path``, environment variables and warning filters (and "once" registries).

reportkit.narrative keeps its per-run state in the user namespace, so ``%reset -f`` clears it too. What cannot be
reset is a change a report makes to an installed module's attributes; the batch's isolation test proves the
report notebook leaves none that shows in its outputs.
"""

from __future__ import annotations

_saved: dict = {}


def _shell():
    from IPython import get_ipython

    return get_ipython()


def snapshot(project: str) -> None:
    """Remember the pristine state (called once, after the warm-up imports)."""
    import os
    import sys
    import warnings

    shell = _shell()
    _saved.update(
        project=os.path.realpath(project),
        cwd=os.getcwd(),
        path=list(sys.path),
        environ=dict(os.environ),
        modules=set(sys.modules),
        warnings=list(warnings.filters),
        extensions=set(shell.extension_manager.loaded) if shell is not None else set(),
        user_keys=set(shell.user_ns) if shell is not None else set(),
    )
    if "matplotlib" in sys.modules:
        import matplotlib

        _saved["rc"] = dict(matplotlib.rcParams)
    # What the warm-up imported lives as long as the kernel: out of the collector's sight, every collection (one
    # per reset, in IPython's output-cache flush) walks only what the reports made since.
    import gc

    gc.collect()
    gc.freeze()


def _own_module(module, project: str) -> bool:
    path = getattr(module, "__file__", None)
    if not path:
        return False
    real = __import__("os").path.realpath(path)
    return real.startswith(project + "/") and "site-packages" not in real


def reset() -> None:
    """Bring the kernel back to the snapshot; raises if that is not possible (the runner then recycles it)."""
    import os
    import sys
    import warnings

    shell = _shell()
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    # A new history session restarts the execution counter at 1 (a counter reset alone collides in the history
    # database, and IPython then prints an error into the report's first cell).
    shell.reset(new_session=True)
    for key in list(shell.user_ns):
        if key not in _saved["user_keys"] and not key.startswith("_"):
            del shell.user_ns[key]
    loaded = shell.extension_manager.loaded
    for name in list(loaded):
        if name not in _saved["extensions"]:
            loaded.discard(name)
    project = _saved["project"]
    for name in [n for n in sys.modules if n not in _saved["modules"]]:
        if _own_module(sys.modules[name], project):
            del sys.modules[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if "rc" in _saved:
            import matplotlib

            dict.update(matplotlib.rcParams, _saved["rc"])  # the keys never change; skip re-validation
        if "pandas" in sys.modules:
            sys.modules["pandas"].reset_option("all")
    os.chdir(_saved["cwd"])
    sys.path[:] = _saved["path"]
    if dict(os.environ) != _saved["environ"]:
        os.environ.clear()
        os.environ.update(_saved["environ"])
    warnings.filters[:] = _saved["warnings"]
    warnings.onceregistry.clear()
    mutated = getattr(warnings, "_filters_mutated", None) or getattr(
        warnings, "_filters_mutated_lock_held", None
    )
    if mutated is not None:  # invalidates every module's "already warned" registry
        mutated()
