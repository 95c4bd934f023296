"""reportkit: periodic narrative reports in Vietnamese from data.

``from reportkit import vn, Period`` is light (no pandas); ``reportkit.load`` and ``reportkit.DataError`` load the
data layer on first use. ``%load_ext reportkit`` installs the narrative cell magic in IPython.
"""

from importlib import import_module

from reportkit import vn
from reportkit.vn import Period

__version__ = "0.1.0"
__all__ = ["DataError", "Period", "ReportkitError", "__version__", "load", "load_province", "vn"]

_DATA_NAMES = {"load", "load_province", "DataError", "Dataset"}


def __getattr__(name: str):
    if name in _DATA_NAMES:
        return getattr(import_module("reportkit.data"), name)
    if name == "ReportkitError":
        return import_module("reportkit.core.errors").ReportkitError
    raise AttributeError(f"module 'reportkit' has no attribute {name!r}")


def load_ipython_extension(ipython) -> None:
    """``%load_ext reportkit``: the ``%%report`` cell magic and the report display settings."""
    import_module("reportkit.narrative.magic").load_ipython_extension(ipython)
