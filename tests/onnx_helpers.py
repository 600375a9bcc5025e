"""ONNX model folders made in the tests: a foreign pair built with the ``onnx`` helper API (not by torch), and
a way to write any manifest and graphs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def linear_nhwc_pair(folder: Path, shape=(3, 4, 6), latent: int = 3, seed: int = 0, batch="N",
                     manifest_changes: dict | None = None) -> dict:
    """A "Keras-style" pair written with onnx.helper: the encoder takes NHWC images scaled to [-1, 1] and
    returns ``z_mean`` and ``z_std`` (softplus); the decoder returns NHWC *probabilities* (sigmoid). Returns
    the weights, for a numpy reference: mean = flat_nhwc(2x - 1) @ A + a, std = softplus(flat @ B + b),
    probabilities = sigmoid(z @ V + v) in NHWC order."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    c, h, w = shape
    f = c * h * w
    rng = np.random.default_rng(seed)
    weights = {"A": rng.normal(0, 0.3, (f, latent)), "a": rng.normal(0, 0.1, latent),
               "B": rng.normal(0, 0.1, (f, latent)), "b": rng.normal(0, 0.1, latent),
               "V": rng.normal(0, 1.0, (latent, f)), "v": rng.normal(0, 0.5, f)}
    weights = {k: v.astype(np.float32) for k, v in weights.items()}
    init = [numpy_helper.from_array(v, name=k) for k, v in weights.items()]
    flat_shape = numpy_helper.from_array(np.array([-1, f], np.int64), "flat_shape")
    image_shape = numpy_helper.from_array(np.array([-1, h, w, c], np.int64), "image_shape")
    encoder = helper.make_graph(
        [helper.make_node("Reshape", ["pixels", "flat_shape"], ["flat"]),
         helper.make_node("MatMul", ["flat", "A"], ["m0"]), helper.make_node("Add", ["m0", "a"], ["z_mean"]),
         helper.make_node("MatMul", ["flat", "B"], ["s0"]), helper.make_node("Add", ["s0", "b"], ["s1"]),
         helper.make_node("Softplus", ["s1"], ["z_std"])],
        "encoder", [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, [batch, h, w, c])],
        [helper.make_tensor_value_info("z_mean", TensorProto.FLOAT, [batch, latent]),
         helper.make_tensor_value_info("z_std", TensorProto.FLOAT, [batch, latent])],
        [*[i for i in init if i.name in "AaBb"], flat_shape])
    decoder = helper.make_graph(
        [helper.make_node("MatMul", ["z", "V"], ["d0"]), helper.make_node("Add", ["d0", "v"], ["d1"]),
         helper.make_node("Sigmoid", ["d1"], ["d2"]),
         helper.make_node("Reshape", ["d2", "image_shape"], ["x_prob"])],
        "decoder", [helper.make_tensor_value_info("z", TensorProto.FLOAT, [batch, latent])],
        [helper.make_tensor_value_info("x_prob", TensorProto.FLOAT, [batch, h, w, c])],
        [*[i for i in init if i.name in "Vv"], image_shape])
    folder.mkdir(parents=True, exist_ok=True)
    for name, graph in (("encoder.onnx", encoder), ("decoder.onnx", decoder)):
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        onnx.checker.check_model(model)
        onnx.save_model(model, str(folder / name))
    manifest = {"name": "keras-style", "image": {"channels": c, "height": h, "width": w, "layout": "NHWC"},
                "input_range": [-1, 1], "latent_dim": latent,
                "encoder": {"input": "pixels", "mean": "z_mean", "std": "z_std"},
                "decoder": {"output": "x_prob", "returns": "probabilities"},
                "class_names": ["left", "right"], "dataset": ""}
    for key, value in (manifest_changes or {}).items():
        if value is None:
            manifest.pop(key, None)
        else:
            manifest[key] = value
    write_manifest(folder, manifest)
    return weights


def write_manifest(folder: Path, manifest: dict) -> None:
    (folder / "model.json").write_text(json.dumps(manifest))


def reference(weights: dict, images01: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean, log-variance) the foreign encoder should give for N×C×H×W images in [0, 1]."""
    flat = (2 * images01 - 1).transpose(0, 2, 3, 1).reshape(len(images01), -1)
    mean = flat @ weights["A"] + weights["a"]
    std = np.log1p(np.exp(flat @ weights["B"] + weights["b"]))
    return mean, 2 * np.log(std)


def reference_logits(weights: dict, z: np.ndarray, shape) -> np.ndarray:
    """Logits N×C×H×W the foreign decoder's probabilities stand for."""
    c, h, w = shape
    return (z @ weights["V"] + weights["v"]).reshape(len(z), h, w, c).transpose(0, 3, 1, 2)
