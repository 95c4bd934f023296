"""reportkit.data: the ward's data in (xlsx, CSV, SQL), validated, aggregated per period, traceable.

>>> import reportkit
>>> f = reportkit.load().figures("2022-H1")       # doctest: +SKIP
>>> f.tuyen_truyen_luot, str(f.hop_ban_ctmt)      # doctest: +SKIP
(1236, '10/10')

A province database holds many wards: ``load(url, unit="duy-tan")`` (or ``…?unit=duy-tan``) reads one,
``wards(url)`` lists them, ``load_province(url)`` rolls them up, ``report_digest(url, period, unit)`` is the digest
of exactly the rows one ward's report reads.
"""

from reportkit.data.dataset import Completeness, Dataset, Figures, Inputs, Source, UnitCount, load
from reportkit.data.errors import DataError, Location, Problem, UnitError
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
    "UnitError",
    "Ward",
    "load",
    "load_province",
    "report_digest",
    "report_digests",
    "wards",
    "write_template",
]


def write_template(path, catalog=None, unit=None, year=None):
    """The blank collection workbook a tổ fills in (see reportkit.data.template)."""
    from reportkit.data.template import write_template as _write

    return _write(path, catalog=catalog, unit=unit, year=year)


# The SQL room (SQLAlchemy) loads on first use: a ward read from its workbooks never imports it.


def wards(url):
    """The wards of a database (``WardEntry``: code, name, named_after …), in natural Vietnamese order."""
    from reportkit.data.sql import wards as _wards

    return _wards(url)


def load_province(url):
    """Every ward of a province database, rolled up per period (see reportkit.data.province)."""
    from reportkit.data.province import load_province as _load

    return _load(url)


def report_digest(url, period, unit=None):
    """The digest of exactly the rows ``unit``'s report for ``period`` reads (see reportkit.data.sql)."""
    from reportkit.data.sql import report_digest as _digest

    return _digest(url, period, unit)


def report_digests(url, runs):
    """{(unit, period): digest} for many reports at once, one query per period (see reportkit.data.sql)."""
    from reportkit.data.sql import report_digests as _digests

    return _digests(url, runs)
