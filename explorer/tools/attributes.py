"""``AttributeTool``: attribute arithmetic — a direction in latent space, a morph along it, and analogies.

The direction comes from a source: a binary attribute of the data set (mean code with − mean code without),
two classes (mean of class B − mean of class A), the person's own group (a box or lasso selection − the
rest), or a saved vector. The morph decodes ``z + αᵢ·d`` for k values αᵢ evenly from 0 to α, so the first
image is the plain reconstruction of z; the analogy decodes ``z_A − z_B + z_C``. The means are numpy on the
session's codes (GUI thread); every decode is one batch in the tool's lane, latest request wins.

State (read it; change it through the methods), with the signal that announces each change
    source, attribute, classes, mask, saved_name   what the direction is made from     sourceChanged
    direction  Direction | None     vector, the two group means, counts, description    directionChanged
    problem    str                  why the source gives no direction ("" if none)      directionChanged
    alpha, k   float, int           how far to go, how many images in the strip         morphSettingsChanged
    base       (z, label) | None    the code being morphed (session.current_code())     baseChanged
    morph      Morph | None         the strip's codes and images (kept until the next)   morphChanged
    picks      list[Pick]           A, B, C chosen so far; ``picking`` while choosing   analogyChanged
    analogy    Analogy | None       A, B, C and A − B + C, decoded                      analogyChanged
    vectors    dict[str, NamedVector]  the model's saved vectors                        vectorsChanged
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from explorer.tools.jobs import Jobs
from explorer.workers import THREADS, torch_errors
from trainer.errors import TrainerError

SOURCES = ("attribute", "classes", "selection", "saved")
ALPHA_RANGE = (-3.0, 3.0)
K_RANGE = (2, 25)


@dataclass(frozen=True, eq=False)
class Direction:
    vector: np.ndarray  # float32 D: end − start (or a saved vector)
    start: np.ndarray  # float32 D: mean code of the group without (the arrow's tail)
    end: np.ndarray  # float32 D: mean code of the group with (the arrow's head)
    n_with: int  # images in the group the arrow points to (0 for a saved vector)
    n_without: int
    with_name: str  # "large", "star", "my selection"
    without_name: str  # "not large", "circle", "the rest"
    description: str  # how it was made, in words (saved with the vector)

    @property
    def norm(self) -> float:
        return float(np.linalg.norm(self.vector))


@dataclass(frozen=True)
class Morph:
    alphas: np.ndarray  # float k, evenly from 0 to alpha
    codes: np.ndarray  # float32 k×D: base + alphas·d
    images: np.ndarray  # float32 k×C×H×W


@dataclass(frozen=True)
class Pick:
    z: np.ndarray  # float32 D
    label: str  # "#12 · circle" or "point (0.31, -1.20)"
    index: int  # data row, -1 for a point of empty space


@dataclass(frozen=True)
class Analogy:
    codes: np.ndarray  # float32 4×D: A, B, C, A − B + C
    images: np.ndarray  # float32 4×C×H×W


def decode_codes(model, codes: np.ndarray) -> np.ndarray:
    """One decode batch in the lane's thread (a copy crosses back)."""
    import torch

    torch.set_num_threads(THREADS)
    from trainer.latent import decode

    with torch_errors("Decoding"):
        return np.array(decode(model, codes), dtype=np.float32, copy=True)


