{#- read_csv options for raw files in files mode: the dialect is given, not sniffed (one stray
    apostrophe could make a sniffer take ' as the quote character for the whole file), from vars
    csv_delimiter, csv_quote, csv_escape, csv_encoding (env KPI_TRUST_CSV_*; default comma,
    double quote doubled to escape, UTF-8). strict_mode off reads a file whose lines end in both
    \n and \r\n (parts exported on different systems). A `.csv.gz` file is decompressed by
    its extension. Every value is read as text; staging types it. -#}
{% macro csv_dialect_options() -%}
    {%- set options = {
        'delim': var('csv_delimiter'), 'quote': var('csv_quote'),
        'escape': var('csv_escape'), 'encoding': var('csv_encoding'),
    } -%}
    header = true, all_varchar = true, strict_mode = false
    {%- for name, value in options.items() -%}
        , {{ name }} = '{{ value | replace("'", "''") }}'
    {%- endfor -%}
{%- endmacro %}
