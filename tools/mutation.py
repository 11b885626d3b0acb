"""Mutation testing of the core modules: small AST-based mutants, each run against the
module's own fast tests. A mutant is *killed* when a test fails (or the run times out);
it *survives* when every selected test still passes. See docs/testing.md.

    nice -n 5 python tools/mutation.py                       # every module below
    nice -n 5 python tools/mutation.py crawler/urls.py       # one module
    python tools/mutation.py --list crawler/urls.py          # print the mutants, run nothing
    nice -n 5 python tools/mutation.py --json out/mutation.json

How it stays fast on a busy 2-core machine: the repository is copied once to a temporary
folder (models/ linked, not copied); a parent process imports pytest and the heavy
third-party libraries once and forks a child per mutant, which writes the mutated module
into the copy and runs pytest in-process with -x. A first run of the module's tests
records which test executes which line of the module (and which tests start a
subprocess); a mutant runs only the tests that execute its lines, then, if it survives
them, the tests that start subprocesses (`monitor.py ...` runs the module out of sight of
the line tracer), or with --confirm every other selected test. A mutant of module-level
code (run at import) runs every test.

`--planted` instead plants the bugs listed in PLANTED one at a time and lists the tests
that fail for each (every one must make at least one test fail).
"""
import argparse
import ast
import dataclasses
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# module -> the test files that exercise it (fast ones; the slow export round trips that
# build a model are left to the full suite).
MODULES = {
    "store/queries.py": ["tests/test_core_queries.py", "tests/test_store.py", "tests/test_dashboard_queries.py",
                         "tests/test_spikes.py"],
    "store/labels.py": ["tests/test_core_labels.py", "tests/test_store.py"],
    "analysis/spikes.py": ["tests/test_core_spikes.py", "tests/test_spikes.py"],
    "crawler/urls.py": ["tests/test_core_crawler.py", "tests/test_crawler_units.py"],
    "crawler/dates.py": ["tests/test_core_crawler.py", "tests/test_crawler_units.py", "tests/test_crawler_extract.py"],
    "export/writers.py": ["tests/test_core_writers.py"],
    "digest/send.py": ["tests/test_core_send.py", "tests/test_digest.py"],
    "export/params.py": ["tests/test_core_params.py"],
}
# The bugs an audit planted (issue #22): (what, file, original text, planted text). Each must
# make at least one test of that module's selection fail; `--planted` checks them all.
PLANTED = [
    ("Wilson interval centred on the raw share", "store/queries.py",
     "centre = (p + z * z / (2 * n)) / denom", "centre = p"),
    ("volume spike needs more than the minimum volume", "analysis/spikes.py",
     "if value >= min_volume else 1.0", "if value > min_volume else 1.0"),
    ("negative-share spike without the minimum rise", "analysis/spikes.py",
     " and share - p0 >= min_share_delta", ""),
    ("staff corrections: the oldest wins", "store/labels.py",
     "ORDER BY document_id, created_at, id", "ORDER BY document_id, created_at DESC, id DESC"),
    ("mobile. hosts not mapped to the canonical host", "crawler/urls.py",
     'for prefix in ("m.", "mobile."):', 'for prefix in ("m.",):'),
    ("a site-root rel=canonical accepted", "crawler/urls.py",
     ' and urlsplit(page_canonical).path not in ("", "/")', ""),
    ("XLSX dates written as text cells", "export/writers.py",
     "return dt.date.fromisoformat(value)", "return value"),
    ("digest attempt cap off by one", "digest/send.py",
     "        if attempts >= limit:", "        if attempts > limit:"),
    ("the API rejects from == to", "export/params.py",
     "date_from and date_to and date_from > date_to", "date_from and date_to and date_from >= date_to"),
]
PRELOAD = ("pytest", "sqlite_utils", "pandas", "pyarrow", "pyarrow.parquet", "openpyxl", "matplotlib",
           "matplotlib.pyplot", "flask", "werkzeug.serving", "dateutil.parser", "aiosmtpd.controller",
           "scrapy.http", "feedparser", "lxml.html", "hypothesis", "scipy.stats")

# ---- mutants ------------------------------------------------------------------------------

