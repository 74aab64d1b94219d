"""Extractors: format records -> the model. One module per platform, each a table of resource types."""
