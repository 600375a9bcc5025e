"""The Training dock: choose a model and training settings, Start / Stop, progress with ETA, loss curves.

The dock trains a new model through a ``TrainingController`` (it never runs torch itself), on the session's
data set or on one the person picks with "Open…" (File → New model… too): any data set, whatever the open
model expects; the open model stays usable until Start replaces it. A picked data set brings its settings
(``trainer.defaults``); an opened model brings its data set (the session's), its own settings and its stored
per-epoch losses (``explorer.widgets.training_settings``): the panel always describes one set-up. The
device list starts with the CPU; a probe in a worker adds the GPU when there is one, and then chooses it.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from explorer.dialogs import DataLoad, DataSetDialog
from explorer.training import StopOnClose, Task, TrainingController, probe_devices
from explorer.widgets import training_settings
from explorer.widgets.loss_plot import LossPlot
from explorer.widgets.numbers import IntBox, NumberBox
from trainer.errors import ConfigError
from trainer.models.config import PRESETS, preset

NO_RATE = "\u00a0"  # the rate line before and between trainings: a space, so that it keeps its height
PROBE_LATE_MS = 2500  # no model open by then: look for a GPU anyway (a preview is drawn well before)

FAMILIES = (("vae", "Variational (VAE)"), ("ae", "Autoencoder"), ("sparse", "Sparse autoencoder"),
            ("denoising", "Denoising autoencoder"))
NOISES = ("none", "gaussian", "salt-pepper", "mask")


def spin(lo: int, hi: int, value: int) -> IntBox:
    return IntBox(lo, hi, value)


def dspin(lo: float, hi: float, value: float, step: float, decimals: int = 2) -> NumberBox:
    return NumberBox(lo, hi, value, step, decimals)


def combo(items) -> QComboBox:
    box = QComboBox()
    for item in items:
        data, text = item if isinstance(item, tuple) else (item, item)
        box.addItem(text, data)
    return box


def clock(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "…"
    s = int(round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class TrainingDock(QDockWidget):
    def __init__(self, session, controller: TrainingController | None = None, parent: QWidget | None = None):
        super().__init__("Training", parent)
        self.setObjectName("TrainingDock")
        self.session = session
        self.controller = controller or TrainingController(session, self)
        self.train_data = None  # a data set picked for a new model (None: the session's)
        self.load: DataLoad | None = None
        self._build()
        self._connect()
        self._on_dataset()
        self._on_choices()
        self._set_running(False)
        self._last = None
        self._on_model()

    # ---- layout ----------------------------------------------------------------------------------------

    def _build(self) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self._data_box())
        layout.addWidget(self._model_box())
        layout.addWidget(self._train_box())
        layout.addLayout(self._buttons())
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFormat("Idle")
        self.progress.setValue(0)
        self.rate = QLabel(NO_RATE)  # one line tall from the start: its first figures must not move the plot
        self.rate.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)  # nor widen the dock
        layout.addWidget(self.progress)
        layout.addWidget(self.rate)
        self.plot = LossPlot()
        layout.addWidget(self.plot, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setMinimumWidth(min(body.minimumSizeHint().width() + 24, 400))
        self.setWidget(scroll)

    def _data_box(self) -> QGroupBox:
        box = QGroupBox("Data set")
        row = QHBoxLayout(box)
        self.data_label = QLabel()
        self.data_label.setWordWrap(True)
        self.open_data_button = QPushButton("Open…")
        row.addWidget(self.data_label, 1)
        row.addWidget(self.open_data_button)
        return box

    def _model_box(self) -> QGroupBox:
        box = QGroupBox("Model")
        form = QFormLayout(box)
        self.family = combo(FAMILIES)
        self.arch = combo(PRESETS)
        self.arch.setCurrentText("mlp-512")
        self.latent = spin(1, 512, 2)
        self.beta = dspin(0.0, 1000.0, 1.0, 0.1)
        self.noise = combo(NOISES)
        self.noise_level = dspin(0.0, 1.0, 0.3, 0.05)
        self.noise_level.setAccessibleName("Input noise level")  # the row's label names the combo box
        noise_row = QHBoxLayout()
        noise_row.addWidget(self.noise, 1)
        noise_row.addWidget(self.noise_level)
        form.addRow("Family", self.family)
        form.addRow("Architecture", self.arch)
        form.addRow("Latent dimension", self.latent)
        form.addRow("β (KL weight)", self.beta)
        form.addRow("Input noise", noise_row)
        for widget in (self.beta, self.noise, self.noise_level):  # hidden in presentation mode
            widget.setProperty("advanced", True)
        return box

    def _train_box(self) -> QGroupBox:
        box = QGroupBox("Optimisation")  # the dock and its tab are "Training" already
        form = QFormLayout(box)
        self.epochs = spin(1, 10_000, 10)
        self.batch = spin(1, 65_536, 128)
        self.lr = NumberBox(1e-7, 1e7, 1e-3, scientific=True)
        self.optimizer = combo(("adam", "sgd"))
        self.momentum = dspin(0.0, 0.999, 0.9, 0.05, decimals=3)
        self.device = combo([("cpu", "CPU")])
        self.device.setToolTip("Looking for a GPU…")
        form.addRow("Epochs", self.epochs)
        form.addRow("Batch size", self.batch)
        form.addRow("Learning rate", self.lr)
        form.addRow("Optimizer", self.optimizer)
        form.addRow("Momentum", self.momentum)
        form.addRow("Device", self.device)
        for widget in (self.batch, self.lr, self.optimizer, self.momentum, self.device):
            widget.setProperty("advanced", True)  # hidden in presentation mode
        return box

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.start_button = QPushButton("Start")
        self.stop_button = QPushButton("Stop")
        self.start_button.setDefault(True)
        row.addWidget(self.start_button)
        row.addWidget(self.stop_button)
        return row

    # ---- wiring ----------------------------------------------------------------------------------------

    def _connect(self) -> None:
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.controller.stop)
        for box in (self.family, self.optimizer, self.noise):
            box.currentIndexChanged.connect(self._on_choices)
        self.controller.started.connect(self._on_started)
        self.controller.snapshot.connect(self._on_snapshot)
        self.controller.ended.connect(self._on_ended)
        self.session.datasetChanged.connect(self._on_dataset)
        self.session.modelChanged.connect(self._on_model)
        self.open_data_button.clicked.connect(self.choose_data)

    def probe_devices(self) -> Task:
        """Look for a GPU in a worker (imports torch); the GPU is chosen when found."""
        task = Task(probe_devices)
        task.done.connect(self._on_devices)
        task.start()
        return task

    def _on_devices(self, found: list[tuple[str, str]]) -> None:
        self.device.clear()
        for label, name in found:
            self.device.addItem(label, name)
        self.device.setCurrentIndex(len(found) - 1)
        self.device.setToolTip("A GPU was found and is chosen" if len(found) > 1 else "No GPU was found")

    def _on_choices(self) -> None:
        family = self.family.currentData()
        self.beta.setEnabled(family == "vae")
        self.momentum.setEnabled(self.optimizer.currentText() == "sgd")
        if family == "denoising" and self.noise.currentText() == "none":
            self.noise.setCurrentText("gaussian")
        self.noise_level.setEnabled(self.noise.currentText() != "none")
        self.noise_level.setMaximum(3.0 if self.noise.currentText() == "gaussian" else 1.0)

    @property
    def data(self):
        """The data set Start trains on: the one picked for a new model, else the session's."""
        return self.train_data if self.train_data is not None else self.session.dataset

    def _on_dataset(self) -> None:
        if self.train_data is self.session.dataset:
            self.train_data = None  # the picked data set is the session's now (training began on it)
        self._show_data()

    def _show_data(self) -> None:
        data = self.data
        if data is None:
            self.data_label.setText("No data set: press Open… to choose one")
        else:
            shape = "×".join(map(str, data.image_shape))
            note = ""
            if self.train_data is not None and self.session.model is not None:
                note = (f"<br><i>Start trains a new model on it; {self.session.model_name()} stays open "
                        "until then.</i>")
            self.data_label.setText(f"<b>{data.spec}</b><br>{len(data.images):,} images of {shape} "
                                    f"({data.n_train:,} for training){note}")
            self._mark_presets(data.image_shape)
        self.start_button.setEnabled(data is not None and not self.controller.is_running())

    def choose_data(self) -> None:
        """Pick a data set for a new model (any data set: the open model stays until Start)."""
        dialog = DataSetDialog(self, current=self.data.spec if self.data is not None else "")
        if dialog.exec() and dialog.spec():
            self.pick_data(dialog.spec())

    def pick_data(self, spec: str) -> DataLoad:
        """Load ``spec`` (with a progress dialog) as the data set of the next new model."""
        if self.load is not None:
            self.load.cancel.set()
        self.load = DataLoad(spec, self).start()
        self.load.loaded.connect(self.set_train_data)
        self.load.failed.connect(self.session.error.emit)
        return self.load

    def set_train_data(self, data) -> None:
        """Train the next new model on ``data``, with its settings (``trainer.defaults``)."""
        self.load = None
        same = self.session.dataset is not None and data.spec == self.session.dataset.spec
        self.train_data = None if same else data
        self._apply_defaults(data)
        self._on_choices()
        self._show_data()
        self.session.status.emit(f"Training panel: a new model for {data.spec}, with its settings; press "
                                 "Start to train it")

    def _apply_defaults(self, data) -> None:
        """The fields from ``data``'s settings (``trainer.defaults``); none without a data set."""
        from trainer.defaults import defaults_for

        if data is not None:
            training_settings.apply_defaults(self, defaults_for(data.spec, data.image_shape, data.n_train))

    def _on_model(self) -> None:
        """An opened model: its data set, settings and stored per-epoch losses, all three together (not the
        model in training, nor the trained model taking over at the end: those keep the live curves)."""
        s = self.session
        opened = s.model is not None and not (s.training or s.continuing or self.controller.is_running())
        if opened:
            self.train_data = None  # a data set picked earlier would pair with the opened model's settings
        self._show_data()
        if not opened:
            return
        if s.model.config.arch == "onnx":  # no settings to train it again: the data set's own
            self._apply_defaults(s.dataset)
        else:
            training_settings.show_model(self, s.model, s.info)
        self._on_choices()
        history = training_settings.history_of(s.info)
        self.plot.show_history(history)
        self._show_stored(history)

    def _show_stored(self, history: list[dict]) -> None:
        """The progress line of an opened model: idle, and the last stored epoch's losses (nats per image)
        when the checkpoint has them; never the status of an earlier run in this window."""
        self._last = None
        self.progress.setValue(0)
        self.progress.setFormat("Idle")
        last = history[-1] if history else {}
        train, val = last.get("train"), last.get("val")
        if isinstance(train, dict) and isinstance(train.get("loss"), (int, float)):
            known = isinstance(val, dict) and isinstance(val.get("loss"), (int, float))
            tail = f" · validation {val['loss']:.1f}" if known else ""
            self.rate.setText(f"Trained {last['epoch']:g} epochs · loss {train['loss']:.1f}{tail}")
        else:
            self.rate.setText("")

    def _mark_presets(self, shape) -> None:
        """Grey out the architectures that cannot take images of this shape."""
        model = self.arch.model()
        for row in range(self.arch.count()):
            custom = training_settings.custom_config(self.arch, row)
            reason = _unfit(self.arch.itemText(row), shape, custom)
            item = model.item(row)
            item.setEnabled(not reason)
            item.setToolTip(reason or (f"{item.text()}: {_describe(PRESETS[item.text()])}" if custom is None
                                       else "The open model's architecture"))

    # ---- settings ----------------------------------------------------------------------------------------

    def model_config(self):
        """The ModelConfig the settings describe, for the session's images (ConfigError if impossible)."""
        family = self.family.currentData()
        shape = self.data.image_shape if self.data is not None else (1, 28, 28)
        settings = dict(family="ae" if family == "denoising" else family, image_shape=shape,
                        latent_dim=self.latent.value(), beta=self.beta.value())
        custom = training_settings.custom_config(self.arch)
        return custom.with_(**settings) if custom is not None else preset(self.arch.currentText(), **settings)

    def train_settings(self) -> dict:
        noise = self.noise.currentText()
        return dict(epochs=self.epochs.value(), batch_size=self.batch.value(), lr=self.lr.value(),
                    optimizer=self.optimizer.currentText(), momentum=self.momentum.value(),
                    device=self.device.currentData(), report_every_s=0.2,
                    noise="none" if noise == "none" else f"{noise}:{self.noise_level.value():g}")

    def start(self) -> bool:
        try:
            cfg = self.model_config()
        except ConfigError as e:
            self.session.error.emit(str(e))
            return False
        return self.controller.start(cfg, self.train_settings(), self.train_data)

    # ---- progress ----------------------------------------------------------------------------------------

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running and self.data is not None)
        self.stop_button.setEnabled(running)
        self.open_data_button.setEnabled(not running)

    def _on_started(self) -> None:
        self.plot.clear_curves()
        self.progress.setValue(0)
        self.progress.setFormat("Starting…")
        self.rate.setText(NO_RATE)
        self._set_running(True)
        self._last = None

    def _on_snapshot(self, snap) -> None:
        p = snap.progress
        if p is None or snap.kind in ("done", "stopped", "diverged"):
            return
        self.plot.add(p)
        self._last = p
        total = p.epochs * p.steps_per_epoch
        done = (p.epoch - 1) * p.steps_per_epoch + p.step
        self.progress.setValue(int(1000 * done / max(total, 1)))
        self.progress.setFormat(f"Epoch {p.epoch}/{p.epochs} · %p% · ETA {clock(p.eta_s)}")
        self.rate.setText(f"loss {p.loss:.1f} · {p.images_per_s:,.0f} images/s · {clock(p.elapsed_s)} so far")

    def _on_ended(self, kind: str) -> None:
        self._set_running(False)
        words = {"done": "Finished", "stopped": "Stopped", "diverged": "Diverged", "failed": "Failed"}
        if kind == "done":
            self.progress.setValue(1000)
        self.progress.setFormat(f"{words.get(kind, kind)} · %p%")
        p = self._last
        if p is not None:
            val = f" · validation {p.val['loss']:.1f}" if p.val else ""
            self.rate.setText(f"{words.get(kind, kind)} after {clock(p.elapsed_s)} · loss {p.loss:.1f}{val}")


