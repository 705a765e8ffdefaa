"""Shared helpers: resampling and warping ops, weights, image and video IO, errors."""
