"""An ONNX encoder/decoder pair run by ONNX Runtime: numpy in, numpy out, in the manifest's conventions.

``OnnxPair`` checks both graphs against the manifest when it is made (operators, weights kept inside,
input and output names, shapes, element types), runs a probe batch through each, and turns every problem
into a CheckpointError that names the file and the problem. It then converts at the boundary, so that the
rest of the engine sees what our own models give: images float in [0, 1] N×C×H×W in, latent means and
log-variances N×D out, Bernoulli logits N×C×H×W from the decoder.

Nothing in an ONNX file runs Python: ONNX Runtime executes the graph's operators only. A graph whose batch
size is fixed (e.g. 1) is run in batches of that size, the last one padded.
"""

from __future__ import annotations

import re

import numpy as np

from trainer.errors import CheckpointError, TrainerError
from trainer.onnx_model.manifest import Manifest

CHUNK = 1024  # images per ONNX Runtime call when the batch size is free
PROB_EPS = 1e-6  # probabilities are clipped to [eps, 1 - eps] before they become logits
_FLOATS = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(float16)": np.float16}


class OnnxPair:
    """The encoder and decoder sessions of one model. ``where`` names the model in messages."""

    def __init__(self, manifest: Manifest, encoder: bytes, decoder: bytes, where: str,
                 threads: int | None = None):
        self.manifest, self.where = manifest, where
        self.encoder = _Graph(_session(encoder, f"{where}: {manifest.encoder_file}", threads),
                              f"{where}: {manifest.encoder_file}")
        self.decoder = _Graph(_session(decoder, f"{where}: {manifest.decoder_file}", threads),
                              f"{where}: {manifest.decoder_file}")
        self._check_encoder()
        self._check_decoder()
        self._probe()

    # ---- checks -------------------------------------------------------------------------------------------

    def _check_encoder(self) -> None:
        m, g = self.manifest, self.encoder
        self.enc_input = g.input(m.encoder_input, "encoder.input")
        g.check_shape(self.enc_input, _image_dims(m.image_shape, m.layout), f"{m.layout} images "
                      f"{_dims(m.image_shape)}")
        self.enc_outputs = [g.output(m.mean, "encoder.mean")]
        variance = m.log_variance or m.std
        if variance is not None:
            self.enc_outputs.append(g.output(variance, "encoder.log_variance" if m.log_variance else
                                             "encoder.std"))
        for name in self.enc_outputs:
            g.check_shape(g.outputs[name], [None, m.latent_dim], f"latent codes of size {m.latent_dim}",
                          kind="output")

    def _check_decoder(self) -> None:
        m, g = self.manifest, self.decoder
        self.dec_input = g.input(m.decoder_input, "decoder.input")
        g.check_shape(self.dec_input, [None, m.latent_dim], f"latent codes of size {m.latent_dim}")
        self.dec_output = g.output(m.decoder_output or g.output_names[0], "decoder.output")
        g.check_shape(g.outputs[self.dec_output], _image_dims(m.image_shape, m.decoder_layout),
                      f"{m.decoder_layout} images {_dims(m.image_shape)}", kind="output")

    def _probe(self) -> None:
        """Two grey images through the encoder, two zero codes through the decoder: shapes as promised."""
        c, h, w = self.manifest.image_shape
        try:
            self.encode(np.full((2, c, h, w), 0.5, np.float32))  # each checks the shapes it gets back
            self.decode(np.zeros((2, self.manifest.latent_dim), np.float32))
        except TrainerError as e:
            raise CheckpointError(str(e)) from None

    # ---- running ------------------------------------------------------------------------------------------

    def encode(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(mean, log-variance | None) float32 N×D for images float in [0, 1], N×C×H×W."""
        m = self.manifest
        x = np.asarray(x, dtype=np.float32)
        if len(x) == 0:
            empty = np.zeros((0, m.latent_dim), np.float32)
            return empty, (empty.copy() if m.has_posterior else None)
        lo, hi = m.input_range
        fed = _to_layout(x * np.float32(hi - lo) + np.float32(lo), m.layout)
        outs = self.encoder.run(self.enc_input, fed, self.enc_outputs)
        n, d = len(x), m.latent_dim
        mu = _rows(outs[0], n, d, f"{self.encoder.where}: output {m.mean!r}")
        if len(outs) == 1:
            return mu, None
        spread = _rows(outs[1], n, d, f"{self.encoder.where}: output {self.enc_outputs[1]!r}")
        if m.std is not None:
            spread = 2.0 * np.log(np.maximum(spread, np.float32(1e-30)))
        return mu, spread.astype(np.float32)

    def decode(self, z: np.ndarray) -> np.ndarray:
        """Bernoulli logits float32 N×C×H×W for codes N×D (a probability decoder's output is clipped to
        [PROB_EPS, 1 - PROB_EPS] and turned into logits, so that sigmoid gives it back)."""
        m = self.manifest
        z = np.asarray(z, dtype=np.float32).reshape(-1, m.latent_dim)
        if len(z) == 0:
            return np.zeros((0, *m.image_shape), np.float32)
        out = self.decoder.run(self.dec_input, z, [self.dec_output])[0]
        images = _from_layout(out, m.decoder_layout, m.image_shape, len(z),
                              f"{self.decoder.where}: output {self.dec_output!r}")
        if m.returns == "logits":
            return images
        lo, hi = m.output_range
        p = np.clip((images - np.float32(lo)) / np.float32(hi - lo), PROB_EPS, 1 - PROB_EPS)
        return (np.log(p) - np.log1p(-p)).astype(np.float32)


class _Graph:
    """One ONNX Runtime session, its inputs and outputs by name, and batched runs."""

    def __init__(self, session, where: str):
        self.session, self.where = session, where
        self.inputs = {i.name: i for i in session.get_inputs()}
        self.outputs = {o.name: o for o in session.get_outputs()}
        self.output_names = [o.name for o in session.get_outputs()]

    def input(self, name: str | None, field: str):
        if name is None:
            if len(self.inputs) != 1:
                raise CheckpointError(f"{self.where}: the graph has {len(self.inputs)} inputs "
                                      f"({_list(self.inputs)}): name the one to use in model.json {field}")
            name = next(iter(self.inputs))
        if name not in self.inputs:
            raise CheckpointError(f"{self.where}: model.json {field} is {name!r}, but the graph has no such "
                                  f"input (its inputs: {_list(self.inputs)})")
        node = self.inputs[name]
        if node.type not in _FLOATS:
            raise CheckpointError(f"{self.where}: input {name!r} is {node.type}; a float tensor is needed")
        return node

    def output(self, name: str, field: str) -> str:
        if name not in self.outputs:
            raise CheckpointError(f"{self.where}: model.json {field} is {name!r}, but the graph has no such "
                                  f"output (its outputs: {_list(self.outputs)})")
        if self.outputs[name].type not in _FLOATS:
            raise CheckpointError(f"{self.where}: output {name!r} is {self.outputs[name].type}; a float "
                                  "tensor is needed")
        return name

    def check_shape(self, node, expected: list[int | None], what: str, kind: str = "input") -> None:
        """Fixed sizes in the graph's declared shape must equal the expected ones (None = any)."""
        shape = node.shape
        if shape is None:  # unknown rank: the probe run checks it
            return
        fixed = [d if isinstance(d, int) and d > 0 else None for d in shape]
        ok = len(fixed) == len(expected) and all(f is None or e is None or f == e
                                                   for f, e in zip(fixed, expected, strict=True))
        if not ok:
            want = ", ".join("N" if e is None else str(e) for e in expected)
            raise CheckpointError(f"{self.where}: {kind} {node.name!r} has shape {_shape_text(shape)}, but "
                                  f"model.json describes {what}, i.e. [{want}]")

    def batch_size(self, node) -> int | None:
        first = node.shape[0] if node.shape else None
        return first if isinstance(first, int) and first > 0 else None

    def run(self, node, x: np.ndarray, outputs: list[str]) -> list[np.ndarray]:
        """The outputs for all rows of ``x`` (at least one), in chunks (of the graph's fixed batch size, the
        last one padded)."""
        x = np.ascontiguousarray(x, dtype=_FLOATS[node.type])
        fixed = self.batch_size(node)
        size = fixed or CHUNK
        parts: list[list[np.ndarray]] = []
        for start in range(0, len(x), size):
            chunk = x[start:start + size]
            n = len(chunk)
            if fixed is not None and n < fixed:
                chunk = np.concatenate([chunk, np.zeros((fixed - n, *chunk.shape[1:]), chunk.dtype)])
            try:
                result = self.session.run(outputs, {node.name: chunk})
            except Exception as e:  # onnxruntime's own exception types do not derive from RuntimeError
                raise TrainerError(f"{self.where} failed on a batch of shape {list(chunk.shape)}: "
                                   f"{_first_line(e)}") from None
            parts.append([np.asarray(r)[:n] for r in result])
        return [np.concatenate([p[k] for p in parts]) for k in range(len(outputs))]


# ---- sessions --------------------------------------------------------------------------------------------

def _session(data: bytes, where: str, threads: int | None):
    """An ONNX Runtime session for the graph in ``data``, after checking it with ``onnx``."""
    import onnxruntime as ort

    _check_graph(data, where)
    options = ort.SessionOptions()
    options.log_severity_level = 3  # errors only: warnings go to stderr otherwise
    options.inter_op_num_threads = 1
    # idle threads sleep instead of spinning: a busy-waiting pool took a core from the GUI between calls
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if threads:
        options.intra_op_num_threads = int(threads)
    try:
        return ort.InferenceSession(data, sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as e:
        raise CheckpointError(f"{where}: ONNX Runtime cannot load it: {_explain(e)}") from None


def _check_graph(data: bytes, where: str) -> None:
    """Parse with ``onnx``: a protobuf, weights kept inside, and operators ONNX Runtime can run."""
    import onnx
    from google.protobuf.message import DecodeError

    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except (DecodeError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"{where}: not an ONNX file ({e})") from None
    if not model.HasField("graph"):
        raise CheckpointError(f"{where}: not an ONNX file (no graph)")
    external = [t.name for t in model.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
    if external:
        raise CheckpointError(f"{where}: keeps its weights in separate files ({', '.join(external[:3])}); "
                              "save it with the weights inside "
                              "(onnx.save_model(..., save_as_external_data=False))")
    local = {(f.domain, f.name) for f in model.functions}
    for domain, op in sorted(_ops(model.graph) - local):
        if domain in ("", "ai.onnx", "ai.onnx.ml") and not onnx.defs.has(op, domain):
            raise CheckpointError(f"{where}: uses operator {op!r}, which is not an ONNX operator: "
                                  "ONNX Runtime cannot run it")
        if domain not in ("", "ai.onnx", "ai.onnx.ml", "com.microsoft"):
            raise CheckpointError(f"{where}: uses operator {domain}:{op}, from a custom domain that ONNX "
                                  "Runtime cannot run (export it with standard ONNX operators only)")


def _ops(graph) -> set[tuple[str, str]]:
    """(domain, op_type) of every node, subgraphs (If, Loop, Scan bodies) included."""
    found = set()
    for node in graph.node:
        found.add((node.domain, node.op_type))
        for attr in node.attribute:
            for sub in [attr.g] if attr.HasField("g") else list(attr.graphs):
                found |= _ops(sub)
    return found


def _explain(e: Exception) -> str:
    text = _first_line(e)
    op = re.search(r"No Op registered for (\w+)|(\S+:\w+)\(-?\d+\) is not a registered|implementation for "
                   r"(\w+)\(", text)
    if op:
        name = next(g for g in op.groups() if g)
        return f"operator {name} cannot be run by this ONNX Runtime ({text})"
    return text


def _first_line(e: Exception) -> str:
    text = str(e).strip() or type(e).__name__
    return re.sub(r"^\[ONNXRuntimeError\] : \d+ : \w+ : ", "", text.splitlines()[0])[:500]


# ---- layouts ---------------------------------------------------------------------------------------------

def _image_dims(shape: tuple[int, int, int], layout: str) -> list[int | None]:
    c, h, w = shape
    return {"NCHW": [None, c, h, w], "NHWC": [None, h, w, c], "flat": [None, c * h * w]}[layout]


def _to_layout(x: np.ndarray, layout: str) -> np.ndarray:
    """N×C×H×W -> the layout's tensor."""
    if layout == "NHWC":
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    if layout == "flat":
        return x.reshape(len(x), -1)
    return x


def _from_layout(y: np.ndarray, layout: str, shape: tuple[int, int, int], n: int, where: str) -> np.ndarray:
    """The layout's tensor -> float32 N×C×H×W."""
    c, h, w = shape
    y = np.asarray(y, dtype=np.float32)
    if y.size != n * c * h * w:
        raise TrainerError(f"{where} has shape {list(y.shape)}, not {n} images of {_dims(shape)}")
    if layout == "NHWC":
        return np.ascontiguousarray(y.reshape(n, h, w, c).transpose(0, 3, 1, 2))
    return y.reshape(n, c, h, w)


def _rows(y: np.ndarray, n: int, d: int, where: str) -> np.ndarray:
    y = np.asarray(y, dtype=np.float32)
    if y.size != n * d:
        raise TrainerError(f"{where} has shape {list(y.shape)}, not {n}×{d} latent codes")
    return y.reshape(n, d)


def _dims(shape) -> str:
    return "×".join(str(int(s)) for s in shape)


def _list(names) -> str:
    return ", ".join(repr(n) for n in names) or "none"


def _shape_text(shape) -> str:
    return "[" + ", ".join("N" if d is None else str(d) for d in shape) + "]"

