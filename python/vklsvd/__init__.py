"""VK-LSVD warehouse: data in, features, retrieval and ranking helpers called by dbt."""

__version__ = "0.1.0"
