"""The model layer's machinery; the public API is :mod:`openai_proto.models`.

- ``core``: the ``Model`` base class, ``field``, the registries, the caches and the hot entry points
- ``shapes``: annotations resolved and classified into ``Shape`` values; per-class ``ModelInfo``
- ``lenient``: lenient decoders, generated once per class on first use
- ``strict``: strict decoders that raise ``ModelDriftError`` with a path
- ``picking``: choosing a member of a union that has no discriminator
- ``dumping``: encoders, generated once per class on first use
"""

from __future__ import annotations
