"""Taxpayer-level receipts at national scale: payments -> receipts with one Ibis pipeline
(DuckDB in-process by default, PySpark for a cluster)."""
