"""The bounds on every number a person (a flag, a sweep grid, a settings field) or a file can give the engine.

Each bound is what the number can mean on a desktop or a server, so that no input makes the program allocate
memory out of proportion to it, overflow a C integer, or hang: the command line checks them when it parses
(one-line error, exit 2), and the settings dataclasses check them again (``ConfigError``). Model sizes are
bounded in ``trainer.models.config`` (``MAX_LATENT``, ``MAX_WIDTH``, ``MAX_PARAMETERS``).
"""

from __future__ import annotations

from trainer.errors import ConfigError

MAX_SEED = 2**63 - 1  # torch.manual_seed takes a signed 64-bit integer
MAX_THREADS = 256  # torch CPU threads (OpenMP makes one stack per thread)
MAX_EPOCHS = 1_000_000
MAX_BATCH = 2**24  # images per step; more than any data set's split that fits in memory
MAX_IW_SAMPLES = 10_000  # importance samples per image (Burda et al. 2015 evaluate with 5,000)
MAX_LIMIT = 2**62  # --limit-train
MAX_SHIFT_PX = 64  # classify --shift: augmentation by random translations, pixels each way

# Files: decompressed data may be at most this many times the size of the file it comes from (plus a fixed
# allowance), so that a small gzip or zip bomb is refused before it is inflated. Real image data compresses
# 2-10×; a blank data set compresses up to ~1000× and is refused (decompress it first: raw files are read as
# they are).
MAX_EXPANSION = 100
EXPANSION_ALLOWANCE = 64 * 2**20  # bytes
MAX_IMAGE_PIXELS = 64_000_000  # one decoded image (8000×8000), checked from its header before decoding
MAX_DATASET_BYTES = 8 * 2**30  # decoded images of one data set
MAX_CLASSES = 10_000  # classes of one data set (a legend, a K×K confusion matrix)


def check_int(name: str, value: int, low: int, high: int) -> int:
    """``value`` if low ≤ value ≤ high, else ConfigError naming the setting and the range."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{name} must be a whole number from {low:,} to {high:,}, got {value!r}")
    return value


def expansion_limit(compressed_bytes: int) -> int:
    """The most bytes ``compressed_bytes`` of a file may decompress to."""
    return MAX_EXPANSION * max(int(compressed_bytes), 0) + EXPANSION_ALLOWANCE


def check_train(cfg) -> None:
    """The bounds of a TrainConfig (seed, threads, epochs, batch size, limit_train)."""
    check_int("seed", cfg.seed, 0, MAX_SEED)
    check_int("epochs", cfg.epochs, 1, MAX_EPOCHS)
    check_int("batch_size", cfg.batch_size, 1, MAX_BATCH)
    if cfg.threads is not None:
        check_int("threads", cfg.threads, 1, MAX_THREADS)
    if cfg.limit_train is not None:
        check_int("limit_train", cfg.limit_train, 1, MAX_LIMIT)
