"""`predict` and `evaluate` with bad input: each bad line is reported with its number and
skipped, the output file is replaced only when the run finished (temporary file + rename),
and bad files or options get a one-line message and a non-zero exit, never a traceback."""
import json

import pytest

import monitor

GOOD = {"id": "a", "title": "자치경찰위원회 예산 논의", "text": "서울시자치경찰위원회가 예산을 논의했다."}


def predict(tiny_model_dir, inp, out, *extra):
    return monitor.main(["predict", "--input", str(inp), "--output", str(out), "--model", str(tiny_model_dir),
                         "--precision", "fp32", "--no-progress", *extra])


def write_lines(path, *rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_wrong_field_types_are_skipped_and_the_old_output_survives_until_the_end(tiny_model_dir, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n", encoding="utf-8")
    inp = write_lines(tmp_path / "in.jsonl", GOOD, {**GOOD, "id": "b", "title": 7}, {**GOOD, "id": "c", "text": ["x"]},
                      {**GOOD, "id": True}, {**GOOD, "id": "e", "region": {"서울": 1}}, {**GOOD, "id": 6})
    assert predict(tiny_model_dir, inp, out) == 1
    err = capsys.readouterr().err
    for n, field in ((2, "title"), (3, "text"), (4, "id"), (5, "region")):
        assert f"line {n}: field {field}" in err, err
    assert "Traceback" not in err
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["a", 6]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_input_that_is_not_utf8_is_one_clear_error(tiny_model_dir, tmp_path, capsys):
    inp = tmp_path / "euckr.jsonl"
    inp.write_bytes(json.dumps(GOOD, ensure_ascii=False).encode("euc-kr") + b"\n")
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n", encoding="utf-8")
    assert predict(tiny_model_dir, inp, out) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not UTF-8" in err and "iconv" in err, err
    assert out.read_text(encoding="utf-8") == "previous run\n"


def test_one_bad_encoding_line_among_good_ones_is_skipped(tiny_model_dir, tmp_path, capsys):
    inp = tmp_path / "mixed.jsonl"
    inp.write_bytes(json.dumps(GOOD, ensure_ascii=False).encode("utf-8") + b"\n"
                    + json.dumps({**GOOD, "id": "k"}, ensure_ascii=False).encode("cp949") + b"\n")
    assert predict(tiny_model_dir, inp, tmp_path / "out.jsonl") == 1
    assert "line 2: not UTF-8" in capsys.readouterr().err


@pytest.mark.parametrize("where, message", [(".", "is a directory"), ("missing/out.jsonl", "does not exist")])
def test_an_unusable_output_path_is_refused_before_any_work(tiny_model_dir, tmp_path, capsys, where, message):
    inp = write_lines(tmp_path / "in.jsonl", GOOD)
    assert predict(tiny_model_dir, inp, tmp_path / where) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("command", ["predict", "classify"])
def test_batch_size_zero_is_refused(tmp_path, capsys, command):
    argv = ["--input", "x", "--output", str(tmp_path / "o")] if command == "predict" else []
    with pytest.raises(SystemExit) as exit_info:
        monitor.main(["--db", str(tmp_path / "m.db"), command, *argv, "--batch-size", "0"])
    assert exit_info.value.code == 2
    assert "--batch-size: must be at least 1, not 0" in capsys.readouterr().err


def test_evaluate_reports_a_gold_line_with_wrong_types(tiny_model_dir, tmp_path, capsys):
    from nlp.data import SEED_HELDOUT
    lines = SEED_HELDOUT.read_text(encoding="utf-8").splitlines()[:12]
    bad = {**json.loads(lines[0]), "id": "bad-regions", "regions": 5}
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(lines + [json.dumps(bad, ensure_ascii=False)]) + "\n", encoding="utf-8")
    rc = monitor.main(["evaluate", "--gold", str(gold), "--model", str(tiny_model_dir), "--no-baselines",
                       "--precision", "fp32"])
    captured = capsys.readouterr()
    assert rc == 1
    assert "line 13: field regions must be a list of strings or null" in captured.err
    assert json.loads(captured.out)["skipped_lines"] == 1
