"""A secret never reaches a file the runner writes or a line it prints (issue 11): in outputs/, in .reportkit-cache/
(failed notebooks, params cache), in the --json summary and on the terminal, after a successful and after a failed
run, whatever form the secret takes (URL user info, query string, percent-encoded, printed in pieces by a cell).

`grep -r S3cr outputs/ .reportkit-cache/` is the check: every secret below holds "S3cr", in every form it can take.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest
from conftest import TINY_NOTEBOOK, make_tiny_project

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("stable_code_digest")]

REPO = Path(__file__).resolve().parents[1]
MARK = "S3cr"
# Declared secret; user info and query password both percent-encoded, in lower case ("%2f") as people type them.
TOKEN = "postgresql://reporter:Kin%2fS3cr%40t-pw@db.phuong.vn/ward?sslmode=require&password=Qu3ry-S3cr%2bt"
# Not declared secret: a URL's credentials are secret anyway.
MIRROR = "s3://reports?access_key=AK1&secret_key=Mirr0r-S3cret-key"

LEAKY_CELL = """\
import sys, time, urllib.parse as up
from IPython.display import HTML, Markdown, display
if token:
    sys.stdout.write(token[:30]); sys.stdout.flush(); time.sleep(0.3); sys.stdout.write(token[30:] + "\\n")
    print("query as written:", up.urlsplit(token).query)
    print("password:", up.unquote(up.urlsplit(token).password), repr(token))
    print("mirror secret:", dict(up.parse_qsl(up.urlsplit(mirror).query))["secret_key"])
    display(HTML(f"<p>{token}</p>"), Markdown(f"nguồn: `{token}`"))
    if fail_on == "leak":
        raise ConnectionError(f"cannot connect to {token}: password {up.unquote(up.urlsplit(token).password)!r}")
