"""Benchmarks that print figures (speed, memory, quality against a baseline); run each from the repository
root as a module, e.g. `python -m benchmarks.bench_tiles`, or all with `make bench`."""
