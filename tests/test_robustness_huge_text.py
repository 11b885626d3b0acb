"""Huge texts are cut where they enter classification (nlp/clean.py): Kiwi, the character
TF-IDF, the region rules and the encoder read at most MAX_TEXT_CHARS of a body and
MAX_TITLE_CHARS of a title, so an 8 MB crawled page is labelled like its first part.
Speed and memory figures: benchmarks/huge_text.py."""
import json

import pytest

import monitor
from nlp.classify import load_classifier
from nlp.clean import MAX_TEXT_CHARS, MAX_TITLE_CHARS, document_text
from nlp.regions import region_evidence

LEAD = "부산시자치경찰위원회는 어린이 보호구역 안전 대책을 논의했다. 시민단체는 예산이 부족하다고 비판했다.\n"
FILLER = "대구 날씨 맑음 축구 경기 결과 주식 시장 반도체 수출 증가 서울 교통 공사 소식 "  # other words, other regions


def huge(chars):
    return LEAD + FILLER * (chars // len(FILLER) + 1)


def test_every_stage_input_is_bounded():
    text = document_text("제목 " * 1_000_000, huge(8_000_000))
    assert len(text) <= MAX_TITLE_CHARS + MAX_TEXT_CHARS + 1
    assert region_evidence("제목", huge(8_000_000)) == region_evidence("제목", huge(8_000_000)[:MAX_TEXT_CHARS])


def test_a_long_text_is_labelled_like_its_first_part(tiny_model_dir):
    clf = load_classifier(model=str(tiny_model_dir), precision="fp32")
    long_text = huge(300_000)
    whole, first_part = clf.predict([{"title": "자치경찰위원회 회의", "text": long_text},
                                     {"title": "자치경찰위원회 회의", "text": long_text[:MAX_TEXT_CHARS]}])
    assert whole == first_part


@pytest.mark.timeout(300)
def test_predict_finishes_on_an_8_mb_page(tiny_model_dir, tmp_path):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text(json.dumps({"id": "big", "title": "자치경찰 " * 200_000, "text": huge(8_000_000)},
                              ensure_ascii=False) + "\n", encoding="utf-8")
    assert monitor.main(["predict", "--input", str(inp), "--output", str(out), "--model", str(tiny_model_dir),
                         "--precision", "fp32", "--no-progress"]) == 0
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["id"] == "big" and row["regions"] and 0 <= row["relevance_score"] <= 1
