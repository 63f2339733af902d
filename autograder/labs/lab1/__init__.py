"""Lab 1's grading content: cases, probes, mistakes and grading tests."""