COMPARE_FLIPS = {ast.Lt: ("<", "<="), ast.LtE: ("<=", "<"), ast.Gt: (">", ">="), ast.GtE: (">=", ">"),
                 ast.Eq: ("==", "!="), ast.NotEq: ("!=", "=="), ast.In: ("in", "not in"),
                 ast.NotIn: ("not in", "in"), ast.Is: ("is", "is not"), ast.IsNot: ("is not", "is")}
BINOP_FLIPS = {ast.Add: ("+", "-"), ast.Sub: ("-", "+"), ast.Mult: ("*", "/"), ast.Div: ("/", "*"),
               ast.FloorDiv: ("//", "/")}
CALL_SWAPS = {"max": "min", "min": "max", "any": "all", "all": "any"}
# SQL inside string literals: (pattern, replacement); each occurrence is its own mutant.
SQL_FLIPS = [
    (r"\bDESC\b", "ASC"), (r"\bASC\b", "DESC"), (r">=", ">"), (r"<=", "<"),
    (r"(?<![<>=!])<(?![=>])", "<="), (r"(?<![<>=!-])>(?!=)", ">="),
    (r"\bIS NOT NULL\b", "IS NULL"), (r"\bIS NULL\b", "IS NOT NULL"),
    (r"= 1\b", "= 0"), (r"= 0\b", "= 1"), (r"\bCOUNT\(DISTINCT ", "COUNT("),
    (r"\bAND\b", "OR"), (r"\bMIN\(", "MAX("), (r"\bMAX\(", "MIN("), (r"\bNOT EXISTS\b", "EXISTS"),
    (r"""ORDER BY ([\w.]+)(?=,| LIMIT|\s*["']|\s*$)""", r"ORDER BY \1 DESC"), (r"\+ 1\b", "+ 0"), (r"\bIN \('failed', 'pending'\)", "IN ('failed')"), (r"(?<![<>!=])= '", "!= '"),
]
SQL_HINT = re.compile(r"\b(SELECT|WHERE|ORDER BY|UPDATE|INSERT|DELETE|JOIN|AND)\b")


@dataclasses.dataclass
class Mutant:
    module: str
    line: int
    end_line: int
    kind: str
    before: str
    after: str
    start: int      # byte offsets in the module's UTF-8 source
    end: int
    status: str = "pending"
    detail: str = ""

    @property
    def key(self):
        return f"{self.module}:{self.line}:{self.kind}:{self.before}->{self.after}"

    def apply(self, source_bytes):
        return source_bytes[:self.start] + self.after.encode("utf-8") + source_bytes[self.end:]


