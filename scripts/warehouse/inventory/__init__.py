"""Inventory operations (INV-COLD-TIER): `warehouse inventory tier`, the hot/cold tiering of the movement history."""
