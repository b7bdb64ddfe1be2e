"""Shared test settings: hypothesis runs few examples and never times out (CI machines vary)."""

from hypothesis import settings

settings.register_profile("tinygrad_bn", max_examples=10, deadline=None)
settings.load_profile("tinygrad_bn")
