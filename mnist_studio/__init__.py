"""MNIST Studio: train, test and draw MNIST digits; a desktop app and a CLI on one engine."""

__version__ = "0.1.0"
