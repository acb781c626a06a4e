#!/usr/bin/python3
"""Writes the two tiny TorchScript models committed for tests, so unit tests need no Python.

  /usr/bin/python3 make_tiny_models.py   (Debian's python3-torch)

tiny-mlp takes a [N, 4] tensor; tiny-cnn takes 16x16 RGB images. reference.json holds the
outputs Python computes for fixed inputs, which the Java tests must reproduce.
"""
import json
import os

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))


class TinyCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2))
        self.head = nn.Linear(16, 5)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


def save(name, model, example, descriptor):
    # Declared footprint: float32 parameter bytes, what the Java side measures after a load.
    descriptor["memoryBytes"] = 4 * sum(p.numel() for p in model.parameters())
    d = os.path.join(HERE, name)
    os.makedirs(os.path.join(d, "1"), exist_ok=True)
    torch.jit.trace(model.eval(), example).save(os.path.join(d, "1", "model.pt"))
    with open(os.path.join(d, "function.json"), "w") as f:
        json.dump(descriptor, f, indent=2)
        f.write("\n")


def main():
    torch.manual_seed(7)
    mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    save("tiny-mlp", mlp, torch.zeros(1, 4), {
        "format": "torchscript",
        "input": {"kinds": ["TENSOR"], "shape": [-1, 4]},
        "output": {"topK": 3, "labels": ["cat", "dog", "bird"]},
    })
    torch.manual_seed(8)
    cnn = TinyCnn()
    save("tiny-cnn", cnn, torch.zeros(1, 3, 16, 16), {
        "format": "torchscript",
        "input": {"kinds": ["IMAGE", "TENSOR"], "shape": [-1, 3, 16, 16],
                  "image": {"width": 16, "height": 16, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}},
        "output": {"topK": 2},
    })
    x = torch.tensor([[0.5, -1.0, 2.0, 0.25]])
    with torch.no_grad():
        ref = {"tiny-mlp": {"input": x.tolist(), "logits": mlp(x).tolist()},
               "tiny-cnn": {"input": "ones(1,3,16,16)", "logits": cnn(torch.ones(1, 3, 16, 16)).tolist()}}
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(ref, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
