#!/usr/bin/python3
"""The PyTorch eager peer of one adapter training step (issue 20 item 1): what a user would run instead.

- lora: LoRA the PEFT way on q_proj and v_proj: y = W x + (alpha / r) B A dropout(x), A ~ kaiming-uniform,
  B = 0, the base frozen.
- meft: the dense-masked formulation of the public MEFT reference code: a parallel adapter of N neurons
  beside each FFN whose activations relu(x K^T) [B, T, N] are computed for all N keys, all but each
  token's top-k zeroed, times V; K and V dense trainables on the device (here the CPU).

One step = forward of a batch of random tokens, cross-entropy over the target tokens (positions after the
first 8 of each row, as the Java benchmark's rows), backward, global-norm clipping to 1.0, AdamW, zeroed
gradients: what the project's Trainer does in a step. Prints one JSON line: median seconds of the steps
after the first, and tokens/s.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F

from llama_throughput import Layer, attention, blas, model_args, random_model, rotate


class LoraLinear(torch.nn.Module):
    def __init__(self, base, r, alpha, dropout):
        super().__init__()
        self.base = base
        self.a = torch.nn.Parameter(torch.empty(r, base.in_features))
        self.b = torch.nn.Parameter(torch.zeros(base.out_features, r))
        torch.nn.init.kaiming_uniform_(self.a, a=math.sqrt(5))
        self.scale = alpha / r
        self.drop = torch.nn.Dropout(dropout)

    def forward(self, x):
        return self.base(x) + (self.drop(x) @ self.a.t() @ self.b.t()) * self.scale


class MeftDense(torch.nn.Module):
    """FFN(x) + sum over the top-k of relu(x K^T) of a_i v_i, computed densely over all N keys."""

    def __init__(self, layer, n, d, k, init_std):
        super().__init__()
        self.layer = layer
        self.keys = torch.nn.Parameter(torch.randn(n, d) * init_std)
        self.values = torch.nn.Parameter(torch.zeros(n, d))
        self.k = k

    def adapter(self, h):
        a = F.relu(h @ self.keys.t())                      # [B, T, N]
        top = a.topk(self.k, dim=-1)
        masked = torch.zeros_like(a).scatter(-1, top.indices, top.values)
        return masked @ self.values                        # [B, T, d]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--method", choices=["lora", "meft"], required=True)
    model_args(p)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--seq", type=int, default=256)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--lora-rank", type=int, default=8)
    p.add_argument("--lora-alpha", type=float, default=16.0)
    p.add_argument("--lora-dropout", type=float, default=0.05)
    p.add_argument("--neurons", type=int, default=16384)
    p.add_argument("--top-k", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-4)
    a = p.parse_args()
    m = random_model(a)
    for prm in m.parameters():
        prm.requires_grad_(False)
    if a.method == "lora":
        for layer in m.layers:
            layer.q = LoraLinear(layer.q, a.lora_rank, a.lora_alpha, a.lora_dropout)
            layer.v = LoraLinear(layer.v, a.lora_rank, a.lora_alpha, a.lora_dropout)
    else:
        adapters = [MeftDense(layer, a.neurons, a.d, a.top_k, 0.02) for layer in m.layers]
        for layer, ad in zip(m.layers, adapters):
            down = layer.down
            # The adapter reads the FFN's input (the normed hidden state) and adds to its output.
            layer.down = torch.nn.Identity()
            layer.forward = make_forward(layer, down, ad)
            layer.add_module("meft", ad)
    params = [prm for prm in m.parameters() if prm.requires_grad]
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.0)
    tokens = torch.randint(a.vocab, (a.batch, a.seq))
    targets = tokens[:, 1:]
    mask = torch.zeros(a.batch, a.seq - 1)
    mask[:, 7:] = 1.0  # positions predicting tokens 8.. (the Java rows' prompt is 8 tokens)
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        logits = m(tokens)[:, :-1]
        loss = (F.cross_entropy(logits.reshape(-1, a.vocab), targets.reshape(-1), reduction="none")
                * mask.reshape(-1)).sum() / mask.sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=False)
        times.append(time.perf_counter() - t0)
    step = statistics.median(times[1:])
    print(json.dumps({"method": a.method, "step_s": step, "tokens_per_s": a.batch * a.seq / step,
                      "trainable_parameters": sum(prm.numel() for prm in params), "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "blas": blas()}))


def make_forward(layer, down, adapter):

    def forward(x, cos, sin):
        b, t, d = x.shape
        h = Layer.rms(x, layer.norm1)
        q, k, v = (p(h).view(b, t, layer.heads, d // layer.heads).transpose(1, 2) for p in (layer.q, layer.k, layer.v))
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        att = attention(q, k, v).transpose(1, 2).reshape(b, t, d)
        x = x + layer.o(att)
        h = Layer.rms(x, layer.norm2)
        return x + down(F.silu(layer.gate(h)) * layer.up(h)) + adapter.adapter(h)
    return forward


if __name__ == "__main__":
    main()
