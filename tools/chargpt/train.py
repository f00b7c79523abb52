#!/usr/bin/env python3
"""Train the small character-level GPT-2 shipped in tests/data/chargpt/.

Run once, by hand, on a machine with Debian's python3-torch (CPU is enough):

    /usr/bin/python3 tools/chargpt/train.py --steps 1800

It trains on the text of Debian's `fortunes` package, writes a checkpoint to
--workdir, and then (unless --no-export) calls export.py to write
tests/data/chargpt/{model.safetensors,eval.txt,reference_logits.safetensors}.
Use --bench N to time N steps and exit (to size --steps to a time budget).

Reproducibility: fixed seeds, torch.use_deterministic_algorithms(True), batch
offsets from a numpy RandomState in the main thread, a fixed number of torch
threads (--threads). Bit-exact results additionally need the same torch/BLAS
build and thread count.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chargpt  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=1800, help="optimizer steps (cosine schedule length)")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=3e-3, help="peak learning rate")
    p.add_argument("--min-lr-frac", type=float, default=0.1, help="cosine floor as a fraction of --lr")
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--grad-clip", type=float, default=1.0)
    p.add_argument("--n-layer", type=int, default=4)
    p.add_argument("--n-head", type=int, default=4)
    p.add_argument("--n-embd", type=int, default=128)
    p.add_argument("--n-ctx", type=int, default=128)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--eval-every", type=int, default=200)
    p.add_argument("--log-every", type=int, default=25)
    p.add_argument("--max-minutes", type=float, default=0.0,
                   help="safety stop (0 = none); the cosine schedule still assumes --steps")
    p.add_argument("--workdir", default="/tmp/chargpt_run", help="checkpoint + log (not shipped)")
    p.add_argument("--outdir", default=os.path.join(REPO, "tests", "data", "chargpt"))
    p.add_argument("--bench", type=int, default=0, help="time this many steps and exit")
    p.add_argument("--no-export", action="store_true")
    return p.parse_args()


def lr_at(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    t = (step - args.warmup) / max(1, args.steps - args.warmup)
    lo = args.lr * args.min_lr_frac
    return lo + 0.5 * (args.lr - lo) * (1.0 + math.cos(math.pi * min(1.0, t)))


@torch.no_grad()
def mean_loss(model, data, n_ctx, max_windows=None, batch=64):
    """Mean next-char cross-entropy (nats/char) over non-overlapping windows
    data[i*T : i*T+T] -> data[i*T+1 : i*T+T+1], evenly spaced if max_windows
    limits their number."""
    model.eval()
    T = n_ctx
    n = (len(data) - 1) // T
    starts = np.arange(n) * T
    if max_windows is not None and n > max_windows:
        starts = starts[np.linspace(0, n - 1, max_windows).astype(np.int64)]
    tot, cnt = 0.0, 0
    for b in range(0, len(starts), batch):
        s = starts[b:b + batch]
        x = torch.from_numpy(np.stack([data[i:i + T] for i in s]))
        y = torch.from_numpy(np.stack([data[i + 1:i + T + 1] for i in s]))
        logits = model(x)
        tot += F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), reduction="sum").item()
        cnt += y.numel()
    model.train()
    return tot / cnt


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.workdir, exist_ok=True)

    text = chargpt.load_corpus()
    train_text, eval_text = chargpt.split_corpus(text)
    vocab = chargpt.build_vocab(train_text)
    stoi = {c: i for i, c in enumerate(vocab)}
    dropped = sum(1 for c in eval_text if c not in stoi)
    eval_text = "".join(c for c in eval_text if c in stoi)
    train_ids = np.array([stoi[c] for c in train_text], dtype=np.int64)
    eval_ids = np.array([stoi[c] for c in eval_text], dtype=np.int64)
    print(f"corpus {len(text)} chars from {len(chargpt.fortune_files())} files; "
          f"train {len(train_text)}, eval {len(eval_text)} (dropped {dropped} out-of-vocab); "
          f"vocab {len(vocab)}", flush=True)

    GPT = chargpt.make_model_classes()
    model = GPT(len(vocab), args.n_layer, args.n_head, args.n_embd, args.n_ctx)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"parameters {n_params}", flush=True)

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.99), eps=1e-8)

    rng = np.random.RandomState(args.seed)
    T, B = args.n_ctx, args.batch
    steps = args.bench if args.bench else args.steps
    log = []
    recent = []
    t0 = time.time()
    step = 0
    for step in range(steps):
        lr = lr_at(step, args)
        for g in opt.param_groups:
            g["lr"] = lr
        ix = rng.randint(0, len(train_ids) - T - 1, size=B)
        x = torch.from_numpy(np.stack([train_ids[i:i + T] for i in ix]))
        y = torch.from_numpy(np.stack([train_ids[i + 1:i + T + 1] for i in ix]))
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        opt.step()
        recent.append(loss.item())
        recent = recent[-100:]
        el = time.time() - t0
        if (step + 1) % args.log_every == 0 or step == 0:
            print(f"step {step + 1:5d}  loss {loss.item():.4f}  avg100 {np.mean(recent):.4f}  "
                  f"lr {lr:.2e}  {el:7.1f}s  ({el / (step + 1):.3f} s/step)", flush=True)
        if not args.bench and ((step + 1) % args.eval_every == 0):
            ev = mean_loss(model, eval_ids, T, max_windows=128)
            print(f"  eval(128 windows) {ev:.4f}", flush=True)
            log.append({"step": step + 1, "train_avg100": float(np.mean(recent)), "eval_subset": ev,
                        "elapsed_s": el})
        if args.max_minutes and el > args.max_minutes * 60:
            print(f"safety stop at step {step + 1}", flush=True)
            break
    steps_done = step + 1
    train_time = time.time() - t0
    if args.bench:
        print(f"bench: {train_time / steps_done:.3f} s/step", flush=True)
        return

    print("final evaluation ...", flush=True)
    eval_loss = mean_loss(model, eval_ids, T)
    train_loss = mean_loss(model, train_ids, T, max_windows=1024)
    summary = {
        "train_steps": steps_done, "train_time_s": round(train_time, 1),
        "train_loss": train_loss, "train_loss_last100_batches": float(np.mean(recent)),
        "eval_loss": eval_loss, "eval_perplexity": math.exp(eval_loss),
        "eval_bits_per_char": eval_loss / math.log(2),
        "n_params": n_params, "vocab_size": len(vocab),
        "corpus_chars": len(text), "train_chars": len(train_text), "eval_chars": len(eval_text),
        "eval_dropped_out_of_vocab": dropped,
        "torch": torch.__version__, "threads": args.threads,
        "args": vars(args), "log": log,
    }
    print(json.dumps({k: v for k, v in summary.items() if k not in ("log", "args")}, indent=1), flush=True)
    ckpt = os.path.join(args.workdir, "ckpt.pt")
    torch.save({"model": model.state_dict(), "vocab": "".join(vocab), "summary": summary,
                "config": {"n_layer": args.n_layer, "n_head": args.n_head,
                           "n_embd": args.n_embd, "n_ctx": args.n_ctx}}, ckpt)
    with open(os.path.join(args.workdir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"checkpoint {ckpt}", flush=True)

    if not args.no_export:
        import export
        export.export(model, vocab, eval_text, summary, args.outdir)


if __name__ == "__main__":
    main()