class _Finder(ast.NodeVisitor):
    def __init__(self, module, source):
        self.module, self.src = module, source.encode("utf-8")
        starts, offset = [], 0
        for line in self.src.splitlines(keepends=True):
            starts.append(offset)
            offset += len(line)
        self.line_starts = starts + [offset]
        self.mutants = []
        self.docstrings = set()
        self.quiet_calls = set()   # strings inside these calls are messages, not logic

    # -- positions
    def pos(self, lineno, col):
        return self.line_starts[lineno - 1] + col

    def span(self, node):
        return self.pos(node.lineno, node.col_offset), self.pos(node.end_lineno, node.end_col_offset)

    def text(self, start, end):
        return self.src[start:end].decode("utf-8")

    def add(self, node, kind, start, end, after):
        before = self.text(start, end)
        if before != after:
            self.mutants.append(Mutant(self.module, node.lineno, node.end_lineno, kind, before, after, start, end))

    def between(self, node, left, right, old, new, kind):
        """Replace the operator token `old` found between two operand nodes."""
        start, end = self.span(left)[1], self.span(right)[0]
        gap = self.text(start, end)
        pattern = r"\b" + re.escape(old).replace(r"\ ", r"\s+") + r"\b" if old[0].isalpha() else re.escape(old)
        m = re.search(pattern, gap)
        if m:
            self.add(node, kind, start + len(gap[:m.start()].encode()), start + len(gap[:m.end()].encode()), new)

    # -- visitors
    def visit_Module(self, node):
        self._mark_docstrings(node)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        self._mark_docstrings(node)
        self.generic_visit(node)

    visit_ClassDef = visit_FunctionDef

    def _mark_docstrings(self, node):
        body = getattr(node, "body", [])
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            self.docstrings.add(id(body[0]))
            self.docstrings.add(id(body[0].value))

    def visit_Compare(self, node):
        operands = [node.left] + node.comparators
        for i, op in enumerate(node.ops):
            old, new = COMPARE_FLIPS.get(type(op), (None, None))
            if old:
                self.between(node, operands[i], operands[i + 1], old, new, "compare")
        self.generic_visit(node)

    def visit_BoolOp(self, node):
        old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
        self.between(node, node.values[0], node.values[1], old, new, "boolean")
        self.generic_visit(node)

    def visit_UnaryOp(self, node):
        if isinstance(node.op, ast.Not):
            start, end = self.span(node)
            operand = self.text(*self.span(node.operand))
            self.add(node, "not-removed", start, end, f"({operand})")
        self.generic_visit(node)

    def visit_BinOp(self, node):
        is_text = lambda n: isinstance(n, ast.JoinedStr) or (  # noqa: E731
            isinstance(n, ast.Constant) and isinstance(n.value, (str, bytes)))
        old, new = BINOP_FLIPS.get(type(node.op), (None, None))
        if old and not (is_text(node.left) or is_text(node.right)):
            self.between(node, node.left, node.right, old, new, "arithmetic")
        self.generic_visit(node)

    def visit_Constant(self, node):
        value = node.value
        if id(node) in self.docstrings:
            return
        start, end = self.span(node)
        if isinstance(value, bool):
            self.add(node, "boolean-constant", start, end, str(not value))
        elif isinstance(value, (int, float)):
            self.add(node, "number", start, end, repr(value + 1))
        elif isinstance(value, str) and id(node) not in self.quiet_calls:
            self._sql(node, start, end)

    def visit_JoinedStr(self, node):
        if id(node) not in self.quiet_calls:
            self._sql(node, *self.span(node))
        # the {expressions} inside are visited like any code
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                self.visit(value.value)

    def _sql(self, node, start, end):
        raw = self.text(start, end)
        if not SQL_HINT.search(raw):
            return
        for pattern, new in SQL_FLIPS:
            for m in re.finditer(pattern, raw):
                a = start + len(raw[:m.start()].encode())
                b = start + len(raw[:m.end()].encode())
                self.add(node, "sql", a, b, m.expand(new))

    def visit_Call(self, node):
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if isinstance(node.func, ast.Name) and name in CALL_SWAPS:
            self.add(node, "call", *self.span(node.func), CALL_SWAPS[name])
        self.generic_visit(node)

    def _elements(self, node, items):
        """Each element of a literal collection of constants left out in turn."""
        if len(items) < 2 or not all(isinstance(i, ast.Constant) and isinstance(i.value, (str, int, float))
                                     and not isinstance(i.value, bool) for i in items):
            return
        if isinstance(getattr(node, "parent", None), ast.Dict):  # a table's row: its arity is fixed
            return
        texts = [self.text(*self.span(i)) for i in items]
        for i in range(len(items)):
            rest = ", ".join(texts[:i] + texts[i + 1:])
            after = {ast.Tuple: f"({rest},)", ast.List: f"[{rest}]", ast.Set: f"{{{rest}}}"}[type(node)]
            self.add(node, "element-removed", *self.span(node), after)

    def visit_Tuple(self, node):
        self._elements(node, node.elts)
        self.generic_visit(node)

    visit_List = visit_Set = visit_Tuple

    def visit_Dict(self, node):
        constant = lambda v: isinstance(v, ast.Constant) or (  # noqa: E731
            isinstance(v, ast.Tuple) and all(isinstance(e, ast.Constant) for e in v.elts))
        if len(node.keys) >= 2 and all(isinstance(k, ast.Constant) for k in node.keys) \
                and all(constant(v) for v in node.values):  # a constant table
            pairs = [f"{self.text(*self.span(k))}: {self.text(*self.span(v))}" for k, v in zip(node.keys, node.values)]
            for i in range(len(pairs)):
                self.add(node, "element-removed", *self.span(node), "{" + ", ".join(pairs[:i] + pairs[i + 1:]) + "}")
        self.generic_visit(node)

    def _remove(self, node, kind):
        self.add(node, kind, *self.span(node), "pass")

    def visit_Expr(self, node):
        if id(node) not in self.docstrings and isinstance(node.value, ast.Call):
            self._remove(node, "statement-removed")
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._remove(node, "statement-removed")
        self.generic_visit(node)

    def visit_Assign(self, node):
        if all(isinstance(t, (ast.Subscript, ast.Attribute)) for t in node.targets):
            self._remove(node, "statement-removed")
        self.generic_visit(node)

    def visit_Continue(self, node):
        self._remove(node, "statement-removed")

    visit_Break = visit_Continue

    def visit_Raise(self, node):
        self._remove(node, "raise-removed")
        self.generic_visit(node)


