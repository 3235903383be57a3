"""The Draw feature: a canvas read live by the current model (or by every model side by side)."""
