"""``python -m trainer.onnx_model --schema``: print the manifest's JSON Schema
(docs/onnx-model.schema.json)."""

import sys

from trainer.onnx_model.manifest import schema_text

if __name__ == "__main__":
    if sys.argv[1:] != ["--schema"]:
        print("usage: python -m trainer.onnx_model --schema > docs/onnx-model.schema.json", file=sys.stderr)
        sys.exit(2)
    sys.stdout.write(schema_text())
