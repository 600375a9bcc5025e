"""``model.json``: what a reader needs to use an ONNX encoder/decoder pair, its JSON Schema, and its checks.

The schema (``SCHEMA``) is the one source: ``docs/onnx-model.schema.json`` is written from it
(``python -m trainer.onnx_model --schema``) and a test keeps the two equal. ``parse_manifest`` validates a
manifest against it with ``jsonschema`` and reports every problem on a line of its own, named by its place
in the file (``image.layout: 'NCWH' is not one of 'NCHW', 'NHWC', 'flat'``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from trainer.errors import CheckpointError

FORMAT_VERSION = 1
LAYOUTS = ("NCHW", "NHWC", "flat")
DECODER_RETURNS = ("logits", "probabilities")
MAX_MANIFEST_BYTES = 1 << 20

_RANGE = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
_NAME = {"type": "string", "minLength": 1, "maxLength": 256}
_NAMES = {"type": "array", "items": {"type": "string", "maxLength": 256}, "maxItems": 100_000}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Latent Explorer ONNX model manifest (model.json)",
    "description": "Beside encoder.onnx and decoder.onnx in a folder (or a .zip of it): how to feed the "
                   "encoder and read both graphs.",
    "type": "object",
    "required": ["image", "latent_dim", "encoder", "decoder"],
    "additionalProperties": False,
    "properties": {
        "format_version": {"const": FORMAT_VERSION, "description": "the manifest format; 1 (the default)"},
        "name": {"type": "string", "maxLength": 200, "description": "a name to show (default: the folder's)"},
        "description": {"type": "string", "maxLength": 10_000},
        "image": {
            "type": "object", "required": ["channels", "height", "width", "layout"],
            "additionalProperties": False,
            "description": "the images the encoder takes and the decoder returns",
            "properties": {
                "channels": {"type": "integer", "enum": [1, 3], "description": "1 (grey) or 3 (RGB)"},
                "height": {"type": "integer", "minimum": 1, "maximum": 4096},
                "width": {"type": "integer", "minimum": 1, "maximum": 4096},
                "layout": {"enum": list(LAYOUTS),
                           "description": "tensor layout of the encoder input and decoder output: NCHW, "
                                          "NHWC, or flat (N×(C·H·W), values in C, H, W order)"},
            },
        },
        "input_range": {**_RANGE, "description": "[lo, hi]: pixel values 0…255 are mapped linearly onto "
                                                 "lo…hi before encoding (default [0, 1])"},
        "latent_dim": {"type": "integer", "minimum": 1, "maximum": 65_536},
        "encoder": {
            "type": "object", "required": ["mean"], "additionalProperties": False,
            "properties": {
                "file": {**_NAME, "description": "default encoder.onnx"},
                "input": {**_NAME, "description": "the image input (default: the graph's only input)"},
                "mean": {**_NAME, "description": "the output that is the posterior mean (the latent code)"},
                "log_variance": {**_NAME, "description": "VAE: the output that is log σ² of the posterior"},
                "std": {**_NAME, "description": "VAE: the output that is σ of the posterior (instead of "
                                                "log_variance)"},
            },
            "not": {"required": ["log_variance", "std"]},
        },
        "decoder": {
            "type": "object", "required": ["returns"], "additionalProperties": False,
            "properties": {
                "file": {**_NAME, "description": "default decoder.onnx"},
                "input": {**_NAME, "description": "the latent input (default: the graph's only input)"},
                "output": {**_NAME, "description": "the image output (default: the graph's first output)"},
                "returns": {"enum": list(DECODER_RETURNS),
                            "description": "logits: Bernoulli logits (sigmoid gives pixels); probabilities: "
                                           "pixel values in output_range"},
                "output_range": {**_RANGE, "description": "probabilities: [lo, hi] of the output values "
                                                          "(default [0, 1]; [-1, 1] for a tanh decoder)"},
                "layout": {"enum": list(LAYOUTS), "description": "the output's layout, if not image.layout"},
            },
        },
        "family": {"enum": ["ae", "vae", "sparse", "denoising"],
                   "description": "for display; default vae with a log_variance or std output, else ae"},
        "beta": {"type": "number", "minimum": 0, "description": "VAE: weight of the KL term (default 1)"},
        "class_names": _NAMES,
        "attribute_names": _NAMES,
        "dataset": {"type": "string", "maxLength": 4096,
                    "description": "the data set it belongs to, as a data set spec (mnist, fashion-mnist, "
                                   "folder:PATH…); opened with the model"},
        "origin": {"type": "object", "description": "free-form: who made it and how (our export writes the "
                                                    "model and training settings and the test metrics here)"},
    },
}


@dataclass(frozen=True)
class Manifest:
    """A validated ``model.json``. ``image_shape`` is (C, H, W) whatever the layout."""

    image_shape: tuple[int, int, int]
    layout: str
    latent_dim: int
    mean: str
    log_variance: str | None = None
    std: str | None = None
    encoder_file: str = "encoder.onnx"
    decoder_file: str = "decoder.onnx"
    encoder_input: str | None = None
    decoder_input: str | None = None
    decoder_output: str | None = None
    returns: str = "logits"
    decoder_layout: str = "NCHW"
    input_range: tuple[float, float] = (0.0, 1.0)
    output_range: tuple[float, float] = (0.0, 1.0)
    family: str = "ae"
    beta: float = 1.0
    name: str = ""
    description: str = ""
    class_names: list[str] = field(default_factory=list)
    attribute_names: list[str] = field(default_factory=list)
    dataset: str = ""
    origin: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)

    @property
    def has_posterior(self) -> bool:
        """True when the encoder gives a variance too (a VAE: KL, ELBO and IW-NLL can be computed)."""
        return self.log_variance is not None or self.std is not None


def parse_manifest(data: bytes, where: str) -> Manifest:
    """The manifest in ``data`` (UTF-8 JSON); CheckpointError naming ``where`` and every problem found."""
    if len(data) > MAX_MANIFEST_BYTES:
        raise CheckpointError(f"{where}: {len(data):,} bytes is too large for a manifest "
                              f"(at most {MAX_MANIFEST_BYTES:,})")
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise CheckpointError(f"{where}: not UTF-8 text") from None
    except (ValueError, RecursionError) as e:
        raise CheckpointError(f"{where}: not valid JSON ({e})") from None
    problems = schema_problems(doc)
    if problems:
        raise CheckpointError(f"{where}: " + "; ".join(problems))
    return _manifest(doc, where)


def schema_problems(doc: Any) -> list[str]:
    """Every way ``doc`` breaks ``SCHEMA``, one line each, in the order of the file's fields."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    return [_describe(e) for e in errors]


