"""The Train feature: the recipe form, Start / Pause / Stop, live charts and the run log."""
