"""The Train tab's form: architecture, hyper-parameters, device and quick-run size -> ``TrainingConfig``."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mnist_studio.core.config import MAX_BATCH_SIZE, MAX_EPOCHS, OPTIMIZERS, SCHEDULES, TRAINING_IMAGES, TrainingConfig
from mnist_studio.core.registry import ARCHITECTURES, DEFAULT_ARCHITECTURE, get_architecture
from mnist_studio.gui.common.spin_boxes import LearningRateSpinBox, int_spin_box
from mnist_studio.gui.common.typography import mute
from mnist_studio.gui.train.form_tips import form_tips

DEFAULT_QUICK_RUN_IMAGES = 5_000
MAX_SEED = 2**31 - 1  # QSpinBox holds a C int


def _tr(text: str) -> str:
    return QCoreApplication.translate("TrainingForm", text)


def optimizer_name(key: str) -> str:
    """What the form calls an optimizer."""
    names = {"adamw": "AdamW", "adam": "Adam", "sgd": _tr("SGD (Nesterov momentum)")}
    return names.get(key, key)


def schedule_name(key: str) -> str:
    """What the form calls a learning-rate schedule."""
    names = {"onecycle": _tr("One-cycle"), "constant": _tr("Constant")}
    return names.get(key, key)


def device_name(key: str) -> str:
    """What the form calls a device."""
    names = {"cpu": _tr("CPU"), "cuda": _tr("CUDA GPU"), "mps": _tr("Apple GPU (MPS)")}
    return names.get(key, key)


def _combo(name: str, items: Sequence[tuple[str, str]]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for text, key in items:
        combo.addItem(text, key)
    return combo


def _select(combo: QComboBox, key: str) -> None:
    index = combo.findData(key)
    if index >= 0:
        combo.setCurrentIndex(index)


class TrainingForm(QWidget):
    """Widgets that enforce valid ranges; :meth:`config` reads them, :meth:`apply_config` fills them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.architecture_combo = _combo(
            "architectureCombo",
            [
                (self.tr("{name}  ·  {count} parameters").format(name=spec.display_name, count=f"{spec.parameter_count:,}"), key)
                for key, spec in ARCHITECTURES.items()
            ],
        )
        for index, spec in enumerate(ARCHITECTURES.values()):
            self.architecture_combo.setItemData(index, spec.description, Qt.ItemDataRole.ToolTipRole)
        self.architecture_description = QLabel()
        self.architecture_description.setObjectName("architectureDescription")
        self.architecture_description.setWordWrap(True)
        mute(self.architecture_description)

        self.epochs_spin = int_spin_box("epochsSpin", 1, MAX_EPOCHS)
        self.batch_size_spin = int_spin_box("batchSizeSpin", 1, MAX_BATCH_SIZE, 32)
        self.learning_rate_spin = LearningRateSpinBox()
        self.learning_rate_spin.setObjectName("learningRateSpin")
        self.optimizer_combo = _combo("optimizerCombo", [(optimizer_name(key), key) for key in OPTIMIZERS])
        self.schedule_combo = _combo("scheduleCombo", [(schedule_name(key), key) for key in SCHEDULES])
        self.augment_check = QCheckBox(self.tr("Augment (random shifts, rotations, scaling)"))
        self.augment_check.setObjectName("augmentCheck")
        self.seed_spin = int_spin_box("seedSpin", 0, MAX_SEED)
        self.seed_spin.setGroupSeparatorShown(False)
        self.reset_button = QPushButton(self.tr("Architecture defaults"))
        self.reset_button.setObjectName("resetDefaultsButton")

        self.device_combo = _combo("deviceCombo", [(self.tr("Auto"), "auto"), (device_name("cpu"), "cpu")])
        self._wanted_device: str | None = None  # a restored choice that may only exist once torch is loaded
        self.quick_run_check = QCheckBox(self.tr("Quick run on"))
        self.quick_run_check.setObjectName("quickRunCheck")
        self.subset_spin = int_spin_box("subsetSpin", 100, TRAINING_IMAGES, 1000)
        self.subset_spin.setSuffix(self.tr(" images"))
        self.subset_spin.setValue(DEFAULT_QUICK_RUN_IMAGES)
        self.subset_spin.setEnabled(False)
        self.quick_run_check.toggled.connect(self.subset_spin.setEnabled)

        self._label_widgets(
            [
                (self.architecture_combo, self.tr("Architecture")),
                (self.epochs_spin, self.tr("Epochs")),
                (self.batch_size_spin, self.tr("Batch size")),
                (self.learning_rate_spin, self.tr("Learning rate")),
                (self.optimizer_combo, self.tr("Optimizer")),
                (self.schedule_combo, self.tr("Learning-rate schedule")),
                (self.seed_spin, self.tr("Random seed")),
                (self.device_combo, self.tr("Device")),
                (self.subset_spin, self.tr("Quick-run training images")),
            ]
        )
        self._build_layout()
        self._add_tips()
        self.architecture_combo.currentIndexChanged.connect(self._on_architecture_changed)
        self.reset_button.clicked.connect(lambda: self.reset_to_defaults(self.architecture))
        self.reset_to_defaults(DEFAULT_ARCHITECTURE)

    @staticmethod
    def _label_widgets(widgets: list[tuple[QWidget, str]]) -> None:
        for widget, name in widgets:
            widget.setAccessibleName(name)

    def _add_tips(self) -> None:
        """Each setting's tooltip, on the field and on its label."""
        tips = form_tips(MAX_SEED)
        for widget in self.findChildren(QWidget):
            tip = tips.get(widget.objectName())
            if tip:
                widget.setToolTip(tip)
                layout = widget.parentWidget().layout()
                label = layout.labelForField(widget) if isinstance(layout, QFormLayout) else None
                if label is not None:
                    label.setToolTip(tip)

    def _build_layout(self) -> None:
        model_box = QGroupBox(self.tr("Model"))
        model_layout = QVBoxLayout(model_box)
        model_layout.addWidget(self.architecture_combo)
        model_layout.addWidget(self.architecture_description)

        recipe_box = QGroupBox(self.tr("Hyper-parameters"))
        recipe = QFormLayout(recipe_box)
        recipe.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        recipe.addRow(self.tr("Epochs"), self.epochs_spin)
        recipe.addRow(self.tr("Batch size"), self.batch_size_spin)
        recipe.addRow(self.tr("Learning rate"), self.learning_rate_spin)
        recipe.addRow(self.tr("Optimizer"), self.optimizer_combo)
        recipe.addRow(self.tr("Schedule"), self.schedule_combo)
        recipe.addRow(self.tr("Seed"), self.seed_spin)
        recipe.addRow(self.augment_check)
        recipe.addRow(self.reset_button)

        run_box = QGroupBox(self.tr("Run"))
        run = QFormLayout(run_box)
        run.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        run.addRow(self.tr("Device"), self.device_combo)
        quick_row = QHBoxLayout()
        quick_row.addWidget(self.quick_run_check)
        quick_row.addWidget(self.subset_spin, 1)
        run.addRow(quick_row)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for box in (model_box, recipe_box, run_box):
            layout.addWidget(box)

    @property
    def architecture(self) -> str:
        """Registry key of the selected architecture."""
        return self.architecture_combo.currentData()

    @Slot(int)
    def _on_architecture_changed(self, _index: int) -> None:
        self.reset_to_defaults(self.architecture)

    def _show_description(self, arch: str) -> None:
        self.architecture_description.setText(get_architecture(arch).description)

    def reset_to_defaults(self, arch: str) -> None:
        """Select ``arch`` and fill the hyper-parameters with its registry recipe."""
        defaults = TrainingConfig.for_architecture(arch)
        self._set_values(defaults)
        self.augment_check.setChecked(defaults.augment)
        self.seed_spin.setValue(defaults.seed)

    def _set_values(self, config: TrainingConfig) -> None:
        self.architecture_combo.blockSignals(True)
        _select(self.architecture_combo, config.arch)
        self.architecture_combo.blockSignals(False)
        self._show_description(config.arch)
        self.epochs_spin.setValue(config.epochs)
        self.batch_size_spin.setValue(config.batch_size)
        self.learning_rate_spin.setValue(config.learning_rate)
        _select(self.optimizer_combo, config.optimizer)
        _select(self.schedule_combo, config.schedule)

    def apply_config(self, config: TrainingConfig) -> None:
        """Show ``config`` in the widgets as it is (no reset to the architecture's defaults)."""
        self._set_values(config)
        self.augment_check.setChecked(config.augment)
        self.seed_spin.setValue(min(config.seed, MAX_SEED))
        _select(self.device_combo, config.device)
        self._wanted_device = config.device
        self.quick_run_check.setChecked(config.subset is not None)
        if config.subset is not None:
            self.subset_spin.setValue(config.subset)

    def config(self) -> TrainingConfig:
        """The configuration the widgets describe (always valid: the widgets enforce the ranges)."""
        return TrainingConfig.for_architecture(
            self.architecture,
            epochs=self.epochs_spin.value(),
            batch_size=self.batch_size_spin.value(),
            learning_rate=self.learning_rate_spin.value(),
            optimizer=self.optimizer_combo.currentData(),
            schedule=self.schedule_combo.currentData(),
            augment=self.augment_check.isChecked(),
            seed=self.seed_spin.value(),
            device=self.device_combo.currentData(),
            subset=self.subset_spin.value() if self.quick_run_check.isChecked() else None,
        )

    def set_devices(self, devices: Sequence[str]) -> None:
        """List ``auto`` (naming what it picks) and each present device; keeps the choice when it still exists."""
        chosen = self._wanted_device or self.device_combo.currentData()
        self._wanted_device = None
        self.device_combo.clear()
        self.device_combo.addItem(self.tr("Auto ({device})").format(device=device_name(devices[0])), "auto")
        for device in devices:
            self.device_combo.addItem(device_name(device), device)
        _select(self.device_combo, chosen)
