"""The model card's figures, drawn with PIL (Debian's Python has no matplotlib here)."""

import numpy as np
from PIL import Image, ImageDraw, ImageFont

# Five stops of matplotlib's viridis, linearly interpolated.
VIRIDIS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], np.float64)
FONT = ImageFont.load_default()
BLUE, ORANGE, GREEN = (31, 119, 180), (255, 127, 14), (44, 160, 44)


def viridis(t):
    t = float(np.clip(t, 0, 1)) * (len(VIRIDIS) - 1)
    i = min(int(t), len(VIRIDIS) - 2)
    return tuple(int(round(c)) for c in VIRIDIS[i] + (t - i) * (VIRIDIS[i + 1] - VIRIDIS[i]))


def similarity_grid(sims, rows, cols, cell=9, gap=5, vmin=-1.0, vmax=1.0):
    """ViT paper Figure 7 (left): tile (r, c) shows the cosine similarity of position (r, c) to every position."""
    tile_w, tile_h = cols * cell, rows * cell
    margin, bar_w = 24, 14
    width = margin + cols * (tile_w + gap) + 30 + bar_w + 40
    height = margin + rows * (tile_h + gap) + 24
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    for p in range(rows * cols):
        r, c = divmod(p, cols)
        x0, y0 = margin + c * (tile_w + gap), margin + r * (tile_h + gap)
        for q in range(rows * cols):
            qr, qc = divmod(q, cols)
            color = viridis((sims[p, q] - vmin) / (vmax - vmin))
            draw.rectangle([x0 + qc * cell, y0 + qr * cell, x0 + (qc + 1) * cell - 1, y0 + (qr + 1) * cell - 1], fill=color)
    for i in range(rows):
        draw.text((4, margin + i * (tile_h + gap) + tile_h // 2 - 5), str(i + 1), fill="black", font=FONT)
    for j in range(cols):
        draw.text((margin + j * (tile_w + gap) + tile_w // 2 - 3, 6), str(j + 1), fill="black", font=FONT)
    draw.text((margin, height - 16), "input patch row (left) / column (top); tiles: cosine similarity of position embeddings",
              fill="black", font=FONT)
    bx, by0, by1 = margin + cols * (tile_w + gap) + 20, margin, margin + rows * (tile_h + gap) - gap
    for y in range(by0, by1 + 1):
        draw.line([bx, y, bx + bar_w, y], fill=viridis((by1 - y) / (by1 - by0)))
    for value, y in ((vmax, by0), ((vmin + vmax) / 2, (by0 + by1) // 2), (vmin, by1)):
        draw.text((bx + bar_w + 4, y - 5), f"{value:g}", fill="black", font=FONT)
    return img


def panel(draw, box, title, series, y_range=None, x_label="epoch", x_ticks=None):
    """One line chart in box (x0, y0, x1, y1); series: list of (label, color, xs, ys); x_ticks: [(x, label)]."""
    x0, y0, x1, y1 = box
    px0, py0, px1, py1 = x0 + 44, y0 + 18, x1 - 8, y1 - 30
    series = [s for s in series if len(s[2])]
    if not series:  # e.g. exported before the first evaluation
        draw.text((px0, y0 + 3), f"{title}: no data yet", fill="black", font=FONT)
        return
    all_x = np.concatenate([np.asarray(s[2], float) for s in series])
    all_y = np.concatenate([np.asarray(s[3], float) for s in series])
    xmin, xmax = (0.0, float(all_x.max())) if x_ticks is None else (x_ticks[0][0], x_ticks[-1][0])
    ymin, ymax = y_range or (float(all_y.min()), float(all_y.max()))
    if ymax == ymin:
        ymax = ymin + 1
    sx = lambda x: px0 + (x - xmin) / (xmax - xmin) * (px1 - px0)
    sy = lambda y: py1 - (min(max(y, ymin), ymax) - ymin) / (ymax - ymin) * (py1 - py0)  # clamped to the box
    draw.rectangle([px0, py0, px1, py1], outline="black")
    for k in range(5):
        v = ymin + k * (ymax - ymin) / 4
        draw.line([px0 - 3, sy(v), px0, sy(v)], fill="black")
        draw.line([px0 + 1, sy(v), px1 - 1, sy(v)], fill=(225, 225, 225))
        draw.text((x0 + 2, sy(v) - 5), f"{v:.3g}", fill="black", font=FONT)
    for v, text in x_ticks or [(xmin + k * (xmax - xmin) / 5, f"{xmin + k * (xmax - xmin) / 5:.1f}") for k in range(6)]:
        draw.line([sx(v), py1, sx(v), py1 + 3], fill="black")
        draw.text((sx(v) - 8, py1 + 5), text, fill="black", font=FONT)
    # The default font is 6 px per character.
    draw.text((px0 + (px1 - px0) // 2 - 3 * len(x_label) + 1, y1 - 14), x_label, fill="black", font=FONT)
    draw.text((px0, y0 + 3), title, fill="black", font=FONT)
    for i, (label, color, xs, ys) in enumerate(series):
        points = [(sx(x), sy(y)) for x, y in zip(xs, ys)]
        if len(points) > 1:
            draw.line(points, fill=color, width=2)
        for x, y in points if len(points) < 30 else []:
            draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=color)
        draw.text((px1 - 7 * len(label) - 6, py0 + 4 + 12 * i), label, fill=color, font=FONT)


def training_curves(log_rows):
    """Loss, accuracy and position-embedding structure against epochs, from train_log.csv rows."""
    def column(key, rows):
        return [float(r["epoch"]) for r in rows], [float(r[key]) for r in rows]
    train_rows = [r for r in log_rows if r["train_loss"]]
    eval_rows = [r for r in log_rows if r["test_acc"]]
    has_positions = bool(log_rows) and "pos_spearman" in log_rows[0]  # the ViT logs it, the CNN has no positions
    img = Image.new("RGB", (1080 if has_positions else 720, 300), "white")
    draw = ImageDraw.Draw(img)
    panel(draw, (0, 0, 360, 300), "loss (train: label-smoothed, augmented)",
           [("train", BLUE, *column("train_loss", train_rows)), ("test", ORANGE, *column("test_loss", eval_rows))])
    panel(draw, (360, 0, 720, 300), "top-1 accuracy",
           [("train (augmented)", BLUE, *column("train_acc", train_rows)), ("test (10k)", ORANGE, *column("test_acc", eval_rows))],
           y_range=(0.5, 1.0))
    if has_positions:
        panel(draw, (720, 0, 1080, 300), "position embeddings: Spearman(cos sim, grid dist)",
               [("mean of 49 positions", GREEN, *column("pos_spearman", eval_rows))], y_range=(-1.0, 0.0))
    return img


def data_size_sweep(sweeps, sizes):
    """Test accuracy against training-set size (log axis): one panel per compute budget, one line per architecture."""
    img = Image.new("RGB", (440 * len(sweeps), 340), "white")
    draw = ImageDraw.Draw(img)
    ticks = [(float(np.log10(s)), f"{s // 1000}k") for s in sizes]
    all_runs = [r for sweep in sweeps for runs in sweep["runs"].values() for r in runs]
    low = max(0.0, np.floor(min([r["test_accuracy"] for r in all_runs] or [0.5]) * 10) / 10)
    for k, sweep in enumerate(sweeps):
        series = [(name, color, [np.log10(r["train_size"]) for r in runs], [r["test_accuracy"] for r in runs])
                  for (name, runs), color in zip(sweep["runs"].items(), (ORANGE, BLUE))]
        panel(draw, (440 * k, 0, 440 * (k + 1), 340),
              f"test accuracy, every run {sweep['train_images_per_run']:,} training images",
              series, y_range=(low, 1.0), x_label="training-set size (log scale)", x_ticks=ticks)
    return img
