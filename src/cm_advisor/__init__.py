"""Case Management Model Advisor."""

__version__ = "0.1.0"
