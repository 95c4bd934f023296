"""Params validation and expansion: every problem listed with file and key, exit 2, nothing written (no kernel)."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest

from reportkit.batch import ParamsError, load_runs
from reportkit.cli import main

NOTEBOOK = Path(__file__).parent / "data" / "notebooks" / "tiny.ipynb"
ALLOWED = {
    "period",
    "data",
    "document_number",
    "issued_on",
    "tone_style",
    "signer",
    "heading",
    "fail_on",
    "sleep",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for folder in ("params", "notebooks", "data/ward", "outputs"):
        (tmp_path / folder).mkdir(parents=True)
    shutil.copy(NOTEBOOK, tmp_path / "notebooks" / "report.ipynb")
    (tmp_path / "data/ward/ward.yaml").write_text("name: Phường Thử Nghiệm\n", encoding="utf-8")
    (tmp_path / "outputs/.gitkeep").write_text("")
    (tmp_path / "outputs/2022-H1").mkdir()
    (tmp_path / "outputs/2022-H1/report-2022-H1.html").write_text("earlier good report")
    (tmp_path / "params/2022-H1.yaml").write_text("period: 2022-H1\ndata: data/ward\n", encoding="utf-8")
    return tmp_path


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


BAD = {
    "unknown-period": ("period: 2022-H3\ndata: data/ward\n", "period", "unknown period '2022-H3'"),
    "missing-data": ("period: 2022-H2\ndata: data/khong-co\n", "data", "does not exist"),
    "wrong-type": (
        "period: 2022-H2\ndata: data/ward\ndocument_number: bốn mươi\n",
        "document_number",
        "whole number",
    ),
    "undefined-name": (
        "period: 2022-H2\ndata: data/ward\ncolour: red\n",
        "colour",
        "does not define 'colour'",
    ),
    "escape": ("period: 2022-H2\ndata: ../outside\n", "data", "outside the project"),
    "bad-date": ("period: 2022-H2\ndata: data/ward\nissued_on: 30/12/2022\n", "issued_on", "YYYY-MM-DD"),
    # the form is right, the day is not: "write YYYY-MM-DD" would send the user looking for the wrong mistake
    "no-such-day": ("period: 2022-H2\ndata: data/ward\nissued_on: 2022-11-31\n", "issued_on", "no such day"),
    "bad-heading": (
        "period: 2022-H2\ndata: data/ward\nheading: {quoc_hieu: ĐẢNG CỘNG SẢN VIỆT NAM}\n",
        "heading.quoc_hieu",
        "unknown heading key",
    ),
    "bad-tone": ("period: 2022-H2\ndata: data/ward\ntone_style: fancy\n", "tone_style", "classic, modern"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_params_exit_2_and_outputs_untouched(project: Path, case: str, capsys) -> None:
    text, key, message = BAD[case]
    (project / f"params/{case}.yaml").write_text(text, encoding="utf-8")
    before = _tree(project / "outputs")
    code = main(["run", "--root", str(project)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"params/{case}.yaml: {key}: " in err
    assert message in err
    assert _tree(project / "outputs") == before
    assert not (project / ".reportkit-cache" / "staging").exists()


def test_every_problem_in_every_file_at_once(project: Path, capsys) -> None:
    for case, (text, _, _) in BAD.items():
        (project / f"params/{case}.yaml").write_text(text, encoding="utf-8")
    (project / "params/broken.yaml").write_text("period: [2022-H1\n", encoding="utf-8")
    assert main(["run", "--root", str(project), "--json"]) == 2
    out, err = capsys.readouterr()
    for case, (_, key, message) in BAD.items():
        assert f"params/{case}.yaml: {key}: " in err and message in err
    assert "params/broken.yaml: not valid YAML: line 2" in err
    import json

    problems = json.loads(out)["problems"]
    assert len(problems) == len(BAD) + 1
    assert {"file", "key", "message"} <= set(problems[0])


def test_expansion_periods_units_and_unit_substitution(project: Path) -> None:
    for unit in ("duy-tan", "an-hai"):
        (project / f"data/{unit}").mkdir()
        (project / f"data/{unit}/ward.yaml").write_text("name: x\n")
    path = project / "params/many.yaml"
    path.write_text(
        "data: data/{unit}\ntone_style: modern\n"
        "periods: [2022-H1, {period: 2022-H2, document_number: 61, issued_on: 2022-12-20}]\n"
        "units: [duy-tan, {unit: an-hai, tone_style: classic}]\n",
        encoding="utf-8",
    )
    runs = load_runs([path], project, ALLOWED)
    assert [r.run_id for r in runs] == [
        "duy-tan/2022-H1",
        "duy-tan/2022-H2",
        "an-hai/2022-H1",
        "an-hai/2022-H2",
    ]
    assert runs[1].parameters == {
        "period": "2022-H2",
        "data": str(project / "data/duy-tan"),
        "tone_style": "modern",
        "document_number": 61,
        "issued_on": "2022-12-20",
    }
    assert runs[2].parameters["tone_style"] == "classic"
    assert runs[3].stem == "report-an-hai-2022-H2"


def test_duplicate_run_ids_and_batch_key_errors(project: Path) -> None:
    (project / "params/again.yaml").write_text("period: 2022-H1\n", encoding="utf-8")
    (project / "params/units.yaml").write_text(
        "period: 2022-H1\nunits: ['../x', {unit: ok, secret: 1}]\nsecret: [nope]\n", encoding="utf-8"
    )
    with pytest.raises(ParamsError) as info:
        load_runs(sorted((project / "params").glob("*.yaml")), project, ALLOWED)
    text = str(info.value)
    assert "params/again.yaml: period: the run '2022-H1' is also produced by params/2022-H1.yaml" in text
    assert "params/units.yaml: units[1].secret: 'secret' belongs at the top of the file" in text
    assert "params/units.yaml: units[0]: expected a unit name" in text
    assert "params/units.yaml: secret: 'nope' is not a key of this file" in text


def test_issued_before_period_and_signer_shape(project: Path) -> None:
    path = project / "params/x.yaml"
    path.write_text(
        "period: 2022-H2\nissued_on: 2022-03-01\nsigner: {title: CHỦ TỊCH, name: '', rank: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(ParamsError) as info:
        load_runs([path], project, ALLOWED)
    text = str(info.value)
    assert "issued_on: 2022-03-01 is before the period 2022-H2 starts (2022-07-01)" in text
    assert "signer.rank: unknown signer key" in text
    assert "signer.name: expected a non-empty text" in text
    assert "signer.authority" not in text  # a key left out keeps the ward's value


def test_partial_signer_passes_and_empty_signer_is_refused(project: Path) -> None:
    path = project / "params/p.yaml"
    path.write_text("period: 2022-H1\nsigner: {name: Nguyễn Văn B}\n", encoding="utf-8")
    (run,) = load_runs([path], project, ALLOWED)
    assert run.parameters["signer"] == {"name": "Nguyễn Văn B"}
    path.write_text("period: 2022-H1\nsigner: {}\n", encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_runs([path], project, ALLOWED)
    assert "signer: expected at least one of authority, title, name" in str(info.value)


def test_yaml_dates_and_year_period_are_normalised(project: Path) -> None:
    path = project / "params/y.yaml"
    path.write_text("period: 2022\nissued_on: 2022-12-28\nsigner: null\n", encoding="utf-8")
    (run,) = load_runs([path], project, ALLOWED)
    assert run.parameters == {"period": "2022", "issued_on": "2022-12-28", "signer": None}


def test_unreachable_scheduler_is_a_setup_error_before_anything_runs(project: Path, capsys) -> None:
    import socket

    with socket.socket() as probe:  # a local port nobody listens on
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    before = _tree(project / "outputs")
    assert main(["run", "--root", str(project), "--scheduler", address]) == 2
    err = capsys.readouterr().err
    assert f"--scheduler {address}: no Dask scheduler answered" in err
    assert "Traceback" not in err
    assert _tree(project / "outputs") == before


@pytest.mark.parametrize("answer", [None, b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n"])
def test_a_port_that_is_not_a_dask_scheduler_is_a_setup_error_in_time(answer: bytes | None) -> None:
    """A port that accepts and stays silent (the dashboard, an HTTP server waiting for its request) kept Client()
    waiting for ever; one answering in another protocol made distributed raise MemoryError, a traceback."""
    import socket
    import threading
    import time

    from reportkit.batch.plan import SetupError, _check_scheduler

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = server.accept()
            with conn:
                if answer:
                    conn.sendall(answer)
                time.sleep(3)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        with pytest.raises(SetupError, match="no Dask scheduler answered"):
            _check_scheduler(address, timeout=1.0)
    finally:
        server.close()
    assert time.monotonic() - started < 2.5


def test_no_project_and_missing_notebook(tmp_path: Path, capsys) -> None:
    assert main(["run", "--root", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_warmup_imports_come_from_the_notebook() -> None:
    import json

    from reportkit.batch.kernels import notebook_imports, warmup_code

    modules = notebook_imports(json.loads(NOTEBOOK.read_text(encoding="utf-8")))
    assert modules[:4] == ["json", "pathlib", "time", "matplotlib.pyplot"]
    assert {"IPython.display", "pandas", "matplotlib", "sys", "hashlib"} <= set(modules)
    code = warmup_code(["pandas", "no_such_module_xyz"])
    namespace: dict = {}
    exec(code, namespace)  # a module that cannot be imported is left to its own cell to report
    assert "_rk_il" not in namespace


def test_staging_commit_replaces_all_files_and_drops_stale_formats(tmp_path: Path) -> None:
    from reportkit.batch.store import MANIFEST, Staging, clean_stale_staging, read_manifest

    run_dir = tmp_path / "out" / "2022-H1"
    run_dir.mkdir(parents=True)
    for name in ("report-2022-H1.html", "report-2022-H1.pdf", "notes.txt"):
        (run_dir / name).write_text("old")
    staging = Staging(tmp_path / "stage", "2022-H1")
    staging.write("report-2022-H1.html", "mới")
    staging.write("report-2022-H1.json", "{}")
    placed = staging.commit(run_dir, {"fingerprint": "x"}, "report-2022-H1")
    assert sorted(placed) == ["report-2022-H1.html", "report-2022-H1.json"]
    assert sorted(p.name for p in run_dir.iterdir()) == [
        MANIFEST,
        "notes.txt",  # not a report file: left alone
        "report-2022-H1.html",
        "report-2022-H1.json",
    ]
    assert (run_dir / "report-2022-H1.html").read_text(encoding="utf-8") == "mới"
    assert read_manifest(run_dir)["files"] == {"report-2022-H1.html": 5, "report-2022-H1.json": 2}
    assert not staging.path.exists()
    dead = tmp_path / "stage" / "999999999-abc-2022-H2"
    dead.mkdir()
    (dead / "report-2022-H2.pdf").write_bytes(b"%PDF-partial")
    mine = Staging(
        tmp_path / "stage", "2022-H1"
    )  # this process may still be using it (another run, a thread)
    assert clean_stale_staging(tmp_path / "stage") == [dead]
    assert mine.path.is_dir()


def test_second_run_on_the_same_output_folder_is_refused(tmp_path: Path) -> None:
    """The lock belongs to the output folder: two projects (two checkouts) writing one --out exclude each other, and
    the refused one is told which run holds it."""
    import json
    import os
    import socket

    from reportkit.batch import RunLocked
    from reportkit.batch.store import LOCK, run_lock

    out = tmp_path / "shared-out"
    with run_lock(out, tmp_path / "project-a") as held:
        info = json.loads((out / LOCK).read_text(encoding="utf-8"))
        assert info["pid"] == os.getpid() and info["host"] == socket.gethostname()
        assert info["project"] == str(tmp_path / "project-a") and info["token"] == held.token
        with pytest.raises(RunLocked) as refused, run_lock(out, tmp_path / "project-b"):
            pass
        message = str(refused.value)
        assert (
            f"another reportkit run is writing to {out}: pid {os.getpid()} on host {socket.gethostname()}"
            in message
        )
        assert f"started {info['started']}, project {tmp_path / 'project-a'}" in message
        with run_lock(tmp_path / "other-out", tmp_path / "project-b"):  # another output folder is free
            pass
    assert (out / LOCK).read_text(encoding="utf-8") == ""  # released: nothing claims the folder


def test_a_killed_process_not_yet_reaped_is_not_alive() -> None:
    """A SIGKILLed worker is a zombie until init reaps it: its staging folder is stale already."""
    import os
    import subprocess
    import sys
    import time

    from reportkit.batch.store import pid_alive

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and b") Z" not in Path(f"/proc/{child.pid}/stat").read_bytes():
            time.sleep(0.05)
        assert not pid_alive(child.pid)
    finally:
        child.wait()
    assert pid_alive(os.getpid())


def test_a_dead_runners_lock_is_taken_over(tmp_path: Path) -> None:
    import json

    from reportkit.batch.store import LOCK, run_lock

    out = tmp_path / "out"
    out.mkdir()
    # What a SIGKILLed runner leaves: its text, but no lock (the kernel dropped the flock with the process).
    (out / LOCK).write_text(
        json.dumps({"pid": 999_999_999, "host": "elsewhere", "token": "old"}), encoding="utf-8"
    )
    with run_lock(out, tmp_path) as lock:
        assert json.loads((out / LOCK).read_text(encoding="utf-8"))["token"] == lock.token


def test_a_lock_file_removed_while_taken_is_not_shared(tmp_path: Path, monkeypatch) -> None:
    """`make clean-outputs` (rm of the folder's contents) between open and flock: the lock taken is the file there."""
    import os

    from reportkit.batch import RunLocked, store

    out = tmp_path / "out"
    real = store._flock
    removed = []

    def flock_after_removal(fd, flags, path):
        if not removed:
            removed.append(path)
            os.unlink(path)
        return real(fd, flags, path)

    monkeypatch.setattr(store, "_flock", flock_after_removal)
    with store.run_lock(out, tmp_path) as first:
        monkeypatch.setattr(store, "_flock", real)
        assert os.stat(out / store.LOCK).st_ino == os.fstat(first._file.fileno()).st_ino
        with pytest.raises(RunLocked), store.run_lock(out, tmp_path):
            pass


def test_an_output_folder_that_cannot_be_locked_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    import errno
    import fcntl

    from reportkit.batch import RunLocked
    from reportkit.batch.store import run_lock

    def no_locks(fd, flags):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with (
        pytest.raises(RunLocked, match=r"does not support file locks .*No locks available.*write to a local"),
        run_lock(tmp_path / "nfs-out", tmp_path),
    ):
        pass


def test_a_worker_commits_only_while_its_run_holds_the_folder(tmp_path: Path) -> None:
    from reportkit.batch.store import RunnerGone, commit_guard, run_lock

    out = tmp_path / "out"
    with run_lock(out, tmp_path) as lock:
        with commit_guard(out, lock.token):
            pass
        with (
            pytest.raises(RunnerGone, match="another run holds the output folder"),
            commit_guard(out, "a-dead-run"),
        ):
            pass
        lock.revoke()  # what a Ctrl-C or SIGTERM does first
        with pytest.raises(RunnerGone), commit_guard(out, lock.token):
            pass
    with pytest.raises(RunnerGone, match="has stopped"), commit_guard(out, lock.token):  # the runner is gone
        pass


# --- issue 11: params that would run the wrong report, exhaust the machine or spoil the official document ------

BOMB = "\n".join(
    ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 8)]
    + ["period: 2022-H1", "signer: {name: *l7}"]
)

