#!/usr/bin/env bash
# The GPU machine's job, in one call of the device tool (carry [".gpu"]):
#
#     bash scripts/gpu_check.sh [tests|demo|bench|all] [extra pytest args...]
#
# installs the carried PyCUDA wheels (../shared/gpu/prepare.sh put them in .gpu/), runs every
# test with a `cuda` parameter (`pytest -m cuda`), the MNIST demo on the GPU and the GPU
# benchmarks, and leaves the logs
# in $OUT (the device tool brings that folder back): pytest.log, junit.xml, bench.md,
# profile.txt.
set -uo pipefail
what=${1:-all}
shift || true
OUT=${OUT:-/tmp/dfdx-gpu-out}
mkdir -p "$OUT"
bash .gpu/setup.sh || { echo "could not install the carried wheels (.gpu/)"; exit 2; }
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
python3 - <<'PY' 2>&1 | tee "$OUT/device.txt"
import dfdx_py as dfdx
dev = dfdx.Cuda(0)
print("Cuda device:", dev.name, "| dfdx_py", dfdx.__version__)
PY
status=0
if [[ $what == tests || $what == all ]]; then
    python3 -m pytest -m cuda -q -p no:cacheprovider --hypothesis-profile=gpu -rfE \
        --junitxml="$OUT/junit.xml" \
        tests/ops tests/autograd tests/nn tests/optim tests/cuda tests/test_losses.py \
        tests/distributed \
        tests/data tests/test_serialize.py tests/test_dlpack.py "$@" 2>&1 | tee "$OUT/pytest.log" | tail -60
    status=${PIPESTATUS[0]}
fi
if [[ $what == demo || $what == all ]]; then
    python3 examples/mnist.py --device cuda --out "$OUT/mnist" 2>&1 | tail -4 | tee "$OUT/mnist.txt"
    status=$(( status || PIPESTATUS[0] ))
    python3 examples/mnist.py --device cuda --amp bf16 --out "$OUT/mnist-bf16" 2>&1 | tail -4 \
        | tee "$OUT/mnist-bf16.txt"
    status=$(( status || PIPESTATUS[0] ))
fi
if [[ $what == bench || $what == all ]]; then
    python3 benchmarks/gpu.py 2>&1 | tee "$OUT/bench.md" | tail -40
    python3 benchmarks/gpu_profile.py 2>&1 | tee "$OUT/profile.txt" | tail -30
fi
exit "$status"
