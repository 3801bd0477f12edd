{#- The KPI definitions as a table, rendered from this model's YAML (config.meta.kpi_definitions
    in _marts__models.yml): the YAML is the single place a KPI is defined. -#}
{%- set definitions = model.config.meta.get('kpi_definitions', []) if execute else [] -%}
{%- if execute and definitions | length == 0 -%}
    {{ exceptions.raise_compiler_error(
        "kpi_definitions: no config.meta.kpi_definitions in models/marts/_marts__models.yml"
    ) }}
{%- endif %}

with definitions as (

    {{ rows_from_yaml(definitions, [
        'kpi_name', 'dataset', 'unit', 'grain', 'dimensions', 'numerator', 'denominator',
        'definition',
    ]) }}

)

select * from definitions
