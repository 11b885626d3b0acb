"""Docs that cannot drift: every command and option in README's command table and every
`python monitor.py …` / `python scheduler.py …` line in README and docs/operations.md exists
in the programs' --help, and every command in `monitor.py --help` has a row in README's table.

A new command needs one README row (`| \\`name [--option]\\` | what it does |`); nothing here
lists commands by name."""
import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import monitor

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
OPERATIONS = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-z])(?![\w-])")


def help_text(argv, script="monitor.py"):
    result = subprocess.run([sys.executable, script, *argv, "--help"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def subparsers(parser):
    """{name: parser} of a parser's sub-commands ({} if it has none)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def first_choices(parser):
    """The choices of a parser's first positional argument (`import bigkinds|csv|jsonl`), or set()."""
    positional = [a for a in parser._actions if not a.option_strings and a.dest != "help"]
    return set(positional[0].choices or ()) if positional else set()


PARSER = monitor.build_parser()
COMMANDS = subparsers(PARSER)


def options_of(parser):
    """Every option string `parser --help` shows, with those of its sub-commands."""
    found = set(re.findall(r"--[a-z][a-z0-9-]*|(?<![\w-])-[a-z]\b", parser.format_help()))
    for sub in subparsers(parser).values():
        found |= options_of(sub)
    return found


def readme_table():
    """[(row text, command, options)] of README's command table."""
    section = README.split("## 명령 / Commands", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        match = re.match(r"^\|\s*`([^`]+)`\s*\|", line)
        if match:
            usage = match[1]
            rows.append((line, usage.split()[0], set(OPTION.findall(usage))))
    return rows


def command_lines(text, script):
    """[(line, words after the script)] of every `python SCRIPT …` in a doc."""
    found = []
    for match in re.finditer(rf"python {re.escape(script)}([^`\n|]*)", text):
        found.append((match[0], match[1].split()))
    return found


def test_readme_table_lists_every_command_and_only_real_ones():
    listed = [command for _, command, _ in readme_table()]
    assert len(listed) == len(set(listed)), "a command has two rows in README's table"
    in_help = re.findall(r"^    (\w+)\s", help_text([]), re.M)
    assert set(in_help) == set(COMMANDS)  # the real --help lists what the parser has
    missing = sorted(set(COMMANDS) - set(listed))
    assert not missing, f"commands in `monitor.py --help` without a row in README's command table: {missing}"
    unknown = sorted(set(listed) - set(COMMANDS))
    assert not unknown, f"README's command table lists commands monitor.py does not have: {unknown}"


@pytest.mark.parametrize("row", readme_table(), ids=lambda row: row[1])
def test_readme_table_options_exist(row):
    line, command, options = row
    parser = COMMANDS[command]
    usage = re.match(r"^\|\s*`([^`]+)`", line)[1].replace("\\|", "|").split()
    if len(usage) > 1 and "|" in usage[1]:  # `export trends|documents ...`: the sub-commands
        assert set(usage[1].split("|")) <= set(subparsers(parser)) | first_choices(parser), line
    unknown = sorted(options - options_of(parser) - {"--help", "-h"})
    assert not unknown, f"README row {line!r}: not in `monitor.py {command} --help`: {unknown}"


@pytest.mark.parametrize("doc", ["README.md", "docs/operations.md"])
def test_monitor_lines_in_docs_exist(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    lines = command_lines(text, "monitor.py")
    assert lines, f"no `python monitor.py` lines found in {doc}"
    for line, words in lines:
        args = re.sub(r"\[[^\]]*\]", " ", " ".join(words)).split()  # optional parts aside
        while args and args[0] in ("--db", "-v", "--verbose"):  # global options before the command
            args = args[2:] if args[0] == "--db" else args[1:]
        if not args or args[0] not in COMMANDS:
            assert not args or args[0] == "COMMAND", f"{doc}: unknown command in {line!r}"
            continue
        parser = COMMANDS[args[0]]
        if len(args) > 1 and args[1] in subparsers(parser):
            parser = subparsers(parser)[args[1]]
        unknown = sorted(set(OPTION.findall(" ".join(words))) - options_of(parser) - {"--help", "-h"})
        assert not unknown, f"{doc}: {line!r}: not in `monitor.py {args[0]} --help`: {unknown}"


def test_scheduler_lines_in_docs_exist_and_every_option_is_documented():
    options = set(OPTION.findall(help_text([], "scheduler.py"))) - {"--help", "-h"}
    documented = set()
    for doc in (README, OPERATIONS):
        for line, words in command_lines(doc, "scheduler.py"):
            used = set(OPTION.findall(" ".join(words)))
            assert used <= options, f"{line!r}: not in `scheduler.py --help`: {sorted(used - options)}"
            documented |= used
    # the operations guide's table of scheduler options names the rest in backticks
    documented |= {o for o in options if f"`{o}" in OPERATIONS}
    assert options - {"-v", "--verbose"} <= documented, f"scheduler.py options not in the docs: {sorted(options - documented)}"


def deploy_commands():
    """(where, argv) of every program start in deploy/: systemd ExecStart= and compose command:."""
    import yaml
    found = []
    for unit in sorted((ROOT / "deploy" / "systemd").glob("*.service")):
        for line in unit.read_text(encoding="utf-8").splitlines():
            if line.startswith("ExecStart="):
                found.append((unit.name, line.split("=", 1)[1].split()[1:]))  # without the interpreter
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text(encoding="utf-8"))
    for name, service in compose["services"].items():
        if "command" in service:
            found.append((f"compose {name}", service["command"][1:]))
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    found.append(("Dockerfile CMD", json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.M)[1])[1:]))
    return found


@pytest.mark.parametrize("where,argv", deploy_commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_deploy_files_start_real_commands(where, argv):
    import scheduler
    script, args = argv[0], argv[1:]
    assert script in ("scheduler.py", "monitor.py"), where
    try:
        parsed = scheduler.parse_args(args) if script == "scheduler.py" else PARSER.parse_args(args)
    except SystemExit:
        pytest.fail(f"{where}: {' '.join(argv)} is not a valid command line")
    assert getattr(parsed, "server", "waitress") == "waitress", f"{where}: the services run the production server"
