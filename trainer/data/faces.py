"""Generated cartoon faces, 64×64 RGB, drawn with Pillow from known factors, with CelebA-style attributes.

A stand-in for CelebA (which cannot be downloaded on every computer) that a class can train in minutes and
check against the truth. Every face is drawn from these factors (``face_factors``):

- ``hair``: hair colour, 0 black, 1 brown, 2 blond, 3 red (balanced within each split); the class label is
  the hair colour too, in the order of ``CLASS_NAMES`` (``CLASS_OF_HAIR``);
- ``hair_length`` in [0, 1]: 0 a short cap, 1 down to the shoulders;
- ``skin`` in [0, 1]: skin tone from pale (0) to dark (1);
- ``smiling``, ``glasses``, ``beard``, ``hat``: present or not (probability 0.5, 0.3, 0.25, 0.2);
- ``tilt`` in degrees, ±15 (positive: the head leans to the image's left, counter-clockwise);
- ``x``, ``y`` in [-1, 1]: where the head sits (negative = left / top);
- ``background_hue`` in [0, 1) and ``background_light`` in [0, 1]: the background colour;
- ``shirt_hue``, ``hat_hue`` in [0, 1): colours that no attribute names (nuisance factors, as in real photos).

The factors are drawn independently, so a direction such as ``Blond_Hair`` is not entangled with another
attribute (in CelebA it is: blond hair goes with ``Male`` = 0 and ``No_Beard`` = 1).

Attributes (``ATTRIBUTE_NAMES``) use CelebA's names where CelebA has the attribute (``Black_Hair``,
``Brown_Hair``, ``Blond_Hair``, ``Smiling``, ``Eyeglasses``, ``No_Beard``, ``Wearing_Hat``, ``Pale_Skin``;
CelebA's list_attr_celeba.txt, Liu et al. 2015) and the same style for the rest (``Red_Hair``, ``Long_Hair``,
``Head_Tilted_Left``, ``Face_Left``, ``Light_Background``).

Rendering: every part is a polygon in head coordinates, rotated by the tilt, drawn by Pillow at twice the
size and reduced with a 2×2 box filter (anti-aliasing). About 0.1 ms per face on one core; deterministic for
a seed (numpy's default_rng for the factors, Pillow's rasteriser for the pixels).
"""

from __future__ import annotations

import numpy as np

from trainer.data.dataset import Dataset
from trainer.errors import DataError

# in this order the scatter's first four colours (indigo, sand, green, rose) suit the hair
CLASS_NAMES = ["black hair", "blond hair", "brown hair", "red hair"]
CLASS_OF_HAIR = np.array([0, 2, 1, 3])  # hair factor (black, brown, blond, red) -> class
ATTRIBUTE_NAMES = ["Black_Hair", "Brown_Hair", "Blond_Hair", "Red_Hair", "Long_Hair", "Pale_Skin", "Smiling",
                   "Eyeglasses", "No_Beard", "Wearing_Hat", "Head_Tilted_Left", "Face_Left",
                   "Light_Background"]
HAIR_RGB = np.array([[38, 32, 30], [112, 68, 36], [236, 204, 112], [196, 78, 36]], dtype=np.float64)
PALE_SKIN_RGB = np.array([252, 226, 204], dtype=np.float64)
DARK_SKIN_RGB = np.array([118, 78, 52], dtype=np.float64)
SIZE = 64
SUPERSAMPLE = 2
MAX_TILT_DEG = 15.0
PROBABILITY = {"smiling": 0.5, "glasses": 0.3, "beard": 0.25, "hat": 0.2}
FACTOR_NAMES = ("hair", "hair_length", "skin", "smiling", "glasses", "beard", "hat", "tilt", "x", "y",
                "background_hue", "background_light", "shirt_hue", "hat_hue", "shade")


def n_test_for(n: int, test_fraction: float) -> int:
    """How many of ``n`` generated faces form the test split."""
    if not 0.0 <= test_fraction < 1.0:
        raise DataError(f"faces: test_fraction must be in [0, 1), got {test_fraction}")
    return int(round(n * test_fraction))


def _balanced(rng: np.random.Generator, start: int, stop: int, k: int) -> np.ndarray:
    return rng.permutation(np.arange(start, stop) % k).astype(np.int64)


