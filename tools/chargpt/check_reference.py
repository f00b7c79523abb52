#!/usr/bin/env python3
"""Re-verify tests/data/chargpt/: rebuild the model from model.safetensors and
compare its logits with reference_logits.safetensors.

    /usr/bin/python3 tools/chargpt/check_reference.py [--dir tests/data/chargpt] [--tol 1e-4]

Two independent checks:
  torch  a fresh PyTorch GPT-2 (chargpt.py) loaded from the HF/Conv1D tensors;
  numpy  a plain numpy float32 forward written straight from the file layout
         (y = x @ W + b with W stored [in, out]) -- the shape a C++ port follows.
Also checks that the tokens match eval.txt. Exits non-zero on any mismatch.
"""

import argparse
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chargpt  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def numpy_forward(W, meta, ids):
    n_layer, n_head = int(meta["n_layer"]), int(meta["n_head"])
    eps = float(meta["layer_norm_epsilon"])
    T = len(ids)
    d = W["wte.weight"].shape[1]
    hs = d // n_head

    def ln(x, g, b):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + eps) * g + b

    def gelu(x):
        return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))

    x = W["wte.weight"][ids] + W["wpe.weight"][:T]
    mask = np.triu(np.ones((T, T), dtype=bool), 1)
    for i in range(n_layer):
        p = f"h.{i}."
        a = ln(x, W[p + "ln_1.weight"], W[p + "ln_1.bias"])
        qkv = a @ W[p + "attn.c_attn.weight"] + W[p + "attn.c_attn.bias"]
        q, k, v = qkv[:, :d], qkv[:, d:2 * d], qkv[:, 2 * d:]
        heads = []
        for h in range(n_head):
            s = slice(h * hs, (h + 1) * hs)
            att = q[:, s] @ k[:, s].T / np.float32(math.sqrt(hs))
            att = np.where(mask, -np.inf, att)
            att = np.exp(att - att.max(-1, keepdims=True))
            att = att / att.sum(-1, keepdims=True)
            heads.append(att @ v[:, s])
        y = np.concatenate(heads, axis=1)
        x = x + (y @ W[p + "attn.c_proj.weight"] + W[p + "attn.c_proj.bias"])
        m = ln(x, W[p + "ln_2.weight"], W[p + "ln_2.bias"])
        m = gelu(m @ W[p + "mlp.c_fc.weight"] + W[p + "mlp.c_fc.bias"])
        x = x + (m @ W[p + "mlp.c_proj.weight"] + W[p + "mlp.c_proj.bias"])
    x = ln(x, W["ln_f.weight"], W["ln_f.bias"])
    return (x @ W["wte.weight"].T).astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=os.path.join(REPO, "tests", "data", "chargpt"))
    ap.add_argument("--tol", type=float, default=1e-4, help="max abs logit difference allowed")
    ap.add_argument("--no-torch", action="store_true", help="numpy check only")
    args = ap.parse_args()

    W, meta = chargpt.read_safetensors(os.path.join(args.dir, "model.safetensors"))
    R, rmeta = chargpt.read_safetensors(os.path.join(args.dir, "reference_logits.safetensors"))
    vocab = meta["vocab"]
    n_layer, n_ctx = int(meta["n_layer"]), int(meta["n_ctx"])
    expected = set(chargpt.hf_tensor_names(n_layer))
    assert set(W) == expected, f"tensor names differ: {set(W) ^ expected}"
    assert all(a.dtype == np.float32 for a in W.values())
    print("model.safetensors:", len(W), "tensors,", sum(a.size for a in W.values()), "parameters;",
          json.dumps({k: v for k, v in meta.items() if k != "vocab"}))

    with open(os.path.join(args.dir, "eval.txt"), encoding="ascii", newline="") as f:
        ev = f.read()
    stoi = {c: i for i, c in enumerate(vocab)}

    model = None
    if not args.no_torch:
        import torch
        torch.set_num_threads(1)
        torch.use_deterministic_algorithms(True)
        GPT = chargpt.make_model_classes()
        model = GPT(len(vocab), n_layer, int(meta["n_head"]), int(meta["n_embd"]), n_ctx,
                    eps=float(meta["layer_norm_epsilon"]))
        chargpt.from_hf_tensors(model, W).eval()

    ok = True
    k = 0
    while f"tokens_{k}" in R:
        ids = R[f"tokens_{k}"]
        ref = R[f"logits_{k}"]
        want = np.array([stoi[c] for c in ev[k * n_ctx:(k + 1) * n_ctx]], dtype=np.int32)
        tok_ok = np.array_equal(ids, want)
        line = f"fixture {k}: tokens match eval.txt: {tok_ok}"
        ok &= tok_ok
        if model is not None:
            import torch
            with torch.no_grad():
                got = model(torch.from_numpy(ids.astype(np.int64))[None])[0].numpy()
            dt = float(np.abs(got - ref).max())
            line += f"; torch max|diff| {dt:.3e}"
            ok &= dt <= args.tol
        got_np = numpy_forward(W, meta, ids.astype(np.int64))
        dn = float(np.abs(got_np - ref).max())
        agree = float((got_np.argmax(-1) == ref.argmax(-1)).mean())
        line += f"; numpy max|diff| {dn:.3e}; argmax agreement {agree:.3f}"
        ok &= dn <= args.tol
        print(line)
        k += 1
    ok &= k > 0
    print("OK" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
