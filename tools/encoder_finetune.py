"""Experiment (issue 16): fine-tune the top layers of the e5-small encoder, then train the
usual heads (nlp/model.py, embeddings + TF-IDF blend) on the adapted embeddings and compare
with the frozen encoder on the same data.

    nice -n 15 python tools/encoder_finetune.py --mode head --layers 2 --epochs 4 \
        --cv 3 --real-dev ../shared/eval/real_dev.jsonl

Modes: frozen (no training), head (top layers + linear sentiment/relevance/topic heads,
cross-entropy), contrastive (top layers, SetFit-style supervised contrastive loss on the
L2-normalised embedding; classes = sentiment of relevant items, plus "not relevant").
The layers below the trained ones are run once per text and kept in memory, so one epoch
costs only the top layers' forward and backward passes. Results are printed as JSON lines.
Nothing here is used by the product (docs/model.md, "Fine-tuning the encoder").
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp.classify import SEED_MORPHEMES  # noqa: E402
from nlp.data import SEED_HELDOUT, SEED_TRAIN, load_gold  # noqa: E402
from nlp.model import MAX_LENGTH, Classifier, doc_string  # noqa: E402
from vocabulary import SENTIMENTS, TOPICS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TOPIC_IDS = tuple(TOPICS)


class Lower:
    """The frozen encoder up to layer `cut`: token ids and hidden states per text."""

    def __init__(self, enc, cut: int):
        import torch
        self.enc, self.cut = enc, cut
        self.model = enc._run.model
        self.states: dict[str, "torch.Tensor"] = {}

    def ensure(self, texts, batch=16):
        import torch
        todo = [t for t in dict.fromkeys(texts) if t not in self.states]
        wins = {t: self.enc._windows(t, False, 1)[0] for t in todo}
        todo.sort(key=lambda t: len(wins[t]))
        with torch.inference_mode():
            for s in range(0, len(todo), batch):
                part = todo[s:s + batch]
                ids, mask = pad([wins[t] for t in part], self.enc.tok.pad_token_id)
                h = self.model.embeddings(input_ids=ids)
                m = self.model._create_attention_masks(attention_mask=mask, encoder_attention_mask=None,
                                                       embedding_output=h, encoder_hidden_states=None,
                                                       cache=None)[0]
                for layer in self.model.encoder.layer[:self.cut]:
                    h = layer(h, m)
                for t, row, n in zip(part, h, mask.sum(1).tolist()):
                    self.states[t] = row[:n].clone()


def pad(seqs, pad_id):
    import torch
    width = max(len(x) for x in seqs)
    ids = torch.full((len(seqs), width), pad_id or 0, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, x in enumerate(seqs):
        ids[i, :len(x)] = torch.as_tensor(x)
        mask[i, :len(x)] = 1
    return ids, mask


def run_top(lower, top, texts, tokens=None):
    """Mean-pooled (unnormalised) output of the top layers for cached lower states (the first
    `tokens` positions only when given: cheaper training)."""
    import torch
    states = [lower.states[t][:tokens] for t in texts]
    width = max(len(s) for s in states)
    h = torch.zeros((len(states), width, states[0].shape[1]))
    mask = torch.zeros((len(states), width), dtype=torch.long)
    for i, s in enumerate(states):
        h[i, :len(s)] = s
        mask[i, :len(s)] = 1
    m = lower.model._create_attention_masks(attention_mask=mask, encoder_attention_mask=None,
                                            embedding_output=h, encoder_hidden_states=None, cache=None)[0]
    for layer in top:
        h = layer(h, m)
    w = mask[..., None].float()
    return (h * w).sum(1) / w.sum(1)


def embed_all(lower, top, texts, batch=32):
    import torch
    top.eval()
    uniq = sorted(dict.fromkeys(texts), key=lambda t: len(lower.states[t]))
    out = {}
    with torch.inference_mode():
        for s in range(0, len(uniq), batch):
            part = uniq[s:s + batch]
            v = torch.nn.functional.normalize(run_top(lower, top, part), dim=1)
            out.update(zip(part, v.numpy().astype(np.float32)))
    return out


def finetune(lower, layers, items, mode, epochs, lr, tokens, seed=0, log=print):
    """Copy of the top layers trained on `items`; returns (layers, seconds)."""
    import torch
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    top = copy.deepcopy(layers)
    for p in top.parameters():
        p.requires_grad_(True)
    texts = [doc_string(it) for it in items]
    rel = torch.tensor([1.0 if it["relevant"] else 0.0 for it in items])
    sent = torch.tensor([SENTIMENTS.index(it["sentiment"]) if it["relevant"] and it.get("sentiment") in SENTIMENTS
                         else -100 for it in items])
    has_top = torch.tensor([bool(it["relevant"]) and it.get("topics") is not None for it in items])
    Y = torch.tensor([[float(t in (it.get("topics") or [])) for t in TOPIC_IDS] for it in items])
    heads = torch.nn.ModuleDict({"sent": torch.nn.Linear(384, 3), "rel": torch.nn.Linear(384, 1),
                                 "top": torch.nn.Linear(384, len(TOPIC_IDS))})
    counts = torch.bincount(sent[sent >= 0], minlength=3).float()
    cw = counts.sum() / (3 * counts.clamp(min=1))
    groups = [{"params": top.parameters(), "lr": lr}]
    if mode == "head":
        groups.append({"params": heads.parameters(), "lr": 2e-3})
    opt = torch.optim.AdamW(groups, weight_decay=0.01)
    bs = 16
    t0 = time.time()
    for ep in range(epochs):
        top.train()
        order = rng.permutation(len(items))
        total = 0.0
        for s in range(0, len(order), bs):
            idx = torch.as_tensor(order[s:s + bs])
            z = torch.nn.functional.normalize(run_top(lower, top, [texts[i] for i in idx], tokens), dim=1)
            if mode == "head":
                zs = z * 20
                loss = torch.nn.functional.cross_entropy(heads["sent"](zs), sent[idx], weight=cw,
                                                         ignore_index=-100) if (sent[idx] >= 0).any() else 0
                loss = loss + 0.5 * torch.nn.functional.binary_cross_entropy_with_logits(
                    heads["rel"](zs)[:, 0], rel[idx])
                ht = has_top[idx]
                if ht.any():
                    loss = loss + 0.5 * torch.nn.functional.binary_cross_entropy_with_logits(
                        heads["top"](zs[ht]), Y[idx][ht])
            else:
                lab = torch.where(sent[idx] >= 0, sent[idx], torch.where(rel[idx] > 0, -1, 3))
                loss = supcon(z, lab)
            if not torch.is_tensor(loss) or not loss.requires_grad:
                continue
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        log(f"  epoch {ep + 1}: loss {total / len(items):.4f} ({time.time() - t0:.0f}s)")
    return top, time.time() - t0


def supcon(z, lab, temp=0.1):
    """Supervised contrastive loss (anchors with at least one positive; label -1 = unknown)."""
    import torch
    sim = z @ z.T / temp
    n = len(lab)
    eye = torch.eye(n, dtype=torch.bool)
    known = lab >= 0
    pos = (lab[:, None] == lab[None, :]) & ~eye & known[:, None] & known[None, :]
    logits = sim.masked_fill(eye, -1e9)
    logp = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    has = pos.any(1)
    if not has.any():
        return torch.zeros((), requires_grad=True)
    return -((logp * pos).sum(1)[has] / pos.sum(1)[has]).mean()


class VectorEncoder:
    """What Classifier.train/predict need from an encoder, backed by precomputed vectors."""

    def __init__(self, vectors, tag):
        self.vectors, self.name, self.fingerprint = vectors, f"experiment-{tag}", tag
        self.max_length, self.dim = MAX_LENGTH, 384

    def embed(self, texts, batch_size=32, chunk=False, max_chunks=4):
        return np.stack([self.vectors[t] for t in texts])


def summary(m):
    s = {"sent": m.get("sentiment_macro_f1"), "pos/neu/neg": [m.get("sentiment_f1", {}).get(c) for c in SENTIMENTS],
         "rel": m.get("relevance_f1")}
    if "topics_micro_f1" in m:
        s["topics"] = [m["topics_micro_f1"], m["topics_macro_f1"]]
    if "region_exact" in m:
        s["regions"] = m["region_exact"]
    return s


def heads_eval(vectors, tag, train_items, evals):
    from nlp.metrics import evaluate
    clf = Classifier.train(VectorEncoder(vectors, tag), train_items, log=lambda m: None)
    return {name: summary(evaluate(gold, clf.predict(gold))) for name, gold in evals.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=("frozen", "head", "contrastive"), default="head")
    ap.add_argument("--layers", type=int, default=2, help="top encoder layers trained")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--train-tokens", type=int, default=128, help="positions seen in fine-tuning")
    ap.add_argument("--cv", type=int, default=0, help="k-fold CV on seed_train (grouped by source)")
    ap.add_argument("--real-dev", default=None, help="real_dev.jsonl (evaluation only)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--states", default=None, help="file keeping the lower layers' states between runs")
    args = ap.parse_args()
    import torch
    from nlp.convert import DEFAULT_MODEL_DIR
    from nlp.encoder import Encoder
    from nlp.feature_cache import morphemes_kept_in
    torch.set_num_threads(args.threads)
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    enc = Encoder(DEFAULT_MODEL_DIR, max_length=MAX_LENGTH, threads=args.threads, precision="fp32")
    cut = 12 - args.layers
    layers = enc._run.model.encoder.layer[cut:]
    lower = Lower(enc, cut)
    train = load_gold(SEED_TRAIN)
    evals = {"heldout": load_gold(SEED_HELDOUT)}
    if args.real_dev:
        evals["real_dev"] = load_gold(args.real_dev)
    t0 = time.time()
    states_file = Path(f"{args.states}.cut{cut}") if args.states else None
    if states_file and states_file.is_file():
        lower.states = torch.load(states_file)
    lower.ensure([doc_string(it) for it in train] + [doc_string(g) for v in evals.values() for g in v])
    if states_file:
        torch.save(lower.states, states_file)
    log(f"lower {cut} layers for {len(lower.states)} texts: {time.time() - t0:.0f}s")
    check = [doc_string(it) for it in train[:4]]
    ref, mine = enc.embed(check), embed_all(lower, layers, check)
    log(f"frozen path vs Encoder.embed: min cosine {min(float(ref[i] @ mine[t]) for i, t in enumerate(check)):.6f}")

    def variant(items):
        if args.mode == "frozen":
            return layers, 0.0
        return finetune(lower, layers, items, args.mode, args.epochs, args.lr, args.train_tokens, log=log)

    tag = f"{args.mode}-L{args.layers}-e{args.epochs}-lr{args.lr:g}-t{args.train_tokens}"
    with morphemes_kept_in(SEED_MORPHEMES):
        if args.cv:
            from sklearn.model_selection import GroupKFold
            groups = [it.get("derived_from") or it["id"] for it in train]
            folds = []
            for k, (tr, va) in enumerate(GroupKFold(n_splits=args.cv).split(train, groups=groups)):
                tr_items, va_items = [train[i] for i in tr], [train[i] for i in va]
                top, secs = variant(tr_items)
                vec = embed_all(lower, top, list(lower.states))
                res = heads_eval(vec, f"{tag}-f{k}", tr_items, {"fold": va_items})["fold"]
                log(f"fold {k}: {res} (fine-tune {secs:.0f}s)")
                folds.append(res)
            print(json.dumps({"variant": tag, "cv": args.cv, "folds": folds,
                              "mean_sent": round(float(np.mean([f["sent"] for f in folds])), 4),
                              "mean_neg": round(float(np.mean([f["pos/neu/neg"][2] for f in folds])), 4),
                              "mean_topics_micro": round(float(np.mean([f["topics"][0] for f in folds])), 4),
                              "mean_regions": round(float(np.mean([f.get("regions", 0) for f in folds])), 4)},
                             ensure_ascii=False), flush=True)
        top, secs = variant(train)
        vec = embed_all(lower, top, list(lower.states))
        res = heads_eval(vec, tag, train, evals)
        print(json.dumps({"variant": tag, "finetune_s": round(secs), **res}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
