"""Lesson 7 in the window: Show me opens the bundled faces VAE, selects a black-haired face and morphs it
along Blond_Hair, then Smiling and Eyeglasses, with the data set's attributes in the Attributes tool."""

from dataclasses import replace

import numpy as np
from app_fixtures import *  # noqa: F403
from PySide6.QtCore import QUrl

from explorer import demo, lessons
from explorer.lessons import FACE, SETUPS, first_row_with

LOAD_MS = 120_000


def click_lesson(window, name):
    window.help.open_lessons().anchorClicked.emit(QUrl(f"lesson:{name}"))


def attribute(session, name):
    return session.dataset.attributes[:, session.dataset.attribute_names.index(name)]


def test_first_row_with_reads_conditions():
    from trainer.data.faces import make_faces

    ds = make_faces(2000, seed=3)
    row = first_row_with(ds, FACE)
    assert row >= ds.n_train
    names = ds.attribute_names
    has = dict(zip(names, ds.attributes[row], strict=True))
    assert has["Black_Hair"] and has["No_Beard"]
    assert not (has["Smiling"] or has["Eyeglasses"] or has["Wearing_Hat"])
    assert first_row_with(ds, ("No_Such_Attribute",)) == -1
    assert first_row_with(ds, ("Black_Hair", "Blond_Hair")) == -1  # no face has both


def test_show_me_morphs_a_black_haired_face_blond_then_smiling_then_glasses(window, qtbot, monkeypatch):
    """The lesson's own set-ups, on 2,000 faces instead of 20,000 (the same model and code path, faster)."""
    for name in ("faces-blond", "faces-smiling", "faces-glasses"):
        monkeypatch.setitem(SETUPS, name, replace(SETUPS[name], data="faces:2000"))
    session = window.session
    tool = window.docks["attributes"].panel.tool
    want = lessons.MODELS_DIR / "faces-vae.safetensors"
    for name, attr in (("faces-blond", "Blond_Hair"), ("faces-smiling", "Smiling"),
                       ("faces-glasses", "Eyeglasses")):
        click_lesson(window, name)
        qtbot.waitUntil(lambda: window.help.runner.pending is None and session.model_path == want
                        and session.is_ready, timeout=LOAD_MS)
        assert session.dataset.spec == "faces?n=2000" and session.projection.kind == "pca"
        assert tool.attribute_names[tool.attribute] == attr and tool.source == "attribute"
        row = session.selected
        assert attribute(session, "Black_Hair")[row] and not attribute(session, attr)[row]
        assert tool.alpha == SETUPS[name].alpha == 2.0
        qtbot.waitUntil(lambda: tool.morph is not None, timeout=LOAD_MS)
        assert tool.morph.images.shape == (tool.k, 3, 64, 64)
        assert np.isfinite(tool.morph.images).all()
        qtbot.waitUntil(lambda: demo.idle(window), timeout=LOAD_MS)
