"""After the reports: the index page of the output folder, and publication to an fsspec URL (``--out s3://…``)."""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path
from typing import Any

from reportkit.batch import store
from reportkit.batch.plan import fingerprint
from reportkit.batch.tasks import Failure, Outcome
from reportkit.core import record as report
from reportkit.core.atomic import write_atomic
from reportkit.core.redact import Redactor
from reportkit.export.index import is_index_page

__all__ = ["collect_entries", "index_pages", "publish_remote", "write_site_index"]

INDEX_STAMP = ".reportkit-index.json"


def collect_entries(out_dir: Path) -> list[dict[str, Any]]:
    """Index entries for every report in ``out_dir`` that has a manifest (``<run id>/`` or ``<unit>/<run id>/``)."""
    entries = []
    for manifest_path in sorted(
        [*out_dir.glob(f"*/{store.MANIFEST}"), *out_dir.glob(f"*/*/{store.MANIFEST}")]
    ):
        run_dir = manifest_path.parent
        manifest = store.read_manifest(run_dir)
        if not manifest:
            continue
        files = {}
        record = None
        for name in manifest.get("files", {}):
            kind = store.kind_of(name)
            if kind is not None:  # the index page links every format a report comes in
                files[kind] = os.path.relpath(run_dir / name, out_dir)
            if kind == "json":
                with contextlib.suppress(OSError, report.RecordError):
                    record = report.loads((run_dir / name).read_text(encoding="utf-8"), name)
        if record is not None:
            entries.append({"run_id": manifest.get("run_id", run_dir.name), "record": record, "files": files})
    return entries


def write_site_index(out_dir: Path, code_digest: str, redactor: Redactor | None = None) -> Path | None:
    """``out_dir/index.html`` for the reports there (and a page per unit for many units), rewritten only when an
    entry or reportkit changed.

    The entries come from the reports' JSON records, already scrubbed when they were staged; they pass through the
    run's ``redactor`` again, like every other file the runner writes.
    """
    entries = collect_entries(out_dir)
    if redactor:
        entries = redactor.tree(entries)
    index = out_dir / "index.html"
    stamp = out_dir / INDEX_STAMP
    digest = fingerprint({"entries": entries, "code": code_digest})
    try:
        previous_text = stamp.read_text(encoding="utf-8")
        previous = json.loads(previous_text)
    except (OSError, ValueError):
        previous_text, previous = "", {}
    if isinstance(previous, dict) and previous.get("digest") == digest and index.is_file():
        return index
    if not entries:
        return None
    from reportkit.export import write_site

    pages = [Path(p) for p in write_site(out_dir, entries)]
    written = [p.relative_to(out_dir).as_posix() for p in pages]
    # A page the last index wrote and this one does not (a unit gone, a province now on one page): removed, never
    # left with old figures for a link someone shared — before the stamp, so a run killed between the two leaves
    # the old stamp, and the next run removes them.
    for old in _stamped_pages(previous_text) - set(written):
        page = out_dir / old
        with contextlib.suppress(OSError):
            if (
                page.resolve().is_relative_to(out_dir.resolve())
                and not page.is_symlink()
                and is_index_page(page.read_bytes())
            ):
                page.unlink(missing_ok=True)
    write_atomic(stamp, json.dumps({"digest": digest, "pages": written}))
    return pages[0]


_STAMPED_PAGE = re.compile(r"(?:[^/\\*?\[\]{}.][^/\\*?\[\]{}]*/index|don-vi-[a-z0-9-]+)\.html")


def _stamped_pages(stamp: bytes | str | None) -> set[str]:
    """The unit pages an index stamp lists: ``<unit>/index.html`` or ``don-vi-<name>.html``, the only pages an index
    removes (index.html is always written again); nothing else it might say — a report, another folder, a path
    out, a wildcard — is taken from it."""
    try:
        pages = json.loads(stamp or b"{}").get("pages") or []
    except (ValueError, AttributeError, TypeError):
        return set()
    if not isinstance(pages, list):
        return set()
    return {p for p in pages if isinstance(p, str) and _STAMPED_PAGE.fullmatch(p)}


