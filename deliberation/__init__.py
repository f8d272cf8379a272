"""Polis-style deliberation: opinion clustering math (pure), plus the web shell.

Pure engine (docs/polis-math.md): ``matrix.build_vote_matrix`` → ``pipeline.run_pipeline``
→ ``ClusteringResult``; ``math_json.to_math_pca2`` for Polis-shaped JSON; ``polis_io`` for
openData/fixture files; ``umap_map.umap_map`` for the alternative map. Nothing is imported
here so that ``import deliberation`` stays cheap for the web layer.
"""
