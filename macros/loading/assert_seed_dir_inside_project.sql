{#- Guard run at on-run-start. dbt writes each seed's compiled SQL to
    `<target>/run/<project>/<seed path>`; with an absolute seed path that file IS the user's CSV,
    and with a `..` path it can land outside target/. So the seed folder must be a relative path
    inside the project (the default `data/generated` is). Returns an empty statement. -#}
{% macro assert_seed_dir_inside_project() %}
    {%- set seed_dir = env_var('KPI_TRUST_SEED_DIR', 'data/generated') | trim -%}
    {%- set parts = seed_dir.replace('\\', '/').split('/') -%}
    {%- if seed_dir.startswith('/') or seed_dir.startswith('~') or (seed_dir[1:3] == ':/')
        or '..' in parts -%}
        {{ exceptions.raise_compiler_error(
            "KPI_TRUST_SEED_DIR='" ~ seed_dir ~ "' must be a relative path inside the project "
            ~ "(e.g. data/generated): dbt would overwrite the seed CSVs with compiled SQL. "
            ~ "Generate into the project, link the folder there, or use "
            ~ "KPI_TRUST_RAW_SOURCE=files with KPI_TRUST_RAW_DIR for data kept elsewhere."
        ) }}
    {%- endif -%}
    select 1
{% endmacro %}
