"""``python -m reportkit.export install-template [--prefix DIR] [--copy]``."""

from __future__ import annotations

import argparse

from reportkit.export.template import install_template


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reportkit.export")
    commands = parser.add_subparsers(dest="command", required=True)
    install = commands.add_parser(
        "install-template", help="make `jupyter nbconvert --template reportkit` find the template"
    )
    install.add_argument("--prefix", help="environment prefix (default: this Python's sys.prefix)")
    install.add_argument("--copy", action="store_true", help="copy instead of linking")
    args = parser.parse_args(argv)
    target = install_template(args.prefix, copy=args.copy)
    print(f"reportkit template: {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
