#!/usr/bin/env bash
# Train both bundled models on one GPU, then measure them with the real Hugging Face
# `transformers` where the machine has it. Written for a GPU machine lent for a few minutes, which
# is why the two trainings share the GPU and everything worth keeping is small and lands in $OUT
# as soon as it exists (a run stopped at its time limit still returns what it wrote).
#
#   OUT=/tmp/out FASHION_MNIST_DIR=.devdata/fashion-mnist bash scripts/train/gpu_run.sh [MINUTES [PHASE2_MINUTES]]
#
# Phase 1 (MINUTES, default 6): both models from scratch, side by side on the GPU.
# Phase 2 (PHASE2_MINUTES, default 3): mini-BERT goes on alone from phase 1's float16 weights, with
# a fresh optimizer and schedule, drawing the everyday sources (WordNet, fortunes) twice as often.
# The shipped models were made this way, the two phases in two calls of a lent H200.
#
# Needs, beside the tracked tree: scripts/train/bert/work/{encoded,vocab.txt} (build_corpus.py,
# build_vocab.py) and the four Fashion-MNIST .gz files in $FASHION_MNIST_DIR.
# Writes to $OUT: {vit,bert}/checkpoint.pt (weights and what export.py reads, no optimizer state),
# vit/train_log.csv, bert/phase{1,2}_train_log.csv, bert_eval.json, transformers_check.json.
# Then, on the development machine: vit/export.py, and bert/export.py, evaluate.py and
# plot_log.py on the returned files (public/models/*/README.md give the commands).
set -u
MINUTES=${1:-6}
PHASE2_MINUTES=${2:-3}
DEVICE=${DEVICE:-cuda}
WORKERS=${WORKERS:-11}
PY=${PYTHON:-python3}
OUT=${OUT:?set OUT to a folder for the results}
RUNS=${RUNS:-/tmp/runs}
export PYTHONUNBUFFERED=1 FASHION_MNIST_DIR=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
mkdir -p "$OUT/vit" "$OUT/bert" "$RUNS"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
$PY -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'

BERT_SIZE="--hidden-size 256 --layers 4 --heads 4 --intermediate-size 1024 --dropout 0.1 --batch-tokens 32768"

# Optimizer state stays behind: model weights and what export.py reads are all that is needed.
# BERT is kept as float16, which is also how export.py stores it.
slim() {  # checkpoint destination full|half
  $PY - "$@" <<'PYTHON'
import sys, torch
src, dst, half = sys.argv[1], sys.argv[2], sys.argv[3] == "half"
try:  # one failed training must not cost the other one its weights
    ckpt = torch.load(src, map_location="cpu", weights_only=False)
    for key in ("optimizer", "rng", "torch_rng", "aug_rng"):
        ckpt.pop(key, None)
    ckpt["model"] = {k: (v.half() if half else v) for k, v in ckpt["model"].items()}
    torch.save(ckpt, dst)
    print("saved", dst)
except Exception as e:
    print("could not save", src, repr(e))
PYTHON
}

# Phase 1
$PY scripts/train/vit/train.py --device "$DEVICE" --threads 2 --minutes "$MINUTES" --out "$RUNS/vit" \
  --num-hidden-layers 6 --hidden-size 192 --num-attention-heads 6 --intermediate-size 768 \
  --batch-size 128 --lr 1e-3 --eval-minutes 0.5 --checkpoint-minutes 2 --log-every 100 \
  > "$RUNS/vit.log" 2>&1 &
VIT=$!
$PY scripts/train/bert/pretrain.py --device "$DEVICE" --workers "$WORKERS" --threads 2 --minutes "$MINUTES" \
  --out "$RUNS/bert" $BERT_SIZE --lr 5e-4 --checkpoint-minutes 1 --log-every 100 \
  > "$RUNS/bert.log" 2>&1 &
BERT=$!
wait $VIT; echo "vit exit $?"; wait $BERT; echo "bert exit $?"
tail -n 3 "$RUNS/vit.log" "$RUNS/bert.log"
slim "$RUNS/vit/checkpoint.pt" "$OUT/vit/checkpoint.pt" full
cp "$RUNS/vit/train_log.csv" "$OUT/vit/"
slim "$RUNS/bert/checkpoint.pt" "$RUNS/bert_phase1.pt" half
cp "$RUNS/bert/train_log.csv" "$OUT/bert/phase1_train_log.csv"

# Phase 2
$PY scripts/train/bert/pretrain.py --device "$DEVICE" --workers "$((WORKERS + 3))" --threads 2 --minutes "$PHASE2_MINUTES" \
  --out "$RUNS/bert2" $BERT_SIZE --lr 3e-4 --checkpoint-minutes 1 --log-every 100 \
  --source-weights wordnet=2,fortunes=2 --init-from "$RUNS/bert_phase1.pt" > "$RUNS/bert2.log" 2>&1
echo "bert phase 2 exit $?"; tail -n 2 "$RUNS/bert2.log"
slim "$RUNS/bert2/checkpoint.pt" "$OUT/bert/checkpoint.pt" half
cp "$RUNS/bert2/train_log.csv" "$OUT/bert/phase2_train_log.csv"

# Export in place, so the check below reads the new models in their shipped form.
$PY scripts/train/vit/export.py --checkpoint "$OUT/vit/checkpoint.pt" 2>&1 | tail -n 5
$PY scripts/train/bert/export.py --checkpoint "$OUT/bert/checkpoint.pt" 2>&1 | tail -n 2
$PY scripts/train/bert/evaluate.py 2>&1 | tail -n 45 && cp scripts/train/bert/work/eval.json "$OUT/bert_eval.json"
$PY scripts/reference/check_with_transformers.py --out "$OUT/transformers_check.json" \
  --fmnist-dir "$FASHION_MNIST_DIR" 2>&1 | tail -n 40
