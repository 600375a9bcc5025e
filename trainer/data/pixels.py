"""Decoding one image file the way an image viewer shows it, as uint8 RGB, with its size bounded.

What a viewer does, and so do we (every mode Pillow reads):

- the EXIF orientation is applied (a phone photo taken upright is upright);
- 16-bit grey (``I;16``, ``I``) is scaled from 0…65535 to 0…255 (not clipped: 64 grey levels stay 64);
  32-bit float (``F``) in 0…1 is scaled to 0…255, other floats are clipped to 0…255;
- transparency (``RGBA``, ``LA``, ``PA``, palette transparency, premultiplied ``RGBa``/``La``) is composited
  over white, as a browser page or a document shows it;
- a palette (``P``) is expanded; bilevel (``1``) is black and white; ``CMYK``, ``YCbCr``, ``LAB``, ``HSV``
  are converted to RGB through the file's embedded ICC profile when it has one (Pillow's ImageCms), else with
  Pillow's conversion; images with an ICC profile in RGB are converted to sRGB;
- an animation shows its first frame.

Sizes are bounded before any pixel is decoded: the header's width × height must be at most
``trainer.limits.MAX_IMAGE_PIXELS`` (64 million, an 8000×8000 photo).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from trainer.errors import DataError
from trainer.limits import MAX_IMAGE_PIXELS

WHITE = 255
_SWAPS = {5, 6, 7, 8}  # EXIF orientations that turn the image by 90°


def oriented_size(path: Path) -> tuple[int, int]:
    """(width, height) as shown (after the EXIF orientation), read from the header only."""

    with _opened(path) as im:
        w, h = im.size
        return (h, w) if _orientation(im) in _SWAPS else (w, h)


def read_rgb(path: Path, size: tuple[int, int] | None = None) -> np.ndarray:
    """The image as shown, uint8 H×W×3, resized (Lanczos) to ``size`` = (width, height) when given."""
    from PIL import Image

    try:
        with _opened(path) as im:
            if size is not None and im.format == "JPEG":
                im.draft("RGB", (max(size), max(size)))  # decode at 1/2, 1/4, 1/8 when that is still big
            rgb = to_rgb(im)
        if size is not None and rgb.size != tuple(size):
            rgb = rgb.resize(tuple(size), Image.Resampling.LANCZOS)
        return np.asarray(rgb, dtype=np.uint8)
    except DataError:
        raise
    except Exception as e:  # PIL raises many types (OSError, SyntaxError, ValueError...)
        raise DataError(f"{path}: cannot read image: {e}") from e


def _opened(path: Path):
    """The image, opened lazily (header only) and checked for its pixel count."""
    from PIL import Image

    try:
        im = Image.open(path)
    except Image.DecompressionBombError as e:  # Pillow's own limit (about 179 million pixels), at open
        raise DataError(f"{path}: the image is too large to decode ({e}); at most {MAX_IMAGE_PIXELS:,} "
                        "pixels are decoded (make it smaller first)") from None
    except Exception as e:  # OSError, SyntaxError...
        raise DataError(f"{path}: cannot read image: {e}") from e
    w, h = im.size
    if w * h > MAX_IMAGE_PIXELS:
        im.close()
        raise DataError(f"{path}: the image is {w:,}×{h:,} = {w * h:,} pixels; at most {MAX_IMAGE_PIXELS:,} "
                        "are decoded (make it smaller first)")
    return im


def _orientation(im) -> int:
    try:
        return int(im.getexif().get(0x0112, 1))
    except Exception:  # a damaged EXIF block: shown as stored
        return 1


def to_rgb(im):
    """A PIL image in RGB mode, as a viewer shows ``im`` (see the module docstring)."""
    from PIL import ImageOps

    im = ImageOps.exif_transpose(im) if _orientation(im) != 1 else im
    if im.mode.startswith("I") or im.mode == "F":
        return _wide_grey(im)
    im = _to_srgb(im)
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info:
        return _over_white(im.convert("RGBA"))
    return im.convert("RGB")


def _wide_grey(im):
    """16- and 32-bit grey (I;16*, I) scaled from 0…65535; float (F) from 0…1 (else clipped)."""
    from PIL import Image

    a = np.asarray(im)
    if im.mode == "F":
        a = a.astype(np.float64)
        a = np.nan_to_num(a, nan=0.0, posinf=255.0, neginf=0.0)
        scaled = a * 255.0 if a.size and 0.0 <= a.min() and a.max() <= 1.0 else a
    else:
        scaled = np.clip(a.astype(np.float64), 0, 65535) / 257.0
    grey = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return Image.fromarray(grey, mode="L").convert("RGB")


def _to_srgb(im):
    """Apply an embedded ICC profile (to sRGB), as colour-managed viewers do; unchanged when there is none
    or it cannot be used."""
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA", "CMYK", "L", "LAB"):
        return im
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if im.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(im, source, target, outputMode=mode)
    except Exception:  # a profile that does not match the pixels, no littlecms: Pillow's own conversion
        return im


def _over_white(rgba):
    from PIL import Image

    background = Image.new("RGBA", rgba.size, (WHITE, WHITE, WHITE, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")
