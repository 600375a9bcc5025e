"""Sampling new images: a rows×cols grid decoded from random codes, with a temperature and a fixed seed.

A VAE is trained so that its codes follow N(0, I): the tool draws z ~ N(0, T²·I) with a seeded generator,
the very draws of ``trainer.latent.sample_prior`` for the same seed. A plain or sparse autoencoder has no
prior; the tool then draws from a Gaussian fitted to the data's codes (mean + T·L·ε, with L the Cholesky
factor of their covariance) and says so: many such codes fall between the clusters the autoencoder uses and
decode to smudges, which is exactly why a VAE's KL term matters. The same seed always gives the same grid, so
a classroom demo repeats.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from explorer.tools.jobs import Jobs

SIZE_RANGE = (1, 16)
SOURCES = ("prior", "mixture")
MAX_TEMPERATURE = 2.0


@dataclass(frozen=True)
class Fit:
    """A Gaussian fitted to codes: mean (D) and the Cholesky factor L (D×D) of the covariance."""

    mean: np.ndarray
    chol: np.ndarray


@dataclass(frozen=True)
class Samples:
    codes: np.ndarray  # float32 (rows·cols)×D
    images: np.ndarray  # float32 (rows·cols)×C×H×W in [0, 1]
    rows: int
    cols: int
    temperature: float
    seed: int
    fit: Fit | None  # None: drawn from the VAE's prior N(0, I); else from this fitted Gaussian
    mixture: object = None  # trainer.holes.Mixture: drawn from this mixture fitted to the codes instead

    @property
    def from_prior(self) -> bool:
        return self.fit is None and self.mixture is None


class Sampler(QObject):
    """State of the Sampling tool; its panel shows it and calls the methods.

    Signals: ``settingsChanged`` (rows, cols, temperature, seed), ``samplesChanged`` (``samples`` replaced,
    None when cleared).
    """

    settingsChanged = Signal()
    samplesChanged = Signal()

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.jobs = Jobs(session, "sampling", self)
        self.rows, self.cols = 8, 8
        self.temperature = 1.0
        self.seed = 0
        self.source = "prior"  # or "mixture": a Gaussian mixture fitted to the codes (trainer.holes)
        self.samples: Samples | None = None
        self._fit: Fit | None = None  # cached per model and codes
        self._mixture = None  # the same
        session.modelChanged.connect(self._on_model)
        session.datasetChanged.connect(self._on_model)
        session.codesChanged.connect(self._forget_fits)  # fitted to the codes: stale when they move
        session.ready.connect(self.refresh)
        session.modelUpdated.connect(self.refresh)  # the model in training: newer weights
        self.refresh()  # a model may be loaded already

    @property
    def has_prior(self) -> bool:
        """True for a VAE (sampling N(0, I) is meaningful); False for a plain or sparse autoencoder."""
        model = self.session.model
        return model is not None and model.config.family == "vae"

    # ---- settings ------------------------------------------------------------------------------------------

    def set_size(self, rows: int, cols: int) -> None:
        rows, cols = (int(min(max(int(v), SIZE_RANGE[0]), SIZE_RANGE[1])) for v in (rows, cols))
        if (rows, cols) != (self.rows, self.cols):
            self.rows, self.cols = rows, cols
            self._changed()

    def set_temperature(self, temperature: float) -> None:
        temperature = float(min(max(float(temperature), 0.0), MAX_TEMPERATURE))
        if temperature != self.temperature:
            self.temperature = temperature
            self._changed()

    def set_seed(self, seed: int) -> None:
        if int(seed) != self.seed:
            self.seed = max(0, int(seed))
            self._changed()

    def set_source(self, source: str) -> None:
        """Draw from the prior ("prior") or from a Gaussian mixture fitted to the codes ("mixture", as
        pythae's GaussianMixtureSampler): where the codes really are, so fewer samples fall into holes."""
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}: one of {', '.join(SOURCES)}")
        if source != self.source:
            self.source = source
            self._changed()

    def reroll(self) -> None:
        """A new grid: the next seed."""
        self.set_seed(self.seed + 1)

    def _changed(self) -> None:
        self.settingsChanged.emit()
        self.refresh()

    # ---- sampling ------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Draw and decode the grid for the current settings (in the tool's lane)."""
        s = self.session
        if s.model is None or not s.is_ready:
            return
        if self.source == "mixture":
            codes = None if self._mixture is not None else s.codes[:s.n_encoded].copy()
            self.jobs.submit(draw_mixture, s.model, self.rows, self.cols, self.temperature, self.seed,
                             self._mixture, codes, then=self._on_samples)
            return
        codes = None if self.has_prior or self._fit is not None else s.codes[:s.n_encoded].copy()
        self.jobs.submit(draw_samples, s.model, self.rows, self.cols, self.temperature, self.seed,
                         self._fit, codes, then=self._on_samples)

    def _on_samples(self, samples: Samples) -> None:
        self._fit = samples.fit if samples.mixture is None else self._fit
        self._mixture = samples.mixture if samples.mixture is not None else self._mixture
        self.samples = samples
        self.samplesChanged.emit()

    def _forget_fits(self) -> None:
        self._fit = self._mixture = None

    def _on_model(self) -> None:
        self.jobs.cancel()
        self._fit = self._mixture = None
        if self.samples is not None:
            self.samples = None
            self.samplesChanged.emit()

    def export_png(self, path: str | Path, scale: int = 4) -> Path:
        """The grid as one PNG, each pixel ``scale``×``scale``."""
        from trainer.errors import ConfigError
        from trainer.export import save_png

        if self.samples is None:
            raise ConfigError("there are no samples yet: load a model first")
        return save_png(self.samples.images, path, cols=self.samples.cols, scale=scale)


