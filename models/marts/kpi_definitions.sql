{#- The KPI definitions as a table, rendered from kpi_daily's YAML (config.meta.kpi_definitions
    in _marts__models.yml, read by macro kpi_specs): the YAML is the single place a KPI is
    defined, with the model and column computing it and its formula in words. -#}
with definitions as (

    {{ rows_from_yaml(kpi_specs(), [
        'kpi_name', 'dataset', 'unit', 'grain', 'dimensions', 'numerator', 'denominator',
        'model_name', 'column_name', 'definition', 'formula', 'owner',
    ]) }}

)

select * from definitions
