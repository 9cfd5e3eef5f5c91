// Embed texts with Transformers.js from a local ONNX export, never the network.
//
//   node node/embed.mjs MODEL_DIR < texts.json      -> [[0.01, ...], ...]  (one vector per text)
//
// MODEL_DIR holds config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx
// (solutions.open_models.export_onnx writes it). Vectors are mean-pooled and L2-normalised,
// as sentence-transformers makes them.
import { readFileSync } from "node:fs";
import path from "node:path";
import { env, pipeline } from "@huggingface/transformers";

const modelDir = path.resolve(process.argv[2] ?? "");
if (!process.argv[2]) {
  console.error("usage: node embed.mjs MODEL_DIR < texts.json");
  process.exit(2);
}
env.allowRemoteModels = false; // a missing file is an error, not a download
env.allowLocalModels = true;
env.localModelPath = path.dirname(modelDir) + path.sep;
env.useBrowserCache = false;

const texts = JSON.parse(readFileSync(0, "utf8"));
const extractor = await pipeline("feature-extraction", path.basename(modelDir), { dtype: "fp32" });
const output = await extractor(texts, { pooling: "mean", normalize: true });
process.stdout.write(JSON.stringify(output.tolist()));
