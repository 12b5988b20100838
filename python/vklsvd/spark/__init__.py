"""The warehouse on Apache Spark: the same dbt project with target `spark` (dbt-spark, local session)."""
