"""ONNX models in the window: opened from a folder (or a file inside it), encoded and drawn like a checkpoint,
its tools working; File → Export → Model as ONNX writes a folder that opens again; what an ONNX model cannot
do (save as a checkpoint) is disabled, not faked."""

import numpy as np
import pytest
import torch
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS, open_scene

from trainer.latent import decode, encode
from trainer.model_files import load_model
from trainer.onnx_model.export import export_onnx


@pytest.fixture(scope="module")
def onnx_folder(model_file, tmp_path_factory):
    model, info = load_model(model_file)
    return export_onnx(model, tmp_path_factory.mktemp("onnx") / "digits-onnx", info=info)


def test_an_onnx_folder_opens_in_the_window_like_its_checkpoint(window, qtbot, model_file, onnx_folder):
    s = window.session
    with qtbot.waitSignal(window.settled, timeout=LOAD_TIMEOUT_MS):
        s.open_model(onnx_folder / "model.json")  # what the file dialog gives: the folder opens
    assert s.model.is_onnx and s.model_path == onnx_folder and s.dataset.spec == "digits"
    torch_model, _ = load_model(model_file)
    np.testing.assert_allclose(s.codes, encode(torch_model, s.dataset.images)[0], atol=1e-4)
    assert len(window.scatter.shown_points()) == len(s.dataset.images)
    np.testing.assert_allclose(s.grid.images.reshape(-1, *s.dataset.image_shape),
                               decode(torch_model, _grid_codes(s)), atol=1e-4)
    with qtbot.waitSignal(s.reconstructionReady, timeout=LOAD_TIMEOUT_MS):
        s.select(5)
    assert window.inspector.reconstruction is not None
    assert not window.files.save_action.isEnabled() and not window.exports.model_action.isEnabled()
    assert not window.exports.onnx.action.isEnabled()
    assert "digits-onnx" in window.windowTitle()


def _grid_codes(s):
    from trainer.latent import grid_codes

    g = s.grid
    return grid_codes(g.x_range, g.y_range, g.n, s.plane)


def test_the_sampling_tool_draws_from_an_onnx_vae(qtbot, onnx_folder):
    from explorer.widgets.sampling_panel import SamplingPanel
    from trainer.latent import sample_prior

    scene = open_scene(qtbot, onnx_folder)
    try:
        panel = SamplingPanel(scene.session, scene.scatter)
        qtbot.addWidget(panel)
        panel.show()
        qtbot.waitUntil(lambda: panel.tool.samples is not None, timeout=LOAD_TIMEOUT_MS)
        samples = panel.tool.samples
        assert samples.from_prior
        np.testing.assert_allclose(samples.images, sample_prior(scene.session.model, 64, seed=0), atol=1e-6)
    finally:
        scene.session.shutdown()


def test_export_model_as_onnx_from_the_window(loaded, qtbot, tmp_path):
    task = loaded.exports.onnx.export(tmp_path / "out")
    with qtbot.waitSignal(task.done, timeout=LOAD_TIMEOUT_MS):
        pass
    qtbot.waitUntil(lambda: "Exported the model as ONNX" in loaded.statusBar().currentMessage())
    model, info = load_model(tmp_path / "out")
    assert info.class_names == loaded.session.class_names and info.dataset_spec == "digits"
    x = torch.rand(4, 1, 8, 8)
    with torch.inference_mode():
        torch.testing.assert_close(model.encode(x)[0], loaded.session.model.encode(x)[0], atol=1e-4, rtol=0)


def test_a_broken_onnx_folder_gets_one_message_and_keeps_the_model(loaded, qtbot, tmp_path, onnx_folder):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(onnx_folder, broken)
    (broken / "decoder.onnx").unlink()
    before = loaded.session.model
    with qtbot.waitSignal(loaded.session.error, timeout=LOAD_TIMEOUT_MS) as caught:
        loaded.session.open_model(broken)
    assert "decoder.onnx is missing" in caught.args[0]
    assert loaded.session.model is before
