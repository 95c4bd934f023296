"""House rules of the repository that a reviewer would otherwise check by hand."""

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "tests").rglob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_are_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} carry outputs or execution counts; clear them before committing"
    )


def test_report_notebook_has_a_parameters_cell():
    nb = nbformat.read(ROOT / "notebooks" / "report.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assert "period" in tagged[0].source and "data" in tagged[0].source


def test_outputs_holds_no_tracked_file_but_the_placeholder():
    tracked = subprocess.run(
        ["git", "ls-files", "outputs"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked in ([], ["outputs/.gitkeep"])


def _requirement(text: str) -> tuple[str, str]:
    """("papermill", ">=2.6") from "papermill>=2.6"; extras dropped ("psycopg[binary]>=3.1" → psycopg)."""
    match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)(?:\[[^]]*\])?\s*(.*?)\s*", text)
    assert match, text
    return match.group(1).lower(), match.group(2).replace(" ", "")


def test_environment_yml_matches_the_pip_dependencies():
    """Windows analysts use conda: the conda-forge environment carries every dependency, with the same floor."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    conda = dict(
        _requirement(dep)
        for dep in yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
        if isinstance(dep, str)
    )
    aliases = {"matplotlib": "matplotlib-base", "dask": "dask-core"}
    wanted = [
        *project["dependencies"],
        *(d for extra in project["optional-dependencies"].values() for d in extra),
    ]
    assert conda.get("python") == project["requires-python"]
    for requirement in wanted:
        name, floor = _requirement(requirement)
        conda_name = aliases.get(name, name)
        assert conda_name in conda, f"{name} is missing from environment.yml"
        assert conda[conda_name] == floor, (
            f"environment.yml: {conda_name}{conda[conda_name]}, pyproject: {floor}"
        )


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_package_ships_and_the_license_is_declared_without_deprecations():
    """A package forgotten in pyproject's explicit list would be missing from the wheel, not from the checkout."""
    setuptools = _pyproject()["tool"]["setuptools"]
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "reportkit").rglob("__init__.py")}
    assert on_disk | {"reportkit._sample"} == set(setuptools["packages"])
    assert (
        "py.typed" in setuptools["package-data"]["reportkit"] and (ROOT / "reportkit" / "py.typed").is_file()
    )
    project = _pyproject()["project"]
    assert isinstance(project["license"], str)  # an SPDX expression; a table is deprecated by setuptools
    for pattern in project["license-files"]:
        assert list(ROOT.glob(pattern)), pattern
    (floor,) = [r for r in _pyproject()["build-system"]["requires"] if r.startswith("setuptools")]
    assert floor == "setuptools>=77"  # the first setuptools that reads an SPDX license and license-files


def test_the_wheel_ships_what_reportkit_init_copies():
    """The sample project's files come from the checkout or from the wheel's package data: the same patterns."""
    from reportkit.project import SAMPLE_FILES, sample_files

    shipped = _pyproject()["tool"]["setuptools"]["package-data"]["reportkit._sample"]
    assert _pyproject()["tool"]["setuptools"]["package-dir"]["reportkit._sample"] == "."
    assert sorted(shipped) == sorted(SAMPLE_FILES)
    files = {p.as_posix() for p in sample_files(ROOT)}
    tracked = set(
        subprocess.run(
            ["git", "ls-files", *SAMPLE_FILES], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert files == tracked
    assert {"notebooks/report.ipynb", "data/duy-tan/ward.yaml", "data/duy-tan/catalog.yaml"} <= files


@pytest.mark.parametrize(
    "statement",
    [
        "import reportkit.narrative",
        "import reportkit.narrative.phrasing",
        "from reportkit.narrative import counted, document, key_figures, record, sources, compare_same_period",
        "import reportkit.narrative.magic",
        "import reportkit.project",
    ],
)
def test_narrative_imports_neither_pandas_nor_matplotlib(statement):
    code = f"import json, sys; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = {name.split(".")[0] for name in json.loads(out)}
    assert not loaded & {"pandas", "matplotlib", "numpy"}


def test_a_table_or_a_chart_brings_what_it_needs():
    code = (
        "import json, sys; import reportkit.narrative as n; n.unit_table; a = 'pandas' in sys.modules; "
        "n.bar_chart; print(json.dumps([a, 'matplotlib' in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [True, True]


def test_params_files_exist_for_the_sample_periods():
    names = {p.stem for p in (ROOT / "params").glob("*.yaml")}
    assert {"2021-H2", "2022-H1", "2022-H2", "2023-H1"} <= names


def test_narrative_names_are_the_helpers_whatever_was_imported_first():
    """The function ``record`` shares its name with its module; importing the module must not shadow it."""
    code = (
        "import reportkit.narrative.tables, reportkit.narrative.record, reportkit.narrative as n; "
        "from reportkit.narrative import record, unit_table; "
        "print(callable(record), callable(unit_table), sorted(set(n.__all__) - set(dir(n))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "[]"]


def test_the_suite_fails_when_a_command_leaves_an_orphan_behind(tmp_path):
    """The guard in conftest.py sees a process whose parent already exited (re-parented to the session, not to
    PID 1): what a killed runner's workers and kernels were."""
    shutil.copy(Path(__file__).with_name("conftest.py"), tmp_path / "conftest.py")
    (tmp_path / "test_leak.py").write_text(
        "import subprocess\n\n\ndef test_leak():\n    subprocess.run(['sh', '-c', 'sleep 93 &'], check=True)\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", "/dev/null", "--rootdir",
         str(tmp_path), str(tmp_path / "test_leak.py")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "REPORTKIT_TEST_EXIT_GRACE": "1"},
    )  # fmt: skip
    assert run.returncode != 0, run.stdout
    assert "processes outlived the test session" in run.stdout and "sleep 93" in run.stdout, run.stdout
