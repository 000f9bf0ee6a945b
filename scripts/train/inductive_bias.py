"""The numbers of the inductive-bias lab: what mini-ViT and mini-CNN cost in data and in compute.

Data: both architectures are trained from scratch on class-balanced subsets of 1k, 5k, 20k and 60k
Fashion-MNIST training images (fixed and nested: scripts/train/common/fashion_mnist.py,
balanced_subset with seed 0) and evaluated on the full 10k test set. Every run of one sweep,
whatever the subset size, trains on the same number of images (--sweep-images, i.e. the same number
of optimizer steps and the same compute) with the shipped models' recipe and augmentation, the
schedule stretched over that many images; a small subset is therefore seen for many epochs.
Differences between sizes are the data's doing, not the compute's. Sweeps at several budgets
can be run (each in work/sweep/<images>/); the report holds all of them.

Compute: parameters, multiply-accumulates per image (counted from the architecture here, and
cross-checked against PyTorch's profiler), and measured PyTorch CPU latency per image.

Locality, for the card (the app computes both itself): the shipped mini-CNN's receptive field per
layer (src/analysis/receptiveField.ts's recurrence) and the shipped mini-ViT's mean attention
distance per layer and head over the first 200 test images (src/analysis/attentionDistance.ts's
definition), both in input pixels.

Writes public/models/mini-cnn/inductive_bias.json and data_size_sweep.png. Runs are resumable: a
finished run leaves work/sweep/<images>/<arch>-<size>/result.json and is skipped, an interrupted one
resumes from its checkpoint. (Runs finished before budgets had folders, in work/sweep/<arch>-<size>,
count for the budget they trained on.) Several single-thread processes can share the work (--arch, --sizes), then --report:

    /usr/bin/python3 -m scripts.train.inductive_bias --arch cnn &
    /usr/bin/python3 -m scripts.train.inductive_bias --arch vit --sizes 1000,5000 &
    /usr/bin/python3 -m scripts.train.inductive_bias --arch vit --sizes 20000,60000
    /usr/bin/python3 -m scripts.train.inductive_bias --report
"""

import argparse
import json
import os
import platform
import statistics
import time

import numpy as np
import torch
from torch.profiler import profile

HERE = os.path.dirname(os.path.abspath(__file__))
from scripts.train.cnn import train as cnn_train
from scripts.train.common.export import write_json
from scripts.train.common.fashion_mnist import balanced_subset, load_split, preprocess
from scripts.train.common.plots import data_size_sweep
from scripts.train.common.safetensors_io import read_safetensors
from scripts.train.vit import train as vit_train

TRAINERS = {"vit": vit_train, "cnn": cnn_train}
NAMES = {"vit": "mini-vit", "cnn": "mini-cnn"}
SIZES = [1000, 5000, 20000, 60000]
SUBSET_SEED = 0


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", choices=["vit", "cnn", "both"], default="both", help="which sweep runs to do")
    p.add_argument("--sizes", default=",".join(map(str, SIZES)), help="which subset sizes to train (comma-separated)")
    p.add_argument("--report", action="store_true", help="only measure the costs and write the results of finished runs")
    p.add_argument("--sweep-images", type=int, default=20480, help="training images per run, every size alike")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--work", default=os.path.join(HERE, "work", "sweep"))
    p.add_argument("--out-dir", default="public/models/mini-cnn")
    p.add_argument("--latency-runs", type=int, default=200)
    return p.parse_args()


def run_dir(args, arch, size):
    return os.path.join(args.work, str(args.sweep_images), f"{arch}-{size}")


