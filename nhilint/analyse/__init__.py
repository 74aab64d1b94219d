"""Least-privilege facts computed from the model, shared by rules."""
