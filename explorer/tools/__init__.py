"""The latent tools' state: one module per tool (denoise, attributes, interpolate, sampling).

Each tool is a QObject holding its settings and last result, with a signal per change; its panel in
``explorer/widgets`` reads it and calls its methods. Tools run torch only through ``Jobs`` (a session lane).
"""
