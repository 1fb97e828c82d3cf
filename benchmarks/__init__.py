"""Speed and memory measurements: reported, never asserted. Run `python -m benchmarks`."""
