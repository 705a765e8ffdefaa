"""train.py's parts: the configuration and its rules, checkpoints, the loss log, validation during
training, and a stage's model files. The graphs and the loop stay in train.py."""
