"""``reportkit check``: what would stop or spoil a batch, found without starting a kernel.

It reads every params file (the schema of :mod:`reportkit.core.params`), the data of every run (every located
problem of :mod:`reportkit.data`, and whether they cover the period), the analyst's texts of every run (their
sections, the parts not written) and the Jinja of the notebook's ``%%report`` cells and of the texts: unbalanced
``{% if %}``/``{% for %}`` tags, syntax errors, unknown filters, names that are neither a filter or helper of
reportkit nor assigned by the notebook's code cells (read with :mod:`ast`), and ``f.<id>`` indicators the catalog
does not have. Every finding reads in Vietnamese with its file and line; exit code 2 when there is a problem.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml
from jinja2 import meta, nodes

from reportkit.batch import params as P
from reportkit.batch.summary import TEXT_FILE
from reportkit.core import redact
from reportkit.core.params import MAX_UNIT, MAX_UNIT_BYTES
from reportkit.core.redact import terminal_path
from reportkit.narrative import texts as analyst
from reportkit.narrative.templating import environment
from reportkit.vn.names import unit_in_sentence

__all__ = ["CheckResult", "Finding", "check_project", "format_check", "texts_missing"]

# What a Figures object answers besides its indicators (reportkit.data.Figures).
FIGURES_ATTRIBUTES = frozenset(
    {"period", "available", "completeness", "by_unit", "previous", "last_year", "like_for_like", "plan", "of_plan",
     "as_dict", "values", "ward", "catalog", "units", "unit_noun", "inputs", "whole_with"}
)  # fmt: skip
FILES_NAMED = 3  # text files named in a note many runs share; the rest are counted
BLANKS_SHOWN = 20  # blank indicator cells listed by check for one run; the rest are counted
_BLOCKS = frozenset({"if", "for", "macro", "call", "filter", "block", "with", "autoescape", "raw", "trans"})
_MAGIC_LINE = re.compile(r"^\s*[%!]")


@dataclass(frozen=True)
class Finding:
    """One thing found: where (file, line), what (Vietnamese), and whether it stops the batch."""

    file: str
    line: int | None
    message: str
    problem: bool = True
    where: str = ""  # e.g. "ô 6" for a notebook cell

    def __str__(self) -> str:
        place = ", ".join(x for x in (self.file, self.where, f"dòng {self.line}" if self.line else "") if x)
        return f"{place}: {self.message}"


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # what was read, for the summary line

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.problem]

    @property
    def exit_code(self) -> int:
        return 2 if self.problems else 0


# --- the analyst's texts ------------------------------------------------------------------------------------


def texts_missing(run: P.Run, root: Path | None = None) -> str | None:
    """For the batch summary: which required sections of the run's analyst's texts are not written, or None (also
    when the notebook takes no ``texts`` parameter: its report has no such parts)."""
    if "texts" not in run.parameters:
        return None
    file = Path(run.texts_file) if run.texts_file else None
    shown = _shown(file, root) if file else None
    if file is None or not file.is_file():
        titles = "; ".join(analyst.SECTIONS[k][0] for k in analyst.REQUIRED)
        where = f"chưa có tệp bài viết {shown}" if shown else "không có bài viết (texts: null)"
        return f"{where}: báo cáo thiếu các phần {titles}"
    try:
        parsed = analyst.parse(file.read_text(encoding="utf-8"), shown or file.name)
    except (OSError, UnicodeDecodeError):
        return None  # the notebook reports an unreadable file itself
    if parsed.missing:
        return f"{shown}: chưa viết phần {'; '.join(parsed.missing)}"
    return None


def _shown(path: Path | None, root: Path | None) -> str:
    if path is None:
        return ""
    if root is not None:
        return P.display_path(path, root)
    return terminal_path(path)


# --- Jinja, read statically ----------------------------------------------------------------------------------


def _jinja_syntax(source: str, env: jinja2.Environment) -> list[tuple[int, str]]:
    """Unbalanced block tags first (with the line of the tag left open), then any other syntax error."""
    found: list[tuple[int, str]] = []
    stack: list[tuple[str, int]] = []
    try:
        tokens = list(env.lex(source))
    except jinja2.TemplateSyntaxError as err:
        return [(err.lineno or 1, _syntax_message(err.message or str(err)))]
    for i, (lineno, kind, _value) in enumerate(tokens):
        if kind != "block_begin":
            continue
        name = next((v for _, k, v in tokens[i + 1 :] if k not in ("whitespace",)), "")
        if name in _BLOCKS:
            stack.append((name, lineno))
        elif name.startswith("end") and name[3:] in _BLOCKS:
            if stack and stack[-1][0] == name[3:]:
                stack.pop()
            elif stack:
                found.append(
                    (
                        lineno,
                        f"thẻ {{% {name} %}} đóng nhầm thẻ {{% {stack[-1][0]} %}} mở ở dòng {stack[-1][1]}",
                    )
                )
                stack.pop()
            else:
                found.append(
                    (lineno, f"thẻ {{% {name} %}} thừa: không có thẻ {{% {name[3:]} %}} nào đang mở")
                )
        elif name in ("else", "elif") and not any(b in ("if", "for") for b, _ in stack):
            found.append((lineno, f"thẻ {{% {name} %}} nằm ngoài {{% if %}}"))
    for name, lineno in stack:
        found.append((lineno, f"thẻ {{% {name} %}} mở ở dòng này chưa được đóng (thiếu {{% end{name} %}})"))
    if found:
        return found
    try:
        env.compile(source)
    except jinja2.TemplateAssertionError as err:
        return [(err.lineno or 1, _syntax_message(err.message or str(err)))]
    except jinja2.TemplateSyntaxError as err:
        return [(err.lineno or 1, _syntax_message(err.message or str(err)))]
    return []


def _syntax_message(message: str) -> str:
    match = re.match(r"No (filter|test) named '([^']+)'", message)
    if match:
        what = "bộ lọc" if match.group(1) == "filter" else "phép thử"
        return f"không có {what} “{match.group(2)}” (xem docs/guide.md, mục 2)"
    return f"lỗi cú pháp Jinja: {message}"


def _names(source: str, env: jinja2.Environment, known: set[str], figures: dict[str, set[str]]):
    """(line, message) for every undefined name and every ``f.<id>`` that is not an indicator."""
    tree = env.parse(source)
    # Jinja counts a name {% set %} inside an {% if %} as undeclared even where the same branch uses it after.
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "store"}
    undefined = meta.find_undeclared_variables(tree) - known - set(env.globals) - assigned
    found: list[tuple[int, str]] = []
    reported: set[object] = set()
    for node in tree.find_all(nodes.Name):
        if node.name in undefined and node.name not in reported:
            reported.add(node.name)
            found.append(
                (
                    node.lineno,
                    f"tên “{node.name}” chưa được định nghĩa (không là biến của notebook, bộ lọc hay hàm của reportkit)",
                )
            )
    # Jinja checks filter and test names when it compiles, but not inside {% if %} (where most prose is): a
    # misspelt filter there would pass the check and stop the run.
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        kind, names = ("filter", env.filters) if isinstance(node, nodes.Filter) else ("test", env.tests)
        if node.name not in names and (kind, node.name) not in reported:
            reported.add((kind, node.name))
            found.append((node.lineno, _syntax_message(f"No {kind} named '{node.name}'")))
    for node in tree.find_all(nodes.Getattr):
        owner = node.node
        if isinstance(owner, nodes.Name) and owner.name in figures:
            ids = figures[owner.name]
            if ids and node.attr not in ids and node.attr not in FIGURES_ATTRIBUTES:
                found.append(
                    (
                        node.lineno,
                        f"“{owner.name}.{node.attr}”: danh mục chỉ tiêu không có chỉ tiêu “{node.attr}”",
                    )
                )
    return sorted(found)


def _template_findings(source: str, file: str, offset: int, known, figures, where: str = "") -> list[Finding]:
    """Findings of one template whose first line is line ``offset + 1`` of ``file``."""
    env = environment()
    syntax = _jinja_syntax(source, env)
    items = syntax or _names(source, env, known, figures)
    return [Finding(file, line + offset, message, True, where) for line, message in items]


# --- the notebook --------------------------------------------------------------------------------------------


@dataclass
class NotebookFacts:
    """What the notebook's code defines, read without running it."""

    parameters: set[str]
    assigned: set[str]
    figures: set[str]  # variables holding a Figures (x = ds.figures(...), y = x.last_year …)
    report_cells: list[tuple[int, str]]  # (1-based cell number, body after "%%report")
    findings: list[Finding]
    reads_province: bool = False  # it calls load_province(): its data is a whole province database


