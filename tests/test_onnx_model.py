"""ONNX models: export of every family round-trips within 1e-4, a foreign NHWC probability pair built with
the onnx helper API, one clear message per problem in a model folder or zip, and what cannot be done is
refused."""

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from onnx_helpers import linear_nhwc_pair, reference, reference_logits, write_manifest

from trainer.checkpoint import save_checkpoint
from trainer.cli import main
from trainer.errors import CheckpointError, ConfigError
from trainer.metrics import evaluate, iw_nll
from trainer.model_files import load_model, read_model_info
from trainer.models import ModelConfig, build_model
from trainer.onnx_model import schema_text
from trainer.onnx_model.archive import MAX_RATIO
from trainer.onnx_model.export import export_onnx
from trainer.onnx_model.model import OnnxModelError

TOL = 1e-4
FAMILIES = [("ae", "mlp", None), ("vae", "mlp", None), ("sparse", "mlp", None),
            ("ae", "mlp", "gaussian:0.3"), ("ae", "conv", None), ("vae", "conv", None),
            ("sparse", "conv", None), ("ae", "conv", "mask:0.25")]


def tiny(family: str, arch: str, shape=(1, 8, 8), latent: int = 3, seed: int = 0):
    torch.manual_seed(seed)
    cfg = ModelConfig(family=family, arch=arch, image_shape=shape, latent_dim=latent, hidden=(16,),
                      conv_channels=(4, 8), dense=8)
    return build_model(cfg).eval()


@pytest.mark.parametrize(("family", "arch", "noise"), FAMILIES,
                         ids=[f"{a}-{'denoising' if n else f}" for f, a, n in FAMILIES])
