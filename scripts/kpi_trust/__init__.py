"""KPI Trust Warehouse helpers: the labelled log generator and the commands around dbt."""

__version__ = "0.1.0"
