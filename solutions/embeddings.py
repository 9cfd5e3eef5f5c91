"""Lab 03 — Embeddings: texts as vectors, and what you can build from them.

Covers: cosine similarity by hand (and why a dot product is enough for normalised
vectors), embedding many texts in batches through one embedding API (`aie.embed`),
semantic search, item-to-item recommendation, anomaly detection, classification with a
linear model on embeddings, clustering and a 2-D map, and what embedding a corpus costs
with a cloud model.

Leaves to later labs: vector databases and approximate nearest-neighbour indexes (04),
chunking and retrieval-augmented generation (05).

Everything runs on the local all-MiniLM-L6-v2 (384 dimensions) with no key; set
AIE_EMBED_PROVIDER=openai or ollama to run the same code on another embedding model.

Most exercises take texts and an optional `vectors=` argument: the same texts already
embedded (rows in the same order), so a notebook or a test embeds a corpus once and
reuses it. Without it, the function embeds the texts itself with `embed_texts`. Two
helpers below do these chores for you: `_check_texts(texts)` (a list of strings, or a
ValueError) and `_vectors_for(texts, vectors)` (the vectors checked, or the texts embedded).
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from tqdm import tqdm

import aie.embed
from aie import registry, tokens, validate

PROGRESS_THRESHOLD = aie.embed.PROGRESS_THRESHOLD  # show a progress bar from this many texts up


def item_text(item: dict) -> str:
    """The text that stands for a catalogue item: its title, then its description.

        item_text({"title": "Ukulele in a Month", "description": "Four chords."})
        -> "Ukulele in a Month. Four chords."
    """
    return f"{item['title']}. {item['description']}"


def _check_texts(texts, name: str = "texts") -> list[str]:
    """Input check shared by the exercises: a list (or tuple) of strings, as
    `aie.validate.texts` defines them (no lone surrogates, at most a million characters)."""
    if isinstance(texts, str) or not isinstance(texts, (list, tuple)):
        raise ValueError(f"{name} must be a list of strings (wrap a single text as [text]), "
                         f"got {type(texts).__name__}")
    return validate.texts(texts, name)


def _vectors_for(texts: list[str], vectors) -> np.ndarray:
    """`vectors` checked against `texts` (finite, non-zero rows: `aie.validate.vectors`),
    or the texts embedded now."""
    if vectors is None:
        return embed_texts(texts)
    vectors = validate.vectors(vectors, "vectors", allow_empty=True)
    if len(vectors) != len(texts):
        raise ValueError(f"vectors must have one row per text: got shape {vectors.shape} "
                         f"for {len(texts)} texts")
    return vectors


# ---------------------------------------------------------------- 1. cosine similarity


def cosine_similarity(a, b) -> float:
    """The cosine of the angle between two vectors: a·b / (|a| |b|), from -1 to 1.

    1 means the same direction (same meaning, for embeddings), 0 unrelated, -1 opposite.
    Written by hand in numpy — the lesson; the test compares it with scikit-learn.

        cosine_similarity([1, 0], [1, 1]) -> 0.7071
        cosine_similarity([1, 2], [2, 4]) -> 1.0      (length does not matter)
        cosine_similarity([0, 0], [1, 1]) -> ValueError (a zero vector has no direction)
        cosine_similarity([nan, 1], [1, 1]) -> ValueError (NaN or inf: no answer means anything)
    """
    # BEGIN SOLUTION
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim != 1 or b.ndim != 1 or a.size == 0:
        raise ValueError(f"a and b must be non-empty 1-D vectors, got shapes {a.shape} and {b.shape}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("a and b must hold finite numbers: a NaN or inf makes the similarity meaningless")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same length, got {a.size} and {b.size}")
    norm_a, norm_b = np.linalg.norm(a), np.linalg.norm(b)
    if norm_a == 0 or norm_b == 0:
        raise ValueError("cosine similarity is undefined for a zero vector "
                         f"({'a' if norm_a == 0 else 'b'} is all zeros)")
    return float(np.clip(a @ b / (norm_a * norm_b), -1.0, 1.0))
    # END SOLUTION


def cosine_matrix(A, B=None) -> np.ndarray:
    """Every row of A against every row of B: an (n, m) matrix of cosine similarities.

    Normalise the rows to length 1, then one matrix product gives all n x m dot
    products at once. With B omitted, A is compared with itself (a similarity heat map).

        cosine_matrix([[1, 0], [0, 1]], [[1, 1]]) -> [[0.7071], [0.7071]]
        cosine_matrix([[1, 0], [0, 1]]) -> [[1, 0], [0, 1]]
        cosine_matrix([[nan, 1]], [[1, 1]]) -> ValueError (a row with NaN or inf), as is a zero row
        cosine_matrix([1, 0], [[1, 0]]) -> ValueError (a 1-D vector is not a matrix: wrap it as [[1, 0]],
                                           or use cosine_similarity)
    """
    # BEGIN SOLUTION
    A = np.asarray(A, dtype=np.float64)
    B = A if B is None else np.asarray(B, dtype=np.float64)
    for name, M in (("A", A), ("B", B)):
        if M.ndim != 2 or M.shape[1] == 0:
            raise ValueError(f"{name} must be a 2-D array with one vector per row, got shape {M.shape}")
        if not np.isfinite(M).all():
            raise ValueError(f"{name} has a NaN or inf: a similarity to it means nothing")
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"A and B rows must have the same length, got {A.shape[1]} and {B.shape[1]}")
    norms_a = np.linalg.norm(A, axis=1, keepdims=True)
    norms_b = np.linalg.norm(B, axis=1, keepdims=True)
    for name, norms in (("A", norms_a), ("B", norms_b)):
        zero = np.flatnonzero(norms[:, 0] == 0)
        if zero.size:
            raise ValueError(f"cosine similarity is undefined for a zero vector ({name} row {zero[0]} is all zeros)")
    return np.clip((A / norms_a) @ (B / norms_b).T, -1.0, 1.0)
    # END SOLUTION


# ---------------------------------------------------------------- 2. embedding many texts


def embed_texts(texts: list[str], *, batch_size: int = 256, progress: bool | None = None) -> np.ndarray:
    """Embed `texts` with `aie.embed.embed`, `batch_size` texts per call, in order.

    Returns an (n, d) float32 array whose rows have length 1 (d = 384 for the local
    model), row i for texts[i]. Sending a big corpus in batches keeps memory flat and lets
    a progress bar (tqdm, on stderr) move as each batch finishes; `progress=None` shows it
    from PROGRESS_THRESHOLD texts up.

    Sort the texts longest first before cutting batches, and put the rows back in the
    caller's order at the end: the model pads every text in a batch to the longest one, so
    batches of similar lengths waste less work (on 1,000 catalogue and ticket texts,
    unsorted batches of 256 pad to 11% more tokens than one sorted pass).

        embed_texts(["a cat", "a dog"]).shape -> (2, 384)
        embed_texts([]).shape -> (0, 384)
        embed_texts("a cat") -> ValueError (a list of strings, please)
    """
    # BEGIN SOLUTION
    texts = _check_texts(texts)
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not texts:
        return aie.embed.embed([])
    if progress is None:
        progress = len(texts) >= PROGRESS_THRESHOLD
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # longest first
    parts = []
    with tqdm(total=len(texts), unit="text", desc="embedding", disable=not progress) as bar:
        for start in range(0, len(texts), batch_size):
            batch = [texts[i] for i in order[start:start + batch_size]]
            parts.append(aie.embed.embed(batch, progress=False))  # our bar, not the model's
            bar.update(len(batch))
    vectors = np.vstack(parts).astype(np.float32, copy=False)
    out = np.empty_like(vectors)
    out[order] = vectors  # row j is the vector of texts[order[j]]: put it back there
    return out
    # END SOLUTION


# ---------------------------------------------------------------- 3. semantic search


def semantic_search(query: str, docs: list[str], k: int = 5, *, doc_vectors=None) -> list[tuple[int, float]]:
    """The `k` docs closest in meaning to `query`: [(index into docs, cosine score), ...].

    Best first; ties keep the lower index first. Fewer than k docs gives them all; no docs
    gives []. Matching is by meaning, not shared words: "my parcel never came" finds
    "Where is my delivery?".

        semantic_search("how do I bake bread?", ["Sourdough basics", "Tax returns"], k=1)
        -> [(0, 0.37)]
        semantic_search("", docs) -> ValueError (query), as are docs that are not a list of
        strings, k < 1, and doc_vectors with a NaN or inf
    """
    # BEGIN SOLUTION
    if not isinstance(query, str) or not query.strip():
        raise ValueError("query must be a non-empty string")
    docs = _check_texts(docs, "docs")
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if not docs:
        return []
    vectors = _vectors_for(docs, doc_vectors)
    scores = cosine_matrix(embed_texts([query]), vectors)[0]
    order = np.argsort(-scores, kind="stable")[:k]
    return [(int(i), float(scores[i])) for i in order]
    # END SOLUTION


# ---------------------------------------------------------------- 4. recommendation


def recommend(item_id: str, catalog: list[dict], k: int = 5, exclude_seen=(), *, vectors=None) -> list[tuple[str, float]]:
    """Items like `item_id`, by the meaning of their text: [(id, cosine score), ...], best first.

    Item-to-item, content-based: embed every item's `item_text` (title and description),
    rank the others by similarity to this one. Never returns the item itself or an id in
    `exclude_seen` (what the user has already bought or taken). `vectors` are the
    catalogue's embeddings, one row per item in catalogue order. Catalogue ids must be
    unique: two items with one id is a ValueError, not a guess.

        recommend("c098", catalog, k=2) -> [("c101", 0.37), ("c097", 0.32)]
        (from sourdough bread to baking cakes and knife skills: all cooking)
        recommend("c098", catalog, exclude_seen="c101") -> ValueError (one string is not a
            collection of ids: write ["c101"]); an item_id not in the catalogue, or k < 1 -> ValueError
    """
    # BEGIN SOLUTION
    if not isinstance(catalog, (list, tuple)) or not all(isinstance(it, dict) and "id" in it for it in catalog):
        raise ValueError("catalog must be a list of items (dicts with an 'id')")
    ids = validate.ids([it["id"] for it in catalog], "catalog ids")
    if item_id not in ids:
        raise ValueError(f"item_id {item_id!r} is not in the catalogue")
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if isinstance(exclude_seen, str):
        raise ValueError("exclude_seen must be a collection of ids, not one string")
    seen = set(exclude_seen) | {item_id}
    vectors = _vectors_for([item_text(it) for it in catalog], vectors)
    scores = cosine_matrix(vectors[[ids.index(item_id)]], vectors)[0]
    ranked = [(ids[i], float(scores[i])) for i in np.argsort(-scores, kind="stable") if ids[i] not in seen]
    return ranked[:k]
    # END SOLUTION


# ---------------------------------------------------------------- 5. anomaly detection


def find_anomalies(texts: list[str], contamination: float = 0.05, *, n_neighbors: int = 5,
                   vectors=None) -> list[int]:
    """Indices of the texts least like the rest, most unusual first.

    Flags max(1, round(contamination * len(texts))) texts. The score of a text is its
    cosine distance to its `n_neighbors` nearest other texts (1 - mean similarity; a text
    is not its own neighbour): a message about banana bread among support tickets has no
    close neighbours. (Distance from the centroid — the mean vector — is simpler and works
    on a one-topic corpus, but a corpus with several topics has an empty centre; the
    notebook compares the two.) The indices come highest score first, not sorted.

        find_anomalies(["reset my password", "password reset link", "banana bread?"],
                       contamination=0.34, n_neighbors=1) -> [2]
        find_anomalies(["a", "b"]) -> ValueError (at least 3 texts to tell what is unusual)
        contamination outside (0, 0.5] -> ValueError (flagging most of a corpus is not
            anomaly detection); n_neighbors < 1 -> ValueError
    """
    # BEGIN SOLUTION
    texts = _check_texts(texts)
    if len(texts) < 3:
        raise ValueError(f"need at least 3 texts to tell what is unusual, got {len(texts)}")
    if isinstance(contamination, bool) or not isinstance(contamination, (int, float)) or not 0 < contamination <= 0.5:
        raise ValueError(f"contamination is the share of texts to flag, in (0, 0.5]; got {contamination!r}")
    if not isinstance(n_neighbors, int) or isinstance(n_neighbors, bool) or n_neighbors < 1:
        raise ValueError(f"n_neighbors must be a positive integer, got {n_neighbors!r}")
    sims = cosine_matrix(_vectors_for(texts, vectors))
    np.fill_diagonal(sims, -np.inf)  # a text is not its own neighbour
    k = min(n_neighbors, len(texts) - 1)
    nearest = -np.sort(-sims, axis=1)[:, :k]
    scores = 1.0 - nearest.mean(axis=1)
    flagged = max(1, round(contamination * len(texts)))
    return [int(i) for i in np.argsort(-scores, kind="stable")[:flagged]]
    # END SOLUTION


# ---------------------------------------------------------------- 6. classification


def train_classifier(texts: list[str], labels: list[str], *, vectors=None, C: float = 1.0) -> LogisticRegression:
    """A logistic-regression classifier fitted on the texts' embeddings.

    The embedding does the understanding; a linear model on top needs only a few labelled
    examples per class. Returns the fitted scikit-learn model (`.classes_` are the labels).
    Labels are non-empty strings; C (inverse regularisation strength) a finite number > 0.

        clf = train_classifier(["refund please", "app crashes", ...], ["billing", "bug", ...])
        predict(clf, ["I was charged twice"]) -> ["billing"]
        ValueError: labels not one per text, an empty or non-string label, a single class,
        C not a finite number > 0, vectors with a NaN or inf
    """
    # BEGIN SOLUTION
    texts = _check_texts(texts)
    if isinstance(labels, str) or not isinstance(labels, (list, tuple)) or len(labels) != len(texts):
        raise ValueError(f"labels must be a list with one label per text ({len(texts)} texts)")
    for i, label in enumerate(labels):
        if not isinstance(label, str) or not label:
            raise ValueError(f"labels[{i}] must be a non-empty string, got {label!r}")
    if len(set(labels)) < 2:
        raise ValueError("a classifier needs examples of at least two different labels")
    C = validate.number(C, "C", minimum=0, exclusive_minimum=True)
    model = LogisticRegression(C=C, max_iter=2000)
    model.fit(_vectors_for(texts, vectors), list(labels))
    return model
    # END SOLUTION


def predict(model: LogisticRegression, texts: list[str], *, vectors=None) -> list[str]:
    """The label `model` (from train_classifier) gives each text, in order.

        predict(clf, ["I was charged twice", "it freezes on start"]) -> ["billing", "bug"]
        predict("not a model", ["hi"]) -> ValueError (model must be a fitted classifier from
            train_classifier); predict(clf, []) -> []
        predict(clf, texts, vectors=<rows of another width>) -> ValueError naming both widths
    """
    # BEGIN SOLUTION
    if not hasattr(model, "predict") or not hasattr(model, "classes_"):
        raise ValueError("model must be a fitted classifier from train_classifier")
    texts = _check_texts(texts)
    if not texts:
        return []
    vectors = _vectors_for(texts, vectors)
    if vectors.shape[1] != model.n_features_in_:
        raise ValueError(f"vectors have {vectors.shape[1]} dimensions but the model was trained on "
                         f"{model.n_features_in_}: embed with the same model")
    return [str(label) for label in model.predict(vectors)]
    # END SOLUTION


# ---------------------------------------------------------------- 7. clusters and a 2-D map


def cluster(texts: list[str], k: int, *, vectors=None, seed: int = 0) -> np.ndarray:
    """Group the texts into `k` clusters by meaning (KMeans on the embeddings).

    Returns one cluster number (0 .. k-1) per text. The same seed gives the same clusters.

        cluster(["bread", "cake", "guitar", "piano"], k=2) -> array([1, 1, 0, 0])
        (the numbers are arbitrary names; which texts share one is what counts)
        cluster(texts, k=0) -> ValueError (k from 1 to len(texts)); vectors with a NaN -> ValueError
    """
    # BEGIN SOLUTION
    texts = _check_texts(texts)
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= len(texts):
        raise ValueError(f"k must be an integer from 1 to the number of texts ({len(texts)}), got {k!r}")
    kmeans = KMeans(n_clusters=k, n_init=10, random_state=seed)
    return kmeans.fit_predict(_vectors_for(texts, vectors)).astype(int)
    # END SOLUTION


def project_2d(vectors) -> np.ndarray:
    """Each vector as a point (x, y), for a map: PCA onto the two directions of most spread.

    The first column carries the most variance, the second the next most; points close in
    the 384-d space tend to stay close on the map (it is a shadow, not a faithful copy).

        project_2d(embed_texts(["bread", "cake", "guitar"])).shape -> (3, 2)
        project_2d(<rows with a NaN>) -> ValueError
    """
    # BEGIN SOLUTION
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or len(vectors) < 2 or vectors.shape[1] < 2:
        raise ValueError(f"vectors must be a 2-D array of at least 2 rows and 2 columns, got shape {vectors.shape}")
    if not np.isfinite(vectors).all():
        raise ValueError("vectors must be finite: a NaN or inf row has no place on the map")
    return PCA(n_components=2).fit_transform(vectors)
    # END SOLUTION


# ---------------------------------------------------------------- 8. what embedding costs


def embedding_cost(texts: list[str], model: str = "text-embedding-3-small") -> dict:
    """Tokens and US dollars to embed `texts` with a cloud embedding model.

    Tokens are counted with the model's tokenizer (`aie.tokens.count_tokens`), text by text
    (each text is embedded on its own, so never count them joined), the price
    per 1M input tokens comes from the registry (`aie.registry`). Local models have no
    per-token price (you pay in time and electricity): they are refused, as are chat models
    and ids the registry does not know.

        embedding_cost(["hello world"], "text-embedding-3-small")
        -> {"model": "text-embedding-3-small", "texts": 1, "tokens": 2, "usd": 4e-08}
        embedding_cost(["hi"], "gpt-4o") -> ValueError (a chat model), as are local models,
        unknown ids and texts that are not a list of strings
    """
    # BEGIN SOLUTION
    texts = _check_texts(texts)
    info = registry.get_model(model)  # UnknownModelError (a ValueError) for unknown ids
    if info.kind != "embedding":
        raise ValueError(f"{model!r} is a {info.kind} model, not an embedding model")
    if info.provider == "local":
        raise ValueError(f"{model!r} runs on your machine: it has no per-token price "
                         "(measure its time instead); pick a cloud embedding model")
    n_tokens = sum(tokens.count_tokens(t, model) for t in texts)
    return {"model": model, "texts": len(texts), "tokens": n_tokens, "usd": info.cost(n_tokens)}
    # END SOLUTION