def _python(source: str) -> str:
    """A code cell as Python: IPython magics and shell lines become blank lines (line numbers kept)."""
    return "\n".join("" if _MAGIC_LINE.match(line) else line for line in source.splitlines())


def read_notebook(path: Path, shown: str) -> NotebookFacts:
    import json

    nb = json.loads(path.read_text(encoding="utf-8"))
    parameters: set[str] = set()
    assigned: set[str] = set()
    figures: set[str] = set()
    cells: list[tuple[int, str]] = []
    findings: list[Finding] = []
    reads_province = False
    for number, cell in enumerate(nb.get("cells", []), 1):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", []))
        if source.lstrip().startswith("%%report"):
            cells.append((number, source.split("\n", 1)[1] if "\n" in source else ""))
            continue
        if source.lstrip().startswith("%%"):
            continue  # another cell magic: not Python
        try:
            tree = ast.parse(_python(source))
        except SyntaxError as err:
            findings.append(
                Finding(
                    shown, err.lineno, f"ô mã lệnh viết sai cú pháp Python: {err.msg}", True, f"ô {number}"
                )
            )
            continue
        names = _assigned(tree)
        assigned |= names
        if "parameters" in (cell.get("metadata", {}).get("tags") or []):
            parameters |= names
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and _is_figures(node.value, figures):
                figures |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            if isinstance(node, ast.Call):
                func = node.func
                reads_province |= (
                    func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                ) == ("load_province")
    return NotebookFacts(parameters, assigned, figures, cells, findings, reads_province)


