{#- Boolean: does a labelled incident cover a KPI row's slice: the row is a total ('all'), the
    incident is dataset-wide (slice 'all': every slice), the row is the labelled slice, or the
    row's `dimension=value` is a pair of the labelled root-cause set (`root_cause`: pairs joined
    by '&', elements by ';'): a combination (api_name=x&region=y) moves the slice of each of its
    pairs, an incident on two slices (region=a;region=b) both. The one slice rule of
    trust_kpi_incident_labels, anomaly_evaluation and rca_evaluation. -#}
{% macro incident_covers_slice(
    dimension_name, dimension_value, slice_dimension, slice_value, root_cause
) -%}
    (
        {{ dimension_name }} = 'all'
        or {{ slice_dimension }} = 'all'
        or (
            {{ dimension_name }} = {{ slice_dimension }}
            and {{ dimension_value }} = {{ slice_value }}
        )
        or {{ dbt.position(
            dbt.concat(["'&'", dimension_name, "'='", dimension_value, "'&'"]),
            dbt.concat(["'&'", dbt.replace(root_cause, "';'", "'&'"), "'&'"])
        ) }} > 0
    )
{%- endmacro %}

{#- Boolean: every element of a labelled root-cause set (at most three, ';'-separated) fixes
    `dimension_name` to some value: a row of that dimension that the incident does not cover
    is untouched by it (a 'sibling'), not partly moved. -#}
{% macro incident_fixes_dimension(dimension_name, root_cause) -%}
    (
        {%- for part in range(1, 4) %}
            {%- set element = dbt.split_part(root_cause, "';'", part) %}
            (
                coalesce({{ element }}, '') = ''
                or {{ dbt.position(
                    dbt.concat(["'&'", dimension_name, "'='"]),
                    dbt.concat(["'&'", element])
                ) }} > 0
            ){% if not loop.last %} and{% endif %}
        {%- endfor %}
    )
{%- endmacro %}

{#- The labelled root-cause set, or for label files without the root_cause column the labelled
    slice ('all' when dataset-wide). -#}
{% macro incident_root_cause(root_cause, slice_dimension, slice_value) -%}
    coalesce(
        {{ root_cause }},
        case
            when {{ slice_dimension }} = 'all' then 'all'
            else {{ dbt.concat([slice_dimension, "'='", slice_value]) }}
        end
    )
{%- endmacro %}
