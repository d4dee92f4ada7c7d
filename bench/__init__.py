"""Benchmarks: each compares levelup with a peer in the same run and prints ratios."""