def _is_figures(value: ast.AST, known: set[str]) -> bool:
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "figures":
        return True
    return (
        isinstance(value, ast.Attribute)
        and value.attr in ("last_year", "previous", "like_for_like")
        and isinstance(value.value, ast.Name)
        and value.value.id in known
    )


def _assigned(tree: ast.AST) -> set[str]:
    """Names a cell binds at the top level of the notebook (assignments, loops, imports, definitions)."""
    names: set[str] = set()

    def targets(node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Tuple | ast.List):
            for element in node.elts:
                targets(element)
        elif isinstance(node, ast.Starred):
            targets(node.value)

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                targets(target)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign | ast.For | ast.AsyncFor | ast.NamedExpr):
            targets(node.target)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if item.optional_vars is not None:
                    targets(item.optional_vars)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
    return names


# --- params files, with the line of each key ----------------------------------------------------------------


def _key_lines(text: str) -> dict[str, tuple[int, str]]:
    """Key path ("periods[1].document_number") → (line, the value as written), from the YAML's node marks."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    found: dict[str, tuple[int, str]] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = f"{path}.{key.value}" if path else str(key.value)
                found[name] = (key.start_mark.line + 1, _scalar(value))
                walk(value, name)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                name = f"{path}[{i}]"
                found[name] = (item.start_mark.line + 1, _scalar(item))
                walk(item, name)

    walk(root, "")
    return found


def _scalar(node: Any) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else ""


# English schema message → Vietnamese, by what it says (reportkit.core.params and reportkit.batch.params).
_PARAM_MESSAGES: list[tuple[str, str]] = [
    (r"does not define '([^']+)'", "notebook không có tham số “{0}” (xem ô tham số của notebook)"),
    (r"^missing: every run needs a period", "thiếu kỳ báo cáo: ghi period: 2022-H1 hoặc periods: [...]"),
    (r"is not a period|^expected a period", "kỳ báo cáo không hợp lệ: viết 2022, 2022-03, 2022-Q1, 2022-H1 hoặc 2022-9M"),
    (r"^the data folder '([^']+)' does not exist", "không có thư mục dữ liệu “{0}”"),
    (r"^the data folder '([^']+)' holds no ward.yaml", "thư mục dữ liệu “{0}” không có tệp ward.yaml"),
    (r"^the (?:SQLite database|database file) '([^']+)' does not exist", "không có cơ sở dữ liệu SQLite “{0}”"),
    (r"^expected sqlite:///", "địa chỉ SQLite phải là sqlite:///<tệp cơ sở dữ liệu trong thư mục dự án>"),
    (r"^the analyst's text file '([^']+)' does not exist", "không có tệp bài viết “{0}”"),
    (r"'([^']+)' is outside the project", "“{0}” nằm ngoài thư mục dự án: hãy để tệp trong dự án"),
    (r"^expected a folder", "dữ liệu phải là một thư mục trong dự án hoặc một địa chỉ SQLAlchemy"),
    (r"Markdown file", "bài viết phải là một tệp Markdown (.md), hoặc null"),
    (r"the 'Số' of the report", "số văn bản phải là số nguyên từ 1 trở lên (tối đa 999.999), hoặc null để văn thư ghi tay"),
    (r"is before the period (\S+) starts", "ngày ký trước ngày đầu kỳ báo cáo {0}"),
    (r"^expected a date", "ngày ký phải viết dạng YYYY-MM-DD, ví dụ 2022-06-24"),
    (r"^no such day in the calendar", "ngày ký không có trong lịch: tháng đó không có ngày này"),
    (r"^expected one of classic, modern", "kiểu bỏ dấu phải là classic (hòa, thủy) hoặc modern (hoà, thuỷ)"),
    (r"^unknown signer key", "người ký chỉ có các khóa authority, title, name"),
    (r"^unknown heading key", "phần đầu văn bản chỉ có các khóa national_title, motto"),
    (r"^expected at least one of", "người ký cần ít nhất một trong authority, title, name (null: giữ người ký của phường)"),
    (r"^expected a non-empty text", "phải là một đoạn chữ, không để trống"),
    (r"^expected a text", "phải là một đoạn chữ (để trống thì dòng đó không in)"),
    (r"^expected a mapping", "phải là một nhóm khóa: giá trị"),
    (r"^not valid YAML", "tệp không đúng cú pháp YAML"),
    (r"^the params file does not exist", "không có tệp tham số này"),
    (r"^cannot be read as UTF-8", "không đọc được tệp dưới dạng UTF-8"),
    (r"give either period or periods", "chỉ ghi period hoặc periods, không ghi cả hai"),
    (r"is also produced by (\S+)", "báo cáo cùng kỳ, cùng đơn vị đã có ở {0}"),
    (r"expected a non-empty list of periods", "periods phải là một danh sách kỳ báo cáo"),
    (r"expected a non-empty list of units", "units phải là một danh sách đơn vị"),
    (r"expected a unit name", f"tên đơn vị chỉ gồm chữ, số, “-”, “_”, “.”, tối đa {MAX_UNIT} ký tự và {MAX_UNIT_BYTES} byte "
     "UTF-8 (dùng làm tên thư mục và tên tệp)"),
    (r"does not belong in a periods item|belongs at the top of the file|belongs in the items",
     "khóa này đặt sai chỗ (xem reportkit/batch/params.py)"),
    (r"^expected a list of parameter names", "secret phải là danh sách tên tham số"),
    (r"^this file is for (\S+): run it with --notebook \S+ \(the notebook being run is (\S+)\)",
     "tệp tham số này dành cho {0}, không phải {1}: kiểm tra và chạy riêng tệp này với --notebook {0}"),
    (r"^given twice \(lines (\d+) and (\d+)\)", "khóa này ghi hai lần (dòng {0} và dòng {1}): chỉ giữ một"),
    (r"^its aliases \(\*name\) expand", "các bí danh YAML (*tên) mở ra quá nhiều giá trị (hoặc tự tham chiếu): hãy viết thẳng các giá trị"),
    (r"bytes; a params file has at most", "tệp tham số quá lớn"),
    (r"^expected the path of a notebook", "notebook phải là đường dẫn của một notebook, ví dụ notebooks/province.ipynb"),
    (r"is not a key of this file", "secret nêu một tham số không có trong tệp"),
    (r"^expected a mapping of keys", "tệp tham số phải gồm các dòng khóa: giá trị (period: …, data: …)"),
    (r"no params file", "không có tệp tham số (*.yaml) nào"),
]  # fmt: skip


def _params_message(message: str) -> str:
    for pattern, vietnamese in _PARAM_MESSAGES:
        match = re.search(pattern, message)
        if match:
            return vietnamese.format(*match.groups())
    return f"tham số không hợp lệ ({message})"


def _params_findings(problem: P.Problem, lines: dict[str, tuple[int, str]]) -> Finding:
    line, written = lines.get(problem.key, (None, ""))
    if line is None and problem.key:
        parent = problem.key.rsplit(".", 1)[0]
        line, _ = lines.get(parent, (None, ""))
    if line is None:
        match = re.search(r"line (\d+)", problem.message)
        line = int(match.group(1)) if match else None
    text = _params_message(problem.message)
    if problem.key:
        text = f"{problem.key}: {text}" + (f"; đang ghi: {written}" if written else "")
    return Finding(problem.file, line, text)


# --- the whole project ---------------------------------------------------------------------------------------


def check_project(
    params: list[Path] | None = None,
    *,
    root: Path | None = None,
    notebook: Path | None = None,
    strict: bool = False,
) -> CheckResult:
    """Check params, data, the analyst's texts and the notebook; nothing is run and nothing is written."""
    root = (root or P.find_root()).resolve()
    if notebook is None:
        notebook = root / "notebooks" / "report.ipynb"
    elif not notebook.is_absolute():
        notebook = Path.cwd() / notebook
    result = CheckResult()
    nb_shown = P.display_path(notebook, root)
    if not notebook.is_file():
        result.findings.append(Finding(nb_shown, None, "không có notebook báo cáo này"))
        return result
    facts = read_notebook(notebook, nb_shown)
    result.findings += facts.findings
    known = facts.assigned
    files = (
        P.params_files([p if p.is_absolute() else Path.cwd() / p for p in params])
        if params
        else P.default_params_files(root)
    )
    runs: list[P.Run] = []
    for path in files:
        label = P.display_path(path, root)
        try:
            runs += P.load_runs([path], root, facts.parameters, notebook)
        except P.ParamsError as err:
            text = path.read_text(encoding="utf-8") if path.is_file() else ""
            lines = _key_lines(text)
            result.findings += [_params_findings(p, lines) for p in err.problems]
            beside = P.default_texts(path, "", several=False)
            if "texts" in facts.parameters and beside.is_file():  # its texts are still worth reading
                orphan = P.Run("", label, {"texts": str(beside)}, texts_file=str(beside))
                _texts_findings(orphan, root, result, known, facts.figures, set(), strict)
        result.checked.append(label)
    catalogs: dict[str, set[str]] = {}
    datasets: dict[str, Any] = {}
    for run in runs:
        ids = _data_findings(run, root, result, datasets, province=facts.reads_province)
        if ids is not None:
            catalogs[run.run_id] = ids
        _texts_findings(run, root, result, known, facts.figures, ids or set(), strict)
    all_ids = set().union(*catalogs.values()) if catalogs else set()
    for number, body in facts.report_cells:
        result.findings += _template_findings(
            body, nb_shown, 1, known, dict.fromkeys(facts.figures, all_ids), f"ô {number}"
        )
        result.findings += _proofread(body, nb_shown, 2, f"ô {number}", strict)  # line 1 is "%%report"
    result.checked.append(f"{nb_shown} ({len(facts.report_cells)} ô %%report)")
    # What the check prints quotes data sources and the errors reading them: no secret value and no URL's
    # password reaches the terminal (a driver's error may repeat the URL it was given).
    shown = redact.Redactor(str(r.parameters[k]) for r in runs for k in r.secret if r.parameters.get(k))
    result.findings = [
        dataclasses.replace(f, file=shown.text(f.file), message=shown.text(f.message))
        for f in result.findings
    ]
    return result


