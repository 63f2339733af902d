"""The grading engine: everything that works the same for every lab.

Nothing here imports a lab folder (``tests/test_layout.py`` checks): the engine finds lab content
by convention through ``engine.labs``, so a lab is added by adding a folder under
``autograder/labs/``, never by editing the engine.
"""
