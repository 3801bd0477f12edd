{#- The KPI definitions written in YAML (config.meta.kpi_definitions of model kpi_daily in
    models/marts/_marts__models.yml), so the YAML is the one place a KPI is defined: kpi_daily
    takes its KPI list from them and kpi_definitions renders them as a table. Read from the
    model's own config in kpi_daily, from dbt's graph elsewhere. Unit tests of kpi_daily give
    their own list (overrides: macros: kpi_specs): a unit test has neither. Empty while dbt
    parses (execute is false). -#}
{% macro kpi_specs() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- if model.name == 'kpi_daily' -%}
        {%- set meta = model.config.meta -%}
    {%- else -%}
        {%- set meta = graph.nodes['model.' ~ project_name ~ '.kpi_daily'].config.meta -%}
    {%- endif -%}
    {%- set specs = meta.get('kpi_definitions') or [] -%}
    {%- if specs | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "no config.meta.kpi_definitions on model kpi_daily (models/marts/_marts__models.yml)"
        ) }}
    {%- endif -%}
    {{ return(specs) }}
{%- endmacro %}


{#- kpi_daily's KPI tuples of one dataset, (kpi_name, value column, numerator column or none,
    denominator column or none), from kpi_specs; fails when a KPI names another computing
    model than `computing_model`, the one kpi_daily reads the dataset's values from. -#}
{% macro kpi_value_columns(dataset, computing_model) -%}
    {%- set kpis = [] -%}
    {%- for spec in kpi_specs() if spec.dataset == dataset -%}
        {%- if spec.model_name != computing_model -%}
            {{ exceptions.raise_compiler_error(
                "KPI " ~ spec.kpi_name ~ ": model_name " ~ spec.model_name ~ " in its YAML, but "
                ~ "kpi_daily reads " ~ dataset ~ " KPIs from " ~ computing_model
            ) }}
        {%- endif -%}
        {%- do kpis.append((spec.kpi_name, spec.column_name, spec.numerator, spec.denominator)) -%}
    {%- endfor -%}
    {{ return(kpis) }}
{%- endmacro %}