class AttributeTool(QObject):
    sourceChanged = Signal()
    directionChanged = Signal()
    morphSettingsChanged = Signal()
    baseChanged = Signal()
    morphChanged = Signal()
    analogyChanged = Signal()
    vectorsChanged = Signal()

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.source, self.attribute, self.classes, self.saved_name = "attribute", 0, (0, 1), ""
        self.mask: np.ndarray | None = None
        self.direction: Direction | None = None
        self.problem = ""  # why there is no direction, when the source cannot make one
        self.alpha, self.k = 1.0, 9
        self.base: tuple[np.ndarray, str] | None = None
        self.morph: Morph | None = None
        self.picks: list[Pick] = []
        self.picking = False
        self.analogy: Analogy | None = None
        self.vectors: dict = {}
        self.morph_jobs = Jobs(session, "attributes-morph", self)
        self.analogy_jobs = Jobs(session, "attributes-analogy", self)
        session.modelChanged.connect(self._on_model)
        session.datasetChanged.connect(self.reset)
        session.ready.connect(self._on_codes)
        session.modelUpdated.connect(self._on_codes)  # the model in training: newer weights and codes
        session.selectionChanged.connect(self._on_base)
        session.decodedChanged.connect(self._on_base)
        self._load_vectors()
        self.source = self.workable_source()
        self.base = session.current_code()
        self.update_direction()  # a tool made after the model was opened starts with its direction

    # ---- reading -------------------------------------------------------------------------------------------

    @property
    def attribute_names(self) -> list[str]:
        ds = self.session.dataset
        return list(ds.attribute_names) if ds is not None and ds.attributes is not None else []

    def can_use(self, source: str) -> bool:
        """Whether ``source`` can make a direction on the open data: attributes only where the data set names
        some, two classes only where it has two, a saved vector only where the model has one."""
        if source == "attribute":
            return bool(self.attribute_names)
        if source == "classes":
            return len(self.session.class_names) >= 2
        return source == "selection" or bool(self.vectors)

    def workable_source(self) -> str:
        """The current source where it works on the open data, else the first of attribute, two classes and
        the person's own selection that does (a tool opens on a choice that works)."""
        if self.session.dataset is None or self.can_use(self.source):
            return self.source
        return next(s for s in SOURCES if self.can_use(s))

    @property
    def can_save(self) -> bool:
        return self.session.model_path is not None and self.direction is not None

    def morph_codes(self) -> np.ndarray | None:
        """k×D: the codes the strip shows, base + αᵢ·d for αᵢ evenly from 0 to α."""
        if self.base is None or self.direction is None:
            return None
        alphas = np.linspace(0.0, self.alpha, self.k)
        return (self.base[0][None, :] + alphas[:, None] * self.direction.vector[None, :]).astype(np.float32)

    # ---- the direction -------------------------------------------------------------------------------------

    def set_source(self, source: str) -> None:
        if source not in SOURCES:
            raise ValueError(f"unknown direction source {source!r}")
        self.source = source
        if source == "saved" and self.saved_name not in self.vectors and self.vectors:
            self.saved_name = next(iter(self.vectors))
        self.sourceChanged.emit()
        self.update_direction()

    def set_attribute(self, j: int) -> None:
        self.source, self.attribute = "attribute", int(j)
        self.sourceChanged.emit()
        self.update_direction()

    def set_classes(self, a: int, b: int) -> None:
        """From class ``a`` to class ``b``."""
        self.source, self.classes = "classes", (int(a), int(b))
        self.sourceChanged.emit()
        self.update_direction()

    def set_mask(self, mask: np.ndarray | None) -> None:
        """The person's own group (rows of the data set); the direction points from the rest to it."""
        self.source = "selection"
        self.mask = None if mask is None else np.asarray(mask, dtype=bool).copy()
        self.sourceChanged.emit()
        self.update_direction()

    def set_saved(self, name: str) -> None:
        self.source, self.saved_name = "saved", name
        self.sourceChanged.emit()
        self.update_direction()

    def update_direction(self) -> None:
        """Compute the direction from the current source (None when it cannot be made yet)."""
        self.problem = ""
        try:
            direction = self._make_direction() if self.session.is_ready else None
        except TrainerError as e:
            self.problem, direction = str(e), None
        self._set_direction(direction)

    def _make_direction(self) -> Direction | None:
        codes = self.session.codes[:self.session.n_encoded]
        if self.source == "attribute":
            return self._attribute_direction(codes)
        if self.source == "classes":
            return self._class_direction(codes)
        if self.source == "selection":
            ok = self.mask is not None and len(self.mask) == len(codes)
            return _from_mask(codes, self.mask, "my selection", "the rest",
                              "my selection vs the rest") if ok else None
        return self._saved_direction(codes)

    def _attribute_direction(self, codes: np.ndarray) -> Direction | None:
        names, ds = self.attribute_names, self.session.dataset
        if not 0 <= self.attribute < len(names):
            return None
        name = names[self.attribute]
        mask = ds.attributes[:len(codes), self.attribute].astype(bool)  # = direction_from_attribute
        return _from_mask(codes, mask, name, f"not {name}", f"attribute '{name}' (with − without)")

    def _class_direction(self, codes: np.ndarray) -> Direction | None:
        names, (a, b) = self.session.class_names, self.classes
        if not (0 <= a < len(names) and 0 <= b < len(names)) or a == b:
            return None
        labels = self.session.dataset.labels[:len(codes)]
        keep = (labels == a) | (labels == b)  # as direction_from_labels(codes, labels, a, b)
        return _from_mask(codes[keep], labels[keep] == b, names[b], names[a],
                          f"from class '{names[a]}' to class '{names[b]}'")

    def _saved_direction(self, codes: np.ndarray) -> Direction | None:
        saved = self.vectors.get(self.saved_name)
        if saved is None or saved.latent_dim != codes.shape[1]:
            return None
        center = codes.mean(axis=0)
        half = saved.vector / 2
        return Direction(saved.vector.copy(), (center - half).astype(np.float32),
                         (center + half).astype(np.float32), 0, 0, saved.name, "", saved.source)

    def _set_direction(self, direction: Direction | None) -> None:
        self.direction = direction
        self.directionChanged.emit()
        self._request_morph()

    # ---- the morph -----------------------------------------------------------------------------------------

    def set_alpha(self, alpha: float) -> None:
        alpha = float(np.clip(alpha, *ALPHA_RANGE))
        if alpha != self.alpha:
            self.alpha = alpha
            self.morphSettingsChanged.emit()
            self._request_morph()

    def set_k(self, k: int) -> None:
        k = int(np.clip(k, *K_RANGE))
        if k != self.k:
            self.k = k
            self.morphSettingsChanged.emit()
            self._request_morph()

    def _on_base(self, *_args) -> None:
        self.base = self.session.current_code()
        self.baseChanged.emit()
        self._request_morph()

    def _request_morph(self) -> None:
        codes = self.morph_codes()
        if codes is None or self.session.model is None:
            self.morph_jobs.cancel()
            self._set_morph(None)
            return
        alphas = np.linspace(0.0, self.alpha, self.k)
        self.morph_jobs.submit(decode_codes, self.session.model, codes,
                               then=lambda images: self._set_morph(Morph(alphas, codes, images)))

    def _set_morph(self, morph: Morph | None) -> None:
        self.morph = morph
        self.morphChanged.emit()

    # ---- analogies -----------------------------------------------------------------------------------------

    def start_analogy(self) -> None:
        self.picking, self.picks, self.analogy = True, [], None
        self.analogy_jobs.cancel()
        self.analogyChanged.emit()

    def cancel_analogy(self) -> None:
        if self.picking:
            self.picking = False
            self.analogyChanged.emit()

    def pick(self, index: int, x: float, y: float) -> None:
        """Take data row ``index`` (or, for -1, the latent point at view coordinates x, y) as A, B or C."""
        s = self.session
        if not self.picking or s.plane is None:
            return
        if 0 <= index < s.n_encoded:
            label = f"#{index} · {s.class_names[int(s.dataset.labels[index])]}"
            self.picks.append(Pick(s.codes[index].copy(), label, int(index)))
        else:
            z = s.plane.to_latent(np.array([[x, y]]))[0]
            self.picks.append(Pick(z.astype(np.float32), f"point ({x:.2f}, {y:.2f})", -1))
        self.picking = len(self.picks) < 3
        self.analogyChanged.emit()
        if not self.picking:
            self._request_analogy()

    def set_picks(self, codes: np.ndarray, labels: list[str] | None = None) -> None:
        """A, B, C given as codes 3×D (scripts and tests)."""
        codes = np.asarray(codes, dtype=np.float32).reshape(3, -1)
        labels = labels or ["A", "B", "C"]
        self.picking = False
        self.picks = [Pick(z.copy(), label, -1) for z, label in zip(codes, labels, strict=True)]
        self.analogyChanged.emit()
        self._request_analogy()

    def _request_analogy(self) -> None:
        if self.session.model is None or len(self.picks) != 3:
            return
        a, b, c = (p.z for p in self.picks)
        codes = np.stack([a, b, c, a - b + c]).astype(np.float32)
        self.analogy_jobs.submit(decode_codes, self.session.model, codes,
                                 then=lambda images: self._set_analogy(Analogy(codes, images)))

    def _set_analogy(self, analogy: Analogy) -> None:
        self.analogy = analogy
        self.analogyChanged.emit()

    def clear_analogy(self) -> None:
        self.analogy_jobs.cancel()
        self.picking, self.picks, self.analogy = False, [], None
        self.analogyChanged.emit()

    # ---- saved vectors -------------------------------------------------------------------------------------

    def vectors_file(self) -> Path | None:
        from trainer.vectors import vectors_path

        path = self.session.model_path
        return None if path is None else vectors_path(path)

    def save_vector(self, name: str) -> Path:
        """Keep the current direction as ``name`` in the JSON file beside the model (replacing one of that
        name); TrainerError if there is no direction, no model file, or the file cannot be written."""
        from trainer.vectors import NamedVector, save_vectors

        name = name.strip()
        if not name:
            raise TrainerError("A saved vector needs a name")
        if self.direction is None:
            raise TrainerError("There is no direction to save yet")
        if (path := self.vectors_file()) is None:
            raise TrainerError("Save the model to a file first: its vectors are kept beside it")
        vectors = {**self.vectors, name: NamedVector(name, self.direction.vector, self._source_note())}
        save_vectors(path, vectors)
        self.vectors = vectors
        self.vectorsChanged.emit()
        return path

    def _source_note(self) -> str:
        d, s = self.direction, self.session
        counts = f"; {d.n_with} with, {d.n_without} without" if d.n_with or d.n_without else ""
        data = f" on {s.dataset.spec}" if s.dataset is not None else ""
        return f"{d.description}{counts}{data}"

    def _load_vectors(self) -> None:
        from trainer.vectors import load_vectors

        self.vectors = {}
        path = self.vectors_file()
        if path is not None and self.session.model is not None:
            try:
                self.vectors = load_vectors(path, self.session.latent_dim)
            except TrainerError as e:
                self.session.error.emit(f"The saved vectors could not be read, so none are shown. {e}")
        self.vectorsChanged.emit()

    # ---- model and data changes ----------------------------------------------------------------------------

    def _on_model(self) -> None:
        self._load_vectors()
        if self.session.continuing:  # the trained model after its last snapshot: the group, A, B, C stay
            self.analogy_jobs.cancel()
            self._set_direction(None)  # made again from its codes (``_on_codes``)
            return
        self.reset()

    def _on_codes(self) -> None:
        """Codes of a new model, or of the model in training's newer weights: the direction is made again,
        A, B and C picked from data rows take their new codes, and the analogy is decoded again."""
        self.update_direction()
        s = self.session
        if self.picks and s.is_ready:
            self.picks = [replace(p, z=s.codes[p.index].copy()) if 0 <= p.index < s.n_encoded else p
                          for p in self.picks]
            self.analogyChanged.emit()
            self._request_analogy()

    def reset(self) -> None:
        """Forget everything made from the old model or data: the direction, the group, the morph, A, B, C."""
        self.mask = None
        if self.source == "saved" and self.saved_name not in self.vectors:
            self.saved_name = ""
        n_classes = len(self.session.class_names)
        if max(self.classes) >= n_classes:
            self.classes = (0, min(1, max(n_classes - 1, 0)))
        if self.attribute >= len(self.attribute_names):
            self.attribute = 0
        self.source = self.workable_source()
        self.sourceChanged.emit()
        self.clear_analogy()
        self.base = self.session.current_code()
        self.baseChanged.emit()
        self._set_direction(None)

    # ---- export --------------------------------------------------------------------------------------------

    def export_png(self, path: str | Path, scale: int = 4) -> Path:
        """The morph strip as one PNG, each pixel ``scale``×``scale``."""
        from trainer.export import save_png

        return save_png(self._morph_images(), path, scale=scale)

    def export_gif(self, path: str | Path, scale: int = 4, duration_ms: int = 100) -> Path:
        """The morph as a looping GIF, from z along the direction and back (2k−2 frames)."""
        from trainer.export import save_gif

        return save_gif(self._morph_images(), path, duration_ms=duration_ms, scale=scale, bounce=True)

    def _morph_images(self) -> np.ndarray:
        if self.morph is None:
            from trainer.errors import ConfigError

            raise ConfigError("there is no morph strip yet: select a point and choose a direction first")
        return self.morph.images


def _from_mask(codes: np.ndarray, mask: np.ndarray, with_name: str, without_name: str,
               description: str) -> Direction:
    """The two group means and their difference (trainer.latent.direction_from_mask checks the groups)."""
    from trainer.latent import direction_from_mask

    vector = direction_from_mask(codes, mask)
    start = codes[~mask].astype(np.float64).mean(axis=0).astype(np.float32)
    end = codes[mask].astype(np.float64).mean(axis=0).astype(np.float32)
    return Direction(vector, start, end, int(mask.sum()), int((~mask).sum()), with_name, without_name,
                     description)

