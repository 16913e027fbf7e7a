"""Benchmarks of the workbook (``make bench`` / ``python -m bench``).

Each prints ratios against a baseline measured in the same run, so the figures stay comparable on a
shared, noisy machine.
"""
