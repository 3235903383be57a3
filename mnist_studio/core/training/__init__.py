"""Training a model: the loop (:mod:`.loop`), one run's state (:mod:`.run`), divergence, optimizers.

``Trainer(config).run()`` is the whole story for a front end: iterate it and show its records.
"""

from mnist_studio.core.training.errors import TrainingError, TrainingProblem
from mnist_studio.core.training.loop import REPORT_INTERVAL_SECONDS, Trainer

__all__ = ["REPORT_INTERVAL_SECONDS", "Trainer", "TrainingError", "TrainingProblem"]
