"""The shared contracts of reportkit.core: one exception family, one clock, atomic files, redaction, the params
schema and the report record — each behaviour a caller in another room relies on."""

from __future__ import annotations

import datetime as dt
import os
import pickle
from pathlib import Path

import hypothesis
import hypothesis.strategies
import pytest

from reportkit.core import atomic, clock, redact
from reportkit.core import params as schema
from reportkit.core import record as report
from reportkit.core.errors import Problem, ReportkitError, problem_json


def _family():
    """One instance of every exception class reportkit raises on purpose, built the way its room builds it."""
    from reportkit.batch import ParamsError, RunLocked, SetupError
    from reportkit.batch import params as batch_params
    from reportkit.batch.remote import PublishError, RemoteSetupError
    from reportkit.data import DataError
    from reportkit.data import Problem as DataProblem
    from reportkit.export import ExportError, GlyphError, IndexPageError
    from reportkit.narrative import NarrativeError
    from reportkit.project import ProjectError

    return [
        DataError(
            [DataProblem("non_numeric", "to-03.xlsx", "Số liệu", 9, "Số buổi", "mười", "một số", cell="E9")]
        ),
        ParamsError([batch_params.Problem("params/2022-H1.yaml", "period", "not a period")]),
        schema.ParameterError([("issued_on", "expected a date YYYY-MM-DD, got '24/06/2022'")]),
        report.RecordError(["document: missing keys title"], "report.ipynb"),
        NarrativeError("Ô %%report, dòng 4: UndefinedError", line=4, expression="{{ f.x }}"),
        ExportError("cell 3: ValueError: x"),
        GlyphError({"😀": "… 😀 …"}, "Liberation Serif", [Path("a.ttf")]),
        IndexPageError("entry 0: run_id"),
        SetupError("the notebook x does not exist"),
        RunLocked("another reportkit run is writing to outputs"),
        RemoteSetupError("--out s3://b: needs s3fs"),
        PublishError("s3://b/2022-H1: failed"),
        ProjectError("no reportkit project here (a folder holding params/ and notebooks/)"),
    ]


@pytest.mark.parametrize("error", _family(), ids=lambda e: type(e).__name__)
def test_every_error_is_a_reportkit_error_that_survives_pickling(error):
    """A worker process or a Dask worker hands errors back to the runner by pickling them."""
    assert isinstance(error, ReportkitError)
    assert error.problems, "every error lists at least one problem"
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error)
    assert [str(p) for p in again.problems] == [str(p) for p in error.problems]
    assert again.__dict__ == error.__dict__


def test_problems_become_json_with_their_location():
    from reportkit.data import Problem as DataProblem

    data = problem_json(
        DataProblem("negative", "to-03.xlsx", "Số liệu", 9, "Số buổi", -2, "số ≥ 0", cell="E9")
    )
    assert data["file"] == "to-03.xlsx" and data["cell"] == "E9" and data["value"] == -2
    assert "to-03.xlsx, trang Số liệu, dòng 9, ô E9 (Số buổi)" in data["message"]
    assert problem_json(Problem("a.yaml: period", "sai")) == {"where": "a.yaml: period", "message": "sai"}


def test_the_clock_honours_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1656032400")  # 2022-06-24 01:00 UTC
    assert clock.reproducible()
    assert clock.now() == dt.datetime(2022, 6, 24, 8, 0, tzinfo=clock.VIETNAM)
    assert clock.shown() == "08:00, ngày 24/06/2022"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "hôm qua")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        clock.now()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert not clock.reproducible() and clock.now().utcoffset() == dt.timedelta(hours=7)


def test_times_are_shown_in_vietnam_whatever_the_machine_zone():
    assert clock.shown("2022-06-23T20:30:00+00:00") == "03:30, ngày 24/06/2022"


def test_atomic_write_replaces_whole_and_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "index.html"
    target.write_text("bản cũ", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_text("nửa chừ", encoding="utf-8")
        raise RuntimeError("disk gone")
    assert target.read_text(encoding="utf-8") == "bản cũ"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]
    atomic.write_atomic(target, "bản mới")
    assert target.read_text(encoding="utf-8") == "bản mới"
    assert target.stat().st_mode & 0o777 == 0o666 & ~atomic.umask()
    atomic.write_atomic(tmp_path / "private.pickle", b"x", mode=None)
    assert (tmp_path / "private.pickle").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "private.pickle"]


