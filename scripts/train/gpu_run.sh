#!/usr/bin/env bash
# Train both bundled models on one GPU, then measure them with the real Hugging Face
# `transformers` where the machine has it. Written for a GPU machine lent for a few minutes, which
# is why the two trainings share the GPU and everything worth keeping is small and lands in $OUT
# as soon as it exists (a run stopped at its time limit still returns what it wrote).
#
#   OUT=/tmp/out FASHION_MNIST_DIR=.devdata/fashion-mnist bash scripts/train/gpu_run.sh [VIT_MINUTES [BERT_MINUTES]]
#
# Both models train from scratch, side by side on the GPU, for VIT_MINUTES (default 6) and
# BERT_MINUTES (default 7.5); 0 skips a model. mini-BERT draws the documents of the everyday sources
# (WordNet, fortunes, Austen) twice as often as the others. The shipped mini-ViT came from
# `gpu_run.sh 6 6` with an earlier mini-BERT recipe beside it; the shipped mini-BERT from
# `gpu_run.sh 0 7.5`, alone on the GPU. Both on a lent H200.
#
# Needs, beside the tracked tree: scripts/train/bert/work/{encoded,vocab.txt} (build_corpus.py,
# build_vocab.py) and the four Fashion-MNIST .gz files in $FASHION_MNIST_DIR.
# Writes to $OUT: {vit,bert}/checkpoint.pt (weights and what export.py reads, no optimizer state),
# {vit,bert}/train_log.csv, bert_eval.json, transformers_check.json.
# Then, on the development machine: vit/export.py, and bert/export.py, evaluate.py and
# plot_log.py on the returned files (public/models/*/README.md give the commands).
set -u
VIT_MINUTES=${1:-6}
BERT_MINUTES=${2:-7.5}
DEVICE=${DEVICE:-cuda}
# Batch building is CPU-bound: the GPU machine has 16 cores, shared with the ViT when it trains.
WORKERS=${WORKERS:-$([ "$VIT_MINUTES" != 0 ] && echo 11 || echo 14)}
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

PIDS=()
if [ "$VIT_MINUTES" != 0 ]; then
  $PY -m scripts.train.vit.train --device "$DEVICE" --threads 2 --minutes "$VIT_MINUTES" --out "$RUNS/vit" \
    --num-hidden-layers 6 --hidden-size 192 --num-attention-heads 6 --intermediate-size 768 \
    --batch-size 128 --lr 1e-3 --eval-minutes 0.5 --checkpoint-minutes 2 --log-every 100 \
    > "$RUNS/vit.log" 2>&1 &
  PIDS+=($!)
fi
if [ "$BERT_MINUTES" != 0 ]; then
  $PY -m scripts.train.bert.pretrain --device "$DEVICE" --workers "$WORKERS" --threads 2 --minutes "$BERT_MINUTES" \
    --out "$RUNS/bert" $BERT_SIZE --lr 5e-4 --checkpoint-minutes 1 --log-every 100 \
    --source-weights wordnet=2,fortunes=2,austen=2 > "$RUNS/bert.log" 2>&1 &
  PIDS+=($!)
fi
for pid in "${PIDS[@]}"; do wait "$pid"; echo "training $pid exit $?"; done
if [ "$VIT_MINUTES" != 0 ]; then
  tail -n 2 "$RUNS/vit.log"
  slim "$RUNS/vit/checkpoint.pt" "$OUT/vit/checkpoint.pt" full
  cp "$RUNS/vit/train_log.csv" "$OUT/vit/"
  $PY -m scripts.train.vit.export --checkpoint "$OUT/vit/checkpoint.pt" 2>&1 | tail -n 5
fi
if [ "$BERT_MINUTES" != 0 ]; then
  tail -n 2 "$RUNS/bert.log"
  slim "$RUNS/bert/checkpoint.pt" "$OUT/bert/checkpoint.pt" half
  cp "$RUNS/bert/train_log.csv" "$OUT/bert/"
  $PY -m scripts.train.bert.export --checkpoint "$OUT/bert/checkpoint.pt" 2>&1 | tail -n 2
  $PY -m scripts.train.bert.evaluate 2>&1 | tail -n 45 && cp scripts/train/bert/work/eval.json "$OUT/bert_eval.json"
fi

# The check reads the models in their shipped form, just exported in place above.
$PY -m scripts.reference.check_with_transformers --out "$OUT/transformers_check.json" \
  --fmnist-dir "$FASHION_MNIST_DIR" 2>&1 | tail -n 40
