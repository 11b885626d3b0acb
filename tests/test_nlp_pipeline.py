"""Train / classify / predict / evaluate with the real tokenizer and a tiny random encoder."""
import argparse
import json

import pytest

from nlp import cli_classify, cli_evaluate, cli_predict
from nlp.classify import classify_pending, classifier_dir_for, load_classifier
from vocabulary import ALL_REGIONS, SENTIMENTS, TOPICS

DOCS = [
    ("https://news.example/1", "대구시 자치경찰위, 어린이 보호구역 안전 점검",
     "대구시 자치경찰위원회가 대구경찰청과 함께 어린이 보호구역을 점검했다."),
    ("https://news.example/2", "자치경찰제 무늬만 자치…시민단체 비판 성명",
     "시민단체는 자치경찰위원회의 권한이 없다며 이원화를 촉구했다."),
    ("https://news.example/3", "세종 BRT 자율주행 버스 정식 운행", "자율주행 버스가 다음 달부터 운행한다."),
]


def _args(mod, argv, db=None):
    p = argparse.ArgumentParser()
    mod.add_arguments(p)
    a = p.parse_args(argv)
    a.db = db
    return a


@pytest.fixture(scope="module")
def tiny_clf(tiny_model_dir):
    return load_classifier(model=str(tiny_model_dir))


def _save_docs(db):
    from store.documents import save_document
    return [save_document(db, {"canonical_url": u, "title": t, "body": b, "source": "test",
                               "kind": "news", "outlet": "테스트", "published_at": "2024-05-01T09:00:00+09:00"})[0]
            for u, t, b in DOCS]


def test_tiny_classifier_bundle_has_version_and_meta(tiny_model_dir, tiny_clf):
    d = classifier_dir_for(str(tiny_model_dir))
    meta = json.loads((d / "meta.json").read_text())
    assert meta["version"] == tiny_clf.version and len(meta["version"]) == 12
    assert meta["encoder"] == str(tiny_model_dir) and meta["n_train"] >= 50


def test_classify_pending_writes_store_and_is_incremental(db, tiny_model_dir, tiny_clf):
    ids = _save_docs(db)
    counts = classify_pending(db, model=str(tiny_model_dir), batch_size=2, progress=False)
    assert counts["classified"] == 3 and counts["failed"] == 0
    rows = list(db.query("SELECT * FROM classifications ORDER BY document_id"))
    assert {r["document_id"] for r in rows} == set(ids)
    for r in rows:
        assert r["model_version"] == tiny_clf.version
        assert r["sentiment"] in SENTIMENTS
        assert set(json.loads(r["sentiment_scores"])) == set(SENTIMENTS)
        assert set(json.loads(r["topic_scores"])) == set(TOPICS)
        assert set(json.loads(r["regions"])) <= set(ALL_REGIONS)
    assert db["labels"].count == 3
    # nothing left to do for this version; --reclassify redoes all
    assert classify_pending(db, model=str(tiny_model_dir), progress=False)["classified"] == 0
    assert classify_pending(db, model=str(tiny_model_dir), progress=False,
                            reclassify=True, limit=2)["classified"] == 2


def test_cli_classify_with_model_dir(db_path, tiny_model_dir, tiny_clf, capsys):
    import store
    db = store.open_db(db_path)
    _save_docs(db)
    rc = cli_classify.run(_args(cli_classify, ["--model", str(tiny_model_dir)], db=str(db_path)))
    assert rc == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["classified"] == 3


def test_predict_skips_bad_lines_with_line_numbers(tmp_path, tiny_model_dir, tiny_clf, capsys):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text("\n".join([
        json.dumps({"id": "a", "title": DOCS[0][1], "text": DOCS[0][2]}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "c", "title": "제목만"}, ensure_ascii=False),
        json.dumps({"id": "d", "title": DOCS[1][1], "text": DOCS[1][2]}, ensure_ascii=False),
    ]), encoding="utf-8")
    rc = cli_predict.run(_args(cli_predict, ["--input", str(inp), "--output", str(out),
                                             "--model", str(tiny_model_dir)]))
    err = capsys.readouterr().err
    assert rc == 1 and "line 2" in err and "line 3" in err and "text" in err
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "d"]
    for r in rows:
        assert {"relevant", "relevance_score", "sentiment", "sentiment_scores", "topics",
                "topic_scores", "regions"} <= set(r)
        assert 0.0 <= r["relevance_score"] <= 1.0


def test_evaluate_prints_model_and_baseline_metrics(tiny_model_dir, tiny_clf, capsys):
    from nlp.data import SEED_HELDOUT
    rc = cli_evaluate.run(_args(cli_evaluate, ["--gold", str(SEED_HELDOUT), "--model", str(tiny_model_dir)]))
    assert rc == 0
    res = json.loads(capsys.readouterr().out)
    for key in ("model", "baseline_tfidf_kiwi"):
        assert set(res[key]) >= {"sentiment_macro_f1", "relevance_f1", "topics_micro_f1", "topics_macro_f1",
                                 "region_exact", "region_jaccard"}, key
    assert "sentiment_macro_f1" in res["baseline_kosac"]
    # the model's figures recomputed with scikit-learn from its own predictions
    from sklearn.metrics import f1_score
    from nlp.data import load_gold
    gold = load_gold(SEED_HELDOUT)
    pred = tiny_clf.predict(gold)
    assert res["model"]["relevance_f1"] == pytest.approx(
        f1_score([bool(g["relevant"]) for g in gold], [bool(p["relevant"]) for p in pred], zero_division=0), abs=1e-4)
    pairs = [(g["sentiment"], p["sentiment"]) for g, p in zip(gold, pred) if g["relevant"] and g["sentiment"] in SENTIMENTS]
    present = sorted({g for g, _ in pairs})
    assert res["model"]["sentiment_macro_f1"] == pytest.approx(f1_score(
        [g for g, _ in pairs], [p for _, p in pairs], labels=present, average="macro", zero_division=0), abs=2e-4)


def test_missing_or_broken_classifier_says_how_to_build(tmp_path, capsys):
    broken = tmp_path / "clf"
    broken.mkdir()
    (broken / "meta.json").write_text("{}")
    (broken / "heads.joblib").write_bytes(b"garbage")
    given = tmp_path / "in.jsonl"           # a good input: the classifier is what is missing
    given.write_text('{"id": "1", "title": "자치경찰위원회", "text": "예산 논란"}\n', encoding="utf-8")
    for d in (tmp_path / "nope", broken):
        rc = cli_predict.run(_args(cli_predict, ["--input", str(given), "--output", str(tmp_path / "o"),
                                                 "--classifier", str(d)]))
        err = capsys.readouterr().err
        assert rc == 2 and "python monitor.py train" in err and "Traceback" not in err


def test_missing_encoder_folder_is_a_clear_error(tmp_path, capsys):
    rc = cli_classify.run(_args(cli_classify, ["--model", str(tmp_path / "no-model")],
                                db=str(tmp_path / "m.db")))
    assert rc == 2 and "python monitor.py train" in capsys.readouterr().err
