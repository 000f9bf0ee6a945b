"""Turn the weight frames of a mini-ViT training run into the position-embedding timeline the app ships.

The run is scripts/train/vit/train.py with --frames (weights saved at the initialisation, at the end
and at log-spaced points of the schedule in between). For every frame this measures the 2-D
structure of the position embeddings (pos_structure.py's Spearman, on the float16 values that ship)
and the test accuracy, then writes into public/models/mini-vit/:

  position_timeline.safetensors  "position_embeddings": F16 [T, 1 + 49, hidden], frame t = row t of the
                                 index below; row 0 of each frame is the [CLS] position
  position_timeline.json         one entry per frame: step, images seen, epoch, minutes, learning rate,
                                 test accuracy, Spearman; and how the run was made
  position_timeline.png          Figure-7 grids at a few frames, and the Spearman and accuracy curves

Test accuracy per frame is measured on the first --test-images test images (200, as in the
held-out fixture: evaluating 10,000 images at every frame would cost several times the run on the
shared CPU here); the last frame also carries the accuracy on all 10,000, from the run's final
evaluation. Frame evaluations are cached next to the
frames, so the script can be stopped and rerun.

    /usr/bin/python3 -m scripts.train.vit.timeline --run scripts/train/vit/work/timeline
"""

import argparse
import csv
import glob
import json
import os

import numpy as np
import torch
from PIL import Image, ImageDraw

from scripts.train.common.export import write_json
from scripts.train.common.fashion_mnist import load_split
from scripts.train.common.loop import evaluate
from scripts.train.common.plots import FONT, GREEN, ORANGE, panel, similarity_grid
from scripts.train.common.safetensors_io import write_safetensors
from scripts.train.vit.modeling_vit import ViTConfig, ViTForImageClassification
from scripts.train.vit.pos_structure import cosine_similarity_matrix, position_embedding_structure

POS = "vit.embeddings.position_embeddings"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", default="scripts/train/vit/work/timeline", help="train.py --out folder of a --frames run")
    p.add_argument("--model-dir", default="public/models/mini-vit")
    p.add_argument("--test-images", type=int, default=200,
                   help="first N test images for each frame's accuracy (the held-out fixture's 200 by default)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--snapshots", type=int, default=6, help="frames drawn as similarity grids in the figure")
    return p.parse_args()


def frame_record(path, model, test_x, test_y, grid):
    """Numbers of one frame (cached in <frame>.json): where it is in the run, accuracy and position structure."""
    cache = path[:-3] + ".json"
    if os.path.exists(cache) and os.path.getmtime(cache) >= os.path.getmtime(path):
        with open(cache) as f:
            record = json.load(f)
        if record.get("test_images") == len(test_y):
            return record
    frame = torch.load(path)
    model.load_state_dict(frame["model"])
    loss, accuracy = evaluate(model, test_x, test_y)
    # The structure of what ships: float16 embeddings widened back.
    pos = frame["model"][POS][0].half().float().numpy()
    state = frame["state"]
    record = {"step": state["step"], "images": state["images"], "epoch": round(state["images"] / 60000, 4),
              "minutes": round(state["elapsed"] / 60, 2), "test_images": len(test_y), "test_accuracy": round(accuracy, 4),
              "test_loss": round(loss, 4), "spearman": round(position_embedding_structure(pos, grid, grid), 4)}
    write_json(cache, record)
    return record