def index_pages(out_dir: Path) -> list[str]:
    """The pages of the index written last (relative to ``out_dir``, index.html first)."""
    try:
        pages = json.loads((out_dir / INDEX_STAMP).read_text(encoding="utf-8")).get("pages")
    except (OSError, ValueError):
        pages = None
    return pages if isinstance(pages, list) and pages else ["index.html"]


def publish_remote(target, runs, outcomes: dict[str, Outcome], out_dir: Path, index, index_error, progress,
                   redactor: Redactor | None = None):  # fmt: skip
    """Publish every report made or up to date in the mirror whose remote copy differs, then the index page.

    A report that cannot be published is marked failed (the others go on); the index is published only when every
    report is, so it never links a report the destination does not have. Returns the index URL and index error.
    """

    def failed(entry: Outcome, err: Exception, message: str) -> Failure:
        """The report stays in the mirror; its outcome says why it is not at the destination (credentials masked)."""
        failure = Failure.from_exception("publish", err, local=str(out_dir / entry.run_id))
        failure.message = message
        entry.status, entry.published, entry.outputs, entry.error = (
            "failed",
            False,
            {},
            failure.redact(redactor),
        )
        return failure

    # The first call to reach the store: unreachable or refused, no report is published.
    try:
        target.clean_stale_staging()
    except Exception as err:
        error = f"{target.display()}: cannot reach it: {type(err).__name__}: {err}"
        for run in runs:
            if outcomes[run.run_id].status in ("ok", "skipped"):
                failed(outcomes[run.run_id], err, error)
        return None, redactor.text(error) if redactor else error
    unpublished = 0
    for run in runs:
        entry = outcomes[run.run_id]
        if entry.status not in ("ok", "skipped"):
            continue
        run_dir = out_dir / run.run_id
        try:
            if target.is_current(run.run_id, run_dir):
                entry.published = False
                names = list((store.read_manifest(run_dir) or {}).get("files", {}))
            else:
                names = target.publish_report(run.run_id, run.stem, run_dir)
                entry.published = True
                progress.line(f"  ↑ {run.run_id}: published to {target.display(run.run_id)}/")
        except Exception as err:
            unpublished += 1
            failure = failed(entry, err, f"{target.display(run.run_id)}/: {err}".strip())
            progress.line(f"  ✗ {run.run_id}: publish — {failure.line()}")
            continue
        entry.outputs = {n: target.display(f"{run.run_id}/{n}") for n in names}
    try:
        if index is None:
            return None, index_error
        if unpublished:
            return None, f"index.html was not published: {unpublished} report(s) could not be published"
        # The units' pages first, the page linking them last: a reader never follows a link to a missing page.
        pages = index_pages(out_dir)
        page = "index.html"
        try:
            for page in [*pages[1:], "index.html"]:
                if target.publish_file(out_dir / page, page):
                    progress.line(f"  ↑ {page}: published to {target.display(page)}")
            # Then the pages the destination's last index had and this one has not (the index links them no
            # more): removed, as in the mirror, and the list of pages published after them.
            page = INDEX_STAMP
            for gone in sorted(_stamped_pages(target.read_file(INDEX_STAMP)) - set(pages)):
                if is_index_page(target.read_file(gone)):  # never a file the index did not write
                    target.remove_file(gone)
                    progress.line(f"  ✗ {gone}: removed from {target.display()}/ (no longer in the index)")
            if (out_dir / INDEX_STAMP).is_file():
                target.publish_file(out_dir / INDEX_STAMP, INDEX_STAMP)
        except Exception as err:
            error = f"{page} could not be published to {target.display(page)}: {type(err).__name__}: {err}"
            return None, redactor.text(error) if redactor else error
        return target.display("index.html"), index_error
    finally:
        target.drop_empty_staging()
