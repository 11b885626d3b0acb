"""`monitor.py import survey FILE.csv` (importer/cli.py): awareness survey results into the
store (interest/survey.py checks every row; docs/interest.md)."""
import sys

from interest.survey import SurveyError, import_csv


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
