"""Benchmarks: each figure measured against a floor in the same run.

Run ``python -m benchmarks`` (``--quick`` for shorter timer and CPU runs). Each group runs
in its own subprocess so that one group's imports, memory and timers never colour
another's. These are measurements, not tests: nothing here fails CI.
"""
