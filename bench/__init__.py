"""Benchmarks: each module with a `run() -> list[Row]` is one bench; `make bench` runs them all."""
