"""Test images and Pillow/HF reference results for tests/image/*.test.ts.

Run with Debian's Python (Pillow + numpy): /usr/bin/python3 -m scripts.reference.make_image_fixtures
Needs Debian's libjpeg-turbo-progs (cjpeg, jpegtran) for the JPEGs Pillow cannot write.

Writes into tests/fixtures/images/:
  *.png, *.jpg       the test images (some PNGs written by Pillow, some by the small encoder below,
                     which covers what Pillow cannot write: 16-bit colour, Adam7, every filter type)
  expected.json      manifest: per image the decoded-pixel reference, per case the config and the
                     references, each as {offset, length, dtype, shape} into expected.bin
  expected.bin       the raw little-endian arrays

The preprocessing reference is HF ViTImageProcessor's / DeiTImageProcessor's with Pillow, reproduced
step by step (no transformers package needed):
Image.open -> convert('RGB' | 'L') -> Image.resize((w, h), resample) -> np.array
-> DeiT only: center crop, zero-padding first where the crop is larger (transformers' center_crop)
-> astype(float64) * rescale_factor -> astype(float32) (transformers' rescale)
-> (x - float32(mean)) / float32(std) in float32, channels last (transformers' normalize)
-> transpose to channels first.
"""

import hashlib
import io
import json
import math
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, features

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "images"
RNG = np.random.default_rng(20240611)

blobs = bytearray()


def add_array(a: np.ndarray) -> dict:
    """Append an array to expected.bin and return its manifest entry."""
    dtype = {np.dtype(np.uint8): "u8", np.dtype(np.float32): "f32"}[a.dtype]
    offset = len(blobs)
    raw = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes()
    blobs.extend(raw)
    blobs.extend(b"\0" * (-len(blobs) % 4))  # keep every float32 array 4-byte aligned
    return {"offset": offset, "length": len(raw), "dtype": dtype, "shape": list(a.shape)}


# ---------------------------------------------------------------- a small PNG encoder


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _filter_row(ftype: int, row: bytes, prev: bytes, bpp: int) -> bytes:
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, _paeth(a, b, c)][ftype]
        out[i] = (x - pred) & 0xFF
    return bytes([ftype]) + bytes(out)


def _pack_rows(samples: np.ndarray, depth: int) -> list:
    """samples [h, w, channels] of ints -> list of raw scanlines (big-endian, bit-packed below 8)."""
    h, w, ch = samples.shape
    rows = []
    for y in range(h):
        flat = samples[y].reshape(-1)
        if depth == 16:
            rows.append(flat.astype(">u2").tobytes())
        elif depth == 8:
            rows.append(flat.astype(np.uint8).tobytes())
        else:
            bits = np.unpackbits(flat.astype(np.uint8)[:, None], axis=1)[:, 8 - depth:].reshape(-1)
            rows.append(np.packbits(bits).tobytes())
    return rows


def _chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def encode_png(samples, depth, color_type, interlace=False, palette=None, trns=None) -> bytes:
    """PNG with rows cycling through all five filter types (so the decoder's unfiltering is covered)."""
    h, w, ch = samples.shape
    bpp = max(1, ch * depth // 8)
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    images = [samples[ys::dy, xs::dx] for xs, ys, dx, dy in passes] if interlace else [samples]
    raw = bytearray()
    n = 0
    for sub in images:
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        rows = _pack_rows(sub, depth)
        prev = bytes(len(rows[0]))
        for row in rows:
            raw += _filter_row(n % 5, row, prev, bpp)
            prev = row
            n += 1
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 1 if interlace else 0)
    png = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
    if palette is not None:
        png += _chunk(b"PLTE", palette.astype(np.uint8).tobytes())
    if trns is not None:
        png += _chunk(b"tRNS", trns)
    return png + _chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + _chunk(b"IEND", b"")


# ---------------------------------------------------------------- test images


