"""Pretrain the bundled mini-BERT on MLM + NSP, as in the BERT paper, within a wall-clock budget.

Inputs are [CLS] A [SEP] B [SEP] with segment ids 0/1. B is the true continuation of A in 50% of
the pairs and a random span of another document otherwise. 15% of the non-special tokens are
chosen for prediction; of those 80% become [MASK], 10% a random token, 10% stay unchanged. The loss
is the MLM cross-entropy on the chosen positions plus the NSP cross-entropy. As in the paper, most
of the run uses short sequences and the last part the full length, so that every position
embedding is trained. Instances are generated on the fly, so no two epochs see the same masks.

The learning-rate schedule (linear warmup, then linear decay to 0) runs on elapsed wall-clock
time, not on steps, so the run ends at --minutes whatever the machine's speed. A checkpoint
(model + optimizer + RNG state) is written every --checkpoint-minutes, so export.py can be run at
any moment. torch runs on --threads threads (default one: the development machine's two cores are
shared).

With --device cuda and --workers N the same recipe runs on a GPU, with N processes building
the batches (instance generation is plain Python and would otherwise starve the GPU).

The defaults are the CPU run (public/models/mini-bert/README.md explains the sizing):
  nohup /usr/bin/python3 -m scripts.train.bert.pretrain > scripts/train/bert/work/pretrain.log 2>&1 &
"""

import argparse
import csv
import os
import pickle
import random
import time

import torch
import torch.nn.functional as F

from scripts.train.bert.modeling_bert import BertConfig, BertForPreTraining

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "work")
SPECIALS = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4}
PAD, CLS, SEP, MASK = 0, 2, 3, 4
FIRST_ORDINARY_ID = 5  # random replacement tokens are drawn from ids >= 5 (never a special token)


def load_vocab_size():
    with open(os.path.join(WORK, "vocab.txt"), encoding="utf-8") as f:
        vocab = [line.rstrip("\n") for line in f]
    assert vocab[:5] == list(SPECIALS), "vocab.txt must start with [PAD] [UNK] [CLS] [SEP] [MASK]"
    return len(vocab)


def load_documents(split, with_sources=False):
    with open(os.path.join(WORK, "encoded", f"{split}.pkl"), "rb") as f:
        docs = pickle.load(f)
    sentences = [d["sentences"] for d in docs]
    return (sentences, [d["source"] for d in docs]) if with_sources else sentences


def make_pair(documents, multi_sentence, max_len, rng, short_seq_prob=0.1):
    """One NSP pair of sentence spans, following create_pretraining_data.py from google-research/bert:
    fill a chunk of consecutive sentences up to the target length, cut it at a random sentence
    boundary into A and B, and replace B by another document's span half of the time."""
    max_tokens = max_len - 3
    target = rng.randint(2, max_tokens) if rng.random() < short_seq_prob else max_tokens
    d = rng.choice(multi_sentence)
    doc = documents[d]
    start = rng.randrange(len(doc) - 1)
    chunk, length = [], 0
    for sentence in doc[start:]:
        chunk.append(sentence)
        length += len(sentence)
        if length >= target and len(chunk) >= 2:
            break
    a_end = rng.randint(1, len(chunk) - 1)
    a = [t for s in chunk[:a_end] for t in s]
    is_random_next = rng.random() < 0.5
    if is_random_next:
        other = rng.randrange(len(documents) - 1)
        other += other >= d  # any document but this one
        rest = documents[other][rng.randrange(len(documents[other])):]
        b = []
        for sentence in rest:
            b.extend(sentence)
            if len(a) + len(b) >= target:
                break
    else:
        b = [t for s in chunk[a_end:] for t in s]
    # Trim the longer side one token at a time, from the front or back at random, as BERT does.
    while len(a) + len(b) > target:
        longer = a if len(a) > len(b) else b
        if len(longer) <= 1:
            break
        longer.pop(0 if rng.random() < 0.5 else -1)
    return a, b, int(is_random_next)


