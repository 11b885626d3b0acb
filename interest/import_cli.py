"""`monitor.py import survey FILE.csv`: bring outside results into the store. Only awareness
survey results so far (interest/survey.py checks every row; docs/interest.md)."""
import sys

from interest.survey import SurveyError, import_csv
from store import open_db

HELP = "설문 결과 가져오기 / import awareness survey results (CSV: date, region, question, share, n, source, url)"
KINDS = ("survey",)


def add_arguments(parser):
    parser.add_argument("kind", choices=KINDS, help="what the file holds: survey")
    parser.add_argument("file", help="the CSV file (UTF-8 or Excel's CP949)")


def run(args):
    db = open_db(getattr(args, "db", None))
    try:
        return import_survey(db, args.file)
    finally:
        db.conn.close()


def import_survey(db, path):
    try:
        new, replaced = import_csv(db, path)
    except OSError as exc:
        print(f"오류 / error: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except SurveyError as exc:
        print(f"오류 / error: {exc}", file=sys.stderr)
        for problem in exc.problems[:30]:
            print(f"  {problem}", file=sys.stderr)
        if len(exc.problems) > 30:
            print(f"  … {len(exc.problems) - 30} more", file=sys.stderr)
        return 1
    print(f"설문 결과 가져옴 / surveys imported: 새 {new}건, 갱신 {replaced}건 ({path})")
    return 0