def fit_gaussian(codes: np.ndarray) -> Fit:
    """Mean and Cholesky factor of the covariance of codes N×D (a little jitter keeps it positive
    definite)."""
    codes = np.asarray(codes, dtype=np.float64)
    mean = codes.mean(axis=0)
    cov = np.atleast_2d(np.cov(codes, rowvar=False)) if len(codes) > 1 else np.zeros((len(mean),) * 2)
    jitter = 1e-6 * max(float(np.trace(cov)) / len(mean), 1e-12)
    return Fit(mean, np.linalg.cholesky(cov + jitter * np.eye(len(mean))))


def draw_samples(model, rows: int, cols: int, temperature: float, seed: int, fit: Fit | None,
                 codes: np.ndarray | None) -> Samples:
    """The job (in the tool's lane): ε ~ N(0, I) from a generator seeded ``seed`` (as ``sample_prior``);
    z = T·ε for a VAE, z = mean + T·L·ε from the fit (made from ``codes`` when not given) otherwise."""
    import torch

    from explorer.workers import THREADS, torch_errors
    from trainer.latent import decode

    torch.set_num_threads(THREADS)
    n, d = rows * cols, model.config.latent_dim
    z = torch.randn(n, d, generator=torch.Generator().manual_seed(int(seed))) * temperature
    if model.config.family != "vae":
        fit = fit if fit is not None else fit_gaussian(codes)
        z = torch.from_numpy((fit.mean + z.double().numpy() @ fit.chol.T).astype(np.float32))
    else:
        fit = None
    with torch_errors("Sampling"):
        images = decode(model, z.numpy())
    z = z.numpy().copy()
    return Samples(z, np.array(images, copy=True), rows, cols, float(temperature), int(seed), fit)


def draw_mixture(model, rows: int, cols: int, temperature: float, seed: int, mixture,
                 codes: np.ndarray | None) -> Samples:
    """The job for the "mixture" source: z from a Gaussian mixture fitted to ``codes`` (when ``mixture`` is
    not given; ``trainer.holes.fit_mixture``), each component's spread scaled by T, seeded."""
    import torch

    from explorer.workers import THREADS, torch_errors
    from trainer.holes import fit_mixture
    from trainer.latent import decode

    torch.set_num_threads(THREADS)
    if mixture is None:
        finite = codes[np.isfinite(codes).all(1)]
        mixture = fit_mixture(finite, components=min(10, max(len(finite) // 5, 1)), seed=0)
    z = mixture.sample(rows * cols, seed=int(seed), temperature=float(temperature))
    with torch_errors("Sampling"):
        images = decode(model, z)
    return Samples(z, np.array(images, copy=True), rows, cols, float(temperature), int(seed), None, mixture)
