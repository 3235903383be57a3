"""The Test feature: accuracy on the test set, per-digit bars, the confusion matrix and a gallery."""
