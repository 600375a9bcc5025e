"""The generated ``faces`` data set: arrays, determinism, and attributes that match the pixels."""

import colorsys

import numpy as np
import pytest

from trainer.data import list_datasets, load_dataset
from trainer.data.faces import (
    ATTRIBUTE_NAMES,
    CLASS_NAMES,
    face_attributes,
    face_factors,
    hair_mask,
    make_faces,
)
from trainer.errors import DataError

CELEBA_NAMES = {"Black_Hair", "Blond_Hair", "Brown_Hair", "Smiling", "Eyeglasses", "No_Beard", "Wearing_Hat",
                "Pale_Skin"}


@pytest.fixture(scope="module")
def faces():
    return make_faces(400, seed=1)


def _column(ds, name):
    return ds.attributes[:, ds.attribute_names.index(name)]


def _mean_hsv(image: np.ndarray, mask: np.ndarray) -> tuple[float, float, float]:
    rgb = image[:, mask].mean(axis=1) / 255
    return colorsys.rgb_to_hsv(*rgb)


def test_arrays_and_metadata(faces):
    assert faces.images.shape == (400, 3, 64, 64) and faces.images.dtype == np.uint8
    assert faces.attributes.shape == (400, len(ATTRIBUTE_NAMES)) and faces.attributes.dtype == bool
    assert faces.class_names == CLASS_NAMES and faces.labels.dtype == np.int64
    assert faces.n_train == 360 and faces.spec == "faces?n=400&seed=1" and faces.source == "generated"
    assert CELEBA_NAMES <= set(faces.attribute_names)


def test_deterministic_for_a_seed(faces):
    again, other = make_faces(400, seed=1), make_faces(400, seed=2)
    assert again.images.tobytes() == faces.images.tobytes()
    assert np.array_equal(again.attributes, faces.attributes)
    assert other.images.tobytes() != faces.images.tobytes()


def test_hair_colours_are_balanced_in_each_split_and_exclusive(faces):
    for split in (faces.train, faces.test):
        counts = np.bincount(split.labels, minlength=4)
        assert counts.max() - counts.min() <= 1, counts
    hair = faces.attributes[:, :4]
    assert (hair.sum(axis=1) == 1).all()
    named = [faces.attribute_names[j].removesuffix("_Hair").lower() for j in hair.argmax(axis=1)]
    assert named == [faces.class_names[k].removesuffix(" hair") for k in faces.labels]


def test_attributes_come_from_the_factors(faces):
    factors = face_factors(400, seed=1)
    assert np.array_equal(faces.attributes, face_attributes(factors))
    assert np.array_equal(_column(faces, "No_Beard"), ~factors["beard"])
    assert np.array_equal(_column(faces, "Eyeglasses"), factors["glasses"])
    assert np.array_equal(_column(faces, "Face_Left"), factors["x"] < 0)


def test_the_hair_has_its_colour_in_the_pixels(faces):
    """Black hair is dark, blond hair is yellow and light, red hair is orange-red: measured in each face's
    hair     region, the way the morph test measures decoded faces."""
    factors = face_factors(400, seed=1)
    rows = [int(np.flatnonzero((factors["hair"] == k) & ~factors["hat"])[0]) for k in range(4)]
    hsv = [_mean_hsv(faces.images[r], hair_mask(factors, r)) for r in rows]
    black, brown, blond, red = hsv
    assert black[2] < 0.2
    assert 0.11 < blond[0] < 0.17 and blond[2] > 0.8
    assert red[0] < 0.06 and red[1] > 0.6
    assert black[2] < brown[2] < blond[2]


def test_smiles_and_glasses_change_the_pixels_where_they_should():
    factors = face_factors(1, seed=5)
    base = {k: v.copy() for k, v in factors.items()}
    base.update(tilt=np.zeros(1), x=np.zeros(1), y=np.zeros(1), smiling=np.zeros(1, bool),
                glasses=np.zeros(1, bool), hat=np.zeros(1, bool), beard=np.zeros(1, bool))
    from trainer.data.faces import render_faces

    plain = render_faces(base)[0].astype(int)
    changed = {}
    for name in ("smiling", "glasses"):
        one = {**base, name: np.ones(1, bool)}
        diff = np.abs(render_faces(one)[0].astype(int) - plain).max(axis=0) > 30
        changed[name] = np.nonzero(diff)[0].mean()
    centre = 33  # the head's centre row at y = 0
    assert changed["glasses"] < centre < changed["smiling"]  # eyes above the head's centre, mouth below


def test_loads_by_spec_and_is_listed():
    ds = load_dataset("faces:50?seed=4")
    assert ds.spec == "faces?n=50&seed=4" and len(ds.images) == 50 and ds.n_test == 5
    listed = {d.spec: d for d in list_datasets()}
    assert listed["faces"].available and "Blond_Hair" in listed["faces"].description


@pytest.mark.parametrize("spec", ["faces:0", "faces?test_fraction=1", "faces?size=32", "faces?seed=-1"])
def test_bad_options_are_one_data_error(spec):
    with pytest.raises(DataError):
        load_dataset(spec)


def test_bad_arguments_raise_data_error():
    with pytest.raises(DataError):
        face_factors(0)
    with pytest.raises(DataError):
        make_faces(10, test_fraction=1.5)
