"""The Denoising panel on a Session + ScatterView with the tiny 2-D digits VAE (the ``scene`` fixture)."""

import re

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import tiny_model_file
from PySide6.QtCore import QCoreApplication

from explorer.widgets.denoise_panel import HINT, DenoisePanel
from trainer.denoise import sweep_batch, trail_levels
from trainer.latent import decode, encode
from trainer.resources import models_dir
from trainer.train import corrupt_np

TIMEOUT = 20_000
DAE = models_dir() / "digits-dae.safetensors"


@pytest.fixture
def panel(qtbot, scene):
    panel = DenoisePanel(scene.session, scene.scatter)
    qtbot.addWidget(panel)
    panel.resize(520, 800)
    panel.show()
    return panel


def wait_result(qtbot, tool, kind: str, level: float, index: int):
    def shown():
        r = tool.result
        return r is not None and tool.request.index == index and r.kind == kind and r.level == level
    qtbot.waitUntil(shown, timeout=TIMEOUT)
    return tool.result


def label_db(label) -> float:
    return float(re.search(r"PSNR (-?[\d.]+) dB", label.text()).group(1))


def direct_psnr(clean: np.ndarray, other: np.ndarray) -> float:
    return 10 * np.log10(1 / np.mean((clean.astype(np.float64) - other.astype(np.float64)) ** 2))


def test_the_slider_sets_the_level_and_the_psnr_labels_agree(qtbot, scene, panel):
    s, tool = scene.session, panel.tool
    assert panel.hint.text() == HINT and not panel.hint.isHidden()
    s.select(11)
    clean = s.dataset.images[11].astype(np.float32) / 255
    for value in (25, 70):
        panel.level_slider.setValue(value)
        assert panel.level_label.text() == f"{value} %"
        r = wait_result(qtbot, tool, "gaussian", value / 100, 11)
        noisy = corrupt_np(clean, "gaussian", value / 100, seed=tool.seed)
        assert np.array_equal(panel.boxes[1].array, noisy)
        assert np.array_equal(panel.boxes[0].array, s.dataset.images[11])
        recon = decode(s.model, encode(s.model, noisy[None])[0])[0]
        assert np.allclose(panel.boxes[2].array, recon, atol=1e-5)
        assert label_db(panel.psnr_labels[1]) == pytest.approx(direct_psnr(clean, noisy), abs=0.005)
        assert label_db(panel.psnr_labels[2]) == pytest.approx(direct_psnr(clean, recon), abs=0.005)
        assert panel.psnr_labels[0].text() == "—" and panel.hint.isHidden()
        trail = panel.overlay.marks["trail"].codes
        assert len(trail) == len(trail_levels(value / 100)) == len(r.trail_codes)
        assert np.allclose(panel.overlay.marks["end"].codes[0], trail[-1])


def test_a_fast_drag_ends_on_the_last_level(qtbot, scene, panel):
    """One preview job in flight: the values passed over are skipped, the last one is always shown."""
    s, tool = scene.session, panel.tool
    s.select(7)
    for value in range(10, 91, 5):
        panel.level_slider.setValue(value)
    r = wait_result(qtbot, tool, "gaussian", 0.9, 7)
    clean = s.dataset.images[7].astype(np.float32) / 255
    assert np.array_equal(panel.boxes[1].array, corrupt_np(clean, "gaussian", 0.9, seed=0))
    assert label_db(panel.psnr_labels[1]) == pytest.approx(r.psnr_noisy, abs=0.005)
    qtbot.waitUntil(lambda: not tool.preview_jobs.busy, timeout=TIMEOUT)
    assert tool.result.level == 0.9


def test_the_corruption_combo_and_clearing_the_selection(qtbot, scene, panel):
    s, tool = scene.session, panel.tool
    panel.level_slider.setValue(50)
    s.select(3)
    panel.kind_box.setCurrentIndex(panel.kind_box.findData("mask"))
    assert tool.kind == "mask"
    wait_result(qtbot, tool, "mask", 0.5, 3)
    clean = s.dataset.images[3].astype(np.float32) / 255
    assert np.array_equal(panel.boxes[1].array, corrupt_np(clean, "mask", 0.5, seed=0))
    s.select(-1)
    assert tool.result is None and not panel.overlay.marks
    assert not panel.hint.isHidden() and panel.boxes[1].array is None


def test_level_zero_shows_identical_and_the_model_going_away_clears(qtbot, scene, panel):
    s, tool = scene.session, panel.tool
    panel.level_slider.setValue(0)
    s.select(5)
    wait_result(qtbot, tool, "gaussian", 0.0, 5)
    assert "identical" in panel.psnr_labels[1].text()
    s.show_codes(s.codes.copy())  # what training does: the model is set aside
    assert s.model is None and tool.result is None and not panel.overlay.marks
    assert not panel.sweep_button.isEnabled()


def test_noise_sweep_and_comparison(qtbot, scene, panel, tmp_path):
    s, tool = scene.session, panel.tool
    panel.sweep_button.click()
    qtbot.waitUntil(lambda: len(tool.curves) == 1 and not tool.sweep_jobs.busy, timeout=TIMEOUT)
    curve = tool.curves[0]
    assert curve.label == s.model_name() and curve.path is None
    assert np.allclose(curve.sweep.levels, np.linspace(0, 1, 11))
    batch = sweep_batch(s.dataset.images, s.dataset.n_train).astype(np.float32) / 255
    noisy = corrupt_np(batch, "gaussian", 0.5, seed=0)
    expected = np.mean([direct_psnr(c, n) for c, n in zip(batch, noisy, strict=True)])
    assert curve.sweep.psnr_noisy[5] == pytest.approx(expected)
    tool.compare_with(DAE)
    qtbot.waitUntil(lambda: len(tool.curves) == 2 and not tool.sweep_jobs.busy, timeout=TIMEOUT)
    assert [c.label for c in tool.curves] == [s.model_name(), DAE.name]
    names = [item.name() for item in panel.plot.getPlotItem().listDataItems()]
    assert names == ["noisy input", s.model_name(), DAE.name]
    panel.kind_box.setCurrentIndex(panel.kind_box.findData("salt-pepper"))
    assert tool.curves == [] and tool.compare_paths == [DAE]


def test_a_sweep_can_be_cancelled(qtbot, scene, panel):
    tool = panel.tool
    panel.sweep_button.click()
    assert tool.sweep_jobs.busy and panel.cancel_button.isVisibleTo(panel)
    panel.cancel_button.click()  # before the first level is measured: nothing is plotted
    assert not tool.sweep_jobs.busy and not panel.cancel_button.isVisibleTo(panel)
    assert "cancelled" in panel.message.text()
    scene.session.shutdown()  # the stopped job has ended: any late item it sent is queued now
    QCoreApplication.processEvents()
    assert tool.curves == [] and not panel.progress.isVisibleTo(panel)


def test_a_model_for_other_images_gives_one_clear_message(qtbot, scene, panel, tmp_path):
    path = tiny_model_file(tmp_path / "tiny-4x4.safetensors", None, family="ae", hidden=(8,), seed=0,
                           image_shape=(1, 4, 4))
    errors = []
    scene.session.error.connect(errors.append)
    panel.tool.compare_with(path)
    qtbot.waitUntil(lambda: bool(panel.message.text()), timeout=TIMEOUT)
    assert "tiny-4x4.safetensors expects 1×4×4 images" in panel.message.text()
    assert errors == [panel.message.text()]
    assert panel.tool.compare_paths == []
    qtbot.waitUntil(lambda: not panel.tool.sweep_jobs.busy, timeout=TIMEOUT)
