"""Fuzzing the readers: random and mutated IDX, npz and CelebA files may only ever raise DataError."""

import gzip
import io
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from trainer.data import Dataset, load_dataset
from trainer.data.celeba import parse_attributes
from trainer.data.idx import FILES
from trainer.data.registry import KINDS, parse_spec
from trainer.errors import DataError

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
mutations = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6)


def load_or_data_error(spec: str) -> Dataset | None:
    """Load ``spec``; a DataError is a fine answer, any other exception fails the test."""
    try:
        ds = load_dataset(spec)
    except DataError as e:
        assert str(e)
        event("DataError")
        return None
    event("loaded")
    assert isinstance(ds, Dataset) and len(ds.images) > 0
    return ds


def mutate(data: bytes, changes: list[tuple[int, int]], cut: int | None) -> bytes:
    out = bytearray(data)
    for pos, value in changes:
        if out:
            out[pos % len(out)] = value
    return bytes(out if cut is None else out[:cut])


def idx_bytes(a: np.ndarray) -> bytes:
    return bytes([0, 0, 8, a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape) + a.astype(np.uint8).tobytes()


@pytest.fixture(scope="module")
def idx_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("idx")
    arrays = [np.arange(3 * 16).reshape(3, 4, 4), np.array([0, 1, 2]), np.zeros((2, 4, 4)), np.array([1, 0])]
    for name, a in zip(FILES, arrays, strict=True):
        (folder / name).write_bytes(idx_bytes(a))
    return folder


@FUZZ
@given(which=st.sampled_from(FILES), changes=mutations, cut=st.none() | st.integers(0, 80), gz=st.booleans())
def test_mutated_idx(idx_folder, which, changes, cut, gz):
    original = (idx_folder / which).read_bytes()
    data = mutate(original, changes, cut)
    if gz:
        data = mutate(gzip.compress(data), changes[:1], None)
    try:
        (idx_folder / which).write_bytes(data)
        load_or_data_error(f"idx:{idx_folder}")
    finally:
        (idx_folder / which).write_bytes(original)


@FUZZ
@given(which=st.sampled_from(FILES), data=st.binary(max_size=120))
def test_random_idx_bytes(idx_folder, which, data):
    original = (idx_folder / which).read_bytes()
    try:
        (idx_folder / which).write_bytes(data)
        load_or_data_error(f"idx:{idx_folder}")
    finally:
        (idx_folder / which).write_bytes(original)


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


VALID_NPZ = npz_bytes(images=np.zeros((4, 3, 3), np.uint8), labels=np.array([0, 1, 0, 1]),
                      attributes=np.ones((4, 2), bool), n_train=np.array(3))


@FUZZ
@given(changes=mutations, cut=st.none() | st.integers(0, len(VALID_NPZ)), junk=st.binary(max_size=60))
def test_mutated_and_random_npz(tmp_path_factory, changes, cut, junk):
    path = tmp_path_factory.getbasetemp() / "fuzz.npz"
    for data in (mutate(VALID_NPZ, changes, cut), junk):
        path.write_bytes(data)
        load_or_data_error(f"npz:{path}")


array_of_any_kind = hnp.arrays(
    dtype=st.sampled_from([np.uint8, np.int16, np.int64, np.float32, np.float64, bool, np.complex64, "U3"]),
    shape=hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=4),
)


plausible_images = hnp.arrays(np.uint8, st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)))


@FUZZ
@given(images=plausible_images | array_of_any_kind, labels=st.none() | array_of_any_kind,
       extra=array_of_any_kind,
       extra_name=st.sampled_from(["class_names", "attributes", "attribute_names", "n_train"]))
def test_npz_with_arbitrary_arrays(tmp_path_factory, images, labels, extra, extra_name):
    path = tmp_path_factory.getbasetemp() / "arrays.npz"
    arrays = {"images": images, extra_name: extra} | ({} if labels is None else {"labels": labels})
    path.write_bytes(npz_bytes(**arrays))
    ds = load_or_data_error(f"npz:{path}")
    if ds is not None:
        assert ds.images.dtype == np.uint8 and ds.images.ndim == 4


VALID_ATTRS = "3\nMale Smiling\n000001.jpg -1  1\n000002.jpg  1  1\n000003.jpg -1 -1\n"
tokens = st.sampled_from(["1", "-1", "0", "2", "", " ", "\n", "000001.jpg", "../x.jpg", "Male", "3", "\t",
                          "x"])


@FUZZ
@given(text=st.text(max_size=200))
def test_random_attribute_text(text):
    try:
        files, names, values = parse_attributes(text, Path("list_attr_celeba.txt"))
    except DataError:
        return
    assert values.shape == (len(files), len(names)) and values.dtype == bool


@pytest.fixture(scope="module")
def celeba_folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("celeba")
    (root / "img_align_celeba").mkdir()
    for i in range(3):
        Image.new("RGB", (20, 24), (i * 80, 50, 50)).save(root / "img_align_celeba" / f"00000{i + 1}.jpg")
    return root


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 10_000), tokens), max_size=5),
       partition=st.none() | st.lists(st.tuples(st.integers(1, 4), st.integers(-1, 3)), max_size=4))
def test_mutated_celeba_attribute_and_partition_files(celeba_folder, edits, partition):
    words = VALID_ATTRS.replace("\n", " \n ").split(" ")
    for pos, token in edits:
        words[pos % len(words)] = token
    (celeba_folder / "list_attr_celeba.txt").write_text(" ".join(words))
    part = celeba_folder / "list_eval_partition.txt"
    part.unlink(missing_ok=True)
    if partition is not None:
        part.write_text("".join(f"00000{i}.jpg {p}\n" for i, p in partition))
    ds = load_or_data_error(f"celeba:{celeba_folder}")
    if ds is not None:
        assert ds.images.shape[1:] == (3, 64, 64) and ds.attributes.shape[0] == len(ds.images)


spec_parts = st.sampled_from(["idx", "npz", "shapes", "mnist", "celeba", "folder", "x", ":", "?", "&", "=",
                              "n", "limit", "label", "10", "-1", "/tmp", "~", "\0", " ", "size", "pad", "%26",
                              "%", "+"])


@FUZZ
@given(parts=st.lists(spec_parts | st.text(max_size=5), max_size=8))
def test_spec_parsing_raises_only_data_error(parts):
    spec = "".join(parts)
    try:
        parsed = parse_spec(spec, KINDS)
    except DataError:
        return
    assert parsed.kind in KINDS and parse_spec(str(parsed), KINDS) == parsed
