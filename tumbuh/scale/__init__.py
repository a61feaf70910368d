"""The national-scale path (issue 15): Parquet extracts, DuckDB and Spark over them, and a
synthetic national data set.

Everything except `export` (which reads the Django models) is free of Django: the engines build
the same per-cell partial sums with one SQL text (`partials`) and hand them to the web app's own
final estimators (`tumbuh.analytics.prevalence.table_from_counts`, `tumbuh.analytics.stats`).
See docs/scale.md.
"""
