"""Lab 5's grading content: cases, probes, mistakes and grading tests."""
