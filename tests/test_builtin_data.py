"""The built-in data sets: generated shapes, the 5×7 font, scikit-learn's digits."""

import numpy as np
import pytest

from trainer.data.builtin import (
    load_digits,
    make_glyphs,
    make_shapes,
    render_shapes,
    shape_attributes,
    shape_factors,
)
from trainer.data.glyphs import CHARACTERS
from trainer.data.shapes import ATTRIBUTE_NAMES, CLASS_NAMES, PERIOD_DEG
from trainer.errors import DataError


@pytest.fixture(scope="module")
def shapes():
    return make_shapes(400, seed=1)


def _column(ds, name):
    return ds.attributes[:, ds.attribute_names.index(name)]


def _centre_of_mass(images):
    mass = images[:, 0].astype(np.float64)
    ys, xs = np.mgrid[0:mass.shape[1], 0:mass.shape[2]] + 0.5
    total = mass.sum(axis=(1, 2))
    return (mass * xs).sum(axis=(1, 2)) / total, (mass * ys).sum(axis=(1, 2)) / total


# --- shapes -------------------------------------------------------------------------------------------------

def test_shapes_arrays_and_metadata(shapes):
    assert shapes.images.shape == (400, 1, 28, 28) and shapes.images.dtype == np.uint8
    assert shapes.labels.dtype == np.int64 and shapes.attributes.dtype == bool
    assert shapes.attributes.shape == (400, len(ATTRIBUTE_NAMES))
    assert shapes.class_names == ["circle", "square", "triangle", "star"]
    assert shapes.n_train == 400 - round(400 / 6)
    assert shapes.spec == "shapes?n=400&seed=1" and shapes.source == "generated"


def test_shapes_default_spec_and_size_option():
    small = make_shapes(8, seed=0, size=32)
    assert small.images.shape == (8, 1, 32, 32)
    assert small.spec == "shapes?n=8&size=32"


def test_shapes_are_deterministic_per_seed(shapes):
    again = make_shapes(400, seed=1)
    other = make_shapes(400, seed=2)
    assert again.images.tobytes() == shapes.images.tobytes()
    assert np.array_equal(again.attributes, shapes.attributes)
    assert other.images.tobytes() != shapes.images.tobytes()


def test_shapes_classes_are_balanced_in_each_split(shapes):
    for split in (shapes.train, shapes.test, shapes):
        counts = np.bincount(split.labels, minlength=4)
        assert counts.max() - counts.min() <= 1, counts


def test_white_shapes_on_black_with_antialiasing(shapes):
    images = shapes.images[:, 0]
    assert (images.max(axis=(1, 2)) == 255).all()
    border = np.concatenate([images[:, 0], images[:, -1], images[:, :, 0], images[:, :, -1]], axis=1)
    assert (border == 0).mean() > 0.99
    grey = (images > 0) & (images < 255)
    assert grey.any(axis=(1, 2)).all()


def test_labels_and_attributes_come_from_the_factors(shapes):
    factors = shape_factors(400, seed=1)
    assert np.array_equal(shapes.labels, factors["label"])
    assert np.array_equal(shapes.attributes, shape_attributes(factors))
    assert np.array_equal(_column(shapes, "filled"), factors["filled"])
    assert np.array_equal(_column(shapes, "left"), factors["x"] < 0)


def test_attributes_are_neither_always_on_nor_off(shapes):
    share = shapes.attributes.mean(axis=0)
    assert ((share > 0.2) & (share < 0.8)).all(), dict(zip(shapes.attribute_names, share, strict=True))


def test_outlines_lie_inside_the_filled_shape():
    factors = shape_factors(200, seed=3)
    filled = render_shapes({**factors, "filled": np.ones(200, bool)})
    outlined = render_shapes({**factors, "filled": np.zeros(200, bool)})
    assert (outlined <= filled).all()
    for label in range(4):
        rows = factors["label"] == label
        assert outlined[rows].sum() < 0.85 * filled[rows].sum(), CLASS_NAMES[label]


def test_filled_and_large_shapes_light_more_pixels(shapes):
    lit = shapes.images.astype(np.int64).sum(axis=(1, 2, 3))
    for label in range(4):
        rows = shapes.labels == label
        for name in ("filled", "large"):
            on = _column(shapes, name)
            assert lit[rows & on].mean() > lit[rows & ~on].mean(), (CLASS_NAMES[label], name)


