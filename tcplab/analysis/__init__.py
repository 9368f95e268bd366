"""Pure functions over a Trace: roles, flights, timing, invariants, inferred states, a kernel run beside the model."""
