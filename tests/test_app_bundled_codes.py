"""First start (issue 12): a model's bundled codes are drawn before torch and the model have loaded, and
the encoder then confirms them (or replaces them when they are not this model's)."""

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS, tiny_model_file

from trainer import bundled_codes as bc


@pytest.fixture
def bundled(tmp_path, monkeypatch):
    """A model file and a codes folder the app reads instead of resources/codes."""
    from trainer.cli_codes import regenerate

    path = tiny_model_file(tmp_path / "toy.safetensors", seed=3)
    folder = tmp_path / "codes"
    regenerate(path, folder)
    monkeypatch.setattr(bc, "codes_dir", lambda: folder)
    return path, folder


def open_and_watch(qtbot, path):
    """Open ``path`` in a new Session; returns it and, for each codesChanged, (model loaded?, rows, codes)."""
    from explorer.state import Session

    session, seen = Session(), []
    def record() -> None:
        codes = None if session.codes is None else session.codes.copy()
        seen.append((session.model is not None, session.n_encoded, codes))

    session.codesChanged.connect(record)
    with qtbot.waitSignal(session.ready, timeout=LOAD_TIMEOUT_MS):
        session.open_model(path)
    session.shutdown()
    return session, seen


def encoder_codes(session):
    from trainer.latent import encode

    return encode(session.model, session.dataset.images)[0]


def test_bundled_codes_are_drawn_before_the_model_loads(bundled, qtbot):
    path, folder = bundled
    session, seen = open_and_watch(qtbot, path)
    n = len(session.dataset.images)
    model_loaded, rows, codes = next(s for s in seen if s[1] == n)
    assert not model_loaded  # every point was there before the model
    np.testing.assert_array_equal(codes, bc.read(bc.codes_file(path, folder))[1][0].codes)
    np.testing.assert_allclose(session.codes, encoder_codes(session), atol=1e-5)
    first = [rows for _, rows, _ in seen].index(n)
    assert all(rows == n for _, rows, _ in seen[first:])  # never cleared


def test_codes_of_a_changed_model_file_are_not_used(bundled, qtbot):
    path, folder = bundled
    tiny_model_file(path, seed=4)  # retrained: other weights, the old codes file
    session, seen = open_and_watch(qtbot, path)
    n = len(session.dataset.images)
    assert all(model_loaded for model_loaded, rows, _ in seen if rows == n)
    np.testing.assert_allclose(session.codes, encoder_codes(session), atol=1e-5)


def test_codes_the_encoder_does_not_give_are_replaced(bundled, qtbot):
    path, folder = bundled
    model_sha, [entry] = bc.read(bc.codes_file(path, folder))
    wrong = bc.Entry(entry.spec, entry.data_sha256, entry.codes + 1)
    bc.write(bc.codes_file(path, folder), model_sha, [wrong])
    session, seen = open_and_watch(qtbot, path)
    assert not seen[[s[1] for s in seen].index(len(entry.codes))][0]  # drawn at first…
    np.testing.assert_allclose(session.codes, entry.codes, atol=1e-5)  # …then the encoder's codes
