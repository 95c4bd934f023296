"""The batch runner on a tiny notebook: outputs, failure isolation, incremental runs, SIGKILL, isolation, Dask."""

from __future__ import annotations

import ast
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import make_tiny_project

from reportkit.batch import BatchOptions, format_summary, run_batch
from reportkit.batch.store import MANIFEST
from reportkit.core import record as report

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("stable_code_digest")]

PERIODS = {"2021-H2": 999, "2022-H1": 1236, "2022-H2": 1310, "2023-H1": 1402}


def make_project(root: Path) -> Path:
    return make_tiny_project(root, PERIODS, issued=True)


def options(root: Path, **kw) -> BatchOptions:
    kw.setdefault("jobs", 2)
    kw.setdefault("formats", ("html", "pdf", "article"))
    return BatchOptions(root=root, **kw)


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cell_outputs(path: Path) -> list:
    nb = nbformat.read(path, as_version=4)
    return [c.get("outputs") for c in nb.cells if c.cell_type == "code"]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("batch"))


@pytest.fixture(scope="module")
def first(project: Path):
    return run_batch(options(project))


def test_first_run_writes_every_report(project: Path, first) -> None:
    assert first.exit_code == 0, format_summary(first)
    assert [r.status for r in first.reports] == ["ok"] * 4
    for period, value in PERIODS.items():
        folder = project / "outputs" / period
        names = sorted(p.name for p in folder.iterdir())
        stem = f"report-{period}"
        assert names == sorted(
            [MANIFEST, *(stem + s for s in (".ipynb", ".html", ".pdf", ".article.html", ".json"))]
        )
        record = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
        assert record["document"]["period"] == period
        # the sidecar is the record the saved notebook holds, byte for byte (its keys in the same order)
        saved = report.read(nbformat.read(folder / f"{stem}.ipynb", as_version=4))
        assert (folder / f"{stem}.json").read_text(encoding="utf-8") == report.dumps(saved)
        assert record["key_figures"][0]["value"] == value
        assert (folder / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
        assert str(value) in (folder / f"{stem}.html").read_text(encoding="utf-8")
    index = (project / "outputs" / "index.html").read_text(encoding="utf-8")
    assert all(f"{p}/report-{p}.html" in index for p in PERIODS)
    assert first.index == project / "outputs" / "index.html"
    summary = format_summary(first, cwd=project)
    assert "outputs/2022-H1/report-2022-H1.html" in summary and "index: outputs/index.html" in summary
    assert not any((project / ".reportkit-cache" / "staging").iterdir())


def without_probe(outputs: list) -> list:
    return [o for o in outputs if not (o and "pandas_max_rows" in o[0].get("text", ""))]


def leak_probes(out: Path) -> dict[str, dict]:
    probes = {}
    for period in PERIODS:
        outputs = cell_outputs(out / f"{period}/report-{period}.ipynb")
        probe = next(o for o in outputs if o and "pandas_max_rows" in o[0].get("text", ""))
        probes[period] = ast.literal_eval(probe[0]["text"])
    return probes


def test_reused_kernels_are_reset_between_reports(project: Path, first) -> None:
    # Two workers ran four reports, so each worker ran at least two on its one reused kernel.
    workers = [r.worker for r in first.reports]
    assert len(set(workers)) < len(workers)
    probes = leak_probes(project / "outputs")
    for probe in probes.values():  # the report's globals, pandas options and matplotlib rcParams are reset
        assert (
            probe["globals"] == [] and probe["pandas_max_rows"] == 60 and probe["mpl_figsize"] == [6.4, 4.8]
        )
    # An attribute set on an installed module is the documented limit of the reset; it also shows that the
    # kernels really were reused.
    assert any(probe["marker"] is not None for probe in probes.values())


def test_fresh_kernels_leak_nothing_at_all(project: Path, first, tmp_path: Path, capsys) -> None:
    from reportkit.cli import main

    argv = [
        "run",
        "--fresh-kernels",
        "--json",
        "--root",
        str(project),
        "--out",
        str(tmp_path),
        "--to",
        "html",
    ]
    argv += ["--force", "--jobs", "2"]
    exit_code = main(argv)
    summary = json.loads(capsys.readouterr().out)
    assert exit_code == 0, summary
    workers = [r["worker"] for r in summary["reports"]]
    assert len(set(workers)) < len(workers)
    expected = {"globals": [], "pandas_max_rows": 60, "mpl_figsize": [6.4, 4.8], "marker": None}
    assert all(probe == expected for probe in leak_probes(tmp_path).values())


def test_outputs_are_ordinary_readable_files(project: Path, first) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    expected = 0o666 & ~umask
    files = [p for p in (project / "outputs").rglob("*") if p.is_file()]
    assert (project / "outputs/index.html") in files and len(files) > 20
    modes = {str(p.relative_to(project)): stat.S_IMODE(p.stat().st_mode) for p in files}
    assert modes == dict.fromkeys(modes, expected)


def test_unchanged_run_skips_everything(project: Path, first) -> None:
    before = files_under(project / "outputs")
    again = run_batch(options(project))
    assert [r.status for r in again.reports] == ["skipped"] * 4
    assert files_under(project / "outputs") == before
    assert "unchanged, skipped" not in format_summary(again)  # the table says "skipped"
    assert "skipped" in format_summary(again)


def test_changed_inputs_rerun_only_what_they_touch(project: Path, first) -> None:
    params = project / "params/2022-H2.yaml"
    params.write_text(
        params.read_text(encoding="utf-8").replace("document_number: 42", "document_number: 52")
    )
    result = run_batch(options(project))
    assert {r.run_id: r.status for r in result.reports} == {
        "2021-H2": "skipped",
        "2022-H1": "skipped",
        "2022-H2": "ok",
        "2023-H1": "skipped",
    }
    record = json.loads((project / "outputs/2022-H2/report-2022-H2.json").read_text(encoding="utf-8"))
    assert record["document"]["number"] == "Số: 52/BC-MTTQ-BTT"
    forced = run_batch(options(project, force=True, params=[project / "params/2021-H2.yaml"]))
    assert [(r.run_id, r.status) for r in forced.reports] == [("2021-H2", "ok")]


def test_failure_is_isolated_and_keeps_the_good_report(project: Path, first) -> None:
    good = files_under(project / "outputs/2022-H2")
    params = project / "params/2022-H2.yaml"
    text = params.read_text(encoding="utf-8")
    params.write_text(text + "fail_on: 2022-H2\n", encoding="utf-8")
    try:
        result = run_batch(options(project, force=True))
    finally:
        params.write_text(text, encoding="utf-8")
    statuses = {r.run_id: r.status for r in result.reports}
    assert statuses == {"2021-H2": "ok", "2022-H1": "ok", "2022-H2": "failed", "2023-H1": "ok"}
    assert result.exit_code == 1
    error = next(r for r in result.reports if r.status == "failed").error.as_json()
    assert error["cell"] == 5 and error["exception"] == "ValueError"
    assert error["message"] == "không có số liệu cho kỳ 2022-H2"
    assert error["cell_source"] == "if period == fail_on:"
    assert any("raise ValueError" in line for line in error["traceback"])
    assert Path(error["notebook"]).is_file()
    summary = format_summary(result)
    assert "cell 5" in summary and "ValueError: không có số liệu cho kỳ 2022-H2" in summary
    assert files_under(project / "outputs/2022-H2") == good
    # Made again, the report takes its failed notebook away: nothing in the cache reads as a broken 2022-H2.
    again = run_batch(options(project, force=True, params=[params]))
    assert [(r.run_id, r.status) for r in again.reports] == [("2022-H2", "ok")]
    assert not Path(error["notebook"]).exists()
    assert not (project / ".reportkit-cache/failed/2022-H2").exists()


def test_a_report_of_another_params_file_is_never_replaced(project: Path, first) -> None:
    """A second params file whose run has the same run id (a province roll-up's "2022-H1" beside the ward's own)
    fails that run, before any kernel starts, and leaves the report it would have replaced as it was."""
    good = files_under(project / "outputs/2022-H1")
    index = (project / "outputs/index.html").read_bytes()
    other = project / "rollup" / "2022-H1.yaml"  # outside params/: the other tests' runs never read it
    other.parent.mkdir(exist_ok=True)
    other.write_text("period: 2022-H1\ndata: data/ward\n", encoding="utf-8")
    for force in (False, True):  # --force makes a report again; it does not take another file's report
        result = run_batch(options(project, params=[other], force=force))
        assert result.exit_code == 1
        [outcome] = result.reports
        assert outcome.status == "failed" and outcome.error.exception == "RunIdTaken"
        assert outcome.error.message.startswith(
            "outputs/2022-H1/ holds the report of params/2022-H1.yaml, whose run id this run of "
            "rollup/2022-H1.yaml shares; nothing was replaced"
        )
        assert "RunIdTaken: outputs/2022-H1/ holds the report of params/2022-H1.yaml" in format_summary(
            result
        )
        assert files_under(project / "outputs/2022-H1") == good
        assert (project / "outputs/index.html").read_bytes() == index


def test_a_params_file_outside_the_project_is_the_same_file_from_any_folder(
    project: Path, tmp_path, monkeypatch
):
    """Its name is written relative to where one stands; the runner knows it is the same file (a review found the
    guard above refusing it run from another folder)."""
    outside = tmp_path / "elsewhere" / "h1.yaml"
    outside.parent.mkdir()
    outside.write_text("period: 2022-H1\ndata: data/ward\n", encoding="utf-8")
    out = tmp_path / "out"
    monkeypatch.chdir(outside.parent)
    first = run_batch(options(project, params=[Path("h1.yaml")], out=out))
    assert [r.status for r in first.reports] == ["ok"], format_summary(first)
    monkeypatch.chdir(tmp_path)
    again = run_batch(options(project, params=[Path("elsewhere/h1.yaml")], out=out, force=True))
    assert [r.status for r in again.reports] == ["ok"], format_summary(again)
    manifest = json.loads((out / "2022-H1" / MANIFEST).read_text(encoding="utf-8"))
    assert str(tmp_path) not in json.dumps(manifest)  # the file is known by a digest, not by its folder


def test_cli_json_summary(project: Path, first) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "reportkit.cli",
            "run",
            "--json",
            "--root",
            str(project),
            "params/2022-H1.yaml",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=project,  # params files are relative to the cwd, like a shell user's
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["status"] == "ok" and sum(data["counts"].values()) == 1  # skipped unless reportkit changed
    (report,) = data["reports"]
    assert report["run_id"] == "2022-H1" and report["status"] in ("ok", "skipped")
    assert report["outputs"]["report-2022-H1.pdf"].endswith("outputs/2022-H1/report-2022-H1.pdf")
    assert "2022-H1: " in proc.stderr


def test_secret_values_never_reach_the_outputs(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    for p in (root / "params").glob("*.yaml"):
        if p.stem != "2022-H1":
            p.unlink()
    (root / "params/2022-H1.yaml").write_text(
        "period: 2022-H1\ndata: data/ward\nsigner: {authority: TM. BTT, title: CHỦ TỊCH, name: Bí Mật}\n"
        "secret: [signer]\n",
        encoding="utf-8",
    )
    result = run_batch(options(root, formats=("html",), jobs=1))
    assert result.exit_code == 0, format_summary(result)
    nb = nbformat.read(root / "outputs/2022-H1/report-2022-H1.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'signer = "***"' in injected.source and "Bí Mật" not in injected.source
    assert nb.metadata.papermill.parameters.signer == "***"
    manifest = (root / f"outputs/2022-H1/{MANIFEST}").read_text(encoding="utf-8")
    assert "Bí Mật" not in manifest


def test_sigkill_midway_leaves_no_partial_file(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    for p in (root / "params").glob("*.yaml"):
        p.write_text(p.read_text(encoding="utf-8") + "sleep: 2\n", encoding="utf-8")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reportkit.cli",
            "run",
            "--jobs",
            "2",
            "--to",
            "html,pdf",
            "--root",
            str(root),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    deadline = time.monotonic() + 240
    for line in proc.stderr:  # kill as soon as the first report is in place and others run
        seen.append(line)
        if ": ok" in line or time.monotonic() > deadline:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    time.sleep(1.0)  # the workers die with the runner (PR_SET_PDEATHSIG)
    assert any(": ok" in line for line in seen), "".join(seen)
    outputs = root / "outputs"
    complete = 0
    for folder in sorted(p for p in outputs.iterdir() if p.is_dir()):
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        names = {p.name for p in folder.iterdir()} - {MANIFEST}
        assert names == set(manifest["files"]), folder
        for name, size in manifest["files"].items():
            assert (folder / name).stat().st_size == size
        complete += 1
    assert 1 <= complete < 4
    assert not [p for p in outputs.rglob("*") if p.name.endswith(".tmp") or "staging" in p.name]
    result = run_batch(options(root, formats=("html", "pdf")))
    assert result.exit_code == 0, format_summary(result)
    statuses = [r.status for r in result.reports]
    # (the killed run was a subprocess, where the code hash is not pinned: its reports may be redone)
    assert set(statuses) <= {"ok", "skipped"} and statuses.count("ok") >= 4 - complete
    assert not any((root / ".reportkit-cache/staging").iterdir())


def test_dask_localcluster_gives_the_same_outputs(project: Path, first, tmp_path: Path, capsys) -> None:
    """The same command on a cluster: `reportkit run --scheduler tcp://…` against a LocalCluster's scheduler."""
    distributed = pytest.importorskip("distributed")
    from reportkit.cli import main

    with (
        distributed.LocalCluster(
            processes=True,
            n_workers=2,
            threads_per_worker=1,
            dashboard_address=None,
            local_directory=str(tmp_path / "dask"),  # not /tmp/dask-scratch-space, left after the suite
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        argv = ["run", "--root", str(project), "--out", str(tmp_path / "dask-out"), "--force", "--json"]
        exit_code = main([*argv, "--scheduler", cluster.scheduler_address])
        dask_pids = set(client.run(os.getpid).values())
    summary = json.loads(capsys.readouterr().out)
    assert exit_code == 0, summary
    assert {r["worker"] for r in summary["reports"]} <= dask_pids
    local = project / "outputs"
    for period in PERIODS:
        stem = f"{period}/report-{period}"
        assert (tmp_path / f"dask-out/{stem}.json").read_bytes() == (local / f"{stem}.json").read_bytes()
        # (the leak probe's marker names whichever report ran before on that reused kernel: order-dependent)
        assert without_probe(cell_outputs(tmp_path / f"dask-out/{stem}.ipynb")) == without_probe(
            cell_outputs(local / f"{stem}.ipynb")
        )
        assert (tmp_path / f"dask-out/{stem}.article.html").read_bytes() == (
            local / f"{stem}.article.html"
        ).read_bytes()
    assert (tmp_path / "dask-out/index.html").is_file()