def face_factors(n: int, seed: int = 0, test_fraction: float = 1 / 10) -> dict[str, np.ndarray]:
    """The random factors of ``n`` faces (train rows first), a dict of arrays of length ``n`` (see the module
    docstring; ``shade`` in [-1, 1] varies the hair colour's lightness a little)."""
    if n < 1:
        raise DataError(f"faces: n must be at least 1, got {n}")
    rng = np.random.default_rng(seed)
    n_test = n_test_for(n, test_fraction)
    hair = np.concatenate([_balanced(rng, 0, n - n_test, 4), _balanced(rng, n - n_test, n, 4)])
    flags = {name: rng.random(n) < p for name, p in PROBABILITY.items()}
    return {"hair": hair, "hair_length": rng.uniform(0, 1, n), "skin": rng.uniform(0, 1, n), **flags,
            "tilt": rng.uniform(-MAX_TILT_DEG, MAX_TILT_DEG, n), "x": rng.uniform(-1, 1, n),
            "y": rng.uniform(-1, 1, n), "background_hue": rng.uniform(0, 1, n),
            "background_light": rng.uniform(0, 1, n), "shirt_hue": rng.uniform(0, 1, n),
            "hat_hue": rng.uniform(0, 1, n), "shade": rng.uniform(-1, 1, n)}


def face_attributes(factors: dict[str, np.ndarray]) -> np.ndarray:
    """Binary attributes (N × 13, in ``ATTRIBUTE_NAMES`` order) derived from the factors: ``Long_Hair`` is a
    length above 0.5, ``Pale_Skin`` a tone below 0.25, ``Light_Background`` a lightness above 0.5."""
    hair = factors["hair"]
    columns = [hair == 0, hair == 1, hair == 2, hair == 3, factors["hair_length"] > 0.5,
               factors["skin"] < 0.25, factors["smiling"], factors["glasses"], ~factors["beard"],
               factors["hat"], factors["tilt"] > 0, factors["x"] < 0, factors["background_light"] > 0.5]
    return np.stack(columns, axis=1).astype(bool)


# ---- geometry: parts as polygons in head coordinates (units: pixels of the 64×64 image, y down) ------------

def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 24) -> np.ndarray:
    """Points on an ellipse from angle a0 to a1 (degrees; 0 = right, 90 = down), n × 2."""
    t = np.deg2rad(np.linspace(a0, a1, n))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


HEAD_RX, HEAD_RY = 14.0, 17.5


def _hair_back(length: float) -> np.ndarray:
    """The hair behind the head: a dome over it, falling ``length`` (0..1) of the way to the shoulders."""
    bottom = -2.0 + length * 22.0
    dome = _arc(0, -1.5, HEAD_RX + 3.2, HEAD_RY + 2.5, 180, 360)
    side = HEAD_RX + 3.2 + 2 * length
    return np.vstack([[[-side, bottom]], dome, [[side, bottom]]])


def _hair_cap() -> np.ndarray:
    """The hair over the forehead: the top of the head down to a fringe line with a side parting."""
    top = _arc(0, -1.0, HEAD_RX + 1.6, HEAD_RY + 1.8, 185, 355)
    fringe = np.array([[HEAD_RX * 0.95, -5.0], [HEAD_RX * 0.55, -10.5], [3.0, -9.0], [-2.0, -12.0],
                       [-HEAD_RX * 0.6, -9.5], [-HEAD_RX * 0.97, -4.0]])
    return np.vstack([top, fringe])


def _beard() -> np.ndarray:
    outer = _arc(0, 0.5, HEAD_RX + 0.4, HEAD_RY + 0.6, 0, 180)
    inner = _arc(0, 6.5, 6.0, 5.0, 180, 0, 12)
    return np.vstack([outer, [[-HEAD_RX * 0.9, 2.0]], inner, [[HEAD_RX * 0.9, 2.0]]])


def _hat() -> tuple[np.ndarray, np.ndarray]:
    crown = np.vstack([[[-HEAD_RX - 0.5, -8.0]], _arc(0, -9.0, HEAD_RX + 0.5, 12.5, 180, 360),
                       [[HEAD_RX + 0.5, -8.0]]])
    brim = _arc(0, -8.0, HEAD_RX + 6.0, 3.2, 0, 360)
    return crown, brim


def _mouth(smiling: bool) -> np.ndarray:
    """The lips as a closed polygon: a wide open smile, or a short closed mouth."""
    if smiling:
        return np.vstack([_arc(0, 6.2, 6.0, 4.6, 10, 170, 14), [[-5.0, 7.4]], [[5.0, 7.4]]])
    return np.array([[-4.0, 9.6], [4.0, 9.6], [4.0, 10.8], [-4.0, 10.8]])


_STATIC = {"face": _arc(0, 0, HEAD_RX, HEAD_RY, 0, 360, 40), "cap": _hair_cap(), "beard": _beard(),
           "neck": np.array([[-5.5, 10.0], [5.5, 10.0], [6.0, 24.0], [-6.0, 24.0]]),
           "ear_l": _arc(-HEAD_RX + 0.5, 1.0, 2.5, 4.0, 0, 360, 12),
           "ear_r": _arc(HEAD_RX - 0.5, 1.0, 2.5, 4.0, 0, 360, 12),
           "nose": np.array([[0.0, -1.0], [1.8, 4.0], [-1.0, 4.3]]),
           "shoulders": _arc(0, 34.0, 27.0, 14.0, 0, 360, 40)}
