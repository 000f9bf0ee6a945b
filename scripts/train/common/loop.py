"""The training loop both Fashion-MNIST models share: AdamW with linear warmup then cosine decay,
augmented batches, periodic test-set evaluation, CSV log and a resumable checkpoint.

The schedule runs either on wall-clock time (--minutes: the run ends annealed whatever the machine's
speed, which suits a GPU lent for a fixed number of minutes) or on a number of training images
(--train-images: the same optimisation for every run whatever the load on a shared CPU, which the
data-size sweep and the position-embedding timeline need to be comparable and reproducible).
"""

import argparse
import csv
import math
import os
import time

import torch
import torch.nn.functional as F

from scripts.train.common.fashion_mnist import augment, preprocess

BASE_LOG_FIELDS = ["step", "epoch", "elapsed_min", "images", "lr", "train_loss", "train_acc", "test_loss", "test_acc"]


def parse_training_args(doc, out_default, add_model_args, argv=None):
    """A trainer's command line: the loop's flags (recipe and bookkeeping), then the model's own."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_training_args(p, out_default)
    add_model_args(p)
    return p.parse_args(argv)


def _add_training_args(p, out_default):
    p.add_argument("--minutes", type=float, default=75, help="wall-clock budget of the whole run")
    p.add_argument("--train-images", type=int, default=0,
                   help="if > 0, the schedule runs on this many training images instead of --minutes")
    p.add_argument("--out", default=out_default)
    p.add_argument("--bench", type=float, default=0, help="only measure training images/s for this many seconds")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--warmup-frac", type=float, default=0.05)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--max-shift", type=int, default=4, help="random translation of up to this many pixels")
    p.add_argument("--checkpoint-minutes", type=float, default=5)
    p.add_argument("--eval-minutes", type=float, default=10, help="test-set evaluation for the curves")
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--frames", type=int, default=0,
                   help="save the weights to OUT/frames/ this many times: at the initialisation, at the end, and "
                        "at the first step past each of FRAMES-2 points of the schedule log-spaced from 0.2%% to "
                        "100%% (denser early on, where the weights change fastest)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", help="cpu, or cuda when a GPU is available")
    p.add_argument("--threads", type=int, default=1, help="CPU threads for torch (the two cores here are shared)")


def lr_factor(progress, warmup_frac):
    if progress < warmup_frac:
        return progress / warmup_frac
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (progress - warmup_frac) / (1 - warmup_frac))))


def adamw(decay, no_decay, args, extra_groups=()):
    """AdamW with weight decay on `decay` only; every group carries an lr_mult the schedule multiplies in."""
    groups = [{"params": decay, "weight_decay": args.weight_decay, "lr_mult": 1.0},
              {"params": no_decay, "weight_decay": 0.0, "lr_mult": 1.0}, *extra_groups]
    return torch.optim.AdamW(groups, lr=args.lr)


@torch.no_grad()
def evaluate(model, images, labels, batch_size=500):
    """Mean cross-entropy and top-1 accuracy of the model on preprocessed, un-augmented images."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    loss, correct = 0.0, 0
    for i in range(0, len(images), batch_size):
        logits = model(preprocess(images[i:i + batch_size]).to(device))
        y = labels[i:i + batch_size].to(device)
        loss += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(1) == y).sum().item()
    model.train(was_training)
    return loss / len(images), correct / len(images)


def frame_points(frames, first=0.002):
    """Schedule progress (0..1] at which --frames saves weights, besides the initialisation and the end."""
    inner = frames - 2
    return [first * (1 / first) ** (i / (inner - 1)) for i in range(inner)] if inner > 1 else [1.0] * inner


def drop_log_rows_after(log_path, step):
    """Removes the rows a stopped run logged after its last checkpoint: the resumed run replays those steps."""
    with open(log_path, newline="") as f:
        header, *rows = list(csv.reader(f))
    with open(log_path, "w", newline="") as f:
        csv.writer(f).writerows([header] + [r for r in rows if int(r[0]) <= step])


