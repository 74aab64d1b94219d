"""Kubernetes manifest extraction: ServiceAccounts, RBAC objects, workloads and kustomize results."""
