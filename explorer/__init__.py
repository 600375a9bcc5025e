"""Latent Explorer: the Qt app."""