def mask_tokens(input_ids, special, vocab_size, rng):
    """Choose 15% of the non-special positions; returns (masked ids, positions, original ids)."""
    candidates = [i for i, s in enumerate(special) if not s]
    n = max(1, int(round(len(candidates) * 0.15)))
    positions = sorted(rng.sample(candidates, n))
    masked = list(input_ids)
    for p in positions:
        r = rng.random()
        if r < 0.8:
            masked[p] = MASK
        elif r < 0.9:
            masked[p] = rng.randrange(FIRST_ORDINARY_ID, vocab_size)
    return masked, positions, [input_ids[p] for p in positions]


def make_instance(documents, multi_sentence, max_len, vocab_size, rng):
    a, b, not_next = make_pair(documents, multi_sentence, max_len, rng)
    ids = [CLS] + a + [SEP] + b + [SEP]
    types = [0] * (len(a) + 2) + [1] * (len(b) + 1)
    special = [True] + [False] * len(a) + [True] + [False] * len(b) + [True]
    masked, positions, labels = mask_tokens(ids, special, vocab_size, rng)
    return {"input_ids": masked, "token_type_ids": types, "positions": positions, "labels": labels, "nsp": not_next}


def collate(instances):
    """Pad to the longest instance; MLM targets are flattened with their (row, position) pairs."""
    length = max(len(x["input_ids"]) for x in instances)
    n = len(instances)
    input_ids = torch.full((n, length), PAD, dtype=torch.long)
    token_type_ids = torch.zeros((n, length), dtype=torch.long)
    attention_mask = torch.zeros((n, length), dtype=torch.long)
    mlm_positions, mlm_labels = [], []
    for row, x in enumerate(instances):
        k = len(x["input_ids"])
        input_ids[row, :k] = torch.tensor(x["input_ids"])
        token_type_ids[row, :k] = torch.tensor(x["token_type_ids"])
        attention_mask[row, :k] = 1
        mlm_positions.extend((row, p) for p in x["positions"])
        mlm_labels.extend(x["labels"])
    return {
        "input_ids": input_ids,
        "token_type_ids": token_type_ids,
        "attention_mask": attention_mask,
        "mlm_positions": torch.tensor(mlm_positions, dtype=torch.long),
        "mlm_labels": torch.tensor(mlm_labels, dtype=torch.long),
        "nsp_labels": torch.tensor([x["nsp"] for x in instances], dtype=torch.long),
    }


def losses(model, batch):
    mlm_logits, nsp_logits = model(batch["input_ids"], batch["token_type_ids"], batch["attention_mask"], batch["mlm_positions"])
    mlm_loss = F.cross_entropy(mlm_logits, batch["mlm_labels"])
    nsp_loss = F.cross_entropy(nsp_logits, batch["nsp_labels"])
    # Tensors, not floats: a .item() per step would stall a GPU at every step.
    mlm_acc = (mlm_logits.argmax(-1) == batch["mlm_labels"]).float().mean()
    nsp_acc = (nsp_logits.argmax(-1) == batch["nsp_labels"]).float().mean()
    return mlm_loss, nsp_loss, mlm_acc, nsp_acc


class InstanceStream(torch.utils.data.IterableDataset):
    """Endless collated batches of fresh instances; each DataLoader worker draws from its own seed."""

    def __init__(self, documents, multi, seq_len, vocab_size, batch_size, seed):
        self.documents, self.multi, self.seq_len, self.vocab_size = documents, multi, seq_len, vocab_size
        self.batch_size, self.seed = batch_size, seed

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        rng = random.Random(self.seed * 1000 + (info.id if info else 0))
        while True:
            batch = collate([make_instance(self.documents, self.multi, self.seq_len, self.vocab_size, rng)
                             for _ in range(self.batch_size)])
            # numpy crosses the process boundary by pipe; torch tensors would need shared memory,
            # which sandboxed machines often keep too small.
            yield {k: v.numpy() for k, v in batch.items()}


def _as_is(batch):
    return batch


