"""Asks llama.cpp for Q4_0 whatever qtype says."""

PATCHES = [('    params.ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{qtype}")', "    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_0")]
