"""Sentence embeddings from any local Hugging Face encoder folder (or hub id).

E5 conventions: "passage: " prefix, mean pooling over the attention mask,
L2-normalised output. Long texts can be embedded as one truncated window
(head) or as token windows mean-pooled together (chunk).

Numeric variants (nlp/precision.py): fp32 and bf16 run the torch model; onnx and int8 run
ONNX Runtime on a graph exported once per encoder (fused attention, LayerNorm and GELU;
int8 = dynamic quantisation, per-channel weights), kept under the model folder in onnx/.
Batches are windows sorted by token length and padded per batch (less padding).
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
from pathlib import Path

import numpy as np

from nlp.errors import ModelMissing

PREFIX = "passage: "
# Change when the prefix, windowing or pooling change: it is part of every cache key.
EMBEDDING_CODE = "e5-mean-l2-1"
# Variants whose embeddings equal fp32's up to float rounding share fp32's cached vectors.
CACHE_FAMILY = {"fp32": "fp32", "onnx": "fp32", "bf16": "bf16", "int8": "int8"}
ROOT = Path(__file__).resolve().parent.parent


_file_hashes: dict = {}


def _file_hash(f: Path) -> str:
    """sha256 of a whole file, remembered per (path, size, mtime) within the process."""
    st = f.stat()
    key = (str(f.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _file_hashes:
        h = hashlib.sha256()
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                h.update(block)
        _file_hashes[key] = h.hexdigest()
    return _file_hashes[key]


def fingerprint(model: str | Path, extra: tuple = ()) -> str:
    """Hash of everything that defines an encoder's output: its config, tokenizer and weight
    files (whole contents), plus any `extra` files (e.g. an adapter's weights)."""
    p = Path(model)
    h = hashlib.sha256()
    if not p.is_dir():                      # hub id: the name is all we know
        h.update(str(model).encode())
        files = []
    else:
        files = [f for f in sorted(p.iterdir()) if f.suffix in (".json", ".safetensors", ".bin")]
    for f in files + [Path(x) for x in extra]:
        h.update(f.name.encode())
        h.update(_file_hash(f).encode())
    return h.hexdigest()[:16]


def load_backbone(model: str | Path, local: bool, dtype=None, attention: str | None = None):
    """The one place the Hugging Face encoder is loaded (an adapter would be applied here,
    and its files added to `fingerprint(..., extra=...)`)."""
    from transformers import AutoModel
    kw = {"attn_implementation": attention} if attention else {}
    if dtype is not None:
        kw["dtype"] = dtype
    return AutoModel.from_pretrained(str(model), local_files_only=local, **kw).eval()


class TorchRunner:
    """last_hidden_state from the torch model (fp32 or bf16 weights)."""

    def __init__(self, model):
        self.model = model

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        import torch
        with torch.inference_mode():
            out = self.model(input_ids=torch.from_numpy(ids),
                             attention_mask=torch.from_numpy(mask)).last_hidden_state
        return out.float().numpy()


class OrtRunner:
    """last_hidden_state from an ONNX Runtime session on the exported graph."""

    def __init__(self, path: Path, threads: int | None):
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads or os.cpu_count() or 1
        so.inter_op_num_threads = 1
        so.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]


def onnx_file(model: str | Path, fp: str, variant: str) -> Path:
    """Where the exported graph of this encoder lives (built on first use)."""
    p = Path(model)
    base = p / "onnx" if p.is_dir() else ROOT / "models" / "onnx" / re.sub(r"[^\w.-]+", "_", str(model))
    return base / f"{fp}-{variant}.onnx"


class _QuietRootInfo(logging.Filter):
    """Drops INFO and below that onnxruntime logs straight on the root logger."""
    def filter(self, record):
        return record.levelno > logging.INFO or "onnxruntime" not in record.pathname


