"""Sentence embeddings from any local Hugging Face encoder folder (or hub id).

E5 conventions: "passage: " prefix, mean pooling over the attention mask,
L2-normalised output. Long texts can be embedded as one truncated window
(head) or as token windows mean-pooled together (chunk).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from nlp.errors import ModelMissing

PREFIX = "passage: "


def fingerprint(model: str | Path) -> str:
    """Cheap, stable hash of an encoder: config + weight file sizes + head/tail bytes."""
    p = Path(model)
    h = hashlib.sha256()
    if not p.is_dir():                      # hub id: the name is all we know
        h.update(str(model).encode())
        return h.hexdigest()[:16]
    for f in sorted(p.iterdir()):
        if f.suffix not in (".json", ".safetensors", ".bin"):
            continue
        h.update(f.name.encode())
        size = f.stat().st_size
        h.update(str(size).encode())
        with f.open("rb") as fh:
            h.update(fh.read(1 << 20))
            if size > 2 << 20:
                fh.seek(-(1 << 20), os.SEEK_END)
                h.update(fh.read())
    return h.hexdigest()[:16]


class Encoder:
    def __init__(self, model: str | Path, max_length: int = 256, threads: int | None = None,
                 quantize: bool = False):
        import torch
        import transformers
        from transformers import AutoModel, AutoTokenizer
        transformers.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        self.name = str(model)
        p = Path(model)
        local = p.is_dir()
        if not local and (str(model).startswith(("/", ".", "~")) or str(model).count("/") > 1):
            raise ModelMissing(f"encoder folder not found: {model}")
        if local and not (p / "config.json").is_file():
            raise ModelMissing(f"not a Hugging Face model folder (no config.json): {model}")
        if threads:
            torch.set_num_threads(threads)
        try:
            self.tok = AutoTokenizer.from_pretrained(str(model), local_files_only=local)
            self.model = AutoModel.from_pretrained(str(model), local_files_only=local)
        except (OSError, ValueError) as e:
            raise ModelMissing(f"cannot load encoder {model}: {e}") from e
        self.model.eval()
        if quantize:
            self.model = torch.ao.quantization.quantize_dynamic(
                self.model, {torch.nn.Linear}, dtype=torch.qint8)
        limit = getattr(self.model.config, "max_position_embeddings", 512)
        self.max_length = min(max_length, limit)
        self.dim = self.model.config.hidden_size
        self.fingerprint = fingerprint(model) + ("-q8" if quantize else "")

    def _forward(self, ids: list[list[int]]) -> np.ndarray:
        """Mean-pooled (unnormalised) vectors for lists of token ids."""
        import torch
        width = max(len(x) for x in ids)
        pad = self.tok.pad_token_id or 0
        inp = torch.full((len(ids), width), pad, dtype=torch.long)
        mask = torch.zeros((len(ids), width), dtype=torch.long)
        for i, x in enumerate(ids):
            inp[i, : len(x)] = torch.tensor(x)
            mask[i, : len(x)] = 1
        with torch.inference_mode():
            out = self.model(input_ids=inp, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).float()
        return ((out * m).sum(1) / m.sum(1)).numpy()

    def _windows(self, text: str, chunk: bool, max_chunks: int) -> list[list[int]]:
        body = self.tok(PREFIX + text, add_special_tokens=False)["input_ids"]
        n = self.max_length - 2
        spans = [body[i:i + n] for i in range(0, max(len(body), 1), n)]
        spans = spans[:max_chunks] if chunk else spans[:1]
        cls, sep = self.tok.cls_token_id, self.tok.sep_token_id
        if cls is None:
            cls = self.tok.bos_token_id
        if sep is None:
            sep = self.tok.eos_token_id
        return [[cls] + s + [sep] for s in spans]

    def embed(self, texts: list[str], batch_size: int = 32, chunk: bool = False,
              max_chunks: int = 4) -> np.ndarray:
        """L2-normalised embeddings, one row per text."""
        wins, owner = [], []
        for i, t in enumerate(texts):
            for w in self._windows(t or "", chunk, max_chunks):
                wins.append(w)
                owner.append(i)
        out = np.zeros((len(texts), self.dim), dtype=np.float64)
        weight = np.zeros(len(texts))
        order = sorted(range(len(wins)), key=lambda k: len(wins[k]))  # less padding
        for s in range(0, len(order), batch_size):
            idx = order[s:s + batch_size]
            vecs = self._forward([wins[k] for k in idx])
            for k, v in zip(idx, vecs):
                w = len(wins[k]) - 2
                out[owner[k]] += w * v
                weight[owner[k]] += w
        out /= np.maximum(weight, 1)[:, None]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)
