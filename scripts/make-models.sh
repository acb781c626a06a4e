#!/usr/bin/env bash
# Generates a model repository of real torchvision architectures as TorchScript, with
# deterministic random weights (no downloads: nothing leaves this machine).
#
#   scripts/make-models.sh [--out models] [--archs resnet18,resnet50,...] [--count N] [--force]
#
# Needs Debian's PyTorch and torchvision, used through the system Python:
#   sudo apt-get install --no-install-recommends python3-torch python3-torchvision
# Defaults write three small functions (resnet18, mobilenet-v3-small, squeezenet1-1) to ./models.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PY=/usr/bin/python3
if ! "$PY" -c 'import torch, torchvision' 2>/dev/null; then
  die "Debian's python3-torch and python3-torchvision are needed: apt-get install --no-install-recommends python3-torch python3-torchvision"
fi
args=("$@")
if [[ " ${args[*]} " != *" --out "* ]]; then args=(--out "$ROOT/models" "${args[@]}"); fi
exec "$PY" "$ROOT/scripts/make_models.py" "${args[@]}"
