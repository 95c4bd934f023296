"""``reportkit run --out <fsspec URL>``: publish the batch, all or nothing per report, incrementally."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from conftest import make_tiny_project
from fsspec.implementations.memory import MemoryFileSystem

from reportkit.batch import BatchOptions, SetupError, format_summary, run_batch
from reportkit.batch.remote import STAGING, is_url
from reportkit.batch.store import MANIFEST
from reportkit.cli import main

PERIODS = {"2022-H1": 1236, "2022-H2": 1310}
MEMORY_ROOT = "/reportkit-test-remote"


def make_project(root: Path) -> Path:
    return make_tiny_project(root, PERIODS)


def options(root: Path, **kw) -> BatchOptions:
    kw.setdefault("jobs", 2)
    kw.setdefault("formats", ("html", "article"))
    return BatchOptions(root=root, **kw)


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def memory_files() -> dict[str, bytes]:
    fs = MemoryFileSystem()
    if not fs.exists(MEMORY_ROOT):
        return {}
    return {p[len(MEMORY_ROOT) + 1 :]: fs.cat_file(p) for p in fs.find(MEMORY_ROOT)}


@pytest.fixture(scope="module", autouse=True)
def clean_memory_file_system(stable_code_digest):
    yield
    fs = MemoryFileSystem()  # (the memory file system lives as long as the process)
    if fs.exists(MEMORY_ROOT):
        fs.rm(MEMORY_ROOT, recursive=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("remote"))


@pytest.fixture(scope="module")
def dest(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("published") / "reports"


@pytest.fixture(scope="module")
def published(project: Path, dest: Path):
    return run_batch(options(project, out=f"file://{dest}/"))


@pytest.mark.slow
def test_publish_gives_the_files_of_a_local_run(project: Path, dest: Path, published) -> None:
    assert published.exit_code == 0, format_summary(published)
    mirror = published.out_dir
    assert mirror.parent == project / ".reportkit-cache" / "remote"
    local = files_under(mirror)
    for own in (".reportkit-run.lock", ".reportkit-commit.lock"):
        local.pop(own)  # the runner's own locks, not part of the reports
    # the index's list of its pages goes too: the next publication removes what it no longer writes
    assert json.loads((dest / ".reportkit-index.json").read_text(encoding="utf-8"))["pages"] == ["index.html"]
    assert files_under(dest) == local
    for period, value in PERIODS.items():
        record = json.loads((dest / period / f"report-{period}.json").read_text(encoding="utf-8"))
        assert record["key_figures"][0]["value"] == value
        manifest = json.loads((dest / period / MANIFEST).read_text(encoding="utf-8"))
        assert set(manifest["files"]) == {
            f"report-{period}{s}" for s in (".ipynb", ".html", ".article.html", ".json")
        }
    assert "2022-H1/report-2022-H1.html" in (dest / "index.html").read_text(encoding="utf-8")
    assert not (dest / STAGING).exists() and not list((project / "outputs").iterdir())
    url = f"file://{dest}"
    assert published.out_url == url and published.index == f"{url}/index.html"
    report = next(r for r in published.reports if r.run_id == "2022-H1")
    assert report.published is True
    assert report.outputs["report-2022-H1.html"] == f"{url}/2022-H1/report-2022-H1.html"
    summary = format_summary(published, cwd=project)
    assert f"{url}/2022-H1/report-2022-H1.html" in summary
    assert f"Reports are in {url}/ — index: {url}/index.html" in summary
    assert published.as_json()["out_dir"] == url and published.as_json()["mirror"] == str(mirror)


@pytest.mark.slow
def test_unchanged_run_publishes_nothing(project: Path, dest: Path, published, capsys) -> None:
    stamps = {p: p.stat().st_mtime_ns for p in dest.rglob("*") if p.is_file()}
    before = files_under(dest)
    code = main(["run", "--json", "--root", str(project), "--out", f"file://{dest}", "--to", "html,article"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0, summary
    assert [(r["status"], r["published"]) for r in summary["reports"]] == [("skipped", False)] * 2
    assert summary["out_dir"] == f"file://{dest}"
    assert files_under(dest) == before
    assert {p: p.stat().st_mtime_ns for p in dest.rglob("*") if p.is_file()} == stamps  # not even re-uploaded


@pytest.mark.slow
def test_report_missing_or_changed_remotely_is_published_again(project: Path, dest: Path, published) -> None:
    before = files_under(dest)
    shutil.rmtree(dest / "2022-H1")
    (dest / "2022-H2" / "report-2022-H2.html").write_text("sửa tay", encoding="utf-8")
    (dest / "2022-H2" / "report-2022-H2.pdf").write_bytes(b"%PDF stale format")  # a format no longer made
    result = run_batch(options(project, out=f"file://{dest}"))
    assert result.exit_code == 0, format_summary(result)
    assert [(r.status, r.published) for r in result.reports] == [("skipped", True)] * 2
    assert files_under(dest) == before


@pytest.mark.slow
@pytest.mark.parametrize("method", ["put_file", "mv"])
def test_failed_upload_keeps_the_earlier_remote_report(project: Path, method: str, monkeypatch) -> None:
    url = f"memory://{MEMORY_ROOT}/{method}"
    first = run_batch(options(project, out=url))
    assert first.exit_code == 0, format_summary(first)
    earlier = memory_files()
    assert f"{method}/2022-H1/{MANIFEST}" in earlier and f"{method}/index.html" in earlier

    original = getattr(MemoryFileSystem, method)
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(args)
        if len(calls) > 1:
            raise ConnectionResetError("mạng bị ngắt")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MemoryFileSystem, method, flaky)
    params = project / "params/2022-H1.yaml"
    result = run_batch(options(project, out=url, force=True, params=[params]))
    (report,) = result.reports
    assert report.status == "failed" and result.exit_code == 1
    assert report.error.kind == "publish" and report.error.exception == "ConnectionResetError"
    assert report.error.local == str(result.out_dir / "2022-H1")
    summary = format_summary(result)
    assert "publish: ConnectionResetError" in summary and "mạng bị ngắt" in summary
    assert len(calls) >= 2
    assert memory_files() == earlier  # the earlier report intact, nothing partial, no staging left
    assert not any(STAGING in name for name in memory_files())

    monkeypatch.setattr(MemoryFileSystem, method, original)
    again = run_batch(options(project, out=url))  # the next run publishes what the failed one could not
    assert [(r.run_id, r.status, r.published) for r in again.reports] == [
        ("2022-H1", "skipped", True),
        ("2022-H2", "skipped", False),
    ]
    fs = MemoryFileSystem()
    remote = json.loads(fs.cat_file(f"{MEMORY_ROOT}/{method}/2022-H1/{MANIFEST}"))
    assert remote == json.loads((again.out_dir / "2022-H1" / MANIFEST).read_text(encoding="utf-8"))


def test_bad_urls_exit_2_and_write_nothing(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path / "p")
    before = sorted(str(p) for p in root.rglob("*"))
    code = main(["run", "--root", str(root), "--out", "foo://bucket/reports"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--out foo://bucket/reports: unknown protocol 'foo'" in err and "s3://" in err
    if importlib.util.find_spec("s3fs") is None:
        assert main(["run", "--root", str(root), "--out", "s3://bucket/reports"]) == 2
        err = capsys.readouterr().err
        assert "--out s3://bucket/reports" in err and "pip install s3fs" in err
    assert main(["run", "--root", str(root), "--out", "memory://"]) == 2
    assert "name a folder (or bucket)" in capsys.readouterr().err
    with pytest.raises(SetupError, match="pass the URL as a str"):
        run_batch(options(root, out=Path("s3://bucket/reports")))
    assert sorted(str(p) for p in root.rglob("*")) == before  # not even the cache folder


def test_an_out_urls_password_is_masked_in_every_error(tmp_path: Path, capsys, monkeypatch) -> None:
    """The --out URL's password never reaches the terminal (a CI log): not in a setup error quoting the URL or
    the exception, not in a failed upload's message."""
    root = make_project(tmp_path / "p")
    for url in ("foo://u:OutS3cr3tZ@bucket/x", "ftp://u:OutS3cr3tZ@127.0.0.1:1/x"):  # port 1: refused at once
        assert main(["run", "--root", str(root), "--out", url]) == 2
        err = capsys.readouterr().err
        assert "OutS3cr3tZ" not in err and "u:***@" in err, err
    url = f"memory://u:OutS3cr3tZ@{MEMORY_ROOT}/masked"

    def refused(self, *args, **kwargs):
        raise ConnectionResetError(f"the store at {url} (password OutS3cr3tZ) hung up")

    with monkeypatch.context() as patched:
        patched.setattr(MemoryFileSystem, "put_file", refused)
        result = run_batch(options(root, out=url, params=[root / "params/2022-H1.yaml"]))
    assert result.exit_code == 1 and result.reports[0].error.kind == "publish"
    summary = format_summary(result)
    everything = json.dumps(result.as_json(), ensure_ascii=False)  # what --json prints
    assert "hung up" in summary and "hung up" in everything
    assert "OutS3cr3tZ" not in summary and "OutS3cr3tZ" not in everything
    # the store unreachable at the first call: every report failed, named, masked — not a traceback

    def unreachable(self, *args, **kwargs):
        raise ConnectionError(f"cannot list {url}")

    with monkeypatch.context() as patched:
        patched.setattr(MemoryFileSystem, "ls", unreachable)
        result = run_batch(options(root, out=url, params=[root / "params/2022-H1.yaml"]))
    assert result.exit_code == 1 and [r.status for r in result.reports] == ["failed"]
    told = format_summary(result) + json.dumps(result.as_json(), ensure_ascii=False)
    assert "cannot reach it: ConnectionError" in told and "OutS3cr3tZ" not in told