def test_export_round_trips_every_family_within_tolerance(tmp_path, family, arch, noise):
    model = tiny(family, arch)
    ckpt = save_checkpoint(tmp_path / "m.safetensors", model, train_config={"noise": noise or "none"},
                           dataset={"spec": "bars", "class_names": ["h", "v"], "attribute_names": []})
    assert main(["export", str(ckpt), "--format", "onnx", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    onnx_model, info = load_model(tmp_path / "out")
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["decoder.onnx", "encoder.onnx", "model.json"]
    gen = torch.Generator().manual_seed(1)
    x, z = torch.rand(37, 1, 8, 8, generator=gen), torch.randn(37, 3, generator=gen) * 2
    with torch.inference_mode():
        (mu, logvar), (omu, ologvar) = model.encode(x), onnx_model.encode(x)
        torch.testing.assert_close(omu, mu, atol=TOL, rtol=0)
        torch.testing.assert_close(onnx_model.decode(z), model.decode(z), atol=TOL, rtol=0)
    assert (ologvar is None) == (logvar is None) == (family != "vae")
    if logvar is not None:
        torch.testing.assert_close(ologvar, logvar, atol=TOL, rtol=0)
    manifest = json.loads((tmp_path / "out" / "model.json").read_text())
    assert manifest["family"] == ("denoising" if noise else family)
    assert info.class_names == ["h", "v"] and info.dataset_spec == "bars"
    assert info.model_config.arch == "onnx" and info.model_config.family == ("vae" if family == "vae" else
                                                                             "sparse" if family == "sparse"
                                                                             else "ae")
    assert manifest["origin"]["model_config"]["arch"] == arch


def test_a_foreign_nhwc_pair_with_probabilities_and_std_is_read_in_our_conventions(tmp_path):
    shape = (3, 4, 6)
    weights = linear_nhwc_pair(tmp_path / "keras", shape)
    model, info = load_model(tmp_path / "keras")
    assert model.is_vae and info.model_config.family == "vae" and info.class_names == ["left", "right"]
    rng = np.random.default_rng(0)
    images = rng.random((70, *shape)).astype(np.float32)  # N×C×H×W in [0, 1], as the app gives them
    mean, logvar = reference(weights, images)
    with torch.inference_mode():
        mu, lv = model.encode(torch.from_numpy(images))
        np.testing.assert_allclose(mu.numpy(), mean, atol=TOL)
        np.testing.assert_allclose(lv.numpy(), logvar, atol=TOL)
        z = rng.normal(0, 1, (70, 3)).astype(np.float32)
        logits = model.decode(torch.from_numpy(z)).numpy()
    assert logits.shape == (70, *shape)
    expected = reference_logits(weights, z, shape)
    np.testing.assert_allclose(logits, np.clip(expected, -13.8, 13.8), atol=2e-3)


def test_a_graph_with_a_fixed_batch_size_is_run_in_padded_batches(tmp_path):
    weights = linear_nhwc_pair(tmp_path / "one", (1, 2, 2), latent=2, batch=1)
    model, _ = load_model(tmp_path / "one")
    images = np.random.default_rng(1).random((5, 1, 2, 2)).astype(np.float32)
    with torch.inference_mode():
        mu, _ = model.encode(torch.from_numpy(images))
    np.testing.assert_allclose(mu.numpy(), reference(weights, images)[0], atol=TOL)


def test_eval_on_an_exported_vae_gives_the_checkpoints_elbo_and_iw_nll(tmp_path):
    from toy_data import bars

    model = tiny("vae", "mlp")
    export_onnx(model, tmp_path / "vae")
    onnx_model, _ = load_model(tmp_path / "vae")
    data = bars(60)
    ours, theirs = evaluate(model, data, iw_samples=5), evaluate(onnx_model, data, iw_samples=5)
    assert theirs.elbo_nats == pytest.approx(ours.elbo_nats, abs=1e-3)
    assert theirs.nll_iw_nats == pytest.approx(ours.nll_iw_nats, abs=1e-3)
    assert theirs.active_units == ours.active_units


def test_an_autoencoder_has_no_iw_nll_and_says_so(tmp_path, capsys):
    export_onnx(tiny("ae", "mlp"), tmp_path / "ae")
    onnx_model, _ = load_model(tmp_path / "ae")
    with pytest.raises(ConfigError, match="needs a VAE"):
        iw_nll(onnx_model, torch.rand(2, 1, 8, 8), 3)
    assert main(["eval", str(tmp_path / "ae"), "--data", "shapes?n=50&size=8", "--iw-samples", "4"]) == 2
    assert "--iw-samples needs a VAE" in capsys.readouterr().err


def test_what_an_onnx_model_cannot_do_is_refused(tmp_path):
    from toy_data import bars

    from trainer.classify import ClassifyConfig, train_classifier
    from trainer.train import TrainConfig, fit

    export_onnx(tiny("vae", "mlp"), tmp_path / "vae")
    model, _ = load_model(tmp_path / "vae")
    with pytest.raises(ConfigError, match="cannot be trained"):
        next(fit(model, bars(40), TrainConfig(epochs=1)))
    with pytest.raises(ConfigError, match="cannot be fine-tuned"):
        list(train_classifier(model, bars(40, n_train=30), ClassifyConfig(mode="finetune", epochs=1)))
    with pytest.raises(OnnxModelError, match="export it as ONNX"):
        save_checkpoint(tmp_path / "x.safetensors", model)
    x = torch.rand(2, 1, 8, 8, requires_grad=True)
    with pytest.raises(OnnxModelError, match="differentiated"):
        model.encode(x)
    with pytest.raises(ConfigError, match="cannot be built"):
        build_model(model.config)
    with pytest.raises(ConfigError, match="already"):
        export_onnx(model, tmp_path / "again")
    assert not (tmp_path / "x.safetensors").exists()


def test_the_frozen_classifier_and_the_cli_take_an_onnx_zip(tmp_path, capsys):
    ckpt = save_checkpoint(tmp_path / "m.safetensors", tiny("vae", "mlp"),
                           dataset={"spec": "shapes?n=80&size=8"})
    assert main(["export", str(ckpt), "--out", str(tmp_path / "m.zip")]) == 0
    assert main(["info", str(tmp_path / "m.zip")]) == 0
    out = capsys.readouterr().out
    assert "ONNX model" in out and "a VAE" in out and "before export" in out
    assert main(["classify", str(tmp_path / "m.zip"), "--epochs", "1", "--quiet"]) == 0
    assert "accuracy" in capsys.readouterr().out


def test_a_model_json_or_onnx_file_inside_the_folder_opens_the_folder(tmp_path):
    export_onnx(tiny("ae", "mlp"), tmp_path / "m")
    for target in ("model.json", "encoder.onnx"):
        _, info = load_model(tmp_path / "m" / target)
        assert info.path == tmp_path / "m"
    assert read_model_info(tmp_path / "m").model_config.latent_dim == 3


# ---- one clear message per problem -----------------------------------------------------------------------

@pytest.fixture
def foreign(tmp_path):
    linear_nhwc_pair(tmp_path / "m", (1, 4, 4), latent=2)
    return tmp_path / "m"


def manifest(folder: Path) -> dict:
    return json.loads((folder / "model.json").read_text())


def test_a_missing_file_is_named(foreign):
    (foreign / "decoder.onnx").unlink()
    with pytest.raises(CheckpointError, match="decoder.onnx is missing"):
        load_model(foreign)
    (foreign / "model.json").unlink()
    with pytest.raises(CheckpointError, match="model.json is missing"):
        load_model(foreign)


def test_a_wrong_input_shape_says_what_the_graph_and_the_manifest_say(foreign):
    doc = manifest(foreign)
    doc["image"].update(height=28, width=28)
    write_manifest(foreign, doc)
    with pytest.raises(CheckpointError, match=r"encoder.onnx: input 'pixels' has shape \[N, 4, 4, 1\], "
                                              r"but model.json describes NHWC images 1×28×28, "
                                              r"i.e. \[N, 28, 28, 1\]"):
        load_model(foreign)
    doc["image"].update(height=4, width=4, layout="NCHW")
    write_manifest(foreign, doc)
    with pytest.raises(CheckpointError, match=r"\[N, 1, 4, 4\]"):
        load_model(foreign)


def test_an_output_name_that_is_not_in_the_graph_lists_the_real_ones(foreign):
    doc = manifest(foreign)
    doc["encoder"]["mean"] = "z_mu"
    write_manifest(foreign, doc)
    with pytest.raises(CheckpointError, match=r"encoder.mean is 'z_mu', but the graph has no such output "
                                              r"\(its outputs: 'z_mean', 'z_std'\)"):
        load_model(foreign)
    doc["encoder"]["mean"], doc["decoder"]["input"] = "z_mean", "code"
    write_manifest(foreign, doc)
    with pytest.raises(CheckpointError, match="decoder.input is 'code'.*its inputs: 'z'"):
        load_model(foreign)


@pytest.mark.parametrize(("domain", "message"),
                         [("", "'Mystery', which is not an ONNX operator"),
                          ("com.example", "com.example:Mystery, from a custom domain")])
def test_an_operator_onnx_runtime_cannot_run_is_named(foreign, domain, message):
    import onnx
    from onnx import helper

    model = onnx.load(str(foreign / "decoder.onnx"))
    node = model.graph.node[2]  # the Sigmoid
    model.graph.node.remove(node)
    mystery = helper.make_node("Mystery", list(node.input), list(node.output), domain=domain)
    model.graph.node.insert(2, mystery)
    if domain:
        model.opset_import.append(helper.make_opsetid(domain, 1))
    onnx.save_model(model, str(foreign / "decoder.onnx"))
    with pytest.raises(CheckpointError, match=f"decoder.onnx: uses operator {message}"):
        load_model(foreign)


def test_onnx_runtimes_own_refusal_names_the_operator(foreign, monkeypatch):
    """An operator ONNX knows but this ONNX Runtime cannot run: its error is reworded with the operator."""
    import onnxruntime

    from trainer.onnx_model import runtime

    class Refusing:
        def __init__(self, *args, **kwargs):
            raise onnxruntime.capi.onnxruntime_pybind11_state.NotImplemented(
                "[ONNXRuntimeError] : 9 : NOT_IMPLEMENTED : Could not find an implementation for Softplus(1) "
                "node with name ''")

    monkeypatch.setattr(onnxruntime, "InferenceSession", Refusing)
    with pytest.raises(CheckpointError, match="ONNX Runtime cannot load it: operator Softplus cannot be run"):
        runtime._session((foreign / "encoder.onnx").read_bytes(), "encoder.onnx", None)


def test_schema_problems_are_listed_each_with_its_place(foreign):
    doc = manifest(foreign)
    doc["image"]["layout"] = "NCWH"
    doc["encoder"]["log_variance"] = "z_lv"
    doc["latent_dim"] = 0
    doc["colour"] = "red"
    write_manifest(foreign, doc)
    with pytest.raises(CheckpointError) as caught:
        load_model(foreign)
    text = str(caught.value)
    assert "the manifest: unknown field(s): 'colour'" in text
    assert "encoder: give log_variance or std, not both" in text
    assert "image.layout: 'NCWH' is not one of 'NCHW', 'NHWC', 'flat'" in text
    assert "latent_dim: 0 is less than the minimum of 1" in text
    (foreign / "model.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="model.json: not valid JSON"):
        load_model(foreign)
    write_manifest(foreign, {"image": {"channels": 1, "height": 4, "width": 4, "layout": "NHWC"}})
    with pytest.raises(CheckpointError, match="'latent_dim' is missing"):
        load_model(foreign)


def test_weights_in_external_files_are_refused(foreign):
    import onnx

    model = onnx.load(str(foreign / "encoder.onnx"))
    onnx.save_model(model, str(foreign / "encoder.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)
    with pytest.raises(CheckpointError, match="keeps its weights in separate files"):
        load_model(foreign)


def test_a_file_that_is_not_onnx_is_named(foreign):
    (foreign / "encoder.onnx").write_bytes(b"\x00\xffnot a protobuf" * 10)
    with pytest.raises(CheckpointError, match="encoder.onnx: not an ONNX file"):
        load_model(foreign)


# ---- zips ------------------------------------------------------------------------------------------------

def zip_folder(folder: Path, out: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for child in folder.iterdir():
            z.write(child, prefix + child.name)
    return out


@pytest.mark.parametrize("prefix", ["", "my-model/"])
def test_a_zip_opens_with_its_files_at_the_top_or_in_one_folder(foreign, tmp_path, prefix):
    model, info = load_model(zip_folder(foreign, tmp_path / "m.zip", prefix))
    assert info.path == tmp_path / "m.zip" and model.is_vae


def test_a_zip_bomb_is_refused_before_it_is_inflated(foreign, tmp_path):
    (foreign / "model.json").unlink()
    out = zip_folder(foreign, tmp_path / "bomb.zip")
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("model.json", b" " * (20 << 20))  # 20 MiB of spaces: ~20 KiB compressed
    info = zipfile.ZipFile(out).getinfo("model.json")
    assert info.file_size > MAX_RATIO * info.compress_size
    with pytest.raises(CheckpointError, match="would inflate to 20,971,520 bytes"):
        load_model(out)


def test_member_names_never_reach_the_file_system(foreign, tmp_path):
    """Nothing is extracted: members named like ../x or /x are read from the archive, never written."""
    out = tmp_path / "sneaky.zip"
    with zipfile.ZipFile(out, "w") as z:
        for child in foreign.iterdir():
            z.writestr(f"../{child.name}", child.read_bytes())
    before = sorted(p.name for p in tmp_path.parent.iterdir())
    load_model(out)
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == before


def test_a_broken_zip_gets_one_message(tmp_path):
    (tmp_path / "m.zip").write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(CheckpointError, match="not a model folder, nor a readable .zip"):
        load_model(tmp_path / "m.zip")


def test_the_published_schema_is_the_one_the_code_checks():
    published = Path(__file__).parent.parent / "docs" / "onnx-model.schema.json"
    hint = f"run: python -m trainer.onnx_model --schema > {published}"
    assert published.read_text() == schema_text(), hint


def test_an_export_over_a_folder_that_is_not_a_model_is_refused(tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.png").write_bytes(b"x")
    with pytest.raises(CheckpointError, match="not an ONNX model folder"):
        export_onnx(tiny("ae", "mlp"), tmp_path / "photos")
    assert (tmp_path / "photos" / "cat.png").read_bytes() == b"x"
    export_onnx(tiny("ae", "mlp", latent=2), tmp_path / "m")
    export_onnx(tiny("ae", "mlp", latent=4), tmp_path / "m")  # an earlier export is replaced
    assert load_model(tmp_path / "m")[0].config.latent_dim == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m", "photos"]