def finished_runs(work):
    """{(budget, arch name, size): result} of every finished run under work: work/<budget>/<arch>-<size>, and the flat
    work/<arch>-<size> of sweeps run before each budget had its folder, whose budget is the images they trained on."""
    found = {}
    budgets = [b for b in os.listdir(work) if b.isdigit()] if os.path.isdir(work) else []
    for folder in [work] + [os.path.join(work, b) for b in budgets]:
        for arch in TRAINERS:
            for size in SIZES:
                path = os.path.join(folder, f"{arch}-{size}", "result.json")
                if not os.path.exists(path):
                    continue
                with open(path) as f:
                    result = json.load(f)
                budget = int(os.path.basename(folder)) if folder != work else result["train_images_seen"]
                key = (budget, NAMES[arch], size)
                if key in found:
                    raise SystemExit(f"two finished runs of {key[1]} on {size} images at budget {budget}: {found[key][0]} and {path}")
                found[key] = (path, result)
    return {key: result for key, (_, result) in found.items()}


def sweep_run(args, arch, size, train_data, test_data):
    """Train one architecture on one subset (or resume it); returns its result dict."""
    done = finished_runs(args.work).get((args.sweep_images, NAMES[arch], size))
    if done:
        return done
    out = run_dir(args, arch, size)
    result_path = os.path.join(out, "result.json")
    trainer = TRAINERS[arch]
    # The shipped recipe (each trainer's defaults), on an image budget, evaluated only at the end.
    run_args = trainer.parse_args(["--train-images", str(args.sweep_images), "--out", out, "--threads", str(args.threads),
                                   "--eval-minutes", "1e9", "--checkpoint-minutes", "5", "--log-every", "10"])
    idx = balanced_subset(train_data[1], size, SUBSET_SEED)
    model, state = trainer.run(run_args, (train_data[0][idx], train_data[1][idx]), test_data)
    with open(os.path.join(out, "train_log.csv")) as f:
        last = f.read().strip().splitlines()[-1].split(",")
    result = {"arch": NAMES[arch], "train_size": size, "train_images_seen": state["images"], "steps": state["step"],
              "epochs": round(state["images"] / size, 2), "test_loss": float(last[7]), "test_accuracy": float(last[8]),
              "train_minutes": round(state["elapsed"] / 60, 1)}
    write_json(result_path, result)
    return result


def vit_macs(c):
    """Multiply-accumulates of one mini-ViT forward, counted from its config (matrix products and the patch conv only)."""
    patches = (c.image_size // c.patch_size) ** 2
    tokens, d, inter = patches + 1, c.hidden_size, c.intermediate_size
    per_layer = {"qkv_and_output_projections": 4 * tokens * d * d, "attention_scores_and_context": 2 * tokens * tokens * d,
                 "mlp": 2 * tokens * d * inter}
    return {"patch_embedding": patches * c.num_channels * c.patch_size ** 2 * d,
            **{k: v * c.num_hidden_layers for k, v in per_layer.items()},
            "classifier": d * c.num_labels}


def cnn_macs(c):
    """Multiply-accumulates of one mini-CNN forward, per layer, counted from its config (convolutions and classifier)."""
    macs, channels, size = {}, c.num_channels, c.image_size
    for i, layer in enumerate(c.layers):
        size = (size + 2 * layer["padding"] - layer["kernel_size"]) // layer["stride"] + 1
        if layer["type"] == "conv":
            macs[f"layers.{i}"] = size * size * layer["out_channels"] * channels * layer["kernel_size"] ** 2
            channels = layer["out_channels"]
    macs["classifier"] = channels * c.num_labels
    return macs


def profiled_flops(model, x):
    """FLOPs PyTorch's profiler attributes to conv2d / mm / addmm / bmm for one forward (2 per multiply-accumulate)."""
    with torch.no_grad(), profile(with_flops=True) as prof:
        model(x)
    return sum(e.flops for e in prof.key_averages() if e.flops)


@torch.no_grad()
def latency_ms(model, x, runs):
    """Median and best wall-clock ms of one forward of x (warm), on the current torch thread count."""
    for _ in range(10):
        model(x)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        model(x)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), min(times)


