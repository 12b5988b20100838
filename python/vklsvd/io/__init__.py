"""Data in and out: Arrow <-> numpy, atomic and hashed files, the embeddings file, the submission export,
the hub download and the dbt-duckdb plugins."""
