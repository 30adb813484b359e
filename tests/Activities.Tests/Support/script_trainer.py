#!/usr/bin/env python3
"""A stand-in for rlhf-trainer used by the workflow tests: same command line
(`<verb> --spec <file>`), same artifacts (status.json heartbeat, outputs,
manifest.json written last), so the real LocalJobRunner and the real
orchestrations drive it exactly as they drive the trainer, in milliseconds.

Environment knobs:
  SCRIPT_FAIL_ATTEMPTS  attempts (RLHF_JOB_ATTEMPT) that crash with exit code 3 (default 0)
  SCRIPT_FAIL_VERBS     comma-separated verbs the failures apply to (default: all)
  SCRIPT_SLEEP          seconds to run before finishing (default 0)
  SCRIPT_EVAL_GOLD      eval/gold the evaluate verb reports (default 0.5)
"""
import hashlib, json, os, sys, time
from datetime import datetime, timezone

verb, spec_path = sys.argv[1], sys.argv[3]
spec = json.load(open(spec_path))
root, out = spec["store"], spec["output"]
attempt = int(os.environ.get("RLHF_JOB_ATTEMPT", "1"))

def full(path):
    return os.path.join(root, *path.split("/"))

def put(path, data):
    os.makedirs(os.path.dirname(full(path)), exist_ok=True)
    with open(full(path), "wb") as f:
        f.write(data)
    return {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}

def status(state, step, total):
    doc = {"jobId": spec["jobId"], "verb": verb, "state": state, "attempt": attempt, "step": step,
           "totalSteps": total, "updatedUtc": datetime.now(timezone.utc).isoformat(), "processId": os.getpid()}
    put(out + "/status.json", json.dumps(doc).encode())

status("running", 0, 2)
time.sleep(float(os.environ.get("SCRIPT_SLEEP", "0")))
verbs = os.environ.get("SCRIPT_FAIL_VERBS", verb).split(",")
if verb in verbs and attempt <= int(os.environ.get("SCRIPT_FAIL_ATTEMPTS", "0")):
    print(f"simulated crash on attempt {attempt}", file=sys.stderr)
    sys.exit(3)
status("running", 1, 2)

outputs, metrics = [], {}
if verb == "sample":
    p = spec["params"]
    lines = [json.loads(l) for l in open(full(spec["inputs"]["prompts"])) if l.strip()]
    lines = lines[: p.get("limit", len(lines))]
    phrases = ["was kind and good to all", "was a plain and happy day", "hated the cruel dark storm",
               "ran ran ran ran ran", "saw the sea and the ship", "was calm, bright and gentle"]
    samples = []
    for i, line in enumerate(lines):
        if i % p["shards"] != p["shard"]:
            continue
        comps = []
        for k in range(p["k"]):
            h = int(hashlib.sha256(f"{spec['seed']}:{i}:{k}".encode()).hexdigest(), 16)
            comps.append({"text": " " + phrases[h % len(phrases)], "tokens": 5, "endedWithEos": True})
        samples.append({"promptId": line["id"], "prompt": line["prompt"], "completions": comps})
    outputs.append(put(out + "/samples.jsonl", "".join(json.dumps(s) + "\n" for s in samples).encode()))
elif verb == "evaluate":
    metrics = {"eval/gold": float(os.environ.get("SCRIPT_EVAL_GOLD", "0.5")), "eval/reward": 0.25}
    for name in ("policy", "baseline", "reward", "prompts"):
        assert os.path.exists(full(spec["inputs"][name])), name
else:
    for name, path in spec["inputs"].items():
        assert os.path.exists(full(path)), f"input {name} missing: {path}"
    outputs.append(put(out + "/model/config.json", json.dumps({"verb": verb, "jobId": spec["jobId"]}).encode()))
    metrics = {f"{verb}/loss": 1.0 / attempt}

manifest = {"step": verb, "runId": None, "codeVersion": "script-trainer", "inputs": [], "outputs": outputs, "metrics": metrics}
status("succeeded", 2, 2)
put(out + "/manifest.json", json.dumps(manifest).encode())