def test_url_detection() -> None:
    assert is_url("s3://b/x") and is_url("file:///tmp/x") and is_url("simplecache::s3://b/x")
    assert not is_url("/tmp/out") and not is_url("outputs") and not is_url("c:/tmp") and not is_url("a b://x")


def _wards_project(root: Path, count: int) -> tuple[Path, list[str]]:
    """The tiny notebook for ``count`` wards "Phường 1" … (each its own unit in the index), one period each."""
    root = make_tiny_project(root, {"2022-H1": 1})
    notebook = root / "notebooks/report.ipynb"
    notebook.write_text(
        notebook.read_text(encoding="utf-8").replace(
            '\\"unit\\": \\"Phường Thử Nghiệm\\"', '\\"unit\\": figures[\\"name\\"]'
        ),
        encoding="utf-8",
    )
    units = [f"phuong-{n}" for n in range(1, count + 1)]
    for n, unit in enumerate(units, 1):
        (root / f"data/{unit}").mkdir(parents=True)
        (root / f"data/{unit}/ward.yaml").write_text(f"name: Phường {n}\n", encoding="utf-8")
        (root / f"data/{unit}/figures.json").write_text(json.dumps({"2022-H1": n, "name": f"Phường {n}"}))
    (root / "params/2022-H1.yaml").write_text(
        f"period: 2022-H1\ndata: data/{{unit}}\nunits: [{', '.join(units)}]\n", encoding="utf-8"
    )
    return root, units


