"""Widgets and helpers every feature may use: banner, charts, pixel views, typography, file dialogs."""