def build_onnx(model: str | Path, local: bool, fp: str, variant: str, log=None) -> Path:
    """Export the encoder to ONNX, fuse it for BERT (onnxruntime.transformers), and for int8
    quantise it dynamically (per-channel int8 weights). Idempotent; files appear atomically."""
    log = log or (lambda m: print(m, file=sys.stderr))
    target = onnx_file(model, fp, variant)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp.onnx")
    try:
        if variant == "int8":
            import onnx
            from onnxruntime.quantization import QuantType, quantize_dynamic
            source = build_onnx(model, local, fp, "onnx", log)
            log(f"quantising {target.name} (int8, once)")
            quiet = _QuietRootInfo()  # the quantiser logs ~80 INFO lines per graph on the root logger
            logging.getLogger().addFilter(quiet)
            try:
                quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
                                 op_types_to_quantize=["MatMul", "Attention"],
                                 extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
            finally:
                logging.getLogger().removeFilter(quiet)
        else:
            _export_fused(model, local, tmp, log)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _export_fused(model, local, out: Path, log):
    import torch
    from onnxruntime.transformers import optimizer
    log(f"exporting {model} to ONNX (once, a few minutes for a full-size encoder)")
    hf = load_backbone(model, local, attention="eager")      # eager attention fuses in ORT

    class Hidden(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            return self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    raw = out.with_name(out.stem + ".raw.onnx")
    dummy = torch.ones((2, 8), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    try:
        torch.onnx.export(Hidden(hf), (dummy, dummy), str(raw), input_names=["input_ids", "attention_mask"],
                          output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes})
        cfg = hf.config
        fused = optimizer.optimize_model(str(raw), model_type="bert", num_heads=cfg.num_attention_heads,
                                         hidden_size=cfg.hidden_size, opt_level=1)
        fused.save_model_to_file(str(out))
    finally:
        raw.unlink(missing_ok=True)


class Encoder:
    def __init__(self, model: str | Path, max_length: int = 256, threads: int | None = None,
                 precision: str = "fp32", cpu=None, log=None, _loaded=None):
        """precision: fp32 | bf16 | onnx | int8 | auto (nlp/precision.py); `cpu` (CpuFeatures)
        overrides what the machine reports, for tests. `_loaded`: (tokenizer, config) already
        read from `model` (auto's probe encoders reuse them: a 17 MB tokenizer loads in seconds)."""
        import torch
        import transformers
        from transformers import AutoTokenizer

        from nlp import precision as prec
        transformers.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        log = log or (lambda m: print(m, file=sys.stderr))
        if precision not in prec.PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(prec.PRECISIONS)}, not {precision!r}")
        self.name = str(model)
        p = Path(model)
        local = p.is_dir()
        if not local and (str(model).startswith(("/", ".", "~")) or str(model).count("/") > 1):
            raise ModelMissing(f"encoder folder not found: {model}")
        if local and not (p / "config.json").is_file():
            raise ModelMissing(f"not a Hugging Face model folder (no config.json): {model}")
        if threads:
            torch.set_num_threads(threads)
        self.threads = threads
        try:
            self.tok, self.config = _loaded or (
                AutoTokenizer.from_pretrained(str(model), local_files_only=local),
                transformers.AutoConfig.from_pretrained(str(model), local_files_only=local))
        except (OSError, ValueError) as e:
            raise ModelMissing(f"cannot load encoder {model}: {e}") from e
        limit = getattr(self.config, "max_position_embeddings", 512)
        self.max_length = min(max_length, limit)
        self.dim = self.config.hidden_size
        self.fingerprint = fingerprint(model)
        self._local = local
        if precision == "auto":
            variant, enc, self.probe_report = prec.probe(
                lambda v: Encoder(model, max_length, threads, precision=v, cpu=cpu, log=log,
                                  _loaded=(self.tok, self.config)), cpu, log)
            self.precision, self._run = variant, enc._run
        else:
            variant, why = prec.fallback(precision, cpu)
            if why:
                log(f"precision {precision}: {why}")
            self.precision, self._run = variant, self._runner(variant, log)
        self.cache_key = hashlib.sha256("|".join([
            self.fingerprint, CACHE_FAMILY[self.precision], str(self.max_length), EMBEDDING_CODE,
        ]).encode()).hexdigest()[:16]

    def _runner(self, variant: str, log):
        import torch
        try:
            if variant in ("onnx", "int8"):
                return OrtRunner(build_onnx(self.name, self._local, self.fingerprint, variant, log),
                                 self.threads)
            dtype = torch.bfloat16 if variant == "bf16" else None
            return TorchRunner(load_backbone(self.name, self._local, dtype=dtype))
        except (OSError, ValueError) as e:
            raise ModelMissing(f"cannot load encoder {self.name} ({variant}): {e}") from e

    def _forward(self, ids: list[list[int]]) -> np.ndarray:
        """Mean-pooled (unnormalised) vectors for lists of token ids, padded to the batch's longest."""
        width = max(len(x) for x in ids)
        inp = np.full((len(ids), width), self.tok.pad_token_id or 0, dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for i, x in enumerate(ids):
            inp[i, : len(x)] = x
            mask[i, : len(x)] = 1
        out = self._run(inp, mask)
        m = mask[..., None].astype(np.float32)
        return (out * m).sum(1) / m.sum(1)

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