def _unfit(name: str, shape, custom=None) -> str:
    try:
        shape = tuple(shape)
        custom.with_(image_shape=shape) if custom is not None else preset(name, image_shape=shape)
    except ConfigError as e:
        return str(e)
    return ""


def _describe(p: dict) -> str:
    if p.get("arch") == "conv":
        return f"conv layers {p.get('conv_channels')}, dense {p.get('dense')}"
    return f"MLP hidden {p.get('hidden', (512,))}"


def install(window, session) -> TrainingDock:
    """Add the Training dock to the window's left side, look for a GPU, and stop training on close."""
    dock = TrainingDock(session, parent=window)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    window.resizeDocks([dock], [390], Qt.Orientation.Horizontal)
    StopOnClose(window, dock.controller)
    _probe_when_torch_is_loaded(window, session, dock)
    return dock


def _probe_when_torch_is_loaded(window, session, dock: TrainingDock) -> None:
    """Look for a GPU once the model lane has imported torch (the first model change), or PROBE_LATE_MS
    after the first paint when no model opens: an import of torch beside the first start's holds the GIL
    for seconds, so the first points (and the window) would wait for it."""
    probed: list[bool] = []

    def probe() -> None:
        if not probed and isValid(dock):  # the session may outlive the window
            probed.append(True)
            dock.probe_devices()

    def late() -> None:  # still loading: the model change comes
        if session.busy:
            QTimer.singleShot(PROBE_LATE_MS, dock, late)  # the dock as context: no call once it is gone
        else:
            probe()

    session.modelChanged.connect(probe)
    window.after_first_paint(lambda: QTimer.singleShot(PROBE_LATE_MS, dock, late))
