{#-
    The statements the on-run-start hook create_model_row_counts() runs: the volume history table
    (meta.model_row_counts) the volume_guard tests read. `warehouse verify postgres` runs them before the
    data tests, as a build does.
-#}
{{ model_row_counts_ddl() }}
