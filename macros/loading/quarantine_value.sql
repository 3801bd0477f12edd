{#- The offending raw text of the row's quarantine column (`<column>_text`), for quarantined_rows;
    for a malformed CSV line (column 'source_line'), what is wrong with it. -#}
{% macro quarantine_value(name) -%}
    case quarantine_column
        when 'source_line' then source_line_problem
        {%- for column in raw_columns(name) %}
        when '{{ column }}' then {{ column }}_text
        {%- endfor %}
    end
{%- endmacro %}
