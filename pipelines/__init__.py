"""Service-quality analytics: ingestion, validation and publishing into a DuckDB warehouse."""
