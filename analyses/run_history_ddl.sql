{#-
    The statements the on-run-start hook create_run_history() runs: the run history tables (meta.
    model_row_counts, which the volume_guard tests read, meta.invocations and meta.node_results). `warehouse verify postgres` runs them before the
    data tests, as a build does.
-#}
{{ run_history_ddl() }}
