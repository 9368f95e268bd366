"""Pure functions over a Trace: states inferred from segments, a kernel run beside the model."""