def find_mutants(module):
    source = (ROOT / module).read_text(encoding="utf-8")
    finder = _Finder(module, source)
    tree = ast.parse(source)
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            child.parent = parent
    # mark the message strings first (a Call is visited after its parent's constants otherwise)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name[:1].isupper() and name.endswith(("Error", "Exception")) or name in (
                    "warning", "error", "info", "debug", "exception"):
                for arg in ast.walk(node):
                    if isinstance(arg, (ast.Constant, ast.JoinedStr)):
                        finder.quiet_calls.add(id(arg))
    finder.visit(tree)
    seen, out = set(), []
    for m in sorted(finder.mutants, key=lambda m: (m.start, m.end, m.after)):
        if (m.start, m.end, m.after) not in seen:
            seen.add((m.start, m.end, m.after))
            out.append(m)
    for m in out:
        try:
            compile(m.apply(finder.src), module, "exec")
        except SyntaxError:
            m.status = "invalid"
    return [m for m in out if m.status != "invalid"]


# ---- running -----------------------------------------------------------------------------

class _Selector:
    """pytest plugin: keep only the listed node ids (all when None) and record per test the
    lines of one file that ran (when `trace` is set)."""

    def __init__(self, keep=None, trace=None):
        self.keep, self.trace = keep, trace
        self.lines, self.current, self.failed, self.spawned = {}, None, [], set()

    def pytest_collection_modifyitems(self, session, config, items):
        if self.keep is not None:
            order = {nodeid: i for i, nodeid in enumerate(self.keep)}
            items[:] = sorted((i for i in items if i.nodeid in order), key=lambda i: order[i.nodeid])

    def pytest_runtest_logreport(self, report):
        if report.failed:
            self.failed.append(report.nodeid)

    def pytest_configure(self, config):
        if self.trace:  # note the tests that start a subprocess (monitor.py ...): not traced here
            import subprocess
            selector, init = self, subprocess.Popen.__init__

            def spy(popen, *args, **kwargs):
                selector.spawned.add(selector.current)
                init(popen, *args, **kwargs)
            subprocess.Popen.__init__ = spy

    def pytest_runtest_protocol(self, item, nextitem):
        self.current = item.nodeid
        if self.trace:
            self.lines.setdefault(item.nodeid, set())
            sys.settrace(self._global)
            import threading
            threading.settrace(self._global)

    def pytest_runtest_logfinish(self, nodeid, location):
        if self.trace:
            sys.settrace(None)
            import threading
            threading.settrace(None)

    def _global(self, frame, event, arg):
        if frame.f_code.co_filename == self.trace:
            self.lines[self.current].add(frame.f_lineno)
            return self._local
        return None

    def _local(self, frame, event, arg):
        if event == "line":
            self.lines[self.current].add(frame.f_lineno)
        return self._local


