"""The sans-I/O TCP of RFC 9293: segments, states, the TCB, the endpoint, traces (stdlib only)."""
