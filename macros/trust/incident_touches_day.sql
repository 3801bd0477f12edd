{#- Boolean: does a labelled incident's window [start_at, end_at) touch a KPI's day, the one
    rule by which trust_kpi_incident_labels and anomaly_evaluation read the ground truth: the
    window overlaps the day, or, for the KPIs of var('trust_next_day_kpis') (computed from
    day + 1 too), the next day. -#}
{% macro incident_touches_day(kpi_name, kpi_date, start_at, end_at) -%}
    {%- set next_day_kpis = var('trust_next_day_kpis') -%}
    {%- set timestamp_type = dbt.type_timestamp() -%}
    (
        {{ end_at }} > cast({{ kpi_date }} as {{ timestamp_type }})
        and (
            {{ start_at }} < cast({{ dbt.dateadd('day', 1, kpi_date) }} as {{ timestamp_type }})
            {%- if next_day_kpis | length > 0 %}
                or (
                    {{ kpi_name }} in ('{{ next_day_kpis | join("', '") }}')
                    and {{ start_at }}
                    < cast({{ dbt.dateadd('day', 2, kpi_date) }} as {{ timestamp_type }})
                )
            {%- endif %}
        )
    )
{%- endmacro %}