SECRET_URL = "postgresql://reporter:Mk%40t-kh%C3%A2u@db.phuong.vn:5432/ward?sslmode=require&password=k1n-d40"


@pytest.mark.parametrize(
    "leak",
    [
        SECRET_URL,
        "Mk@t-khâu",  # the password, decoded
        "Mk%40t-kh%C3%A2u",  # as the URL writes it
        "k1n-d40",  # a query-string password
        "Mk%40t-kh%C3%A2u".replace("%", "%25"),  # percent-encoded once more (a URL inside a URL)
        "Mk@t-kh\\u00e2u",  # JSON with ensure_ascii
        "Mk@t-kh&acirc;u".replace("&acirc;", "â"),
    ],
)
def test_a_secret_is_masked_in_every_form_it_takes(leak):
    r = redact.Redactor([SECRET_URL])
    text = f"psycopg.OperationalError: connection failed: {leak} — retry"
    assert not r.found(r.text(text)) and leak not in r.text(text)
    assert "***" in r.text(text)


def test_a_url_password_is_masked_as_the_url_writes_it_too():
    # Lower-case escapes ("%2f") are what a person types; quote() would only ever produce "%2F".
    r = redact.Redactor(["postgresql://an:Kin%2fS3cr@db/ward?sslmode=require&password=Qu%2bry-k1n"])
    for leak in ("Kin%2fS3cr", "Kin/S3cr", "Kin%2FS3cr", "Qu%2bry-k1n", "Qu+ry-k1n", "Qu%2Bry-k1n"):
        assert leak not in r.text(f"psql: {leak} rejected"), leak
    # SQLAlchemy reads a password up to the "@" before the host, "#" and "/" included: so does the redactor.
    assert redact.url_credentials("postgresql://u:a#b/c@h/d?x=1") == ["a#b/c"]
    assert redact.url_credentials("data/duy-tan") == []


def test_masking_a_notebook_keeps_its_json_valid():
    # A URL at the end of a JSON string is followed by \" or \n: the escape is not part of the URL.
    import json

    nb = {
        "source": ['mirror = "s3://r?access_key=AK1&secret_key=abc-123"\n'],
        "u": "postgresql://u:pw1@h/d?password=pw2",
    }
    masked = json.loads(redact.Redactor(["abc-123"]).text(json.dumps(nb)))
    assert masked == {"source": ['mirror = "s3://r?access_key=***&secret_key=***"\n'],
                      "u": "postgresql://u:***@h/d?password=***"}  # fmt: skip


def test_a_secret_path_is_masked_as_written_resolved_and_relative_to_the_project(tmp_path):
    # The params layer holds a data folder's absolute path; the page names it "data/mk-Zq9xW2", the kernel
    # "../data/mk-Zq9xW2", a link's target is its resolved form: every one of them is the secret.
    root = tmp_path / "du-an"
    for folder in ("params", "notebooks", "data/real-Qx7"):
        (root / folder).mkdir(parents=True)
    (root / "data/mk-Zq9xW2").symlink_to(root / "data/real-Qx7", target_is_directory=True)
    folder = str(root / "data/mk-Zq9xW2")
    database = f"sqlite:///{root}/data/mk-Zq9xW2.db?unit=duy-tan"
    for r in (redact.Redactor([folder, database]), redact.Redactor([folder, database], root=root)):
        assert (
            r.text("thư mục data/mk-Zq9xW2, tệp ../data/mk-Zq9xW2/ward.yaml")
            == "thư mục ***, tệp ../***/ward.yaml"
        )
        assert "Zq9" not in r.text(f"{folder} {root}/data/real-Qx7/ward.yaml data/real-Qx7")
        assert "Zq9" not in r.text(
            "sqlite:///data/mk-Zq9xW2.db?unit=duy-tan; data/mk-Zq9xW2.db#bao_cao[duy-tan]"
        )
    assert redact.Redactor([folder]).text("data/ward, Phường Duy Tân") == "data/ward, Phường Duy Tân"


