"""Studies > Compare models side by side: linked panes, the lesson presets, loss curves, clean shutdown."""

from __future__ import annotations

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS, click_view, isolated_point

from explorer.app import MODELS_DIR, default_model
from explorer.state import Projection
from explorer.studies.compare import CompareWindow, PaneSpec, history_of
from trainer.checkpoint import read_checkpoint_info


@pytest.fixture
def compare(qtbot):
    study = CompareWindow(start=None)
    qtbot.addWidget(study)
    study.resize(1400, 900)
    study.show()
    qtbot.waitExposed(study)
    yield study
    study.close()


def wait_ready(qtbot, study) -> None:
    qtbot.waitUntil(lambda: all(p.session.is_ready for p in study.panes), timeout=LOAD_TIMEOUT_MS)


def test_selection_is_linked_and_the_strip_shows_each_reconstruction(qtbot, compare, model_file,
                                                                     model_file_3d):
    compare.set_panes([PaneSpec(model_file, name="2-D"), PaneSpec(model_file_3d, name="3-D")])
    wait_ready(qtbot, compare)
    first, second = compare.panes
    assert second.session.projection == Projection("pca")  # a 3-D code: its default view
    first.session.select(5)
    qtbot.waitUntil(lambda: second.session.selected == 5)
    strip = compare.strip
    qtbot.waitUntil(lambda: len(strip.images) == 3 and all(i is not None for i in strip.images))
    assert compare.strip.index == 5
    np.testing.assert_array_equal(compare.strip.images[0], first.session.dataset.images[5])
    for pane, shown in zip(compare.panes, compare.strip.images[1:], strict=True):
        assert pane.session.reconstruction.index == 5
        np.testing.assert_array_equal(shown, pane.session.reconstruction.image)
    row = isolated_point(second)  # a click in the other pane selects there and here
    click_view(qtbot, second, *second.session.xy[row])
    qtbot.waitUntil(lambda: first.session.selected == row)
    assert second.session.selected == row
    first.session.select(-1)
    assert second.session.selected == -1


def test_presets_build_the_lessons_panes(qtbot, compare):
    compare.choose(0)
    assert [s.path for s in compare.specs] == [MODELS_DIR / "glyphs-ae.safetensors",
                                                MODELS_DIR / "glyphs-vae.safetensors"]
    wait_ready(qtbot, compare)
    assert {p.session.dataset.spec for p in compare.panes} == {"glyphs"}
    assert all(p.grid.isVisibleTo(compare) for p in compare.panes)  # the decoded grids show the AE's gaps

    compare.choose(1)
    base = default_model()
    assert [s.path for s in compare.specs] == [base] * 3
    views = [None, Projection("pixels-pca"), Projection("pixels-tsne")]
    assert [s.projection for s in compare.specs] == views
    ae, pca, tsne = compare.panes
    assert tsne.pending == Projection("pixels-tsne")  # shown once its model is loaded
    tsne.pending = None  # cancelled before it starts: t-SNE takes too long for a test
    qtbot.waitUntil(lambda: pca.session.projection == Projection("pixels-pca"), timeout=LOAD_TIMEOUT_MS)
    assert ae.session.projection.invertible and not tsne.session.projection.of_pixels
    assert not pca.grid.isVisibleTo(compare)  # nothing to decode in a pixel view

    compare.choose(2)
    assert [s.path.name for s in compare.specs] == ["digits-mlp-ae.safetensors", "digits-conv-ae.safetensors"]
    assert compare.curves_box.isChecked() and compare.curve_area.isVisibleTo(compare)


def test_loss_curves_show_train_and_test_per_model(qtbot, compare):
    compare.choose(2)
    qtbot.waitUntil(lambda: len(compare.plot.curves) == 4, timeout=LOAD_TIMEOUT_MS)
    assert set(compare.plot.curves) == {(0, "train"), (0, "val"), (1, "train"), (1, "val")}
    for pane in compare.panes:
        history = history_of(read_checkpoint_info(pane.spec.path))
        assert len(history) > 10
        for split in ("train", "val"):
            x, y = compare.plot.curves[pane.number, split].getData()
            np.testing.assert_array_equal(x, [h["epoch"] for h in history])
            np.testing.assert_allclose(y, [h[split]["loss"] for h in history])
    pens = {split: compare.plot.curves[0, split].opts["pen"].style() for split in ("train", "val")}
    assert pens["train"] != pens["val"]  # test dashed


def test_fit_stores_the_loss_history(tmp_path):
    from trainer.cli import main

    out = tmp_path / "m.safetensors"
    assert main(["fit", "--data", "digits", "--family", "ae", "--hidden", "8", "--epochs", "3",
                 "--threads", "1", "--quiet", "--out", str(out)]) == 0
    history = read_checkpoint_info(out).metrics["history"]
    assert [h["epoch"] for h in history] == [1, 2, 3]
    assert all(h["train"]["loss"] > 0 and h["val"]["loss"] > 0 for h in history)


def test_open_model_in_a_pane_uses_the_shared_data(qtbot, compare, model_file, model_file_3d):
    compare.set_panes([PaneSpec(model_file), PaneSpec(model_file)])
    wait_ready(qtbot, compare)
    compare.open_in(compare.panes[1], model_file_3d)
    qtbot.waitUntil(lambda: compare.panes[1].session.model_path == model_file_3d, timeout=LOAD_TIMEOUT_MS)
    assert compare.specs[1].path == model_file_3d
    assert compare.panes[1].session.dataset.spec == compare.panes[0].session.dataset.spec


def test_closing_stops_every_pane_and_showing_again_rebuilds_them(qtbot, compare, model_file):
    compare.set_panes([PaneSpec(model_file), PaneSpec(model_file)])
    wait_ready(qtbot, compare)
    compare.close()
    from explorer import workers

    assert not workers.running_lanes()
    compare.show()
    wait_ready(qtbot, compare)
    assert len(compare.panes) == 2  # the fixture closes it again; no thread may be left


def test_the_studies_menu_opens_it_and_the_main_window_closes_it(qtbot, window):
    import importlib

    from explorer.studies import STUDIES

    assert "compare" in STUDIES
    for name, title in STUDIES.items():  # the menu's titles are the modules' own (imported only when opened)
        assert importlib.import_module(f"explorer.studies.{name}").TITLE == title
    study = window.studies.open("compare")
    assert study.windowTitle() == "Compare models side by side"
    wait_ready(qtbot, study)
    window.close()  # the autouse fixture checks that no pane's thread is left
