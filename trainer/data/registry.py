"""Data set specs ``kind[:ARG][?opt=value&...]``: parsing, dispatch to the readers, and the catalogue."""

from __future__ import annotations

import os
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote

from trainer.data.dataset import Dataset
from trainer.errors import DataError, TrainerError

Progress = Callable[[str, int, int], None]
ALIASES = {"fashion": "fashion-mnist", "fashion_mnist": "fashion-mnist", "fmnist": "fashion-mnist"}


@dataclass(frozen=True)
class DatasetInfo:
    spec: str
    description: str
    available: bool
    where: str  # where it was found, or how to get it


@dataclass(frozen=True)
class Spec:
    kind: str
    arg: str = ""
    options: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        text = self.kind + (f":{self.arg}" if self.arg else "")
        query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in self.options.items())
        return text + (f"?{query}" if query else "")

    @property
    def path(self) -> Path:
        return Path(self.arg)


@dataclass(frozen=True)
class Context:
    data_dir: Path
    progress: Progress | None = None
    download: bool = True


@dataclass(frozen=True)
class Kind:
    load: Callable[[Spec, Context], Dataset]
    description: str
    options: dict[str, Callable[[str], object]] = field(default_factory=dict)
    path: str = "none"  # "none", "optional" or "required"
    arg_option: str = ""  # for kinds without a path: ``shapes:500`` means ``shapes?n=500``


def user_data_dir() -> Path:
    """$LATENT_EXPLORER_DATA, else the platform's per-user data folder + ``latent-explorer``."""
    if os.environ.get("LATENT_EXPLORER_DATA"):
        return Path(os.environ["LATENT_EXPLORER_DATA"]).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "latent-explorer"


def load_dataset(spec: str, *, progress: Progress | None = None, data_dir: Path | None = None,
                 download: bool = True) -> Dataset:
    """Load the data set ``spec`` names; every failure is a DataError naming the file and the problem."""
    context = Context(Path(data_dir) if data_dir else user_data_dir(), progress, download)
    try:
        parsed = parse_spec(spec, KINDS)
        ds = KINDS[parsed.kind].load(parsed, context)
    except TrainerError:
        raise
    except (OSError, ValueError, EOFError, zlib.error, KeyError, IndexError, struct.error, MemoryError) as e:
        raise DataError(f"{spec}: cannot load: {type(e).__name__}: {e}") from e
    if len(ds.images) == 0 or 0 in ds.images.shape[2:]:
        raise DataError(f"{ds.source or spec}: no images (shape {ds.images.shape})")
    return ds


def parse_spec(spec: str, kinds: dict[str, Kind]) -> Spec:
    """Split ``kind:ARG?a=1&b=2``, check the options, make paths absolute; a bare path guesses its kind.
    A path may hold ``?``: the longest ARG that exists on disk is the path (``npz:q?/set.npz`` is the file
    ``q?/set.npz``), and the rest, if any, the options."""
    text, query = _split_query(spec.strip(), kinds)
    kind, _, arg = text.partition(":")
    kind = ALIASES.get(kind.strip().lower(), kind.strip().lower())
    if kind not in kinds:
        return _bare_path(spec, text, query, kinds)
    info = kinds[kind]
    if info.path == "required" and not arg:
        raise DataError(f"{spec}: {kind} needs a path: {kind}:PATH")
    options = _options(spec, kind, query, info)
    if info.path != "none" and arg:
        arg = _absolute(arg, spec)
    elif arg and info.arg_option:
        options = {**_options(spec, kind, f"{info.arg_option}={arg}", info), **options}
        arg = ""
    elif arg:
        raise DataError(f"{spec}: {kind} takes no path or argument after ':'")
    return Spec(kind, arg, options)


def spec_path(spec: str) -> Path | None:
    """The file or folder a spec names (``npz:/a?b/set.npz?x=1`` -> ``/a?b/set.npz``), as ``parse_spec``
    reads it; None for the kinds without a path. Options are not checked."""
    text, _ = _split_query(spec.strip(), KINDS)
    kind, colon, arg = text.partition(":")
    info = KINDS.get(ALIASES.get(kind.strip().lower(), kind.strip().lower()))
    if info is None:
        return Path(text).expanduser() if text else None
    return Path(arg).expanduser() if colon and arg and info.path != "none" else None


def _split_query(spec: str, kinds: dict[str, Kind]) -> tuple[str, str]:
    """(kind:ARG, query): the split at the last ``?`` whose left part names an existing path, else at the
    last ``?`` (the whole spec when there is none)."""
    if "?" not in spec:
        return spec, ""
    kind, colon, _ = spec.partition(":")
    known = kinds.get(ALIASES.get(kind.strip().lower(), kind.strip().lower()))
    if known is not None and (known.path == "none" or not colon):
        text, _, query = spec.rpartition("?")
        return text, query
    prefix = len(kind) + 1 if known is not None else 0
    cuts = [len(spec)] + [i for i in range(len(spec) - 1, prefix - 1, -1) if spec[i] == "?"]
    for cut in cuts:
        if _exists(spec[prefix:cut]):
            return spec[:cut], spec[cut + 1:]
    text, _, query = spec.rpartition("?")
    return text, query


