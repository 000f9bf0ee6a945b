#!/usr/bin/env bash
# Train both bundled models at once on one GPU, then measure them with the real Hugging Face
# `transformers` where the machine has it. Written for a GPU machine lent for a few minutes, which
# is why the two trainings share the GPU and everything worth keeping is small and lands in $OUT
# as soon as it exists (a run stopped at its time limit still returns what it wrote).
#
#   OUT=/tmp/out FASHION_MNIST_DIR=.devdata/fashion-mnist bash scripts/train/gpu_run.sh [MINUTES]
#
# Needs, beside the tracked tree: scripts/train/bert/work/{encoded,vocab.txt} (build_corpus.py,
# build_vocab.py) and the four Fashion-MNIST .gz files in $FASHION_MNIST_DIR.
# Writes to $OUT: {vit,bert}/checkpoint.pt (weights and what export.py reads, no optimizer state),
# {vit,bert}/train_log.csv, bert_eval.json, transformers_check.json.
set -u
MINUTES=${1:-5.5}
DEVICE=${DEVICE:-cuda}
WORKERS=${WORKERS:-11}
PY=${PYTHON:-python3}
OUT=${OUT:?set OUT to a folder for the results}
RUNS=${RUNS:-/tmp/runs}
export PYTHONUNBUFFERED=1 FASHION_MNIST_DIR=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
mkdir -p "$OUT/vit" "$OUT/bert" "$RUNS"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
$PY -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'

$PY scripts/train/vit/train.py --device "$DEVICE" --threads 2 --minutes "$MINUTES" --out "$RUNS/vit" \
  --num-hidden-layers 6 --hidden-size 192 --num-attention-heads 6 --intermediate-size 768 \
  --batch-size 128 --lr 1e-3 --eval-minutes 0.5 --checkpoint-minutes 2 --log-every 100 \
  > "$RUNS/vit.log" 2>&1 &
VIT=$!
$PY scripts/train/bert/pretrain.py --device "$DEVICE" --workers "$WORKERS" --threads 2 --minutes "$MINUTES" --out "$RUNS/bert" \
  --hidden-size 256 --layers 4 --heads 4 --intermediate-size 1024 --dropout 0.1 \
  --batch-tokens 32768 --lr 5e-4 --checkpoint-minutes 1 --log-every 100 \
  > "$RUNS/bert.log" 2>&1 &
BERT=$!
wait $VIT; echo "vit exit $?"; wait $BERT; echo "bert exit $?"
tail -n 3 "$RUNS/vit.log" "$RUNS/bert.log"

# Optimizer state stays behind: model weights and what export.py reads are all that is needed.
# BERT goes back as float16, which is also how export.py stores it.
$PY - "$RUNS" "$OUT" <<'EOF'
import sys, torch
runs, out = sys.argv[1:]
for name, half in (("vit", False), ("bert", True)):
    try:  # one failed training must not cost the other one its weights
        ckpt = torch.load(f"{runs}/{name}/checkpoint.pt", map_location="cpu", weights_only=False)
        for key in ("optimizer", "rng", "torch_rng", "aug_rng"):
            ckpt.pop(key, None)
        ckpt["model"] = {k: (v.half() if half else v) for k, v in ckpt["model"].items()}
        torch.save(ckpt, f"{out}/{name}/checkpoint.pt")
        print("saved", name)
    except Exception as e:
        print("could not save", name, repr(e))
EOF
cp "$RUNS/vit/train_log.csv" "$OUT/vit/"; cp "$RUNS/bert/train_log.csv" "$OUT/bert/"

# Export in place, so the check below reads the new models in their shipped form.
$PY scripts/train/vit/export.py --checkpoint "$OUT/vit/checkpoint.pt" 2>&1 | tail -n 5
$PY scripts/train/bert/export.py --checkpoint "$OUT/bert/checkpoint.pt" 2>&1 | tail -n 2
$PY scripts/train/bert/evaluate.py 2>&1 | tail -n 45 && cp scripts/train/bert/work/eval.json "$OUT/bert_eval.json"
$PY scripts/reference/check_with_transformers.py --out "$OUT/transformers_check.json" \
  --fmnist-dir "$FASHION_MNIST_DIR" 2>&1 | tail -n 40
