"""Interpolation between two latent codes: the ends A and B, lerp or slerp, a strip of N decoded images and
an animation that plays the strip back and forth.

The ends come from shift-clicks in the scatter (a data row's code, or the latent point under the mouse), or
from what the person is looking at (``Session.current_code``). An end chosen from a data row remembers the
row, so after the model changes (e.g. a training run) the same two images are interpolated with the new
model's codes. Decoding runs in the tool's own lane; only numpy copies come back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from explorer.tools.jobs import Jobs

METHODS = ("lerp", "slerp")
FRAME_MS = 100  # about 10 frames a second
STEPS_RANGE = (2, 32)


@dataclass(frozen=True)
class Endpoint:
    code: np.ndarray  # float32 D
    label: str  # "#12 · Coat", "decoded point", "point (0.52, -1.30)"
    row: int = -1  # the data row it came from (-1: a free latent point)
    image: np.ndarray | None = None  # decode(code), float32 C×H×W, once decoded


@dataclass(frozen=True)
class Strip:
    method: str
    codes: np.ndarray  # float32 N×D, codes[0] = A, codes[-1] = B
    images: np.ndarray  # float32 N×C×H×W in [0, 1]


class Interpolator(QObject):
    """State of the Interpolation tool; its panel shows it and calls the methods.

    Signals: ``endsChanged`` (A or B, or their thumbnails), ``settingsChanged`` (method, steps),
    ``stripChanged`` (``strip`` replaced, None when cleared), ``frameChanged(int)`` (the animation's frame,
    -1 for none), ``playingChanged(bool)``, ``message(str)`` (a short line for the panel).
    """

    endsChanged = Signal()
    settingsChanged = Signal()
    stripChanged = Signal()
    frameChanged = Signal(int)
    playingChanged = Signal(bool)
    message = Signal(str)

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.jobs = Jobs(session, "interpolate", self)
        self.a: Endpoint | None = None
        self.b: Endpoint | None = None
        self.method = "lerp"
        self.steps = 9
        self.strip: Strip | None = None
        self.frame = -1  # -1: no frame chosen (the animation has not run)
        self._next = "a"  # which end the next shift-click sets
        self._direction = 1
        self.timer = QTimer(self, interval=FRAME_MS)
        self.timer.timeout.connect(self.advance)
        session.modelChanged.connect(self._on_model)
        session.datasetChanged.connect(self.clear)
        session.ready.connect(self._on_ready)
        session.modelUpdated.connect(self._on_ready)  # the model in training: newer weights and codes

    # ---- choosing the ends -------------------------------------------------------------------------------

    def set_end(self, which: str, code: np.ndarray, label: str, row: int = -1) -> None:
        """Make ``code`` end ``which`` ("a" or "b"); the next shift-click sets the other end."""
        if which not in ("a", "b"):
            raise ValueError(f"which end: 'a' or 'b', not {which!r}")
        end = Endpoint(np.array(code, dtype=np.float32).ravel(), label, int(row))
        setattr(self, which, end)
        self._next = "b" if which == "a" else "a"
        self.endsChanged.emit()
        self.refresh()

    def shift_click(self, index: int, x: float, y: float) -> None:
        """A shift-click in the scatter: data row ``index``, or (-1) the latent point at view (x, y)."""
        s = self.session
        if 0 <= index < s.n_encoded:
            name = s.class_names[int(s.dataset.labels[index])] if s.dataset is not None else "?"
            self.set_end(self._next, s.codes[index], f"#{index} · {name}", row=index)
        elif index < 0 and s.plane is not None:
            code = s.plane.to_latent(np.array([[x, y]]))[0]
            self.set_end(self._next, code, f"point ({x:.2f}, {y:.2f})")
        else:
            self.message.emit("This view has no latent plane yet: shift-click a data point instead.")

    def set_current(self, which: str) -> bool:
        """End ``which`` = the selected row's code or the decoded point; False if there is neither."""
        current = self.session.current_code()
        if current is None:
            self.message.emit("Select a point (click it) or decode one (click empty space) first.")
            return False
        row = self.session.selected if 0 <= self.session.selected < self.session.n_encoded else -1
        self.set_end(which, current[0], current[1], row=row)
        return True

    # ---- settings ------------------------------------------------------------------------------------------

    def set_method(self, method: str) -> None:
        if method not in METHODS:
            raise ValueError(f"method: one of {METHODS}, not {method!r}")
        if method != self.method:
            self.method = method
            self.settingsChanged.emit()
            self.refresh()

    def set_steps(self, steps: int) -> None:
        steps = int(min(max(int(steps), STEPS_RANGE[0]), STEPS_RANGE[1]))
        if steps != self.steps:
            self.steps = steps
            self.settingsChanged.emit()
            self.refresh()

    # ---- decoding ------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Decode the strip (both ends set) or A's thumbnail (only A) with the current model."""
        model = self.session.model
        if model is None or self.a is None:
            return
        if self.a.code.shape != (model.config.latent_dim,):
            return
        b = None if self.b is None else self.b.code.copy()
        self.jobs.submit(interpolate, model, self.a.code.copy(), b, self.method, self.steps,
                         then=self._on_strip)

    def _on_strip(self, strip: Strip) -> None:
        self.a = replace(self.a, image=strip.images[0]) if self.a is not None else None
        if self.b is not None and len(strip.codes) > 1:
            self.b = replace(self.b, image=strip.images[-1])
        self.endsChanged.emit()
        if len(strip.codes) < 2:
            return
        self.strip = strip
        if self.frame >= len(strip.codes):
            self._set_frame(len(strip.codes) - 1)
        self.stripChanged.emit()

    # ---- the model changes ---------------------------------------------------------------------------------

    def _on_model(self) -> None:
        """The codes of the old model mean nothing to the new one: keep only ends chosen from data rows. The
        trained model taking over from its last snapshot (``session.continuing``) keeps both ends: a latent
        point means to it what it meant to the model in training."""
        self.jobs.cancel()
        self.pause()
        if not self.session.continuing:
            self.a, self.b = (e if e is not None and e.row >= 0 else None for e in (self.a, self.b))
        self.a, self.b = (replace(e, image=None) if e is not None else None for e in (self.a, self.b))
        if self.a is None and self.b is not None:
            self.a, self.b = self.b, None
        self._next = "b" if self.a is not None and self.b is None else "a"
        self._drop_strip()
        self.endsChanged.emit()

    def _on_ready(self) -> None:
        """Codes of the (new) model: the rows' ends take their new codes, and the strip is decoded again."""
        s = self.session
        for which in ("a", "b"):
            end = getattr(self, which)
            if end is not None and end.row >= 0:
                keep = end.row < s.n_encoded
                setattr(self, which, replace(end, code=s.codes[end.row].copy(), image=None) if keep else None)
        self.endsChanged.emit()
        self.refresh()

    def clear(self) -> None:
        """Forget both ends and the strip."""
        self.jobs.cancel()
        self.pause()
        self.a = self.b = None
        self._next = "a"
        self._drop_strip()
        self.endsChanged.emit()

    def _drop_strip(self) -> None:
        self.strip = None
        self._set_frame(-1)
        self.stripChanged.emit()

    # ---- animation -----------------------------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def play(self) -> None:
        if self.strip is None or self.playing:
            return
        if self.frame < 0:
            self._set_frame(0)
        self.timer.start()
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if self.playing:
            self.timer.stop()
            self.playingChanged.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def advance(self) -> None:
        """The next frame, back and forth: 0, 1, …, N−1, N−2, …, 1, 0, 1, …"""
        if self.strip is None:
            return
        n = len(self.strip.codes)
        if not 0 <= self.frame + self._direction < n:
            self._direction = -self._direction
        self._set_frame(min(max(self.frame + self._direction, 0), n - 1))

    def set_frame(self, frame: int) -> None:
        if self.strip is not None and 0 <= frame < len(self.strip.codes):
            self._set_frame(int(frame))

    def _set_frame(self, frame: int) -> None:
        if frame < 0:
            self._direction = 1
        if frame != self.frame:
            self.frame = frame
            self.frameChanged.emit(frame)

    # ---- export --------------------------------------------------------------------------------------------

    def export_png(self, path: str | Path, scale: int = 4) -> Path:
        """The strip as one PNG, each pixel ``scale``×``scale``."""
        from trainer.export import save_png

        return save_png(self._images(), path, scale=scale)

    def export_gif(self, path: str | Path, scale: int = 4, duration_ms: int = FRAME_MS) -> Path:
        """The animation as a looping GIF, forward and back (2N−2 frames)."""
        from trainer.export import save_gif

        return save_gif(self._images(), path, duration_ms=duration_ms, scale=scale, bounce=True)

    def _images(self) -> np.ndarray:
        if self.strip is None:
            from trainer.errors import ConfigError

            raise ConfigError("there is no strip yet: choose the two ends first")
        return self.strip.images


def interpolate(model, a: np.ndarray, b: np.ndarray | None, method: str, steps: int) -> Strip:
    """The job (in the tool's lane): ``steps`` codes from a to b and their images; only a when b is None."""
    import torch

    from explorer.workers import THREADS, torch_errors
    from trainer.latent import decode, lerp, slerp

    torch.set_num_threads(THREADS)
    if b is None:
        codes = a[None].astype(np.float32)
    else:
        codes = (slerp if method == "slerp" else lerp)(a, b, steps)
        codes[0], codes[-1] = a, b  # exactly the chosen codes (no rounding through sin(ω)/sin(ω))
    with torch_errors("Interpolating"):
        images = decode(model, codes)
    return Strip(method, np.array(codes, dtype=np.float32, copy=True), np.array(images, copy=True))