def test_left_and_top_move_the_centre_of_mass(shapes):
    x, y = _centre_of_mass(shapes.images)
    left, top = _column(shapes, "left"), _column(shapes, "top")
    assert x[left].mean() < 13 < 15 < x[~left].mean()
    assert y[top].mean() < 13 < 15 < y[~top].mean()
    assert (x[left] < 14.5).mean() > 0.9 and (x[~left] > 13.5).mean() > 0.9


def test_stretched_circles_are_elongated():
    factors = shape_factors(400, seed=4)
    factors["label"][:] = 0
    factors["filled"][:] = True
    images = render_shapes(factors)[:, 0].astype(np.float64)
    ys, xs = np.mgrid[0:28, 0:28]
    ratios = []
    for image in images:
        w = image / image.sum()
        mx, my = (w * xs).sum(), (w * ys).sum()
        cov = [[(w * (xs - mx) ** 2).sum(), (w * (xs - mx) * (ys - my)).sum()],
               [(w * (xs - mx) * (ys - my)).sum(), (w * (ys - my) ** 2).sum()]]
        low, high = np.linalg.eigvalsh(cov)
        ratios.append(np.sqrt(high / low))
    stretched = shape_attributes(factors)[:, ATTRIBUTE_NAMES.index("stretched")]
    ratios = np.array(ratios)
    assert ratios[~stretched].mean() < 1.15 < 1.22 < ratios[stretched].mean()


@pytest.mark.parametrize("label", [1, 2, 3])
def test_rotation_by_one_symmetry_period_looks_the_same(label):
    factors = shape_factors(12, seed=5)
    factors["label"][:] = label
    factors["stretch"][:] = 1.0  # a stretched shape (a rectangle, say) keeps less of its symmetry
    half = PERIOD_DEG[label] / 2
    plus = render_shapes({**factors, "rotation": np.full(12, half)}).astype(int)
    minus = render_shapes({**factors, "rotation": np.full(12, -half)}).astype(int)
    upright = render_shapes({**factors, "rotation": np.zeros(12)}).astype(int)
    assert np.abs(plus - minus).max() <= 2
    assert np.abs(plus - upright).max() > 100


def test_twenty_thousand_shapes_are_generated():
    ds = make_shapes()
    assert ds.spec == "shapes" and ds.images.shape == (20000, 1, 28, 28)
    assert ds.n_train == 16667
    assert (np.bincount(ds.labels) == 5000).all()


def test_bad_shape_options_raise_data_error():
    with pytest.raises(DataError, match="n must be"):
        make_shapes(0)
    with pytest.raises(DataError, match="size"):
        make_shapes(4, size=4)
    with pytest.raises(DataError, match="test_fraction"):
        make_shapes(4, test_fraction=1.0)


# --- glyphs -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def glyphs():
    return make_glyphs()


def _glyph(ds, char):
    return ds.train.images[CHARACTERS.index(char), 0] > 0


def test_glyphs_arrays_and_split(glyphs):
    assert glyphs.images.shape == (95, 1, 7, 5) and glyphs.images.dtype == np.uint8
    assert set(np.unique(glyphs.images)) == {0, 255}
    assert glyphs.n_train == 95 and glyphs.spec == "glyphs" and glyphs.source == "built-in 5×7 font"
    assert glyphs.n_test == 0  # 95 characters cannot spare a test split: none, rather than a copy
    assert np.array_equal(glyphs.train.labels, np.arange(95))
    assert glyphs.class_names[0] == "space" and glyphs.class_names[1:] == [chr(c) for c in range(0x21, 0x7F)]


def test_all_glyphs_are_distinct(glyphs):
    assert len({image.tobytes() for image in glyphs.train.images}) == 95


def test_space_dot_and_lines(glyphs):
    assert not _glyph(glyphs, " ").any()
    dot = _glyph(glyphs, ".")
    assert 1 <= dot.sum() <= 4 and not dot[:5].any()
    assert _glyph(glyphs, "_")[6].all() and not _glyph(glyphs, "_")[:6].any()
    assert _glyph(glyphs, "|")[:, 2].all() and _glyph(glyphs, "|").sum() == 7
    assert _glyph(glyphs, "-")[3].all() and _glyph(glyphs, "-").sum() == 5