def _describe(error) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or "the manifest"
    if error.validator == "enum":
        return f"{where}: {error.instance!r} is not one of {', '.join(map(repr, error.validator_value))}"
    if error.validator == "additionalProperties":
        return f"{where}: unknown field(s): {error.message.split('(')[-1].rstrip(')')}"
    if error.validator == "not":
        return f"{where}: give log_variance or std, not both"
    if error.validator == "required":
        return f"{where}: {error.message.replace(' is a required property', ' is missing')}"
    return f"{where}: {error.message}"


def _manifest(doc: dict, where: str) -> Manifest:
    image, enc, dec = doc["image"], doc["encoder"], doc["decoder"]
    in_range = _range(doc.get("input_range", [0, 1]), where, "input_range")
    out_range = _range(dec.get("output_range", [0, 1]), where, "decoder.output_range")
    variance = enc.get("log_variance") or enc.get("std")
    family = doc.get("family", "vae" if variance else "ae")
    if family == "vae" and not variance:
        raise CheckpointError(f"{where}: family is vae but the encoder names no log_variance or std output")
    return Manifest(
        image_shape=(image["channels"], image["height"], image["width"]), layout=image["layout"],
        latent_dim=doc["latent_dim"], mean=enc["mean"], log_variance=enc.get("log_variance"),
        std=enc.get("std"), encoder_file=enc.get("file", "encoder.onnx"),
        decoder_file=dec.get("file", "decoder.onnx"), encoder_input=enc.get("input"),
        decoder_input=dec.get("input"), decoder_output=dec.get("output"), returns=dec["returns"],
        decoder_layout=dec.get("layout", image["layout"]), input_range=in_range, output_range=out_range,
        family=family, beta=float(doc.get("beta", 1.0)), name=doc.get("name", ""),
        description=doc.get("description", ""), class_names=list(doc.get("class_names", [])),
        attribute_names=list(doc.get("attribute_names", [])), dataset=doc.get("dataset", ""),
        origin=dict(doc.get("origin", {})), raw=doc)


def _range(value: list, where: str, what: str) -> tuple[float, float]:
    lo, hi = (float(v) for v in value)
    if not (abs(lo) < 1e30 and abs(hi) < 1e30) or lo == hi:
        raise CheckpointError(f"{where}: {what} must be two different finite numbers, got {value}")
    return lo, hi


def schema_text() -> str:
    """``SCHEMA`` as the text of docs/onnx-model.schema.json."""
    return json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n"
