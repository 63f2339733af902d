"""Lab 4's grading content: cases, probes, mistakes and grading tests."""
