"""Thin per-chapter helpers and the exercises."""
