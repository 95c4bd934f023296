"""A reused kernel gives byte-identical reports to fresh kernels, whatever order the periods run in."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from reportkit.batch import BatchOptions, format_summary, run_batch

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("stable_code_digest")]

ROOT = Path(__file__).resolve().parents[1]
# A month, a quarter, two halves and a year: different tables, charts and narrative branches.
PERIODS = ["2022-03", "2022-Q3", "2021-H2", "2022-H1", "2022"]


@pytest.fixture(scope="module", autouse=True)
def fixed_clock():
    """One clock for both batches (SOURCE_DATE_EPOCH), so the pages compare byte for byte, time stamps included."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1656032400")
        yield


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("isolation")
    (root / "params").mkdir()
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "data" / "duy-tan", root / "data" / "duy-tan")
    for period in PERIODS:
        (root / "params" / f"{period}.yaml").write_text(
            f"period: {period}\ndata: data/duy-tan\n", encoding="utf-8"
        )
    return root


def run(project: Path, out: str, order: list[str], fresh: bool):
    result = run_batch(
        BatchOptions(
            root=project,
            params=[project / "params" / f"{p}.yaml" for p in order],
            jobs=1,
            formats=("html", "article"),
            out=project / out,
            fresh_kernels=fresh,
            force=True,
        )
    )
    assert result.exit_code == 0, format_summary(result)
    return result


@pytest.fixture(scope="module")
def fresh(project: Path):
    return run(project, "fresh", PERIODS, fresh=True)


@pytest.fixture(scope="module")
def reused(project: Path):
    # Reversed, and each report after the first runs on the kernel of the one before.
    return run(project, "reused", PERIODS[::-1], fresh=False)


def executed(path: Path) -> list:
    nb = nbformat.read(path, as_version=4)
    return [(c.get("execution_count"), c.get("outputs")) for c in nb.cells if c.cell_type == "code"]


def test_one_kernel_ran_every_report(reused) -> None:
    assert len({r.worker for r in reused.reports}) == 1
    assert [r.status for r in reused.reports] == ["ok"] * len(PERIODS)


@pytest.mark.parametrize("period", PERIODS)
def test_reused_kernel_report_is_identical(project: Path, fresh, reused, period: str) -> None:
    stem = f"{period}/report-{period}"
    a, b = project / "fresh", project / "reused"
    # Narrative, tables, charts (PNG bytes), the record and every execution count.
    assert executed(b / f"{stem}.ipynb") == executed(a / f"{stem}.ipynb")
    for suffix in (".json", ".article.html", ".html"):
        assert (b / f"{stem}{suffix}").read_bytes() == (a / f"{stem}{suffix}").read_bytes(), suffix
    assert "08:00, ngày 24/06/2022" in (a / f"{stem}.html").read_text(encoding="utf-8")


def test_kernel_is_replaced_after_a_failure_and_every_k_reports(tmp_path: Path) -> None:
    from reportkit.batch.kernels import KernelPool

    pool = KernelPool(reuse=True, max_reports=2)
    key = ("python3", str(tmp_path), ())
    try:
        first = pool.take(*key)
        pool.release(first, healthy=True)
        again = pool.take(*key)
        assert again is first and again.uses == 2  # reused, and reset first
        pool.release(again, healthy=True)  # its second report: due for replacement
        third = pool.take(*key)
        assert third is not first and not first.km.is_alive()
        pool.release(third, healthy=False)  # a failed or timed-out report: never reused
        fourth = pool.take(*key, prestart_next=False)
        assert fourth is not third and not third.km.is_alive() and fourth.uses == 1
        pool.release(fourth, healthy=True, more=False)
    finally:
        pool.close()
