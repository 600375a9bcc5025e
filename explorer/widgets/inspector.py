"""The inspector: the selected image beside its reconstruction (label, PSNR, latent coordinates), or the image
decoded at a clicked latent point.

The data image shows at once (it is in memory); the reconstruction follows from a worker a moment later.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from explorer.state import Session
from explorer.widgets.images import to_pixmap
from explorer.widgets.wrapped_label import WrappedLabel

HINT = "Click a point in the scatter to see its image,\nor empty space to decode that latent point."
NO_RECONSTRUCTION = "none: the decoder drew this image from a code, not from a data image"


class ImageBox(QLabel):
    """Shows one C×H×W image scaled to fit, pixels kept crisp; remembers the array it shows."""

    def __init__(self):
        super().__init__(alignment=Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(96, 96)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setStyleSheet("background: #2b2b2b; color: #ddd;")  # the text's own size: larger when presenting
        self.setWordWrap(True)
        self.array: np.ndarray | None = None

    def show_array(self, image: np.ndarray | None, placeholder: str = "") -> None:
        self.array = image
        self.clear()  # setText alone keeps an old pixmap when the text does not change
        self.setText(placeholder if image is None else "")
        self._render()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._render()

    def _render(self) -> None:
        if self.array is not None:
            self.setPixmap(to_pixmap(self.array, max(16, min(self.width(), self.height()) - 4)))


class Inspector(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.left, self.right = ImageBox(), ImageBox()
        self.left_title, self.right_title = QLabel("Image"), QLabel("Reconstruction")
        self.details = WrappedLabel(HINT)  # reserves its lines: the images never cover them
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout()
        self.clear()
        session.selectionChanged.connect(self._on_selection)
        session.reconstructionReady.connect(self._on_reconstruction)
        session.decodedChanged.connect(self._on_decoded)
        session.datasetChanged.connect(self.clear)

    def _layout(self) -> None:
        images = QGridLayout()
        for col, (title, box) in enumerate(((self.left_title, self.left), (self.right_title, self.right))):
            title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            images.addWidget(title, 0, col)
            images.addWidget(box, 1, col)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(images, 1)
        layout.addWidget(self.details)

    # the arrays shown, for tests and for anyone who wants the pixels
    @property
    def original(self) -> np.ndarray | None:
        return self.left.array if self.left_title.text() == "Image" else None

    @property
    def reconstruction(self) -> np.ndarray | None:
        return self.right.array if self.left_title.text() == "Image" else None

    @property
    def decoded(self) -> np.ndarray | None:
        return self.left.array if self.left_title.text() == "Decoded" else None

    def clear(self) -> None:
        self.left_title.setText("Image")
        self.right_title.setText("Reconstruction")
        self.left.show_array(None, "no point selected")
        self.right.show_array(None)
        self.details.setText(HINT)

    def _on_selection(self, index: int) -> None:
        s = self.session
        if index < 0:
            if s.decoded is None:
                self.clear()
            return
        self.left_title.setText("Image")
        self.right_title.setText("Reconstruction")
        self.left.show_array(s.dataset.images[index])
        self.right.show_array(None, "…")
        self._describe(index, psnr=None)

    def _on_reconstruction(self, index: int) -> None:
        rec = self.session.reconstruction
        if rec is not None and rec.index == index == self.session.selected:
            self.right.show_array(rec.image)
            self._describe(index, rec.psnr)

    def _describe(self, index: int, psnr: float | None) -> None:
        s = self.session
        label = s.class_names[int(s.dataset.labels[index])]
        split = "train" if index < s.dataset.n_train else "test"
        lines = [f"<b>#{index}</b> · {label} · {split}",
                 "PSNR " + ("…" if psnr is None else f"{psnr:.2f} dB")]
        if s.codes is not None and index < s.n_encoded:
            lines.append(f"z = {_vector(s.codes[index])}")
        self.details.setText("<br>".join(lines))

    def _on_decoded(self) -> None:
        point = self.session.decoded
        if point is None:
            if self.session.selected < 0:
                self.clear()
            return
        self.left_title.setText("Decoded")
        self.right_title.setText("Reconstruction")
        self.left.show_array(point.image)
        self.right.show_array(None, NO_RECONSTRUCTION)
        x_name, y_name = self.session.projection.axis_labels
        lines = [f"<b>Decoded point</b> · {x_name} = {point.xy[0]:.3f}, {y_name} = {point.xy[1]:.3f}"]
        if len(point.z) != 2 or not np.allclose(point.z, point.xy):  # the code, unless the axes are the code
            lines.append(f"z = {_vector(point.z)}")
        self.details.setText("<br>".join(lines))


def _vector(z: np.ndarray, most: int = 8) -> str:
    parts = [f"{v:.3f}" for v in z[:most]]
    return "(" + ", ".join(parts) + (", …" if len(z) > most else "") + ")"
