"""A tiny randomly initialised encoder with the real XLM-R tokenizer, for fast tests."""
from pathlib import Path


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
