{#- The quarantine columns of a staging model from an ordered list of checks, each a dict
    `{'when': <sql condition that marks the row bad>, 'column': <raw column>, 'reason': <code>}`.
    The first failing check names the row's reason and column; all failing checks are counted. -#}
{% macro quarantine_columns(checks) -%}
    case
        {%- for check in checks %}
        when {{ check.when }} then '{{ check.reason }}'
        {%- endfor %}
    end as quarantine_reason,
    case
        {%- for check in checks %}
        when {{ check.when }} then '{{ check.column }}'
        {%- endfor %}
    end as quarantine_column,
    (
        {%- for check in checks %}
        case when {{ check.when }} then 1 else 0 end{% if not loop.last %} +{% endif %}
        {%- endfor %}
    ) as quarantine_check_count
{%- endmacro %}
