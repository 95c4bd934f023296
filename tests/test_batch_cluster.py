"""A province on a Dask cluster that shares no disk with the submitter (issue 16, point 2): the workers run in
processes that cannot read the project folder, the data are a PostgreSQL server's, and the reports come out
byte for byte as the local runner makes them.

The workers are root without a single capability (``setpriv``) and the project belongs to ``nobody`` with mode
0700: they cannot list or read it (as another user could not: this machine's Python lives under /root, which no
other user may enter, so another uid could not start the interpreter at all). They get the notebook, the sample
ward's workbooks and the analyst's texts as bytes with the tasks, reach PostgreSQL themselves, and send the files
back; the submitter commits them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pg_server
import psutil
import pytest
import sqlalchemy as sa

from reportkit.batch import BatchOptions, ReportTask, format_summary, run_batch

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("stable_code_digest")]

REPO = Path(__file__).resolve().parents[1]
WARDS = 3
PERIODS = ("2022-H1", "2022-H2")
EPOCH = "1656032400"


def _skip_reason() -> str | None:
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or shutil.which("setpriv") is None:
        return "needs root and setpriv to start workers that cannot read the project"
    return pg_server.skip_reason()


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """A project of the sample province's wards in a PostgreSQL schema of its own, plus the sample ward's folder,
    owned by nobody with mode 0700."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from reportkit.data import sample_province as sample

    root = tmp_path_factory.mktemp("cluster") / "du-an"
    with pg_server.new_schema("reportkit_cluster") as url:
        shutil.copytree(REPO / "notebooks", root / "notebooks")
        shutil.copytree(REPO / "data" / "duy-tan", root / "data" / "duy-tan")
        sample.write(WARDS, url, out=root, periods=PERIODS)
        (root / "params/2022-H1.yaml").write_text("period: 2022-H1\ndata: data/duy-tan\n", encoding="utf-8")
        (root / "params/2022-H1.md").write_text(
            (REPO / "params/2022-H1.md").read_text(encoding="utf-8"), encoding="utf-8"
        )
        os.chown(root, 65534, -1)  # nobody
        root.chmod(0o700)
        yield root, url


@contextlib.contextmanager
def workers_without_access(home: Path, n: int = 2):
    """A scheduler here and ``n`` single-threaded Dask workers in processes of their own that hold no capability
    (so no permission bypass); every one of their processes is killed on the way out."""
    import distributed

    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}  # the tasks carry the clock
    env.update(HOME=str(home), MPLCONFIGDIR=str(home / "mpl"), XDG_CACHE_HOME=str(home / "cache"),
               REPORTKIT_CACHE=str(home / "reportkit"), JUPYTER_RUNTIME_DIR=str(home / "jupyter"))  # fmt: skip
    procs: list[subprocess.Popen] = []
    logs = []
    with distributed.LocalCluster(
        n_workers=0,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
        local_directory=str(home / "dask"),
    ) as cluster:
        try:
            for i in range(n):
                log = open(home / f"worker-{i}.log", "wb")  # noqa: SIM115 — closed below
                logs.append(log)
                command = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--",
                           sys.executable, "-m", "distributed.cli.dask_worker", cluster.scheduler_address,
                           "--nthreads", "1", "--no-nanny", "--no-dashboard", "--name", f"w{i}",
                           "--local-directory", str(home / f"w{i}")]  # fmt: skip
                procs.append(
                    subprocess.Popen(
                        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                    )
                )
            with distributed.Client(cluster) as client:
                client.wait_for_workers(n, timeout=120)
                yield cluster.scheduler_address, client
        finally:
            family = []
            for proc in procs:
                with contextlib.suppress(psutil.Error):
                    family += [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
            for proc in procs:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
            _, alive = psutil.wait_procs(family, timeout=15)
            for p in alive:
                with contextlib.suppress(psutil.Error):
                    p.kill()
            psutil.wait_procs(alive, timeout=5)
            for log in logs:
                log.close()


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_workers_that_cannot_read_the_project_make_the_local_runners_reports(province, tmp_path, monkeypatch):
    root, url = province
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    password = sa.engine.make_url(url).password or ""
    params = [root / "params/province/wards.yaml", root / "params/2022-H1.yaml"]
    formats = ("html", "pdf", "docx", "article")
    local = run_batch(BatchOptions(root=root, params=params, out=tmp_path / "local", jobs=2, formats=formats))
    assert local.exit_code == 0, format_summary(local)
    assert len(local.reports) == WARDS * len(PERIODS) + 1

    with workers_without_access(tmp_path / "workers") as (address, client):
        refused = client.run(os.listdir, str(root), on_error="return")
        assert all(isinstance(e, PermissionError) for e in refused.values()), refused  # not even listed
        pids = set(client.run(os.getpid).values())
        cluster = run_batch(
            BatchOptions(
                root=root, params=params, out=tmp_path / "cluster", scheduler=address, formats=formats
            )
        )
    assert cluster.exit_code == 0, format_summary(cluster)
    assert {r.worker for r in cluster.reports} <= pids and all(r.status == "ok" for r in cluster.reports)

    made, expected = files_under(tmp_path / "cluster"), files_under(tmp_path / "local")
    assert sorted(made) == sorted(expected)
    differ = [name for name in expected if made[name] != expected[name]]
    assert not differ, f"not byte-identical: {differ}"
    assert any(name.endswith(".pdf") for name in made) and "index.html" in made
    # No output, and no line a worker printed, holds the database password.
    logs = b"".join(p.read_bytes() for p in (tmp_path / "workers").glob("worker-*.log"))
    if password and len(password) >= 3:
        leaked = [n for n, data in made.items() if f":{password}@".encode() in data]
        assert not leaked and f":{password}@".encode() not in logs
    assert b"Compute Failed" not in logs, logs.decode(errors="replace")[-3000:]  # no task raised either


def test_a_task_shows_no_secret_where_it_could_be_logged():
    """Dask and loggers print a task's repr (a failed task's arguments); the parameters and secrets stay out."""
    url = "postgresql://reporter:Kin-S3cr%40t@db.tinh.vn/province?unit=duy-tan"
    task = ReportTask(run_id="duy-tan/2022-H1", stem="report-duy-tan-2022-H1", params_file="params/p.yaml",
                      notebook="notebooks/report.ipynb", parameters={"period": "2022-H1", "data": url},
                      shown_parameters={"period": "2022-H1", "data": "***"}, secret=(url, "Kin-S3cr%40t"),
                      secret_keys=("data",))  # fmt: skip
    assert "S3cr" not in repr(task) and "S3cr" not in str(task)
    assert "duy-tan/2022-H1" in repr(task) and "'***'" in repr(task)
    assert json.dumps(task.shown_parameters).count("***") == 1
