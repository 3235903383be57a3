#!/usr/bin/env bash
# Reproduce the pretrained checkpoints shipped in checkpoints/{arch}.pt with the project's CLI.
#
#   scripts/train_pretrained.sh            # all five, on the CPU
#   scripts/train_pretrained.sh gru vit    # only these
#   DEVICE=cuda scripts/train_pretrained.sh vit
#
# Every setting and seed is spelled out below. Threads are pinned to 1 so a CPU run gives the
# same weights bit for bit (and leaves a core free); on a GPU they do not matter. Afterwards
# `python scripts/results_table.py --write-readme` refreshes the README's results table from
# the checkpoints' own metadata.
set -euo pipefail
cd "$(dirname "$0")/.."

STUDIO=${STUDIO:-.venv/bin/mnist-studio}
DEVICE=${DEVICE:-cpu}
OUT=${OUT:-checkpoints}
COMMON=(--device "$DEVICE" --seed 0 --threads 1 --optimizer adamw --schedule onecycle --json)

declare -A RECIPE=(
  [mlp]="--epochs 20 --batch-size 128 --lr 0.002 --weight-decay 0.0001 --augment"
  [lenet5]="--epochs 12 --batch-size 128 --lr 0.01 --weight-decay 0.0001 --augment"
  [resnet]="--epochs 20 --batch-size 128 --lr 0.01 --weight-decay 0.0001 --augment"
  [gru]="--epochs 20 --batch-size 128 --lr 0.004 --weight-decay 0.0001 --augment"
  [vit]="--epochs 15 --batch-size 128 --lr 0.002 --weight-decay 0.05 --augment"
)

archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(mlp lenet5 resnet gru vit)
mkdir -p "$OUT"
for arch in "${archs[@]}"; do
  [ -n "${RECIPE[$arch]:-}" ] || { echo "unknown architecture: $arch" >&2; exit 2; }
  echo "== $arch: $STUDIO train --arch $arch ${RECIPE[$arch]} ${COMMON[*]} --out $OUT/$arch.pt" >&2
  # shellcheck disable=SC2086  # the recipe is a list of words on purpose
  "$STUDIO" train --arch "$arch" ${RECIPE[$arch]} "${COMMON[@]}" --out "$OUT/$arch.pt" | tail -n 1
done
