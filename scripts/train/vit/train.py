"""Train the bundled mini-ViT on the Fashion-MNIST training set, on a wall-clock budget.

The learning-rate schedule (linear warmup, then cosine to zero) runs on the fraction of the
time budget spent rather than on a step count, so the run ends annealed at --minutes whatever
the load on the shared CPU. A resumable checkpoint (model, optimizer, RNG, progress) is written
every --checkpoint-minutes and at the end, so the run can be stopped and exported at any time.

    /usr/bin/python3 scripts/train/vit/train.py --minutes 75 --out scripts/train/vit/work/run
    /usr/bin/python3 scripts/train/vit/train.py --bench 60   # images/s of the configured model

With --device cuda the same loop runs on a GPU (augmentation stays on the CPU, it is a gather).
"""

import argparse
import csv
import dataclasses
import math
import os
import time

import torch
import torch.nn.functional as F

from fashion_mnist import load_split, preprocess
from modeling_vit import ViTConfig, ViTForImageClassification
from pos_structure import position_embedding_structure

LOG_FIELDS = ["step", "epoch", "elapsed_min", "images", "lr", "train_loss", "train_acc",
              "test_loss", "test_acc", "pos_spearman"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=75, help="wall-clock budget of the whole run")
    p.add_argument("--out", default="scripts/train/vit/work/run")
    p.add_argument("--bench", type=float, default=0, help="only measure training images/s for this many seconds")
    p.add_argument("--hidden-size", type=int, default=128)
    p.add_argument("--num-hidden-layers", type=int, default=4)
    p.add_argument("--num-attention-heads", type=int, default=4)
    p.add_argument("--intermediate-size", type=int, default=512)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--pos-lr-mult", type=float, default=3.0,
                   help="learning-rate multiplier for the position embeddings (no weight decay either)")
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--warmup-frac", type=float, default=0.05)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--max-shift", type=int, default=4, help="random translation of up to this many pixels")
    p.add_argument("--checkpoint-minutes", type=float, default=5)
    p.add_argument("--eval-minutes", type=float, default=10, help="test-set accuracy and position structure for the curves")
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", help="cpu, or cuda when a GPU is available")
    p.add_argument("--threads", type=int, default=1, help="CPU threads for torch (the two cores here are shared)")
    return p.parse_args()


def augment(images, max_shift, generator):
    """Random translation (zero padding = Fashion-MNIST background) and horizontal flip of uint8 [B, 28, 28].

    Translations are what make the position embeddings learn the grid: the same content shows up
    at neighbouring patch positions, so neighbouring embeddings receive similar gradients.
    """
    b, h, w = images.shape
    padded = F.pad(images, (max_shift,) * 4)
    dy = torch.randint(0, 2 * max_shift + 1, (b, 1, 1), generator=generator)
    dx = torch.randint(0, 2 * max_shift + 1, (b, 1, 1), generator=generator)
    rows = dy + torch.arange(h).view(1, h, 1)
    cols = dx + torch.arange(w).view(1, 1, w)
    flip = torch.rand(b, 1, 1, generator=generator) < 0.5
    cols = torch.where(flip, dx + (w - 1) - torch.arange(w).view(1, 1, w), cols)
    return padded[torch.arange(b).view(b, 1, 1), rows, cols]


def lr_factor(progress, warmup_frac):
    if progress < warmup_frac:
        return progress / warmup_frac
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (progress - warmup_frac) / (1 - warmup_frac))))


def make_optimizer(model, args):
    pos, decay, no_decay = [], [], []
    for name, param in model.named_parameters():
        if name == "vit.embeddings.position_embeddings":
            pos.append(param)
        elif param.ndim < 2 or name == "vit.embeddings.cls_token":
            no_decay.append(param)  # biases, LayerNorm, [CLS]
        else:
            decay.append(param)
    groups = [
        {"params": decay, "weight_decay": args.weight_decay, "lr_mult": 1.0},
        {"params": no_decay, "weight_decay": 0.0, "lr_mult": 1.0},
        {"params": pos, "weight_decay": 0.0, "lr_mult": args.pos_lr_mult},
    ]
    return torch.optim.AdamW(groups, lr=args.lr)


@torch.no_grad()
def evaluate(model, images, labels, batch_size=500):
    model.eval()
    device = next(model.parameters()).device
    loss, correct = 0.0, 0
    for i in range(0, len(images), batch_size):
        logits = model(preprocess(images[i:i + batch_size]).to(device))
        y = labels[i:i + batch_size].to(device)
        loss += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(1) == y).sum().item()
    model.train()
    return loss / len(images), correct / len(images)


