#!/usr/bin/env bash
# The one short GPU check of issue 17, for a lent CUDA machine (the device tool's `run`):
#   bash benchmarks/gpu.sh            (results also in $OUT/gpu_speed.json when OUT is set)
# The device image has PyTorch but not this project's other dependencies; the engine's core
# needs only torch, numpy and platformdirs (carry platformdirs as a wheel if it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD:$PWD/benchmarks${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
export MNIST_STUDIO_RUNS="${TMPDIR:-/tmp}/mnist-studio-runs" MNIST_STUDIO_CACHE="${TMPDIR:-/tmp}/mnist-studio-cache"
python3 -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print(torch.cuda.get_device_name())"
python3 benchmarks/training_throughput.py --device cuda
python3 benchmarks/gpu_speed.py --device cuda ${OUT:+--out "$OUT/gpu_speed.json"}