def photo_like(w: int, h: int) -> np.ndarray:
    """Smooth gradients, hard edges, a thin-line grating and mild noise: the mix that shows resampling differences."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 128 + 100 * np.sin(x / w * 5.0) * np.cos(y / h * 3.0)
    g = 255 * (x + y) / (w + h)
    b = 200 * np.exp(-(((x - 0.6 * w) ** 2 + (y - 0.4 * h) ** 2) / (0.08 * w * h)))
    img = np.stack([r, g, b], axis=-1)
    disk = (x - 0.3 * w) ** 2 + (y - 0.6 * h) ** 2 < (0.18 * h) ** 2
    img[disk] = [250, 240, 20]
    img[int(0.1 * h):int(0.3 * h), int(0.75 * w):int(0.9 * w)] = [10, 10, 10]
    grating = (x > 0.05 * w) & (x < 0.25 * w) & (y < 0.25 * h) & (x.astype(int) % 3 == 0)
    img[grating] = [255, 255, 255]
    img += RNG.normal(0, 6, img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def random_image(w: int, h: int, ch: int) -> np.ndarray:
    return RNG.integers(0, 256, (h, w, ch), dtype=np.uint8)


images = {}  # name -> bytes


def save_pil(name: str, im: Image.Image, **params) -> None:
    buf = io.BytesIO()
    im.save(buf, format="PNG" if name.endswith(".png") else "JPEG", **params)
    images[name] = buf.getvalue()


photo = photo_like(320, 240)
save_pil("photo_320x240.png", Image.fromarray(photo, "RGB"))
save_pil("rgb_37x29.png", Image.fromarray(random_image(37, 29, 3), "RGB"))
save_pil("tiny_7x5.png", Image.fromarray(random_image(7, 5, 3), "RGB"))
rgba = random_image(40, 30, 4)
rgba[:, :8, 3] = 0  # fully transparent strip with non-zero colour underneath: convert('RGB') keeps it
rgba[:, 8:16, 3] = 255
save_pil("rgba_40x30.png", Image.fromarray(rgba, "RGBA"))
save_pil("grey_33x21.png", Image.fromarray(random_image(33, 21, 1)[..., 0], "L"))
save_pil("grey_alpha_20x18.png", Image.fromarray(random_image(20, 18, 2), "LA"))
save_pil("bilevel_17x9.png", Image.fromarray(random_image(17, 9, 1)[..., 0] > 127))

pal = random_image(1, 200, 3)[:, 0, :]
pal_im = Image.frombytes("P", (25, 19), RNG.integers(0, 200, (19, 25), dtype=np.uint8).tobytes())
pal_im.putpalette(pal.tobytes())
save_pil("palette_25x19.png", pal_im, transparency=bytes(RNG.integers(0, 256, 200, dtype=np.uint8)))
pal16 = random_image(1, 16, 3)[:, 0, :]
pal4 = Image.frombytes("P", (13, 11), RNG.integers(0, 16, (11, 13), dtype=np.uint8).tobytes())
pal4.putpalette(pal16.tobytes())
save_pil("palette4bit_13x11.png", pal4, bits=4)

# What Pillow cannot write: 16-bit colour, 16-bit grey, sub-byte grey, Adam7, tRNS on truecolour.
rgb16 = RNG.integers(0, 65536, (15, 21, 3))
images["rgb16_21x15.png"] = encode_png(rgb16, 16, 2)
images["rgba16_adam7_19x14.png"] = encode_png(RNG.integers(0, 65536, (14, 19, 4)), 16, 6, interlace=True)
grey16 = RNG.integers(0, 65536, (13, 19, 1))
grey16[:6] = RNG.integers(0, 256, (6, 19, 1))  # Pillow opens 16-bit grey as mode I and clips to 0..255
images["grey16_19x13.png"] = encode_png(grey16, 16, 0)
images["grey_alpha16_11x7.png"] = encode_png(RNG.integers(0, 65536, (7, 11, 2)), 16, 4)
images["grey2bit_adam7_23x17.png"] = encode_png(RNG.integers(0, 4, (17, 23, 1)), 2, 0, interlace=True)
images["palette1bit_adam7_21x10.png"] = encode_png(
    RNG.integers(0, 2, (10, 21, 1)), 1, 3, interlace=True, palette=random_image(1, 2, 3)[:, 0, :]
)
# Indices past a short palette: Pillow fills the missing entries with the grey ramp (i, i, i).
images["palette_short_4x3.png"] = encode_png(
    RNG.integers(0, 4, (3, 4, 1)), 2, 3, palette=np.array([[10, 20, 30], [40, 50, 60]]), trns=bytes([7])
)
rgb_key = random_image(16, 12, 3)
rgb_key[::3, ::2] = [12, 34, 56]
images["rgb_trns_16x12.png"] = encode_png(rgb_key, 8, 2, trns=struct.pack(">HHH", 12, 34, 56))
images["rgb_adam7_29x23.png"] = encode_png(random_image(29, 23, 3), 8, 2, interlace=True)

jpeg_src = Image.fromarray(photo_like(96, 72), "RGB")
save_pil("photo_96x72.jpg", jpeg_src, quality=90)  # Pillow's default chroma subsampling 4:2:0
save_pil("photo_444_96x72.jpg", jpeg_src, quality=90, subsampling=0)
save_pil("photo_422_95x71.jpg", Image.fromarray(photo_like(95, 71), "RGB"), quality=90, subsampling=1)
# Pillow cannot write 4:4:0 (chroma halved vertically only). A 48x48 4:2:2 file has as many MCUs of
# the same block count, so relabelling luma's sampling from 2x1 to 1x2 gives a valid 4:4:0 stream.
save_pil("photo_422_48x48.jpg", Image.fromarray(photo_like(48, 48), "RGB"), quality=90, subsampling=1)
jpg440 = bytearray(images.pop("photo_422_48x48.jpg"))
sof = jpg440.index(b"\xff\xc0")
assert jpg440[sof + 11] == 0x21, "luma sampling of the 4:2:2 file"
jpg440[sof + 11] = 0x12
images["photo_440_48x48.jpg"] = bytes(jpg440)
# Adobe APP14 instead of JFIF decides the colour space: transform 1 = YCbCr, 0 = samples are RGB.
jfif = images["photo_96x72.jpg"]
assert jfif[2:4] == b"\xff\xe0"
after_app0 = 4 + struct.unpack(">H", jfif[4:6])[0]
for transform, name in [(1, "photo_adobe_ycc_96x72.jpg"), (0, "photo_adobe_rgb_96x72.jpg")]:
    app14 = b"\xff\xee" + struct.pack(">H", 14) + b"Adobe" + struct.pack(">HHHB", 100, 0, 0, transform)
    images[name] = jfif[:2] + app14 + jfif[after_app0:]
save_pil("photo_progressive_96x72.jpg", jpeg_src, quality=85, progressive=True)
save_pil("grey_40x30.jpg", jpeg_src.convert("L").resize((40, 30)), quality=90)

# Edge blocks and upsampling at the borders: sizes that are no multiple of the 16x16 MCU, one row.
save_pil("photo_420_17x13.jpg", Image.fromarray(photo_like(17, 13), "RGB"), quality=75)
save_pil("photo_420_33x1.jpg", Image.fromarray(photo_like(33, 1), "RGB"), quality=75)
save_pil("photo_progressive_444_95x71.jpg", Image.fromarray(photo_like(95, 71), "RGB"), quality=90, subsampling=0,
         progressive=True)
save_pil("grey_progressive_40x30.jpg", jpeg_src.convert("L").resize((40, 30)), quality=80, progressive=True)


def libjpeg_tool(args: list, data: bytes) -> bytes:
    """Debian's libjpeg-turbo-progs (cjpeg, jpegtran): what Pillow cannot write."""
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout


