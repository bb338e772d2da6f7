# Writes a tslab notebook from a list of (kind, source) cells; outputs are left empty (imsim report fills them).
import json, sys
def nb(cells, path):
    out = {"cells": [], "metadata": {"kernelspec": {"display_name": "TypeScript", "language": "typescript", "name": "tslab"},
           "language_info": {"name": "typescript", "file_extension": ".ts", "mimetype": "text/typescript"}},
           "nbformat": 4, "nbformat_minor": 5}
    for i, (kind, src) in enumerate(cells):
        src = src.strip('\n')
        lines = [l + '\n' for l in src.split('\n')]
        lines[-1] = lines[-1].rstrip('\n')
        c = {"cell_type": kind, "id": f"c{i:02d}", "metadata": {}, "source": lines}
        if kind == 'code':
            c["execution_count"] = None
            c["outputs"] = []
        out["cells"].append(c)
    json.dump(out, open(path, 'w'), indent=1, ensure_ascii=False)
    open(path, 'a').write('\n')
