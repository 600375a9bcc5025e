"""The Posterior tool: a VAE maps an image to a cloud, q(z|x) = N(mu, diag(sigma²)), not to a point.

For the selected image (and, on request, a sample of other images) a lane encodes the image again to get
mu and sigma (the session keeps only the means), and ``trainer.posterior`` gives the 1-sigma and 2-sigma
ellipses of q(z|x) seen in the current view (its marginal on the view's plane) and a few posterior samples
z = mu + sigma·eps. The ellipses are handed to the panel in latent coordinates (points of the view's plane),
so the scatter's overlay draws them where they belong; a new view recomputes them. A plain autoencoder has
no sigma: ``reason`` says why there is nothing to draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from explorer.tools.jobs import Jobs

MAX_SAMPLES = 64
CROWD = 40  # images in "a sample of points"
ELLIPSE_POINTS = 65


@dataclass(frozen=True)
class Clouds:
    """What the lane found. ``rows`` data rows (the selected one first); ``mu``, ``sigma`` float64 len×D;
    ``ellipses[k]`` float32 rows×ELLIPSE_POINTS×D: the k-sigma contours (k = 1, 2) as codes on the view's
    plane; ``eps``, ``samples`` float32 n×D: the selected image's noise and posterior samples."""

    rows: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    ellipses: dict[int, np.ndarray]
    eps: np.ndarray
    samples: np.ndarray


def posterior_clouds(model, images: np.ndarray, rows: np.ndarray, plane, n_samples: int, seed: int) -> Clouds:
    """(In a lane) encode ``images`` (uint8, one per row) and make their ellipses in ``plane``."""
    import torch

    from explorer.workers import THREADS, torch_errors
    from trainer.posterior import Posterior, ellipse, encode_posterior, in_view

    torch.set_num_threads(THREADS)
    with torch_errors("Encoding the posterior"):
        mu, logvar = encode_posterior(model, images)
    ellipses = {1: [], 2: []}
    for m, lv in zip(mu, logvar, strict=True):
        centre, cov = in_view(Posterior.of(m, lv), plane)
        for k in ellipses:
            ellipses[k].append(plane.to_latent(ellipse(centre, cov, k, ELLIPSE_POINTS)))
    eps, samples = Posterior.of(mu[0], logvar[0]).samples(n_samples, seed)
    return Clouds(np.asarray(rows), mu.astype(np.float64), np.exp(0.5 * logvar.astype(np.float64)),
                  {k: np.stack(v).astype(np.float32) for k, v in ellipses.items()}, eps, samples)


class PosteriorTool(QObject):
    """State of the Posterior tool. ``cloudsChanged`` when ``clouds`` is replaced (None: nothing to show,
    and ``reason`` says why)."""

    cloudsChanged = Signal()

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.jobs = Jobs(session, "posterior", self)
        self.n_samples, self.seed, self.crowd = 8, 0, False
        self.clouds: Clouds | None = None
        self.active = False
        self._shown_reason = ""  # the reason last announced with cloudsChanged
        for signal in (session.selectionChanged, session.projectionChanged, session.modelChanged,
                       session.ready, session.modelUpdated):
            signal.connect(self.refresh)

    @property
    def reason(self) -> str:
        """Why nothing is drawn ("" when the clouds are shown or on their way)."""
        s = self.session
        if s.model is None:
            return "Open or train a model first."
        if s.model.config.family != "vae":
            return ("This is a plain autoencoder: it maps each image to ONE point, its code, and nothing "
                    "else. There is no sigma, no cloud, and nothing that says which codes nearby are also "
                    "likely for this image: the space between points was never trained. A VAE's encoder "
                    "gives a mean AND a spread for every image; open a VAE to see its clouds.")
        if s.plane is None or not hasattr(s.plane, "axis_y"):
            return "The clouds are drawn in a latent view: choose two latent axes or the PCA plane."
        if not 0 <= s.selected < s.n_encoded:
            return "Click a point: its posterior q(z|x) appears around it."
        return ""

    def set_samples(self, n: int) -> None:
        self.n_samples = int(min(max(int(n), 0), MAX_SAMPLES))
        self.refresh()

    def set_crowd(self, on: bool) -> None:
        """Also draw the 1-sigma ellipses of CROWD other images (a fixed, seeded choice)."""
        self.crowd = bool(on)
        self.refresh()

    def reroll(self) -> None:
        self.seed += 1
        self.refresh()

    def set_active(self, active: bool) -> None:
        """Work only while the tool's tab is in front."""
        self.active = bool(active)
        self.refresh()

    def refresh(self, *_args) -> None:
        s = self.session
        reason = self.reason
        if not self.active or reason:
            self.jobs.cancel()
            # also when only the reason changed (a VAE's "open a model first" while the next model loads,
            # then that model is a plain autoencoder): the panel shows the reason of now, not of then
            if self.clouds is not None or not self.active or reason != self._shown_reason:
                self.clouds = None
                self._shown_reason = reason
                self.cloudsChanged.emit()
            return
        self._shown_reason = ""
        rows = np.array([s.selected, *(self._crowd_rows() if self.crowd else [])], np.int64)
        images = s.dataset.images[rows].copy()
        self.jobs.submit(posterior_clouds, s.model, images, rows, s.plane, self.n_samples, self.seed,
                         then=self._on_clouds)

    def _crowd_rows(self) -> np.ndarray:
        s = self.session
        rng = np.random.default_rng(12345)
        picked = rng.choice(s.n_encoded, size=min(CROWD, s.n_encoded), replace=False)
        return picked[picked != s.selected]

    def _on_clouds(self, clouds: Clouds) -> None:
        if clouds.rows[0] != self.session.selected:
            return
        self.clouds = clouds
        self.cloudsChanged.emit()