def _exists(path: str) -> bool:
    try:
        return bool(path) and "\0" not in path and Path(path).expanduser().exists()
    except (OSError, RuntimeError, ValueError):
        return False


def _absolute(arg: str, spec: str) -> str:
    try:
        return str(Path(arg).expanduser().resolve())
    except (OSError, RuntimeError, ValueError) as e:  # a symlink loop, a NUL byte, no home folder
        raise DataError(f"{spec!r}: not a usable path: {e}") from e


def _bare_path(spec: str, text: str, query: str, kinds: dict[str, Kind]) -> Spec:
    path = Path(_absolute(text, spec)) if text and "\0" not in text else Path()
    if not text or "\0" in text or not path.exists():
        raise DataError(f"{spec!r}: unknown data set (known: {', '.join(kinds)}; "
                        "path kinds are written kind:PATH)")
    return parse_spec(f"{guess_kind(path)}:{path}" + (f"?{query}" if query else ""), kinds)


def guess_kind(path: Path) -> str:
    """The reader for an existing path: npz file, IDX folder (any of its four files: a t10k-only folder too),
    CelebA folder (any of its layouts), else a folder of classes."""
    from trainer.data.celeba import is_celeba
    from trainer.data.idx import has_idx_files

    if path.is_file():
        return "npz"
    if has_idx_files(path):
        return "idx"
    return "celeba" if is_celeba(path) else "folder"


def _options(spec: str, kind: str, query: str, info: Kind) -> dict[str, object]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True) if query else []
    except ValueError:
        raise DataError(f"{spec}: cannot read the options {query!r} (write ?name=value&name=value)") from None
    options = {}
    for key, value in pairs:
        if key not in info.options:
            known = ", ".join(info.options) or "none"
            raise DataError(f"{spec}: unknown option {key!r} for {kind} (options: {known})")
        try:
            options[key] = info.options[key](value)
        except ValueError as e:
            raise DataError(f"{spec}: bad option {key}={value!r}: {e}") from None
    return options


def int_in(lo: int, hi: int) -> Callable[[str], int]:
    """An option converter: an integer in lo..hi."""
    return _number_in(int, "a whole number", lo, hi)


def float_in(lo: float, hi: float) -> Callable[[str], float]:
    """An option converter: a number in lo..hi."""
    return _number_in(float, "a number", lo, hi)


def _number_in(parse: Callable[[str], float], noun: str, lo: float, hi: float) -> Callable[[str], float]:
    def convert(text: str):
        try:
            value = parse(text)
        except ValueError:
            raise ValueError(f"expected {noun}") from None
        if not lo <= value <= hi:
            raise ValueError(f"expected {lo}..{hi}")
        return value
    return convert


def list_datasets(data_dir: Path | None = None) -> list[DatasetInfo]:
    """One entry per kind: built-in generators, MNIST-like sets where found, and the path kinds."""
    data_dir = Path(data_dir) if data_dir else user_data_dir()
    infos = []
    for name, kind in KINDS.items():
        available, where = availability(name, data_dir)
        spec = f"{name}:PATH" if kind.path == "required" else name
        infos.append(DatasetInfo(spec, kind.description, available, where))
    return infos


def _shapes(spec: Spec, ctx: Context) -> Dataset:
    from trainer.data.builtin import make_shapes

    return make_shapes(**spec.options)  # type: ignore[arg-type]


def _faces(spec: Spec, ctx: Context) -> Dataset:
    from trainer.data.faces import make_faces

    return make_faces(**spec.options)  # type: ignore[arg-type]


def _glyphs(spec: Spec, ctx: Context) -> Dataset:
    from trainer.data.builtin import make_glyphs

    return make_glyphs(pad_to=spec.options.get("pad", spec.options.get("pad_to")))  # type: ignore[arg-type]


def _digits(spec: Spec, ctx: Context) -> Dataset:
    from trainer.data.builtin import load_digits

    return load_digits()


def _known(spec: Spec, ctx: Context) -> Dataset:
    """MNIST or Fashion-MNIST: an explicit path, the user data dir, /usr/share/datasets, else a download."""
    from trainer.data.download import SOURCES, download_dataset, locate, search_dirs
    from trainer.data.idx import load_idx_folder

    source = SOURCES[spec.kind]
    folder = spec.path if spec.arg else locate(spec.kind, ctx.data_dir)
    if folder is None and not ctx.download:
        places = ", ".join(str(d) for d in search_dirs(spec.kind, ctx.data_dir))
        raise DataError(f"{spec.kind}: not found in {places}; get it with {source.how_to_get(spec.kind)}")
    if folder is None:
        folder = download_dataset(spec.kind, ctx.data_dir, ctx.progress)
    from trainer.data.idx_cache import load_cached

    return load_cached(folder, ctx.data_dir / "cache", str(spec), lambda: load_idx_folder(
        folder, str(spec), class_names=source.class_names, checksums=source.md5))