def test_paths_below_the_project_lose_the_machine_part(tmp_path):
    r = redact.Redactor([], root=tmp_path)
    assert r.text(f'{{"path": "{tmp_path}/data/ward.yaml"}}') == '{"path": "data/ward.yaml"}'
    assert r.text(f"cd {tmp_path}") == "cd ."
    assert r.text(f"{tmp_path}-old/data/x.xlsx") == f"{tmp_path}-old/data/x.xlsx"  # another folder
    assert r.text("Phường Duy Tân") == "Phường Duy Tân"


def test_redactor_masks_trees_and_bytes_and_leaves_other_text_alone():
    r = redact.Redactor(["s3cr3t-token", "ab"])  # two letters are too short to mask safely
    tree = {"data": "x?token=s3cr3t-token", "note": ["about ab and s3cr3t-token"]}
    assert r.tree(tree) == {"data": "x?token=***", "note": ["about ab and ***"]}
    assert r.bytes("Tổ 1 s3cr3t-token".encode()) == "Tổ 1 ***".encode()
    assert r.bytes(b"\xff\xfe binary s3cr3t-token") == b"\xff\xfe binary ***"
    assert not redact.Redactor([]) and redact.Redactor([]).text("Phường Duy Tân") == "Phường Duy Tân"


def test_urls_lose_their_credentials_wherever_they_are():
    assert (
        redact.mask_url("s3://bucket/x?X-Amz-Signature=abc&part=1")
        == "s3://bucket/x?X-Amz-Signature=***&part=1"
    )
    assert redact.mask_url("sqlite:///ward.db") == "sqlite:///ward.db"
    assert redact.mask_urls("see postgresql://u:p4ss@h/d and sqlite:///x.db") == (
        "see postgresql://u:***@h/d and sqlite:///x.db"
    )


@hypothesis.given(hypothesis.strategies.text(alphabet='aZ9+.-:/@?=& "\\xé', max_size=60))
def test_urls_in_a_text_are_those_the_url_pattern_finds(text):
    # mask_urls scans from each "://" (a base64 chart made the pattern alone cost a second per notebook);
    # what it masks is exactly what the pattern matches.
    expected = redact._URL_IN_TEXT.sub(lambda m: redact.mask_url(m.group()), text)
    assert redact.mask_urls(text) == expected


def test_a_long_run_of_letters_is_scanned_once():
    chart = "iVBORw0KGgo" + "QUJDRA9+" * 40_000  # a base64 PNG has no "://"; a URL after it is still found
    text = f"{chart} postgresql://u:p4ss@h/d"
    assert redact.mask_urls(text) == f"{chart} postgresql://u:***@h/d"


def test_paths_shown_in_shared_files_never_carry_the_machine_layout(tmp_path):
    root = tmp_path / "du-an"
    (root / "data").mkdir(parents=True)
    assert redact.shown_path(root / "data" / "ward.yaml", root) == "data/ward.yaml"
    assert redact.shown_path("/etc/secret/ward.yaml", root) == "…/secret/ward.yaml"
    assert redact.shown_path("data/ward.yaml", root) == "data/ward.yaml"
    link = tmp_path / "link"
    link.symlink_to(root, target_is_directory=True)
    assert redact.shown_path(link / "data" / "ward.yaml", root) == "data/ward.yaml"


def test_params_schema_lists_every_problem_with_its_key():
    values, problems = schema.check(
        {
            "period": "2022-H2",
            "document_number": "47",
            "issued_on": "2022-03-01",
            "signer": {"name": "", "rank": 1},
            "heading": {"motto": ""},
            "tone_style": "modern",
            "fail_on": "x",
            "texts": "params/2022-H2.txt",
        },
        where={"document_number": "periods[1].document_number"},
    )
    assert dict(problems) == {
        "texts": "expected a Markdown file ending in .md, got 'params/2022-H2.txt'",
        "periods[1].document_number": "expected a whole number from 1 to 999,999 (the 'Số' of the report) or null, got '47'",
        "issued_on": "2022-03-01 is before the period 2022-H2 starts (2022-07-01)",
        "signer.rank": "unknown signer key (expected authority, title, name)",
        "signer.name": "expected a non-empty text, got ''",
    }
    assert (
        values["heading"] == {"motto": ""} and values["tone_style"] == "modern" and values["fail_on"] == "x"
    )


