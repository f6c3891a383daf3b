#!/usr/bin/env python3
"""The PyYAML reference for the validate benchmark: load every document of a file with
PyYAML's libyaml-backed loader (yaml.CSafeLoader) and do nothing else. This is what any
Python tool that checks manifests pays before it checks anything."""
import sys

import yaml

count = 0
with open(sys.argv[1], "rb") as f:
    for _ in yaml.load_all(f, Loader=yaml.CSafeLoader):
        count += 1
print(f"{count} documents")
