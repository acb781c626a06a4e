#!/usr/bin/env python3
"""Invocation records for the test models, one "key|json" line each (scripts/kafka.sh produce reads them).

  scripts/load.py COUNT [--seed N]     echo texts, tiny-mlp tensors and tiny-cnn PNG images, mixed
"""
import base64, json, random, struct, sys, zlib


def png(rgb):
    raw = b"".join(b"\x00" + bytes(rgb) * 8 for _ in range(8))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main():
    count = int(sys.argv[1])
    rng = random.Random(int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1)
    prefix = "load-%08x" % rng.getrandbits(32)
    for i in range(count):
        kind = rng.choice(["echo", "tiny-mlp", "tiny-cnn"])
        if kind == "echo":
            inp = {"text": "hello %d" % i}
        elif kind == "tiny-mlp":
            data = struct.pack("<4f", *[rng.uniform(-1, 1) for _ in range(4)])
            inp = {"tensor": {"dtype": "float32", "shape": [1, 4], "data": base64.b64encode(data).decode()}}
        else:
            inp = {"image": base64.b64encode(png([rng.randrange(256) for _ in range(3)])).decode()}
        inv_id = "%s-%d" % (prefix, i)
        print("%s|%s" % (inv_id, json.dumps({"v": 1, "id": inv_id, "function": kind, "input": inp})))


if __name__ == "__main__":
    main()
