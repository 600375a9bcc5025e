"""Named latent vectors in a JSON file beside the model: round trip, paths, one clear error per bad file."""

import json

import numpy as np
import pytest

from trainer.errors import ConfigError
from trainer.vectors import FORMAT, FORMAT_VERSION, NamedVector, load_vectors, save_vectors, vectors_path


def _vectors(dim: int = 3) -> dict:
    rng = np.random.default_rng(0)
    names = ("large", "filled")
    return {name: NamedVector(name, rng.normal(size=dim), f"attribute '{name}'") for name in names}


def _write(path, doc) -> None:
    path.write_text(json.dumps(doc), encoding="utf-8")


def _doc(**changes) -> dict:
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION, "latent_dim": 2,
           "vectors": [{"name": "v", "vector": [1.0, -2.0], "source": "s", "created": ""}]}
    doc.update(changes)
    return doc


def test_vectors_path_sits_beside_the_model(tmp_path):
    assert vectors_path(tmp_path / "shapes-vae.safetensors") == tmp_path / "shapes-vae.vectors.json"
    assert vectors_path("a/b.c.safetensors").name == "b.c.vectors.json"


def test_save_then_load_gives_the_same_vectors(tmp_path):
    path = tmp_path / "m.vectors.json"
    vectors = _vectors()
    assert save_vectors(path, vectors) == path
    back = load_vectors(path, 3)
    assert list(back) == ["large", "filled"]
    for name, v in vectors.items():
        np.testing.assert_array_equal(back[name].vector, v.vector)
        assert back[name].vector.dtype == np.float32
        assert (back[name].source, back[name].created) == (v.source, v.created)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert (doc["format"], doc["format_version"], doc["latent_dim"]) == (FORMAT, FORMAT_VERSION, 3)
    assert [p.name for p in tmp_path.iterdir()] == ["m.vectors.json"]  # no temp file left behind


def test_missing_file_means_no_vectors(tmp_path):
    assert load_vectors(tmp_path / "none.vectors.json", 4) == {}


def test_saving_replaces_the_old_file(tmp_path):
    path = tmp_path / "m.vectors.json"
    save_vectors(path, _vectors())
    save_vectors(path, {"only": NamedVector("only", [1, 2, 3])})
    assert list(load_vectors(path, 3)) == ["only"]


def test_vectors_of_another_size_are_refused(tmp_path):
    path = tmp_path / "m.vectors.json"
    save_vectors(path, _vectors(3))
    with pytest.raises(ConfigError, match="3 dimensions.*has 2.*another model"):
        load_vectors(path, 2)
    with pytest.raises(ConfigError, match="differ in size"):
        save_vectors(path, {"a": NamedVector("a", [1, 2]), "b": NamedVector("b", [1, 2, 3])})


def test_non_finite_vectors_are_not_saved(tmp_path):
    path = tmp_path / "m.vectors.json"
    with pytest.raises(ConfigError, match="not finite"):
        save_vectors(path, {"a": NamedVector("a", [1.0, np.nan])})
    assert not path.exists()


@pytest.mark.parametrize("content, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
    (b"{not json", "not a valid vectors file"),
    (b"[1, 2]", "not a Latent Explorer vectors file"),
    (b'{"format": "something-else"}', "not a Latent Explorer vectors file"),
    (b"[" * 100_000, "not a valid vectors file"),
])
def test_corrupt_files_give_one_clear_error(tmp_path, content, message):
    path = tmp_path / "m.vectors.json"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        load_vectors(path, 2)


@pytest.mark.parametrize("changes, message", [
    ({"format_version": 2}, "format version 2"),
    ({"latent_dim": "2"}, "another model"),
    ({"vectors": {"v": [1, 2]}}, "must be a list"),
    ({"vectors": [[1.0, 2.0]]}, "not an object"),
    ({"vectors": [{"vector": [1.0, 2.0]}]}, "needs a name"),
    ({"vectors": [{"name": "", "vector": [1.0, 2.0]}]}, "needs a name"),
    ({"vectors": [{"name": "v", "vector": [1.0]}]}, "list of 2 numbers"),
    ({"vectors": [{"name": "v", "vector": [1.0, "2"]}]}, "list of 2 numbers"),
    ({"vectors": [{"name": "v", "vector": [1.0, True]}]}, "list of 2 numbers"),
    ({"vectors": [{"name": "v", "vector": [1.0, 1e300]}]}, "too large"),
    ({"vectors": [{"name": "v", "vector": [1.0, 2.0], "source": 3}]}, "not text"),
    ({"vectors": [{"name": "v", "vector": [1.0, 2.0]}, {"name": "v", "vector": [0.0, 2.0]}]}, "used twice"),
])
def test_bad_contents_give_one_clear_error(tmp_path, changes, message):
    path = tmp_path / "m.vectors.json"
    _write(path, _doc(**changes))
    with pytest.raises(ConfigError, match=message):
        load_vectors(path, 2)


def test_nan_in_the_file_is_refused(tmp_path):
    path = tmp_path / "m.vectors.json"
    path.write_text(json.dumps(_doc()).replace("-2.0", "NaN"), encoding="utf-8")
    with pytest.raises(ConfigError, match="not finite"):
        load_vectors(path, 2)


def test_a_valid_hand_written_file_loads(tmp_path):
    path = tmp_path / "m.vectors.json"
    _write(path, _doc())
    (v,) = load_vectors(path, 2).values()
    assert v.name == "v" and v.source == "s"
    np.testing.assert_array_equal(v.vector, [1.0, -2.0])
