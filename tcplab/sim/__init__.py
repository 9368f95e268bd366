"""The deterministic simulator: the link and its faults, the applications, the named scenarios."""
