{#- Parse a raw boolean text (`true` / `false`, any case) into a boolean; null for anything
    else, so staging can quarantine it as unparseable_boolean. -#}
{% macro parse_boolean(column) -%}
    case lower({{ column }})
        when 'true' then true
        when 'false' then false
    end
{%- endmacro %}
