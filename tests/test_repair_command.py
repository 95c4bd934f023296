"""``reportkit repair FILE``: the repaired copy beside the original, the changes printed, the original untouched."""

import json
import os

import pytest

from reportkit.cli import main
from reportkit.proofread import ProofreadError, repair_file, repaired_path

DAMAGED = "Ban Thường trực Mt trn phường tiếp tc hướng dn, ch đạo t chc trin khai thc hin.\n"
REPAIRED = "Ban Thường trực Mặt trận phường tiếp tục hướng dẫn, chỉ đạo tổ chức triển khai thực hiện.\n"


def test_text_file_is_repaired_beside_the_original(tmp_path, capsys):
    source = tmp_path / "bao-cao.txt"
    source.write_text(DAMAGED, encoding="utf-8")
    assert main(["repair", str(source)]) == 0
    assert source.read_text(encoding="utf-8") == DAMAGED
    assert (tmp_path / "bao-cao.repaired.txt").read_text(encoding="utf-8") == REPAIRED
    out = capsys.readouterr().out
    assert "bao-cao.repaired.txt: 10 chỗ đã sửa" in out
    assert "dòng 1  Mt → Mặt" in out and "…Thường trực Mặt trận phường…" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bao-cao.repaired.txt", "bao-cao.txt"]


def test_markdown_keeps_its_markup_and_reports_what_it_did_not_decide(tmp_path, capsys):
    source = tmp_path / "nhan-xet.md"
    source.write_text(
        "## Kết quả\n\n**Mt trn** phường đã vận động 1200 người, xem `Mt trn`.\n", encoding="utf-8"
    )
    assert main(["repair", str(source)]) == 0
    assert repaired_path(source).read_text(encoding="utf-8") == (
        "## Kết quả\n\n**Mặt trận** phường đã vận động 1200 người, xem `Mt trn`.\n"
    )
    out = capsys.readouterr().out
    assert "Cần xem lại (1 chỗ chưa sửa):" in out and "“1.200”" in out


def test_a_damaged_word_repair_cannot_decide_is_reported_not_guessed(tmp_path, capsys):
    """From the seed: "vi" beside damaged words is found, but "với" and "vì" both fit, so it stays as written; in
    the repaired sentence it reads as a valid syllable, so only the original's findings can name it."""
    source = tmp_path / "an-ninh.txt"
    source.write_text("Nhân dân nâng cao ý thc cnh giác\nvi âm mưu Din biến hòa bình.\n", encoding="utf-8")
    assert main(["repair", str(source)]) == 0
    assert repaired_path(source).read_text(encoding="utf-8") == (
        "Nhân dân nâng cao ý thức cảnh giác\nvi âm mưu Diễn biến hòa bình.\n"
    )
    out = capsys.readouterr().out
    assert "3 chỗ đã sửa" in out
    assert "Cần xem lại (1 chỗ chưa sửa):\n  dòng 2: “vi” → “với” (âm tiết bị mất chữ)" in out


def test_json_output(tmp_path, capsys):
    source = tmp_path / "a.txt"
    source.write_text("Kp thi cng c Ban CTMT.", encoding="utf-8")
    assert main(["repair", str(source), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [(c["before"], c["after"]) for c in payload["changes"]] == [
        ("Kp", "Kịp"),
        ("thi", "thời"),
        ("cng", "củng"),
        ("c", "cố"),
    ]
    assert payload["output"].endswith("a.repaired.txt")


def test_docx_is_repaired_run_by_run(tmp_path, capsys):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph.add_run("Ban Thường trực ")
    bold = paragraph.add_run("Mt trn")
    bold.bold = True
    paragraph.add_run(" phường tiếp t")
    paragraph.add_run("c hướng dn.")  # a damaged word split over two runs
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "Kp thi cng c, kin toàn"
    source = tmp_path / "bao-cao.docx"
    document.save(source)
    before = source.read_bytes()
    assert main(["repair", str(source)]) == 0
    assert source.read_bytes() == before
    repaired = docx.Document(tmp_path / "bao-cao.repaired.docx")
    first = repaired.paragraphs[0]
    assert first.text == "Ban Thường trực Mặt trận phường tiếp tục hướng dẫn."
    assert [r.text for r in first.runs if r.bold] == ["Mặt trận"]
    assert repaired.tables[0].cell(0, 0).text == "Kịp thời củng cố, kiện toàn"
    out = capsys.readouterr().out
    assert "bảng 1, hàng 1, cột 1, đoạn 1  Kp → Kịp" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"\xff\xfe\x00\x00binary\x00", "not a text file"),
        ("Báo cáo".encode("cp1258"), "not UTF-8"),
    ],
)
def test_bad_files_are_refused_with_the_reason(tmp_path, capsys, content, message):
    source = tmp_path / "x.txt"
    if content is not None:
        source.write_bytes(content)
    assert main(["repair", str(source)]) == 2
    assert message in capsys.readouterr().err
    assert not repaired_path(source).exists()


@pytest.mark.parametrize("name", ["bao-cao.pdf", "so-lieu.xlsx", "ghi-chu"])
def test_a_file_repair_does_not_read_is_refused_and_nothing_written(tmp_path, name):
    """A text file named .pdf "repaired" as text would be a broken copy under a PDF's name."""
    source = tmp_path / name
    source.write_text("tiếp tc", encoding="utf-8")
    with pytest.raises(ProofreadError, match=r"repair reads \.txt, \.md and \.docx files"):
        repair_file(source)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_docx_that_is_not_one(tmp_path):
    pytest.importorskip("docx")
    source = tmp_path / "x.docx"
    source.write_text("not a zip", encoding="utf-8")
    with pytest.raises(ProofreadError, match=r"not a Word \.docx"):
        repair_file(source)


def test_never_overwrites_the_original(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text(DAMAGED, encoding="utf-8")
    with pytest.raises(ProofreadError, match="must not replace the original"):
        repair_file(source, output=source)
    assert source.read_text(encoding="utf-8") == DAMAGED


def test_a_failed_write_leaves_no_partial_copy(tmp_path, monkeypatch):
    source = tmp_path / "a.txt"
    source.write_text(DAMAGED, encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        repair_file(source)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_a_reader_who_stops_reading_gets_no_traceback(tmp_path):
    """``reportkit repair file | head``: the pipe closes after the first lines; the repaired copy is whole, the
    command stops quietly with the status a shell gives a command SIGPIPE stopped."""
    import subprocess
    import sys

    source = tmp_path / "dai.txt"
    # 4,000 change lines, some 280 KB: more than a pipe holds
    source.write_text(DAMAGED * 400, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportkit.cli", "repair", str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout.readline().decode("utf-8").endswith("4000 chỗ đã sửa\n")
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert repaired_path(source).read_text(encoding="utf-8") == REPAIRED * 400
