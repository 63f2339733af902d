"""rnnlab: the recurrent layers you build in this kit.

One module per exercise family:

- ``simple_rnn``    Lab 1: ``SimpleRNNCell`` and ``irnn_cell``
- ``gradients``     Lab 1: ``unroll``, ``state_gradient_norms``, gradient clipping
- ``labtools``      helpers the labs use (fast mode, figures, seeds); nothing to fill in

Conventions (weight names, shapes, gate order) follow Keras exactly, so every cell you write can
be checked against the Keras built-in by copying its weights across. Modules are imported one by
one on purpose: an unfinished module never stops the others from loading.
"""
