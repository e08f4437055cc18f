"""Benchmarks of issue 6: `make bench` (python -m bench) writes bench/RESULTS.md."""
