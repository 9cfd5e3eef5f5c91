"""Lets a target's exception stop the whole suite instead of counting it as a refusal."""

PATCHES = [('        except Exception as exc:  # a refusal by exception is not a success\n            reply, error = {}, f"{type(exc).__name__}: {exc}"\n',
            '        except KeyError as exc:\n            reply, error = {}, str(exc)\n')]