"""


def leaky_project(root: Path) -> Path:
    make_tiny_project(root, {"2022-H1": 1236})
    nb = nbformat.read(TINY_NOTEBOOK, as_version=4)
    nb.cells[1].source += '\ntoken = ""\nmirror = ""\n'
    nb.cells.insert(3, nbformat.v4.new_code_cell(LEAKY_CELL))
    record = nb.cells[-1]
    record.source = record.source.replace(
        '"label": "Lượt người dân dự tuyên truyền"', '"label": f"Lượt {token}"'
    )
    assert "{token}" in record.source  # the record (JSON sidecar, page, index) carries it too
    nbformat.write(nb, root / "notebooks" / "report.ipynb")
    path = root / "params" / "2022-H1.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + f"token: '{TOKEN}'\nmirror: '{MIRROR}'\nsecret: [token]\n",
        encoding="utf-8",
    )
    return root


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", "run", "--root", str(root), "--jobs", "1", "--json", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=root,
    )


def leaks(root: Path, *texts: str) -> list[str]:
    """Every file under outputs/ and .reportkit-cache/ (and every given text) holding the mark."""
    found = [
        str(p.relative_to(root))
        for top in ("outputs", ".reportkit-cache")
        for p in (root / top).rglob("*")
        if p.is_file() and MARK.encode() in p.read_bytes()
    ]
    return found + [f"printed: …{t[t.index(MARK) - 40 : t.index(MARK) + 20]}…" for t in texts if MARK in t]


def test_no_secret_in_any_file_or_line_after_a_good_and_a_failed_run(tmp_path):
    root = leaky_project(tmp_path)
    good = cli(root, "--to", "html,pdf,article")
    assert good.returncode == 0, good.stderr
    page = (root / "outputs/2022-H1/report-2022-H1.html").read_text(encoding="utf-8")
    assert "<p>***</p>" in page  # a value declared secret is masked whole, wherever the notebook shows it
    assert leaks(root, good.stdout, good.stderr) == []
    path = root / "params" / "2022-H1.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "fail_on: leak\n", encoding="utf-8")
    bad = cli(root, "--to", "html", "--force")
    assert bad.returncode == 1, bad.stderr
    assert "ConnectionError: cannot connect to ***: password '***'" in bad.stderr
    assert list((root / ".reportkit-cache/failed").rglob("*.ipynb"))  # the failed notebook is kept, scrubbed
    assert leaks(root, bad.stdout, bad.stderr) == []


# --- the real notebook, the password of a PostgreSQL URL ----------------------------------------------------------


def sample_project(root: Path, data: str) -> Path:
    for folder in ("params", "notebooks", "data"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "notebooks" / "report.ipynb", root / "notebooks" / "report.ipynb")
    (root / "params" / "2022-H1.yaml").write_text(
        f"period: 2022-H1\ndata: '{data}'\ndocument_number: 47\nsecret: [data]\n", encoding="utf-8"
    )
    return root


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://reporter:Kin-S3cr%40t@127.0.0.1:1/ward",
        "postgresql://reporter@127.0.0.1:1/ward?password=Kin-S3cr%40t",
        "postgresql+psycopg://reporter:Kin-S3cr%40t@127.0.0.1:1/ward?sslmode=disable&password=Kin-S3cr%40t",
    ],
    ids=["userinfo", "query", "both"],
)
def test_a_failing_postgresql_connection_leaks_nothing(tmp_path, url):
    root = sample_project(tmp_path, url)  # nothing listens on port 1: the connection fails at once
    proc = cli(root, "--to", "html")
    assert proc.returncode == 1, proc.stderr
    assert (
        "ConnectionError: cannot connect to postgresql" in proc.stderr and "Connection refused" in proc.stderr
    )
    assert leaks(root, proc.stdout, proc.stderr) == []


def test_a_good_postgresql_run_leaks_nothing(tmp_path):
    url = os.environ.get("REPORTKIT_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("REPORTKIT_TEST_POSTGRES_URL is not set (.ci/run sets it)")
    import sqlalchemy as sa

    import reportkit

    parsed = sa.engine.make_url(url)
    password = parsed.password or ""
    if MARK not in password:
        pytest.skip(
            f"the test database's password holds no {MARK!r} to look for (a role of its own shows it)"
        )
    reportkit.load(REPO / "data" / "duy-tan").to_sql(url, replace=True)
    user, host = parsed.username, f"{parsed.host}:{parsed.port or 5432}"
    written = quote(password, safe="")  # the password as a URL writes it
    for form in (f"postgresql://{user}:{written}@{host}/{parsed.database}",
                 f"postgresql://{user}@{host}/{parsed.database}?password={written}"):  # fmt: skip
        root = sample_project(tmp_path / form.split(":")[1].strip("/")[:8], form)
        proc = cli(root, "--to", "html,pdf")
        assert proc.returncode == 0, proc.stderr
        assert leaks(root, proc.stdout, proc.stderr) == []


@pytest.mark.parametrize(
    "value",
    [
        "['postgresql://reporter:Kin-S3cr%40t@127.0.0.1:1/ward']",  # a list where a URL was meant
        "{url: 'postgresql://reporter@127.0.0.1:1/ward?password=Kin-S3cr%40t'}",
    ],
    ids=["list", "mapping"],
)
def test_a_secret_of_the_wrong_type_is_not_quoted_in_the_problem(tmp_path, value):
    root = sample_project(tmp_path, "x")
    path = root / "params" / "2022-H1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("data: 'x'", f"data: {value}"), encoding="utf-8")
    proc = cli(root, "--to", "html")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert (
        "data: expected a folder (relative to the project root) or a SQLAlchemy URL, got"
        in proc.stdout + proc.stderr
    )
    assert leaks(root, proc.stdout, proc.stderr) == []
    check = subprocess.run([sys.executable, "-m", "reportkit.cli", "check", "--root", str(root)],
                           capture_output=True, text=True, timeout=300, cwd=root)  # fmt: skip
    assert check.returncode == 2 and "data" in check.stdout
    assert leaks(root, check.stdout, check.stderr) == []


def test_reportkit_check_on_a_database_it_cannot_reach_leaks_nothing(tmp_path):
    root = sample_project(tmp_path, "postgresql://reporter:Kin-S3cr%40t@127.0.0.1:1/ward")
    proc = subprocess.run([sys.executable, "-m", "reportkit.cli", "check", "--root", str(root)],
                          capture_output=True, text=True, timeout=300, cwd=root)  # fmt: skip
    assert "postgresql://reporter:***@127.0.0.1:1/ward" in proc.stdout, proc.stdout
    assert leaks(root, proc.stdout, proc.stderr) == []


def test_a_secret_data_folder_is_masked_as_written_and_relative_to_the_project(tmp_path):
    """``data: data/mk-S3cr…`` with ``secret: [data]``: the params layer holds the folder's absolute path, but the
    page ("thư mục data/mk-…"), the record, the notebook and the manifest name it relative to the project."""
    root = sample_project(tmp_path, "data/mk-S3crZq9xW2")
    shutil.copytree(REPO / "data" / "duy-tan", root / "data" / "mk-S3crZq9xW2")
    proc = cli(root, "--to", "html")
    assert proc.returncode == 0, proc.stderr
    assert leaks(root, proc.stdout, proc.stderr) == []
    check = subprocess.run([sys.executable, "-m", "reportkit.cli", "check", "--root", str(root)],
                           capture_output=True, text=True, timeout=300, cwd=root)  # fmt: skip
    assert leaks(root, check.stdout, check.stderr) == []
