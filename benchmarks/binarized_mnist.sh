#!/usr/bin/env bash
# The standard likelihood figure for a 2-D and a 20-D Gaussian VAE on dynamically binarized MNIST: test NLL
# by importance sampling with k = 5000 (Burda et al. 2015), printed beside the published figures
# (Davidson et al. 2018, Table 1: 135.73 nats at 2-D, 88.90 at 20-D). Their model: an MLP 784-256-128-d
# (ReLU) with a mirrored decoder, a Bernoulli decoder, Adam 1e-3; the training length here is ours.
#
#   bash benchmarks/binarized_mnist.sh [DATA]          DATA defaults to mnist (found, or downloaded once)
#   EPOCHS=100 LIMIT_TEST=1000 OUT=/tmp/bmnist bash benchmarks/binarized_mnist.sh
#
# LIMIT_TEST scores the first N test images only (k = 5000 on all 10,000 takes ~15-25 min per model on two
# CPU cores); eval says so beside the figure. Another data set (fashion-mnist) runs the same pipeline, and
# eval says that its figure is not comparable with the published one.
set -euo pipefail
DATA=${1:-mnist}
EPOCHS=${EPOCHS:-100}
OUT=${OUT:-bmnist}
mkdir -p "$OUT"
for D in 2 20; do
  python -m trainer fit --quiet --data "$DATA" --family vae --arch mlp --hidden 256,128 --latent-dim "$D" \
    --binarize --epochs "$EPOCHS" --batch-size 64 --lr 1e-3 --seed 0 \
    --out "$OUT/$DATA-binarized-vae$D.safetensors"
  python -m trainer eval "$OUT/$DATA-binarized-vae$D.safetensors" --iw-samples 5000 \
    ${LIMIT_TEST:+--limit-test "$LIMIT_TEST"} --metrics-json "$OUT/$DATA-binarized-vae$D.eval.json"
done