def batch_stream(documents, multi, seq_len, vocab_size, batch_tokens, workers, seed):
    stream = InstanceStream(documents, multi, seq_len, vocab_size, batch_tokens // seq_len, seed)
    loader = torch.utils.data.DataLoader(stream, batch_size=None, num_workers=workers, collate_fn=_as_is,
                                         prefetch_factor=8, persistent_workers=False)
    return ({k: torch.from_numpy(v) for k, v in batch.items()} for batch in loader)


def multi_sentence_indices(documents, sources=None, source_weights=None):
    """Documents that can give a true next sentence. An integer weight per source repeats its
    documents in the list that pairs are drawn from, so that source is drawn that many times as often."""
    weights = source_weights or {}
    return [i for i, d in enumerate(documents) if len(d) >= 2
            for _ in range(weights.get(sources[i], 1) if sources else 1)]


def fixed_eval_batches(documents, max_len, vocab_size, n, batch_size, seed):
    rng = random.Random(seed)
    multi = multi_sentence_indices(documents)
    instances = [make_instance(documents, multi, max_len, vocab_size, rng) for _ in range(n)]
    return [collate(instances[i : i + batch_size]) for i in range(0, n, batch_size)]


@torch.no_grad()
def evaluate(model, batches):
    model.eval()
    sums = [0.0, 0.0, 0.0, 0.0]
    for batch in batches:
        for i, v in enumerate(losses(model, batch)):
            sums[i] += float(v)
    model.train()
    return [s / len(batches) for s in sums]


def to_device(batch, device):
    return {k: v.to(device, non_blocking=True) for k, v in batch.items()}


def learning_rate(fraction, peak, warmup):
    return peak * (fraction / warmup if fraction < warmup else max(0.0, (1 - fraction) / (1 - warmup)))


def save_checkpoint(path, model, optimizer, step, elapsed, rng, config):
    tmp = path + ".tmp"
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "step": step,
            "elapsed_s": elapsed,
            "rng": rng.getstate(),
            "torch_rng": torch.get_rng_state(),
            "config": config.to_dict(),
        },
        tmp,
    )
    os.replace(tmp, path)  # atomic, so export never reads a half-written file


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=86.0, help="wall-clock training budget")
    parser.add_argument("--hidden-size", type=int, default=128)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--intermediate-size", type=int, default=512)
    parser.add_argument("--max-position", type=int, default=128)
    parser.add_argument("--short-len", type=int, default=64, help="sequence length for the first part of the run")
    parser.add_argument("--long-fraction", type=float, default=0.1, help="final fraction of the time at --max-position")
    parser.add_argument("--batch-tokens", type=int, default=2048, help="batch size in sequence slots x length")
    parser.add_argument("--lr", type=float, default=1e-3)
    # Dropout off: the run sees the data about twice, far from the regime where it regularizes
    # (as in "Cramming", Geiping & Goldstein 2022); the config keeps the keys, set to 0.
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--warmup", type=float, default=0.05, help="warmup as a fraction of the budget")
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--checkpoint-minutes", type=float, default=5.0)
    parser.add_argument("--log-every", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--out", default=os.path.join(WORK, "run"))
    parser.add_argument("--device", default="cpu", help="cpu, or cuda when a GPU is available")
    parser.add_argument("--workers", type=int, default=0, help="processes that build batches (0: the training process)")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for torch (the two cores here are shared)")
    parser.add_argument("--source-weights", default="", help="e.g. wordnet=2,fortunes=2: draw those sources' documents more often")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.backends.cuda.matmul.allow_tf32 = True  # float32 on a GPU's tensor cores; no effect on the CPU
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)

    vocab_size = load_vocab_size()
    documents, sources = load_documents("train", with_sources=True)
    source_weights = {k: int(v) for k, v in (kv.split("=") for kv in args.source_weights.split(",") if kv)}
    if set(source_weights) - set(sources):
        parser.error(f"--source-weights names unknown sources {sorted(set(source_weights) - set(sources))}")
    multi = multi_sentence_indices(documents, sources, source_weights)
    heldout = load_documents("heldout")
    eval_batches = [to_device(b, args.device) for b in fixed_eval_batches(heldout, args.short_len, vocab_size, 512, 128, seed=99)]

    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=args.hidden_size,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        intermediate_size=args.intermediate_size,
        max_position_embeddings=args.max_position,
        hidden_dropout_prob=args.dropout,
        attention_probs_dropout_prob=args.dropout,
    )
    model = BertForPreTraining(config)
    model = model.to(args.device)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"config {config.to_dict()}\n{n_params} parameters, {len(documents)} train documents ({len(set(multi))} with 2+ sentences)", flush=True)

    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n)]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=0.0, betas=(0.9, 0.999), eps=1e-6,
    )

    budget = args.minutes * 60
    log_path = os.path.join(args.out, "train_log.csv")
    log_file = open(log_path, "w", newline="")
    log = csv.writer(log_file)
    log.writerow(["step", "elapsed_s", "lr", "seq_len", "tokens_per_s", "mlm_loss", "nsp_loss", "mlm_acc", "nsp_acc",
                  "heldout_mlm_loss", "heldout_nsp_loss", "heldout_mlm_acc", "heldout_nsp_acc"])
    start = time.time()
    last_checkpoint = start
    step, window, window_tokens, window_start = 0, [], 0, start
    stream, stream_len = None, None
    model.train()
    while True:
        elapsed = time.time() - start
        fraction = elapsed / budget
        if fraction >= 1.0:
            break
        seq_len = args.short_len if fraction < 1 - args.long_fraction else args.max_position
        lr = learning_rate(fraction, args.lr, args.warmup)
        for group in optimizer.param_groups:
            group["lr"] = lr
        if args.workers:
            if stream_len != seq_len:  # the previous length's workers end with their stream
                stream, stream_len = batch_stream(documents, multi, seq_len, vocab_size, args.batch_tokens, args.workers, args.seed + seq_len), seq_len
            batch = next(stream)
        else:
            batch = collate([make_instance(documents, multi, seq_len, vocab_size, rng) for _ in range(args.batch_tokens // seq_len)])
        window_tokens += int(batch["attention_mask"].sum())
        batch = to_device(batch, args.device)
        mlm_loss, nsp_loss, mlm_acc, nsp_acc = losses(model, batch)
        optimizer.zero_grad(set_to_none=True)
        (mlm_loss + nsp_loss).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        window.append(torch.stack([mlm_loss.detach(), nsp_loss.detach(), mlm_acc, nsp_acc]))

        now = time.time()
        checkpoint_due = now - last_checkpoint >= args.checkpoint_minutes * 60 or now - start >= budget
        if step % args.log_every == 0 or checkpoint_due:
            means = torch.stack(window).mean(0).tolist()
            heldout_figures = evaluate(model, eval_batches) if checkpoint_due else ["", "", "", ""]
            row = [step, round(now - start, 1), f"{lr:.3e}", seq_len, round(window_tokens / (now - window_start))]
            row += [f"{m:.4f}" for m in means] + [f"{h:.4f}" if h != "" else "" for h in heldout_figures]
            log.writerow(row)
            log_file.flush()
            print(" ".join(f"{k}={v}" for k, v in zip(
                ["step", "t", "lr", "len", "tok/s", "mlm", "nsp", "mlm_acc", "nsp_acc", "ho_mlm", "ho_nsp", "ho_mlm_acc", "ho_nsp_acc"], row)), flush=True)
            window, window_tokens, window_start = [], 0, time.time()
        if checkpoint_due:
            save_checkpoint(os.path.join(args.out, "checkpoint.pt"), model, optimizer, step, now - start, rng, config)
            last_checkpoint = time.time()
            window_start = last_checkpoint  # the evaluation and save are not training throughput
    save_checkpoint(os.path.join(args.out, "checkpoint.pt"), model, optimizer, step, time.time() - start, rng, config)
    log_file.close()
    print(f"done: {step} steps in {(time.time() - start) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
