"""Reporters: a Report (or Inventory) -> text in one format. Plain functions, no state."""
