"""``reportkit init`` and the project a command runs in (``reportkit template`` without --catalog)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

import reportkit
from reportkit import project
from reportkit.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """One project made by the command, shared by the tests that only read it."""
    target = tmp_path_factory.mktemp("init") / "bao-cao-phuong"
    assert main(["init", str(target)]) == 0
    return target


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_init_makes_a_project_of_the_sample_with_blank_workbooks_and_a_readme(made, capsys):
    files = _files(made)
    sample = {p.as_posix() for p in project.sample_files(ROOT)}
    blanks = {f"data/duy-tan/bieu-mau/2024/to-{n:02d}-2024.xlsx" for n in range(1, 11)}
    assert files == sample | blanks | {"README.md", ".gitignore"}
    for rel in sample:  # the sample's own bytes: `reportkit run` builds the sample's reports
        assert (made / rel).read_bytes() == (ROOT / rel).read_bytes(), rel
    readme = (made / "README.md").read_text(encoding="utf-8")
    assert "Phường Duy Tân" in readme and "reportkit run" in readme and "bieu-mau/2024" in readme
    assert "Make it yours" in readme and "Dùng cho đơn vị của mình" in readme
    assert "/outputs/" in (made / ".gitignore").read_text(encoding="utf-8")


def test_a_blank_workbook_names_its_tổ_and_year_and_holds_no_figure(made):
    sheet = load_workbook(made / "data/duy-tan/bieu-mau/2024/to-03-2024.xlsx")["Số liệu"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("Tổ dân phố:", "Tổ 3") and rows[2][:2] == ("Năm:", 2024)
    months = [row for row in rows if isinstance(row[0], int | str) and str(row[0]).strip().isdigit()]
    assert months and all(v is None for row in months for v in row[1:])


def test_the_project_loads_the_sample_figures_and_not_the_blank_workbooks(made, monkeypatch):
    monkeypatch.chdir(made)
    ds = reportkit.load("data/duy-tan")
    assert ds.figures("2022-H1").tuyen_truyen_luot == 1236
    assert not [s.path for s in ds.sources if "bieu-mau" in s.path]
    assert [s.path for s in ds.sources][:2] == ["data/duy-tan/ward.yaml", "data/duy-tan/catalog.yaml"]


def test_init_refuses_a_folder_that_is_not_empty_and_writes_nothing(tmp_path, capsys):
    target = tmp_path / "x"
    target.mkdir()
    (target / "notes.txt").write_text("của tôi", encoding="utf-8")
    assert main(["init", str(target)]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and str(target) in err
    assert _files(target) == {"notes.txt"} and sorted(p.name for p in tmp_path.iterdir()) == ["x"]
    (tmp_path / "file").write_text("", encoding="utf-8")
    assert main(["init", str(tmp_path / "file")]) == 2
    assert "is a file" in capsys.readouterr().err


def test_init_fills_an_empty_folder_and_takes_the_year_of_the_blank_workbooks(tmp_path, capsys):
    target = tmp_path / "empty"
    target.mkdir()
    assert main(["init", str(target), "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "Next: cd" in out and "bieu-mau/2026" in out
    assert len(list((target / "data/duy-tan/bieu-mau/2026").glob("to-*-2026.xlsx"))) == 10
    assert main(["init", str(tmp_path / "y"), "--year", "20260"]) == 2
    assert "year 20260" in capsys.readouterr().err and not (tmp_path / "y").exists()


def test_a_failed_init_leaves_nothing_behind(tmp_path, monkeypatch):
    from reportkit.data import template

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(template, "write_template", disk_full)
    assert main(["init", str(tmp_path / "x")]) == 2
    assert list(tmp_path.iterdir()) == []  # neither the project nor its staging folder


def test_unit_file_names_follow_the_sample():
    assert [project.unit_file_stem(u) for u in ("Tổ 1", "Tổ 10", "Tổ dân phố 7", "Khu Đông")] == [
        "to-01",
        "to-10",
        "to-dan-pho-07",
        "khu-dong",
    ]


def test_template_uses_the_catalog_of_the_project_it_runs_in_and_says_so(made, monkeypatch, capsys):
    monkeypatch.chdir(made / "notebooks")
    assert main(["template", "--unit", "tổ 3", "--year", "2025"]) == 0
    assert "catalog: ../data/duy-tan/catalog.yaml" in capsys.readouterr().out
    written = made / "notebooks" / "bieu-mau-to-3-2025.xlsx"
    assert (
        load_workbook(written)["Số liệu"]["B2"].value == "Tổ 3"
    )  # the ward's own spelling: its ward.yaml was read
    written.unlink()


def test_template_outside_a_project_needs_a_catalog(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["template", "--unit", "Tổ 3", "--year", "2024"]) == 2
    err = capsys.readouterr().err
    assert "no reportkit project found" in err and "--catalog" in err and "reportkit init" in err
    assert list(tmp_path.iterdir()) == []


def _two_wards(root: Path) -> Path:
    for folder in ("params", "notebooks"):
        (root / folder).mkdir(parents=True)
    for ward in ("an-hai", "duy-tan"):
        (root / "data" / ward).mkdir(parents=True)
        for name in ("ward.yaml", "catalog.yaml"):
            (root / "data" / ward / name).write_bytes((ROOT / "data/duy-tan" / name).read_bytes())
    return root


def test_template_in_a_project_of_several_wards_asks_which(tmp_path, monkeypatch, capsys):
    root = _two_wards(tmp_path / "tinh")
    monkeypatch.chdir(root / "params")
    assert main(["template", "--year", "2024"]) == 2
    err = capsys.readouterr().err
    assert "several wards" in err and "data/an-hai" in err and "data/duy-tan" in err and "--catalog" in err
    # inside one ward's folder, that ward is meant
    monkeypatch.chdir(root / "data" / "an-hai")
    assert main(["template", "--year", "2024", "-o", "t.xlsx"]) == 0
    assert "catalog: catalog.yaml" in capsys.readouterr().out


def test_a_project_without_a_ward_says_so(tmp_path, monkeypatch, capsys):
    for folder in ("params", "notebooks", "data"):
        (tmp_path / folder).mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["template"]) == 2
    assert "no ward folder" in capsys.readouterr().err
