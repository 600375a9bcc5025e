"""Issue 14 in the app: the Posterior and Holes tools, the latent-dimensions, OOD and replay studies."""

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS, click_view, empty_spot, tiny_model_file
from PIL import Image

from explorer.training import Snapshot
from trainer.posterior import Posterior, encode_posterior, in_view
from trainer.train import Progress


def bring(window, name, qtbot):
    dock = window.docks[name]
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: not dock.visibleRegion().isEmpty())
    return dock.panel


def test_posterior_ellipses_around_the_selected_point(loaded, qtbot):
    s = loaded.session
    panel = bring(loaded, "posterior", qtbot)
    assert "Click a point" in panel.text.text()
    s.select(7)
    qtbot.waitUntil(lambda: panel.tool.clouds is not None, timeout=LOAD_TIMEOUT_MS)
    mu, logvar = encode_posterior(s.model, s.dataset.images[7:8])
    centre, cov = in_view(Posterior.of(mu[0], logvar[0]), s.plane)
    np.testing.assert_allclose(centre, s.xy[7], atol=1e-4)  # the cloud is centred on the point
    inverse = np.linalg.inv(cov)
    for k in (1, 2):
        d = panel.overlay.view_xy(f"sigma{k}") - centre
        np.testing.assert_allclose(np.einsum("ni,ij,nj->n", d, inverse, d), k**2, rtol=1e-3)
    samples = panel.overlay.view_xy("samples")
    assert len(samples) == 8
    clouds = panel.tool.clouds
    sigma = np.exp(0.5 * logvar[0])
    np.testing.assert_allclose(clouds.samples, mu[0] + sigma * clouds.eps, rtol=1e-4, atol=1e-5)
    panel.zoom_button.click()  # the view fits the 2-sigma ellipse
    (x0, x1), (y0, y1) = loaded.scatter.view.viewRange()
    ring = panel.overlay.view_xy("sigma2")
    assert x0 < ring[:, 0].min() < ring[:, 0].max() < x1 and y0 < ring[:, 1].min() < ring[:, 1].max() < y1
    assert (x1 - x0) < 4 * np.ptp(ring[:, 0])
    text = panel.text.text()
    assert "z = μ + σ·ε" in text and "z0 = " in text and "z1 = " in text
    panel.crowd_box.setChecked(True)
    qtbot.waitUntil(lambda: any(k.startswith("crowd") for k in panel.overlay.marks), timeout=LOAD_TIMEOUT_MS)
    assert sum(k.startswith("crowd") for k in panel.overlay.marks) >= 39
    loaded.docks["inspector"].raise_()  # another tab in front: the clouds go
    qtbot.waitUntil(lambda: not panel.overlay.marks)


def test_a_plain_autoencoder_has_no_posterior(window, qtbot, tmp_path):
    path = tiny_model_file(tmp_path / "ae.safetensors", family="ae")
    with qtbot.waitSignal(window.settled, timeout=LOAD_TIMEOUT_MS):
        window.session.open_model(path)
    panel = bring(window, "posterior", qtbot)
    window.session.select(3)
    assert "plain autoencoder" in panel.text.text() and not panel.overlay.marks
    assert not panel.crowd_box.isEnabled()