def _data_findings(
    run: P.Run, root: Path, result: CheckResult, cache: dict[str, Any], *, province: bool = False
) -> set[str] | None:
    """The run's data read as its notebook reads them (one ward, or with ``province`` a whole province database):
    what cannot be read, what the proofreader finds in them, and whether they cover the period."""
    from reportkit import load, load_province
    from reportkit.core.errors import ReportkitError
    from reportkit.vn import Period

    data = run.parameters.get("data")
    if not isinstance(data, str):
        return None
    if data not in cache:
        try:
            cache[data] = load_province(data) if province else load(data)
            for problem in cache[
                data
            ].proofread():  # the ward's names and the tổ's notes, once per data source
                where = problem.where.removeprefix(problem.file).lstrip(", ")
                result.findings.append(
                    Finding(
                        problem.file,
                        None,
                        f"soát chính tả: “{problem.value}” → {problem.expected}",
                        False,
                        where,
                    )
                )
        except ReportkitError as err:
            cache[data] = None
            shown = P.display_path(Path(data), root) if "://" not in data else redact.mask_url(data)
            for problem in err.problems:
                result.findings.append(Finding(shown, None, str(problem)))
        except (OSError, ValueError) as err:
            cache[data] = None
            result.findings.append(Finding(run.params_file, None, f"không đọc được dữ liệu {data}: {err}"))
    ds = cache[data]
    if ds is None:
        return None
    period = Period(run.parameters["period"])
    # A file of several wards' runs: the run says which ward ("phu-quang/2022-H1: dữ liệu của …").
    which = f"{run.run_id}: " if run.unit is not None else ""
    if not ds.covers(period):
        result.findings.append(
            Finding(
                run.params_file,
                None,
                f"{which}{ds.shortfall(period)}: chưa đủ cho {period.name} ({period.spec})",
            )
        )
        return set(ds.catalog.ids)
    _signed_before_the_data(run, ds, period, which, result)
    blanks = [] if province else ds.blank_cells(period)  # a province database names no cell
    for blank in blanks[:BLANKS_SHOWN]:
        label = ds.catalog[blank.indicator].label
        result.findings.append(Finding(blank.file, None, (
            f"{which}ô “{label}” tháng {blank.month[1]}/{blank.month[0]} để trống trong tháng tổ đã báo cáo: coi là "
            "chưa báo cáo (không tính là 0), số liệu của kỳ chưa bao gồm ô này; không có thì ghi 0 hoặc “-”"),
            False, blank.where))  # fmt: skip
    if len(blanks) > BLANKS_SHOWN:
        result.findings.append(
            Finding(run.params_file, None, f"{which}… và {len(blanks) - BLANKS_SHOWN} ô để trống khác", False)
        )
    completeness = ds.completeness(period)
    if province and completeness.missing_units:  # each ward as a sentence names it (NĐ 30: "Phường 10")
        from reportkit.vn import join

        incomplete = set(completeness.missing_units)
        late = [e.in_sentence for e in ds.wards if e.name in incomplete]
        said = f"{completeness} phường đã gửi đầy đủ báo cáo các tháng trong kỳ; chưa đủ: {join(late)}"
        result.findings.append(Finding(run.params_file, None, f"{which}{period.name}: {said}", False))
    elif not province and completeness.missing:
        from reportkit.narrative.phrasing import completeness as said

        result.findings.append(
            Finding(run.params_file, None, f"{which}{period.name}: {said(completeness)}", False)
        )
    return set(ds.catalog.ids)