def ppm(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="PPM")
    return buf.getvalue()


# Sampling factors Pillow cannot ask for: 4:1:1 (chroma 1/4 wide, no fancy upsampling in libjpeg) and
# a mix where each component has its own factors.
images["photo_411_96x72.jpg"] = libjpeg_tool(["cjpeg", "-quality", "90", "-sample", "4x1"], ppm(jpeg_src))
images["photo_mixed_sampling_96x72.jpg"] = libjpeg_tool(["cjpeg", "-quality", "90", "-sample", "2x2,1x2,2x1"], ppm(jpeg_src))
# Restart markers every MCU row (baseline) and every 2 MCUs (progressive), inserted losslessly.
images["photo_restart_96x72.jpg"] = libjpeg_tool(["jpegtran", "-restart", "1"], images["photo_96x72.jpg"])
images["photo_progressive_restart_96x72.jpg"] = libjpeg_tool(["jpegtran", "-progressive", "-restart", "2B"],
                                                             images["photo_progressive_96x72.jpg"])
# A progressive file whose scans never send AC 6..63 of luma nor 3..63 of chroma: libjpeg smooths the
# blocks, and libjpeg-turbo 2.1 (Pillow's) smooths differently from 2.0 (the decoder we run).
with tempfile.NamedTemporaryFile("w", suffix=".txt") as scans:
    scans.write("0,1,2: 0-0, 0, 0;\n0: 1-5, 0, 0;\n1: 1-2, 0, 0;\n2: 1-2, 0, 0;\n")
    scans.flush()
    images["photo_progressive_partial_96x72.jpg"] = libjpeg_tool(["jpegtran", "-scans", scans.name],
                                                                 images["photo_96x72.jpg"])
