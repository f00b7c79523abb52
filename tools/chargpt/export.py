#!/usr/bin/env python3
"""Export the trained character-level GPT to tests/data/chargpt/.

    /usr/bin/python3 tools/chargpt/export.py [--ckpt /tmp/chargpt_run/ckpt.pt]

Writes (all float32 / int32, little-endian, safetensors written by hand):
  model.safetensors             HF GPT-2 names, Conv1D layout ([in, out])
  eval.txt                      first 16384 chars of the evaluation split
  reference_logits.safetensors  tokens_k (I32 [128]) / logits_k (F32 [128, vocab]), k = 0..2
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chargpt  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
EVAL_CHARS = 16384
N_FIXTURES = 3


def export(model, vocab, eval_text, summary, outdir):
    torch.use_deterministic_algorithms(True)
    os.makedirs(outdir, exist_ok=True)
    model = model.float().cpu().eval()
    vocab_str = "".join(vocab)
    stoi = {c: i for i, c in enumerate(vocab)}

    meta = {
        "n_layer": model.n_layer, "n_head": model.n_head, "n_embd": model.n_embd,
        "n_ctx": model.n_ctx, "vocab_size": len(vocab), "vocab": vocab_str,
        "layer_norm_epsilon": "1e-5", "activation": "gelu_tanh", "tied_lm_head": "true",
        "weight_layout": "Conv1D [in, out]: y = x @ W + b",
        "train_steps": summary["train_steps"],
        "train_loss": f"{summary['train_loss']:.6f}",
        "eval_loss": f"{summary['eval_loss']:.6f}",
        "eval_perplexity": f"{summary['eval_perplexity']:.6f}",
        "source": "tools/chargpt/train.py on Debian fortunes",
    }
    tensors = chargpt.to_hf_tensors(model)
    model_path = os.path.join(outdir, "model.safetensors")
    chargpt.write_safetensors(model_path, tensors, meta)

    ev = eval_text[:EVAL_CHARS]
    assert all(c in stoi for c in ev)
    with open(os.path.join(outdir, "eval.txt"), "w", encoding="ascii", newline="\n") as f:
        f.write(ev)

    T = model.n_ctx
    ref = {}
    with torch.no_grad():
        for k in range(N_FIXTURES):
            ids = np.array([stoi[c] for c in ev[k * T:(k + 1) * T]], dtype=np.int32)
            logits = model(torch.from_numpy(ids.astype(np.int64))[None])[0]
            ref[f"tokens_{k}"] = ids
            ref[f"logits_{k}"] = logits.numpy().astype(np.float32)
    ref_meta = {"description": "PyTorch float32 CPU eval-mode logits of model.safetensors; "
                               "tokens_k = vocabulary indices of eval.txt[128k : 128k+128]",
                "vocab": vocab_str, "torch": torch.__version__}
    ordered = {}
    for k in range(N_FIXTURES):
        ordered[f"tokens_{k}"] = ref[f"tokens_{k}"]
    for k in range(N_FIXTURES):
        ordered[f"logits_{k}"] = ref[f"logits_{k}"]
    chargpt.write_safetensors(os.path.join(outdir, "reference_logits.safetensors"), ordered, ref_meta)

    # Sanity: loss of the fixtures, to compare with the simulator.
    for k in range(N_FIXTURES):
        lg = torch.from_numpy(ref[f"logits_{k}"][:-1])
        tgt = torch.from_numpy(ref[f"tokens_{k}"][1:].astype(np.int64))
        print(f"fixture {k}: next-char loss {torch.nn.functional.cross_entropy(lg, tgt).item():.4f}")
    for name in ("model.safetensors", "eval.txt", "reference_logits.safetensors"):
        print(f"{name}: {os.path.getsize(os.path.join(outdir, name))} bytes")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", default="/tmp/chargpt_run/ckpt.pt")
    p.add_argument("--outdir", default=os.path.join(REPO, "tests", "data", "chargpt"))
    args = p.parse_args()
    torch.set_num_threads(1)
    ck = torch.load(args.ckpt, map_location="cpu")
    vocab = list(ck["vocab"])
    cfg = ck["config"]
    GPT = chargpt.make_model_classes()
    model = GPT(len(vocab), cfg["n_layer"], cfg["n_head"], cfg["n_embd"], cfg["n_ctx"])
    model.load_state_dict(ck["model"])
    # Rebuild the eval split exactly as train.py did.
    _, eval_text = chargpt.split_corpus(chargpt.load_corpus())
    stoi = set(vocab)
    eval_text = "".join(c for c in eval_text if c in stoi)
    export(model, vocab, eval_text, ck["summary"], args.outdir)
    print(json.dumps({k: ck["summary"][k] for k in ("train_steps", "train_loss", "eval_loss",
                                                     "eval_perplexity", "train_time_s")}))


if __name__ == "__main__":
    main()
