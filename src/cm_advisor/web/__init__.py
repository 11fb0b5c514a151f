"""The HTTP layer: JSON API and HTML pages around the engine."""
