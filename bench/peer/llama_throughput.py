#!/usr/bin/python3
"""The PyTorch eager peer of `bin/meft benchmark model` (issue 20 item 1).

The same LLaMA as the Java benchmark (RMSNorm, rotary embeddings, causal attention (torch 2's
F.scaled_dot_product_attention where there is one, else softmax(QK^T)V), SwiGLU, untied LM head), the same sizes, fp32, the same thread
count, random weights N(0, 0.02) and random tokens, the same loss (the mean of all logits, which
depends on every logit). It prints one JSON line: forward and forward+backward tokens/s, best of
the timed steps' mean after one warm-up step, and the versions it ran on.

Run as /usr/bin/python3 with Debian's python3-torch and libopenblas0-pthread (without OpenBLAS
Debian's torch uses the reference BLAS and is about 20x slower).
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F


class Layer(torch.nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.heads = heads
        self.q = torch.nn.Linear(d, d, bias=False)
        self.k = torch.nn.Linear(d, d, bias=False)
        self.v = torch.nn.Linear(d, d, bias=False)
        self.o = torch.nn.Linear(d, d, bias=False)
        self.gate = torch.nn.Linear(d, ffn, bias=False)
        self.up = torch.nn.Linear(d, ffn, bias=False)
        self.down = torch.nn.Linear(ffn, d, bias=False)
        self.norm1 = torch.nn.Parameter(torch.ones(d))
        self.norm2 = torch.nn.Parameter(torch.ones(d))

    @staticmethod
    def rms(x, w, eps=1e-5):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w

    def forward(self, x, cos, sin):
        b, t, d = x.shape
        h = self.rms(x, self.norm1)
        q, k, v = (p(h).view(b, t, self.heads, d // self.heads).transpose(1, 2) for p in (self.q, self.k, self.v))
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        a = attention(q, k, v).transpose(1, 2).reshape(b, t, d)
        x = x + self.o(a)
        h = self.rms(x, self.norm2)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


def attention(q, k, v):
    """Causal softmax attention; F.scaled_dot_product_attention (torch 2.0) where it exists."""
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    t = q.shape[-2]
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    s = s.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
    return s.softmax(-1) @ v


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return x * cos + torch.cat((-x2, x1), -1) * sin


class Llama(torch.nn.Module):
    def __init__(self, vocab, d, heads, ffn, layers, theta=10000.0):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, d)
        self.layers = torch.nn.ModuleList(Layer(d, heads, ffn) for _ in range(layers))
        self.norm = torch.nn.Parameter(torch.ones(d))
        self.head = torch.nn.Linear(d, vocab, bias=False)
        hd = d // heads
        self.inv = 1.0 / theta ** (torch.arange(0, hd, 2).float() / hd)

    def forward(self, tokens):
        t = tokens.shape[1]
        f = torch.outer(torch.arange(t).float(), self.inv)
        emb = torch.cat((f, f), -1)
        cos, sin = emb.cos(), emb.sin()
        x = self.embed(tokens)
        for layer in self.layers:
            x = layer(x, cos, sin)
        return self.head(Layer.rms(x, self.norm))


def model_args(p):
    """The architecture's flags, shared by every peer script (defaults: the benchmark model)."""
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--d", type=int, default=512)
    p.add_argument("--heads", type=int, default=8)
    p.add_argument("--ffn", type=int, default=1376)
    p.add_argument("--vocab", type=int, default=32000)
    p.add_argument("--threads", type=int, default=2)


def random_model(a, seed=1):
    """The model of the parsed flags on a.threads threads, weights N(0, 0.02) as the Java benchmark draws them."""
    torch.set_num_threads(a.threads)
    torch.manual_seed(seed)
    m = Llama(a.vocab, a.d, a.heads, a.ffn, a.layers)
    with torch.no_grad():
        for prm in m.parameters():
            if prm.dim() > 1:
                prm.normal_(0.0, 0.02)
    return m


def main():
    p = argparse.ArgumentParser()
    model_args(p)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--seq", type=int, default=256)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    m = random_model(a, a.seed)
    tokens = torch.randint(a.vocab, (a.batch, a.seq))
    n = a.batch * a.seq

    with torch.no_grad():
        m(tokens).mean().item()
        t0 = time.perf_counter()
        for _ in range(a.reps):
            m(tokens).mean().item()
        fwd = n * a.reps / (time.perf_counter() - t0)

    def train_step():
        m(tokens).mean().backward()
        for prm in m.parameters():
            prm.grad = None

    train_step()
    t0 = time.perf_counter()
    for _ in range(a.reps):
        train_step()
    train = n * a.reps / (time.perf_counter() - t0)
    print(json.dumps({"forward_tokens_per_s": fwd, "train_tokens_per_s": train, "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "blas": blas()}))


def blas():
    """The BLAS this process loaded: Debian's torch links libblas.so.3, which OpenBLAS may provide."""
    with open("/proc/self/maps") as f:
        maps = f.read()
    for name in ("openblas", "mkl", "blis"):
        if name in maps:
            return name
    return "reference or unknown (install libopenblas0-pthread)"


if __name__ == "__main__":
    main()
