"""Scoring super-resolved sequences with the paper's metrics (scoring.py) and writing the report (report.py):
shared by evaluate.py, demo.py and validation during training."""
