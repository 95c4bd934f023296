"""Make the ``reportkit`` nbconvert template visible to ``jupyter nbconvert --to html --template reportkit``.

A regular install (``pip install .``, a wheel) puts it in ``<prefix>/share/jupyter/nbconvert/templates`` through
pyproject's data-files. An editable install (``pip install -e .``) installs no data files, so development set-ups run
``python -m reportkit.export install-template`` once: it links that folder to the package's template, so edits show
at once.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from reportkit.export.exporter import TEMPLATE_NAME, TEMPLATES_DIR


def install_template(prefix: str | Path | None = None, copy: bool = False) -> Path:
    """Link (or copy) the template to ``<prefix>/share/jupyter/nbconvert/templates/reportkit``; returns that path.

    An existing installed copy is replaced; anything else at that path is left alone and reported.
    """
    source = TEMPLATES_DIR / TEMPLATE_NAME
    target = Path(prefix or sys.prefix) / "share" / "jupyter" / "nbconvert" / "templates" / TEMPLATE_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        if target.resolve() == source.resolve() and not copy:
            return target
        target.unlink()
    elif target.is_dir():
        if not (target / "conf.json").is_file() or "reportkit" not in (target / "conf.json").read_text():
            raise FileExistsError(f"{target} exists and is not a reportkit template; remove it first")
        shutil.rmtree(target)
    elif target.exists():
        raise FileExistsError(f"{target} exists and is not a reportkit template; remove it first")
    if copy:
        shutil.copytree(source, target)
    else:
        target.symlink_to(source.resolve(), target_is_directory=True)
    return target
