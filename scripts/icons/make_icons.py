"""Draws the app icon: a 4x4 attention map (one row per query token, each row a softmax, darker =
more attention) on the app's accent blue. Writes public/favicon.svg and the PNG sizes a web app
manifest needs (public/icon-192.png, public/icon-512.png, public/apple-touch-icon.png), drawn from
the same geometry so they match. Run from the repository root: /usr/bin/python3 scripts/icons/make_icons.py
"""

from PIL import Image, ImageDraw

BACKGROUND = "#0f5fa8"
# Attention weights of the picture: a diagonal with some spread, each row summing to 1.
WEIGHTS = [
    [0.70, 0.20, 0.05, 0.05],
    [0.25, 0.55, 0.15, 0.05],
    [0.05, 0.20, 0.60, 0.15],
    [0.10, 0.05, 0.25, 0.60],
]
SIZE = 64  # SVG user units
MARGIN, GAP = 10, 3
CELL = (SIZE - 2 * MARGIN - 3 * GAP) / 4


def cell_colour(w: float) -> str:
    """White (no attention) to a warm yellow (all of it), readable on the blue background."""
    t = min(1.0, w / 0.7)
    low, high = (255, 255, 255), (255, 196, 0)
    r, g, b = (round(lo + (hi - lo) * t) for lo, hi in zip(low, high))
    return f"#{r:02x}{g:02x}{b:02x}"


def cells():
    for i, row in enumerate(WEIGHTS):
        for j, w in enumerate(row):
            yield MARGIN + j * (CELL + GAP), MARGIN + i * (CELL + GAP), cell_colour(w)


def svg() -> str:
    rects = "".join(f'<rect x="{x:.2f}" y="{y:.2f}" width="{CELL:.2f}" height="{CELL:.2f}" rx="2" fill="{c}"/>' for x, y, c in cells())
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">'
        f'<rect width="{SIZE}" height="{SIZE}" rx="12" fill="{BACKGROUND}"/>{rects}</svg>\n'
    )


def png(pixels: int, rounded: bool = True) -> Image.Image:
    scale = pixels / SIZE
    image = Image.new("RGBA", (pixels, pixels), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, pixels - 1, pixels - 1), radius=12 * scale if rounded else 0, fill=BACKGROUND)
    for x, y, c in cells():
        draw.rounded_rectangle((x * scale, y * scale, (x + CELL) * scale, (y + CELL) * scale), radius=2 * scale, fill=c)
    return image


if __name__ == "__main__":
    with open("public/favicon.svg", "w") as f:
        f.write(svg())
    png(192).save("public/icon-192.png", optimize=True)
    png(512).save("public/icon-512.png", optimize=True)
    # iOS rounds the corners itself and shows transparency as black.
    png(180, rounded=False).save("public/apple-touch-icon.png", optimize=True)