def figure(records, positions, grid, snapshots):
    """Similarity grids at `snapshots` frames spread over the run, above the Spearman and accuracy curves."""
    picks = sorted({round(i * (len(records) - 1) / (snapshots - 1)) for i in range(snapshots)})
    # Each tile without its caption; all but the last also without the colour bar (one scale for all).
    tiles = [similarity_grid(cosine_similarity_matrix(positions[i][1:]), grid, grid, cell=5, gap=3) for i in picks]
    tiles = [t.crop((0, 0, t.width if k == len(tiles) - 1 else t.width - 84, t.height - 20)) for k, t in enumerate(tiles)]
    width = tiles[0].width
    img = Image.new("RGB", (width * (len(tiles) - 1) + tiles[-1].width, tiles[0].height + 36 + 300), "white")
    draw = ImageDraw.Draw(img)
    for k, (i, tile) in enumerate(zip(picks, tiles)):
        img.paste(tile, (k * width, 16))
        r = records[i]
        draw.text((k * width + 24, 2), f"step {r['step']}: Spearman {r['spearman']:+.2f}", fill="black", font=FONT)
    draw.text((24, tiles[0].height + 18), "ViT Figure 7 (left) at each step: tile (r, c) = cosine similarity of the "
              "position embedding of patch (r, c) to those of all 49 patches", fill="black", font=FONT)
    steps = [np.log10(r["step"] + 1) for r in records]
    last = steps[-1]
    ticks = [(float(np.log10(s + 1)), str(s)) for s in (0, 10, 100, 1000, 10000, 100000) if np.log10(s + 1) <= last]
    top = tiles[0].height + 36
    panel(draw, (0, top, img.width // 2, top + 300), "position embeddings: Spearman(cos sim, grid distance)",
           [("mean of 49 positions", GREEN, steps, [r["spearman"] for r in records])], y_range=(-1.0, 0.2),
           x_label="training step (log scale, step+1)", x_ticks=ticks + [(last, "")])
    panel(draw, (img.width // 2, top, img.width, top + 300), f"test accuracy (first {records[0]['test_images']} test images)",
           [("test", ORANGE, steps, [r["test_accuracy"] for r in records])], y_range=(0.0, 1.0),
           x_label="training step (log scale, step+1)", x_ticks=ticks + [(last, "")])
    return img


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    ckpt = torch.load(os.path.join(args.run, "checkpoint.pt"))
    config = ViTConfig(**ckpt["config"])
    grid = config.image_size // config.patch_size
    model = ViTForImageClassification(config)
    test_x, test_y = load_split("t10k")
    paths = sorted(glob.glob(os.path.join(args.run, "frames", "step_*.pt")))
    records, positions = [], []
    for path in paths:
        records.append(frame_record(path, model, test_x[:args.test_images], test_y[:args.test_images], grid))
        positions.append(torch.load(path)["model"][POS][0].half())
        print(records[-1], flush=True)
    with open(os.path.join(args.run, "train_log.csv")) as f:
        final = list(csv.DictReader(f))[-1]
    if int(final["step"]) != records[-1]["step"]:
        raise SystemExit(f"the run has not finished: last frame at step {records[-1]['step']}, log at {final['step']}")
    records[-1]["test_accuracy_10k"] = float(final["test_acc"])

    write_safetensors({"position_embeddings": torch.stack(positions)},
                      os.path.join(args.model_dir, "position_timeline.safetensors"), dtype="F16")
    run_args = ckpt["args"]
    write_json(os.path.join(args.model_dir, "position_timeline.json"), {
        "description": "Position embeddings of mini-ViT's architecture and recipe retrained from random initialisation, "
                       "saved at log-spaced points of the run (scripts/train/vit/train.py --frames, then "
                       "scripts/train/vit/timeline.py). Frame t is position_timeline.safetensors "
                       "position_embeddings[t] ([1 + 49, hidden], row 0 = [CLS], float16).",
        "spearman": "pos_structure.py / src/analysis/positionStructure.ts: mean over the 49 positions of the Spearman "
                    "correlation between cosine similarity and grid distance, on the float16 values of the file",
        "test_accuracy": f"on the first {args.test_images} of the 10,000 test images (test_images); the last frame "
                         "also has test_accuracy_10k, on all of them",
        "run": {k: run_args[k] for k in ("minutes", "train_images", "batch_size", "lr", "pos_lr_mult", "weight_decay",
                                         "warmup_frac", "label_smoothing", "max_shift", "seed", "threads", "frames")},
        "grid": [grid, grid],
        "frames": records,
    })
    figure(records, [p.float().numpy() for p in positions], grid, args.snapshots).save(
        os.path.join(args.model_dir, "position_timeline.png"))
    print(f"{len(records)} frames; Spearman {records[0]['spearman']} -> {records[-1]['spearman']}")


if __name__ == "__main__":
    main()
