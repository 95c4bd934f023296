"""reportkit installed from its wheel, away from the checkout: what a new user on another machine gets.

The wheel is built from a copy of the checkout's files (not ignored by git), installed into a fresh virtual
environment in a temporary folder (dependencies from pip's cache, /opt/wheels or the index), and used from an empty
folder with a minimal environment: no PYTHONPATH, a fresh HOME, PATH = the venv and the system.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Installed:
    wheel: Path
    build_log: str
    venv: Path
    env: dict[str, str]
    work: Path

    def run(self, *args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            list(args), cwd=cwd or self.work, env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def python(self, code: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return self.run(str(self.venv / "bin" / "python"), "-c", code, cwd=cwd)


def _checkout_copy(dest: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        src = ROOT / os.fsdecode(name)
        if src.is_file():  # a file deleted but not yet committed is still listed
            (dest / src.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / src.relative_to(ROOT))
    return dest


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Installed:
    base = tmp_path_factory.mktemp("install")
    # A copy: an in-tree build would reuse the checkout's build/ folder, whose stale files can end up in a wheel.
    src = _checkout_copy(base / "src")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(base / "dist"), str(src)],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = (base / "dist").glob("reportkit-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # --no-compile: byte-compiling a hundred dependencies up front is half the install; imports compile lazily.
    install = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--no-compile",
            "--disable-pip-version-check",
            str(wheel),
        ],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    (base / "home").mkdir()
    (base / "work").mkdir()
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(base / "home"),
        "LANG": "C.UTF-8",
        "REPORTKIT_CACHE": str(base / "cache"),
    }
    return Installed(wheel, build.stdout + build.stderr, venv, env, base / "work")


@pytest.fixture(scope="session")
def built_project(installed) -> Path:
    """``reportkit init x && cd x && reportkit run`` in an empty folder, as the README's quick start says."""
    init = installed.run("reportkit", "init", "x")
    assert init.returncode == 0, init.stdout + init.stderr
    project = installed.work / "x"
    run = installed.run("reportkit", "run", cwd=project, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    return project


def test_the_wheel_builds_without_a_warning_of_ours(installed):
    log = installed.build_log
    assert "BuildBackendWarning" not in log and "eprecat" not in log, log


def test_the_wheel_carries_the_sample_project_types_and_licenses_and_nothing_of_the_checkout(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert "reportkit/py.typed" in names
    assert "reportkit/_sample/notebooks/report.ipynb" in names
    assert "reportkit/_sample/notebooks/province.ipynb" in names
    assert "reportkit/_sample/data/duy-tan/ward.yaml" in names
    assert "reportkit/_sample/data/duy-tan/bao-cao/2022/to-01-2022.xlsx" in names
    assert "share/jupyter/nbconvert/templates/reportkit/index.html.j2" in {
        n.split(".data/data/", 1)[-1] for n in names
    }
    licenses = {n.rsplit("/", 1)[-1] for n in names if "/licenses/" in n}
    assert licenses == {"LICENSE", "LICENSE-LiberationSerif.txt"}
    assert not [n for n in names if n.startswith(("tests/", "bench/", "data/")) or "make_sample" in n]
    metadata = zipfile.ZipFile(installed.wheel).read(
        next(n for n in names if n.endswith(".dist-info/METADATA"))
    )
    assert b"License-Expression: MIT AND OFL-1.1" in metadata


def test_init_then_run_in_an_empty_folder_writes_the_reports(installed, built_project):
    params = sorted(p.stem for p in (built_project / "params").glob("*.yaml"))
    assert params == ["2021-H2", "2022-H1", "2022-H2", "2023-H1"]
    for period in params:
        for suffix in ("html", "pdf", "article.html", "ipynb", "json"):
            assert (built_project / "outputs" / period / f"report-{period}.{suffix}").is_file(), (
                period,
                suffix,
            )
    record = json.loads((built_project / "outputs/2022-H1/report-2022-H1.json").read_text(encoding="utf-8"))
    figures = {f["id"]: f["value"] for f in record["key_figures"]}
    assert figures["tuyen_truyen_luot"] == 1236  # the seed report's figure, from the packaged sample ward
    assert (built_project / "outputs" / "index.html").is_file()


def test_a_province_and_its_rollup_beside_the_wards_own_reports_outside_the_checkout(
    installed, built_project, tmp_path
):
    """reportkit sample province in an installed project: the roll-up notebook is there, and its reports go to
    outputs/tinh-binh-son/<kỳ>/, leaving the ward's own outputs/<kỳ>/ as they were."""
    project = tmp_path / "project"
    shutil.copytree(built_project, project, symlinks=True)
    ward_report = (project / "outputs/2022-H1/report-2022-H1.html").read_bytes()
    made = installed.run("reportkit", "sample", "province", "--wards", "3", "--sqlite", "data/province/province.db",
                         "--periods", "2022-H1", cwd=project)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert (project / "notebooks/province.ipynb").read_bytes() == (
        ROOT / "notebooks/province.ipynb"
    ).read_bytes()
    rollup = installed.run("reportkit", "run", "--notebook", "notebooks/province.ipynb", "--to", "html",
                           "params/province/province.yaml", cwd=project, timeout=600)  # fmt: skip
    assert rollup.returncode == 0, rollup.stdout + rollup.stderr
    page = (project / "outputs/tinh-binh-son/2022-H1/report-tinh-binh-son-2022-H1.html").read_text(
        encoding="utf-8"
    )
    assert "Tỉnh Bình Sơn" in page and "Phường Duy Tân" in page
    assert (project / "outputs/2022-H1/report-2022-H1.html").read_bytes() == ward_report


def test_reportkit_comes_from_the_venv_and_loads_its_packaged_sample(installed):
    code = (
        "import json, reportkit; ds = reportkit.load(); "
        "print(json.dumps([reportkit.__file__, ds.figures('2022-H1').tuyen_truyen_luot, ds.sources[0].path]))"
    )
    done = installed.python(code)
    assert done.returncode == 0, done.stderr
    where, value, first = json.loads(done.stdout)
    assert Path(where).is_relative_to(installed.venv) and value == 1236 and first == "data/duy-tan/ward.yaml"


def test_narrative_imports_neither_pandas_nor_matplotlib(installed):
    code = (
        "import json, sys; import reportkit.narrative, reportkit.narrative.phrasing; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = installed.python(code)
    assert done.returncode == 0, done.stderr
    assert not set(json.loads(done.stdout)) & {"pandas", "matplotlib", "numpy"}


def test_nbconvert_finds_the_reportkit_template(installed, built_project):
    out = installed.work / "by-hand"
    done = installed.run(
        "jupyter",
        "nbconvert",
        "--to",
        "html",
        "--template",
        "reportkit",
        "--output-dir",
        str(out),
        str(built_project / "outputs/2022-H1/report-2022-H1.ipynb"),
    )
    assert done.returncode == 0, done.stderr
    page = (out / "report-2022-H1.html").read_text(encoding="utf-8")
    assert (
        'class="rk-doc"' in page and "Trang này do reportkit" in page
    )  # the report layout, not nbconvert's lab


def test_template_runs_in_the_new_project_and_not_outside_one(installed, built_project):
    inside = installed.run("reportkit", "template", "--unit", "Tổ 3", "--year", "2025", cwd=built_project)
    assert inside.returncode == 0, inside.stderr
    assert "catalog: data/duy-tan/catalog.yaml" in inside.stdout
    assert (built_project / "bieu-mau-to-3-2025.xlsx").is_file()
    (built_project / "bieu-mau-to-3-2025.xlsx").unlink()
    outside = installed.run("reportkit", "template", cwd=installed.work)
    assert outside.returncode == 2 and "--catalog" in outside.stderr
