"""The analyst's texts in a batch: found beside the params file, listed when missing, --strict fails the report and
keeps the previous one, writing the file later re-runs the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_tiny_project

from reportkit.batch import BatchOptions, format_summary, run_batch
from reportkit.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("stable_code_digest")]

TEXTS = "## Ưu điểm\nTốt.\n## Hạn chế, khuyết điểm\nCòn chậm.\n## Nguyên nhân\nDo …\n## Phương hướng, nhiệm vụ\nLàm.\n"


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = make_tiny_project(tmp_path_factory.mktemp("texts"), {"2022-H1": 1236, "2022-H2": 1310})
    path = root / "notebooks" / "report.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    (parameters,) = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    parameters["source"] = ["texts = None\n", *parameters["source"]]
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    (root / "params" / "2022-H1.md").write_text(TEXTS, encoding="utf-8")
    return root


def options(root: Path, **kw) -> BatchOptions:
    return BatchOptions(root=root, jobs=1, formats=("html",), **kw)


def test_missing_texts_are_listed_and_strict_keeps_the_previous_report(project: Path) -> None:
    first = run_batch(options(project))
    summary = format_summary(first, cwd=project)
    assert first.exit_code == 0, summary
    notes = {r.run_id: r.notes for r in first.reports}
    assert notes["2022-H1"] == []
    assert notes["2022-H2"] == [
        "chưa có tệp bài viết params/2022-H2.md: báo cáo thiếu các phần Ưu điểm; Hạn chế, khuyết điểm; Nguyên "
        "nhân; Phương hướng, nhiệm vụ"
    ]
    assert "lưu ý: chưa có tệp bài viết params/2022-H2.md" in summary
    executed = (project / "outputs/2022-H1/report-2022-H1.ipynb").read_text(encoding="utf-8")
    assert 'texts = \\"../params/2022-H1.md\\"' in executed  # the kernel gets it relative to notebooks/
    before = files_under(project / "outputs" / "2022-H2")

    strict = run_batch(options(project, strict=True, force=True))
    by_id = {r.run_id: r for r in strict.reports}
    assert strict.exit_code == 1
    assert by_id["2022-H2"].status == "failed" and by_id["2022-H2"].error.kind == "texts"
    assert "--strict: chưa có tệp bài viết params/2022-H2.md" in by_id["2022-H2"].error.line()
    assert by_id["2022-H1"].status == "ok"
    assert files_under(project / "outputs" / "2022-H2") == before  # the previous report is kept

    (project / "params" / "2022-H2.md").write_text(
        TEXTS.replace("## Nguyên nhân\nDo …\n", ""), encoding="utf-8"
    )
    partly = run_batch(options(project))
    by_id = {r.run_id: r for r in partly.reports}
    assert by_id["2022-H1"].status == "skipped"
    assert by_id["2022-H2"].status == "ok"  # a new texts file is a new input: the report runs again
    assert by_id["2022-H2"].notes == ["params/2022-H2.md: chưa viết phần Nguyên nhân"]


def test_the_cli_strict_flag_and_json_notes(project: Path, capsys) -> None:
    (project / "params" / "2022-H2.md").write_text(
        TEXTS.replace("## Nguyên nhân\nDo …\n", ""), encoding="utf-8"
    )
    code = main(["run", "--root", str(project), "--to", "html", "--jobs", "1", "--strict", "--json"])
    report = {r["run_id"]: r for r in json.loads(capsys.readouterr().out)["reports"]}
    assert code == 1
    assert report["2022-H2"]["status"] == "failed"
    assert report["2022-H2"]["notes"] == ["params/2022-H2.md: chưa viết phần Nguyên nhân"]
    (project / "params" / "2022-H2.md").write_text(TEXTS, encoding="utf-8")
    assert main(["run", "--root", str(project), "--to", "html", "--jobs", "1", "--strict"]) == 0