def _run_child(workdir, tests, keep=None, trace=None, out=None, write_bytecode=False, failures=None):
    """In a forked child: run pytest in the copy, exit with its code. Only the baseline
    writes bytecode (the tests' rewritten modules are then reused); a mutant child writes
    none, so no stale .pyc of a mutated module can ever be read."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    log = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC) if out else devnull
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.chdir(workdir)
    sys.path.insert(0, str(workdir))
    sys.dont_write_bytecode = not write_bytecode
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # dash's and hypothesis' plugins cost seconds
    import pytest
    selector = _Selector(keep, trace)
    stop = [] if failures else ["-x"]
    code = pytest.main([*stop, "-q", "-p", "no:cacheprovider", "-p", "no:unraisableexception", "-o", "addopts=",
                        "-W", "ignore::pytest.PytestConfigWarning", *tests], plugins=[selector])
    if failures:
        with open(failures, "w") as fh:
            json.dump(selector.failed, fh)
    if trace:
        with open(trace + ".lines.json", "w") as fh:
            json.dump({"lines": {k: sorted(v) for k, v in selector.lines.items()},
                       "spawned": sorted(selector.spawned - {None})}, fh)
    sys.stdout.flush()
    os._exit(int(code))


def run_tests(workdir, tests, keep=None, trace=None, timeout=600, log=None, failures=None):
    """Fork a child that runs the tests; returns ('passed'|'failed'|'timeout', exit code, seconds).
    With `failures` (a file name) every test runs and the failed ones are listed there."""
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.setpgid(0, 0)
            _run_child(workdir, tests, keep, trace, log, write_bytecode=trace is not None, failures=failures)
        finally:
            os._exit(99)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            return ("passed" if code == 0 else "failed"), code, time.monotonic() - started
        if time.monotonic() - started > timeout:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            return "timeout", None, time.monotonic() - started
        time.sleep(0.05)


def make_copy():
    """The repository (without .git and data) in a temporary folder; models/ is a link."""
    workdir = Path(tempfile.mkdtemp(prefix="mutation-"))
    ignore = shutil.ignore_patterns(".git", "__pycache__", "data", "models", "out", ".pytest_cache", "*.db*")
    for item in ROOT.iterdir():
        if item.name in (".git", "data", "out", "__pycache__"):
            continue
        if item.name == "models":
            (workdir / "models").symlink_to(item)
        elif item.is_dir():
            shutil.copytree(item, workdir / item.name, ignore=ignore)
        else:
            shutil.copy2(item, workdir / item.name)
    return workdir


def preload(workdir, tests):
    """Import the test files once in this (parent) process, then forget every module that
    lives in the copy: the third-party libraries they pulled in stay loaded for the forked
    children, while the project's own modules are imported afresh (mutated) in each child."""
    paths = [str(workdir), str(workdir / "tests")]
    sys.path[:0] = paths
    try:
        for test in tests:
            try:
                __import__(Path(test).stem)
            except Exception:  # noqa: BLE001 - the child will report it properly
                pass
    finally:
        del sys.path[:len(paths)]
        for name, mod in list(sys.modules.items()):
            if str(getattr(mod, "__file__", None) or "").startswith(str(workdir)):
                del sys.modules[name]


def mutate_module(module, workdir, say, only_lines=None, confirm=False, tests=None):
    tests = tests or MODULES[module]
    missing = [t for t in tests if not (ROOT / t).exists()]
    tests = [t for t in tests if t not in missing]
    if missing:
        say(f"  (no such test file yet: {', '.join(missing)})")
    preload(workdir, tests)
    target = workdir / module
    original = target.read_bytes()
    trace = str(target)
    log = str(workdir / "baseline.log")
    status, code, seconds = run_tests(workdir, tests, trace=trace, log=log)
    if status != "passed":
        raise SystemExit(f"{module}: the tests fail without any mutant (exit {code}); see {log}")
    for stale in (target.parent / "__pycache__").glob(target.stem + ".*.pyc"):
        stale.unlink()  # the original's bytecode: a mutant of the same size could pass for it
    traced = json.loads(Path(trace + ".lines.json").read_text())
    coverage, spawned = traced["lines"], traced["spawned"]
    all_tests = list(coverage)
    timeout = max(30.0, 3 * seconds)
    say(f"  baseline: {len(all_tests)} tests ({len(spawned)} start subprocesses) in {seconds:.0f} s; "
        f"mutant timeout {timeout:.0f} s")
    mutants = find_mutants(module)
    if only_lines:
        mutants = [m for m in mutants if m.line in only_lines]
    for n, m in enumerate(mutants, 1):
        lines = set(range(m.line, m.end_line + 1))
        covering = [t for t, ran in coverage.items() if lines & set(ran)]
        target.write_bytes(m.apply(original))
        try:
            rest = [t for t in (all_tests if confirm else spawned) if t not in covering]
            status = "passed"
            for keep in (covering, rest) if covering else (all_tests,):
                if keep:
                    status, code, _ = run_tests(workdir, tests, keep=keep, timeout=timeout)
                    if code == 5:  # nothing collected (a mutant that breaks collection fails with 2)
                        status = "passed"
                    if status != "passed":
                        break
            m.status = "survived" if status == "passed" else "killed"
            m.detail = "timeout" if status == "timeout" else ""
        finally:
            target.write_bytes(original)
        if m.status == "survived":
            say(f"  [{n}/{len(mutants)}] SURVIVED line {m.line} {m.kind}: {m.before!r} -> {m.after!r}")
    return mutants


