"""The commands of ``nomodel``, one module each, all of the same shape: ``add`` declares the
command and its arguments, ``run`` runs it with the environment read once
(``options.Environment``); optionally, ``usage_problem`` tells what the arguments cannot mean
together, and ``NEEDS_CONTENT = False`` spares a command the check that the content folder
exists.

``cli.py`` parses the command line and turns every failure into lines and an exit code."""
