"""`warehouse ops`: monitoring, maintenance and disaster recovery of the Redshift warehouse (requirements OPS-*)."""
