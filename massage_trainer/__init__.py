"""Massage Trainer: a desktop practice trainer for back massage."""

__version__ = "0.1.0"
