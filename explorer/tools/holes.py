"""The Holes tool: where the encoded data live against where the prior N(0, I) says they should, a Gaussian
mixture fitted to the codes, an "off the map" meter for any latent point, and samples from the prior and
from the mixture side by side.

Every computation is in ``trainer.holes``; this module runs it in lanes (the mixture fit, the map of the
visible region, the decoded samples) and keeps the results:
    mixture   trainer.holes.Mixture | None   fitted to the session's codes once the tool is first shown;
              while a model trains, each fit ends and is shown, then the newest codes are fitted
    map       trainer.holes.HolesMap | None  of the visible region (while ``show_map``)
    prior_in_view  (centre 2, cov 2×2) | None   N(0, I) seen in the view
    reading   Reading | None   the meter: the last point looked at (clicked, decoded, interpolated, sampled)
    samples   SidePair | None  images decoded from N(0, I) and from the mixture, same count and seed
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from explorer.tools.jobs import Jobs

MAP_CELLS = 120
COMPONENTS = 10
SIDE_SAMPLES = 16  # images per side
OFF_MAP_PERCENT = 2.0  # below this percentile a point is "off the map"


@dataclass(frozen=True)
class Reading:
    """The meter's reading: ``what`` was measured, its log density under the mixture (nats) and the
    percentage of the data's codes that are less dense (median over several points, e.g. samples)."""

    what: str
    log_density: float
    percentile: float

    @property
    def off_map(self) -> bool:
        return self.percentile < OFF_MAP_PERCENT


@dataclass(frozen=True)
class SidePair:
    """Samples decoded from the prior and from the mixture: codes float32 n×D, images float32 n×C×H×W,
    and each side's median percentile (how typical its codes are of the data)."""

    prior_codes: np.ndarray
    prior_images: np.ndarray
    mixture_codes: np.ndarray
    mixture_images: np.ndarray
    prior_percentile: float
    mixture_percentile: float
    seed: int


