"""`warehouse doctor`: every missing or inconsistent setting of a target, listed at once.

registry.py describes every environment setting; requirements.py says which ones each command needs;
local.py checks the local warehouse (lake, DuckDB file, extension wheels, live catalog); commands/doctor.py prints.
"""
