"""The Sampling tool: a seeded grid from the VAE's prior (the draws of ``sample_prior``), temperature and
re-roll, × markers on the scatter, PNG export; a plain autoencoder samples a Gaussian fitted to its codes."""

import numpy as np
import pytest
import torch
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS, open_scene, tiny_model_file
from PIL import Image

from explorer.widgets.sampling_panel import SamplingPanel
from trainer.export import tile
from trainer.latent import decode, sample_prior


def make_panel(scene, qtbot) -> SamplingPanel:
    panel = SamplingPanel(scene.session, scene.scatter)
    qtbot.addWidget(panel)
    panel.resize(420, 700)
    panel.show()
    return panel


@pytest.fixture
def panel(scene, qtbot):
    return make_panel(scene, qtbot)


def wait_samples(qtbot, tool, **expect):
    def matches():
        s = tool.samples
        return s is not None and all(getattr(s, k) == v for k, v in expect.items())

    qtbot.waitUntil(matches, timeout=LOAD_TIMEOUT_MS)
    return tool.samples


def test_vae_samples_are_the_prior_draws_of_the_seed(panel, qtbot):
    s, tool = panel.session, panel.tool
    first = wait_samples(qtbot, tool, seed=0, temperature=1.0)  # drawn as soon as the panel exists
    assert (first.rows, first.cols) == (8, 8) and first.from_prior
    tool.set_temperature(0.7)
    tool.set_seed(5)
    samples = wait_samples(qtbot, tool, seed=5, temperature=0.7)
    z = torch.randn(64, 2, generator=torch.Generator().manual_seed(5)) * 0.7
    np.testing.assert_array_equal(samples.codes, z.numpy())
    np.testing.assert_allclose(samples.images, sample_prior(s.model, 64, temperature=0.7, seed=5), atol=1e-6)
    assert panel.grid.images is samples.images and panel.grid.cols == 8
    assert "prior" in panel.note.text() and "0.70" in panel.note.text()
    np.testing.assert_allclose(panel.overlay.view_xy("samples"), s.to_view(samples.codes), atol=1e-6)
    assert panel.overlay.marks["samples"].items[0].opts["symbol"] == "x"


def test_same_seed_repeats_and_reroll_changes(panel, qtbot):
    tool = panel.tool
    first = wait_samples(qtbot, tool, seed=0)
    panel.reroll_button.click()
    assert tool.seed == 1 and panel.seed_box.value() == 1
    other = wait_samples(qtbot, tool, seed=1)
    assert not np.allclose(other.codes, first.codes)
    assert np.abs(other.images - first.images).max() > 1e-3
    panel.seed_box.setValue(0)
    again = wait_samples(qtbot, tool, seed=0)
    assert again is not first
    np.testing.assert_array_equal(again.codes, first.codes)
    np.testing.assert_array_equal(again.images, first.images)


def test_temperature_zero_gives_one_image_everywhere(panel, qtbot):
    tool = panel.tool
    wait_samples(qtbot, tool, temperature=1.0)
    panel.temperature_slider.setValue(0)
    assert tool.temperature == 0.0 and panel.temperature_label.text() == "0.00"
    samples = wait_samples(qtbot, tool, temperature=0.0)
    np.testing.assert_array_equal(samples.codes, 0.0)
    np.testing.assert_array_equal(samples.images, np.broadcast_to(samples.images[:1], samples.images.shape))
    np.testing.assert_allclose(samples.images[0], decode(panel.session.model, np.zeros((1, 2)))[0], atol=1e-6)
    panel.temperature_slider.setValue(150)
    assert tool.temperature == 1.5 and panel.temperature_label.text() == "1.50"


def test_grid_size_and_png_export(panel, qtbot, tmp_path):
    tool = panel.tool
    wait_samples(qtbot, tool, rows=8)
    panel.rows_box.setValue(3)
    panel.cols_box.setValue(5)
    samples = wait_samples(qtbot, tool, rows=3, cols=5)
    assert samples.images.shape == (15, 1, 8, 8) and panel.grid.cols == 5
    assert len(panel.overlay.marks["samples"].codes) == 15
    path = tool.export_png(tmp_path / "samples.png", scale=2)
    with Image.open(path) as png:
        assert png.size == ((5 * 8 + 4) * 2, (3 * 8 + 2) * 2)
        np.testing.assert_array_equal(np.asarray(png)[::2, ::2], tile(samples.images, 5, gap=1))


