#!/usr/bin/env python
"""자치경찰 언론·여론 모니터 — one command line for every job.

    python monitor.py COMMAND --help

Each command lives in the module that owns its job; this file only wires them up.
"""
import argparse
import importlib
import logging
import os
import sys

# command -> module with HELP, add_arguments(parser) and run(args) -> exit code
COMMANDS = {
    "init": "store.cli_init",
    "crawl": "crawler.cli",
    "classify": "nlp.cli_classify",
    "predict": "nlp.cli_predict",
    "train": "nlp.cli_train",
    "evaluate": "nlp.cli_evaluate",
    "dashboard": "dashboard.cli",
    "digest": "digest.cli",
    "export": "export.cli",
    "status": "store.cli_status",
    "sources": "crawler.sources_cli",
    "backup": "store.cli_backup",
    "restore": "store.cli_restore",
    "index": "nlp.cli_index",
    "events": "events.cli",
    "interest": "interest.cli",
    "import": "importer.cli",
    "watchlist": "watchlists.cli",
}


class NotBuiltYet:
    """Stands in for a command whose module is not part of this build."""

    def __init__(self, name, error):
        self.HELP = f"(not built yet) {name}"
        self.name, self.error = name, error

    def add_arguments(self, parser):
        parser.add_argument("rest", nargs=argparse.REMAINDER)

    def run(self, args):
        print(f"'{self.name}' is not built yet in this version ({self.error}).", file=sys.stderr)
        return 2


def load_command(name):
    try:
        return importlib.import_module(COMMANDS[name])
    except ModuleNotFoundError as exc:
        if exc.name and COMMANDS[name].startswith(exc.name):
            return NotBuiltYet(name, exc)
        raise


def build_parser():
    parser = argparse.ArgumentParser(
        prog="monitor.py",
        description="자치경찰 언론·여론 모니터: crawl, classify, dashboard, digest and export.",
    )
    parser.add_argument("--db", help="SQLite file (default: $MONITOR_DB or data/monitor.db)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = load_command(name)
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        cmd.add_argument("--db", default=argparse.SUPPRESS,
                         help="SQLite file (default: $MONITOR_DB or data/monitor.db)")
        module.add_arguments(cmd)
        cmd.set_defaults(module=module)
    return parser


def main(argv=None):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.command:
        parser.print_help()
        return 2
    from store import StoreError
    try:
        return args.module.run(args) or 0
    except StoreError as exc:
        print(f"오류 / error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("중단됨 / interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
