"""A tiny randomly initialised encoder with the real XLM-R tokenizer, for fast tests, and its
classifier bundle trained on a quarter of the seed items."""
import contextlib
from pathlib import Path

# The tiny bundle learns from every 4th seed item: its encoder is random, so the heads only
# need to exist and behave like any bundle (a full fit is ~4x slower and checks nothing more).
TINY_TRAIN_EVERY = 4


def build_tiny_model(path) -> Path:
    """Write a 2-layer BertModel folder (hidden 32) plus the real tokenizer to `path`."""
    import torch
    from transformers import BertConfig, BertModel

    from nlp.convert import find_sources, write_tokenizer

    path = Path(path)
    if (path / "config.json").exists() and (path / "model.safetensors").exists():
        return path
    path.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=250037, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=512, type_vocab_size=2,
                     pad_token_id=1)
    BertModel(cfg).save_pretrained(path, safe_serialization=True)
    _, tok = find_sources()
    write_tokenizer(tok, path, 512)
    return path


@contextlib.contextmanager
def tiny_training():
    """In this process, a classifier trains on every TINY_TRAIN_EVERY-th seed item (used when
    the tiny bundle is built or rebuilt; a child process trains on all of them)."""
    import pytest

    import nlp.classify
    every = nlp.classify.training_items
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(nlp.classify, "training_items", lambda *a, **kw: every(*a, **kw)[::TINY_TRAIN_EVERY])
        yield


def build_tiny_bundle(model_dir) -> Path:
    """The tiny model's classifier bundle (<model>/monitor-classifier), trained if missing."""
    from nlp.classify import ensure_default_model
    with tiny_training():
        return ensure_default_model(progress=False, model=str(model_dir))
