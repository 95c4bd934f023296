"""vn.check finds nothing in the generated sample reports, and their notebooks carry no proofreading note."""

from pathlib import Path

import nbformat
import pytest

from reportkit import vn

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "report.ipynb"
DATA = ROOT / "data" / "duy-tan"


def _outputs(nb, kind: str) -> list[dict]:
    return [
        o
        for cell in nb.cells
        for o in cell.get("outputs", [])
        if (o.get("metadata") or {}).get("reportkit", {}).get("kind") == kind
    ]


@pytest.mark.slow
@pytest.mark.parametrize("period", ["2021-H2", "2022-H1", "2022-03", "2023-H1"])
def test_generated_sample_reports_have_no_findings(tmp_path, period):
    import papermill

    out = tmp_path / f"report-{period}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={"period": period, "data": str(DATA)},
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
        kernel_name="python3",
    )
    nb = nbformat.read(out, as_version=4)
    narratives = _outputs(nb, "narrative")
    assert len(narratives) >= 10
    found = [(f.kind, f.found) for o in narratives for f in vn.check(o["data"]["text/markdown"])]
    assert found == []
    assert _outputs(nb, "proofreading") == []
