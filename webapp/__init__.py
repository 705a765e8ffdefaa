"""The web app's logic (app.py serves it): what a job is made of and how it runs.

inputs.py checks what a page submits (uploads, sample clips, models) and lays it out in a job folder;
jobs.py runs the jobs one at a time, each as generate.py in a process of its own (so that Cancel stops it
at once); steps.py holds the two steps around generate.py (the sample's frames before, the comparison,
the frame zip and the evaluate.py table after); ui.py is the page.
"""
