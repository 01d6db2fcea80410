"""Benchmarks: scripts that build their own data, print figures and ratios measured in one run (see README.md)."""
