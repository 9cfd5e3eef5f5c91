"""Evaluates attribute access on numbers ((1).real)."""

PATCHES = [
    ('        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:\n',
     '        if isinstance(node, ast.Attribute):\n            return getattr(walk(node.value), node.attr)\n        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:\n'),
]