HOSTILE = {
    # a file with period twice ran the second one, silently
    "duplicate-key": (
        "period: 2022-H1\ndata: data/ward\nperiod: 2022-H2\n",
        "period",
        "given twice (lines 1 and 3)",
    ),
    "duplicate-nested-key": (
        "period: 2022-H1\nsigner:\n  name: Nguyễn Văn A\n  name: Trần Văn B\n",
        "signer.name",
        "given twice (lines 3 and 4)",
    ),
    "self-alias": ("period: 2022-H1\nheading: &h {motto: *h}\n", "", "refer to themselves"),
    "nul-signer": ('period: 2022-H1\nsigner: {name: "\\0"}\n', "signer.name", "U+0000 NULL"),
    "rtl-override": (
        'period: 2022-H1\nsigner: {name: "Nguy\\u202eễn Văn A"}\n',
        "signer.name",
        "position 5: U+202E RIGHT-TO-LEFT OVERRIDE",
    ),
    "zero-width": (
        'period: 2022-H1\nheading: {national_title: "ĐẢNG CỘNG\\u200b SẢN VIỆT NAM"}\n',
        "heading.national_title",
        "U+200B ZERO WIDTH SPACE",
    ),
    "long-signer": (
        f"period: 2022-H1\nsigner: {{title: {'A' * 201}}}\n",
        "signer.title",
        "201 characters long",
    ),
    "huge-number": (
        "period: 2022-H1\ndocument_number: 12345678901234567890123\n",
        "document_number",
        "1 to 999,999",
    ),
    "long-unit": (f"period: 2022-H1\nunits: [{'u' * 240}]\n", "units[0]", "a name of 240 characters"),
    "nul-data": ('period: 2022-H1\ndata: "data/ward\\0"\n', "data", "U+0000 NULL"),
    # two merges giving one key two values: which one wins is YAML's fine print (the later '<<' in PyYAML, the
    # earlier mapping of a '<<' list), so a period given twice that way ran 2022-H2 silently
    "merge-twice": (
        "<<: {period: 2022-H1}\n<<: {period: 2022-H2}\ndata: data/ward\n",
        "period",
        "given twice (lines 1 and 2)",
    ),
    "merge-twice-in-periods": (
        "data: data/ward\nperiods:\n  - &a {period: 2022-H1}\n  - {<<: *a, <<: {period: 2022-H2}}\n",
        "periods[1].period",
        "given twice (lines 3 and 4)",
    ),
    "merge-list": (
        "data: data/ward\nperiods:\n  - &a {period: 2022-H1}\n  - &b {period: 2022-H2, document_number: 4}\n"
        "  - {<<: [*a, *b], document_number: 5}\n",
        "periods[2].period",
        "given twice (lines 3 and 4)",
    ),
    "hidden-default-ignorable": (
        'period: 2022-H1\nsigner: {name: "Nguy\\u1ec5n\\u034f V\\u0103n A\\u3164"}\n',
        "signer.name",
        "position 7: U+034F COMBINING GRAPHEME JOINER (and 1 more)",
    ),
    "blank-braille": (
        'period: 2022-H1\nsigner: {title: "CH\\u1ee6 T\\u1ecaCH\\u2800"}\n',
        "signer.title",
        "U+2800 BRAILLE PATTERN BLANK",
    ),
    # 64 letters of four bytes each: 256 bytes, longer than a file name can be (the run failed with a traceback)
    "long-unit-bytes": (
        "period: 2022-H1\nunits: [" + "\U0001d552" * 64 + "]\n",
        "units[0]",
        "a name of 256 bytes",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_params_are_params_problems(project: Path, case: str, capsys) -> None:
    text, key, message = HOSTILE[case]
    (project / f"params/{case}.yaml").write_text(text, encoding="utf-8")
    before = _tree(project / "outputs")
    assert main(["run", "--root", str(project)]) == 2
    err = capsys.readouterr().err
    assert (f"params/{case}.yaml: {key}: " if key else f"params/{case}.yaml: ") in err, err
    assert message in err, err
    assert "Traceback" not in err
    assert _tree(project / "outputs") == before


def test_merge_keys_may_override_and_do_not_count_as_duplicates(project: Path) -> None:
    (project / "data/an-hai").mkdir()
    (project / "data/an-hai/ward.yaml").write_text("name: x\n", encoding="utf-8")
    path = project / "params/units.yaml"
    path.write_text(
        "period: 2022-H1\nunits:\n  - &first {unit: ward, data: data/ward, document_number: 3}\n"
        "  - {<<: *first, unit: an-hai, data: data/an-hai}\n",
        encoding="utf-8",
    )
    runs = load_runs([path], project, ALLOWED)
    assert [(r.run_id, r.parameters["document_number"]) for r in runs] == [
        ("ward/2022-H1", 3),
        ("an-hai/2022-H1", 3),
    ]
    assert runs[1].parameters["data"] == str(project / "data/an-hai")


def test_a_merge_overridden_by_the_mapping_or_merges_of_other_keys_are_not_a_key_given_twice(
    project: Path,
) -> None:
    path = project / "params/merges.yaml"
    path.write_text(
        "<<: [{data: data/ward}, {document_number: 3}]\nperiods:\n"
        "  - &a {period: 2022-H1, tone_style: classic}\n  - &b {period: 2022-Q1, tone_style: modern}\n"
        "  - {<<: *a, <<: *b, period: 2022-H2, tone_style: modern}\n"
        "  - {<<: [*a, {tone_style: classic}], period: 2022-Q3}\n",
        encoding="utf-8",
    )
    runs = load_runs([path], project, ALLOWED)
    assert [(r.run_id, r.parameters["document_number"], r.parameters["tone_style"]) for r in runs] == [
        ("2022-H1", 3, "classic"),
        ("2022-Q1", 3, "modern"),
        ("2022-H2", 3, "modern"),  # the mapping's own keys override both merges: deliberate, no problem
        ("2022-Q3", 3, "classic"),  # two merges giving the same value: nothing is ambiguous
    ]


def test_a_unit_name_is_bounded_by_the_bytes_of_the_longest_file_name_it_becomes(tmp_path: Path) -> None:
    from reportkit.batch import store
    from reportkit.core import params as schema
    from reportkit.core.atomic import write_atomic

    longest = "\U0001d552" * (schema.MAX_UNIT_BYTES // 4) + "a" * (schema.MAX_UNIT_BYTES % 4)
    assert len(longest.encode()) == schema.MAX_UNIT_BYTES and len(longest) <= schema.MAX_UNIT
    assert schema.unit_name(longest, []) == longest
    problems: list = []
    assert schema.unit_name(longest + "a", problems) is None
    assert f"a name of {schema.MAX_UNIT_BYTES + 1} bytes" in problems[0][1]
    # The longest unit and period make every file name reportkit writes for them: staged, committed, kept failed.
    run_id = f"{longest}/2022-H1"
    stem = "report-" + run_id.replace("/", "-")
    staging = store.Staging(tmp_path / "staging", run_id)
    for suffix in (".ipynb", ".html", ".pdf", ".docx", ".article.html", ".json"):
        staging.write(stem + suffix, "x")
    staging.commit(tmp_path / "outputs" / longest / "2022-H1", {"run_id": run_id}, stem)
    write_atomic(tmp_path / "failed" / longest / "2022-H1" / f"{stem}.article.html", "x")
    assert (tmp_path / "outputs" / longest / "2022-H1" / f"{stem}.article.html").is_file()


def test_alias_bomb_is_refused_before_it_is_expanded(project: Path, capsys) -> None:
    (project / "params/bomb.yaml").write_text(BOMB, encoding="utf-8")
    assert main(["run", "--root", str(project)]) == 2
    err = capsys.readouterr().err
    assert "params/bomb.yaml: its aliases (*name) expand to more than 200,000 values" in err
    assert len(err) < 1000  # the unexpanded message was 312 MB


def test_oversized_file_and_huge_values_give_short_messages(project: Path, capsys) -> None:
    (project / "params/big.yaml").write_text("period: 2022-H1\n" + "# padding\n" * 120_000, encoding="utf-8")
    names = ", ".join(f"n{i}" for i in range(20_000))
    (project / "params/values.yaml").write_text(
        f"period: 2022-H1\nsigner: {{name: [{names}]}}\ntone_style: [{names}]\n", encoding="utf-8"
    )
    assert main(["run", "--root", str(project)]) == 2
    err = capsys.readouterr().err
    assert "params/big.yaml: is 1,200,016 bytes; a params file has at most 1,000,000" in err
    assert "params/values.yaml: signer.name: expected a non-empty text, got ['n0', 'n1'," in err
    assert "params/values.yaml: tone_style: expected one of classic, modern" in err
    assert len(err) < 2000


def test_data_is_inside_the_project_once_links_are_followed(project: Path, tmp_path_factory, capsys) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "ward").mkdir()
    (elsewhere / "ward/ward.yaml").write_text("name: x\n", encoding="utf-8")
    (elsewhere / "ward.db").write_bytes(b"")
    (project / "data/link").symlink_to(elsewhere / "ward", target_is_directory=True)
    (project / "data/inner").symlink_to(project / "data/ward", target_is_directory=True)
    cases = {
        "symlink": "data/link",
        "pysqlite": f"sqlite+pysqlite:///{elsewhere}/ward.db",
        "uri": f"sqlite:///file:{elsewhere}/ward.db?mode=ro&uri=true",
        "file-uri": f"file://{elsewhere}/ward",
        "duckdb": f"duckdb:///{elsewhere}/ward.db",
    }
    for name, data in cases.items():
        (project / f"params/{name}.yaml").write_text(f"period: 2022-H2\ndata: '{data}'\n", encoding="utf-8")
    (project / "params/inner.yaml").write_text(
        "period: 2022-H2\ndata: data/inner\nunits: [a]\n", encoding="utf-8"
    )
    assert main(["run", "--root", str(project)]) == 2
    err = capsys.readouterr().err
    for name in cases:
        assert f"params/{name}.yaml: data: the " in err and "is outside the project" in err, (name, err)
    assert f"through a symbolic link, it is {elsewhere / 'ward'}" in err
    assert "params/inner.yaml" not in err  # a link that stays inside the project is fine


def test_local_database_urls_are_checked_and_shown_like_paths(project: Path) -> None:
    (project / "data/ward.db").write_bytes(b"")
    path = project / "params/db.yaml"
    for data in (
        "sqlite+pysqlite:///data/ward.db",
        f"sqlite:///file:{project}/data/ward.db?mode=ro&uri=true",
    ):
        path.write_text(f"period: 2022-H2\ndata: '{data}'\n", encoding="utf-8")
        (run,) = load_runs([path], project, ALLOWED)
        assert run.shown_parameters(project)["data"].replace("file:", "") in (
            "sqlite+pysqlite:///data/ward.db",
            "sqlite:///data/ward.db?mode=ro&uri=true",
        )
        assert run.sources_hint == [str(project / "data/ward.db")]
    path.write_text("period: 2022-H2\ndata: 'sqlite:///data/missing.db'\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"the database file 'data/missing\.db' does not exist"):
        load_runs([path], project, ALLOWED)


def test_the_analysts_texts_are_found_beside_the_params_file(project: Path) -> None:
    """One run: params/2022-H1.md; several: a folder named after the params file, one file per run id."""
    allowed = ALLOWED | {"texts"}
    (project / "params/2022-H1.md").write_text("## Ưu điểm\nTốt.\n", encoding="utf-8")
    (project / "params/quy-2022.yaml").write_text(
        "data: data/ward\nperiods: [2022-Q1, 2022-Q2]\n", encoding="utf-8"
    )
    (project / "params/quy-2022").mkdir()
    (project / "params/quy-2022/2022-Q2.md").write_text("## Ưu điểm\nTốt.\n", encoding="utf-8")
    files = [project / "params/2022-H1.yaml", project / "params/quy-2022.yaml"]
    runs = {r.run_id: r for r in load_runs(files, project, allowed)}
    h1, q1, q2 = runs["2022-H1"], runs["2022-Q1"], runs["2022-Q2"]
    assert h1.parameters["texts"] == str(project / "params/2022-H1.md")
    assert h1.shown_parameters(project)["texts"] == "params/2022-H1.md"
    assert q2.parameters["texts"] == str(project / "params/quy-2022/2022-Q2.md")
    # a file not written yet: the run goes ahead without it, and writing it later changes the run's inputs
    assert q1.parameters["texts"] is None and q1.texts_file == str(project / "params/quy-2022/2022-Q1.md")
    assert q1.texts_file in q1.sources_hint
    # a notebook without the parameter gets nothing
    assert "texts" not in load_runs(files[:1], project, ALLOWED)[0].parameters


def test_named_texts_must_exist_and_be_markdown(project: Path) -> None:
    allowed = ALLOWED | {"texts"}
    (project / "params/a.yaml").write_text("period: 2022-H2\ndata: data/ward\ntexts: params/khong-co.md\n")
    (project / "params/b.yaml").write_text("period: 2022-Q3\ndata: data/ward\ntexts: params/b.yaml\n")
    (project / "params/c.yaml").write_text("period: 2022-Q4\ndata: data/ward\ntexts: null\n")
    with pytest.raises(ParamsError) as info:
        load_runs([project / f"params/{n}.yaml" for n in "abc"], project, allowed)
    text = str(info.value)
    assert "params/a.yaml: texts: the analyst's text file 'params/khong-co.md' does not exist" in text
    assert "params/b.yaml: texts: expected a Markdown file ending in .md" in text
    assert "params/c.yaml" not in text  # null: a report without the analyst's texts, on purpose


def test_a_file_for_another_notebook_is_a_params_problem_before_anything_runs(project: Path, capsys) -> None:
    """The sample province's two files share a folder but not a notebook: run together (``reportkit run
    params/province``) the roll-up's ran in the ward notebook and failed five times over with an error about a
    database of twelve wards. A file that names its notebook is refused in another, saying how to run it."""
    nb = project / "notebooks"
    shutil.copy(nb / "report.ipynb", nb / "province.ipynb")
    (project / "params/own.yaml").write_text(
        "notebook: notebooks/report.ipynb\nperiod: 2022-H2\ndata: data/ward\n", encoding="utf-8"
    )
    (project / "params/rollup.yaml").write_text(
        "notebook: notebooks/province.ipynb\nperiod: 2022-Q1\ndata: data/ward\n", encoding="utf-8"
    )
    (project / "params/odd.yaml").write_text(
        "notebook: 5\nperiods: [{period: 2022-Q2, notebook: x.ipynb}]\ndata: data/ward\n", encoding="utf-8"
    )
    files = sorted((project / "params").glob("*.yaml"))
    with pytest.raises(ParamsError) as info:
        load_runs(files, project, ALLOWED, nb / "report.ipynb")
    text = str(info.value)
    assert (
        "params/rollup.yaml: notebook: this file is for notebooks/province.ipynb: run it with --notebook "
        "notebooks/province.ipynb (the notebook being run is notebooks/report.ipynb)" in text
    )
    assert "params/odd.yaml: notebook: expected the path of a notebook, got 5" in text
    assert "params/own.yaml" not in text
    runs = load_runs([project / "params/own.yaml"], project, ALLOWED, nb / "report.ipynb")
    assert [r.run_id for r in runs] == ["2022-H2"] and "notebook" not in runs[0].parameters
    (project / "params/odd.yaml").unlink()
    assert [
        r.run_id for r in load_runs([project / "params/rollup.yaml"], project, ALLOWED, nb / "province.ipynb")
    ] == ["2022-Q1"]
    (project / "params/odd.yaml").write_text(
        "periods: [{period: 2022-Q2, notebook: x.ipynb}]\ndata: data/ward\n", encoding="utf-8"
    )
    with pytest.raises(
        ParamsError, match=r"periods\[0\]\.notebook: 'notebook' does not belong in a periods item"
    ):
        load_runs([project / "params/odd.yaml"], project, ALLOWED)
    # the command line says it, and runs nothing
    code = main(["run", "--root", str(project), str(project / "params")])
    err = capsys.readouterr().err
    assert code == 2 and "this file is for notebooks/province.ipynb" in err, err
    assert (project / "outputs/2022-H1/report-2022-H1.html").read_text() == "earlier good report"