def test_letters_I_and_O(glyphs):
    i = _glyph(glyphs, "I")
    assert i[:, 2].all() and not i[:, 0].any() and not i[:, 4].any()
    assert i[0, 1:4].all() and i[6, 1:4].all() and i[1:6].sum() == 5
    o = _glyph(glyphs, "O")
    assert o[1:6, 0].all() and o[1:6, 4].all() and o[0, 1:4].all() and o[6, 1:4].all()
    assert not o[1:6, 1:4].any() and not o[[0, 0, 6, 6], [0, 4, 0, 4]].any()


def test_glyph_attributes(glyphs):
    names = glyphs.attribute_names
    row = {c: dict(zip(names, glyphs.attributes[k], strict=True)) for k, c in enumerate(CHARACTERS)}
    assert row["A"]["upper"] and not row["A"]["lower"] and row["q"]["lower"] and row["7"]["digit"]
    assert row["?"]["punctuation"] and not any(row[" "].values())
    assert glyphs.attributes[:95].sum(axis=0).tolist() == [10, 26, 26, 32]


def test_padded_glyphs_upscale_the_bitmaps(glyphs):
    padded = make_glyphs(pad_to=28)
    assert padded.images.shape == (95, 1, 28, 28) and padded.spec == "glyphs?pad=28"
    assert not padded.images[:, :, :, :4].any() and not padded.images[:, :, :, 24:].any()
    assert np.array_equal(padded.images[:, :, ::4, 4:24:4], glyphs.images)
    assert np.array_equal(padded.images[:, :, 3::4, 7:24:4], glyphs.images)


def test_too_small_padding_is_a_data_error():
    with pytest.raises(DataError, match="pad"):
        make_glyphs(pad_to=6)


# --- digits -------------------------------------------------------------------------------------------------

def test_digits_counts_values_and_split():
    ds = load_digits()
    assert ds.images.shape == (1797, 1, 8, 8) and ds.images.dtype == np.uint8
    assert ds.images.min() == 0 and ds.images.max() == 255
    assert len(np.unique(ds.images)) <= 17
    assert ds.n_train == 1797 - 359 and ds.spec == "digits" and ds.source == "scikit-learn (bundled)"
    assert ds.class_names == [str(d) for d in range(10)]
    assert set(ds.test.labels.tolist()) == set(range(10))
    assert np.array_equal(load_digits().images, ds.images)


def test_digits_keep_images_with_their_labels():
    from sklearn.datasets import load_digits as sklearn_digits

    original = sklearn_digits()
    scaled = np.rint(original.images * 255 / 16).astype(np.uint8)
    ds = load_digits()
    assert not np.array_equal(ds.images[:, 0], scaled)  # shuffled
    for row in range(0, 1797, 97):
        match = np.flatnonzero((scaled == ds.images[row, 0]).all(axis=(1, 2)))
        assert len(match) >= 1 and (original.target[match] == ds.labels[row]).all()


# --- every built-in data set --------------------------------------------------------------------------------

def _builtin_specs():
    """Every data set that needs no path and no download, small where it takes a size (``?n=``)."""
    from trainer.data.registry import KINDS

    specs = [f"{name}?n=300" if "n" in kind.options else name
             for name, kind in KINDS.items() if kind.path == "none"]
    return specs + ["glyphs?pad=28"]


@pytest.mark.parametrize("spec", _builtin_specs())
def test_no_built_in_data_set_has_test_images_identical_to_training_images(spec):
    """A test split scores a model on images it did not learn: no test image may be a copy of a training
    image (glyphs once copied all 95 into the test split: 190 dots, each drawn twice, scored on
    themselves)."""
    from trainer.data.registry import load_dataset

    ds = load_dataset(spec)
    train = {image.tobytes() for image in ds.images[:ds.n_train]}
    copies = [i for i in range(ds.n_train, len(ds.images)) if ds.images[i].tobytes() in train]
    assert copies == [], f"{spec}: {len(copies)} of {ds.n_test} test images are training images"