@pytest.mark.slow
def test_a_province_publishes_every_units_page_and_the_list_of_units(tmp_path: Path) -> None:
    """More units than one page holds: each unit's page goes with the reports, index.html (the list) last."""
    from bs4 import BeautifulSoup

    from reportkit.export.index import UNITS_ON_ONE_PAGE

    root, units = _wards_project(tmp_path / "tinh", UNITS_ON_ONE_PAGE + 1)
    dest = tmp_path / "web"
    result = run_batch(options(root, out=f"file://{dest}/", formats=("html",)))
    assert result.exit_code == 0, format_summary(result)
    index = BeautifulSoup((dest / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in index.select(".units a")]
    assert [h for h in links if h.endswith("/index.html")] == [f"{u}/index.html" for u in units]
    assert all((dest / h).is_file() for h in links)  # every page and report it links was published
    assert "Phường 3" in (dest / "phuong-3/index.html").read_text(encoding="utf-8")


def test_a_units_page_the_index_no_longer_writes_is_removed(tmp_path: Path) -> None:
    """Seven wards' reports, then only two left in the output folder: index.html lists them on one page, and the
    wards' own pages of the earlier index are removed rather than left with old figures."""
    import shutil

    from reportkit.export.index import UNITS_ON_ONE_PAGE

    root, units = _wards_project(tmp_path / "tinh", UNITS_ON_ONE_PAGE + 2)
    out = tmp_path / "out"
    assert run_batch(options(root, out=out, formats=("html",))).exit_code == 0
    assert (out / "phuong-1/index.html").is_file() and (out / "phuong-2/index.html").is_file()
    for unit in units[2:]:
        shutil.rmtree(out / unit)
    (root / "params/2022-H1.yaml").write_text(
        "period: 2022-H1\ndata: data/{unit}\nunits: [phuong-1, phuong-2]\n", encoding="utf-8"
    )
    assert run_batch(options(root, out=out, formats=("html",))).exit_code == 0
    assert not (out / "phuong-1/index.html").exists() and not (out / "phuong-2/index.html").exists()
    assert (out / "phuong-1/2022-H1/report-phuong-1-2022-H1.html").is_file()  # the reports stay
    assert "Phường 2" in (out / "index.html").read_text(encoding="utf-8")


def test_a_units_page_the_published_index_no_longer_writes_is_removed_from_the_destination(
    tmp_path: Path,
) -> None:
    """As above, published to a URL: the destination's own pages of the earlier index go too (its reports stay),
    and the destination's list of pages says what the index there now is."""
    from reportkit.batch.publish import INDEX_STAMP
    from reportkit.export.index import UNITS_ON_ONE_PAGE

    root, units = _wards_project(tmp_path / "tinh", UNITS_ON_ONE_PAGE + 2)
    dest = tmp_path / "web"
    first = run_batch(options(root, out=f"file://{dest}/", formats=("html",)))
    assert first.exit_code == 0, format_summary(first)
    assert (dest / "phuong-1/index.html").is_file() and (dest / INDEX_STAMP).is_file()
    for unit in units[2:]:  # the mirror keeps two wards' reports
        shutil.rmtree(first.out_dir / unit)
    (root / "params/2022-H1.yaml").write_text(
        "period: 2022-H1\ndata: data/{unit}\nunits: [phuong-1, phuong-2]\n", encoding="utf-8"
    )
    second = run_batch(options(root, out=f"file://{dest}/", formats=("html",)))
    assert second.exit_code == 0, format_summary(second)
    assert not list(dest.glob("*/index.html"))
    assert (dest / "phuong-7/2022-H1/report-phuong-7-2022-H1.html").is_file()  # the reports stay
    assert json.loads((dest / INDEX_STAMP).read_text(encoding="utf-8"))["pages"] == ["index.html"]
    assert (dest / "index.html").read_bytes() == (second.out_dir / "index.html").read_bytes()


def test_a_stamp_names_only_pages_inside_the_folder() -> None:
    from reportkit.batch.publish import _stamped_pages

    stamp = json.dumps({"pages": ["index.html", "phuong-1/index.html", "don-vi-phuong-duy-tan.html", "../x.html",
                                  "/etc/x.html", "a\\b.html", "report.pdf", "./index.html", "*/*.html",
                                  "2022-H1/report-2022-H1.html", "other/notes.html", ".git/index.html",
                                  "a/b/index.html", 7]})  # fmt: skip
    assert _stamped_pages(stamp) == {"phuong-1/index.html", "don-vi-phuong-duy-tan.html"}
    assert _stamped_pages(None) == _stamped_pages(b"[1]") == _stamped_pages(b"not json") == set()
    assert _stamped_pages('{"pages": "index.html"}') == set()


def test_a_hostile_list_of_pages_removes_nothing_the_index_did_not_write(tmp_path: Path) -> None:
    """An adversary's .reportkit-index.json at the destination (and in the output folder) named the index itself
    ("./index.html"), the reports' pages, another folder's file and, through a link, a file outside: all were
    removed. Only a unit page the index wrote (it carries the index's mark) may go."""
    from reportkit.batch.publish import INDEX_STAMP

    root = make_project(tmp_path / "p")
    dest = tmp_path / "web"
    assert run_batch(options(root, out=f"file://{dest}/")).exit_code == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.html").write_text("not ours")
    (dest / "linked").symlink_to(outside)
    (dest / "other").mkdir()
    (dest / "other/index.html").write_text("someone's page")
    (dest / "phuong-9").mkdir()
    (dest / "phuong-9/index.html").write_text("a report, not an index page")
    planted = ["index.html", "./index.html", "2022-H1/report-2022-H1.html", "linked/index.html",
               "other/index.html", "phuong-9/index.html", "*/*.html"]  # fmt: skip
    (dest / INDEX_STAMP).write_text(json.dumps({"digest": "x", "pages": planted}))
    before = files_under(dest)
    local = root / "outputs"
    assert run_batch(options(root, out=local)).exit_code == 0
    (local / "other").mkdir()
    (local / "other/index.html").write_text("someone's page")
    (local / INDEX_STAMP).write_text(json.dumps({"digest": "x", "pages": planted}))
    assert run_batch(options(root, out=f"file://{dest}/", force=True)).exit_code == 0
    assert set(files_under(dest)) == set(before)  # every file still there (the reports made again)
    for kept in ("other/index.html", "phuong-9/index.html"):
        assert (dest / kept).read_bytes() == before[kept]
    assert (outside / "index.html").read_text() == "not ours"
    assert run_batch(options(root, out=local, force=True)).exit_code == 0
    assert (local / "other/index.html").read_text() == "someone's page"
    assert (local / "2022-H1/report-2022-H1.html").is_file() and (local / "index.html").is_file()