def pos_spearman(model, config):
    grid = config.image_size // config.patch_size
    return position_embedding_structure(model.vit.embeddings.position_embeddings[0].detach().cpu().numpy(), grid, grid)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.backends.cuda.matmul.allow_tf32 = True  # float32 on a GPU's tensor cores; no effect on the CPU
    torch.manual_seed(args.seed)
    config = ViTConfig(hidden_size=args.hidden_size, num_hidden_layers=args.num_hidden_layers,
                       num_attention_heads=args.num_attention_heads, intermediate_size=args.intermediate_size)
    model = ViTForImageClassification(config).to(args.device)
    optimizer = make_optimizer(model, args)
    train_x, train_y = load_split("train")
    test_x, test_y = load_split("t10k")
    aug_gen = torch.Generator().manual_seed(args.seed + 1)

    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, "checkpoint.pt")
    log_path = os.path.join(args.out, "train_log.csv")
    # Progress within the epoch is counted in images, so a resumed run may use another --batch-size.
    state = {"step": 0, "epoch": 0, "image_in_epoch": 0, "elapsed": 0.0, "images": 0}
    if os.path.exists(ckpt_path) and not args.bench:
        ckpt = torch.load(ckpt_path, map_location="cpu")  # the RNG state must stay a CPU tensor
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        aug_gen.set_state(ckpt["aug_rng"])
        state = ckpt["state"]
        print(f"resumed at step {state['step']}, {state['elapsed'] / 60:.1f} min", flush=True)
    else:
        with open(log_path, "w", newline="") as f:
            csv.writer(f).writerow(LOG_FIELDS)
    budget = args.bench if args.bench else args.minutes * 60
    print(f"config {dataclasses.asdict(config)}, {sum(p.numel() for p in model.parameters())} parameters, "
          f"budget {budget:.0f} s, threads {torch.get_num_threads()}", flush=True)

    def save_checkpoint():
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "aug_rng": aug_gen.get_state(),
                    "state": state, "config": dataclasses.asdict(config), "args": vars(args)}, ckpt_path + ".tmp")
        os.replace(ckpt_path + ".tmp", ckpt_path)

    def log(row):
        with open(log_path, "a", newline="") as f:
            csv.writer(f).writerow([row.get(k, "") for k in LOG_FIELDS])

    def evaluation_row():
        test_loss, test_acc = evaluate(model, test_x, test_y)
        return {"test_loss": f"{test_loss:.4f}", "test_acc": f"{test_acc:.4f}",
                "pos_spearman": f"{pos_spearman(model, config):.4f}"}

    start = time.time() - state["elapsed"]
    last_ckpt = last_eval = time.time()
    run_loss, run_correct, run_n = 0.0, 0, 0
    model.train()
    while True:
        perm = torch.randperm(len(train_x), generator=torch.Generator().manual_seed(args.seed * 1000 + state["epoch"]))
        while state["image_in_epoch"] + args.batch_size <= len(train_x):
            state["elapsed"] = time.time() - start
            progress = state["elapsed"] / budget
            if progress >= 1:
                break
            lr = args.lr * lr_factor(progress, args.warmup_frac)
            for group in optimizer.param_groups:
                group["lr"] = lr * group["lr_mult"]
            idx = perm[state["image_in_epoch"]:state["image_in_epoch"] + args.batch_size]
            x = preprocess(augment(train_x[idx], args.max_shift, aug_gen)).to(args.device, non_blocking=True)
            y = train_y[idx].to(args.device, non_blocking=True)
            logits = model(x)
            loss = F.cross_entropy(logits, y, label_smoothing=args.label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()

            state["step"] += 1
            state["image_in_epoch"] += len(idx)
            state["images"] += len(y)
            # Kept as tensors: a .item() per step would stall a GPU at every step.
            run_loss += loss.detach() * len(y)
            run_correct += (logits.argmax(1) == y).sum()
            run_n += len(y)
            if state["step"] % args.log_every == 0:
                row = {"step": state["step"], "epoch": f"{state['images'] / len(train_x):.3f}",
                       "elapsed_min": f"{(time.time() - start) / 60:.2f}", "images": state["images"],
                       "lr": f"{lr:.3e}", "train_loss": f"{float(run_loss) / run_n:.4f}",
                       "train_acc": f"{float(run_correct) / run_n:.4f}"}
                run_loss, run_correct, run_n = 0.0, 0, 0
                if not args.bench and time.time() - last_eval > args.eval_minutes * 60:
                    row.update(evaluation_row())
                    last_eval = time.time()
                if not args.bench and time.time() - last_ckpt > args.checkpoint_minutes * 60:
                    save_checkpoint()
                    last_ckpt = time.time()
                print(" ".join(f"{k}={v}" for k, v in row.items()),
                      f"img/s={state['images'] / (time.time() - start):.1f}", flush=True)
                if not args.bench:
                    log(row)
        if state["image_in_epoch"] + args.batch_size <= len(train_x):
            break
        state["epoch"] += 1
        state["image_in_epoch"] = 0

    if args.bench:
        print(f"bench: {state['images'] / (time.time() - start):.1f} training images/s", flush=True)
        return
    row = {"step": state["step"], "epoch": f"{state['images'] / len(train_x):.3f}",
           "elapsed_min": f"{state['elapsed'] / 60:.2f}", "images": state["images"], "lr": "0"}
    row.update(evaluation_row())
    log(row)
    save_checkpoint()
    print("done", row, flush=True)


if __name__ == "__main__":
    main()
