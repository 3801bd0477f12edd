{#- Boolean: does a labelled incident cover a KPI row's slice: the row is a total ('all'), the
    incident is dataset-wide (slice 'all': every slice), or the row is the labelled slice. The
    one slice rule of trust_kpi_incident_labels, anomaly_evaluation and rca_evaluation. -#}
{% macro incident_covers_slice(dimension_name, dimension_value, slice_dimension, slice_value) -%}
    (
        {{ dimension_name }} = 'all'
        or {{ slice_dimension }} = 'all'
        or (
            {{ dimension_name }} = {{ slice_dimension }}
            and {{ dimension_value }} = {{ slice_value }}
        )
    )
{%- endmacro %}
