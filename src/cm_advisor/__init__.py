"""Case Management Model Advisor."""

__version__ = "0.2.0"
