"""The warehouse on Apache Spark: the same dbt project with target `spark` (dbt-spark, local session)."""

#: Which data tests a whole Spark build runs (`vklsvd spark-build --data-tests`): every one, or one of
#: each kind (vklsvd.spark.build.data_tests_of_each_kind). Here, not in `build`, so that the command
#: line offers them without importing what a build needs.
DATA_TEST_SCOPES = ("all", "each-kind")
