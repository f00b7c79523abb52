"""Shared pieces of the character-level GPT tool: data preparation, the GPT-2
model, and a dependency-free safetensors reader/writer.

Used by train.py, export.py and check_reference.py. Needs Python 3, numpy and
(for the model) PyTorch; the safetensors functions need numpy only.
"""

import json
import math
import os
import struct
import unicodedata

import numpy as np

FORTUNE_DIR = "/usr/share/games/fortunes"
EVAL_FRACTION = 0.05


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

def fortune_files(root=FORTUNE_DIR):
    """Plain-text fortune files directly under root, sorted by name.

    Excludes the .dat index files, the .u8 variants (symlinks to the same text
    in Debian) and any subdirectory (the offensive 'off/' set lives in one).
    """
    names = []
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if name.endswith((".dat", ".u8")):
            continue
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        names.append(path)
    return names


def normalise(text):
    """ASCII printable (0x20..0x7E) plus newline.

    Unicode is NFKD-decomposed first so accented letters keep their base letter
    (e -> e); tabs become one space; CR and every other character is dropped.
    """
    text = unicodedata.normalize("NFKD", text).replace("\t", " ")
    return "".join(c for c in text if c == "\n" or " " <= c <= "~")


def load_corpus(root=FORTUNE_DIR):
    parts = []
    for path in fortune_files(root):
        with open(path, "rb") as f:
            parts.append(normalise(f.read().decode("utf-8", errors="replace")))
    return "".join(parts)


def split_corpus(text):
    """Train = first 95% of characters, eval = last 5%."""
    n_eval = int(round(len(text) * EVAL_FRACTION))
    return text[: len(text) - n_eval], text[len(text) - n_eval:]


def build_vocab(train_text):
    return sorted(set(train_text))


# --------------------------------------------------------------------------
# Model (GPT-2 architecture; torch imported lazily so the safetensors helpers
# work without it)
# --------------------------------------------------------------------------

def make_model_classes():
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class CausalSelfAttention(nn.Module):
        def __init__(self, n_embd, n_head, n_ctx):
            super().__init__()
            self.n_head = n_head
            self.c_attn = nn.Linear(n_embd, 3 * n_embd)   # q, k, v in that order
            self.c_proj = nn.Linear(n_embd, n_embd)
            mask = torch.tril(torch.ones(n_ctx, n_ctx, dtype=torch.bool))
            self.register_buffer("mask", mask.view(1, 1, n_ctx, n_ctx), persistent=False)

        def forward(self, x):
            B, T, C = x.shape
            hs = C // self.n_head
            q, k, v = self.c_attn(x).split(C, dim=2)
            q = q.view(B, T, self.n_head, hs).transpose(1, 2)
            k = k.view(B, T, self.n_head, hs).transpose(1, 2)
            v = v.view(B, T, self.n_head, hs).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
            att = att.masked_fill(~self.mask[:, :, :T, :T], float("-inf"))
            att = F.softmax(att, dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
            return self.c_proj(y)

    class MLP(nn.Module):
        def __init__(self, n_embd):
            super().__init__()
            self.c_fc = nn.Linear(n_embd, 4 * n_embd)
            self.c_proj = nn.Linear(4 * n_embd, n_embd)

        def forward(self, x):
            return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))

    class Block(nn.Module):
        def __init__(self, n_embd, n_head, n_ctx, eps):
            super().__init__()
            self.ln_1 = nn.LayerNorm(n_embd, eps=eps)
            self.attn = CausalSelfAttention(n_embd, n_head, n_ctx)
            self.ln_2 = nn.LayerNorm(n_embd, eps=eps)
            self.mlp = MLP(n_embd)

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            x = x + self.mlp(self.ln_2(x))
            return x

    class GPT(nn.Module):
        def __init__(self, vocab_size, n_layer=4, n_head=4, n_embd=128, n_ctx=128, eps=1e-5):
            super().__init__()
            self.n_layer, self.n_head, self.n_embd, self.n_ctx = n_layer, n_head, n_embd, n_ctx
            self.vocab_size = vocab_size
            self.wte = nn.Embedding(vocab_size, n_embd)
            self.wpe = nn.Embedding(n_ctx, n_embd)
            self.h = nn.ModuleList([Block(n_embd, n_head, n_ctx, eps) for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(n_embd, eps=eps)
            self.apply(self._init)
            # GPT-2: residual projections scaled by 1/sqrt(2 * n_layer)
            for name, p in self.named_parameters():
                if name.endswith("c_proj.weight"):
                    nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

        @staticmethod
        def _init(m):
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0.0, std=0.02)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, mean=0.0, std=0.02)

        def forward(self, idx):
            B, T = idx.shape
            pos = torch.arange(T, dtype=torch.long, device=idx.device)
            x = self.wte(idx) + self.wpe(pos)[None]
            for block in self.h:
                x = block(x)
            x = self.ln_f(x)
            return x @ self.wte.weight.t()          # tied LM head, no bias

    return GPT