def check_planted(workdir, say):
    """Plant each bug of PLANTED in the copy, run its module's tests, list what fails."""
    results = []
    for what, module, original, planted in PLANTED:
        target = workdir / module
        source = target.read_text(encoding="utf-8")
        if source.count(original) != 1:
            raise SystemExit(f"{module}: the text to plant over is gone or ambiguous: {original!r}")
        tests = [t for t in MODULES[module] if (ROOT / t).exists()]
        preload(workdir, tests)
        target.write_text(source.replace(original, planted), encoding="utf-8")
        report = str(workdir / "failed.json")
        try:
            status, _, seconds = run_tests(workdir, tests, failures=report)
        finally:
            target.write_text(source, encoding="utf-8")
        failed = json.loads(Path(report).read_text()) if status != "timeout" else ["(timeout)"]
        results.append((what, module, failed))
        say(f"{'CAUGHT' if failed else 'MISSED'}: {what} ({module}): {len(failed)} failing test(s) in {seconds:.0f} s")
        for nodeid in failed:
            say(f"    {nodeid}")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"default: all of {', '.join(MODULES)}")
    parser.add_argument("--list", action="store_true", help="print the mutants and exit")
    parser.add_argument("--lines", help="only mutants starting on these lines, e.g. 40,41,52")
    parser.add_argument("--json", help="write every mutant and its outcome to this file")
    parser.add_argument("--planted", action="store_true", help="check the planted bugs of issue #22 instead")
    parser.add_argument("--tests", help="comma-separated test files to use instead of the module's list")
    parser.add_argument("--confirm", action="store_true",
                        help="run a mutant that survives its covering tests against every selected test (slower)")
    args = parser.parse_args(argv)
    modules = args.modules or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        parser.error(f"not a mutated module: {', '.join(unknown)} (choose from {', '.join(MODULES)})")
    if args.list:
        for module in modules:
            for m in find_mutants(module):
                print(f"{module}:{m.line}: {m.kind}: {m.before!r} -> {m.after!r}")
        return 0
    only_lines = {int(x) for x in args.lines.split(",")} if args.lines else None
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"  # a mutant must never be read from a stale .pyc
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    for name in PRELOAD:
        try:
            __import__(name)
        except ImportError:
            pass
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a plain kill still removes the copy
    workdir = make_copy()
    say = lambda text: print(text, flush=True)  # noqa: E731
    if args.planted:
        try:
            missed = [what for what, _, failed in check_planted(workdir, say) if not failed]
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return 1 if missed else 0
    results, summary = [], []
    try:
        for module in modules:
            say(f"{module}:")
            started = time.monotonic()
            tests = args.tests.split(",") if args.tests else None
            mutants = mutate_module(module, workdir, say, only_lines, args.confirm, tests)
            killed = sum(m.status == "killed" for m in mutants)
            score = killed / len(mutants) if mutants else 1.0
            summary.append((module, len(mutants), killed, score, time.monotonic() - started))
            say(f"  {module}: {killed}/{len(mutants)} killed = {score:.1%} ({time.monotonic() - started:.0f} s)")
            results += mutants
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    total = len(results)
    killed = sum(m.status == "killed" for m in results)
    print("\nmodule                 mutants  killed  score")
    for module, n, k, score, _ in summary:
        print(f"{module:<22} {n:>7} {k:>7}  {score:6.1%}")
    if total:
        print(f"{'all':<22} {total:>7} {killed:>7}  {killed / total:6.1%}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps([dataclasses.asdict(m) for m in results], ensure_ascii=False, indent=1),
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