# Complete but damaged: a restart marker where entropy-coded data should be. libjpeg warns and
# resynchronises; Pillow ignores the warning and keeps the pixels.
damaged = bytearray(images["photo_96x72.jpg"])
damaged[1500:1502] = b"\xff\xd3"
images["photo_damaged_96x72.jpg"] = bytes(damaged)
# EXIF orientation 6 (rotate 90° clockwise to display): Image.open leaves the pixels as stored.
exif = Image.Exif()
exif[0x0112] = 6
save_pil("photo_exif_rotated_96x72.jpg", jpeg_src, quality=90, exif=exif.tobytes())

# CMYK. Pillow writes Adobe's inverted samples with an APP14 marker, transform 0 (no colour transform).
cmyk = np.concatenate([photo_like(41, 29), photo_like(41, 29)[..., :1] // 2], axis=-1)
save_pil("cmyk_41x29.jpg", Image.fromarray(cmyk, "CMYK"), quality=90)
# YCCK (transform 2): libjpeg stores C, M, Y as Y'CbCr (of the inverted-polarity samples, which
# undoes Adobe's inversion) and K as is. Pillow cannot write it, so feed it samples already in
# YCCK, stored as CMYK, and relabel the transform.
c, m, y_ = (cmyk[..., i].astype(np.float64) for i in range(3))
ycc = np.stack([0.299 * c + 0.587 * m + 0.114 * y_,
                128 - 0.168736 * c - 0.331264 * m + 0.5 * y_,
                128 + 0.5 * c - 0.418688 * m - 0.081312 * y_], axis=-1)
stored = np.concatenate([np.clip(np.round(ycc), 0, 255), 255 - cmyk[..., 3:]], axis=-1).astype(np.uint8)
save_pil("ycck_41x29.jpg", Image.fromarray(255 - stored, "CMYK"), quality=90)  # Pillow inverts on writing
ycck = bytearray(images["ycck_41x29.jpg"])
transform_at = ycck.index(b"Adobe") + 11
assert ycck[transform_at] == 0
ycck[transform_at] = 2
images["ycck_41x29.jpg"] = bytes(ycck)

OUT.mkdir(parents=True, exist_ok=True)
for name, data in images.items():
    (OUT / name).write_bytes(data)


def open_image(name: str) -> Image.Image:
    im = Image.open(io.BytesIO(images[name]))
    im.load()
    return im


# ---------------------------------------------------------------- decode references

# Pillow's RGBA view of each file. Large ones are stored as a SHA-256 to keep fixtures small.
decoded = {}
for name in images:
    im = open_image(name)
    rgba_ref = np.array(im.convert("RGBA"))
    entry = {"pillow_mode": im.mode, "width": im.width, "height": im.height}
    # JPEG pixels are kept whole, so a failing test can say where and by how much.
    if rgba_ref.size > 20000 and not name.endswith(".jpg"):
        entry["rgba_sha256"] = hashlib.sha256(rgba_ref.tobytes()).hexdigest()
    else:
        entry["rgba"] = add_array(rgba_ref)
    decoded[name] = entry

# ---------------------------------------------------------------- preprocessing references

FILTERS = {"nearest": 0, "lanczos": 1, "bilinear": 2, "bicubic": 3, "box": 4, "hamming": 5}


def hf_float_steps(pixels: np.ndarray, cfg: dict) -> np.ndarray:
    """transformers' rescale + normalize on an HWC uint8 array, then channels first."""
    x = pixels
    if cfg.get("do_rescale", True):
        x = (x.astype(np.float64) * cfg.get("rescale_factor", 1 / 255)).astype(np.float32)
    if cfg.get("do_normalize", True):
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float32)
        ch = x.shape[-1]
        mean = cfg.get("image_mean", [0.5, 0.5, 0.5])
        std = cfg.get("image_std", [0.5, 0.5, 0.5])
        mean = np.array(mean if isinstance(mean, list) else [mean] * ch, dtype=x.dtype)
        std = np.array(std if isinstance(std, list) else [std] * ch, dtype=x.dtype)
        x = (x - mean) / std
    return np.ascontiguousarray(x.astype(np.float32).transpose(2, 0, 1))


def pillow_prepare(name: str, channels: int, width: int, height: int, resample: int) -> np.ndarray:
    im = open_image(name).convert("RGB" if channels == 3 else "L")
    out = np.array(im.resize((width, height), resample=resample))
    return out[..., None] if out.ndim == 2 else out


def size_dict(size, default: int) -> dict:
    """transformers' get_size_dict with default_to_square=True, for the forms used below."""
    size = default if size is None else size
    if isinstance(size, int):
        return {"height": size, "width": size}
    if isinstance(size, list):
        return {"height": size[0], "width": size[1]}
    return size


def hf_center_crop(pixels: np.ndarray, height: int, width: int) -> np.ndarray:
    """transformers' center_crop on an HWC array, following its two branches literally."""
    h, w = pixels.shape[:2]
    top, left = (h - height) // 2, (w - width) // 2
    if top >= 0 and left >= 0 and top + height <= h and left + width <= w:
        return pixels[top:top + height, left:left + width]
    new_h, new_w = max(height, h), max(width, w)
    padded = np.zeros((new_h, new_w) + pixels.shape[2:], dtype=pixels.dtype)
    top_pad, left_pad = math.ceil((new_h - h) / 2), math.ceil((new_w - w) / 2)
    padded[top_pad:top_pad + h, left_pad:left_pad + w] = pixels
    top, left = top + top_pad, left + left_pad
    return padded[max(0, top):min(new_h, top + height), max(0, left):min(new_w, left + width)]


def hf_prepare(name: str, cfg: dict, channels: int) -> np.ndarray:
    """The 8-bit image after convert, resize and (DeiT) center crop, with each processor's defaults."""
    kind = cfg.get("image_processor_type", cfg.get("feature_extractor_type", "ViTImageProcessor"))
    deit = kind.startswith("DeiT")
    if cfg.get("do_resize", True):
        size = size_dict(cfg.get("size"), 256 if deit else 224)
        pixels = pillow_prepare(name, channels, size["width"], size["height"], cfg.get("resample", 3 if deit else 2))
    else:
        pixels = np.array(open_image(name).convert("RGB" if channels == 3 else "L"))
        pixels = pixels[..., None] if pixels.ndim == 2 else pixels
    if deit and cfg.get("do_center_crop", True):
        crop = size_dict(cfg.get("crop_size"), 224)
        pixels = hf_center_crop(pixels, crop["height"], crop["width"])
    return pixels


cases = []

# Every filter, down and up, odd sizes, one-axis-only resizes (Pillow skips the unchanged pass).
resize_jobs = [
    ("photo_320x240.png", 3, 53, 41),
    ("photo_320x240.png", 1, 100, 240),
    ("rgb_37x29.png", 3, 61, 50),
    ("rgb_37x29.png", 3, 37, 17),
    ("tiny_7x5.png", 3, 32, 32),
    ("grey_33x21.png", 1, 14, 45),
]
for name, ch, w, h in resize_jobs:
    for fname, fid in FILTERS.items():
        cases.append({
            "kind": "resize", "image": name, "channels": ch, "width": w, "height": h, "resample": fid,
            "filter": fname, "resized": add_array(pillow_prepare(name, ch, w, h, fid)),
        })

# Colour conversions on their own (bit-exact L = ITU-R 601-2 luma in Pillow's fixed point).
for name in ["rgb_37x29.png", "rgba_40x30.png", "palette_25x19.png", "grey_alpha_20x18.png", "grey16_19x13.png",
             "rgb16_21x15.png", "bilevel_17x9.png", "photo_96x72.jpg", "grey_40x30.jpg", "cmyk_41x29.jpg",
             "ycck_41x29.jpg"]:
    im = open_image(name)
    cases.append({"kind": "convert", "image": name,
                  "rgb": add_array(np.array(im.convert("RGB"))), "grey": add_array(np.array(im.convert("L"))[..., None])})

# Full ViTImageProcessor / DeiTImageProcessor runs. preprocessor_config null = HF ViT defaults.
IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
DEIT = "DeiTImageProcessor"
configs = [
    ("default_224", None, 3),
    ("grey_28_bilinear", {"do_resize": True, "size": {"height": 28, "width": 28}, "resample": 2,
                          "image_mean": [0.1307], "image_std": [0.3081]}, 1),
    ("bicubic_32_imagenet", {"size": {"height": 32, "width": 32}, "resample": 3,
                             "image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225]}, 3),
    ("nonsquare_24x16", {"size": {"height": 16, "width": 24}, "resample": 2, "image_mean": 0.45,
                         "image_std": 0.27}, 3),
    ("legacy_int_size_lanczos", {"size": 20, "resample": 1, "rescale_factor": 0.00392156862745098}, 3),
    ("no_normalize", {"size": {"height": 12, "width": 12}, "do_normalize": False}, 3),
    ("no_rescale", {"size": {"height": 12, "width": 12}, "do_rescale": False, "image_mean": [127.5, 120.0, 110.0],
                    "image_std": [60.0, 61.0, 62.0]}, 3),
    ("no_resize_grey", {"do_resize": False, "image_mean": [0.5], "image_std": [0.25]}, 1),
    # facebook/deit-tiny-patch16-224's preprocessor_config.json (legacy int sizes)
    ("deit_tiny_hub", {"crop_size": 224, "do_center_crop": True, "do_normalize": True, "do_resize": True,
                       "feature_extractor_type": "DeiTFeatureExtractor", "image_mean": IMAGENET_DEFAULT_MEAN,
                       "image_std": IMAGENET_DEFAULT_STD, "resample": 3, "size": 256}, 3),
    ("deit_defaults", {"image_processor_type": DEIT}, 3),
    ("deit_40_crop_32", {"image_processor_type": DEIT, "size": {"height": 40, "width": 40},
                         "crop_size": {"height": 32, "width": 32}, "image_mean": IMAGENET_DEFAULT_MEAN,
                         "image_std": IMAGENET_DEFAULT_STD}, 3),
    # odd margins: 21 - 14 = 7 rows, 30 - 17 = 13 columns
    ("deit_odd_crop", {"image_processor_type": DEIT, "size": {"height": 21, "width": 30},
                       "crop_size": {"height": 14, "width": 17}, "resample": 2}, 3),
    # 20x12 -> 16x17: rows cropped (margin 4), columns zero-padded (margin 5, odd)
    ("deit_crop_pads", {"image_processor_type": DEIT, "size": [20, 12], "crop_size": [16, 17], "resample": 1}, 3),
    ("deit_no_resize_grey", {"image_processor_type": DEIT, "do_resize": False, "crop_size": {"height": 10, "width": 8},
                             "image_mean": [0.5], "image_std": [0.25]}, 1),
    ("deit_no_crop", {"image_processor_type": DEIT, "size": 24, "do_center_crop": False}, 3),
]
runs = [
    ("default_224", ["photo_320x240.png", "tiny_7x5.png"]),
    ("grey_28_bilinear", ["photo_320x240.png", "palette_25x19.png", "grey16_19x13.png", "cmyk_41x29.jpg"]),
    ("bicubic_32_imagenet", ["photo_320x240.png", "rgba_40x30.png", "grey_alpha_20x18.png", "photo_96x72.jpg",
                             "ycck_41x29.jpg", "photo_progressive_444_95x71.jpg"]),
    ("nonsquare_24x16", ["photo_320x240.png", "rgb_37x29.png"]),
    ("legacy_int_size_lanczos", ["rgb_37x29.png"]),
    ("no_normalize", ["rgb_37x29.png"]),
    ("no_rescale", ["rgb_37x29.png"]),
    ("no_resize_grey", ["tiny_7x5.png"]),
    ("deit_tiny_hub", ["photo_320x240.png", "rgb_37x29.png"]),
    ("deit_defaults", ["tiny_7x5.png"]),
    ("deit_40_crop_32", ["photo_320x240.png", "rgb_37x29.png", "rgba_40x30.png", "photo_96x72.jpg"]),
    ("deit_odd_crop", ["photo_320x240.png", "rgb_37x29.png"]),
    ("deit_crop_pads", ["rgb_37x29.png"]),
    ("deit_no_resize_grey", ["tiny_7x5.png", "grey_33x21.png"]),  # pads 7x5 on both axes, crops 33x21
    ("deit_no_crop", ["rgb_37x29.png"]),
]
config_by_name = {n: (c, ch) for n, c, ch in configs}
for cname, names in runs:
    cfg, ch = config_by_name[cname]
    resolved = cfg or {}
    for name in names:
        pixels = hf_prepare(name, resolved, ch)
        big = pixels.size > 20000
        case = {"kind": "preprocess", "config_name": cname, "config": cfg, "channels": ch, "image": name,
                "resized_sha256" if big else "resized":
                    hashlib.sha256(pixels.tobytes()).hexdigest() if big else add_array(pixels)}
        if not big:
            case["pixel_values"] = add_array(hf_float_steps(pixels, resolved))
        cases.append(case)
    # The float steps are a per-(value, channel) function: check them on all 256 values at once.
    ramp = np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], ch, axis=2)
    cases.append({"kind": "float_steps", "config_name": cname, "config": cfg, "channels": ch,
                  "pixel_values": add_array(hf_float_steps(ramp, resolved))})

(OUT / "expected.bin").write_bytes(bytes(blobs))
versions = {"Pillow": Image.__version__, "numpy": np.__version__, "libjpeg-turbo": features.version("libjpeg_turbo")}
(OUT / "expected.json").write_text(json.dumps({"versions": versions, "decoded": decoded, "cases": cases}, indent=1) + "\n")
total = sum(p.stat().st_size for p in OUT.iterdir())
print(f"wrote {len(images)} images and {len(cases)} cases to {OUT} ({total / 1024:.0f} KiB in all)")
