"""What several labs share: cell probes and checks, NumPy reference cells, plumbing mistakes."""
