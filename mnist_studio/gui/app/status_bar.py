"""The status bar's permanent labels: the device a run will use, the PyTorch version, CPU threads.

They read the shared services (PyTorch loading, the training service's chosen device), never
a feature's widgets.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QLabel, QStatusBar

from mnist_studio.gui.services.context import AppContext
from mnist_studio.gui.services.torch_loader import TorchInfo


class StatusLabels(QObject):
    """``deviceStatus``, ``torchStatus`` and ``threadsStatus``, added to ``status_bar``."""

    def __init__(self, context: AppContext, status_bar: QStatusBar) -> None:
        super().__init__(status_bar)
        self._context = context
        self.device_label = QLabel(self.tr("Device: auto"), objectName="deviceStatus")
        self.torch_label = QLabel(self.tr("PyTorch: loading…"), objectName="torchStatus")
        self.threads_label = QLabel(self.tr("CPU threads: …"), objectName="threadsStatus")
        for label in (self.device_label, self.torch_label, self.threads_label):
            label.setContentsMargins(8, 0, 8, 0)
            status_bar.addPermanentWidget(label)
        context.torch_loader.loaded.connect(self._on_torch_loaded)
        context.torch_loader.failed.connect(self._on_torch_failed)
        context.training.chosenDeviceChanged.connect(self._show_device)

    @Slot(object)
    def _on_torch_loaded(self, info: TorchInfo) -> None:
        self.torch_label.setText(self.tr("PyTorch {version}").format(version=info.version))
        self.threads_label.setText(self.tr("CPU threads: {threads}").format(threads=info.threads))
        self._show_device()

    @Slot()
    def _show_device(self) -> None:
        info = self._context.torch_loader.info
        if info is None:
            return
        chosen = self._context.training.chosen_device
        device = info.devices[0] if chosen == "auto" else chosen
        self.device_label.setText(self.tr("Device: {device}").format(device=device))

    @Slot(object)
    def _on_torch_failed(self, _error: BaseException) -> None:
        self.torch_label.setText(self.tr("PyTorch: unavailable"))