def test_holes_map_meter_and_side_by_side_samples(loaded, qtbot):
    s = loaded.session
    panel = bring(loaded, "holes", qtbot)
    qtbot.waitUntil(lambda: panel.tool.samples is not None, timeout=LOAD_TIMEOUT_MS)
    pair = panel.tool.samples
    assert len(pair.prior_images) == len(pair.mixture_images) == 16
    assert "From N(0, I)" in panel.prior_title.text()
    panel.map_box.setChecked(True)
    qtbot.waitUntil(lambda: panel.image.isVisible(), timeout=LOAD_TIMEOUT_MS)
    holes_map = panel.tool.map
    (x0, x1), (y0, y1) = s.view_range
    assert holes_map.x_range == pytest.approx((x0, x1)) and holes_map.y_range == pytest.approx((y0, y1))
    rect = panel.image.mapRectToParent(panel.image.boundingRect())
    assert rect.left() == pytest.approx(x0) and rect.width() == pytest.approx(x1 - x0)
    assert all(ring.isVisible() for ring in panel.rings)
    x, y = empty_spot(loaded)  # far from every code: off the map
    click_view(qtbot, loaded, x, y)
    qtbot.waitUntil(lambda: s.decoded is not None, timeout=LOAD_TIMEOUT_MS)
    reading = panel.tool.reading
    assert reading.what == "decoded point" and reading.off_map
    assert panel.meter.isVisible() and "OFF THE MAP" in panel.meter.label.text()
    typical = int(np.argsort(panel.tool.mixture.log_density(s.codes))[len(s.codes) // 2])
    s.select(typical)
    assert 30 < panel.tool.reading.percentile < 70 and not panel.tool.reading.off_map
    panel.map_box.setChecked(False)
    assert not panel.image.isVisible()


def test_dimensions_study_bars_traversal_and_axis(window, model_file_3d, qtbot):
    from trainer.posterior import dimensions

    with qtbot.waitSignal(window.settled, timeout=LOAD_TIMEOUT_MS):
        window.session.open_model(model_file_3d)
    s = window.session
    study = window.studies.open("dimensions")
    qtbot.addWidget(study)
    qtbot.waitUntil(lambda: study.found is not None, timeout=LOAD_TIMEOUT_MS)
    mu, logvar = encode_posterior(s.model, s.dataset.images)
    np.testing.assert_allclose(study.bars.opts["height"], dimensions(mu, logvar).kl, rtol=1e-4)
    assert study.found.images.shape[0] == 3 * 9  # a row of 9 per dimension
    s.select(4)
    qtbot.waitUntil(lambda: study.found.label.startswith("#4"), timeout=LOAD_TIMEOUT_MS)
    rows = study.found.images.reshape(3, 9, -1)
    assert not np.allclose(rows[:, 0], rows[:, -1])  # the sweep changes the decoded image
    study.make_axis(2)
    assert s.projection.kind == "axes" and 2 in (s.projection.i, s.projection.j)
    study.close()


def test_ood_probe_study(loaded, qtbot):
    study = loaded.studies.open("ood")
    qtbot.addWidget(study)
    assert "digits" not in [study.data_box.itemText(k) for k in range(study.data_box.count())]
    study.set_foreign("glyphs")
    study.run()
    qtbot.waitUntil(lambda: study.result is not None, timeout=LOAD_TIMEOUT_MS)
    r = study.result
    from trainer.data import load_dataset

    assert len(r.elbo_out) == len(load_dataset("glyphs").images) and np.isfinite(r.elbo_in).all()
    for curve in study.curves.values():
        x, y = curve.getData()
        assert y.sum() == pytest.approx(1.0)  # each histogram is the share of its set
    assert len(study.overlay.marks["foreign"].codes) == len(r.codes_out)
    assert study.lesson.text() == r.lesson()
    study.close()
    assert "foreign" not in study.overlay.marks


def test_replay_records_epochs_and_exports_a_gif(loaded, qtbot, tmp_path):
    s = loaded.session
    controller = loaded.training_dock.controller
    controller.started.emit()  # as when a run starts: the store keeps a fixed set of rows
    store = loaded.studies.replay_store
    rng = np.random.default_rng(0)
    final = rng.normal(size=(len(s.dataset.images), 2)).astype(np.float32)
    angle = 0.8
    spin = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    for epoch in (1, 2, 3):  # the training worker's snapshots: the cloud grows and spins from epoch to epoch
        codes = epoch / 3 * final @ np.linalg.matrix_power(spin, 3 - epoch).T
        controller.snapshot.emit(Snapshot("epoch", Progress("epoch", epoch, 3, 10, 10, loss=1.0), codes))
    controller.snapshot.emit(Snapshot("step", Progress("step", 3, 3, 5, 10, loss=1.0), final))  # not kept
    assert store.epochs == [1, 2, 3]
    study = loaded.studies.open("replay")
    qtbot.addWidget(study)
    qtbot.waitUntil(lambda: study.replay is not None, timeout=LOAD_TIMEOUT_MS)
    assert study.slider.maximum() == 2 and study.slider.value() == 2
    study.slider.setValue(0)
    shown = np.concatenate([np.c_[layer.getData()].reshape(-1, 2) for layer in study.layers])
    first = final[store.rows] / 3  # spun back (aligned), still a third of the size
    first = first - first.mean(0) + final[store.rows].mean(0)  # centred on the last epoch's cloud
    np.testing.assert_allclose(np.sort(shown, axis=0), np.sort(first, axis=0), atol=1e-4)
    assert "epoch 1 of 3" in study.epoch_label.text()
    path = study.export_gif(tmp_path / "replay.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == 3
    study.close()


def show_me(window, name):
    from PySide6.QtCore import QUrl

    window.help.open_lessons().anchorClicked.emit(QUrl(f"lesson:{name}"))


def test_lessons_8_to_10_set_every_control(loaded, qtbot, monkeypatch):
    from explorer import demo, lessons

    monkeypatch.setattr(lessons, "data_found", lambda spec: spec != "fashion-mnist")  # the digits fallbacks
    window, s = loaded, loaded.session
    show_me(window, "posterior")
    posterior = window.docks["posterior"].panel
    qtbot.waitUntil(lambda: s.model_path == lessons.MODELS_DIR / "digits-vae.safetensors" and s.is_ready
                    and posterior.tool.clouds is not None, timeout=LOAD_TIMEOUT_MS)
    assert s.dataset.labels[s.selected] == 0 and posterior.crowd_box.isChecked()
    assert posterior.samples_box.value() == 16 and len(posterior.tool.clouds.samples) == 16
    qtbot.waitUntil(lambda: demo.idle(window), timeout=LOAD_TIMEOUT_MS)
    show_me(window, "holes-map-vae")
    holes = window.docks["holes"].panel
    qtbot.waitUntil(lambda: holes.tool.map is not None and holes.tool.samples is not None,
                    timeout=LOAD_TIMEOUT_MS)
    assert holes.map_box.isChecked() and not posterior.crowd_box.isChecked()  # the crowd is lesson 8's
    qtbot.waitUntil(lambda: demo.idle(window), timeout=LOAD_TIMEOUT_MS)
    show_me(window, "ood")
    studies = window.studies.windows
    qtbot.waitUntil(lambda: "ood" in studies and studies["ood"].result is not None, timeout=LOAD_TIMEOUT_MS)
    study = window.studies.windows["ood"]
    assert study.data_box.currentText() == "glyphs" and not holes.map_box.isChecked()
    qtbot.waitUntil(lambda: demo.idle(window), timeout=LOAD_TIMEOUT_MS)
    study.close()


def test_the_sample_tool_draws_from_the_mixture_too(loaded, qtbot):
    panel = bring(loaded, "sample", qtbot)
    tool = panel.tool
    qtbot.waitUntil(lambda: tool.samples is not None, timeout=LOAD_TIMEOUT_MS)
    prior = tool.samples
    assert prior.from_prior and prior.mixture is None
    panel.source_box.setCurrentIndex(1)
    panel.source_box.activated.emit(1)
    qtbot.waitUntil(lambda: tool.samples is not None and tool.samples.mixture is not None,
                    timeout=LOAD_TIMEOUT_MS)
    mixed = tool.samples
    assert tool.source == "mixture" and not mixed.from_prior
    np.testing.assert_array_equal(mixed.codes, mixed.mixture.sample(64, seed=0))  # seeded, as the prior's
    assert "mixture" in panel.note.text() and "~ N(" not in panel.note.text()  # in words (test_app_words)
    # the mixture's samples lie where the codes are: more typical of the data than the prior's
    assert np.median(mixed.mixture.percentile(mixed.codes)) > np.median(mixed.mixture.percentile(prior.codes))


def test_the_posterior_panel_says_why_when_a_plain_autoencoder_replaces_a_vae(loaded, qtbot, tmp_path):
    """Lesson 8's "a plain autoencoder" link opens the glyph AE while the Posterior tab shows a VAE's
    clouds: the panel said "Open or train a model first." (the reason while the model loaded) and kept it."""
    panel = bring(loaded, "posterior", qtbot)
    loaded.session.select(7)
    qtbot.waitUntil(lambda: panel.tool.clouds is not None, timeout=LOAD_TIMEOUT_MS)
    path = tiny_model_file(tmp_path / "ae.safetensors", "glyphs", family="ae")
    with qtbot.waitSignal(loaded.settled, timeout=LOAD_TIMEOUT_MS):
        loaded.session.open_model(path, "glyphs")
    assert "plain autoencoder" in panel.text.text() and not panel.overlay.marks