def train(model, optimizer, args, config_dict, train_data, test_data, extra_eval=None):
    """Train `model` in place per `args`; returns the final state (step, images, elapsed, ...).

    train_data / test_data: (uint8 images [n, 28, 28], labels [n]). extra_eval() returns more
    columns for the log at each evaluation (e.g. the ViT's position-embedding structure).
    A checkpoint in args.out is resumed; OUT/checkpoint.pt holds what the exporters read.
    """
    torch.set_num_threads(args.threads)
    torch.backends.cuda.matmul.allow_tf32 = True  # float32 on a GPU's tensor cores; no effect on the CPU
    train_x, train_y = train_data
    test_x, test_y = test_data
    extra_eval = extra_eval or (lambda: {})
    log_fields = BASE_LOG_FIELDS + list(extra_eval())
    aug_gen = torch.Generator().manual_seed(args.seed + 1)
    points = frame_points(args.frames)

    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, "checkpoint.pt")
    log_path = os.path.join(args.out, "train_log.csv")
    # Progress within the epoch is counted in images, so a resumed run may use another --batch-size.
    state = {"step": 0, "epoch": 0, "image_in_epoch": 0, "elapsed": 0.0, "images": 0, "next_frame": 0}
    if os.path.exists(ckpt_path) and not args.bench:
        ckpt = torch.load(ckpt_path, map_location="cpu")  # the RNG state must stay a CPU tensor
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        aug_gen.set_state(ckpt["aug_rng"])
        state = ckpt["state"]
        drop_log_rows_after(log_path, state["step"])
        print(f"resumed at step {state['step']}, {state['elapsed'] / 60:.1f} min", flush=True)
    else:
        with open(log_path, "w", newline="") as f:
            csv.writer(f).writerow(log_fields)
    budget = args.bench if args.bench else args.minutes * 60
    by_images = args.train_images > 0 and not args.bench
    print(f"config {config_dict}, {sum(p.numel() for p in model.parameters())} parameters, "
          f"{len(train_x)} training images, " +
          (f"{args.train_images} images to train on" if by_images else f"budget {budget:.0f} s") +
          f", threads {torch.get_num_threads()}", flush=True)

    def progress():
        return state["images"] / args.train_images if by_images else state["elapsed"] / budget

    def save_checkpoint():
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "aug_rng": aug_gen.get_state(),
                    "state": state, "config": config_dict, "args": vars(args)}, ckpt_path + ".tmp")
        os.replace(ckpt_path + ".tmp", ckpt_path)

    def save_frame(due=True):
        """Weights and progress at this step, if a frame is due (one file per step, however many points it passed)."""
        while state["next_frame"] < len(points) and progress() >= points[state["next_frame"]]:
            state["next_frame"] += 1
            due = True
        if due and args.frames and not args.bench:
            os.makedirs(os.path.join(args.out, "frames"), exist_ok=True)
            torch.save({"model": {k: v.cpu() for k, v in model.state_dict().items()}, "state": dict(state)},
                       os.path.join(args.out, "frames", f"step_{state['step']:07d}.pt"))

    def log(row):
        with open(log_path, "a", newline="") as f:
            csv.writer(f).writerow([row.get(k, "") for k in log_fields])

    def evaluation_row():
        test_loss, test_acc = evaluate(model, test_x, test_y)
        return {"test_loss": f"{test_loss:.4f}", "test_acc": f"{test_acc:.4f}", **extra_eval()}

    if state["step"] == 0:
        save_frame()
    start = time.time() - state["elapsed"]
    last_ckpt = last_eval = time.time()
    run_loss, run_correct, run_n = 0.0, 0, 0
    model.train()
    while True:
        perm = torch.randperm(len(train_x), generator=torch.Generator().manual_seed(args.seed * 1000 + state["epoch"]))
        while state["image_in_epoch"] + args.batch_size <= len(train_x):
            state["elapsed"] = time.time() - start
            if progress() >= 1:
                break
            lr = args.lr * lr_factor(progress(), args.warmup_frac)
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
            save_frame(due=False)
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
        return state
    row = {"step": state["step"], "epoch": f"{state['images'] / len(train_x):.3f}",
           "elapsed_min": f"{state['elapsed'] / 60:.2f}", "images": state["images"], "lr": "0"}
    row.update(evaluation_row())
    log(row)
    save_frame()
    save_checkpoint()
    print("done", row, flush=True)
    return state
