"""Lambda entrypoints named in template.yaml; each a few lines."""
