"""Toolbox.call runs the function without validating the arguments."""

PATCHES = [
    ('        return self.get(name)(**self.validate_call(name, arguments))\n',
     '        return self.get(name).fn(**arguments)\n'),
]
