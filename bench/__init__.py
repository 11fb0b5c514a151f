"""Benchmarks run by hand, never by pytest: ratios against a baseline measured in the same run."""
