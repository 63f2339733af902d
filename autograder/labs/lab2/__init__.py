"""Lab 2's grading content: cases, probes, mistakes and grading tests."""
