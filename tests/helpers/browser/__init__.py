"""The browser tests' harness and how they drive pages."""
