"""House rules of the repository that a reviewer would otherwise check by hand."""

import subprocess
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


def test_environment_yml_matches_the_pip_dependencies():
    """Windows analysts use conda: the conda-forge environment must carry every runtime dependency."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    conda_names = {
        str(dep).split(">")[0].split("=")[0].strip()
        for dep in yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
        if isinstance(dep, str)
    }
    aliases = {"matplotlib": "matplotlib-base", "dask": "dask-core"}
    for requirement in project["dependencies"]:
        name = requirement.split(">")[0].split("=")[0].split("[")[0].strip().lower()
        assert aliases.get(name, name) in conda_names, f"{name} is missing from environment.yml"


def test_params_files_exist_for_the_sample_periods():
    names = {p.stem for p in (ROOT / "params").glob("*.yaml")}
    assert {"2021-H2", "2022-H1", "2022-H2", "2023-H1"} <= names
