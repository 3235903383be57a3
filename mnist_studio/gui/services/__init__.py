"""Shared services without widgets: background workers, the current model, PyTorch loading, reading digits, training."""
