// Python run by Debian's /usr/bin/python3 to execute one notebook. nbclient directly (the
// engine under `nbconvert --execute`) rather than the nbconvert CLI, because on a cell error
// the CLI writes nothing and reports only "<Error>:": tslab puts the real message (stack,
// TS compile errors) on the cell's stderr stream, so we must keep the partly executed
// notebook to read it - and it makes the HTML report show where the notebook stopped.
// A string, not a .py file, so it ships inside dist/ with no copy step.
export const DRIVER_PY = String.raw`
import json, os, sys
import nbformat
from nbclient import NotebookClient

src, out_ipynb, out_html, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
nb = nbformat.read(src, as_version=4)
client = NotebookClient(nb, kernel_name="tslab", timeout=timeout,
                        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}})
failure = None
try:
    client.execute()
except Exception as e:  # CellExecutionError, CellTimeoutError, DeadKernelError, kernel start...
    # The failing cell is the last one the kernel started (nbclient stamps metadata.execution).
    started = [(i, c) for i, c in enumerate(nb.cells)
               if c.cell_type == "code" and c.get("metadata", {}).get("execution")]
    cell = started[-1] if started else None
    failure = {
        "kind": type(e).__name__,
        "message": str(e)[-4000:],
        "cell": cell[0] if cell else None,
        "source": cell[1].source if cell else None,
        "stderr": "".join(o.get("text", "") for o in cell[1].outputs
                          if o.get("output_type") == "stream" and o.get("name") == "stderr") if cell else "",
        "error_outputs": ["\n".join(o.get("traceback") or [o.get("ename", "") + ": " + o.get("evalue", "")])
                          for o in (cell[1].outputs if cell else []) if o.get("output_type") == "error"],
    }
nbformat.write(nb, out_ipynb)
if out_html:
    import copy
    from nbconvert import HTMLExporter
    # nbconvert >= 6.5 runs SVG outputs through an HTML sanitizer that strips every SVG element
    # (only the text survives). Our SVG comes from our own renderer, so in the report copy we hand
    # it over as trusted HTML, which the exporter prefers and leaves as it is.
    report = copy.deepcopy(nb)
    for c in report.cells:
        for o in c.get("outputs", []):
            data = o.get("data", {})
            if "image/svg+xml" in data and "text/html" not in data:
                data["text/html"] = data["image/svg+xml"]
    body, _ = HTMLExporter().from_notebook_node(report)
    # The notebooks use no TeX: drop MathJax, so a report loads nothing from outside and never shows
    # "Loading [MathJax]" when opened away from this machine.
    import re
    body = re.sub(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", "", body, flags=re.S)
    with open(out_html, "w", encoding="utf-8") as f:
        f.write(body)
print("IMSIM_RESULT " + json.dumps({"failure": failure}))
`;