def test_clears_while_the_model_is_away_and_samples_again_on_ready(scene, panel, qtbot):
    s, tool = scene.session, panel.tool
    first = wait_samples(qtbot, tool, seed=0)
    model = s.model
    s.show_codes(s.codes.copy())  # a training run takes the model away
    assert tool.samples is None and panel.grid.images is None and "samples" not in panel.overlay.marks
    assert not panel.png_button.isEnabled()
    with qtbot.waitSignal(s.ready, timeout=LOAD_TIMEOUT_MS):
        s.set_model(model)
    again = wait_samples(qtbot, tool, seed=0)
    np.testing.assert_allclose(again.images, first.images, atol=1e-6)


@pytest.fixture(scope="module")
def ae_file(tmp_path_factory):
    """An untrained plain autoencoder (no prior) for the 8×8 digits."""
    path = tmp_path_factory.mktemp("ae") / "digits-ae.safetensors"
    return tiny_model_file(path, "digits", family="ae", latent_dim=3, seed=1)


def test_plain_autoencoder_samples_a_gaussian_fitted_to_its_codes(qtbot, ae_file):
    scene = open_scene(qtbot, ae_file)
    try:
        panel = make_panel(scene, qtbot)
        tool, s = panel.tool, scene.session
        panel.temperature_slider.setValue(50)
        samples = wait_samples(qtbot, tool, temperature=0.5)
        assert not samples.from_prior and not tool.has_prior
        codes = s.codes.astype(np.float64)
        fit = samples.fit
        np.testing.assert_allclose(fit.mean, codes.mean(axis=0), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(fit.chol @ fit.chol.T, np.cov(codes, rowvar=False), rtol=1e-4, atol=1e-9)
        eps = torch.randn(64, 3, generator=torch.Generator().manual_seed(0)).double().numpy()
        expected = codes.mean(0) + 0.5 * eps @ fit.chol.T
        np.testing.assert_allclose(samples.codes, expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(samples.images, decode(s.model, samples.codes), atol=1e-6)
        assert "no prior" in panel.note.text() and "fitted" in panel.note.text()
        panel.temperature_slider.setValue(0)
        still = wait_samples(qtbot, tool, temperature=0.0)
        np.testing.assert_allclose(still.codes, np.broadcast_to(fit.mean, still.codes.shape), atol=1e-6)
    finally:
        scene.session.shutdown()


def test_from_offers_only_what_exists_for_the_open_model(qtbot, ae_file, model_file):
    from app_fixtures import Scene

    from explorer.state import Session
    from explorer.widgets.scatter import ScatterView

    def choices(panel) -> list[str]:
        return [panel.source_box.itemText(k) for k in range(panel.source_box.count())]

    session = Session()
    scatter = ScatterView(session)
    qtbot.addWidget(scatter)
    try:
        panel = make_panel(Scene(session, scatter), qtbot)
        assert not panel.source_box.isEnabled() and "Open a model" in panel.source_box.toolTip()
        with qtbot.waitSignal(session.ready, timeout=LOAD_TIMEOUT_MS):
            session.open_model(ae_file)  # a plain autoencoder: no prior to draw from
        assert choices(panel) == ["one Gaussian fitted to the codes (no prior)",
                                  "a mixture fitted to the codes"]
        assert panel.source_box.isEnabled() and panel.source_box.currentText() == choices(panel)[0]
        assert "no prior" in panel.source_box.toolTip()
        samples = wait_samples(qtbot, panel.tool)
        assert samples.fit is not None and "no prior" in panel.note.text()  # what "From:" says it is
        with qtbot.waitSignal(session.ready, timeout=LOAD_TIMEOUT_MS):
            session.open_model(model_file)  # a VAE: its prior
        assert choices(panel) == ["the prior (standard normal)", "a mixture fitted to the codes"]
    finally:
        session.shutdown()
