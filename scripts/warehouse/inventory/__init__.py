"""Inventory operations (seed 003): `warehouse inventory tier`, the hot/cold tiering of the movement history."""
