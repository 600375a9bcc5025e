#!/usr/bin/env bash
# The README's classification table: a classifier on fashion-mnist-vae32's encoder (32-D codes), frozen and
# fine-tuned, and the same heads on the first 32 principal components of the pixels (the baseline without an
# encoder). Each run prints scikit-learn's per-class report and writes JSON to $OUT.
#
#   bash benchmarks/classify_table.sh [MODEL]       (default resources/models/fashion-mnist-vae32.safetensors)
#   EPOCHS_FT=15 THREADS=1 OUT=/tmp/table bash benchmarks/classify_table.sh
#
# The fine-tuned row is the Latent classifier study's "Report's recipe" (a copy of the encoder + an MLP head,
# 15 epochs, the learning rate following a cosine from 1e-3 to 0); goal: ≥ 90 % (the course report: 93 %).
set -euo pipefail
M=${1:-resources/models/fashion-mnist-vae32.safetensors}
OUT=${OUT:-classify-table}
mkdir -p "$OUT"
C="python -m trainer classify $M --threads ${THREADS:-2} --quiet"
for head in linear mlp; do
  $C --head $head --epochs 10 --json "$OUT/frozen-$head.json" | tee "$OUT/frozen-$head.txt"
  $C --pca-baseline --head $head --epochs 10 --json "$OUT/pca-$head.json" | tee "$OUT/pca-$head.txt"
done
$C --finetune --head mlp --epochs "${EPOCHS_FT:-15}" --json "$OUT/finetune-mlp.json" | tee "$OUT/finetune-mlp.txt"
