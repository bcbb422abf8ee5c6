"""Top-level commands about the node itself: ping, code-envs, model-cache, drain, undrain."""