def _bundled(spec: Spec, ctx: Context) -> Dataset:
    from trainer.data.bundled import load_bundled_test

    return load_bundled_test()


def _idx(spec: Spec, ctx: Context) -> Dataset:
    from trainer.data.idx import load_idx_folder

    return load_idx_folder(spec.path, str(spec))


def _celeba(spec: Spec, ctx: Context) -> Dataset:
    from trainer.data.celeba import load_celeba

    return load_celeba(spec.path, str(spec), limit=spec.options.get("limit"),  # type: ignore[arg-type]
                       label=spec.options.get("label"), progress=ctx.progress,  # type: ignore[arg-type]
                       cache_dir=ctx.data_dir / "cache")


def _folder(spec: Spec, ctx: Context) -> Dataset:
    from trainer.data.folder import load_folder

    return load_folder(spec.path, str(spec), size=spec.options.get("size"),  # type: ignore[arg-type]
                       progress=ctx.progress)


def _npz(spec: Spec, ctx: Context) -> Dataset:
    from trainer.data.npz import load_npz

    return load_npz(spec.path, str(spec))


KINDS: dict[str, Kind] = {
    "shapes": Kind(_shapes, "Generated circles, squares, triangles and stars; their factors as attributes",
                   {"n": int_in(10, 2_000_000), "seed": int_in(0, 2**32 - 1), "size": int_in(8, 256),
                    "test_fraction": float_in(0.0, 0.9)}, arg_option="n"),
    "faces": Kind(_faces, "Generated cartoon faces, 64×64 RGB; hair colour, smile, glasses… as CelebA-style "
                  "attributes (Black_Hair, Blond_Hair, Smiling, Eyeglasses…)",
                  {"n": int_in(10, 1_000_000), "seed": int_in(0, 2**32 - 1),
                   "test_fraction": float_in(0.0, 0.9)}, arg_option="n"),
    "glyphs": Kind(_glyphs, "The 95 printable ASCII characters of a 5×7 font (pad=28 for 28×28)",
                   {"pad": int_in(7, 256), "pad_to": int_in(7, 256)}, arg_option="pad"),
    "digits": Kind(_digits, "scikit-learn's 1,797 handwritten digits, 8×8"),
    "mnist": Kind(_known, "MNIST handwritten digits, 70,000 × 28×28 (mnist:PATH for a folder of IDX files)",
                  path="optional"),
    "fashion-mnist": Kind(_known, "Zalando's Fashion-MNIST clothes, 70,000 × 28×28, 10 classes",
                          path="optional"),
    "fashion-mnist-test": Kind(_bundled, "Fashion-MNIST's 10,000-image test split, bundled with the app (no "
                               "download; 8,000 for training here, 2,000 for testing)"),
    "idx": Kind(_idx, "A folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (.gz or raw)", path="required"),
    "celeba": Kind(_celeba, "CelebA: img_align_celeba/ + list_attr_celeba.txt or .csv (+ partitions); "
                   "faces cropped to 64×64 RGB, 40 attributes; ?limit=N, ?label=Male",
                   {"limit": int_in(1, 10_000_000), "label": str}, path="required"),
    "folder": Kind(_folder, "A folder with one sub-folder of images (png/jpg/bmp/gif) per class, or "
                   "train/ and test/ holding those; ?size=N resizes to N×N",
                   {"size": int_in(4, 1024)}, path="required"),
    "npz": Kind(_npz, "A .npz file: images (N×H×W, N×C×H×W or N×H×W×C), labels, optional class_names, "
                "attributes, attribute_names, n_train", path="required"),
}


def availability(name: str, data_dir: Path) -> tuple[bool, str]:
    """(available, where) for one kind, without loading or downloading anything. ``where``: the folder or
    source when available; else one sentence of what is missing and what to do (the Open data set dialog
    shows it as it is)."""
    from trainer.data.download import SOURCES, locate

    if name in SOURCES:
        folder = locate(name, data_dir)
        if folder:
            return True, str(folder)
        source = SOURCES[name]
        apt = f", or apt-get install {source.apt} installs it for every user" if source.apt else ""
        return False, (f"Not on this computer yet: it downloads when you open it ({source.download_mb} MB)"
                       f"{apt}.")
    if KINDS[name].path == "required":
        return False, f"give a path: {name}:PATH"
    if name == "fashion-mnist-test":
        from trainer.data.bundled import bundled_dir, bundled_present

        return ((True, f"bundled ({bundled_dir()})") if bundled_present()
                else (False, "Its files, which come with the app, are missing: install the app again."))
    return True, "scikit-learn (bundled)" if name == "digits" else "generated"
