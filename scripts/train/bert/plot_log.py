"""Draw the training curves of one or more consecutive training phases into
public/models/mini-bert/ with PIL (matplotlib is not installed here), and write their log next to
it as one CSV with a `phase` column; each later phase's clock continues where the previous stopped.

Left panel: MLM loss (training batches, held-out eval at each checkpoint). Right panel: NSP
accuracy (same). x axis: wall-clock minutes of training.

Usage: /usr/bin/python3 -m scripts.train.bert.plot_log [LOG.csv ...]   (default: work/run/train_log.csv)
"""

import csv
import os
import sys

from PIL import Image, ImageDraw, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
LOG = os.path.join(HERE, "work", "run", "train_log.csv")
OUT = os.path.join(HERE, "..", "..", "..", "public", "models", "mini-bert")

W, H = 520, 360
MARGIN = dict(left=58, right=16, top=34, bottom=44)
TRAIN_COLOR, HELDOUT_COLOR, AXIS_COLOR = (70, 110, 200), (220, 90, 40), (60, 60, 60)


def panel(draw, x0, title, series, y_range, font, legend_top=True):
    """One chart at horizontal offset x0; series = [(label, color, [(x, y)...], draw_points)]. The legend
    goes in the corner the curves leave empty: top right for a falling loss, bottom right for a rising accuracy."""
    left, right = x0 + MARGIN["left"], x0 + W - MARGIN["right"]
    top, bottom = MARGIN["top"], H - MARGIN["bottom"]
    x_max = max(x for _, _, pts, _ in series for x, _ in pts)
    y_min, y_max = y_range
    sx = lambda x: left + (right - left) * x / x_max
    sy = lambda y: bottom - (bottom - top) * (y - y_min) / (y_max - y_min)
    draw.rectangle([left, top, right, bottom], outline=AXIS_COLOR)
    draw.text((left, 10), title, fill=(0, 0, 0), font=font)
    for i in range(6):
        y = y_min + (y_max - y_min) * i / 5
        draw.line([left - 4, sy(y), left, sy(y)], fill=AXIS_COLOR)
        draw.text((x0 + 8, sy(y) - 6), f"{y:.2f}", fill=AXIS_COLOR, font=font)
    for i in range(6):
        x = x_max * i / 5
        draw.line([sx(x), bottom, sx(x), bottom + 4], fill=AXIS_COLOR)
        draw.text((sx(x) - 8, bottom + 8), f"{x:.3g}", fill=AXIS_COLOR, font=font)
    draw.text(((left + right) // 2 - 50, H - 16), "training minutes", fill=AXIS_COLOR, font=font)
    for k, (label, color, pts, points) in enumerate(series):
        clipped = [(sx(x), sy(min(max(y, y_min), y_max))) for x, y in pts]
        draw.line(clipped, fill=color, width=2)
        if points:
            for px, py in clipped:
                draw.ellipse([px - 3, py - 3, px + 3, py + 3], fill=color)
        legend_y = top + 8 + 14 * k if legend_top else bottom - 8 - 14 * (len(series) - k)
        draw.text((right - 150, legend_y), label, fill=color, font=font)


def read_phases(paths):
    rows, offset = [], 0.0
    for phase, path in enumerate(paths, 1):
        with open(path) as f:
            part = list(csv.DictReader(f))
        for r in part:
            r["elapsed_s"] = f"{float(r['elapsed_s']) + offset:.1f}"
            r["phase"] = str(phase)
        offset = float(part[-1]["elapsed_s"])
        rows += part
    return rows


def main():
    rows = read_phases(sys.argv[1:] or [LOG])
    minutes = lambda r: float(r["elapsed_s"]) / 60
    train = lambda key: [(minutes(r), float(r[key])) for r in rows]
    heldout = lambda key: [(minutes(r), float(r[key])) for r in rows if r[key]]
    mlm_train, mlm_heldout = train("mlm_loss"), heldout("heldout_mlm_loss")
    low = min(y for _, y in mlm_train + mlm_heldout)
    font = ImageFont.load_default()
    image = Image.new("RGB", (2 * W, H), "white")
    draw = ImageDraw.Draw(image)
    panel(draw, 0, "MLM cross-entropy", [("train batches", TRAIN_COLOR, mlm_train, False),
                                         ("held-out", HELDOUT_COLOR, mlm_heldout, True)], (max(0.0, low - 0.5), 9.5), font)
    panel(draw, W, "NSP accuracy", [("train batches", TRAIN_COLOR, train("nsp_acc"), False),
                                    ("held-out", HELDOUT_COLOR, heldout("heldout_nsp_acc"), True)], (0.4, 1.0), font,
          legend_top=False)
    os.makedirs(OUT, exist_ok=True)
    image.save(os.path.join(OUT, "train_curves.png"), optimize=True)
    with open(os.path.join(OUT, "train_log.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["phase"] + [k for k in rows[0] if k != "phase"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} log rows -> {os.path.normpath(os.path.join(OUT, 'train_curves.png'))}")


if __name__ == "__main__":
    main()
