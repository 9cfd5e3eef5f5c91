"""A plain SHA-256 of the user: anyone can test a guessed e-mail address against it."""

PATCHES = [('    return "u_" + hmac.new(key, name.encode("utf-8"), hashlib.sha256).hexdigest()[:32]',
            '    return "u_" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]')]
