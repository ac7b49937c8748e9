#!/usr/bin/python3
"""The PyTorch eager peer of `bin/meft benchmark generate --model bench` (issue 20 item 4): greedy decoding
with a KV cache on the same LLaMA (llama_throughput.py's), the same prompts' shape (printable byte ids after a
BOS), batch, new-token count and threads. Prints one JSON line: answer tokens/s of the best repetition.
"""
import argparse
import json
import random
import time

import torch
import torch.nn.functional as F

from llama_throughput import Layer, attention, blas, model_args, random_model, rotate


def layer_step(layer, x, cos, sin, cache, i):
    """One layer over new positions x [B, t, d], appending to cache[i] = (k, v) [B, H, T, hd]."""
    b, t, d = x.shape
    h = Layer.rms(x, layer.norm1)
    q, k, v = (p(h).view(b, t, layer.heads, d // layer.heads).transpose(1, 2) for p in (layer.q, layer.k, layer.v))
    q, k = rotate(q, cos, sin), rotate(k, cos, sin)
    if cache[i] is not None:
        k = torch.cat((cache[i][0], k), 2)
        v = torch.cat((cache[i][1], v), 2)
    cache[i] = (k, v)
    if t > 1:
        a = attention(q, k, v)                                   # the prompt: causal
    else:
        a = (q @ k.transpose(-2, -1) / (q.shape[-1] ** 0.5)).softmax(-1) @ v  # one new position sees all
    x = x + layer.o(a.transpose(1, 2).reshape(b, t, d))
    h = Layer.rms(x, layer.norm2)
    return x + layer.down(F.silu(layer.gate(h)) * layer.up(h))


def generate(m, prompts, new_tokens):
    b, t = prompts.shape
    cache = [None] * len(m.layers)
    pos = torch.arange(t).float()
    out = []
    tokens = prompts
    for step in range(new_tokens):
        f = torch.outer(pos, m.inv)
        emb = torch.cat((f, f), -1)
        x = m.embed(tokens)
        for i, layer in enumerate(m.layers):
            x = layer_step(layer, x, emb.cos(), emb.sin(), cache, i)
        logits = m.head(Layer.rms(x[:, -1], m.norm))
        tokens = logits.argmax(-1, keepdim=True)
        out.append(tokens)
        pos = torch.tensor([float(t + step)])
    return torch.cat(out, 1)


def main():
    p = argparse.ArgumentParser()
    model_args(p)
    p.add_argument("--prompts", type=int, default=32)
    p.add_argument("--prompt-tokens", type=int, default=64)
    p.add_argument("--new-tokens", type=int, default=32)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()
    m = random_model(a)
    rnd = random.Random(1)
    prompts = torch.tensor([[1] + [32 + rnd.randrange(95) for _ in range(a.prompt_tokens - 1)]
                            for _ in range(a.prompts)])
    best = float("inf")
    with torch.no_grad():
        generate(m, prompts[:a.batch], a.new_tokens)  # warm-up
        for _ in range(a.reps):
            t0 = time.perf_counter()
            for s in range(0, a.prompts, a.batch):
                generate(m, prompts[s:s + a.batch], a.new_tokens)
            best = min(best, time.perf_counter() - t0)
    print(json.dumps({"answer_tokens_per_s": a.prompts * a.new_tokens / best, "seconds": best,
                      "torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas()}))


if __name__ == "__main__":
    main()
