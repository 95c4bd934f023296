"""reportkit.data: the ward's data in (xlsx, CSV, SQL), validated, aggregated per period, traceable.

>>> import reportkit
>>> f = reportkit.load().figures("2022-H1")       # doctest: +SKIP
>>> f.tuyen_truyen_luot, str(f.hop_ban_ctmt)      # doctest: +SKIP
(1236, '10/10')
"""

from reportkit.data.dataset import Completeness, Dataset, Figures, Inputs, Source, UnitCount, load
from reportkit.data.errors import DataError, Location, Problem
from reportkit.data.model import Catalog, Indicator, Ward

__all__ = [
    "Catalog",
    "Completeness",
    "DataError",
    "Dataset",
    "Figures",
    "Indicator",
    "Inputs",
    "Location",
    "Problem",
    "Source",
    "UnitCount",
    "Ward",
    "load",
    "write_template",
]


def write_template(path, catalog=None, unit=None, year=None):
    """The blank collection workbook a tổ fills in (see reportkit.data.template)."""
    from reportkit.data.template import write_template as _write

    return _write(path, catalog=catalog, unit=unit, year=year)
