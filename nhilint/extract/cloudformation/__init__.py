"""CloudFormation and SAM extraction: resources of a template (`template`, `base`, `sam`) and the links between them."""
