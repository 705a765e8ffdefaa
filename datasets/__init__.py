"""Training data on disk: where the sequences are (sequences.py, reds.py) and their decoded-frame cache
(frame_cache.py). Below data_loader.py, which samples from them; imports only utils/."""
