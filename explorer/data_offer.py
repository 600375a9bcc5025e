"""The whole Fashion-MNIST in one click, where the app shows its bundled 10,000-image test split.

While the session shows ``fashion-mnist-test`` (``trainer.data.bundled``: the stand-in opened when the full
set is not on this computer), the status bar says so, with a "Get all 70,000…" button. It asks first (31 MB
from the data set's official site, or the Debian package), then downloads with a progress dialog and Cancel,
checks each file's MD5 (``trainer.data.download``), and shows the full set with the same model. Offline, or
where nothing can be written, the message says why and names the other ways to get it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from explorer.dialogs import DataLoad
from explorer.mnemonics import give_mnemonics

BUNDLED, FULL = "fashion-mnist-test", "fashion-mnist"


def ask_text() -> str:
    from trainer.data.download import SOURCES
    from trainer.data.registry import user_data_dir

    source = SOURCES[FULL]
    return (f"The app shows Fashion-MNIST's 10,000 test images, which come with it. The whole set has 70,000 "
            f"images (60,000 for training).\n\nDownload: {source.download_mb} MB from the data set's site "
            f"({source.url}), checked against its published checksums, kept in {user_data_dir() / FULL}.\n\n"
            f"Without a network: on Debian or Ubuntu, `sudo apt-get install {source.apt}` installs it for "
            f"every user; or copy the four .gz files into that folder.")


class DataOffer(QObject):
    """The status-bar offer and the download it starts (``load``: the running DataLoad, else None)."""

    def __init__(self, window):
        super().__init__(window)
        self.window, self.session = window, window.session
        self.load: DataLoad | None = None
        self.widget = QWidget()
        self.label = QLabel("Fashion-MNIST: 10,000 bundled test images")
        self.label.setToolTip("The full set is not on this computer: the app shows the test split it comes "
                              "with")
        self.label.setMinimumWidth(120)  # a narrow window cuts the line rather than growing for it
        self.button = QPushButton("Get all 70,000…")
        self.button.setToolTip("Download the whole Fashion-MNIST (31 MB), or see how to install it")
        layout = QHBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        window.statusBar().addPermanentWidget(self.widget)
        self.button.clicked.connect(self.offer)
        self.session.datasetChanged.connect(self._on_dataset)
        self._on_dataset()

    def _on_dataset(self) -> None:
        data = self.session.dataset
        self.widget.setVisible(data is not None and data.spec == BUNDLED and self.load is None)

    def offer(self) -> QMessageBox:
        """Ask, then download (non-modal: the app stays usable while the person reads)."""
        box = QMessageBox(QMessageBox.Icon.Question, "The whole Fashion-MNIST", ask_text(),
                          parent=self.window)
        box.setModal(False)
        download = box.addButton("Download (31 MB)", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        give_mnemonics(box)  # Alt+D downloads, Alt+C cancels
        download.clicked.connect(self.download)
        box.show()
        self.box = box
        return box

    def download(self) -> DataLoad:
        """Fetch and load the full set with a progress dialog; the session shows it when it arrives."""
        if self.load is not None:
            return self.load
        self.load = DataLoad(FULL, self.window).start()
        self.load.dialog.setWindowTitle("Downloading Fashion-MNIST")
        self.load.loaded.connect(self._on_loaded)
        self.load.failed.connect(self._on_failed)
        self.load.task.finished.connect(self._on_finished)
        self._on_dataset()
        return self.load

    def _on_loaded(self, dataset) -> None:
        if self.session.set_dataset(dataset):
            self.session.status.emit(f"Fashion-MNIST: all {len(dataset.images):,} images, from "
                                     f"{dataset.source}")

    def _on_failed(self, message: str) -> None:
        from trainer.data.download import SOURCES

        self.session.error.emit(f"{message}\n\nThe bundled 10,000 images stay open. Other ways to get the "
                                f"whole set: {SOURCES[FULL].how_to_get(FULL)}.")

    def _on_finished(self) -> None:
        self.load = None
        self._on_dataset()


def install(window) -> DataOffer:
    return DataOffer(window)