def _signed_before_the_data(run, ds, period, which: str, result: CheckResult) -> None:
    """A note when the report is dated before a tổ's report it sums ("Ngày báo cáo" of the workbooks): on the
    date it carries, the figure it states did not exist yet (a văn thư's reading)."""
    issued = run.parameters.get("issued_on")
    last = ds.last_report(period)  # a ward's Dataset or a Province
    if last is None:
        return
    try:  # without issued_on the report is dated the period's last day
        signed = datetime.date.fromisoformat(str(issued)) if issued is not None else period.end
    except ValueError:
        return  # the params check names a bad date
    said = "(issued_on)" if issued is not None else "(ngày cuối kỳ: chưa ghi issued_on)"
    made, unit, (year, month) = last
    if made > signed:
        result.findings.append(Finding(run.params_file, None, (
            f"{which}ngày ký {signed:%d/%m/%Y} {said} sớm hơn ngày {unit_in_sentence(unit)} lập báo cáo tháng {month} "
            f"năm {year} ({made:%d/%m/%Y}): báo cáo nêu số liệu chưa có vào ngày ký; ghi ngày ký từ "
            f"{made:%d/%m/%Y} trở đi"), False))  # fmt: skip


def _texts_findings(run, root, result, known, figures, ids, strict) -> None:
    missing = texts_missing(run, root)
    if "texts" not in run.parameters:
        return
    if run.texts_file is None or not Path(run.texts_file).is_file():
        if missing:
            result.findings.append(Finding(run.params_file, None, missing, strict))
        return
    file = Path(run.texts_file)
    shown = P.display_path(file, root)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        result.findings.append(Finding(shown, None, f"không đọc được tệp bài viết: {err}"))
        return
    parsed = analyst.parse(text, shown)
    result.findings += [Finding(shown, line, message) for line, message in parsed.problems]
    if parsed.missing:
        result.findings.append(Finding(shown, None, f"chưa viết phần {'; '.join(parsed.missing)}", strict))
    if parsed.optional_missing:
        note = f"chưa viết phần {'; '.join(parsed.optional_missing)} (không bắt buộc: phần đó không in ra)"
        result.findings.append(Finding(shown, None, note, False))
    for section in parsed.sections.values():
        result.findings += _template_findings(
            section.body, shown, section.first_line - 1, known, dict.fromkeys(figures, ids)
        )
        result.findings += _proofread(section.body, shown, section.first_line, "", strict)
    result.checked.append(shown)


