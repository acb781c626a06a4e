#!/usr/bin/python3
"""Writes a gpufaas model repository of real torchvision architectures as TorchScript.

Weights are random but deterministic (seeded per function), so the same command always writes
the same files; sizes are those of the published architectures. Run through make-models.sh.
"""
import argparse
import json
import os
import sys

ARCHS = {
    # name: (torchvision constructor, input size)
    "resnet18": ("resnet18", 224),
    "resnet34": ("resnet34", 224),
    "resnet50": ("resnet50", 224),
    "resnet101": ("resnet101", 224),
    "resnet152": ("resnet152", 224),
    "mobilenet_v2": ("mobilenet_v2", 224),
    "mobilenet_v3_small": ("mobilenet_v3_small", 224),
    "mobilenet_v3_large": ("mobilenet_v3_large", 224),
    "shufflenet_v2_x1_0": ("shufflenet_v2_x1_0", 224),
    "squeezenet1_1": ("squeezenet1_1", 224),
    "densenet121": ("densenet121", 224),
    "googlenet": ("googlenet", 224),
    "mnasnet1_0": ("mnasnet1_0", 224),
    "efficientnet_b0": ("efficientnet_b0", 224),
    "alexnet": ("alexnet", 224),
    "vgg11": ("vgg11", 224),
}

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", required=True, help="repository directory to write")
    p.add_argument("--archs", default="resnet18,mobilenet_v3_small,squeezenet1_1",
                   help="comma-separated architectures, cycled over the functions: " + ",".join(ARCHS))
    p.add_argument("--count", type=int, default=0,
                   help="number of functions; 0 = one per architecture, named after it")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--force", action="store_true", help="rewrite models that already exist")
    args = p.parse_args()

    import torch
    import torchvision

    archs = [a.strip() for a in args.archs.split(",") if a.strip()]
    unknown = [a for a in archs if a not in ARCHS]
    if unknown:
        sys.exit("unknown architectures: %s (known: %s)" % (",".join(unknown), ",".join(ARCHS)))
    count = args.count or len(archs)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    for i in range(count):
        arch = archs[i % len(archs)]
        name = arch.replace("_", "-") if not args.count else "fn%03d-%s" % (i, arch.replace("_", "-"))
        fdir = os.path.join(args.out, name)
        model_path = os.path.join(fdir, "1", "model.pt")
        if os.path.exists(model_path) and not args.force:
            print("kept    %-32s %s" % (name, model_path))
            continue
        ctor, size = ARCHS[arch]
        torch.manual_seed(args.seed * 100003 + i)
        kwargs = {"weights": None}
        if arch == "googlenet":
            kwargs.update(aux_logits=False, init_weights=True)
        model = getattr(torchvision.models, ctor)(**kwargs).eval()
        example = torch.rand(1, 3, size, size)
        with torch.no_grad():
            try:
                scripted = torch.jit.script(model)
            except Exception:  # some architectures only trace
                scripted = torch.jit.trace(model, example)
        os.makedirs(os.path.dirname(model_path), exist_ok=True)
        scripted.save(model_path)
        params = sum(t.numel() for t in model.parameters())
        descriptor = {
            "format": "torchscript",
            "architecture": arch,
            "parameters": params,
            "input": {
                "kinds": ["IMAGE", "TENSOR"],
                "shape": [-1, 3, size, size],
                "image": {"width": size, "height": size, "mean": MEAN, "std": STD},
            },
            "output": {"topK": 5},
            # float32 parameter bytes: the cache reserves this before the first load measures it
            "memoryBytes": 4 * params,
        }
        with open(os.path.join(fdir, "function.json"), "w") as f:
            json.dump(descriptor, f, indent=2)
            f.write("\n")
        print("wrote   %-32s %7.1f MiB  %d parameters" % (name, os.path.getsize(model_path) / 2**20, params))


if __name__ == "__main__":
    main()
