"""Terraform extraction: one table per platform (aws, gcp, azure, kubernetes, misc), run over every module instance
by `project`, and over plan JSON by `plan`."""