def _proofread(text: str, file: str, first_line: int, where: str, strict: bool) -> list[Finding]:
    """The proofreader's findings in a template's prose (Jinja left alone), each on its line. Lost letters are a
    problem under ``--strict`` (the text would be signed as it is); anything else is a note."""
    from reportkit.vn.proof import KINDS, notes

    damaged = KINDS["damaged"]
    found = []
    for note in notes(text):
        line = first_line + text.count("\n", 0, note.start)
        found.append(Finding(file, line, f"soát chính tả: {note}", strict and note.label == damaged, where))
    return found


_SLOT = "\x00"  # where a shared note's text file was


def _shared_note(finding: Finding) -> tuple[bool, str, str, str] | None:
    """A finding's identity but for the one text file it names, or None (it names no file, or a line of one)."""
    if finding.line is not None or len(TEXT_FILE.findall(finding.message)) != 1:
        return None
    return finding.problem, finding.file, finding.where, TEXT_FILE.sub(_SLOT, finding.message)


def format_check(result: CheckResult) -> str:
    """The findings as the terminal shows them, problems first, then notes, then one line of totals. A finding
    that more than ``FILES_NAMED`` runs share but for their text file (a province's wards without their texts yet)
    is one line naming the first files and counting the rest:

        lưu ý: params/province/wards.yaml: chưa có tệp bài viết params/province/wards/duy-tan/2021-H1.md, …,
        params/province/wards/duy-tan/2022-H1.md và 597 tệp khác (600 báo cáo): báo cáo thiếu các phần …
    """
    ordered = sorted(result.findings, key=lambda f: (not f.problem, f.file, f.where, f.line or 0))
    shared: dict[tuple[bool, str, str, str], list[str]] = {}
    for finding in ordered:
        key = _shared_note(finding)
        if key is not None:
            shared.setdefault(key, []).append(TEXT_FILE.findall(finding.message)[0])
    lines = []
    seen = set()
    for finding in ordered:
        text = str(finding)
        key = _shared_note(finding)
        files = list(dict.fromkeys(shared[key])) if key is not None else []
        if len(files) > FILES_NAMED:
            named = f"{', '.join(files[:FILES_NAMED])} và {len(files) - FILES_NAMED} tệp khác ({len(files)} báo cáo)"
            text = f"{finding.file}: {key[3].replace(_SLOT, named)}"  # type: ignore[index]
        if text in seen:
            continue
        seen.add(text)
        lines.append(("  lỗi: " if finding.problem else "  lưu ý: ") + text)
    n = len({str(f) for f in result.problems})
    head = f"Đã kiểm tra {len(result.checked)} tệp: " + ", ".join(result.checked)
    tail = f"Có {n} lỗi: sửa xong rồi chạy lại (reportkit check, reportkit run)." if n else "Không có lỗi."
    return "\n".join([head, *lines, tail])