# --------------------------------------------------------------------------
# HF GPT-2 naming / Conv1D layout
# --------------------------------------------------------------------------

_CONV1D = ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")


def hf_tensor_names(n_layer):
    names = ["wte.weight", "wpe.weight"]
    for i in range(n_layer):
        for sub in ("ln_1.weight", "ln_1.bias",
                    "attn.c_attn.weight", "attn.c_attn.bias",
                    "attn.c_proj.weight", "attn.c_proj.bias",
                    "ln_2.weight", "ln_2.bias",
                    "mlp.c_fc.weight", "mlp.c_fc.bias",
                    "mlp.c_proj.weight", "mlp.c_proj.bias"):
            names.append(f"h.{i}.{sub}")
    names += ["ln_f.weight", "ln_f.bias"]
    return names


def _is_conv1d_weight(name):
    return name.endswith(".weight") and any(name.endswith(c + ".weight") for c in _CONV1D)


def to_hf_tensors(model):
    """state_dict of our nn.Linear model -> HF GPT-2 dict of float32 numpy arrays,
    Conv1D weights stored [in, out] (the transpose of nn.Linear's [out, in])."""
    sd = {k: v.detach().cpu().float().numpy() for k, v in model.state_dict().items()}
    out = {}
    for name in hf_tensor_names(model.n_layer):
        a = sd[name]
        if _is_conv1d_weight(name):
            a = a.T
        out[name] = np.ascontiguousarray(a, dtype=np.float32)
    return out


def from_hf_tensors(model, tensors):
    """Load an HF-layout dict (numpy) into our model; strict on names and shapes."""
    import torch
    sd = {}
    for name in hf_tensor_names(model.n_layer):
        a = tensors[name]
        if _is_conv1d_weight(name):
            a = a.T
        sd[name] = torch.from_numpy(np.ascontiguousarray(a))
    model.load_state_dict(sd, strict=True)
    return model


# --------------------------------------------------------------------------
# safetensors, by hand
# --------------------------------------------------------------------------

_DTYPES = {np.dtype("<f4"): "F32", np.dtype("<i4"): "I32"}
_NP = {"F32": np.dtype("<f4"), "I32": np.dtype("<i4")}


def write_safetensors(path, tensors, metadata=None):
    """tensors: ordered dict name -> numpy array (float32 or int32).
    Layout: u64 little-endian header length N, N bytes of JSON header (padded
    with spaces to a multiple of 8), then the raw little-endian tensor bytes in
    header order; data_offsets are [begin, end) relative to the data section."""
    header = {}
    blobs = []
    offset = 0
    for name, a in tensors.items():
        dt = np.dtype(a.dtype).newbyteorder("<")
        if dt not in _DTYPES:
            raise ValueError(f"{name}: unsupported dtype {a.dtype}")
        raw = np.ascontiguousarray(a, dtype=dt).tobytes()
        header[name] = {"dtype": _DTYPES[dt], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        meta = {str(k): str(v) for k, v in metadata.items()}
        header = {"__metadata__": meta, **header}
    hjson = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    hjson += b" " * ((-len(hjson)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path):
    """-> (dict name -> numpy array, metadata dict)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        a = np.frombuffer(data, dtype=_NP[info["dtype"]], count=(e - b) // 4, offset=base + b)
        out[name] = a.reshape(info["shape"]).copy()
    return out, meta