def fit_job(codes: np.ndarray, components: int):
    from trainer.holes import fit_mixture

    return fit_mixture(codes, components=min(components, max(len(codes) // 5, 1)), seed=0)


def map_job(xy: np.ndarray, x_range, y_range, prior_centre, prior_cov):
    from trainer.holes import holes_map

    return holes_map(xy, x_range, y_range, MAP_CELLS, prior_centre, prior_cov)


def side_job(model, mixture, n: int, seed: int) -> SidePair:
    """(In a lane) n codes from N(0, I) and n from the mixture, decoded."""
    import torch

    from explorer.workers import THREADS, torch_errors
    from trainer.latent import decode

    torch.set_num_threads(THREADS)
    prior = np.random.default_rng(seed).standard_normal((n, mixture.dim)).astype(np.float32)
    mixed = mixture.sample(n, seed=seed)
    with torch_errors("Sampling"):
        images = decode(model, np.concatenate([prior, mixed]))
    p, m = (float(np.median(mixture.percentile(c))) for c in (prior, mixed))
    images = np.array(images, copy=True)
    return SidePair(prior, images[:n], mixed, images[n:], p, m, seed)


class HolesTool(QObject):
    mixtureChanged = Signal()
    mapChanged = Signal()
    readingChanged = Signal()
    samplesChanged = Signal()

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.fit_jobs = Jobs(session, "holes-fit", self)
        self.map_jobs = Jobs(session, "holes-map", self)
        self.sample_jobs = Jobs(session, "holes-samples", self)
        self.mixture = self.map = self.prior_in_view = self.reading = self.samples = None
        self.show_map, self.active, self.seed = False, False, 0
        self._fitting = None  # the session's codes array the running fit was given (its identity)
        self._debounce = QTimer(self, singleShot=True, interval=120)
        self._debounce.timeout.connect(self._compute_map)
        session.modelChanged.connect(self._forget)
        session.datasetChanged.connect(self._forget)
        session.ready.connect(self._on_ready)
        session.modelUpdated.connect(self._on_snapshot)  # the model in training: newer weights and codes
        for signal in (session.viewRangeChanged, session.projectionChanged, session.codesChanged):
            signal.connect(self._map_later)
        session.selectionChanged.connect(self._on_point)
        session.decodedChanged.connect(self._on_point)

    # ---- the mixture -------------------------------------------------------------------------------------

    def set_active(self, active: bool) -> None:
        """The tool's tab is in front (or not). Shown, it fits the mixture if there is none for this model and
        data set (then draws the side-by-side samples); the mixture stays for the meter when it is hidden."""
        self.active = bool(active)
        if active and self.mixture is None and not self.fit_jobs.busy:
            self._fit()

    def _fit(self) -> None:
        s = self.session
        if s.model is None or not s.is_ready or s.codes is None:
            return
        codes = s.codes[:s.n_encoded]
        codes = codes[np.isfinite(codes).all(1)].copy()
        if len(codes) < 10:
            return
        self._fitting = s.codes
        self.fit_jobs.submit(fit_job, codes, COMPONENTS, then=self._on_fit)

    def _on_fit(self, mixture) -> None:
        """A fit ended: show it; while the model trains, fit again if newer codes came meanwhile."""
        fitted, self._fitting = self._fitting, None
        self.mixture = mixture
        self.mixtureChanged.emit()
        self._on_point()
        self.draw_samples()
        if self.session.training and fitted is not self.session.codes and self.active:
            self._fit()

    def _forget(self) -> None:
        for jobs in (self.fit_jobs, self.map_jobs, self.sample_jobs):
            jobs.cancel()
        self.mixture = self.map = self.reading = self.samples = None
        for signal in (self.mixtureChanged, self.mapChanged, self.readingChanged, self.samplesChanged):
            signal.emit()

    def _on_ready(self) -> None:
        self._forget()
        if self.active:
            self._fit()
        self._map_later()

    def _on_snapshot(self) -> None:
        """The model in training has newer weights and codes. Shown, the tool lets a running fit end on the
        codes it was given (``_on_fit`` shows it, then fits the newest codes) and keeps the mixture shown
        until then: a fit restarted at every snapshot would never end. Hidden, it forgets the mixture (the
        meter would measure with older codes) and fits again when shown."""
        if not self.active:
            self._on_ready()
            return
        if not self.fit_jobs.busy:
            self._fit()
        self._map_later()

    # ---- the meter ---------------------------------------------------------------------------------------

    def measure(self, codes: np.ndarray, what: str) -> Reading | None:
        """The meter's reading for codes M×D (the median point when M > 1); None without a mixture."""
        codes = np.asarray(codes, np.float32).reshape(-1, self.mixture.dim if self.mixture else 1)
        if self.mixture is None or not len(codes) or not np.isfinite(codes).all():
            return None
        log_q = self.mixture.log_density(codes)
        pct = self.mixture.percentile(codes)
        self.reading = Reading(what, float(np.median(log_q)), float(np.median(pct)))
        self.readingChanged.emit()
        return self.reading

    def _on_point(self, *_args) -> None:
        current = self.session.current_code()
        if current is not None:
            self.measure(current[0], current[1])

    # ---- the map -----------------------------------------------------------------------------------------

    def set_show_map(self, on: bool) -> None:
        self.show_map = bool(on)
        if on:
            self._compute_map()
        elif self.map is not None:
            self.map_jobs.cancel()
            self.map = None
            self.mapChanged.emit()

    def _map_later(self, *_args) -> None:
        if self.show_map:
            self._debounce.start()

    def _compute_map(self) -> None:
        from trainer.posterior import Posterior, in_view

        s = self.session
        plane = s.plane
        if s.xy is None or plane is None or not hasattr(plane, "axis_y") or s.view_range is None:
            self.map = self.prior_in_view = None
            self.mapChanged.emit()
            return
        self.prior_in_view = in_view(Posterior(np.zeros(plane.dim), np.ones(plane.dim)), plane)
        x_range, y_range = s.view_range
        self.map_jobs.submit(map_job, s.xy.copy(), x_range, y_range, *self.prior_in_view, then=self._on_map)

    def _on_map(self, holes_map) -> None:
        if self.show_map:
            self.map = holes_map
            self.mapChanged.emit()

    # ---- side-by-side samples ----------------------------------------------------------------------------

    def draw_samples(self, seed: int | None = None) -> None:
        s = self.session
        if self.mixture is None or s.model is None:
            return
        self.seed = self.seed if seed is None else int(seed)
        self.sample_jobs.submit(side_job, s.model, self.mixture, SIDE_SAMPLES, self.seed,
                                then=self._on_samples)

    def reroll(self) -> None:
        self.draw_samples(self.seed + 1)

    def _on_samples(self, pair: SidePair) -> None:
        self.samples = pair
        self.samplesChanged.emit()
        self.measure(pair.prior_codes, "samples from N(0, I)")
