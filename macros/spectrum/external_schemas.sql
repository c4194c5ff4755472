{#- The external schema over the Kinesis streams that Redshift streaming ingestion reads. -#}
{% macro kinesis_external_schema_sql() -%}
create external schema if not exists {{ var('kinesis_schema') }}
from kinesis
iam_role '{{ env_var('REDSHIFT_STREAMING_ROLE_ARN', 'arn:aws:iam::123456789012:role/globalretail-streaming') }}'
{%- endmacro %}

{#-
    The federated schema over the product catalog database (CAT-POSTGRES: PostgreSQL on RDS). The URI, role and
    Secrets Manager secret come from the environment; the secret holds the database credentials.
-#}
{% macro postgres_external_schema_sql() -%}
create external schema if not exists {{ var('catalog_pg_schema') }}
from postgres
database '{{ env_var('REDSHIFT_CATALOG_PG_DATABASE', 'catalog') }}'
schema '{{ env_var('REDSHIFT_CATALOG_PG_SCHEMA', 'public') }}'
uri '{{ env_var('REDSHIFT_CATALOG_PG_URI', 'catalog.cluster-example.us-east-1.rds.amazonaws.com') }}'
port {{ env_var('REDSHIFT_CATALOG_PG_PORT', '5432') }}
iam_role '{{ env_var('REDSHIFT_FEDERATED_ROLE_ARN', 'arn:aws:iam::123456789012:role/globalretail-federated') }}'
secret_arn '{{ env_var('REDSHIFT_CATALOG_PG_SECRET_ARN', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:globalretail-catalog') }}'
{%- endmacro %}