def test_texts_parameter_is_a_markdown_file_or_nothing():
    for good, expected in ((None, None), ("params/2022-H1.md", "params/2022-H1.md"), (" a.MD ", "a.MD")):
        problems: list = []
        assert schema.texts(good, problems) == expected and problems == []
    for bad in ("", 5, ["a.md"], "params/2022-H1.yaml"):
        problems = []
        assert schema.texts(bad, problems) is None and problems[0][0] == "texts"


def test_the_notebook_side_and_the_batch_give_the_same_message():
    """One schema: a bad value reads the same in a params file and in a notebook call."""
    from reportkit.batch import ParamsError, load_runs
    from reportkit.narrative import document

    ward = type(
        "W",
        (),
        {"parent_body": [], "issuing_body": "B", "document_symbol": "BC-X", "national_title": "Q", "motto": "T",
         "place": "Hà Nội", "signer": {"authority": "a", "title": "t", "name": "n"}, "recipients": [],
         "name": "Phường Duy Tân"},
    )()  # fmt: skip
    with pytest.raises(schema.ParameterError) as in_notebook:
        document(ward, "2022-H1", signer={"name": "  "})
    assert str(in_notebook.value) == "signer.name: expected a non-empty text, got '  '"
    root = Path(__file__).parent / "data" / "params-schema"
    with pytest.raises(ParamsError) as in_batch:
        load_runs([root / "bad-signer.yaml"], root, {"period", "signer"})
    assert "bad-signer.yaml: signer.name: expected a non-empty text, got '  '" in str(in_batch.value)


GOOD_DOCUMENT = dict.fromkeys(report.DOCUMENT_KEYS, "x") | {
    "parent_body": ["ỦY BAN MTTQ VIỆT NAM"],
    "recipients": ["Lưu: VT."],
    "signature": {"authority": "TM. BAN THƯỜNG TRỰC", "title": "CHỦ TỊCH", "name": "A"},
}


def test_record_build_lists_every_problem_and_refuses_nan():
    with pytest.raises(report.RecordError) as info:
        report.build(document={"title": "x"}, key_figures=[{"id": "a"}], sources="data")
    message = str(info.value)
    assert "missing keys parent_body" in message and "key_figures[0]" in message and "sources" in message
    with pytest.raises(report.RecordError, match="nan"):
        report.build(
            document=GOOD_DOCUMENT,
            key_figures=[{"id": "a", "label": "A", "value": float("nan"), "text": "?"}],
            sources=[],
        )
    good = report.build(document=GOOD_DOCUMENT, key_figures=[], sources=[{"path": "a", "sha256": "b"}])
    assert report.loads(report.dumps(good)) == good


def test_record_read_merges_outputs_and_names_the_cell():
    def output(value):
        return {"output_type": "display_data", "data": {report.RECORD_MIME: value}, "metadata": {}}

    nb = {
        "cells": [
            {"cell_type": "markdown", "source": "x"},
            {"cell_type": "code", "outputs": [output({"document": {"title": "A", "unit": "P"}})]},
            {"cell_type": "code", "outputs": [output({"document": {"title": "B"}, "key_figures": []})]},
        ]
    }
    assert report.read(nb) == {"document": {"title": "B", "unit": "P"}, "key_figures": []}
    nb["cells"][2]["outputs"].append(output({"document": {"recipients": "Lưu: VT."}}))
    with pytest.raises(report.RecordError, match=r"cell 2: document.recipients: expected a list of strings"):
        report.read(nb, "report.ipynb")
    assert report.read({"cells": []}) == {}
    with pytest.raises(report.RecordError, match="not valid JSON"):
        report.loads("{", "report-2022-H1.json")


def test_a_zombie_process_counts_as_dead():
    """A killed worker whose new parent never reaps it stays a zombie: its staging folder is nobody's."""
    import subprocess
    import sys
    import time

    from reportkit.batch.store import pid_alive

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 30
        while pid_alive(child.pid) and time.monotonic() < deadline:
            time.sleep(0.05)  # it exits and, unreaped, becomes a zombie
        assert not pid_alive(child.pid)
        assert pid_alive(os.getpid())
    finally:
        child.wait()