def measure_costs(args):
    """Parameters, MACs (counted and profiled) and CPU latency of both shipped architectures (random weights: cost only)."""
    torch.set_num_threads(1)
    test_x, _ = load_split("t10k")
    one, batch = preprocess(test_x[:1]), preprocess(test_x[:256]).contiguous()
    costs = {}
    for arch, trainer in TRAINERS.items():
        model, _, config = trainer.build(trainer.parse_args([]))
        model.eval()
        macs = vit_macs(config) if arch == "vit" else cnn_macs(config)
        counted = sum(macs.values())
        profiled = profiled_flops(model, one)
        if abs(profiled - 2 * counted) > 0.001 * profiled:
            raise AssertionError(f"{arch}: counted {2 * counted} FLOPs, profiler {profiled}")
        median_1, best_1 = latency_ms(model, one, args.latency_runs)
        median_b, best_b = latency_ms(model, batch, max(3, args.latency_runs // 40))
        costs[NAMES[arch]] = {
            "parameters": sum(p.numel() for p in model.parameters()),
            "macs_per_image": counted,
            "flops_per_image": 2 * counted,
            "flops_per_image_profiler": profiled,
            "macs_by_part": macs,
            "latency_ms_batch1_median": round(median_1, 3),
            "latency_ms_batch1_best": round(best_1, 3),
            "latency_ms_per_image_batch256_median": round(median_b / 256, 4),
            "latency_ms_per_image_batch256_best": round(best_b / 256, 4),
        }
        print(NAMES[arch], {k: v for k, v in costs[NAMES[arch]].items() if k != "macs_by_part"}, flush=True)
    return costs


def cnn_receptive_fields(c):
    """Per layer: receptive field size, jump and the mean distance from a unit's centre to the image pixels of its
    window, averaged over the layer's units (the attention distance of a head attending uniformly over the window)."""
    size, jump, start, grid, out = 1, 1, 0.0, c.image_size, []
    pixels = np.arange(c.image_size)
    for i, layer in enumerate(c.layers):
        k, s, p = layer["kernel_size"], layer["stride"], layer["padding"]
        start += ((k - 1) / 2 - p) * jump
        size += (k - 1) * jump
        jump *= s
        grid = (grid + 2 * p - k) // s + 1
        centres = start + jump * np.arange(grid)
        # Offsets of the window's image pixels from each centre along one axis (NaN outside the window).
        offsets = pixels[None, :] - centres[:, None]
        offsets = np.where(np.abs(offsets) <= (size - 1) / 2, offsets, np.nan)
        dist = np.hypot(offsets[:, None, :, None], offsets[None, :, None, :])  # [gy, gx, y, x]
        out.append({"layer": i, "type": layer["type"], "receptive_field": size, "jump": jump,
                    "mean_distance_px": round(float(np.nanmean(dist, axis=(2, 3)).mean()), 3)})
    return out


@torch.no_grad()
def vit_attention_distance(model_dir, images):
    """Mean attention distance in pixels of the shipped mini-ViT, [layer][head], averaged over `images`:
    patch-to-patch attention with [CLS] removed and rows renormalised, weighted patch-centre distance."""
    config = vit_train.ViTConfig(**{k: v for k, v in json.load(open(os.path.join(model_dir, "config.json"))).items()
                                    if k in vit_train.ViTConfig.__dataclass_fields__})
    model = vit_train.ViTForImageClassification(config).eval()
    model.load_state_dict(read_safetensors(os.path.join(model_dir, "model.safetensors")))
    _, attentions = model(preprocess(images), output_attentions=True)
    side = config.image_size // config.patch_size
    rows, cols = np.divmod(np.arange(side * side), side)
    dist = torch.from_numpy(np.hypot(rows[:, None] - rows[None, :], cols[:, None] - cols[None, :]) * config.patch_size)
    out = []
    for probs in attentions:  # [B, heads, 1 + N, 1 + N]
        patches = probs[:, :, 1:, 1:].double()
        patches = patches / patches.sum(-1, keepdim=True)
        out.append([round(v, 3) for v in (patches * dist).sum(-1).mean(dim=(0, 2)).tolist()])
    return out


def report(args):
    runs = finished_runs(args.work)
    sweeps = []
    for budget in sorted({b for b, _, _ in runs}):
        results = {name: [runs[budget, name, size] for size in SIZES if (budget, name, size) in runs] for name in NAMES.values()}
        sweeps.append({"train_images_per_run": budget, "steps_per_run": budget // 128,
                       "epochs_per_run": {str(s): round(budget / s, 2) for s in SIZES}, "runs": results})
    costs = measure_costs(args)
    cnn_config = cnn_train.build(cnn_train.parse_args([]))[2]
    vit_distance = vit_attention_distance("public/models/mini-vit", load_split("t10k")[0][:200])
    summary = {
        "description": "mini-ViT vs mini-CNN on Fashion-MNIST: test accuracy against training-set size at equal "
                       "compute, and the cost of one forward pass. Written by scripts/train/inductive_bias.py.",
        "data_size_sweep": {
            "rule": "within one sweep every run trains on the same number of images (train_images_per_run: the same "
                    "number of optimizer steps at batch 128, so the same compute for every subset size), as repeated "
                    "epochs of its subset in a new order each, with the shipped models' recipe (AdamW 1e-3, warmup "
                    "5 %, cosine to zero over the run, label smoothing 0.1, +-4 px shifts and flips, seed 0); test "
                    "accuracy on all 10,000 test images. The sweeps differ only in that budget.",
            "subsets": f"class-balanced (size/10 per class), nested, fixed by seed {SUBSET_SEED} "
                       "(common/fashion_mnist.py balanced_subset)",
            "sizes": SIZES,
            "sweeps": sweeps,
        },
        "cost": {
            "note": "MACs: multiply-accumulates of the convolutions and matrix products of one 28x28 image (normalisation, "
                    "softmax, activations and pooling not counted); FLOPs = 2 x MACs, equal to what torch.profiler "
                    "reports. Latency: PyTorch " + torch.__version__ + " on the CPU, 1 thread, eval mode, warm; "
                    "the development machine is shared, so the best time is the closest to the unloaded cost.",
            "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared), {platform.processor() or 'cpu'}",
            "models": costs,
        },
        "locality": {
            "note": "Both in input pixels. mini-cnn: receptive field per layer (size = width of the square window, "
                    "jump = pixels between neighbouring units) and mean distance from a unit's centre to the image "
                    "pixels of its window, i.e. the attention distance of a head attending uniformly over it. "
                    "mini-vit: mean attention distance of the shipped model per layer and head (patch-to-patch "
                    "attention without [CLS], rows renormalised), averaged over the first 200 test images.",
            "mini-cnn": cnn_receptive_fields(cnn_config),
            "mini-vit": {"mean_attention_distance_px_by_layer_and_head": vit_distance,
                         "mean_attention_distance_px_by_layer": [round(sum(h) / len(h), 3) for h in vit_distance]},
        },
    }
    write_json(os.path.join(args.out_dir, "inductive_bias.json"), summary)
    data_size_sweep(sweeps, SIZES).save(os.path.join(args.out_dir, "data_size_sweep.png"))
    for sweep in sweeps:
        for name, runs in sweep["runs"].items():
            print(sweep["train_images_per_run"], name, [(r["train_size"], r["test_accuracy"]) for r in runs])


def main():
    args = parse_args()
    if not args.report:
        train_data, test_data = load_split("train"), load_split("t10k")
        for arch in (["vit", "cnn"] if args.arch == "both" else [args.arch]):
            for size in map(int, args.sizes.split(",")):
                print("result", sweep_run(args, arch, size, train_data, test_data), flush=True)
    if args.report or args.arch == "both":
        report(args)


if __name__ == "__main__":
    main()
