"""The TecoGAN authors' scripts, adapted: run them from the repository root as modules
(`python -m authors_scripts.dataPrepare`)."""