_EYES = [(_arc(dx, -2.0, 3.0, 1.9, 0, 360, 14), _arc(dx, -2.0, 1.3, 1.3, 0, 360, 10)) for dx in (-5.8, 5.8)]
_BROWS = [np.array([[dx - 3.2, -6.0], [dx + 3.2, -6.6], [dx + 3.2, -5.4], [dx - 3.2, -4.8]])
          for dx in (-5.8, 5.8)]
_LENSES = [_arc(dx, -2.0, 4.4, 3.6, 0, 360, 20) for dx in (-5.8, 5.8)]
_HAT = _hat()


def _transforms(f: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per face: the matrix (N × 2 × 2) that tilts head coordinates, and where the head's centre goes in
    the supersampled image (N × 2); and the same move without the tilt (for the shoulders)."""
    theta = np.deg2rad(-f["tilt"])
    c, s = np.cos(theta), np.sin(theta)
    matrix = SUPERSAMPLE * np.stack([np.stack([c, s], -1), np.stack([-s, c], -1)], 1)
    centre = SUPERSAMPLE * np.stack([SIZE / 2 + 5.0 * f["x"], SIZE / 2 + 1.0 + 4.0 * f["y"]], 1)
    return matrix, centre, SUPERSAMPLE * np.eye(2)


def _place(pts: np.ndarray, matrix: np.ndarray, centre: np.ndarray) -> list[list[float]]:
    """Points K × 2 (or N × K × 2) in head coordinates -> per face the flat list x0, y0, x1, ... in pixels of
    the supersampled image (one list per face)."""
    spec = "kj,nji->nki" if pts.ndim == 2 else "nkj,nji->nki"
    placed = np.einsum(spec, pts, matrix) + centre[:, None, :]
    return placed.reshape(len(centre), -1).tolist()


def _parts(f: dict[str, np.ndarray]) -> dict[str, list]:
    """Every polygon of every face, placed: part name -> one flat point list per face."""
    matrix, centre, upright = _transforms(f)
    n = len(centre)
    length = f["hair_length"][:, None, None]
    back0, back1 = _hair_back(0.0), _hair_back(1.0)
    parts = {"hair_back": _place(back0 + length * (back1 - back0), matrix, centre),
             "shoulders": _place(_STATIC["shoulders"], np.broadcast_to(upright, (n, 2, 2)), centre)}
    for name, pts in _STATIC.items():
        if name != "shoulders":
            parts[name] = _place(pts, matrix, centre)
    named = {"smile": _mouth(True), "closed": _mouth(False), "teeth": _TEETH, "bridge": _BRIDGE,
             "crown": _HAT[0], "brim": _HAT[1]}
    for side, (white, pupil) in enumerate(_EYES):
        named |= {f"white{side}": white, f"pupil{side}": pupil, f"brow{side}": _BROWS[side],
                  f"lens{side}": _LENSES[side]}
    parts |= {name: _place(pts, matrix, centre) for name, pts in named.items()}
    return parts


def _colour_table(f: dict[str, np.ndarray]) -> dict[str, list[tuple[int, int, int]]]:
    """Per face the colours of its parts (RGB tuples), computed for all faces at once."""
    hair = np.clip(HAIR_RGB[f["hair"]] * (1 + 0.12 * f["shade"])[:, None], 0, 255)
    skin = PALE_SKIN_RGB + (DARK_SKIN_RGB - PALE_SKIN_RGB) * f["skin"][:, None]
    table = {"hair": hair, "brow": hair * 0.8, "skin": skin, "shade": skin * 0.8,
             "background": _hsv_array(f["background_hue"], 0.35, 0.45 + 0.5 * f["background_light"]),
             "shirt": _hsv_array(f["shirt_hue"], 0.55, 0.7), "hat": _hsv_array(f["hat_hue"], 0.6, 0.55)}
    return {k: [tuple(c) for c in np.rint(v).astype(int).tolist()] for k, v in table.items()}


def _hsv_array(h: np.ndarray, s: float, v) -> np.ndarray:
    """RGB (N × 3, 0..255) of hues ``h`` in [0, 1) at saturation ``s`` and value ``v`` (scalar or N)."""
    v = np.broadcast_to(np.asarray(v, dtype=np.float64), h.shape)
    k = (np.array([5.0, 3.0, 1.0]) + 6.0 * h[:, None]) % 6.0
    channel = v[:, None] - v[:, None] * s * np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0)
    return 255.0 * channel


INK = (20, 20, 24)  # glasses
LIPS = {True: (150, 40, 45), False: (170, 70, 70)}
_TEETH = np.array([[-4.2, 7.6], [4.2, 7.6], [3.6, 9.0], [-3.6, 9.0]])
_BRIDGE = np.array([[-1.6, -2.9], [1.6, -2.9], [1.6, -1.9], [-1.6, -1.9]])


def _draw_face(draw, p: dict[str, list], col: dict[str, list], f: dict[str, np.ndarray], i: int) -> None:
    """Back to front: long hair, shoulders, neck, ears, face, beard, eyes, brows, nose, mouth, the hair over
    the forehead, glasses, hat."""
    poly = draw.polygon
    poly(p["hair_back"][i], fill=col["hair"][i])
    poly(p["shoulders"][i], fill=col["shirt"][i])
    poly(p["neck"][i], fill=col["shade"][i])
    for name in ("ear_l", "ear_r", "face"):
        poly(p[name][i], fill=col["skin"][i])
    if f["beard"][i]:
        poly(p["beard"][i], fill=col["hair"][i])
    for side in "01":
        poly(p["white" + side][i], fill=(250, 250, 250))
        poly(p["pupil" + side][i], fill=(40, 30, 25))
        poly(p["brow" + side][i], fill=col["brow"][i])
    poly(p["nose"][i], fill=col["shade"][i])
    smiling = bool(f["smiling"][i])
    poly(p["smile" if smiling else "closed"][i], fill=LIPS[smiling])
    if smiling:
        poly(p["teeth"][i], fill=(250, 250, 250))
    poly(p["cap"][i], fill=col["hair"][i])
    if f["glasses"][i]:
        for side in "01":
            poly(p["lens" + side][i], outline=INK, width=2)
        poly(p["bridge"][i], fill=INK)
    if f["hat"][i]:
        poly(p["crown"][i], fill=col["hat"][i])
        poly(p["brim"][i], fill=col["hat"][i])


def render_faces(factors: dict[str, np.ndarray]) -> np.ndarray:
    """Draw the faces the factors describe: uint8 N × 3 × 64 × 64 (RGB)."""
    from PIL import Image, ImageDraw

    n = len(factors["hair"])
    out = np.empty((n, SIZE, SIZE, 3), dtype=np.uint8)
    big = SIZE * SUPERSAMPLE
    for start in range(0, n, _CHUNK):
        part = {k: v[start:start + _CHUNK] for k, v in factors.items()}
        parts, colours = _parts(part), _colour_table(part)
        for i in range(len(part["hair"])):
            image = Image.new("RGB", (big, big), colours["background"][i])
            _draw_face(ImageDraw.Draw(image), parts, colours, part, i)
            out[start + i] = np.asarray(image.reduce(SUPERSAMPLE))
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2))


_CHUNK = 1024  # faces whose polygons are placed at once (bounds memory to a few MB)


def hair_mask(factors: dict[str, np.ndarray], row: int) -> np.ndarray:
    """Where face ``row``'s hair is: bool 64×64, the pixels that change when only its hair colour changes
    (the hair, the brows and a beard), found by drawing the face once more with other hair."""
    one = {k: v[row:row + 1].copy() for k, v in factors.items()}
    base = render_faces(one)[0].astype(np.int16)
    one["hair"] = np.array([(int(one["hair"][0]) + 2) % 4])
    other = render_faces(one)[0].astype(np.int16)
    return np.abs(base - other).max(axis=0) > 24


def _spec(n: int, seed: int, test_fraction: float) -> str:
    options = {"n": (n, 20000), "seed": (seed, 0), "test_fraction": (test_fraction, 1 / 10)}
    changed = [f"{key}={value}" for key, (value, default) in options.items() if value != default]
    return "faces" + ("?" + "&".join(changed) if changed else "")


def make_faces(n: int = 20000, seed: int = 0, test_fraction: float = 1 / 10) -> Dataset:
    """``n`` generated faces (train first; the last ``round(n·test_fraction)`` are the test split), labelled
    by hair colour, with the attributes of ``face_attributes``."""
    factors = face_factors(n, seed, test_fraction)
    return Dataset(
        spec=_spec(n, seed, test_fraction),
        images=render_faces(factors),
        labels=CLASS_OF_HAIR[factors["hair"]],
        class_names=list(CLASS_NAMES),
        n_train=n - n_test_for(n, test_fraction),
        attributes=face_attributes(factors),
        attribute_names=list(ATTRIBUTE_NAMES),
        source="generated",
    )
