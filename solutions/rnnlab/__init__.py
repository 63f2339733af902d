"""rnnlab: the recurrent layers you build in this kit.

One module per exercise family:

- ``simple_rnn``    Lab 1: ``SimpleRNNCell`` and ``irnn_cell``
- ``gradients``     Lab 1: ``unroll``, ``state_gradient_norms``, gradient clipping
- ``lstm``          Lab 2: ``LSTMCell`` and the bonus (extra credit) ``PeepholeLSTMCell``
- ``gru``           Lab 3: ``GRUCell`` (``reset_after=False``, then ``True``)
- ``training``      Lab 4: training steps for long-range tasks (clipping, truncated BPTT)
- ``bidirectional`` Lab 5: ``BidirectionalRNN`` and ``DeepRNN``
- ``charmodel``     Lab 6: ``pixel_classifier``, ``char_model``, ``bits_per_char``, ``sample``
- ``labtools``      helpers the labs use (fast mode, figures, seeds); nothing to fill in
- ``figures``       schematic drawings of the cells and wirings the labs show; nothing to fill in

Conventions (weight names, shapes, gate order) follow Keras exactly, so every cell you write can
be checked against the Keras built-in by copying its weights across. Modules are imported one by
one on purpose: an unfinished module never stops the others from loading.
"""
