"""`warehouse ops`: monitoring, maintenance and disaster recovery of the Redshift warehouse (seed 003)."""
