"""``python -m reportkit.export install-template [--prefix DIR] [--copy]`` and ``… make-reference [PATH]``."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reportkit.export")
    commands = parser.add_subparsers(dest="command", required=True)
    install = commands.add_parser(
        "install-template", help="make `jupyter nbconvert --template reportkit` find the template"
    )
    install.add_argument("--prefix", help="environment prefix (default: this Python's sys.prefix)")
    install.add_argument("--copy", action="store_true", help="copy instead of linking")
    make = commands.add_parser(
        "make-reference",
        help="write the reference Word template (default: reportkit/export/templates/reference.docx); a copy "
        "edited in Word and saved as <project>/templates/reference.docx gives a project its own styles",
    )
    make.add_argument("path", nargs="?", help="where to write it")
    args = parser.parse_args(argv)
    if args.command == "make-reference":
        from reportkit.export.reference import REFERENCE, make_reference

        print(f"reference template: {make_reference(args.path or REFERENCE)}")
        return 0
    from reportkit.export.template import install_template

    target = install_template(args.prefix, copy=args.copy)
    print(f"reportkit template: {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
