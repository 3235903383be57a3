"""The Qt-free engine: data, models, training, evaluation, checkpoints and preprocessing.

Importing this package imports nothing heavy; each module imports torch only where it needs it.
"""
